"""The parsed corpus kept on disk between runs, so a warm run parses nothing.

A snapshot is one SQLite database per set of data roots, in the user's cache
folder (`$XDG_CACHE_HOME/newsq`, else the platform's). It holds, per file, the
(size, mtime) it was parsed at and what parsing gave: the light columns of the
document (indexed for the filters), its full record as JSON (read only for the
rows printed), its words for full-text search (FTS5) and its problems.

Why SQLite: it is in the standard library, it is data and never code (unlike
pickle, a cache file cannot run anything), it filters with indexes instead of
loading every document, and its transactions make every update atomic, so a run
interrupted mid-indexing leaves the previous snapshot intact.

Concurrency: the database is in WAL mode, so readers never wait; writers take
an advisory lock file first, so two runs on one corpus never parse the same
files twice: the second waits, then finds nothing left to do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsq.model import ERROR, Problem
from newsq.query import KEY_SEPARATOR
from newsq.search import COLUMNS

if TYPE_CHECKING:
    from newsq.scan import Scan

#: Bumped whenever what parsing stores changes: an older snapshot is rebuilt.
FORMAT = 10
#: Marks a newsq snapshot (the SQLite header's application id): 'nwsq'.
APPLICATION_ID = 0x6E777371
SUFFIX = ".sqlite"
CACHE_ENV = "XDG_CACHE_HOME"
#: Seconds to wait for a snapshot another run holds busy before going without it.
BUSY_PATIENCE = 30.0

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

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

# The full-text columns are the search language's, in the order of its BM25 weights.
#: The full-text table's columns and tokenizer (search passages are found with the same).
FTS_SPEC = f"{', '.join(COLUMNS)}, tokenize = 'porter unicode61 remove_diacritics 2'"
#: Rows of `search` from here on are related articles (`related.doc` + this); below it,
#: documents (`docs.doc`). One table for both, so that a search over documents and
#: their coverage ranks them all by the same word statistics.
RELATED_ROWS = 1 << 40

# `quality` and `heat` have no declared type, so an int stays an int and a float a float.
_SCHEMA = f"""
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
CREATE TABLE story_docs (doc INTEGER PRIMARY KEY, story INTEGER NOT NULL);
CREATE INDEX story_docs_story ON story_docs (story);
"""


class SnapshotUnavailable(Exception):
    """The cache location cannot hold a snapshot (unwritable, not a folder): go without."""


class ReadOnlyError(RuntimeError):
    """A write asked for while the snapshot is only being read (`Snapshot.reading`)."""


@dataclass(slots=True)
class FileRows:
    """What one parsed file puts in the snapshot: plain values, cheap to send between processes.

    `doc` is None when the file is not a document; `problems` are
    (line, column, severity, message).
    """

    key: str  # the file's absolute path
    size: int
    mtime_ns: int
    doc_id: str
    shown: str  # the path as the user wrote it
    doc: tuple[Any, ...] | None
    record: str | None  # the full record as JSON (see pack_record)
    topic_keys: tuple[str, ...]
    provider_keys: tuple[str, ...]
    words: tuple[str, ...] | None  # title, excerpt, provider, topics, body for FTS
    problems: list[tuple[int | None, int | None, str, str]]
    #: The related coverage: (`related_row()`'s two rows, words) per article.
    related: list[tuple[tuple[Any, ...], tuple[Any, ...], tuple[str, ...]]] = field(
        default_factory=list
    )
    #: What grouping into stories needs (`stories.features`).
    story: tuple[str, str, str] | None = None
    #: The record's fields and their types (`fields.record_shape`), as JSON.
    shape: str = "[]"


# --- where snapshots live -------------------------------------------------------------


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/newsq`, else the platform's cache folder for newsq."""
    base = os.environ.get(CACHE_ENV, "")
    if base and os.path.isabs(base):
        return Path(base) / "newsq"
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "newsq"
    if os.name == "nt":
        local = os.environ.get("LOCALAPPDATA")
        return (Path(local) if local else home / "AppData" / "Local") / "newsq" / "Cache"
    return home / ".cache" / "newsq"


