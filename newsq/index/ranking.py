"""Full-text search: the hits of a query, best first, or in a sort order, under the filters,
and how many there are.

Best first is: the hits with the most of the query's words by weight first (their
coverage, `newsq.index.matching`), then those matching more of them as typed
rather than corrected, then BM25 (the title weighing most), then ids. A strict
query has no words that forgive, so BM25 alone orders it. Whether a hit has each
word is asked in SQL (`rowid IN (the rows with the word)`, each set read once a
query), so SQLite sorts every hit on the whole key and streams them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from newsq.index.matching import Matching, matched
from newsq.index.records import hit_entries
from newsq.index.results import Hit
from newsq.index.snippets import snippet
from newsq.model import Entry
from newsq.query.filters import Filter, order_sql, sql_limit, where_sql
from newsq.query.language import WORD
from newsq.store.schema import FTS_COLUMNS, RELATED_ROWS

#: BM25 weight of a word found in each full-text column: a word in the title counts
#: most, then the excerpt, the provider's name, the topics and the body.
WEIGHTS = {"title": 10.0, "excerpt": 5.0, "provider": 3.0, "topics": 2.0, "body": 1.0}
_BM25 = ", ".join(str(WEIGHTS[column]) for column in FTS_COLUMNS)
#: Hits whose entries and passages are made at once when hits are streamed.
HIT_BATCH = 200
#: Hits ranked beyond the limit, to find where a tie at the limit ends without ranking twice.
_TIE_ROOM = 16
_RELATED_TITLE = "(SELECT t.title FROM related_text t WHERE t.doc = d.doc)"
#: Ends the subquery that checks each hit for each word, so that SQLite reads it row by
#: row rather than copying its expressions into the query around it (a subquery with
#: an OFFSET is never flattened): else each check ran three times, and each time read
#: the rows of its word again (0.26 s against 0.11 s with --related at 100,000).
_ONCE = "LIMIT -1 OFFSET 0"


def search(
    db: sqlite3.Connection,
    matching: Matching,
    where: Filter,
    *,
    sort: str = "relevance",
    reverse: bool = False,
    limit: int | None = None,
    related: bool = False,
) -> list[Hit]:
    """`Index.search`: the hits, each with its passage."""
    order_sql(sort, reverse)  # checks the key before any work
    limit = sql_limit(limit)
    if sort == "relevance" and matching.expression is not None and not where_sql(where)[0]:
        ranked, entries = _rank_by_score(db, matching, related, reverse, limit)
    else:
        sql, params = _ranked(matching, where, related, sort, reverse)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        # Sorted on the few columns it needs; entries built for the hits kept only.
        ranked = db.execute(sql, params).fetchall()
        entries = hit_entries(db, [row[0] for row in ranked])
    return [_hit(db, matching, entries[row[0]], row) for row in ranked]


def stream(
    db: sqlite3.Connection,
    matching: Matching,
    where: Filter,
    *,
    sort: str = "relevance",
    reverse: bool = False,
    limit: int | None = None,
    related: bool = False,
) -> Iterator[Hit]:
    """`search`, a batch of hits at a time: SQLite sorts every hit (on its coverage and
    score or sort key, ties by id, spilling to disk when large) and hands them over as
    they are read; entries and passages are made for one batch at a time, so memory
    holds a batch, however many hits there are."""
    limit = sql_limit(limit)
    sql, params = _ranked(matching, where, related, sort, reverse)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    cursor = db.execute(sql, params)
    while ranked := cursor.fetchmany(HIT_BATCH):
        entries = hit_entries(db, [row[0] for row in ranked])
        for row in ranked:
            yield _hit(db, matching, entries[row[0]], row)


def count(db: sqlite3.Connection, matching: Matching, where: Filter, *, related: bool) -> int:
    """How many hits `search` has with no limit."""
    if matching.expression is not None and not where_sql(where)[0]:
        # Every row of the index is a document's or an article's: no join to count.
        rows = "" if related else f"AND rowid < {RELATED_ROWS}"
        sql = f"SELECT COUNT(*) FROM search WHERE search MATCH ? {rows}"
        return db.execute(sql, [matching.expression]).fetchone()[0]
    sources, params = _sources(matching, where, related)
    return db.execute(f"SELECT COUNT(*) FROM ({sources})", params).fetchone()[0]


def _hit(db: sqlite3.Connection, matching: Matching, entry: Entry, row: Sequence[Any]) -> Hit:
    """A hit from its ranked row: (row, score, coverage, exactness, a code per checked
    term)."""
    found = list(matched(matching, tuple(row[4:])))
    words = {term for term, _ in found}
    return Hit(
        entry,
        round(row[1], 6) + 0.0,  # (+ 0.0 makes a -0.0 score plain 0.0)
        *snippet(db, matching.expression, row[0]),
        matched=tuple(term.text for term, _ in found),
        missing=tuple(t.text for t in matching.terms if t not in words),
        corrections=tuple(
            (term.text, term.corrections[how - 2].word) for term, how in found if how >= 2
        ),
        coverage=row[2] + 0.0,
    )


def _checks(matching: Matching, related: bool, row: str) -> tuple[list[str], list[str]]:
    """A column per checked term of the query, of whether the hit whose row of the index
    is `row` has it: 0 (not), 1 (as typed), 2 + n (as its nth correction); and the
    parameters of those columns."""
    rows = "" if related else f" AND rowid < {RELATED_ROWS}"
    columns, params = [], []
    alone = matching.query.match is None and len(matching.checked) == 1
    if alone and len(matching.checked[0].alternatives) == 1:
        return ["1"], []  # every hit has the one word there is to have (no check to run)
    for term in matching.checked:
        cases = []
        for how, alternative in enumerate(term.alternatives, start=1):
            cases.append(
                f"WHEN {row} IN (SELECT rowid FROM search WHERE search MATCH ?{rows}) THEN {how}"
            )
            params.append(alternative)
        columns.append(f"CASE {' '.join(cases)} ELSE 0 END")
    return columns, params


def _coverage(matching: Matching, codes: Sequence[str]) -> tuple[str, str]:
    """SQL of a hit's coverage (the weight of the query's words it has) and exactness (of
    those it has as typed), over the columns of `_checks`."""
    weighed = [
        (term.weight, code)
        for term, code in zip(matching.checked, codes, strict=True)
        if term.role == WORD
    ]
    if not weighed:
        return "1.0", "0.0"  # a strict query: every hit has all it asks for
    # Shares of the query's weight, to 6 places: the coverage a hit reports is what it
    # ranks by, so a word next to weightless (in half the rows or more) never puts a
    # hit above one shown as covering as much with a better score.
    total = matching.total_weight or 1.0

    def share(test: str) -> str:
        summed = " + ".join(f"({code} {test}) * {weight!r}" for weight, code in weighed)
        return f"ROUND(({summed}) / {total!r}, 6)"

    coverage, exactness = share("> 0"), share("= 1")
    return coverage, exactness


def _best_first(reverse: bool) -> str:
    direction = "ASC" if reverse else "DESC"
    return f"d.coverage {direction}, d.exact {direction}, d.score {direction}"


def _ranked(
    matching: Matching, where: Filter, related: bool, sort: str, reverse: bool
) -> tuple[str, list[Any]]:
    """A SELECT of every hit, sorted: (row, score, coverage, exactness, codes…)."""
    order = order_sql(sort, reverse)
    if sort == "relevance":
        order = f"{_best_first(reverse)}, d.id"
    sources, params = _sources(matching, where, related, scored=True, titles=sort == "title")
    checks, check_params = _checks(matching, related, "d.doc")
    names = [f"c{number}" for number in range(len(checks))]
    coverage, exactness = _coverage(matching, names)
    inner = ", ".join(
        ["d.*", *(f"{sql} AS {name}" for sql, name in zip(checks, names, strict=True))]
    )
    codes = "".join(f", d.{name}" for name in names)
    sql = (
        f"SELECT d.doc, d.score, d.coverage, d.exact{codes} FROM ("
        f"SELECT *, {coverage} AS coverage, {exactness} AS exact "
        f"FROM (SELECT {inner} FROM ({sources}) d {_ONCE})) d ORDER BY {order}"
    )
    return sql, check_params + params


def _rank_by_score(
    db: sqlite3.Connection, matching: Matching, related: bool, reverse: bool, limit: int | None
) -> tuple[list[tuple[Any, ...]], dict[int, Entry]]:
    """Hits in order of relevance from the full-text index alone (no filter to apply):
    half the time of joining every hit's row for its id, which only breaks ties. Hits
    tied with the last one shown are all fetched, so that their ids decide which of
    them come first.
    """
    rows = "" if related else f"AND rowid < {RELATED_ROWS}"
    checks, check_params = _checks(matching, related, "rowid")
    names = [f"c{number}" for number in range(len(checks))]
    coverage, exactness = _coverage(matching, names)
    columns = "".join(f", {sql} AS {name}" for sql, name in zip(checks, names, strict=True))
    codes = "".join(f", d.{name}" for name in names)
    ranking = (
        f"SELECT d.doc, d.score, {coverage} AS coverage, {exactness} AS exact{codes} FROM ("
        f"SELECT rowid AS doc, -bm25(search, {_BM25}) AS score{columns} "
        f"FROM search WHERE search MATCH ? {rows} {_ONCE}) d"
    )
    params = [*check_params, matching.expression]
    order = f"ORDER BY {_best_first(reverse).replace('d.', '')}"
    if limit is None:
        ranked = db.execute(f"{ranking} {order}", params).fetchall()
    else:
        # A few more than shown: usually enough to see the end of a tie at the limit.
        fetched = limit + _TIE_ROOM
        ranked = db.execute(f"{ranking} {order} LIMIT ?", [*params, fetched]).fetchall()
        if limit and len(ranked) == fetched and _key(ranked[limit - 1]) == _key(ranked[-1]):
            # The tie goes on past those: every hit ranking as well as the last shown.
            at_least = "<=" if reverse else ">="
            ranked = db.execute(
                f"SELECT * FROM ({ranking}) WHERE (coverage, exact, score) {at_least} (?, ?, ?) "
                f"{order}",
                [*params, *_key(ranked[limit - 1])],
            ).fetchall()
        end = limit  # the hits shown, and after them the ones tied with the last
        while 0 < end < len(ranked) and _key(ranked[end]) == _key(ranked[limit - 1]):
            end += 1
        del ranked[end:]
    entries = hit_entries(db, [row[0] for row in ranked])
    direction = 1 if reverse else -1
    ranked.sort(key=lambda row: (*(direction * k for k in _key(row)), entries[row[0]].id))
    if limit is not None:
        del ranked[limit:]
    return ranked, entries


def _key(row: Sequence[Any]) -> tuple[float, float, float]:
    """What a hit ranks by, best highest: coverage, exactness, score."""
    return (row[2], row[3], row[1])


def _sources(
    matching: Matching,
    where: Filter,
    related: bool,
    *,
    scored: bool = False,
    titles: bool = False,
) -> tuple[str, list[Any]]:
    """A SELECT of every hit (documents, and related articles if asked): its row in
    `search` as `doc`, and what `order_sql` sorts on; and its parameters.

    Only `scored` computes BM25 (else `score` is 0: counting needs none), only
    `titles` reads the titles: a search may have many hits, and reads no more of
    each than its order needs.
    """
    parts, params = [], []
    sources = [("docs", 0, f"search.rowid < {RELATED_ROWS}")]
    if related:
        sources.append(("related", RELATED_ROWS, f"search.rowid >= {RELATED_ROWS}"))
    for table, offset, rows in sources:
        clauses, values = where_sql(where, related=table == "related")
        if matching.expression is not None:
            score = f"-bm25(search, {_BM25})" if scored else "0.0"
            source = f"search JOIN {table} d ON d.doc = search.rowid - {offset}"
            clauses[:0] = ["search MATCH ?", rows]
            values.insert(0, matching.expression)
        else:  # every article but those matching the exclusions
            score, source = "0.0", f"{table} d"
            clauses.insert(
                0, f"d.doc + {offset} NOT IN (SELECT rowid FROM search WHERE search MATCH ?)"
            )
            values.insert(0, matching.query.exclude)
        title = "NULL"
        if titles:
            title = "d.title" if table == "docs" else _RELATED_TITLE
        parts.append(
            f"SELECT d.doc + {offset} AS doc, {score} AS score, d.id AS id, "
            "d.date_us AS date_us, d.quality AS quality, d.heat AS heat, "
            f"{title} AS title FROM {source} WHERE {' AND '.join(clauses)}"
        )
        params.extend(values)
    return " UNION ALL ".join(parts), params
