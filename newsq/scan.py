"""Walking the data roots: every folder, its document files, one stat of each, and
which of them are documents (ids, one file reached twice, one id taken twice).

A root is a file or a folder searched recursively for `*.md`, `*.markdown` and
`*.txt`. A document's id is its path relative to its root, without the
extension, `/`-separated.

This runs in full on every run, warm ones included (freshness is never
skipped), so it is built for speed: names come from one listing per folder,
each file is stat'ed once relative to its open folder, stats are packed into
arrays rather than objects, and on a large corpus the stat calls are shared
among processes (`os.stat` is mostly system time, and threads only queue on
the GIL around it). `Scan.fingerprint` condenses everything found, so a warm
run can tell in one comparison that nothing changed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import mmap
import os
import stat as stat_module
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from newsq.model import ERROR, WARNING, Problem, Source

EXTENSIONS = (".md", ".markdown", ".txt")
#: From this many files, stat calls are shared among processes (where fork exists).
PARALLEL_STAT_FROM = 20_000
STAT_PROCESSES = 2

# Per file, `times` holds (size, mtime_ns) and `identity` (inode, device, mode).
# A file that could not be stat'ed has size -1 and its errno where mtime would be.
_TIMES = 2
_IDENTITY = 3
# Stat names relative to an open folder where the platform can: no path walked per file.
_BY_FOLDER_FD = os.stat in os.supports_dir_fd


class DataPathError(ValueError):
    """A data root that does not exist: the user's mistake, reported as a usage error."""


@dataclass(slots=True)
class Folder:
    """One folder's document files, as listed, with their stats packed in arrays."""

    shown: str  # the folder as the user would write it, ending in a separator
    absolute: str  # the same, absolute
    id_prefix: str | None  # the ids' folder part (`a/b/` or empty); None: a root file
    names: list[str]
    times: array[int] = field(default_factory=lambda: array("q"))
    identity: array[int] = field(default_factory=lambda: array("Q"))

    def by_name(self) -> Folder:
        """The same folder with its files sorted by name."""
        order = sorted(range(len(self.names)), key=self.names.__getitem__)
        if order == list(range(len(order))):
            return self
        times = array("q", [v for i in order for v in self.times[i * 2 : i * 2 + 2]])
        identity = array("Q", [v for i in order for v in self.identity[i * 3 : i * 3 + 3]])
        names = [self.names[i] for i in order]
        return Folder(self.shown, self.absolute, self.id_prefix, names, times, identity)

    def ids(self) -> list[str]:
        """The document id of each file: the folder part, then the name less its suffix."""
        return [self.doc_id(name) for name in self.names]

    def doc_id(self, name: str) -> str:
        if self.id_prefix is None:  # a root that is a file: any suffix, or none
            return os.path.splitext(name)[0]
        return self.id_prefix + name[: name.rfind(".")]  # listed for a document suffix

    def source(self, position: int) -> Source:
        """The file at `position` as a document to index."""
        name = self.names[position]
        size, mtime = self.times[position * _TIMES : position * _TIMES + 2]
        return Source(self.absolute + name, size, mtime, self.doc_id(name), self.shown + name)

    def error(self, position: int) -> OSError | None:
        """Why the file at `position` could not be stat'ed, if it could not."""
        if self.times[position * _TIMES] >= 0:
            return None
        code = self.times[position * _TIMES + 1]
        return OSError(code, os.strerror(code) if code else "unknown error")


@dataclass(slots=True)
class Scan:
    """What walking the roots found: folders with their files, and problems on the way."""

    roots: list[str]
    folders: list[Folder]
    problems: list[Problem]
    _fingerprint: str | None = field(default=None, repr=False)

    def fingerprint(self) -> str:
        """A digest of every name, size, mtime and inode found: equal means nothing changed."""
        if self._fingerprint is None:
            self._fingerprint = self._digest()
        return self._fingerprint

    def _digest(self) -> str:
        digest = hashlib.sha256()
        digest.update("\0".join(self.roots).encode("utf-8", "surrogateescape") + b"\1")
        for folder in self.folders:
            text = "\0".join([folder.shown, folder.absolute, *folder.names])
            digest.update(text.encode("utf-8", "surrogateescape") + b"\1")
            digest.update(folder.times.tobytes())
            digest.update(folder.identity.tobytes())
        for problem in self.problems:
            digest.update(problem.format().encode("utf-8", "surrogateescape") + b"\1")
        return digest.hexdigest()