def snapshot_path(roots: Sequence[str], folder: Path | None = None) -> Path:
    """The snapshot for these data roots: named by a hash of their absolute paths."""
    absolute = json.dumps([os.path.abspath(r) for r in roots])
    digest = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return (folder or cache_dir()) / f"{digest}{SUFFIX}"


# --- opening ----------------------------------------------------------------------------


class Snapshot:
    """An open snapshot database. `path` is None for a temporary one (`--no-cache`)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, lock: _Lock) -> None:
        self.conn = conn
        self.path = path
        self._lock = lock
        self._temporary: Any = None  # a tempfile.TemporaryDirectory
        self._reading = False
        if path is not None:
            _OPEN.append(self)

    @classmethod
    def open(cls, path: Path, roots: Sequence[str]) -> Snapshot:
        """Open the snapshot at `path`, creating it, or replacing one that is damaged or foreign.

        Raises `SnapshotUnavailable` when the location cannot be used.
        """
        deadline = time.monotonic() + BUSY_PATIENCE
        while True:
            try:
                return cls._open(path, roots)
            except sqlite3.OperationalError as exc:
                # Busy for a moment (another run checkpointing, recovering): wait, then try again.
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise SnapshotUnavailable(f"{path.parent}: {_reason(exc)}") from None
                time.sleep(0.05)
            except (OSError, sqlite3.Error) as exc:
                raise SnapshotUnavailable(f"{path.parent}: {_reason(exc)}") from None

    @classmethod
    def _open(cls, path: Path, roots: Sequence[str]) -> Snapshot:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = _Lock(path.with_name(path.name + ".lock"))
        conn = _connect_if_current(path)
        if conn is None:
            with lock:
                # Another run may have built it while this one waited for the lock.
                conn = _connect_if_current(path)
                if conn is None:
                    # Missing, damaged, foreign or of another version: only now, and only
                    # under the lock, is a file deleted.
                    remove_files(path, keep_lock=True)
                    conn = _connect(path, create=True)
                    _create(conn, roots)
        return cls(conn, path, lock)

    @classmethod
    def existing(cls, path: Path) -> Snapshot | None:
        """The snapshot at `path` as the last run left it, neither checked against the
        files nor updated; None when there is none that can be read (shell completion
        reads this: it must answer at once, and a corpus a run has not seen has nothing
        to complete)."""
        try:
            conn = _connect_if_current(path)
        except (OSError, sqlite3.Error):
            return None
        return None if conn is None else cls(conn, path, _Lock(None))

    @classmethod
    def temporary(cls, roots: Sequence[str]) -> Snapshot:
        """A snapshot in a private temporary folder, removed when closed: no cache at all."""
        import tempfile  # only here: it is slow to import, and warm runs never need it

        folder = tempfile.TemporaryDirectory(prefix="newsq-")
        path = Path(folder.name) / f"snapshot{SUFFIX}"
        conn = _connect(path, create=True, private=True)
        _create(conn, roots)
        snapshot = cls(conn, None, _Lock(None))
        snapshot._temporary = folder
        return snapshot

    def close(self) -> None:
        if self in _OPEN:
            _OPEN.remove(self)
        self.conn.close()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    # --- freshness ------------------------------------------------------------------

    def stored_files(self) -> list[tuple[str, int, int, str, str]]:
        """(absolute path, size, mtime_ns, id, path shown) of every file parsed, by path:
        the shape of a sorted list of `Source`, so a fresh snapshot compares equal in one go."""
        return self.conn.execute(
            "SELECT path, size, mtime_ns, doc_id, shown FROM files ORDER BY path"
        ).fetchall()

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the snapshot."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction: every query inside sees the snapshot as the first one
        did, whatever other runs write meanwhile. Nothing may be written inside
        (`writing` raises `ReadOnlyError`)."""
        self.conn.execute("BEGIN")
        self._reading = True
        try:
            yield
        finally:
            self._reading = False
            self.conn.rollback()  # nothing was written: the end of the read

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One atomic update, by one process at a time; rolled back if anything goes wrong."""
        if self._reading:
            raise ReadOnlyError("the snapshot is being read in one transaction")
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()

    def remove(self, conn: sqlite3.Connection, keys: Iterable[str]) -> None:
        """Forget files (deleted, renamed, changed before re-parsing)."""
        files = [
            (file,)
            for key in keys
            for (file,) in conn.execute("SELECT file FROM files WHERE path = ?", (key,))
        ]
        if not files:
            return
        conn.executemany(
            "DELETE FROM search WHERE rowid IN "
            f"(SELECT doc + {RELATED_ROWS} FROM related WHERE parent = ?)",
            files,
        )
        conn.executemany(
            "DELETE FROM related_text WHERE doc IN (SELECT doc FROM related WHERE parent = ?)",
            files,
        )
        conn.executemany("DELETE FROM related WHERE parent = ?", files)
        for table in ("docs", "records", "doc_topics", "doc_providers", "story_features"):
            conn.executemany(f"DELETE FROM {table} WHERE doc = ?", files)
        conn.executemany("DELETE FROM search WHERE rowid = ?", files)
        conn.executemany("DELETE FROM problems WHERE file = ?", files)
        conn.executemany("DELETE FROM files WHERE file = ?", files)

    def add(self, conn: sqlite3.Connection, batch: Sequence[FileRows]) -> None:
        """Store freshly parsed files (not yet in the snapshot), one statement per table."""
        (last,) = conn.execute("SELECT COALESCE(MAX(file), 0) FROM files").fetchone()
        (article,) = conn.execute("SELECT COALESCE(MAX(doc), 0) FROM related").fetchone()
        files, problems, docs, records, topics, providers, words = [], [], [], [], [], [], []
        related, related_text, related_words, story = [], [], [], []
        shapes = _shape_numbers(conn, {rows.shape for rows in batch if rows.doc is not None})
        for file, rows in enumerate(batch, start=last + 1):
            files.append((file, rows.key, rows.size, rows.mtime_ns, rows.doc_id, rows.shown))
            problems.extend((file, *problem) for problem in rows.problems)
            if rows.doc is None:
                continue
            docs.append((file, *rows.doc, shapes[rows.shape]))
            records.append((file, rows.record))
            topics.extend((key, file) for key in rows.topic_keys)
            providers.extend((key, file) for key in rows.provider_keys)
            words.append((file, *(rows.words or ("",) * 5)))
            if rows.story is not None:
                story.append((file, *rows.story))
            for row, text_row, text in rows.related:
                article += 1
                related.append((article, file, *row))
                related_text.append((article, *text_row))
                related_words.append((RELATED_ROWS + article, *text))
        conn.executemany(
            "INSERT INTO files (file, path, size, mtime_ns, doc_id, shown) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            files,
        )
        conn.executemany(
            "INSERT INTO problems (file, line, col, severity, message) VALUES (?, ?, ?, ?, ?)",
            problems,
        )
        conn.executemany(_INSERT_DOC, docs)
        conn.executemany("INSERT INTO records (doc, json) VALUES (?, ?)", records)
        conn.executemany("INSERT OR IGNORE INTO doc_topics (key, doc) VALUES (?, ?)", topics)
        conn.executemany("INSERT OR IGNORE INTO doc_providers (key, doc) VALUES (?, ?)", providers)
        conn.executemany(
            "INSERT INTO search (rowid, title, excerpt, provider, topics, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            words,
        )
        conn.executemany(_INSERT_RELATED, related)
        conn.executemany(_INSERT_RELATED_TEXT, related_text)
        conn.executemany(
            "INSERT INTO search (rowid, title, excerpt, provider, topics, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            related_words,  # after the documents': FTS5 appends rows in rowid order fastest
        )
        conn.executemany(
            "INSERT INTO story_features (doc, words, links, cover) VALUES (?, ?, ?, ?)", story
        )

    def touch(self, conn: sqlite3.Connection, found: Scan, problems: Sequence[Problem]) -> None:
        """Record what the snapshot now matches: the scan (its fingerprint, each folder's
        packed stats) and the problems of finding the files."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        found_json = json.dumps([p.to_dict() for p in problems])  # \u escapes: any path fits
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [
                ("updated", now),
                ("fingerprint", found.fingerprint()),
                ("found", found_json),
                ("generation", str(self.generation() + 1)),
            ],
        )
        conn.execute("DELETE FROM folders")
        conn.executemany(
            "INSERT OR REPLACE INTO folders (folder, names, identity, times) VALUES (?, ?, ?, ?)",
            [
                (
                    _raw(f.absolute),
                    f.packed,
                    f.identity.tobytes(),
                    f.times.tobytes(),
                )
                for f in found.folders
            ],
        )

    def folder_states(self) -> dict[bytes, tuple[bytes, bytes, bytes]]:
        """{folder: (names, packed identities, packed times)} as of the last update, all as
        bytes: a name that is not UTF-8 is kept as it is on disk."""
        rows = self.conn.execute("SELECT folder, names, identity, times FROM folders")
        return {folder: (names, identity, times) for folder, names, identity, times in rows}

    def holds(self, keys: Sequence[str]) -> bool:
        """Whether every one of these files is in the snapshot."""
        return all(
            self.conn.execute("SELECT 1 FROM files WHERE path = ?", (key,)).fetchone()
            for key in keys
        )

    def generation(self) -> int:
        """A number that grows with every update: what computed results (stories) were
        computed from."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def fingerprint(self) -> str | None:
        """The fingerprint of the scan the snapshot last matched (see `Scan.fingerprint`)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        return row[0] if row and row[0] else None

    # --- reading --------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Problems finding the files, then each file's parse problems, by path."""
        rows = self.conn.execute(
            "SELECT f.shown, p.line, p.col, p.severity, p.message "
            "FROM problems p JOIN files f ON f.file = p.file ORDER BY f.path, p.rowid"
        )
        return self.found_problems() + [Problem(*row) for row in rows]

    def skipped(self) -> int:
        """How many files could not be loaded as documents (found, or parsed, with an error)."""
        found = {p.path for p in self.found_problems() if p.severity == ERROR}
        (parsed,) = self.conn.execute(
            "SELECT COUNT(DISTINCT file) FROM problems WHERE severity = ?", (ERROR,)
        ).fetchone()
        return len(found) + parsed

    def found_problems(self) -> list[Problem]:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'found'").fetchone()
        return [Problem(**p) for p in json.loads(row[0])] if row else []


