"""A standalone SQLite database of the documented views, for Datasette or any SQLite client.

`documents`, `topics`, `related` and `images` are tables here, with exactly the
columns of the views `newsq sql` queries (`newsq.store.views`), filled from those
views in one pass of SQLite's own (the snapshot attached read-only): a client
reads plain tables, quickly and without newsq. `search` stays a view, over an
FTS5 table of the same words and tokenizer as the snapshot's (`search_words`), so
`WHERE search MATCH '…' ORDER BY score DESC` ranks as `newsq search` does. The
tables keep the snapshot's row numbers as their rowids, which is how `search`
finds the document or article of each of its rows.

The same SQL therefore answers on the snapshot (`newsq sql`) and on the export.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsq.index.sql import read_only_uri, restrict
from newsq.store.rows import register_record_text
from newsq.store.schema import FTS_COLUMNS, FTS_SPEC, RELATED_ROWS
from newsq.store.search_text import register_search_text
from newsq.store.views import (
    DOCUMENTS,
    EXPORT_FTS_TABLE,
    FTS_TABLE,
    RELATED,
    TABLE_VIEWS,
    exported_search_view,
    quote,
    select_sql,
)

if TYPE_CHECKING:
    from newsq.index.facade import Index
    from newsq.query.filters import Filter

#: The schema name the snapshot is attached as while the export is written.
SNAPSHOT = "snapshot"
#: Indexes of the exported tables: what their joins and lookups go by.
INDEXES = (
    ("documents", ("id",), True),
    ("topics", ("document",), False),
    ("topics", ("topic",), False),
    ("related", ("document", "position"), False),
    ("images", ("document",), False),
)


def write(
    index: Index,
    path: Path,
    where: Filter,
    partition_by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the database at `path` (a new file); (documents, files) written."""
    from newsq.index.ranking import WEIGHTS

    out = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}", uri=True, isolation_level=None)
    try:
        # A new file, renamed into place once whole: nothing to recover after a crash.
        out.execute("PRAGMA journal_mode = OFF")
        out.execute("PRAGMA synchronous = OFF")
        # The snapshot attached is checked as exactly newsq's: its view of the full-text
        # index's text (read to copy it) may call newsq's functions.
        out.execute("PRAGMA trusted_schema = ON")
        out.execute(f"ATTACH DATABASE ? AS {SNAPSHOT}", (read_only_uri(index.snapshot.conn),))
        register_record_text(out, SNAPSHOT)
        register_search_text(out)
        scope = restrict(out, where, schema=SNAPSHOT)
        out.execute("BEGIN")
        for view in TABLE_VIEWS:
            declared = ", ".join(f"{quote(c.name)} {c.type}" for c in view.columns)
            out.execute(f"CREATE TABLE main.{quote(view.name)} ({declared})")
            names = ", ".join(quote(c.name) for c in view.columns)
            keep_rowid = view.key is not None
            select = select_sql(view, schema=SNAPSHOT, scope=scope, key=keep_rowid)
            target = f"rowid, {names}" if keep_rowid else names
            out.execute(f"INSERT INTO main.{quote(view.name)} ({target}) {select}")
        for table, columns, unique in INDEXES:
            name = quote(f"{table}_{'_'.join(columns)}")
            listed = ", ".join(quote(c) for c in columns)
            kind = "UNIQUE INDEX" if unique else "INDEX"
            out.execute(f"CREATE {kind} main.{name} ON {quote(table)} ({listed})")
        _copy_words(out)
        search = exported_search_view(WEIGHTS)
        out.execute(f"CREATE VIEW main.{quote(search.name)} AS {select_sql(search)}")
        out.execute("COMMIT")
        out.execute(f"DETACH DATABASE {SNAPSHOT}")
        out.execute("PRAGMA optimize")
        (documents,) = out.execute(f"SELECT COUNT(*) FROM main.{DOCUMENTS.name}").fetchone()
    finally:
        out.close()
    if progress is not None:
        progress(documents, documents)
    return documents, 1


def _copy_words(out: sqlite3.Connection) -> None:
    """The full-text index of the exported documents and articles: the snapshot's words
    for them, under the same row numbers, then merged into one segment (smaller, and
    as fast to search as it gets)."""
    fts = EXPORT_FTS_TABLE
    out.execute(f"CREATE VIRTUAL TABLE main.{fts} USING fts5({FTS_SPEC})")
    columns = ", ".join(FTS_COLUMNS)
    copy = f"INSERT INTO main.{fts} (rowid, {columns}) SELECT rowid, {columns} "
    source = f"FROM {SNAPSHOT}.{FTS_TABLE}"
    out.execute(
        f"{copy} {source} WHERE rowid < {RELATED_ROWS} "
        f"AND rowid IN (SELECT rowid FROM main.{DOCUMENTS.name})"
    )
    out.execute(
        f"{copy} {source} WHERE rowid >= {RELATED_ROWS} "
        f"AND rowid - {RELATED_ROWS} IN (SELECT rowid FROM main.{RELATED.name})"
    )
    out.execute(f"INSERT INTO main.{fts} ({fts}) VALUES ('optimize')")
