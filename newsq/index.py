"""The index: a corpus's documents, queried through their snapshot.

`Index` answers lookups by id (or a prefix of one), filters, search, facet
counts and corpus statistics. Filters and sorting run in SQLite over the light
columns, so a query reads only the documents it returns, and full records are
read back only for the rows that are printed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsq.model import Changes, Entry, Problem, format_timestamp
from newsq.query import Filter, match_expression, order_sql, where_sql
from newsq.snapshot import EPOCH, Snapshot, unpack_record

# The `docs` columns an `Entry` is built from, in `Entry`'s order.
_ENTRY_COLUMNS = (
    "d.id, d.path, d.title, d.date_us, d.category, d.type, d.quality, d.heat, d.published, "
    "d.provider_name, d.provider_domain, d.topics, d.related"
)


class UnknownIdError(LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no document matches {ref!r}")
        self.ref = ref


class AmbiguousIdError(LookupError):
    def __init__(self, ref: str, candidates: Sequence[str]) -> None:
        super().__init__(f"{ref!r} matches {len(candidates)} documents")
        self.ref = ref
        self.candidates = list(candidates)


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic: str
    count: int


@dataclass(frozen=True, slots=True)
class ProviderCount:
    name: str | None
    domain: str | None
    count: int


class Index:
    """Documents of a corpus, queryable by their light columns.

    `len(index)` counts documents, iterating yields `Entry` values by id,
    `index[id]` is the full lossless record of a document. An index holds its
    snapshot open: close it (or use `with`) when done, or let it be collected.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        changes: Changes | None = None,
        cache_problem: str | None = None,
    ) -> None:
        self._snapshot = snapshot
        self._db = snapshot.conn
        # Python's case folding, for grouping names as the Python side compares them.
        self._db.create_function("casefold", 1, _casefold, deterministic=True)
        self._problems: list[Problem] | None = None
        self._length: int | None = None
        #: What loading had to parse and forget to bring the snapshot up to date.
        self.changes = changes or Changes()
        #: Why the snapshot is a temporary one although the cache was wanted, if it is.
        self.cache_problem = cache_problem

    def close(self) -> None:
        self._snapshot.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    # --- the collection ------------------------------------------------------

    def __len__(self) -> int:
        if self._length is None:
            self._length = self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        return self._length

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries("SELECT {columns} FROM docs d ORDER BY d.id", ()))

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        return self._db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        row = self._db.execute(
            "SELECT r.json FROM docs d JOIN records r ON r.doc = d.doc WHERE d.id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return unpack_record(row[0])

    def entry(self, doc_id: str) -> Entry:
        found = self._entries("SELECT {columns} FROM docs d WHERE d.id = ?", (doc_id,))
        if not found:
            raise KeyError(doc_id)
        return found[0]

    def records(self, entries: Iterable[Entry]) -> list[dict[str, Any]]:
        """The full records of the given entries, in their order."""
        ids = [e.id for e in entries]
        by_id: dict[str, str] = {}
        for start in range(0, len(ids), 500):  # SQLite caps the number of parameters
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            by_id.update(
                self._db.execute(
                    "SELECT d.id, r.json FROM docs d JOIN records r ON r.doc = d.doc "
                    f"WHERE d.id IN ({marks})",
                    chunk,
                )
            )
        return [unpack_record(by_id[i]) for i in ids]

    @property
    def problems(self) -> list[Problem]:
        """Problems finding files, then each file's parse problems, by path."""
        if self._problems is None:
            self._problems = self._snapshot.problems()
        return self._problems

    @property
    def skipped(self) -> int:
        """How many files could not be loaded as documents."""
        return self._snapshot.skipped()

    # --- lookups ---------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The id a user means by `ref`.

        An exact id wins; otherwise `ref` may be a unique prefix of an id, of an
        id's last path part, or of the hex part after its underscore
        (`bc1330c7` for `000_bc1330c771dbc5b0`). Raises `UnknownIdError` or
        `AmbiguousIdError` (with the candidates).
        """
        ref = ref.strip()
        if ref in self:
            return ref
        if not ref:
            raise UnknownIdError(ref)
        # A prefix as a range, so the indexes answer: ref <= x < ref + the last code point.
        bounds = (ref, ref + "\U0010ffff")
        candidates = sorted(
            {
                doc_id
                for column in ("id", "name", "hex")
                for (doc_id,) in self._db.execute(
                    f"SELECT id FROM docs WHERE {column} >= ? AND {column} < ?", bounds
                )
            }
        )
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UnknownIdError(ref)
        raise AmbiguousIdError(ref, candidates)

    # --- queries ---------------------------------------------------------------

    def filter(
        self,
        where: Filter | None = None,
        *,
        sort: str = "date",
        reverse: bool = False,
        **criteria: Any,
    ) -> list[Entry]:
        """Entries matching `where` (or the same criteria as keywords), sorted.

        `index.filter(topic="Computer Vision", provider="forbes", since="2020-06")`
        """
        return self.select(_combine(where, criteria), sort=sort, reverse=reverse)

    def search(
        self,
        query: str,
        where: Filter | None = None,
        *,
        sort: str = "date",
        reverse: bool = False,
        **criteria: Any,
    ) -> list[Entry]:
        """Entries whose title, excerpt, provider name, topics or body hold every word.

        Words match whole words, ignoring case and accents, and other forms of
        the same word (`banned` finds "banning").
        """
        return self.select(_combine(where, criteria), query, sort=sort, reverse=reverse)

    def select(
        self,
        where: Filter,
        query: str | None = None,
        *,
        sort: str = "date",
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[Entry]:
        """`filter` (no `query`) or `search`, keeping only the first `limit` entries.

        Only the entries returned are built, so the first page of a large result is cheap.
        """
        order = order_sql(sort, reverse)  # checks the key before any work
        condition, params = _condition(where, query)
        sql = f"SELECT {{columns}} FROM docs d {condition} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._entries(sql, params)

    def count(self, where: Filter | None = None, query: str | None = None) -> int:
        """How many documents `filter(where)`, or `search(query, where)`, would return."""
        condition, params = _condition(where or Filter(), query)
        return self._db.execute(f"SELECT COUNT(*) FROM docs d {condition}", params).fetchone()[0]

    def _entries(self, sql: str, params: Sequence[Any]) -> list[Entry]:
        rows = self._db.execute(sql.format(columns=_ENTRY_COLUMNS), params)
        return [_entry(row) for row in rows]

    # --- facets and statistics -----------------------------------------------

    def topics(
        self, entries: Iterable[Entry] | None = None, *, where: Filter | None = None
    ) -> list[TopicCount]:
        """Documents per topic, most first, then by name. Topics differing in case count as one,
        spelt as in the first document (by id, or in the order given) that has them.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return _topic_counts(entries)
        condition, params = _condition(where or Filter(), None)
        rows = self._db.execute(
            "SELECT t.key, COUNT(*), MIN(d.id), d.topics FROM doc_topics t "
            f"JOIN docs d ON d.doc = t.doc {condition} GROUP BY t.key",
            params,
        )
        counts = []
        for key, count, _, topics in rows:  # `d.topics` is the first document's, with MIN()
            spelling = next(t for t in json.loads(topics) if t.casefold() == key)
            counts.append(TopicCount(spelling, count))
        return sorted(counts, key=lambda c: (-c.count, c.topic.casefold()))

    def providers(
        self, entries: Iterable[Entry] | None = None, *, where: Filter | None = None
    ) -> list[ProviderCount]:
        """Documents per provider (name and domain, any case), most first, then by name.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return _provider_counts(entries)
        condition, params = _condition(
            where or Filter(),
            None,
            "(d.provider_name IS NOT NULL OR d.provider_domain IS NOT NULL)",
        )
        rows = self._db.execute(
            "SELECT casefold(d.provider_name) AS name_key, "
            "casefold(d.provider_domain) AS domain_key, "
            "COUNT(*), MIN(d.id), d.provider_name, d.provider_domain "
            f"FROM docs d {condition} GROUP BY name_key, domain_key",
            params,
        )
        ranked = sorted(rows, key=lambda r: (-r[2], r[0], r[1]))
        return [ProviderCount(r[4], r[5], r[2]) for r in ranked]

    def stats(
        self, entries: Iterable[Entry] | None = None, top: int = 10, *, where: Filter | None = None
    ) -> dict[str, Any]:
        """A summary: counts, date range, top topics and providers, documents per month.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return _stats(list(entries), top)
        where = where or Filter()
        condition, params = _condition(where, None)
        documents, related, dated, first, last = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(d.related), 0), COUNT(d.date_us), MIN(d.date_us), "
            f"MAX(d.date_us) FROM docs d {condition}",
            params,
        ).fetchone()
        dated_only, params = _condition(where, None, "d.date_us IS NOT NULL")
        months = self._db.execute(
            "SELECT strftime('%Y-%m', d.date_us / 1000000.0, 'unixepoch') AS month, COUNT(*) "
            f"FROM docs d {dated_only} GROUP BY month",
            params,
        )
        per_month = {tuple(map(int, month.split("-"))): count for month, count in months}
        return {
            "documents": documents,
            "related": related,
            "dated": dated,
            "first": None if first is None else format_timestamp(_timestamp(first)),
            "last": None if last is None else format_timestamp(_timestamp(last)),
            "topics": [
                {"topic": t.topic, "count": t.count} for t in self.topics(where=where)[:top]
            ],
            "providers": [
                {"name": p.name, "domain": p.domain, "count": p.count}
                for p in self.providers(where=where)[:top]
            ],
            "types": self._column_counts("type", where),
            "categories": self._column_counts("category", where),
            "per_month": _months(per_month),
        }

    def _column_counts(self, column: str, where: Filter) -> dict[str, int]:
        condition, params = _condition(where, None, f"d.{column} IS NOT NULL")
        rows = self._db.execute(
            f"SELECT d.{column}, COUNT(*) FROM docs d {condition} GROUP BY d.{column}", params
        )
        return dict(sorted(rows, key=lambda kv: (-kv[1], kv[0])))


