"""Where a corpus lives and how it is loaded: data roots, then scan, snapshot and index.

Data roots come from `--data` (repeatable), else `NEWSQ_DATA` (paths separated
by `:`), else the seeds bundled with newsq. Finding the documents under them is
`newsq.ingest.scan`'s job; keeping them parsed, `newsq.ingest.update`'s and
`newsq.store`'s.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from newsq.ingest.scan import DataPathError, PendingScan, start

# The snapshot, index and indexer are imported where used, after the scan has
# started: their imports then overlap the stat of every file, not delay it.
if TYPE_CHECKING:
    from newsq.index.facade import Index
    from newsq.ingest.scan import Scan
    from newsq.ingest.update import Progress
    from newsq.model import Changes
    from newsq.store.snapshot import Snapshot

DATA_ENV = "NEWSQ_DATA"

#: A scan started by `prefetch`, with its roots, for the next load to take over.
_prefetched: list[tuple[list[str], PendingScan]] = []

T = TypeVar("T")


def bundled_seeds() -> Path:
    """The seeds shipped with newsq: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    raise DataPathError("the bundled seeds are missing from this installation")


def data_roots(paths: Sequence[str | os.PathLike[str]] | None = None) -> list[str]:
    """The roots to load: the given paths, else `NEWSQ_DATA`, else the bundled seeds."""
    if paths:
        return [os.fspath(p) for p in paths]
    env = os.environ.get(DATA_ENV, "")
    roots = [p for p in env.split(os.pathsep) if p]
    return roots or [str(bundled_seeds())]


#: Called with a line to tell the user while a corpus loads (waiting for another run).
Notice = Callable[[str], None]