def scan(roots: Sequence[str]) -> Scan:
    """Walk every root; raises `DataPathError` for a root that does not exist."""
    problems: list[Problem] = []
    folders: list[Folder] = []
    visited: set[tuple[int, int]] = set()
    for root in roots:
        if not os.path.exists(root):
            raise DataPathError(f"no such file or folder: {root}")
        folders.extend(_walk_root(root, problems, visited))
    _stat_all(folders)
    more = _folders_named_like_documents(folders, problems, visited)
    while more:  # rare: a folder called `news.txt` is listed as a document, then walked
        _stat_all(more)
        folders.extend(more)
        more = _folders_named_like_documents(more, problems, visited)
    return Scan(list(roots), folders, problems)


def _folders_named_like_documents(
    folders: list[Folder], problems: list[Problem], visited: set[tuple[int, int]]
) -> list[Folder]:
    """Take the entries whose stat says folder out of the files, and walk them."""
    found: list[Folder] = []
    for folder in folders:
        modes = folder.identity[2::3]
        if not modes or min(modes) >= stat_module.S_IFREG:  # no folder, fifo or device
            continue
        keep = [i for i, mode in enumerate(modes) if not stat_module.S_ISDIR(mode)]
        if len(keep) == len(modes) or folder.id_prefix is None:
            continue
        subfolders = [folder.names[i] for i, mode in enumerate(modes) if stat_module.S_ISDIR(mode)]
        folder.names = [folder.names[i] for i in keep]
        folder.times = array("q", [v for i in keep for v in folder.times[i * 2 : i * 2 + 2]])
        folder.identity = array("Q", [v for i in keep for v in folder.identity[i * 3 : i * 3 + 3]])
        for name in subfolders:
            start = (folder.shown + name + os.sep, folder.absolute + name + os.sep)
            found.extend(_walk_folder(*start, folder.id_prefix + name + "/", problems, visited))
    return found


# --- which files are documents -----------------------------------------------------------------


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
            and all(map(stat_module.S_ISREG, modes))
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
            if not stat_module.S_ISREG(modes[position]):
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
    """A path whose bytes are not all UTF-8, with those bytes as `\\xff` escapes (findable)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """Pause the cycle collector while building many small acyclic objects (a tuple per file).

    Otherwise it runs every few hundred allocations and walks them all again:
    about a fifth of the time of comparing a large corpus file by file, for
    garbage that cannot exist.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- listing ---------------------------------------------------------------------------------


def _walk_root(
    root: str, problems: list[Problem], visited: set[tuple[int, int]]
) -> Iterator[Folder]:
    """Each folder under `root` with its document files, depth first, folders by name.

    Hidden files and folders are skipped; linked folders are followed, never
    twice (no link loops). A root that is a file is a folder of one.
    """
    if not os.path.isdir(root):
        # A file named on the command line is read whatever its extension.
        name = os.path.basename(root)
        absolute = os.path.join(os.path.dirname(os.path.abspath(root)), "")
        yield Folder(root[: len(root) - len(name)], absolute, None, [name])
        return
    shown = root if root.endswith(os.sep) else root + os.sep
    yield from _walk_folder(shown, os.path.join(os.path.abspath(root), ""), "", problems, visited)


def _walk_folder(
    shown: str,
    absolute: str,
    id_prefix: str,
    problems: list[Problem],
    visited: set[tuple[int, int]],
) -> Iterator[Folder]:
    stack = [(shown, absolute, id_prefix)]
    while stack:
        shown, absolute, id_prefix = stack.pop()
        try:
            folder = os.stat(absolute)
            if (folder.st_dev, folder.st_ino) in visited:
                continue
            visited.add((folder.st_dev, folder.st_ino))
            names, subfolders = _list_folder(absolute)
        except OSError as exc:
            message = f"cannot read folder: {exc.strerror}"
            problems.append(Problem(shown.rstrip(os.sep) or shown, None, None, ERROR, message))
            continue
        yield Folder(shown, absolute, id_prefix, names)
        for name in reversed(subfolders):
            stack.append((shown + name + os.sep, absolute + name + os.sep, id_prefix + name + "/"))


def _list_folder(absolute: str) -> tuple[list[str], list[str]]:
    """Names that look like documents, as listed, and subfolders, sorted.

    One plain listing and string tests: a folder may hold 100,000 entries. Only
    the other entries (few, usually) are looked at to find the subfolders; a
    folder named like a document is found when it is stat'ed. Names stay in the
    listing's order, which is stable while a folder is unchanged: sorting is
    left to when something did change (`Folder.by_name`).
    """
    visible = [name for name in os.listdir(absolute) if not name.startswith(".")]
    names = [name for name in visible if name.lower().endswith(EXTENSIONS)]
    subfolders = []
    if len(names) < len(visible):
        others = [name for name in visible if not name.lower().endswith(EXTENSIONS)]
        if len(others) > 256:  # many: their types come with a listing, without a stat each
            wanted = set(others)
            with os.scandir(absolute) as listing:
                subfolders = [e.name for e in listing if e.name in wanted and _is_folder(e)]
        else:
            subfolders = [name for name in others if os.path.isdir(absolute + name)]
    subfolders.sort()
    return names, subfolders


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


