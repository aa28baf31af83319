"""Counting documents by a value they have: per topic, per provider, per type or category;
filter values no document has and the known ones nearest them; values to complete;
the fields the corpus's records have.

Every count is one SQL query, grouped by the exact stored key, and then a pass
over the few groups in Python: time linear in the corpus and in each
document's lists, however many topics a document has.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from newsq.index.ids import LAST
from newsq.index.results import ProviderCount, Suggestion, TopicCount
from newsq.model import Entry, rank_topics
from newsq.query.filters import Filter, condition, where_sql
from newsq.query.similar import closest
from newsq.store.schema import DOMAIN_KEY, KEY_SEPARATOR, NAME_KEY, in_parts


def topics(db: sqlite3.Connection, where: Filter) -> list[TopicCount]:
    """Documents per topic, most first, then by name. Topics differing in case count as
    one, spelt as in the first document (by id) that has them."""
    clause, params = condition(where)
    rows = db.execute(
        "SELECT t.key, COUNT(*), MIN(d.id) FROM doc_topics t "
        f"JOIN docs d ON d.doc = t.doc {clause} GROUP BY t.key",
        params,
    ).fetchall()
    spellings = _topic_spellings(db, {first for _, _, first in rows})
    counts = [TopicCount(spellings[first][key], count) for key, count, first in rows]
    return sorted(counts, key=lambda c: (-c.count, c.topic.casefold()))


def _topic_spellings(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """{id: {topic key: the topic as that document first writes it}}, each document's
    topics read once."""
    wanted = list(ids)
    spellings: dict[str, dict[str, str]] = {}
    for chunk, marks in in_parts(wanted):
        for doc_id, listed in db.execute(
            f"SELECT id, topics FROM docs WHERE id IN ({marks})", chunk
        ):
            spelled: dict[str, str] = {}
            for topic in json.loads(listed):
                spelled.setdefault(topic.casefold(), topic)
            spellings[doc_id] = spelled
    return spellings


def topics_of(entries: Iterable[Entry]) -> list[TopicCount]:
    """Topics counted over the given entries (once an entry), as `topics` counts them."""
    return [TopicCount(topic, count) for topic, count in rank_topics(e.topics for e in entries)]


def providers_of(entries: Iterable[Entry]) -> list[ProviderCount]:
    """Providers counted over the given entries, as `outlets` counts them."""
    counts: Counter[tuple[str, str]] = Counter()
    spelling: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for entry in entries:
        if entry.provider_name is None and entry.provider_domain is None:
            continue
        key = (_casefold(entry.provider_name), _casefold(entry.provider_domain))
        counts[key] += 1
        spelling.setdefault(key, (entry.provider_name, entry.provider_domain))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [ProviderCount(*spelling[key], count) for key, count in ranked]


def articles_sql(where: Filter, related: bool) -> tuple[str, list[Any]]:
    """A SELECT of (id, date_us, provider_name, provider_domain) of the documents
    matching `where` and, with `related`, of the related articles it matches (as
    `search --related` filters them)."""
    clause, params = condition(where)
    sql = (
        "SELECT d.id AS id, d.date_us AS date_us, d.provider_name AS provider_name, "
        f"d.provider_domain AS provider_domain FROM docs d {clause}"
    )
    if related:
        clauses, values = where_sql(where, related=True)
        clause = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql += (
            " UNION ALL SELECT d.id, d.date_us, t.provider_name, t.provider_domain "
            f"FROM related d JOIN related_text t ON t.doc = d.doc {clause}"
        )
        params = [*params, *values]
    return sql, params


def outlets(db: sqlite3.Connection, articles: str, params: Sequence[Any]) -> list[ProviderCount]:
    """Rows of `articles` (an `articles_sql`) per provider (name and domain, any case),
    most first, each spelled as the row with the least id spells it."""
    # Grouped by exact spelling in SQL, then by case in Python over the few spellings:
    # folding every row's case in SQL called Python once a row (3.7 s for 600,000).
    rows = db.execute(
        "SELECT provider_name, provider_domain, COUNT(*), MIN(id) FROM "
        f"({articles}) WHERE provider_name IS NOT NULL OR provider_domain IS NOT NULL "
        "GROUP BY provider_name, provider_domain",
        params,
    )
    groups: dict[tuple[str, str], list[Any]] = {}
    for name, domain, count, first in rows:
        key = (_casefold(name), _casefold(domain))
        group = groups.setdefault(key, [name, domain, 0, first])
        group[2] += count
        if first < group[3]:
            group[:2], group[3] = [name, domain], first
    ranked = sorted(groups.items(), key=lambda item: (-item[1][2], item[0]))
    return [ProviderCount(name, domain, count) for _, (name, domain, count, _) in ranked]


def column_counts(db: sqlite3.Connection, column: str, where: Filter) -> dict[str, int]:
    """Documents per value of a `docs` column (`type`, `category`), most first."""
    clause, params = condition(where, f"d.{column} IS NOT NULL")
    rows = db.execute(
        f"SELECT d.{column}, COUNT(*) FROM docs d {clause} GROUP BY d.{column}", params
    )
    return dict(sorted(rows, key=lambda kv: (-kv[1], kv[0])))


# --- values no document has ------------------------------------------------------------------


def suggestions(
    db: sqlite3.Connection, where: Filter, *, related: bool = False
) -> list[Suggestion]:
    """Each topic, provider, category or type in `where` that no document (nor, with
    `related`, related article) has, with the known ones closest to it."""
    provider_sql = (
        f"SELECT 1 FROM doc_providers WHERE key IN ('{NAME_KEY}' || ?1, '{DOMAIN_KEY}' || ?1)"
    )
    if related:  # (read only for a provider no document has)
        provider_sql += " UNION ALL SELECT 1 FROM related WHERE " + " OR ".join(
            f"instr(provider_keys, '{KEY_SEPARATOR}{kind}' || ?1 || '{KEY_SEPARATOR}') > 0"
            for kind in (NAME_KEY, DOMAIN_KEY)
        )
    checks = (
        (
            "--topic",
            where.topics,
            "SELECT 1 FROM doc_topics WHERE key = ?1",
            lambda: [t.topic for t in topics(db, Filter())],
        ),
        ("--provider", where.providers, provider_sql, lambda: _provider_spellings(db, related)),
        (
            "--category",
            where.categories,
            "SELECT 1 FROM docs WHERE category_key = ?1",
            lambda: _column_spellings(db, "category"),
        ),
        (
            "--type",
            where.types,
            "SELECT 1 FROM docs WHERE type_key = ?1",
            lambda: _column_spellings(db, "type"),
        ),
    )
    found = []
    for option, values, sql, known in checks:
        for value in values:
            if db.execute(sql + " LIMIT 1", (value,)).fetchone() is None:
                found.append(Suggestion(option, value, tuple(closest(value, known()))))
    return found


def _provider_spellings(db: sqlite3.Connection, related: bool = False) -> list[str]:
    sql = "SELECT DISTINCT provider_name, provider_domain FROM docs"
    if related:
        sql += " UNION SELECT provider_name, provider_domain FROM related_text"
    return sorted({value for row in db.execute(sql) for value in row if value})


def _column_spellings(db: sqlite3.Connection, column: str) -> list[str]:
    rows = db.execute(f"SELECT DISTINCT {column} FROM docs WHERE {column} IS NOT NULL")
    return sorted(value for (value,) in rows)


# --- values to complete ------------------------------------------------------------------------


def known_topics(db: sqlite3.Connection, prefix: str = "") -> list[str]:
    """Every topic (as first written) starting with `prefix` in any case, A-Z."""
    start = _casefold(prefix)
    rows = db.execute(
        "SELECT t.key, MIN(d.id) FROM doc_topics t JOIN docs d ON d.doc = t.doc "
        "WHERE t.key >= ? AND t.key < ? GROUP BY t.key",
        (start, start + LAST),
    ).fetchall()
    spellings = _topic_spellings(db, {first for _, first in rows})
    return sorted((spellings[first][key] for key, first in rows), key=str.casefold)


def known_providers(db: sqlite3.Connection, prefix: str = "") -> list[str]:
    """Every provider name and domain starting with `prefix` in any case, A-Z."""
    spelled = set()
    for kind in (NAME_KEY, DOMAIN_KEY):
        start = kind + _casefold(prefix)
        # (with MIN(), SQLite reads the other columns off the row of the least document)
        for key, _, name, domain in db.execute(
            "SELECT k.key, MIN(d.doc), d.provider_name, d.provider_domain FROM doc_providers k "
            "JOIN docs d ON d.doc = k.doc WHERE k.key >= ? AND k.key < ? GROUP BY k.key",
            (start, start + LAST),
        ):
            # The name or domain the key is (not a domain less its suffix: `forbes`).
            plain = key[len(kind) :]
            spelling = next((v for v in (name, domain) if v and _casefold(v) == plain), None)
            if spelling is not None:
                spelled.add(spelling)
    return sorted(spelled, key=str.casefold)


# --- fields ------------------------------------------------------------------------------------


def field_paths(db: sqlite3.Connection, *, related: bool = False) -> set[str]:
    """Every field path a document's record has (`provider.name`, `related.title`; see
    `newsq.ingest.shape`); with `related`, those of a related article's record too (its
    item's own fields, and `parent`)."""
    rows = db.execute("SELECT fields FROM shapes WHERE shape IN (SELECT DISTINCT shape FROM docs)")
    paths = {path for (fields,) in rows for path, _ in json.loads(fields)}
    if related:
        paths |= {p.removeprefix("related.") for p in paths if p.startswith("related.")}
        paths |= {"parent"}
    return paths


def _casefold(text: str | None) -> str:
    return "" if text is None else text.casefold()
