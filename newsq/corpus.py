"""Where a corpus lives and how it is loaded: data roots, files, ids, then the index.

Data roots come from `--data` (repeatable), else `NEWSQ_DATA` (paths separated
by `:`), else the seeds bundled with newsq. A root is a file or a folder searched
recursively for `*.md`, `*.markdown` and `*.txt`. A document's id is its path
relative to its root, without the extension, `/`-separated.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterable, Iterator, Sequence
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
        for path, key, doc_id, stat in _walk_root(root, problems):
            if isinstance(stat, OSError):
                problems.append(Problem(path, None, None, ERROR, f"cannot read: {stat.strerror}"))
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
            files.append(Source(key, stat.st_size, stat.st_mtime_ns, doc_id, path))
    return files, problems


_Found = tuple[str, str, str, "os.stat_result | OSError"]
# Stat names relative to an open folder where the platform can: no path walked per file.
_BY_FOLDER_FD = os.stat in os.supports_dir_fd and os.scandir in os.supports_fd


def _walk_root(root: str, problems: list[Problem]) -> Iterator[_Found]:
    """(path as shown, absolute path, id, stat or the error) of each document file, in order.

    Files of a folder come by name, then its subfolders, depth first. Hidden
    files and folders are skipped; linked folders are followed, never twice (no
    link loops). This runs for every file on every run, so it does plain string
    work and one stat per file, relative to the open folder.
    """
    if not os.path.isdir(root):
        # A file named on the command line is read whatever its extension.
        try:
            stat: os.stat_result | OSError = os.stat(root)
        except OSError as exc:
            stat = exc
        yield root, os.path.abspath(root), _strip_extension(os.path.basename(root)), stat
        return

    visited: set[tuple[int, int]] = set()
    shown_root = root if root.endswith(os.sep) else root + os.sep
    stack = [(shown_root, os.path.join(os.path.abspath(root), ""), "")]
    while stack:
        shown, absolute, id_prefix = stack.pop()
        try:
            fd = os.open(absolute, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as exc:
            message = f"cannot read folder: {exc.strerror}"
            problems.append(Problem(shown.rstrip(os.sep) or shown, None, None, ERROR, message))
            continue
        try:
            folder = os.fstat(fd)
            if (folder.st_dev, folder.st_ino) in visited:
                continue
            visited.add((folder.st_dev, folder.st_ino))
            with os.scandir(fd if _BY_FOLDER_FD else absolute) as listing:
                names, folders = _split_listing(listing)
            for name in names:
                try:
                    stat = os.stat(name, dir_fd=fd) if _BY_FOLDER_FD else os.stat(absolute + name)
                except OSError as exc:
                    stat = exc
                yield shown + name, absolute + name, id_prefix + name[: name.rfind(".")], stat
            for name in reversed(folders):
                stack.append(
                    (shown + name + os.sep, absolute + name + os.sep, id_prefix + name + "/")
                )
        finally:
            os.close(fd)


def _split_listing(listing: Iterable[os.DirEntry[str]]) -> tuple[list[str], list[str]]:
    """Document file names and subfolder names of a folder listing, each sorted."""
    names, folders = [], []
    for entry in listing:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            is_folder = entry.is_dir()  # follows links; from the listing itself, mostly
        except OSError:
            is_folder = False
        if is_folder:
            folders.append(name)
        elif name.lower().endswith(EXTENSIONS):
            names.append(name)
    names.sort()
    folders.sort()
    return names, folders


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
        changes = update(snapshot, files, progress)
    except BaseException:
        snapshot.close()
        raise
    return Index(snapshot, files, problems, changes=changes, cache_problem=cache_problem)


def _open_snapshot(roots: Sequence[str], cache: bool) -> tuple[Snapshot, str | None]:
    """The snapshot to use, and why it is a temporary one when the cache could not be used."""
    if cache:
        try:
            return Snapshot.open(snapshot_path(roots), roots), None
        except SnapshotUnavailable as exc:
            return Snapshot.temporary(roots), f"cannot use the cache folder {exc}"
    return Snapshot.temporary(roots), None