# --- stat'ing --------------------------------------------------------------------------------


def _stat_all(folders: list[Folder]) -> None:
    """Fill each folder's `times` and `identity`, sharing the work among processes if large."""
    total = sum(len(f.names) for f in folders)
    if total >= PARALLEL_STAT_FROM and _can_fork():
        parts = _split_work(folders, STAT_PROCESSES)
        if _stat_in_processes(folders, parts):
            return
    for folder in folders:
        folder.times, folder.identity = _stat_names(folder, 0, len(folder.names))


def _can_fork() -> bool:
    """Fork only on Linux and only while this process has one thread: a fork copies
    no other thread, so a lock one of them held would stay held in the child."""
    if not (hasattr(os, "fork") and sys.platform.startswith("linux")):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _stat_names(folder: Folder, start: int, end: int) -> tuple[array[int], array[int]]:
    times, identity = array("q"), array("Q")
    names = folder.names[start:end]
    fd = None
    if _BY_FOLDER_FD and len(folder.names) > 1:
        try:
            fd = os.open(folder.absolute, os.O_RDONLY)
        except OSError:
            fd = None
    try:
        for name in names:
            try:
                if fd is not None:
                    result = os.stat(name, dir_fd=fd)
                else:
                    result = os.stat(folder.absolute + name)
            except OSError as exc:
                times.extend((-1, exc.errno or 0))
                identity.extend((0, 0, 0))
                continue
            times.extend((result.st_size, result.st_mtime_ns))
            identity.extend((result.st_ino, result.st_dev, result.st_mode))
    finally:
        if fd is not None:
            os.close(fd)
    return times, identity


def _split_work(folders: list[Folder], parts: int) -> list[list[tuple[int, int, int]]]:
    """Cut the files into `parts` runs of (folder index, start, end), about equal in size."""
    total = sum(len(f.names) for f in folders)
    share = -(-total // parts)
    work: list[list[tuple[int, int, int]]] = [[]]
    room = share
    for index, folder in enumerate(folders):
        start = 0
        while start < len(folder.names):
            if room == 0:
                work.append([])
                room = share
            end = min(len(folder.names), start + room)
            work[-1].append((index, start, end))
            room -= end - start
            start = end
    return work


def _stat_in_processes(folders: list[Folder], parts: list[list[tuple[int, int, int]]]) -> bool:
    """Stat each part in a forked child writing into shared memory; False if any child failed.

    Forked before any thread or database exists in this process, and the
    children only stat and copy numbers, so forking is safe here.
    """
    sizes = [sum(end - start for _, start, end in part) for part in parts]
    stride = 8 * (_TIMES + _IDENTITY)
    memories = [mmap.mmap(-1, max(1, n * stride)) for n in sizes]
    children = []
    try:
        for part, memory in zip(parts[1:], memories[1:], strict=True):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child, measured by its output
                _child_stats(folders, part, memory)
            children.append(pid)
        _write_stats(folders, parts[0], memories[0])  # this process takes the first share
        ok = True
        for pid in children:
            _, status = os.waitpid(pid, 0)
            ok = ok and os.waitstatus_to_exitcode(status) == 0
        children = []
        if not ok:
            return False
        for part, memory, n in zip(parts, memories, sizes, strict=True):
            times = array("q", memory[: n * 8 * _TIMES])
            identity = array("Q", memory[n * 8 * _TIMES : n * stride])
            offset = 0
            for index, start, end in part:
                count = end - start
                folder = folders[index]
                folder.times.extend(times[offset * _TIMES : (offset + count) * _TIMES])
                folder.identity.extend(identity[offset * _IDENTITY : (offset + count) * _IDENTITY])
                offset += count
        return True
    finally:
        for pid in children:  # interrupted: leave no child behind
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
        for memory in memories:
            memory.close()


def _child_stats(
    folders: list[Folder], part: list[tuple[int, int, int]], memory: mmap.mmap
) -> None:  # pragma: no cover - runs in a forked child
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly
    code = 1
    try:
        _write_stats(folders, part, memory)
        code = 0
    finally:
        os._exit(code)


def _write_stats(
    folders: list[Folder], part: list[tuple[int, int, int]], memory: mmap.mmap
) -> None:
    """Stat a share of the files into `memory`: all their times, then all their identities."""
    all_times, all_identity = array("q"), array("Q")
    for index, start, end in part:
        times, identity = _stat_names(folders[index], start, end)
        all_times.extend(times)
        all_identity.extend(identity)
    memory[: len(all_times) * 8] = all_times.tobytes()
    memory[len(all_times) * 8 : len(all_times) * 8 + len(all_identity) * 8] = all_identity.tobytes()
