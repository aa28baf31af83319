"""The parsed corpus kept on disk between runs, so a warm run parses nothing.

A snapshot is one SQLite database per set of data roots, in the user's cache
folder (`newsq.store.cache`). It holds, per file, the (size, mtime) it was
parsed at and what parsing gave: the light columns of the document (indexed for
the filters), its full record as JSON (read only for the rows printed), its
words for full-text search (FTS5) and its problems (`newsq.store.schema`).

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
import errno
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsq.model import ERROR, Problem
from newsq.store import schema
from newsq.store.cache import (
    SUFFIX,
    UnsafeCache,
    building_path,
    error_reason,
    new_private_file,
    own_file,
    private_folder,
    remove_files,
)
from newsq.store.lock import Lock, LockTimeout
from newsq.store.rows import (
    Codecs,
    FileRows,
    RecordCodec,
    TextCodec,
    register_record_text,
    title_key,
)
from newsq.store.schema import (
    CACHE_KIB,
    FEATURES_DICTIONARY_KEY,
    INSERT_DOC,
    INSERT_RELATED,
    INSERT_RELATED_TEXT,
    RECORD_DICTIONARY_KEY,
    RELATED_ROWS,
    TITLE_KEY,
)
from newsq.store.search_text import register_search_text

if TYPE_CHECKING:
    from newsq.ingest.scan import Scan

#: Seconds to wait for a snapshot another run holds busy before going without it.
BUSY_PATIENCE = 30.0
#: Indexes of a new snapshot made once its first update has written every row, not row by
#: row: their keys come in random order (dates, hex names), so each insert lands on a page
#: of its own. At 1,000,000 documents, made last they took 5 s, and the writer 13% less
#: time and 8% fewer bytes written.
DEFERRED_INDEXES = ("docs_date", "docs_hex")


class SnapshotUnavailable(Exception):
    """The cache location cannot hold a snapshot (unwritable, not a folder, not the user's
    alone, held by another run too long): go without, saying why."""


class SnapshotWriteError(Exception):
    """The snapshot could not be written (a full disk, a quota, an I/O error, a read-only
    file system): `reason` says why. The snapshot is to be discarded and the corpus read
    without one."""

    def __init__(self, folder: Path | None, reason: str) -> None:
        where = f" in {folder}" if folder is not None else ""
        super().__init__(f"cannot write the snapshot{where}: {reason}")
        self.reason = reason


class ReadOnlyError(RuntimeError):
    """A write asked for while the snapshot is only being read (`Snapshot.reading`)."""


# --- opening ----------------------------------------------------------------------------


class Snapshot:
    """An open snapshot database. `path` is None for a temporary one (`--no-cache`).

    A new snapshot is built beside its place (`building`, with no write-ahead log,
    so the disk needs little more than the snapshot itself) while this run holds
    the lock, and moved into place, whole, when its first update commits.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None,
        lock: Lock,
        *,
        building: Path | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        self._lock = lock
        self._building = building
        self._temporary: Any = None  # a tempfile.TemporaryDirectory
        #: `CREATE INDEX` statements to run before the first update commits.
        self._deferred: list[str] = []
        self._reading = False
        #: Whether it lives in this process's memory alone (no disk to fill).
        self.in_memory = False
        #: Why the file found in its place was not used, when one was (it is rebuilt).
        self.replaced: str | None = None
        if path is not None:
            _OPEN.append(self)

    @classmethod
    def open(
        cls,
        path: Path,
        roots: Sequence[str],
        *,
        on_wait: Callable[[int | None], None] | None = None,
    ) -> Snapshot:
        """Open the snapshot at `path`, creating it, or replacing one that is damaged, foreign
        or not the user's own. `on_wait(pid)` is called when another run holds it busy.

        Raises `SnapshotUnavailable` when the location cannot be used.
        """
        deadline = time.monotonic() + BUSY_PATIENCE
        while True:
            try:
                return cls._open(path, roots, on_wait)
            except sqlite3.OperationalError as exc:
                # Busy for a moment (another run checkpointing, recovering): wait, then try again.
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise SnapshotUnavailable(_cannot_use(path, exc)) from None
                time.sleep(0.05)
            except UnsafeCache as exc:
                raise SnapshotUnavailable(f"not using the cache folder: {exc}") from None
            except LockTimeout as exc:
                raise SnapshotUnavailable(f"not using the snapshot: {exc}") from None
            except (OSError, sqlite3.Error) as exc:
                raise SnapshotUnavailable(_cannot_use(path, exc)) from None

    @classmethod
    def _open(
        cls, path: Path, roots: Sequence[str], on_wait: Callable[[int | None], None] | None
    ) -> Snapshot:
        private_folder(path.parent)
        lock = Lock(path.with_name(path.name + ".lock"), on_wait=on_wait)
        conn = _connect_if_current(path)
        if conn is not None:
            return cls(conn, path, lock)
        lock.acquire()
        building = None
        try:
            # Another run may have built it while this one waited for the lock.
            why: list[str] = []
            conn = _connect_if_current(path, why)
            if conn is not None:
                lock.release()
                return cls(conn, path, lock)
            # Missing, damaged, foreign or of another version: only now, and only under
            # the lock, is a file deleted. The new one is built aside, the lock kept.
            remove_files(path, keep_lock=True)
            building = building_path(path)
            new_private_file(building)
            conn = _trust(_connect(building, journal="MEMORY"))
            schema.create(conn, roots)
            snapshot = cls(conn, path, lock, building=building)
            snapshot.replaced = why[0] if why else None
            snapshot._defer_indexes()
            return snapshot
        except BaseException:
            if building is not None:
                remove_files(path, keep_lock=True)
            lock.release()
            raise

    @classmethod
    def existing(cls, path: Path) -> Snapshot | None:
        """The snapshot at `path` as the last run left it, neither checked against the
        files nor updated; None when there is none that can be read (shell completion
        reads this: it must answer at once, and a corpus a run has not seen has nothing
        to complete)."""
        try:
            private_folder(path.parent, create=False)
            conn = _connect_if_current(path)
        except (OSError, sqlite3.Error, UnsafeCache):
            return None
        return None if conn is None else cls(conn, path, Lock(None))

    @classmethod
    def temporary(cls, roots: Sequence[str], *, in_memory: bool = False) -> Snapshot:
        """A snapshot of this run alone, gone when closed: in a private temporary folder,
        or (`in_memory`, when even that cannot be written) in memory."""
        if in_memory:
            conn = _trust(_connect(":memory:", journal="MEMORY"))
            schema.create(conn, roots)
            snapshot = cls(conn, None, Lock(None))
            snapshot.in_memory = True
            return snapshot
        import tempfile  # only here: it is slow to import, and warm runs never need it

        folder = tempfile.TemporaryDirectory(prefix="newsq-")
        path = Path(folder.name) / f"snapshot{SUFFIX}"
        try:
            conn = _trust(_connect(path, journal="MEMORY"))
            schema.create(conn, roots)
        except BaseException:
            folder.cleanup()
            raise
        snapshot = cls(conn, None, Lock(None))
        snapshot._temporary = folder
        return snapshot

    def _defer_indexes(self) -> None:
        """Drop the `DEFERRED_INDEXES` of a new snapshot, to be made again, with the very
        same SQL, when its first update commits (`writing`)."""
        marks = ", ".join("?" * len(DEFERRED_INDEXES))
        found = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
            DEFERRED_INDEXES,
        ).fetchall()
        for name, sql in found:
            self.conn.execute(f'DROP INDEX "{name}"')
            self._deferred.append(sql)

    def close(self) -> None:
        """Close it; one left half built is removed."""
        if self in _OPEN:
            _OPEN.remove(self)
        self.conn.close()
        if self._building is not None and self.path is not None:
            self._building = None
            remove_files(building_path(self.path), keep_lock=True)
            self._lock.release()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def discard(self) -> None:
        """Close it and delete its files: it could not be written, or it is damaged."""
        path = self.path
        self.close()
        if path is not None:
            remove_files(path, keep_lock=True)

    def _finish_building(self) -> None:
        """Move a snapshot just built into its place, whole, and go on with it there."""
        assert self._building is not None and self.path is not None
        self.conn.execute("PRAGMA journal_mode = WAL")  # for the runs that read while one writes
        self.conn.close()
        os.replace(self._building, self.path)
        self._building = None
        self.conn = _trust(_connect(self.path))  # (the file it has just built)
        self._lock.release()  # held since the build began

    # --- freshness ------------------------------------------------------------------

    def stored_stats(self) -> dict[str, tuple[int, int, str]]:
        """Every file parsed: its absolute path, and (size, mtime_ns, id) as they were then."""
        rows = self.conn.execute("SELECT path, size, mtime_ns, doc_id FROM files ORDER BY path")
        return {path: (size, mtime_ns, doc_id) for path, size, mtime_ns, doc_id in rows}

    def is_empty(self) -> bool:
        """Whether no file was parsed into it yet (a snapshot being built)."""
        return self.conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None

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
        """One atomic update, by one process at a time; rolled back if anything goes wrong.

        Raises `SnapshotWriteError` when the disk refuses it (full, a quota, an I/O
        error, read-only): the caller discards the snapshot and goes without one.
        """
        if self._reading:
            raise ReadOnlyError("the snapshot is being read in one transaction")
        try:
            with self._lock:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    for statement in self._deferred:
                        self.conn.execute(statement)
                    self.conn.commit()
                    self._deferred = []
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.rollback()
                    raise
                if self._building is not None:
                    self._finish_building()
        except (sqlite3.OperationalError, OSError) as exc:
            if not _cannot_write(exc):
                raise
            raise SnapshotWriteError(
                None if self.path is None else self.path.parent, error_reason(exc)
            ) from exc

    def remove(self, conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, int]:
        """Forget files (deleted, renamed, changed before re-parsing); {key: row} of those
        forgotten, for `FileRows` to give a file parsed again the row it had."""
        found = {
            key: file
            for key in keys
            for (file,) in conn.execute("SELECT file FROM files WHERE path = ?", (key,))
        }
        files = [(file,) for file in found.values()]
        if not files:
            return found
        # The index's rows first: it reads the words to take out of the rows they come
        # from (`search_text`), which must still be there.
        conn.executemany(
            "DELETE FROM search WHERE rowid IN "
            f"(SELECT doc + {RELATED_ROWS} FROM related WHERE parent = ?)",
            files,
        )
        conn.executemany("DELETE FROM search WHERE rowid = ?", files)
        conn.executemany(
            "DELETE FROM related_text WHERE doc IN (SELECT doc FROM related WHERE parent = ?)",
            files,
        )
        conn.executemany("DELETE FROM related WHERE parent = ?", files)
        for table in ("docs", "records", "doc_topics", "doc_providers", "story_features"):
            conn.executemany(f"DELETE FROM {table} WHERE doc = ?", files)
        conn.executemany("DELETE FROM problems WHERE file = ?", files)
        conn.executemany("DELETE FROM files WHERE file = ?", files)
        return found

    def add(
        self,
        conn: sqlite3.Connection,
        batch: Sequence[FileRows],
        numbers: FileNumbers | None = None,
    ) -> None:
        """Store freshly parsed files (not yet in the snapshot), one statement per table,
        each at the row `numbers` gives it (by default, the next free)."""
        number = numbers or FileNumbers(conn)
        (article,) = conn.execute("SELECT COALESCE(MAX(doc), 0) FROM related").fetchone()
        files, problems, docs, records, topics, providers, words = [], [], [], [], [], [], []
        related, related_text, related_words, story = [], [], [], []
        shapes = _shape_numbers(conn, {rows.shape for rows in batch if rows.doc is not None})
        for rows in batch:
            file = number(rows.key)
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
        conn.executemany(INSERT_DOC, docs)
        conn.executemany("INSERT INTO records (doc, packed) VALUES (?, ?)", records)
        conn.executemany("INSERT OR IGNORE INTO doc_topics (key, doc) VALUES (?, ?)", topics)
        conn.executemany("INSERT OR IGNORE INTO doc_providers (key, doc) VALUES (?, ?)", providers)
        conn.executemany(
            "INSERT INTO search (rowid, title, excerpt, provider, topics, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            words,
        )
        conn.executemany(INSERT_RELATED, related)
        conn.executemany(INSERT_RELATED_TEXT, related_text)
        conn.executemany(
            "INSERT INTO search (rowid, title, excerpt, provider, topics, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            related_words,  # after the documents': FTS5 appends rows in rowid order fastest
        )
        conn.executemany(
            "INSERT INTO story_features (doc, packed, wording) VALUES (?, ?, ?)", story
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

    def codecs(self) -> Codecs | None:
        """How this snapshot packs its records and story features; None until its first
        are (the dictionaries are learnt from them: `keep_codecs`)."""
        found = dict(
            self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN (?, ?)",
                (RECORD_DICTIONARY_KEY, FEATURES_DICTIONARY_KEY),
            )
        )
        if len(found) < 2:
            return None
        records = RecordCodec(bytes.fromhex(found[RECORD_DICTIONARY_KEY]))
        return Codecs(records, TextCodec(bytes.fromhex(found[FEATURES_DICTIONARY_KEY])))

    def keep_codecs(self, conn: sqlite3.Connection, codecs: Codecs) -> None:
        """Pack everything this snapshot stores with `codecs` from now on (in `writing`)."""
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [
                (RECORD_DICTIONARY_KEY, codecs.records.dictionary.hex()),
                (FEATURES_DICTIONARY_KEY, codecs.features.dictionary.hex()),
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


class FileNumbers:
    """The row each file stored takes (its document's too): a file parsed again the row it
    had (`Snapshot.remove` says which), any other the next free one.

    A document edited in place keeps its place among the others: whatever takes ties by
    row (grouping, for one) sees the corpus in the order a fresh build would, and the
    stories kept need not be grouped again when the edit leaves its wording alone.
    """

    def __init__(self, conn: sqlite3.Connection, kept: dict[str, int] | None = None) -> None:
        self._kept = dict(kept or {})
        (last,) = conn.execute("SELECT COALESCE(MAX(file), 0) FROM files").fetchone()
        self._next = max(last, max(self._kept.values(), default=0)) + 1

    def __call__(self, key: str) -> int:
        found = self._kept.pop(key, None)
        if found is None:
            found, self._next = self._next, self._next + 1
        return found


def _shape_numbers(conn: sqlite3.Connection, shapes: set[str]) -> dict[str, int]:
    """{shape: its number in `shapes`}, adding those not there yet."""
    conn.executemany("INSERT OR IGNORE INTO shapes (fields) VALUES (?)", ((s,) for s in shapes))
    return {
        shape: conn.execute("SELECT shape FROM shapes WHERE fields = ?", (shape,)).fetchone()[0]
        for shape in shapes
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


# --- SQLite details -----------------------------------------------------------------------


def _connect(path: Path | str, *, journal: str | None = None) -> sqlite3.Connection:
    """A connection set up as newsq reads and writes snapshots. `journal` is the journal
    mode to set on a new database (an existing one keeps its own: WAL)."""
    # A short busy timeout: longer waits happen in Python, where Ctrl-C is heard.
    conn = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    if journal is not None:
        # A snapshot being built, or of this run alone, has no other runs to let read,
        # and a journal in memory spares writing every page twice (through a WAL as large
        # as the snapshot itself).
        conn.execute(f"PRAGMA journal_mode = {journal}")
    # A cache needs no durability: a snapshot damaged by a crash of the machine is
    # found damaged and rebuilt, and not syncing saves a third of a cold build.
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_size_limit = 67108864")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    # No memory-mapped reads: a search touching rows scattered over the file would map
    # (and count as the process's memory) the pages around each of them, 400 MiB for
    # a related search on 100,000 documents against 94 MiB read through the page
    # cache, which is as fast now that queries run in SQL.
    conn.execute("PRAGMA mmap_size = 0")
    # A snapshot is data: its schema may not call functions with side effects (from a
    # view or trigger someone else planted in the file, say; such a file is not opened,
    # see `verified`, and this holds even so).
    conn.execute("PRAGMA trusted_schema = OFF")
    # SQLite runs a query in C, where Ctrl-C or a signal ending the command cannot stop
    # it; this hands control back every so many steps, and stops the query once a
    # signal asked the command to end (a callback every 100,000 steps costs nothing
    # measurable: a full scan of 100,000 documents is a few hundred of them).
    conn.set_progress_handler(_stop_if_ending, 100_000)
    register_record_text(conn)
    register_search_text(conn)
    conn.create_function(TITLE_KEY, 1, title_key, deterministic=True)
    return conn


def _trust(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Let the schema of a snapshot known to be exactly newsq's (checked, or just made)
    call newsq's functions: its view `search_text` derives the full-text index's text
    with them. Until then the schema runs nothing (`trusted_schema = OFF`)."""
    conn.execute("PRAGMA trusted_schema = ON")
    return conn


def _stop_if_ending() -> int:
    from newsq.signals import ending

    return 1 if ending() is not None else 0


def _connect_if_current(path: Path, why: list[str] | None = None) -> sqlite3.Connection | None:
    """A connection to the snapshot at `path`, or None when it is missing, damaged, foreign,
    not this version's, or not the user's own file (`why` gets which, if there is a file).

    Errors that say nothing about the file's content (busy, permissions, a full
    disk) are raised: such a snapshot must not be deleted.
    """
    reasons = why if why is not None else []
    if not own_file(path):
        if os.path.lexists(path):
            reasons.append("a link, or not the user's own file")
        return None  # missing, a link, or someone else's: never opened
    try:
        conn = _connect(path)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:  # "file is not a database"
        reasons.append("not a database")
        return None
    try:
        if not schema.is_current(conn):
            reasons.append("not a snapshot of this version of newsq")
        elif not verified(conn):
            reasons.append("not what this newsq makes (tables, views, triggers or settings)")
        else:
            return _trust(conn)
    except BaseException:
        conn.close()
        raise
    conn.close()
    return None


def verified(conn: sqlite3.Connection) -> bool:
    """Whether the snapshot is exactly what this newsq makes: the same tables, indexes
    and nothing else (no view but its own, no trigger), the same columns, and settings it
    can read.
    Read off `sqlite_master` (a few dozen rows): cheap enough for every run."""
    try:
        found = set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        if found != schema.expected_master():
            return False
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        return schema.meta_is_valid(meta)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:
        return False


def _cannot_use(path: Path, error: BaseException) -> str:
    return f"cannot use the cache folder {path.parent}: {error_reason(error)}"


def _cannot_write(error: BaseException) -> bool:
    """Whether `error` is the disk refusing a write: full, a quota, I/O, read-only."""
    if isinstance(error, OSError):
        refused = (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EIO, errno.EROFS, errno.EFBIG)
        return error.errno in refused
    code = getattr(error, "sqlite_errorcode", None)
    # SQLITE_FULL, SQLITE_IOERR (and its extended codes), SQLITE_READONLY, SQLITE_CANTOPEN
    primary = None if code is None else code & 0xFF
    text = str(error)
    return primary in (13, 10, 8, 14) or "disk is full" in text or "disk I/O error" in text


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code in (5, 6) or "locked" in str(error) or "busy" in str(error)
