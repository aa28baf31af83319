"""A user's own SQL over the documented views (`newsq.store.views`), strictly read-only:
`Index.sql`, and the read-only connection exports read through.

The query runs on a connection of its own, opened read-only (`mode=ro`) on the
snapshot's file, so nothing it does can reach the snapshot; the views are TEMP
views of that connection (restricted by the filters to the documents they select).
On top of that an SQLite authorizer refuses, as the statement is compiled,
anything but reading: writes and schema changes (to TEMP too), transactions,
ATTACH (which `VACUUM INTO` uses), PRAGMAs other than the ones that only read,
`load_extension`, and direct reads of the snapshot's own tables, which change
from version to version (the views are the API). Attaching is also limited to
no database at all. One statement at a time.

A progress handler stops a runaway query: at `timeout` seconds, or on Ctrl-C (or
SIGTERM, SIGHUP), which SQLite would otherwise not hear until the query ended.
The query may also use `median(x)`, an aggregate SQLite lacks.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType
from typing import Any

from newsq.model import QueryError
from newsq.query.filters import Filter, where_sql
from newsq.store.rows import register_record_text
from newsq.store.schema import SEARCH_TEXT_VIEW
from newsq.store.search_text import register_search_text
from newsq.store.views import create_temp_views, internal_tables

#: The table of the documents the filters select, on the reader's connection.
SCOPE = "temp.scope"
#: SQLite virtual-machine steps between two looks at the clock and the signals.
PROGRESS_STEPS = 10_000
#: Rows fetched from SQLite at a time while a result is read.
FETCH = 500

#: PRAGMAs that only read, as statements (`PRAGMA table_info(documents)`); FTS5 asks
#: for data_version itself. Any other PRAGMA, or one of these given a value to set, is
#: refused.
READING_PRAGMAS = frozenset(
    [
        "application_id",
        "collation_list",
        "compile_options",
        "data_version",
        "database_list",
        "encoding",
        "foreign_key_list",
        "freelist_count",
        "function_list",
        "index_info",
        "index_list",
        "index_xinfo",
        "module_list",
        "page_count",
        "page_size",
        "pragma_list",
        "schema_version",
        "table_info",
        "table_list",
        "table_xinfo",
        "user_version",
    ]
)
#: Of those, the ones whose argument names what to describe, rather than sets a value.
_DESCRIBING_PRAGMAS = frozenset(
    [
        "foreign_key_list",
        "index_info",
        "index_list",
        "index_xinfo",
        "table_info",
        "table_list",
        "table_xinfo",
    ]
)
_WRITES = {
    sqlite3.SQLITE_INSERT: "INSERT",
    sqlite3.SQLITE_UPDATE: "UPDATE",
    sqlite3.SQLITE_DELETE: "DELETE",
    sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE",
    sqlite3.SQLITE_REINDEX: "REINDEX",
    sqlite3.SQLITE_ANALYZE: "ANALYZE",
    sqlite3.SQLITE_TRANSACTION: "a transaction (BEGIN, COMMIT, ROLLBACK)",
    sqlite3.SQLITE_SAVEPOINT: "SAVEPOINT",
}
_CREATES = {getattr(sqlite3, name) for name in dir(sqlite3) if name.startswith("SQLITE_CREATE_")}
_DROPS = {getattr(sqlite3, name) for name in dir(sqlite3) if name.startswith("SQLITE_DROP_")}


class SqlError(QueryError):
    """SQL that cannot run: a syntax error, an unknown view or column, a bad MATCH."""

    def __init__(self, query: str, reason: str) -> None:
        super().__init__("QUERY", query, reason)


class SqlRefused(SqlError):
    """SQL that would do more than read: refused before it runs."""


class SqlTimeout(Exception):
    """A query stopped because it ran longer than its timeout (`seconds`)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query ran longer than {seconds:g} s and was stopped")
        self.seconds = seconds


# --- the reader's connection ------------------------------------------------------------


