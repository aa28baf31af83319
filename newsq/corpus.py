"""Where a corpus lives and how it is loaded: data roots, files, ids, then the index.

Data roots come from `--data` (repeatable), else `NEWSQ_DATA` (paths separated
by `:`), else the seeds bundled with newsq. A root is a file or a folder searched
recursively for `*.md`, `*.markdown` and `*.txt`. A document's id is its path
relative to its root, without the extension, `/`-separated.
"""

from __future__ import annotations

import functools
import os
import stat as stat_module
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsq.index import Index
from newsq.indexer import Progress, update, without_gc
from newsq.model import ERROR, WARNING, Problem, Source
from newsq.snapshot import (
    Snapshot,
    SnapshotUnavailable,
    is_damage,
    remove_files,
    snapshot_path,
)

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
    with without_gc():
        return _discover(roots)


def _discover(roots: Iterable[str]) -> tuple[list[Source], list[Problem]]:
    files: list[Source] = []
    problems: list[Problem] = []
    seen_files: set[tuple[int, int]] = set()
    owner_of_id: dict[str, str] = {}

    for root in roots:
        if not os.path.exists(root):
            raise DataPathError(f"no such file or folder: {root}")
        for folder in _walk_root(root, problems):
            ids = folder.ids
            shown = [folder.shown + name for name in folder.names]
            stats = folder.stats
            identities = [(s.st_dev, s.st_ino) for s in stats if s is not None]
            if (
                len(identities) == len(stats)
                and len(set(identities)) == len(identities)
                and seen_files.isdisjoint(identities)
                and len(set(ids)) == len(ids)
                and owner_of_id.keys().isdisjoint(ids)
                and all(stat_module.S_ISREG(s.st_mode) for s in stats)  # type: ignore[union-attr]
            ):
                # The usual folder, taken whole: this runs for every file on every run.
                seen_files.update(identities)
                owner_of_id.update(zip(ids, shown, strict=True))
                keys = [folder.absolute + name for name in folder.names]
                sizes = [s.st_size for s in stats]  # type: ignore[union-attr]
                mtimes = [s.st_mtime_ns for s in stats]  # type: ignore[union-attr]
                files.extend(map(Source, keys, sizes, mtimes, ids, shown))
                continue
            for name, doc_id, path, stat in zip(folder.names, ids, shown, stats, strict=True):
                if stat is None:
                    reason = folder.errors[name].strerror
                    problems.append(Problem(path, None, None, ERROR, f"cannot read: {reason}"))
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
                key = folder.absolute + name
                files.append(Source(key, stat.st_size, stat.st_mtime_ns, doc_id, path))
    return files, problems


@dataclass(slots=True)
class _Folder:
    """One folder's document files: names sorted, with the stat of each (None: see errors)."""

    shown: str  # the folder as the user would write it, ending in a separator
    absolute: str  # the same, absolute
    names: list[str]
    ids: list[str]
    stats: list[os.stat_result | None]
    errors: dict[str, OSError]


# Stat names relative to an open folder where the platform can: no path walked per file.
_BY_FOLDER_FD = os.stat in os.supports_dir_fd and os.scandir in os.supports_fd
#: A folder with more files than this is stat'ed by several threads (os.stat frees the GIL).
THREADED_STAT_FROM = 2000


def _walk_root(root: str, problems: list[Problem]) -> Iterator[_Folder]:
    """Each folder under `root` with its document files, depth first, folders by name.

    Hidden files and folders are skipped; linked folders are followed, never
    twice (no link loops). A root that is a file is a folder of one.
    """
    if not os.path.isdir(root):
        # A file named on the command line is read whatever its extension.
        name = os.path.basename(root)
        absolute = os.path.join(os.path.dirname(os.path.abspath(root)), "")
        stats, errors = _stat_names([root], None)
        errors = {name: next(iter(errors.values()))} if errors else {}
        shown = root[: len(root) - len(name)]
        yield _Folder(shown, absolute, [name], [_strip_extension(name)], stats, errors)
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
            if _BY_FOLDER_FD:
                stats, errors = _stat_names(names, fd)
            else:  # pragma: no cover - Windows
                stats, errors = _stat_names([absolute + name for name in names], None)
                errors = {name[len(absolute) :]: error for name, error in errors.items()}
            ids = [id_prefix + name[: name.rfind(".")] for name in names]  # all have a suffix
            yield _Folder(shown, absolute, names, ids, stats, errors)
            for name in reversed(folders):
                stack.append(
                    (shown + name + os.sep, absolute + name + os.sep, id_prefix + name + "/")
                )
        finally:
            os.close(fd)


def _stat_names(
    names: list[str], fd: int | None
) -> tuple[list[os.stat_result | None], dict[str, OSError]]:
    """The stat of each name (relative to the folder `fd`), None for those that failed."""
    stat = functools.partial(os.stat, dir_fd=fd) if fd is not None else os.stat

    def stat_all(part: list[str]) -> list[os.stat_result | None]:
        try:
            return list(map(stat, part))  # the whole loop in C while nothing fails
        except OSError:
            return [_stat_or_none(stat, name) for name in part]

    if len(names) < THREADED_STAT_FROM:
        stats = stat_all(names)
    else:
        from concurrent.futures import ThreadPoolExecutor

        size = len(names) // 8 + 1
        with ThreadPoolExecutor(4) as pool:
            parts = pool.map(stat_all, [names[i : i + size] for i in range(0, len(names), size)])
            stats = [s for part in parts for s in part]
    errors = {}
    if None in stats:
        for name, result in zip(names, stats, strict=True):
            if result is None:
                try:
                    stat(name)
                except OSError as exc:
                    errors[name] = exc
    return stats, errors


def _stat_or_none(stat: Callable[[str], os.stat_result], name: str) -> os.stat_result | None:
    try:
        return stat(name)
    except OSError:
        return None


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
    except Exception as exc:
        snapshot.close()
        if snapshot.path is None or not is_damage(exc):
            raise
        # Damage the opening checks could not see: start that snapshot afresh, once.
        remove_files(snapshot.path)
        snapshot, cache_problem = _open_snapshot(roots, cache)
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