def _topic_counts(entries: Iterable[Entry]) -> list[TopicCount]:
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for entry in entries:
        for topic in dict.fromkeys(t.casefold() for t in entry.topics):
            counts[topic] += 1
        for topic in entry.topics:
            spelling.setdefault(topic.casefold(), topic)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [TopicCount(spelling[key], count) for key, count in ranked]


def _provider_counts(entries: Iterable[Entry]) -> list[ProviderCount]:
    counts: Counter[tuple[str, str]] = Counter()
    spelling: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for entry in entries:
        if entry.provider_name is None and entry.provider_domain is None:
            continue
        key = ((entry.provider_name or "").casefold(), (entry.provider_domain or "").casefold())
        counts[key] += 1
        spelling.setdefault(key, (entry.provider_name, entry.provider_domain))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [ProviderCount(*spelling[key], count) for key, count in ranked]


def _stats(chosen: list[Entry], top: int) -> dict[str, Any]:
    dates = sorted(e.date for e in chosen if e.date is not None)
    return {
        "documents": len(chosen),
        "related": sum(e.related for e in chosen),
        "dated": len(dates),
        "first": format_timestamp(dates[0]) if dates else None,
        "last": format_timestamp(dates[-1]) if dates else None,
        "topics": [{"topic": t.topic, "count": t.count} for t in _topic_counts(chosen)[:top]],
        "providers": [
            {"name": p.name, "domain": p.domain, "count": p.count}
            for p in _provider_counts(chosen)[:top]
        ],
        "types": _counts(e.type for e in chosen),
        "categories": _counts(e.category for e in chosen),
        "per_month": _months(Counter((d.year, d.month) for d in dates)),
    }