class Reader:
    """A read-only connection to a snapshot (`conn`), with the documents the filters
    selected in `scope` (a table of their `doc` rows; None when every one is)."""

    def __init__(self, conn: sqlite3.Connection, scope: str | None) -> None:
        self.conn = conn
        self.scope = scope

    def within(self, column: str = "d.doc") -> str:
        """A condition keeping the rows whose document (its `doc`, `column`) is selected."""
        return "1" if self.scope is None else f"{column} IN (SELECT doc FROM {self.scope})"

    def documents(self) -> int:
        """How many documents are selected."""
        sql = f"SELECT COUNT(*) FROM main.docs d WHERE {self.within()}"
        return self.conn.execute(sql).fetchone()[0]

    def close(self) -> None:
        self.conn.close()


def open_reader(
    db: sqlite3.Connection, where: Filter | None = None, *, views: bool = True
) -> Reader:
    """A new read-only connection to the database of `db` (a snapshot), with the filters'
    documents in `SCOPE` (when `where` filters anything) and, with `views`, the
    documented views as TEMP views restricted to them."""
    from newsq.index.ranking import WEIGHTS

    conn = sqlite3.connect(
        read_only_uri(db), uri=True, isolation_level=None, check_same_thread=False, timeout=5
    )
    try:
        # A snapshot the index has checked is exactly newsq's: its view `search_text`
        # (the text of the full-text index, read for snippets) may call newsq's functions.
        conn.execute("PRAGMA trusted_schema = ON")
        conn.execute("PRAGMA mmap_size = 0")  # (as the snapshot's connection: see there)
        conn.execute("PRAGMA cache_size = -65536")
        register_record_text(conn)
        register_search_text(conn)
        scope = restrict(conn, where or Filter())
        if views:
            create_temp_views(conn, WEIGHTS, scope=scope)
    except BaseException:
        conn.close()
        raise
    return Reader(conn, scope)


def restrict(conn: sqlite3.Connection, where: Filter, schema: str = "main") -> str | None:
    """`SCOPE` filled with the rows of the documents `where` selects (in the snapshot that
    is `schema` on `conn`); its name, or None when `where` selects every document."""
    clauses, params = where_sql(where)
    if not clauses:
        return None
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope (doc INTEGER PRIMARY KEY)")
    conn.execute(f"DELETE FROM {SCOPE}")
    conn.execute(
        f"INSERT INTO {SCOPE} SELECT d.doc FROM {schema}.docs d WHERE {' AND '.join(clauses)}",
        params,
    )
    return SCOPE


def read_only_uri(db: sqlite3.Connection) -> str:
    """A URI that opens the main database of `db` read-only."""
    path = next(file for name, file in _databases(db) if name == "main")
    if not path:
        raise ValueError("the snapshot has no file to open read-only")
    return f"file:{urllib.parse.quote(path)}?mode=ro"


def _databases(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(name, file) for _, name, file in db.execute("PRAGMA database_list")]


# --- the user's query -----------------------------------------------------------------


class SqlResult:
    """The answer to one query: `columns` (their names, in order), then the rows, tuples
    of SQLite's values, as it is iterated (once). It holds a connection of its own:
    close it, or use `with`, when done.

    Errors while rows are read raise as `run` says; a query stopped by its timeout
    raises `SqlTimeout`, one stopped by Ctrl-C `KeyboardInterrupt`.
    """

    def __init__(self, query: _Query, columns: tuple[str, ...]) -> None:
        self._query = query
        self.columns = columns

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while True:
            rows = self._query.call(lambda: self._query.cursor.fetchmany(FETCH))
            if not rows:
                return
            yield from rows

    def close(self) -> None:
        self._query.close()

    def __enter__(self) -> SqlResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run(
    db: sqlite3.Connection,
    query: str,
    where: Filter | None = None,
    *,
    params: Sequence[Any] | Mapping[str, Any] = (),
    timeout: float | None = None,
) -> SqlResult:
    """Run `query`, one SQL statement, over the views of the snapshot of `db`, under the
    filters, with `params` bound to its `?` (or `:name`) placeholders; its result, rows
    read as it is iterated.

    Raises `SqlRefused` for a statement that would do more than read (or more than
    one statement), `SqlError` for one SQLite cannot run, `SqlTimeout` past `timeout`
    seconds (from the start of the query to its last row).
    """
    if not query.strip():
        raise SqlError(query, "the query is empty")
    conn = open_reader(db, where).conn
    try:
        watch = _Watch(timeout)
        guard = _Guard(conn)
        conn.create_aggregate("median", 1, Median)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.set_authorizer(guard)
        conn.set_progress_handler(watch, PROGRESS_STEPS)
        running = _Query(conn, query, guard, watch)
        running.cursor = running.call(lambda: conn.execute(query, params))
    except BaseException:
        conn.close()
        raise
    description = running.cursor.description or ()
    return SqlResult(running, _unique([column[0] for column in description]))