def pack_record(record: dict[str, Any]) -> str:
    """A record as stored: compact JSON.

    Not deflated: that would make snapshots 60% smaller, but cost a sixth of
    the parsing time of a cold run.
    """
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def unpack_record(data: str) -> dict[str, Any]:
    return json.loads(data)


def _shape_numbers(conn: sqlite3.Connection, shapes: set[str]) -> dict[str, int]:
    """{shape: its number in `shapes`}, adding those not there yet."""
    conn.executemany("INSERT OR IGNORE INTO shapes (fields) VALUES (?)", ((s,) for s in shapes))
    return {
        shape: conn.execute("SELECT shape FROM shapes WHERE fields = ?", (shape,)).fetchone()[0]
        for shape in shapes
    }


_INSERT_DOC = (
    f"INSERT INTO docs ({', '.join(DOC_COLUMNS)}) VALUES ({', '.join('?' * len(DOC_COLUMNS))})"
)


_INSERT_RELATED = (
    f"INSERT INTO related (doc, parent, {', '.join(RELATED_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(RELATED_COLUMNS) + 2))})"
)


_INSERT_RELATED_TEXT = (
    f"INSERT INTO related_text (doc, {', '.join(RELATED_TEXT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(RELATED_TEXT_COLUMNS) + 1))})"
)


