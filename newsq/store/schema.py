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
  and sorting, and the number of its shape; `records`: its lossless record (JSON,
  deflated with the dictionary `meta` keeps: `newsq.store.rows.RecordCodec`; SQL reads
  it as `RECORD_TEXT(packed)`);
  `shapes`: a distinct record shape, its field paths and types.
- `doc_topics`, `doc_providers`: a topic or provider key of a document.
- `related`, `related_text`: an article of a document's related coverage: what a
  search filters and sorts it on; the rest of its light columns.
- `search` (FTS5): the words of a document or related article, by field; its text
  is not kept (it reads it from the view `search_text`, which derives it from `docs`,
  `related_text` and `records`: `newsq.store.search_text`).
- `folders`: a folder's file names and packed stats as last seen (incremental runs).
- `terms`: the terms of the full-text index (words as it stems them) of one length,
  and how many rows of `search` have each: the vocabulary spelling corrections are
  looked for in, read when first needed and again after the snapshot changed (`meta`
  says for which generation).
- `story_features`: a document's stemmed words and addresses, for grouping (packed
  as one text, deflated with the dictionary `meta` keeps: `newsq.store.rows.Codecs`),
  and a hash of its wording (twins have the same: `newsq.store.stories.wording`);
  `stories`, `story_docs`: the stories computed from them, and each document's, with
  why it is in it (JSON, `newsq.index.grouping.Reason`), and what it was when
  grouped: hashes of what grouping read of it and of its file (which documents
  changed since, and whether grouping would read them differently).
- `meanings`: with `--meaning`, a text's sentence embedding (float32), by a hash of the
  text as the model read it: a text not changed is not encoded again.

Users' SQL never sees these tables: it reads the documented views over them
(`newsq.store.views`), which stay the same when the tables change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar


class SnapshotDamage(sqlite3.DatabaseError):
    """A snapshot that is not what this newsq writes: a table, index, view or trigger it
    did not make, or a value that is not of its column's kind."""


#: Bumped whenever what parsing stores changes: an older snapshot is rebuilt.
FORMAT = 21
#: The SQL function a snapshot's connections read a stored record's JSON with.
RECORD_TEXT = "newsq_record"
#: The SQL function titles are sorted by (`newsq.store.rows.title_key`).
TITLE_KEY = "newsq_title_key"
#: The `meta` keys of the dictionaries records and story features are deflated with (hex).
RECORD_DICTIONARY_KEY = "records_dictionary"
FEATURES_DICTIONARY_KEY = "features_dictionary"
#: Marks a newsq snapshot (the SQLite header's application id): 'nwsq'.
APPLICATION_ID = 0x6E777371