class Median:
    """`median(x)`, the aggregate SQLite lacks ("median quality by provider and month"):
    the middle of the numbers among the values (the mean of the two middle ones for an
    even count), NULL when there are none. Text and NULL are left out."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: Any) -> None:
        if isinstance(value, (int, float)):
            self.values.append(value)

    def finalize(self) -> float | None:
        import statistics

        return statistics.median(self.values) if self.values else None


def _unique(names: list[str]) -> tuple[str, ...]:
    """Column names made unique (`SELECT 1 AS n, 2 AS n` has `n` and `n_2`): each row is
    also a JSON object, whose keys must differ."""
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, number = name, 1
        while candidate in seen:
            number += 1
            candidate = f"{name}_{number}"
        seen.add(candidate)
        unique.append(candidate)
    return tuple(unique)


class _Query:
    """A query running on its reader: each call into SQLite is watched for the timeout and
    for signals, and its errors are told in the user's terms."""

    def __init__(self, conn: sqlite3.Connection, text: str, guard: _Guard, watch: _Watch) -> None:
        self.conn = conn
        self.text = text
        self.guard = guard
        self.watch = watch
        self.cursor: sqlite3.Cursor = None  # type: ignore[assignment]

    def call(self, work: Callable[[], Any]) -> Any:
        with self.watch.watching():
            try:
                return work()
            except sqlite3.Error as exc:
                error = exc
        raise self._told(error) from None

    def _told(self, error: sqlite3.Error) -> Exception:
        if self.watch.timed_out and self.watch.timeout is not None:
            return SqlTimeout(self.watch.timeout)
        if self.guard.refused is not None:
            return SqlRefused(self.text, self.guard.refused)
        message = str(error)
        if isinstance(error, sqlite3.ProgrammingError) and "one statement" in message:
            return SqlRefused(self.text, "one statement at a time (no ';' between statements)")
        if message.startswith("cannot modify"):  # a view: SQLite says so before asking
            return SqlRefused(self.text, f"{message}: newsq sql is read-only (SELECT only)")
        if message.startswith("no such table") or message.startswith("no such column"):
            message += "; the views are " + ", ".join(self.guard.views)
            message += " (newsq sql --schema lists their columns)"
        return SqlError(self.text, message)

    def close(self) -> None:
        self.conn.close()