def related_row(
    entry: Any, number: int, provider_keys: Iterable[str]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The `related` columns (less `doc` and `parent`) and the `related_text` columns
    (less `doc`) of a related article's `Entry`."""
    (title, title_key, date_us, category, category_key, type_, type_key, quality, heat) = (
        columns := _light_columns(entry)
    )[:9]
    published, provider_name, provider_domain = columns[9:]
    row = (number, entry.id, date_us, category_key, type_key, quality, heat, published)
    text = (title, title_key, category, type_, provider_name, provider_domain)
    return (*row, keys_text(provider_keys)), text


def keys_text(keys: Iterable[str]) -> str:
    """Keys as one text column, each between separators: `instr()` finds `key_mark(k)` in it.

    A related article's provider keys live in its row, not in a table of their own
    as a document's do: they are only ever tested, never counted.
    """
    return KEY_SEPARATOR + "".join(k + KEY_SEPARATOR for k in sorted(keys))


def _light_columns(entry: Any) -> tuple[Any, ...]:
    """The columns documents and related articles share, from `title` to `provider_domain`."""
    return (
        entry.title,
        entry.title.casefold(),
        _microseconds(entry.date),
        entry.category,
        None if entry.category is None else entry.category.casefold(),
        entry.type,
        None if entry.type is None else entry.type.casefold(),
        entry.quality,
        entry.heat,
        None if entry.published is None else int(entry.published),
        entry.provider_name,
        entry.provider_domain,
    )


def _microseconds(date: dt.datetime | None) -> int | None:
    return None if date is None else (date - EPOCH) // dt.timedelta(microseconds=1)


def doc_row(
    entry: Any, provider_keys: Iterable[str]
) -> tuple[tuple[Any, ...], tuple[str, ...], tuple[str, ...]]:
    """The `docs` columns (less `doc`), topic keys and provider keys of an `Entry`."""
    name = entry.id.rsplit("/", 1)[-1]
    _, underscore, hex_part = name.partition("_")
    row = (
        entry.id,
        entry.path,
        *_light_columns(entry),
        json.dumps(entry.topics, ensure_ascii=False),
        entry.related,
        name,
        hex_part if underscore else None,
    )
    topic_keys = tuple(dict.fromkeys(t.casefold() for t in entry.topics))
    return row, topic_keys, tuple(sorted(provider_keys))


# --- the cache folder as a whole ----------------------------------------------------------


def describe(conn: sqlite3.Connection, path: Path | None) -> dict[str, Any]:
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    documents = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    files = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    size = None
    if path is not None:
        size = sum(p.stat().st_size for p in _companions(path) if p.exists())
    return {
        "path": None if path is None else str(path),
        "roots": json.loads(meta.get("roots", "[]")),
        "documents": documents,
        "files": files,
        "bytes": size,
        "created": meta.get("created"),
        "updated": meta.get("updated"),
    }


#: Snapshots open in this process, so damage found mid-query can be traced to its file.
_OPEN: list[Snapshot] = []


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def is_damage(error: BaseException) -> bool:
    """Whether `error` is SQLite (or JSON) finding a snapshot's content damaged."""
    if isinstance(error, (sqlite3.OperationalError, sqlite3.IntegrityError)):
        return False  # locked, full disk, read-only: not damage
    if isinstance(error, sqlite3.ProgrammingError):
        return False
    return isinstance(error, (sqlite3.DatabaseError, json.JSONDecodeError))


def discard_damaged(error: BaseException) -> Path | None:
    """If `error` is SQLite finding a snapshot damaged, delete that snapshot; its path.

    Opening checks the header and tables; damage deeper in the file (after a
    crash of the machine, say) shows only when a query reaches it.
    """
    if not is_damage(error):
        return None
    for snapshot in list(_OPEN):
        path = snapshot.path
        snapshot.close()
        if path is not None:
            remove_files(path)
            return path
    return None


def list_snapshots(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every snapshot in the cache folder, described; damaged ones say so."""
    folder = folder or cache_dir()
    found = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        try:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                if not _is_current(conn):
                    raise sqlite3.DatabaseError("not a current newsq snapshot")
                found.append(describe(conn, path))
            finally:
                conn.close()
        except sqlite3.Error as exc:
            found.append({"path": str(path), "error": _reason(exc)})
    return found


def clear(roots: Sequence[str] | None = None, folder: Path | None = None) -> list[Path]:
    """Delete the snapshot of these roots, or every snapshot; the database files removed."""
    folder = folder or cache_dir()
    if roots is not None:
        targets = [snapshot_path(roots, folder)]
    else:
        targets = sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
    return [p for target in targets for p in remove_files(target) if p.suffix == SUFFIX]


def remove_files(path: Path, *, keep_lock: bool = False) -> list[Path]:
    """Delete a snapshot and its companions (WAL, shared memory, lock); the ones removed."""
    removed = []
    for candidate in _companions(path)[: -1 if keep_lock else None]:
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def _companions(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal", ".lock"))]


# --- SQLite details -----------------------------------------------------------------------


def _connect(path: Path, *, create: bool = False, private: bool = False) -> sqlite3.Connection:
    # A short busy timeout: longer waits happen in Python, where Ctrl-C is heard.
    conn = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    if create:
        # WAL (kept in the file) lets other runs read while one writes; a private
        # snapshot has no other runs, and a journal in memory spares writing pages twice.
        conn.execute(f"PRAGMA journal_mode = {'MEMORY' if private else 'WAL'}")
    # A cache needs no durability: a snapshot damaged by a crash of the machine is
    # found damaged and rebuilt, and not syncing saves a third of a cold build.
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_size_limit = 67108864")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB
    # No memory-mapped reads: a search touching rows scattered over the file would map
    # (and count as the process's memory) the pages around each of them, 400 MiB for
    # a related search on 100,000 documents against 94 MiB read through the page
    # cache, which is as fast now that queries run in SQL.
    conn.execute("PRAGMA mmap_size = 0")
    # A snapshot is data: its schema may not call functions with side effects (from a
    # view or trigger someone else planted in the file, say).
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def _connect_if_current(path: Path) -> sqlite3.Connection | None:
    """A connection to the snapshot at `path`, or None when it is missing, damaged or foreign.

    Errors that say nothing about the file's content (busy, permissions, a full
    disk) are raised: such a snapshot must not be deleted.
    """
    if not path.exists():
        return None
    try:
        conn = _connect(path)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:  # "file is not a database"
        return None
    try:
        if _is_current(conn):
            return conn
    except BaseException:
        conn.close()
        raise
    conn.close()
    return None


def _is_current(conn: sqlite3.Connection) -> bool:
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


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code in (5, 6) or "locked" in str(error) or "busy" in str(error)


def _create(conn: sqlite3.Connection, roots: Sequence[str]) -> None:
    conn.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    roots_json = json.dumps([os.path.abspath(r) for r in roots])  # \u escapes: any path fits
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("roots", roots_json), ("created", now), ("updated", now)],
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


class _Lock:
    """An exclusive advisory lock on a file, taken by polling so Ctrl-C stays heard.

    Where `fcntl` is missing (Windows) SQLite's own locking is all there is.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> _Lock:
        self._depth += 1
        if self._depth > 1 or self.path is None:
            return self
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(0.05)
            except BaseException:
                os.close(fd)
                raise
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None
