"""The snapshot's schema, and every name and constant of how the corpus is stored.

This is the one place that creates a table or says what is in one: the stages
that write (`newsq.store.snapshot`, for ingest) and read (`newsq.index`) take the
table and column names and the storage conventions from here. The tables, each
with what one row is:

- `meta`: a setting: the roots, when created and updated, the fingerprint of the
  files matched, problems finding them, a generation number, what stories were
  computed from.
- `files`: a file found: its path, size and mtime as parsed, its id, the path as
  the user wrote it. `problems`: a problem of a file, with line and column.
- `docs`: a document's light columns (`Entry`), with case-folded keys for filters
  and sorting, and the number of its shape; `records`: its lossless record (JSON);
  `shapes`: a distinct record shape, its field paths and types.
- `doc_topics`, `doc_providers`: a topic or provider key of a document.
- `related`, `related_text`: an article of a document's related coverage: what a
  search filters and sorts it on; the rest of its light columns.
- `search` (FTS5): the words of a document or related article, by field.
- `folders`: a folder's file names and packed stats as last seen (incremental runs).
- `story_features`: a document's stemmed words and addresses, for grouping;
  `stories`, `story_docs`: the stories computed from them, and each document's, with
  why it is in it (JSON, `newsq.index.grouping.Reason`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence

#: Bumped whenever what parsing stores changes: an older snapshot is rebuilt.
FORMAT = 11
#: Marks a newsq snapshot (the SQLite header's application id): 'nwsq'.
APPLICATION_ID = 0x6E777371

# Columns of `docs` in the order `doc_row()` produces them.
DOC_COLUMNS = (
    "doc",
    "id",
    "path",
    "title",
    "title_key",
    "date_us",
    "category",
    "category_key",
    "type",
    "type_key",
    "quality",
    "heat",
    "published",
    "provider_name",
    "provider_domain",
    "topics",
    "related",
    "name",
    "hex",
    "shape",
)

# Columns of `related` (a document's related coverage, one row per article: what
# search filters and sorts on, kept narrow since a search may read many of them)
# and of `related_text` (the rest of its light columns, read for the rows printed),
# in the order `related_row()` produces them, after `doc` (and `parent`).
RELATED_COLUMNS = (
    "n",
    "id",
    "date_us",
    "category_key",
    "type_key",
    "quality",
    "heat",
    "published",
    "provider_keys",
)
RELATED_TEXT_COLUMNS = (
    "title",
    "title_key",
    "category",
    "type",
    "provider_name",
    "provider_domain",
)

#: The full-text table's columns, in the order of the BM25 weights (`newsq.index.ranking`).
FTS_COLUMNS = ("title", "excerpt", "provider", "topics", "body")
#: How its text is cut into words (search passages are found with the same): case and
#: accents folded, other forms of a word (`banned`, `banning`) one.
TOKENIZER = "porter unicode61 remove_diacritics 2"
#: The full-text table's columns and tokenizer, as `USING fts5(…)` takes them.
FTS_SPEC = f"{', '.join(FTS_COLUMNS)}, tokenize = '{TOKENIZER}'"
#: Rows of `search` from here on are related articles (`related.doc` + this); below it,
#: documents (`docs.doc`). One table for both, so that a search over documents and
#: their coverage ranks them all by the same word statistics.
RELATED_ROWS = 1 << 40
#: What separates topics in the search text: a word no query can type, so that a
#: phrase never runs from one topic into the next.
TOPIC_BREAK = " \ue000 "
#: What `snippet()` marks matched words with; taken out of the search text beforehand
#: (they are controls, which separate words anyway, so no word changes).
HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
#: Separates a related article's provider keys in its `provider_keys` column.
KEY_SEPARATOR = "\x1f"
#: What a stored provider key starts with: a name's, or a domain form's.
NAME_KEY, DOMAIN_KEY = "n:", "d:"

SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {FORMAT};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    file INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    shown TEXT NOT NULL
);
CREATE TABLE problems (
    file INTEGER NOT NULL,
    line INTEGER,
    col INTEGER,
    severity TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX problems_file ON problems (file);
CREATE TABLE docs (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    date_us INTEGER,
    category TEXT,
    category_key TEXT,
    type TEXT,
    type_key TEXT,
    quality,
    heat,
    published INTEGER,
    provider_name TEXT,
    provider_domain TEXT,
    topics TEXT NOT NULL,
    related INTEGER NOT NULL,
    name TEXT NOT NULL,
    hex TEXT,
    shape INTEGER NOT NULL
);
CREATE INDEX docs_date ON docs (date_us);
CREATE INDEX docs_category ON docs (category_key);
CREATE INDEX docs_type ON docs (type_key);
CREATE INDEX docs_shape ON docs (shape);
CREATE TABLE shapes (shape INTEGER PRIMARY KEY, fields TEXT NOT NULL UNIQUE);
CREATE INDEX docs_name ON docs (name);
CREATE INDEX docs_hex ON docs (hex);
CREATE TABLE records (doc INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE folders (folder BLOB PRIMARY KEY, names BLOB NOT NULL, identity BLOB NOT NULL,
    times BLOB NOT NULL);
CREATE TABLE doc_topics (key TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE INDEX doc_topics_doc ON doc_topics (doc);
CREATE TABLE doc_providers (key TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE INDEX doc_providers_doc ON doc_providers (doc);
CREATE VIRTUAL TABLE search USING fts5 ({FTS_SPEC});
CREATE TABLE related (
    doc INTEGER PRIMARY KEY,
    parent INTEGER NOT NULL,
    n INTEGER NOT NULL,
    id TEXT NOT NULL,
    date_us INTEGER,
    category_key TEXT,
    type_key TEXT,
    quality,
    heat,
    published INTEGER,
    provider_keys TEXT NOT NULL
);
CREATE TABLE related_text (
    doc INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    category TEXT,
    type TEXT,
    provider_name TEXT,
    provider_domain TEXT
);
CREATE INDEX related_parent ON related (parent, n);
CREATE TABLE story_features (
    doc INTEGER PRIMARY KEY,
    words TEXT NOT NULL,
    links TEXT NOT NULL,
    cover TEXT NOT NULL
);
CREATE TABLE stories (
    story INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    documents INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX stories_id ON stories (id);
CREATE INDEX stories_order ON stories (articles DESC, documents DESC, id);
CREATE TABLE story_docs (doc INTEGER PRIMARY KEY, story INTEGER NOT NULL, reason TEXT);
CREATE INDEX story_docs_story ON story_docs (story);
"""