class _Guard:
    """The authorizer: what a statement may do, asked by SQLite as it compiles it. The
    first refusal's reason is kept (`refused`) to tell the user."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.refused: str | None = None
        self._internal = internal_tables(conn)
        views = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM temp.sqlite_master WHERE type = 'view' ORDER BY rowid"
            )
        ]
        self.views = tuple(views)
        # What each view reads of the snapshot's tables, seen as SQLite compiles it: a
        # read of an internal table is allowed where a view makes it, and only that
        # (a CTE named like a view gets no more than the view reads).
        self._reads: set[tuple[str, str, str]] = set()
        conn.set_authorizer(self._record)
        for name in views:
            conn.execute(f'EXPLAIN SELECT * FROM temp."{name}"').fetchall()
        # ... and what the full-text index reads when a snippet is asked for: the text
        # of its rows, which its content view derives from the tables.
        conn.execute(f"EXPLAIN SELECT * FROM main.{SEARCH_TEXT_VIEW}").fetchall()
        conn.set_authorizer(None)

    def _record(self, action: int, arg1: Any, arg2: Any, db: Any, inner: Any) -> int:
        if action == sqlite3.SQLITE_READ and inner is not None:
            self._reads.add((inner, arg1, arg2))
        return sqlite3.SQLITE_OK

    def __call__(self, action: int, arg1: Any, arg2: Any, db: Any, inner: Any) -> int:
        reason = self._judge(action, arg1, arg2, db, inner)
        if reason is None:
            return sqlite3.SQLITE_OK
        if self.refused is None:
            self.refused = reason
        return sqlite3.SQLITE_DENY

    def _judge(self, action: int, arg1: Any, arg2: Any, db: Any, inner: Any) -> str | None:
        """None when allowed; else why not."""
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE):
            return None
        if action == sqlite3.SQLITE_READ:
            # A read of no column ('') is a count of rows (`count(*)` over a view, whose
            # tables SQLite then reads outside the view's context): it shows nothing.
            if db != "main" or arg1 not in self._internal or not arg2:
                return None
            if (inner, arg1, arg2) in self._reads:
                return None
            return (
                f"{arg1} is one of the snapshot's own tables, which change between "
                f"versions; query the views: {', '.join(self.views)} "
                "(newsq sql --schema lists their columns)"
            )
        if action == sqlite3.SQLITE_FUNCTION:
            if str(arg2).lower() == "load_extension":
                return "load_extension is refused: newsq sql loads no code"
            return None
        if action == sqlite3.SQLITE_PRAGMA:
            name = str(arg1).lower()
            if name in READING_PRAGMAS and (arg2 is None or name in _DESCRIBING_PRAGMAS):
                return None
            shown = f"PRAGMA {arg1}" + ("" if arg2 is None else f" = {arg2}")
            return (
                f"{shown} is refused: only PRAGMAs that read are allowed "
                f"({', '.join(sorted(_DESCRIBING_PRAGMAS))}, …)"
            )
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return "ATTACH, DETACH and VACUUM are refused: newsq sql reads the corpus's views only"
        # CREATE and DROP write the schema table first: that is what SQLite asks about.
        schema = arg1 in ("sqlite_master", "sqlite_temp_master") and action in _WRITES
        if schema or action in _CREATES or action in _DROPS:
            return "changing the schema (CREATE, DROP) is refused: newsq sql is read-only"
        what = _WRITES.get(action, "that statement")
        return f"{what} is refused: newsq sql is read-only (SELECT only)"


class _Watch:
    """The progress handler: stops the query (a non-zero answer) once past its deadline,
    or once a signal that ends the command has come."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self.timed_out = False
        self._signal: int | None = None

    def __call__(self) -> int:
        if self._signal is not None:
            return 1
        if self._deadline is not None and time.monotonic() > self._deadline:
            self.timed_out = True
            return 1
        return 0

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Around a call into SQLite: Ctrl-C, SIGTERM and SIGHUP are noted (for the progress
        handler to stop the query), then handled as they would have been once it
        returns. Only the main thread can do this; elsewhere only the timeout stops."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        from newsq.signals import ENDING

        previous = {
            signum: signal.signal(signum, self._note) for signum in (signal.SIGINT, *ENDING)
        }
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            noted, self._signal = self._signal, None
            if noted is not None:
                _deliver(noted, previous[noted])

    def _note(self, signum: int, frame: FrameType | None) -> None:
        if self._signal is None:
            self._signal = signum


def _deliver(signum: int, handler: Any) -> None:
    """Handle a signal noted during a query as its handler would have: Python's raises
    (KeyboardInterrupt, newsq's `Terminated`), the default ends the process."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)