def _casefold(text: str | None) -> str:
    return "" if text is None else text.casefold()


def _timestamp(date_us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=date_us)


def _entry(row: Sequence[Any]) -> Entry:
    (doc_id, path, title, date_us, category, type_, quality, heat, published) = row[:9]
    provider_name, provider_domain, topics, related = row[9:]
    return Entry(
        id=doc_id,
        path=path,
        title=title,
        date=None if date_us is None else EPOCH + dt.timedelta(microseconds=date_us),
        category=category,
        type=type_,
        quality=quality,
        heat=heat,
        published=None if published is None else bool(published),
        provider_name=provider_name,
        provider_domain=provider_domain,
        topics=tuple(json.loads(topics)) if topics != "[]" else (),
        related=related,
    )


def _condition(where: Filter, query: str | None, *extra: str) -> tuple[str, list[Any]]:
    """The WHERE clause (or nothing) for a filter, search words and `extra` conditions
    (SQL without parameters), and its parameters."""
    clauses, params = where_sql(where)
    clauses.extend(extra)
    if query is not None and (expression := match_expression(query)) is not None:
        clauses.append("d.doc IN (SELECT rowid FROM search WHERE search MATCH ?)")
        params.append(expression)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _combine(where: Filter | None, criteria: dict[str, Any]) -> Filter:
    if where is not None and criteria:
        raise TypeError("pass a Filter or keyword criteria, not both")
    return where if where is not None else Filter.build(**criteria)


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    counts = Counter(v for v in values if v is not None)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _months(counts: Mapping[tuple[int, int], int]) -> list[dict[str, Any]]:
    """Documents per calendar month (UTC) from the first to the last, empty months included."""
    if not counts:
        return []
    (year, month), end = min(counts), max(counts)
    months = []
    while (year, month) <= end:
        months.append({"month": f"{year:04d}-{month:02d}", "count": counts.get((year, month), 0)})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
