"""Where a corpus lives and how it is loaded: data roots, files, ids, then the index.

Data roots come from `--data` (repeatable), else `NEWSQ_DATA` (paths separated
by `:`), else the seeds bundled with newsq. A root is a file or a folder searched
recursively for `*.md`, `*.markdown` and `*.txt`. A document's id is its path
relative to its root, without the extension, `/`-separated.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from newsq.index import Index
from newsq.indexer import Progress, touched_only, update, without_gc
from newsq.model import ERROR, WARNING, Changes, Problem, Source
from newsq.scan import DataPathError, Folder, Scan, is_regular, scan
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


def discover(roots: Sequence[str]) -> tuple[list[Source], list[Problem]]:
    """Every document file under the roots, in a stable order, and problems met on the way."""
    return sources(scan(roots))


def sources(found: Scan) -> tuple[list[Source], list[Problem]]:
    """The files of a scan as documents to index, and the problems of finding them.

    The same file reached twice (a root inside another, a link) counts once; two
    different files with one id keep the first and report the second.
    """
    with without_gc():
        return _sources(found)


def _sources(found: Scan) -> tuple[list[Source], list[Problem]]:
    files: list[Source] = []
    problems: list[Problem] = list(found.problems)
    seen_files: set[tuple[int, int]] = set()
    owner_of_id: dict[str, str] = {}
    for folder in map(Folder.by_name, found.folders):
        ids = folder.ids()
        shown = [folder.shown + name for name in folder.names]
        sizes, mtimes = folder.times[0::2], folder.times[1::2]
        inodes, devices, modes = folder.identity[0::3], folder.identity[1::3], folder.identity[2::3]
        identities = list(zip(devices, inodes, strict=True))
        if (
            _encodable(folder.absolute + "".join(folder.names))
            and (not sizes or min(sizes) >= 0)
            and len(set(identities)) == len(identities)
            and seen_files.isdisjoint(identities)
            and len(set(ids)) == len(ids)
            and owner_of_id.keys().isdisjoint(ids)
            and all(map(is_regular, modes))
        ):
            # The usual folder, taken whole: this runs for every file of a changed corpus.
            seen_files.update(identities)
            owner_of_id.update(zip(ids, shown, strict=True))
            keys = [folder.absolute + name for name in folder.names]
            files.extend(map(Source, keys, sizes, mtimes, ids, shown))
            continue
        for position, (name, doc_id, path) in enumerate(zip(folder.names, ids, shown, strict=True)):
            if not _encodable(folder.absolute + name):
                # The snapshot, JSON and the terminal all need text; the name is not.
                message = "file name is not valid UTF-8; skipped"
                problems.append(Problem(_printable(path), None, None, ERROR, message))
                continue
            error = folder.error(position)
            if error is not None:
                problems.append(Problem(path, None, None, ERROR, f"cannot read: {error.strerror}"))
                continue
            identity = identities[position]
            if identity in seen_files:
                continue
            seen_files.add(identity)
            if doc_id in owner_of_id:
                message = f"id {doc_id!r} is already taken by {owner_of_id[doc_id]}; skipped"
                problems.append(Problem(path, None, None, WARNING, message))
                continue
            if not is_regular(modes[position]):
                # A fifo or device would block or never end; never open one.
                problems.append(Problem(path, None, None, ERROR, "not a regular file"))
                continue
            owner_of_id[doc_id] = path
            key = folder.absolute + name
            files.append(Source(key, sizes[position], mtimes[position], doc_id, path))
    return files, problems


def _encodable(text: str) -> bool:
    """Whether a path is proper text (a name that was not UTF-8 decodes to surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(path: str) -> str:
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