def load(
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    cache: bool = True,
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> Index:
    """Load a corpus into an `Index`: the given paths, else `NEWSQ_DATA`, else the seeds.

    With `cache` (the default) the parsed corpus is kept in a snapshot in the
    user's cache folder, and only files changed since the last run are parsed
    again; without it, or when the cache folder is unusable, everything is
    parsed into a temporary snapshot that goes when the index is closed.
    `progress(done, total)` is called while files are parsed, and `notice(line)`
    with what the user should hear meanwhile (another run holding the snapshot).
    A snapshot that cannot be written (a full disk) or trusted is not used:
    `index.cache_problem` says why.

    Files that cannot be read as documents are skipped; their problems, and
    warnings about the ones that loaded, are in `index.problems`.
    Raises `DataPathError` when a given path does not exist.
    """
    return _load(paths, cache, progress, notice, None)[0]


def load_and_run(
    work: Callable[[Index], T],
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    cache: bool = True,
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> tuple[Index, T]:
    """`(index, work(index))` for `index = load(paths, ...)`: the same answer, sooner.

    Checking that a snapshot is fresh means a `stat` of every file; on a large
    corpus other processes do that, and meanwhile `work` runs here on the
    snapshot as the last run left it, in one read transaction. When the files
    are as that snapshot recorded, its answer stands; else the snapshot is
    brought up to date and `work` runs again. So `work` must only read (a write
    raises `ReadOnlyError` the first time) and may run twice; whatever it raises
    the first time is dropped, and the second run raises it again.
    """
    index, early = _load(paths, cache, progress, notice, work)
    if early is _NOTHING:
        return index, work(index)
    return index, cast(T, early)


_NOTHING = object()  # no early answer to keep
_DAMAGED = (None, None)  # what ran early found the snapshot damaged


def _load(
    paths: Sequence[str | os.PathLike[str]] | None,
    cache: bool,
    progress: Progress | None,
    notice: Notice | None,
    work: Callable[[Index], object] | None,
) -> tuple[Index, object]:
    """The index loaded, and `work`'s early answer when it stands (else `_NOTHING`)."""
    roots = data_roots(paths)
    # First: it may fork, which is safe before any database is open.
    pending = _take_prefetched(roots) or start(roots)
    try:
        from newsq.index.facade import Index

        snapshot, cache_problem = _open_snapshot(roots, cache, notice)
    except BaseException:
        pending.cancel()
        raise
    try:
        early = _run_early(snapshot, work) if work is not None and pending.running else None
        found = pending.result()
        if early is _DAMAGED:  # a value no snapshot of newsq's holds: start afresh
            snapshot.discard()
            snapshot, cache_problem = _open_snapshot(roots, cache, notice)
            snapshot.replaced = "damaged"
            early = None
        fresh, changes, problem = _up_to_date(snapshot, found, progress, notice)
    except BaseException:
        pending.cancel()
        snapshot.close()
        raise
    if fresh is not snapshot:  # replaced: what ran early ran on another one
        early, cache_problem = None, problem or cache_problem
    index = Index(fresh, changes=changes, cache_problem=cache_problem)
    if early is not None and early[0] == found.fingerprint():
        return index, early[1]
    return index, _NOTHING


def _up_to_date(
    snapshot: Snapshot, found: Scan, progress: Progress | None, notice: Notice | None
) -> tuple[Snapshot, Changes, str | None]:
    """The snapshot brought up to date with what the scan found, and, when it had to be
    replaced, why: damaged (rebuilt, once), or impossible to write (a full disk: the
    corpus is read into a snapshot of this run alone, else into memory)."""
    from newsq.store.snapshot import SnapshotWriteError, is_damage

    problem = None
    rebuilt = False
    while True:
        try:
            return snapshot, _refresh(snapshot, found, progress), problem
        except SnapshotWriteError as exc:
            if snapshot.in_memory:  # (memory is the last place there is)
                snapshot.close()
                raise
            in_memory = snapshot.path is None  # a temporary one failed too
            snapshot.discard()
            problem = problem or str(exc)
            snapshot = _temporary(found.roots, in_memory=in_memory)
        except Exception as exc:
            if snapshot.path is None or not is_damage(exc) or rebuilt:
                snapshot.close()
                raise
            # Damage the opening checks could not see: start that snapshot afresh, once.
            rebuilt = True
            snapshot.discard()
            snapshot, problem = _open_snapshot(found.roots, True, notice)
            snapshot.replaced = "damaged"


def _run_early(
    snapshot: Snapshot, work: Callable[[Index], object]
) -> tuple[str | None, object] | None:
    """(the fingerprint of the files the snapshot matched, `work`'s answer on it), read in
    one transaction; None when there is nothing to run on yet or `work` failed;
    `_DAMAGED` when it found the snapshot damaged."""
    from newsq.index.facade import Index
    from newsq.store.snapshot import is_damage

    try:
        with snapshot.reading():
            seen = snapshot.fingerprint()
            if seen is None:
                return None  # a new snapshot: nothing in it yet
            return seen, work(Index(snapshot))
    except Exception as exc:
        # Whatever went wrong (a write wanted, a bad query) happens again, or not, when
        # `work` runs on the fresh index; this answer was only a head start. Damage
        # would happen again: that snapshot is replaced.
        return _DAMAGED if snapshot.path is not None and is_damage(exc) else None


def prefetch(roots: Sequence[str]) -> None:
    """Start scanning `roots` now (the stat calls go on in child processes), for the
    next load of exactly these roots to take over; see `newsq.launch`."""
    import atexit

    try:
        pending = start(roots)
    except Exception:
        # Only a head start, taken before the command line is even read: whatever
        # went wrong (a missing root, say), the load meets it again and says so.
        return
    _drop_prefetched()
    _prefetched.append((list(roots), pending))
    atexit.register(_drop_prefetched)  # never taken over: leave no child behind


def _take_prefetched(roots: Sequence[str]) -> PendingScan | None:
    """The prefetched scan if it is of these roots; any other is dropped."""
    if _prefetched:
        prefetched_roots, pending = _prefetched.pop()
        if prefetched_roots == list(roots):
            return pending
        pending.cancel()
    return None


def _drop_prefetched() -> None:
    while _prefetched:
        _prefetched.pop()[1].cancel()


def last_loaded(paths: Sequence[str | os.PathLike[str]] | None = None) -> Index | None:
    """The index of the corpus as the last run with the cache left it, without looking at
    its files (for shell completion, which must be instant); None when there is none."""
    from newsq.index.facade import Index
    from newsq.store.cache import snapshot_path
    from newsq.store.snapshot import Snapshot

    try:
        roots = data_roots(paths)
    except DataPathError:
        return None
    snapshot = Snapshot.existing(snapshot_path(roots))
    return None if snapshot is None else Index(snapshot)


def _refresh(snapshot: Snapshot, found: Scan, progress: Progress | None) -> Changes:
    """Bring the snapshot up to date with what the scan found."""
    from newsq.model import Changes

    if snapshot.fingerprint() == found.fingerprint():
        return Changes()  # the warm case: nothing was added, removed or touched
    from newsq.ingest.update import touched_only, update

    return update(snapshot, found, progress, touched=touched_only(snapshot, found))


def _open_snapshot(
    roots: Sequence[str], cache: bool, notice: Notice | None
) -> tuple[Snapshot, str | None]:
    """The snapshot to use, and why it is a temporary one when the cache could not be used."""
    from newsq.store.cache import snapshot_path
    from newsq.store.snapshot import Snapshot, SnapshotUnavailable

    if not cache:
        return _temporary(roots), None

    def waiting(pid: int | None) -> None:
        if notice is not None:
            holder = "another newsq" if pid is None else f"another newsq (pid {pid})"
            notice(f"waiting for {holder} indexing this corpus…")

    try:
        return Snapshot.open(snapshot_path(roots), roots, on_wait=waiting), None
    except SnapshotUnavailable as exc:
        return _temporary(roots), str(exc)


def _temporary(roots: Sequence[str], *, in_memory: bool = False) -> Snapshot:
    """A snapshot of this run alone: in a temporary folder, else (that cannot be written
    either) in memory."""
    import sqlite3

    from newsq.store.snapshot import Snapshot

    if not in_memory:
        try:
            return Snapshot.temporary(roots)
        except (OSError, sqlite3.Error):
            pass
    return Snapshot.temporary(roots, in_memory=True)
