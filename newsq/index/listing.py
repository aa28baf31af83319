"""Documents under a filter, in a sort order, a page at a time, and how many there are."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from newsq.index.records import iter_entries
from newsq.model import Entry, QueryError
from newsq.query.filters import Filter, condition, order_sql, sql_limit


def select(
    db: sqlite3.Connection,
    where: Filter,
    *,
    sort: str = "date",
    reverse: bool = False,
    limit: int | None = None,
) -> list[Entry]:
    """The entries matching `where`, sorted, at most `limit` of them.

    The filter, the order and the limit are one SQL query, and only the entries
    returned are built, so the first page of a large result is cheap.
    """
    return list(stream(db, where, sort=sort, reverse=reverse, limit=limit))


def stream(
    db: sqlite3.Connection,
    where: Filter,
    *,
    sort: str = "date",
    reverse: bool = False,
    limit: int | None = None,
) -> Iterator[Entry]:
    """`select`, one entry at a time as SQLite sorts and reads them: memory holds a
    page of SQLite's, never the answer (the sort itself spills to disk when large)."""
    if sort == "relevance":
        raise QueryError("--sort", sort, "only a search has a relevance order")
    order = order_sql(sort, reverse)  # checks the key before any work
    limit = sql_limit(limit)
    clause, params = condition(where)
    sql = f"SELECT {{columns}} FROM docs d {clause} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return iter_entries(db, sql, params)


def count(db: sqlite3.Connection, where: Filter) -> int:
    """How many documents match `where`."""
    clause, params = condition(where)
    return db.execute(f"SELECT COUNT(*) FROM docs d {clause}", params).fetchone()[0]
