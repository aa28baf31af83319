"""Where a corpus lives and how it is loaded: data roots, files, ids, then the index.

Data roots come from `--data` (repeatable), else `NEWSQ_DATA` (paths separated
by `:`), else the seeds bundled with newsq. A root is a file or a folder searched
recursively for `*.md`, `*.markdown` and `*.txt`. A document's id is its path
relative to its root, without the extension, `/`-separated.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterable, Sequence
from pathlib import Path

from newsq.index import Index
from newsq.indexer import Progress, update
from newsq.model import ERROR, WARNING, Problem, Source
from newsq.snapshot import Snapshot, SnapshotUnavailable, snapshot_path

DATA_ENV = "NEWSQ_DATA"
EXTENSIONS = (".md", ".markdown", ".txt")


class DataPathError(ValueError):
    """A data root that does not exist: the user's mistake, reported as a usage error."""


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


def discover(roots: Iterable[str]) -> tuple[list[Source], list[Problem]]:
    """Every document file under the roots, in a stable order, and problems met on the way.

    The same file reached twice (a root inside another, a link) counts once; two
    different files with one id keep the first and report the second. Each file
    is stat'ed once, here: that stat is what freshness is judged by.
    """
    files: list[Source] = []
    problems: list[Problem] = []
    seen_files: set[tuple[int, int]] = set()
    owner_of_id: dict[str, str] = {}

    for root in roots:
        if not os.path.exists(root):
            raise DataPathError(f"no such file or folder: {root}")
        for path, doc_id in _walk_root(root, problems):
            try:
                stat = os.stat(path)
            except OSError as exc:
                problems.append(Problem(path, None, None, ERROR, f"cannot read: {exc.strerror}"))
                continue
            identity = (stat.st_dev, stat.st_ino)
            if identity in seen_files:
                continue
            seen_files.add(identity)
            if doc_id in owner_of_id:
                message = f"id {doc_id!r} is already taken by {owner_of_id[doc_id]}; skipped"
                problems.append(Problem(path, None, None, WARNING, message))
                continue
            if not stat_module.S_ISREG(stat.st_mode):
                # A fifo or device would block or never end; never open one.
                problems.append(Problem(path, None, None, ERROR, "not a regular file"))
                continue
            owner_of_id[doc_id] = path
            key = os.path.abspath(path)
            files.append(Source(path, key, doc_id, stat.st_size, stat.st_mtime_ns))
    return files, problems


def _walk_root(root: str, problems: list[Problem]) -> Iterable[tuple[str, str]]:
    if not os.path.isdir(root):
        # A file named on the command line is read whatever its extension.
        yield root, _strip_extension(os.path.basename(root))
        return

    visited_dirs: set[tuple[int, int]] = set()

    def on_error(exc: OSError) -> None:
        path = exc.filename or root
        problems.append(Problem(path, None, None, ERROR, f"cannot read folder: {exc.strerror}"))

    for folder, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=True):
        # Follow linked folders, but never the same folder twice (no link loops).
        stat = os.stat(folder)
        if (stat.st_dev, stat.st_ino) in visited_dirs:
            dirnames[:] = []
            continue
        visited_dirs.add((stat.st_dev, stat.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        relative_folder = os.path.relpath(folder, root)
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(EXTENSIONS):
                continue
            relative = name if relative_folder == "." else os.path.join(relative_folder, name)
            doc_id = _strip_extension(relative).replace(os.sep, "/")
            yield os.path.join(folder, name), doc_id


def _strip_extension(name: str) -> str:
    return os.path.splitext(name)[0]


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
    files, problems = discover(roots)
    snapshot, cache_problem = _open_snapshot(roots, cache)
    try:
        update(snapshot, files, progress)
    except BaseException:
        snapshot.close()
        raise
    return Index(snapshot, files, problems, cache_problem=cache_problem)


def _open_snapshot(roots: Sequence[str], cache: bool) -> tuple[Snapshot, str | None]:
    """The snapshot to use, and why it is a temporary one when the cache could not be used."""
    if cache:
        try:
            return Snapshot.open(snapshot_path(roots), roots), None
        except SnapshotUnavailable as exc:
            return Snapshot.temporary(roots), f"cannot use the cache folder {exc}"
    return Snapshot.temporary(roots), None
