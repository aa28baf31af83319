"""Where a corpus lives and how it is loaded: data roots, then scan, snapshot and index.

Data roots come from `--data` (repeatable), else `NEWSQ_DATA` (paths separated
by `:`), else the seeds bundled with newsq. Finding the documents under them is
`newsq.scan`'s job; keeping them parsed, `newsq.snapshot`'s and `newsq.indexer`'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from newsq.index import Index
from newsq.indexer import Progress, touched_only, update
from newsq.model import Changes
from newsq.scan import DataPathError, Scan, scan
from newsq.snapshot import (
    Snapshot,
    SnapshotUnavailable,
    is_damage,
    remove_files,
    snapshot_path,
)

DATA_ENV = "NEWSQ_DATA"


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


def load(
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    cache: bool = True,
    progress: Progress | None = None,
) -> Index:
    """Load a corpus into an `Index`: the given paths, else `NEWSQ_DATA`, else the seeds.

    With `cache` (the default) the parsed corpus is kept in a snapshot in the
    user's cache folder, and only files changed since the last run are parsed
    again; without it, or when the cache folder is unusable, everything is
    parsed into a temporary snapshot that goes when the index is closed.
    `progress(done, total)` is called while files are parsed.

    Files that cannot be read as documents are skipped; their problems, and
    warnings about the ones that loaded, are in `index.problems`.
    Raises `DataPathError` when a given path does not exist.
    """
    roots = data_roots(paths)
    found = scan(roots)  # first: it may fork, which is safe before any database is open
    snapshot, cache_problem = _open_snapshot(roots, cache)
    try:
        changes = _refresh(snapshot, found, progress)
    except Exception as exc:
        snapshot.close()
        if snapshot.path is None or not is_damage(exc):
            raise
        # Damage the opening checks could not see: start that snapshot afresh, once.
        remove_files(snapshot.path)
        snapshot, cache_problem = _open_snapshot(roots, cache)
        changes = _refresh(snapshot, found, progress)
    except BaseException:
        snapshot.close()
        raise
    return Index(snapshot, changes=changes, cache_problem=cache_problem)


def last_loaded(paths: Sequence[str | os.PathLike[str]] | None = None) -> Index | None:
    """The index of the corpus as the last run with the cache left it, without looking at
    its files (for shell completion, which must be instant); None when there is none."""
    try:
        roots = data_roots(paths)
    except DataPathError:
        return None
    snapshot = Snapshot.existing(snapshot_path(roots))
    return None if snapshot is None else Index(snapshot)


def _refresh(snapshot: Snapshot, found: Scan, progress: Progress | None) -> Changes:
    """Bring the snapshot up to date with what the scan found."""
    if snapshot.fingerprint() == found.fingerprint():
        return Changes()  # the warm case: nothing was added, removed or touched
    return update(snapshot, found, progress, touched=touched_only(snapshot, found))


def _open_snapshot(roots: Sequence[str], cache: bool) -> tuple[Snapshot, str | None]:
    """The snapshot to use, and why it is a temporary one when the cache could not be used."""
    if cache:
        try:
            return Snapshot.open(snapshot_path(roots), roots), None
        except SnapshotUnavailable as exc:
            return Snapshot.temporary(roots), f"cannot use the cache folder {exc}"
    return Snapshot.temporary(roots), None