# Columns of `docs` in the order `doc_row()` produces them.
DOC_COLUMNS = (
    "doc",
    "id",
    "path",
    "title",
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

#: The range of `date_us` (microseconds since 1970): the years 1 to 9999, all a
#: Python datetime holds; a CHECK keeps any other value out of the snapshot.
DATE_US_RANGE = (-62_135_596_800_000_000, 253_402_300_799_999_999)
_DATE_US = f"date_us INTEGER CHECK (date_us BETWEEN {DATE_US_RANGE[0]} AND {DATE_US_RANGE[1]})"
_PUBLISHED = "published INTEGER CHECK (published IN (0, 1))"

#: The SQL function the view `search_text` derives the full-text index's text with
#: (`newsq.store.search_text`).
SEARCH_TEXT = "newsq_search_text"
#: The view the full-text index reads its rows' text from (its external content).
SEARCH_TEXT_VIEW = "search_text"


def _search_text_columns(title: str, provider: str, topics: str, n: str) -> str:
    """The columns of `search_text` of one kind of row (`SEARCH_TEXT` of each)."""
    arguments = f"{title}, {provider}, {topics}, {RECORD_TEXT}(r.packed), {n}"
    return ", ".join(f"{SEARCH_TEXT}({number}, {arguments})" for number in range(len(FTS_COLUMNS)))


# `quality` and `heat` have no declared type, so an int stays an int and a float a float.
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
    {_DATE_US},
    category TEXT,
    category_key TEXT,
    type TEXT,
    type_key TEXT,
    quality,
    heat,
    {_PUBLISHED},
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
CREATE TABLE records (doc INTEGER PRIMARY KEY, packed BLOB NOT NULL);
CREATE TABLE folders (folder BLOB PRIMARY KEY, names BLOB NOT NULL, identity BLOB NOT NULL,
    times BLOB NOT NULL);
CREATE TABLE doc_topics (key TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE INDEX doc_topics_doc ON doc_topics (doc);
CREATE TABLE doc_providers (key TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE INDEX doc_providers_doc ON doc_providers (doc);
CREATE VIRTUAL TABLE search USING fts5 ({FTS_SPEC},
    content = '{SEARCH_TEXT_VIEW}', content_rowid = 'row');
CREATE TABLE related (
    doc INTEGER PRIMARY KEY,
    parent INTEGER NOT NULL,
    n INTEGER NOT NULL,
    id TEXT NOT NULL,
    {_DATE_US},
    category_key TEXT,
    type_key TEXT,
    quality,
    heat,
    {_PUBLISHED},
    provider_keys TEXT NOT NULL
);
CREATE TABLE related_text (
    doc INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    category TEXT,
    type TEXT,
    provider_name TEXT,
    provider_domain TEXT
);
CREATE INDEX related_parent ON related (parent, n);
-- The row of `search` a related article is, as `search_text` finds it by that row.
CREATE INDEX related_search_row ON related (doc + {RELATED_ROWS});
CREATE VIEW {SEARCH_TEXT_VIEW} (row, {", ".join(FTS_COLUMNS)}) AS
    SELECT d.doc, {_search_text_columns("d.title", "d.provider_name", "d.topics", "NULL")}
    FROM docs d JOIN records r ON r.doc = d.doc
    UNION ALL
    SELECT a.doc + {RELATED_ROWS},
        {_search_text_columns("t.title", "t.provider_name", "p.topics", "a.n")}
    FROM related a JOIN related_text t ON t.doc = a.doc JOIN docs p ON p.doc = a.parent
        JOIN records r ON r.doc = a.parent;
CREATE TABLE terms (length INTEGER PRIMARY KEY, words TEXT NOT NULL, docs BLOB NOT NULL);
CREATE TABLE story_features (doc INTEGER PRIMARY KEY, packed BLOB NOT NULL,
    wording INTEGER NOT NULL);
CREATE TABLE stories (
    story INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    documents INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX stories_id ON stories (id);
CREATE INDEX stories_order ON stories (articles DESC, documents DESC, id);
CREATE TABLE story_docs (
    doc INTEGER PRIMARY KEY,
    story INTEGER NOT NULL,
    reason TEXT,
    digest INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX story_docs_story ON story_docs (story);
CREATE TABLE meanings (text INTEGER PRIMARY KEY, vector BLOB NOT NULL);
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


#: The page size of a new snapshot. Its rows are large (a deflated record is 1.7 KB, a
#: document's story features 1.8 KB): on 4 KB pages a fifth of the records' pages
#: was slack, and a snapshot of 100,000 documents took 850 MB; on 16 KB pages, 761 MB
#: (8 KB: 791 MB).
PAGE_SIZE = 16_384
#: The page cache of a snapshot's connection, in KiB (as `PRAGMA cache_size` takes a
#: negative value): 64 MiB.
CACHE_KIB = 65_536


def create(conn: sqlite3.Connection, roots: Sequence[str]) -> None:
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # (only a database still empty takes it)
    # SQLite turns a cache size in KiB into pages of the size in effect when the page size
    # changes, the default 4 KB: set again, or the cache holds four times as much (250 MiB
    # of dirty pages, never spilled, through a cold build of 100,000 documents).
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
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


def scratch_vocabulary(conn: sqlite3.Connection) -> tuple[str, str]:
    """Two views of the full-text index's vocabulary, read-only and computed as read
    (`fts5vocab`): (a table of each term and the rows that have it, `term`, `doc`; a
    table of each place a term is, `term`, `doc`, `col`, `offset`); their names."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms USING fts5vocab(main, search, row)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_places "
        "USING fts5vocab(main, search, instance)"
    )
    return "temp.search_terms", "temp.search_places"


def scratch_stems(conn: sqlite3.Connection) -> tuple[str, str]:
    """A scratch full-text table, in memory and empty, of one column cut into words as
    `search` cuts them, and the view of each word's place in it (`term`, `doc`,
    `offset`): a word's stem is what the view says is at its row; their names."""
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemming USING fts5(word, "
        f"tokenize = '{TOKENIZER}')"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemmed USING fts5vocab(temp, stemming, instance)"
    )
    conn.execute("DELETE FROM temp.stemming")
    return "temp.stemming", "temp.stemmed"


#: Values one statement's `IN (...)` is given at once: SQLite caps a statement's
#: parameters (999 before 3.32).
IN_AT_ONCE = 500

_Value = TypeVar("_Value")


def in_parts(values: Sequence[_Value]) -> Iterator[tuple[Sequence[_Value], str]]:
    """`values` in parts one statement can take, each with its placeholders ("?, ?")."""
    for start in range(0, len(values), IN_AT_ONCE):
        part = values[start : start + IN_AT_ONCE]
        yield part, ", ".join("?" * len(part))


def scratch_rows(conn: sqlite3.Connection, rows: Iterable[int]) -> str:
    """A scratch table, in memory, of these row numbers (documents' `doc`): what a query
    joins to select them; its name."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (doc INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.chosen")
    conn.executemany("INSERT OR IGNORE INTO temp.chosen (doc) VALUES (?)", ((r,) for r in rows))
    return "temp.chosen"


_EXPECTED_MASTER: set[tuple[str, str, str, str | None]] = set()


def expected_master() -> set[tuple[str, str, str, str | None]]:
    """What `sqlite_master` holds in a snapshot this newsq makes, as (type, name, table,
    sql) rows: read once a process off the schema made in memory by this SQLite (whose
    full-text index tables and automatic indexes are its own)."""
    if not _EXPECTED_MASTER:
        reference = sqlite3.connect(":memory:")
        try:
            reference.executescript(SCHEMA)
            _EXPECTED_MASTER.update(
                reference.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
            )
        finally:
            reference.close()
    return _EXPECTED_MASTER


#: The settings a snapshot's `meta` table may hold, each with what its value must read as.
_META: dict[str, Callable[[str], object]] = {
    "roots": lambda v: _list_of(json.loads(v), str),
    "created": str,
    "updated": str,
    "fingerprint": lambda v: int(v, 16) if v else 0,
    "found": lambda v: _list_of(json.loads(v), dict),
    "generation": int,
    "stories": lambda v: _list_of(json.loads(v), (int, float)),
    "terms": int,
    RECORD_DICTIONARY_KEY: bytes.fromhex,
    FEATURES_DICTIONARY_KEY: bytes.fromhex,
}


def meta_is_valid(meta: Mapping[str, str]) -> bool:
    """Whether every setting of a snapshot's `meta` table is one newsq writes, and reads
    as what newsq takes it for (a generation that is a number, roots that are a list…)."""
    try:
        return all(key in _META and _META[key](value) is not None for key, value in meta.items())
    except (ValueError, TypeError):
        return False


def _list_of(value: object, kind: type | tuple[type, ...]) -> list[object]:
    if not isinstance(value, list) or not all(isinstance(item, kind) for item in value):
        raise TypeError(f"not a list of {kind}")
    return value