INSERT_DOC = (
    f"INSERT INTO docs ({', '.join(DOC_COLUMNS)}) VALUES ({', '.join('?' * len(DOC_COLUMNS))})"
)


INSERT_RELATED = (
    f"INSERT INTO related (doc, parent, {', '.join(RELATED_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(RELATED_COLUMNS) + 2))})"
)


INSERT_RELATED_TEXT = (
    f"INSERT INTO related_text (doc, {', '.join(RELATED_TEXT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(RELATED_TEXT_COLUMNS) + 1))})"
)


def create(conn: sqlite3.Connection, roots: Sequence[str]) -> None:
    conn.executescript("BEGIN;" + SCHEMA + "COMMIT;")
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    roots_json = json.dumps([os.path.abspath(r) for r in roots])  # \u escapes: any path fits
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("roots", roots_json), ("created", now), ("updated", now)],
    )


def is_current(conn: sqlite3.Connection) -> bool:
    """Whether the database is a snapshot this newsq wrote (damage shows here as an error)."""
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app != APPLICATION_ID or version != FORMAT:
            return False
        conn.execute("SELECT COUNT(*) FROM meta").fetchone()
        return True
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:  # "file is not a database", "malformed"
        return False


def scratch_passages(conn: sqlite3.Connection) -> str:
    """A scratch full-text table, in memory and empty, with the columns and tokenizer of
    `search` (search passages of long texts are found in it, chunk by chunk); its name."""
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages USING fts5({FTS_SPEC})")
    conn.execute("DELETE FROM temp.passages")
    return "temp.passages"


def scratch_rows(conn: sqlite3.Connection, rows: Iterable[int]) -> str:
    """A scratch table, in memory, of these row numbers (documents' `doc`): what a query
    joins to select them; its name."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (doc INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.chosen")
    conn.executemany("INSERT OR IGNORE INTO temp.chosen (doc) VALUES (?)", ((r,) for r in rows))
    return "temp.chosen"
