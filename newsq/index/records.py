"""Documents and related articles read back from the snapshot: light columns as `Entry`
values, full records as the lossless dicts JSON prints."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from newsq.model import Entry, article_ref, related_record
from newsq.query.filters import sql_int
from newsq.store.rows import stored_time
from newsq.store.schema import RECORD_TEXT, RELATED_ROWS, in_parts

# The `docs` columns an `Entry` is built from, in `Entry`'s order.
ENTRY_COLUMNS = (
    "d.id, d.path, d.title, d.date_us, d.category, d.type, d.quality, d.heat, d.published, "
    "d.provider_name, d.provider_domain, d.topics, d.related"
)
# A related article's entry: its own columns from `related` and `related_text`, the
# path and topics of the document listing it.
RELATED_ENTRY_COLUMNS = (
    "d.id, p.path, t.title, d.date_us, t.category, t.type, d.quality, d.heat, d.published, "
    "t.provider_name, t.provider_domain, p.topics, 0"
)
RELATED_SOURCE = "related d JOIN related_text t ON t.doc = d.doc JOIN docs p ON p.doc = d.parent"


def entry_from_row(row: Sequence[Any]) -> Entry:
    """An `Entry` from the columns of `ENTRY_COLUMNS` (or `RELATED_ENTRY_COLUMNS`)."""
    (doc_id, path, title, date_us, category, type_, quality, heat, published) = row[:9]
    provider_name, provider_domain, topics, related = row[9:]
    return Entry(
        id=doc_id,
        path=path,
        title=title,
        date=stored_time(date_us),
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


def entries(db: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[Entry]:
    """The entries a query over `docs d` selects; `{columns}` in `sql` is where they go."""
    return list(iter_entries(db, sql, params))


def iter_entries(db: sqlite3.Connection, sql: str, params: Sequence[Any]) -> Iterator[Entry]:
    """`entries`, one at a time as SQLite reads them: memory holds one, however many."""
    for row in db.execute(sql.format(columns=ENTRY_COLUMNS), params):
        yield entry_from_row(row)


def entry(db: sqlite3.Connection, doc_id: str) -> Entry:
    """The light columns of a document, or of a related article (`PARENT_ID#N`)."""
    found = entries(db, "SELECT {columns} FROM docs d WHERE d.id = ?", (doc_id,))
    if not found and (article := article_row(db, doc_id)) is not None:
        found = entries(
            db,
            f"SELECT {RELATED_ENTRY_COLUMNS} FROM {RELATED_SOURCE} WHERE d.parent = ? AND d.n = ?",
            article,
        )
    if not found:
        raise KeyError(doc_id)
    return found[0]


def related(db: sqlite3.Connection, doc_id: str) -> list[Entry]:
    """The light columns of each article in a document's related coverage, in list order
    (ids `PARENT_ID#N`); an item that is not a mapping has none."""
    return entries(
        db,
        f"SELECT {RELATED_ENTRY_COLUMNS} FROM {RELATED_SOURCE} WHERE p.id = ? ORDER BY d.n",
        (doc_id,),
    )


def hit_entries(db: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, Entry]:
    """{row in `search`: entry} for documents' and related articles' rows."""
    found: dict[int, Entry] = {}
    for offset, columns, source in (
        (0, ENTRY_COLUMNS, "docs d"),
        (RELATED_ROWS, RELATED_ENTRY_COLUMNS, RELATED_SOURCE),
    ):
        rows = [r - offset for r in rowids if (r >= RELATED_ROWS) == bool(offset)]
        for chunk, marks in in_parts(rows):
            selected = db.execute(
                f"SELECT d.doc, {columns} FROM {source} WHERE d.doc IN ({marks})", chunk
            )
            found.update((row[0] + offset, entry_from_row(row[1:])) for row in selected)
    return found


def records(db: sqlite3.Connection, entries: Iterable[Entry | str]) -> list[dict[str, Any]]:
    """The full records of the given entries (or ids), in their order.

    A related article's record is its item in the parent's `related` list, with
    its `id` and `parent`. Raises KeyError for an id there is no record of.
    """
    ids = [e if isinstance(e, str) else e.id for e in entries]
    stored = _stored_records(db, ids)
    articles = {i: article_ref(i) for i in ids if i not in stored}
    stored.update(_stored_records(db, [a.parent for a in articles.values() if a]))
    parents: dict[str, Any] = {}  # each parent's `related` list, read once
    found = []
    for doc_id in ids:
        if doc_id not in articles:
            found.append(json.loads(stored[doc_id]))
            continue
        article = articles[doc_id]
        if article is None:
            raise KeyError(doc_id)
        parent, number = article
        if parent not in parents:
            parents[parent] = parent in stored and json.loads(stored[parent]).get("related")
        items = parents[parent]
        if not (isinstance(items, list) and 0 < number <= len(items)):
            raise KeyError(doc_id)
        item = items[number - 1]
        if not isinstance(item, dict):
            raise KeyError(doc_id)
        found.append(related_record(parent, number, item))
    return found


def _stored_records(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    by_id: dict[str, str] = {}
    for chunk, marks in in_parts(ids):
        by_id.update(
            db.execute(
                f"SELECT d.id, {RECORD_TEXT}(r.packed) FROM docs d JOIN records r ON r.doc = d.doc "
                f"WHERE d.id IN ({marks})",
                chunk,
            )
        )
    return by_id


def article_row(db: sqlite3.Connection, ref: str) -> tuple[int, int] | None:
    """(parent's row, number) of the related article `PARENT_ID#N`, if there is one."""
    article = article_ref(ref)
    if article is None:
        return None
    row = db.execute(
        "SELECT d.parent, d.n FROM related d JOIN docs p ON p.doc = d.parent "
        "WHERE p.id = ? AND d.n = ?",
        (article.parent, sql_int(article.number)),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def article_numbers(db: sqlite3.Connection, parent_id: str) -> list[int]:
    """The numbers of a document's related articles (an item that is not a mapping has
    none)."""
    rows = db.execute(
        "SELECT d.n FROM related d JOIN docs p ON p.doc = d.parent WHERE p.id = ? ORDER BY d.n",
        (parent_id,),
    )
    return [n for (n,) in rows]
