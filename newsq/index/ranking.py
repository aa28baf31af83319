"""Full-text search: the hits of a query, best first (BM25, the title weighing most), or in
a sort order, under the filters, and how many there are."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from newsq.index.records import hit_entries
from newsq.index.results import Hit
from newsq.index.snippets import snippet
from newsq.model import Entry
from newsq.query.filters import Filter, order_sql, sql_limit, where_sql
from newsq.query.language import SearchQuery
from newsq.store.schema import FTS_COLUMNS, RELATED_ROWS

#: BM25 weight of a word found in each full-text column: a word in the title counts
#: most, then the excerpt, the provider's name, the topics and the body.
WEIGHTS = {"title": 10.0, "excerpt": 5.0, "provider": 3.0, "topics": 2.0, "body": 1.0}
_BM25 = ", ".join(str(WEIGHTS[column]) for column in FTS_COLUMNS)
#: Hits whose entries and passages are made at once when hits are streamed.
HIT_BATCH = 200
#: Hits ranked beyond the limit, to find where a tie at the limit ends without ranking twice.
_TIE_ROOM = 16
_RELATED_TITLE_KEY = "(SELECT t.title_key FROM related_text t WHERE t.doc = d.doc)"


def search(
    db: sqlite3.Connection,
    query: SearchQuery,
    where: Filter,
    *,
    sort: str = "relevance",
    reverse: bool = False,
    limit: int | None = None,
    related: bool = False,
) -> list[Hit]:
    """`Index.search`: the hits, each with its passage."""
    order = order_sql(sort, reverse)  # checks the key before any work
    limit = sql_limit(limit)
    if sort == "relevance" and query.match is not None and not where_sql(where)[0]:
        ranked, entries = _rank_by_score(db, query.match, related, reverse, limit)
    else:
        sources, params = _sources(query, where, related, scored=True, titles=sort == "title")
        sql = f"SELECT d.doc, d.score FROM ({sources}) d ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        # Sorted on the few columns it needs; entries built for the hits kept only.
        ranked = db.execute(sql, params).fetchall()
        entries = hit_entries(db, [rowid for rowid, _ in ranked])
    return [  # (+ 0.0 makes a -0.0 score plain 0.0)
        Hit(entries[rowid], round(score, 6) + 0.0, *snippet(db, query, rowid))
        for rowid, score in ranked
    ]


def stream(
    db: sqlite3.Connection,
    query: SearchQuery,
    where: Filter,
    *,
    sort: str = "relevance",
    reverse: bool = False,
    limit: int | None = None,
    related: bool = False,
) -> Iterator[Hit]:
    """`search`, a batch of hits at a time: SQLite sorts every hit (on its score or sort
    key, ties by id, spilling to disk when large) and hands them over as they are
    read; entries and passages are made for one batch at a time, so memory holds a
    batch, however many hits there are."""
    order = order_sql(sort, reverse)
    limit = sql_limit(limit)
    sources, params = _sources(query, where, related, scored=True, titles=sort == "title")
    sql = f"SELECT d.doc, d.score FROM ({sources}) d ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    cursor = db.execute(sql, params)
    while ranked := cursor.fetchmany(HIT_BATCH):
        entries = hit_entries(db, [rowid for rowid, _ in ranked])
        for rowid, score in ranked:
            yield Hit(entries[rowid], round(score, 6) + 0.0, *snippet(db, query, rowid))


def count(db: sqlite3.Connection, query: SearchQuery, where: Filter, *, related: bool) -> int:
    """How many hits `search` has with no limit."""
    if query.match is not None and not where_sql(where)[0]:
        # Every row of the index is a document's or an article's: no join to count.
        rows = "" if related else f"AND rowid < {RELATED_ROWS}"
        sql = f"SELECT COUNT(*) FROM search WHERE search MATCH ? {rows}"
        return db.execute(sql, [query.match]).fetchone()[0]
    sources, params = _sources(query, where, related)
    return db.execute(f"SELECT COUNT(*) FROM ({sources})", params).fetchone()[0]


def _rank_by_score(
    db: sqlite3.Connection, match: str, related: bool, reverse: bool, limit: int | None
) -> tuple[list[tuple[int, float]], dict[int, Entry]]:
    """Hits in order of relevance from the full-text index alone (no filter to apply):
    half the time of joining every hit's row for its id, which only breaks ties. Hits
    tied with the last one shown are all fetched, so that their ids decide which of
    them come first.
    """
    rows = "" if related else f"AND rowid < {RELATED_ROWS}"
    ranking = (
        f"SELECT rowid, -bm25(search, {_BM25}) AS score FROM search WHERE search MATCH ? {rows}"
    )
    order = f"ORDER BY score {'ASC' if reverse else 'DESC'}"
    if limit is None:
        ranked = db.execute(f"{ranking} {order}", [match]).fetchall()
    else:
        # A few more than shown: usually enough to see the end of a tie at the limit.
        fetched = limit + _TIE_ROOM
        ranked = db.execute(f"{ranking} {order} LIMIT ?", [match, fetched]).fetchall()
        if limit and len(ranked) == fetched and ranked[limit - 1][1] == ranked[-1][1]:
            # The tie goes on past those: every hit scoring as well as the last shown.
            at_least = "<=" if reverse else ">="
            ranked = db.execute(
                f"SELECT * FROM ({ranking}) WHERE score {at_least} ? {order}",
                [match, ranked[limit - 1][1]],
            ).fetchall()
        end = limit  # the hits shown, and after them the ones tied with the last
        while 0 < end < len(ranked) and ranked[end][1] == ranked[limit - 1][1]:
            end += 1
        del ranked[end:]
    entries = hit_entries(db, [rowid for rowid, _ in ranked])
    direction = 1 if reverse else -1
    ranked.sort(key=lambda hit: (direction * hit[1], entries[hit[0]].id))
    if limit is not None:
        del ranked[limit:]
    return ranked, entries


def _sources(
    query: SearchQuery,
    where: Filter,
    related: bool,
    *,
    scored: bool = False,
    titles: bool = False,
) -> tuple[str, list[Any]]:
    """A SELECT of every hit (documents, and related articles if asked): its row in
    `search` as `doc`, and what `order_sql` sorts on; and its parameters.

    Only `scored` computes BM25 (else `score` is 0: counting needs none), only
    `titles` reads the title keys: a search may have many hits, and reads no more of
    each than its order needs.
    """
    parts, params = [], []
    sources = [("docs", 0, f"search.rowid < {RELATED_ROWS}")]
    if related:
        sources.append(("related", RELATED_ROWS, f"search.rowid >= {RELATED_ROWS}"))
    for table, offset, rows in sources:
        clauses, values = where_sql(where, related=table == "related")
        if query.match is not None:
            score = f"-bm25(search, {_BM25})" if scored else "0.0"
            source = f"search JOIN {table} d ON d.doc = search.rowid - {offset}"
            clauses[:0] = ["search MATCH ?", rows]
            values.insert(0, query.match)
        else:  # every article but those matching the exclusions
            score, source = "0.0", f"{table} d"
            clauses.insert(
                0, f"d.doc + {offset} NOT IN (SELECT rowid FROM search WHERE search MATCH ?)"
            )
            values.insert(0, query.exclude)
        title_key = "NULL"
        if titles:
            title_key = "d.title_key" if table == "docs" else _RELATED_TITLE_KEY
        parts.append(
            f"SELECT d.doc + {offset} AS doc, {score} AS score, d.id AS id, "
            "d.date_us AS date_us, d.quality AS quality, d.heat AS heat, "
            f"{title_key} AS title_key FROM {source} WHERE {' AND '.join(clauses)}"
        )
        params.extend(values)
    return " UNION ALL ".join(parts), params
