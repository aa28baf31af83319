"""Walking the data roots: every folder, its document files, one stat of each, and
which of them are documents (ids, one file reached twice, one id taken twice).

A root is a file or a folder searched recursively for `*.md`, `*.markdown` and
`*.txt`. A document's id is its path relative to its root, without the
extension, `/`-separated.

This runs in full on every run, warm ones included (freshness is never
skipped), so it is built for speed: names come from one listing per folder
and stay bytes, each file is stat'ed once relative to its open folder, stats
are packed into arrays rather than objects, and on a large corpus the stat
calls are made by child processes (`os.stat` is mostly system time, and
threads only queue on the GIL around it) while this one goes on: `start`
returns a `PendingScan` at once, so a query can run meanwhile (see
`newsq.corpus.load_and_run`). `Scan.fingerprint` condenses everything found,
so a warm run can tell in one comparison that nothing changed.
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
_SUFFIXES = tuple(e.encode() for e in EXTENSIONS)
#: From this many files, stat calls are shared among processes (where fork exists).
PARALLEL_STAT_FROM = 20_000
STAT_PROCESSES = 2

# Per file, `times` holds (size, mtime_ns) and `identity` (inode, device, mode).
# A file that could not be stat'ed has size -1 and its errno where mtime would be.
_TIMES = 2
_IDENTITY = 3
_STRIDE = 8 * (_TIMES + _IDENTITY)  # bytes per file in the shared memory
#: Files per piece of the stat work that processes take in turn.
STAT_PIECE = 1024
_MAX_PIECES = 4096  # their numbers, 4 bytes each, fit in any pipe's buffer
# Stat names relative to an open folder where the platform can: no path walked per file.
_BY_FOLDER_FD = os.stat in os.supports_dir_fd


class DataPathError(ValueError):
    """A data root that does not exist: the user's mistake, reported as a usage error."""


@dataclass(slots=True)
class Folder:
    """One folder's document files, as listed, with their stats packed in arrays.

    Names are kept as the bytes the folder listed (`listed`): a warm run stats,
    compares and fingerprints them as bytes and never needs them as text.
    `names` decodes them the first time they are asked for; `packed` is them
    joined by NULs, as the fingerprint and the snapshot take them.
    """

    shown: str  # the folder as the user would write it, ending in a separator
    absolute: str  # the same, absolute
    id_prefix: str | None  # the ids' folder part (`a/b/` or empty); None: a root file
    listed: list[bytes]
    times: array[int] = field(default_factory=lambda: array("q"))
    identity: array[int] = field(default_factory=lambda: array("Q"))
    _names: list[str] | None = field(default=None, repr=False)
    _packed: bytes | None = field(default=None, repr=False)

    @property
    def names(self) -> list[str]:
        """The file names as text (bytes that are not UTF-8 decode to surrogates)."""
        if self._names is None:
            # One decode for the folder: names cannot hold NUL, so splitting is exact.
            self._names = os.fsdecode(self.packed).split("\0") if self.listed else []
        return self._names

    def forget_names(self) -> None:
        """Drop the names decoded as text (they are decoded again if asked for): 75 MiB
        at 1,000,000 files."""
        self._names = None

    @property
    def packed(self) -> bytes:
        """The file names as listed, joined by NULs."""
        if self._packed is None:
            self._packed = b"\0".join(self.listed)
        return self._packed

    def keep(self, positions: Sequence[int]) -> None:
        """Keep only the files at these positions (in this order), with their stats."""
        self.listed = [self.listed[i] for i in positions]
        self._names = self._packed = None
        self.times = array("q", [v for i in positions for v in self.times[i * 2 : i * 2 + 2]])
        self.identity = array("Q", [v for i in positions for v in self.identity[i * 3 : i * 3 + 3]])

    def by_name(self) -> Folder:
        """The same folder with its files sorted by name."""
        names = self.names
        order = sorted(range(len(names)), key=names.__getitem__)
        if order == list(range(len(order))):
            return self
        ordered = Folder(
            self.shown, self.absolute, self.id_prefix, self.listed, self.times, self.identity
        )
        ordered.keep(order)
        return ordered

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

    def file_count(self) -> int:
        """How many document files the folders list (before any is found a duplicate)."""
        return sum(len(folder.listed) for folder in self.folders)

    def fingerprint(self) -> str:
        """A digest of every name, size, mtime and inode found: equal means nothing changed."""
        if self._fingerprint is None:
            self._fingerprint = self._digest()
        return self._fingerprint

    def _digest(self) -> str:
        digest = hashlib.sha256()
        digest.update("\0".join(self.roots).encode("utf-8", "surrogateescape") + b"\1")
        for folder in self.folders:
            digest.update(f"{folder.shown}\0{folder.absolute}".encode("utf-8", "surrogateescape"))
            if folder.listed:  # (the same bytes as hashing them joined: a digest streams)
                digest.update(b"\0")
                digest.update(folder.packed)
            digest.update(b"\1")
            digest.update(folder.times.tobytes())
            digest.update(folder.identity.tobytes())
        for problem in self.problems:
            digest.update(problem.format().encode("utf-8", "surrogateescape") + b"\1")
        return digest.hexdigest()


def scan(roots: Sequence[str]) -> Scan:
    """Walk every root; raises `DataPathError` for a root that does not exist."""
    return start(roots, background=False).result()


def start(roots: Sequence[str], *, background: bool = True) -> PendingScan:
    """Walk every root now; stat the files in other processes while this one goes on.

    With `background`, on a large corpus where processes can be forked, child
    processes set to work and this returns at once: `PendingScan.result()` takes
    the pieces left, waits for them and fills the folders. Otherwise this process
    works alongside them and returns when every file is stat'ed. Raises
    `DataPathError` for a root that does not exist.
    """
    problems: list[Problem] = []
    folders: list[Folder] = []
    visited: set[tuple[int, int]] = set()
    for root in roots:
        if not os.path.exists(root):
            raise DataPathError(f"no such file or folder: {root}")
        folders.extend(_walk_root(root, problems, visited))
    stats = _stat_all(folders, background=background)
    return PendingScan(list(roots), folders, problems, visited, stats)


class PendingScan:
    """A scan whose files may still be being stat'ed by child processes."""

    def __init__(
        self,
        roots: list[str],
        folders: list[Folder],
        problems: list[Problem],
        visited: set[tuple[int, int]],
        stats: _StatWork | None,
    ) -> None:
        self._roots = roots
        self._folders = folders
        self._problems = problems
        self._visited = visited
        self._stats = stats  # the children still at work, if any

    @property
    def running(self) -> bool:
        """Whether other processes are stat'ing the files (so this one is free meanwhile)."""
        return self._stats is not None

    def result(self) -> Scan:
        """The scan, once every file is stat'ed."""
        if self._stats is not None:
            stats, self._stats = self._stats, None
            stats.finish()
        folders, problems, visited = self._folders, self._problems, self._visited
        more = _folders_named_like_documents(folders, problems, visited)
        while more:  # rare: a folder called `news.txt` is listed as a document, then walked
            _stat_all(more, background=False)
            folders.extend(more)
            more = _folders_named_like_documents(more, problems, visited)
        return Scan(self._roots, folders, problems)

    def cancel(self) -> None:
        """Stop the child processes, if any are still at work (the scan is not wanted)."""
        if self._stats is not None:
            stats, self._stats = self._stats, None
            stats.kill()


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
        folder.keep(keep)
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
        documents = Documents(found)
        return list(documents), documents.problems


#: Files whose names are decoded at once while a folder's documents are made.
_DECODED_AT_ONCE = 1024


class Documents:
    """The files of a scan as documents to index (see `sources`), made as they are iterated.

    Which files are documents, and the problems of the others, are worked out
    when this is made; each folder then keeps only the positions of its
    documents, in order, and a document's `Source` (its key, path and id as text)
    is made when iteration reaches it. A list of every `Source` held through a
    build was 0.8 GiB at 1,000,000 files; these positions are 4 bytes a file.
    `problems` is complete from the start; iterating again makes the same sources.
    """

    def __init__(self, found: Scan) -> None:
        self.problems: list[Problem] = list(found.problems)
        self._folders: list[tuple[Folder, array[int]]] = []
        self._count = 0
        folders = found.folders
        # Two different folders can give the same id only when their ids have the same
        # folder part (a name holds no `/`): the same layout under two roots, say. Ids
        # are remembered only while a folder with the same folder part is still to come.
        groups = [_id_group(folder) for folder in folders]
        last_of_group = {group: number for number, group in enumerate(groups)}
        owners: dict[str, dict[str, str]] = {}  # id -> the path shown of the file that has it
        twice = _reached_twice(folders)
        seen_files: set[int] = set()  # of those reached twice, the ones met
        for number, folder in enumerate(folders):
            group = groups[number]
            owner_of_id = owners.setdefault(group, {})
            more_to_come = last_of_group[group] != number
            order = _name_order(folder)
            if _taken_whole(folder, twice, owner_of_id):
                # The usual folder: every file is a document, and nothing is made per file.
                kept = order
                if more_to_come:
                    names = folder.names
                    owner_of_id.update(
                        (folder.doc_id(names[p]), folder.shown + names[p]) for p in order
                    )
            else:
                kept = self._one_by_one(folder, order, twice, seen_files, owner_of_id)
            if not more_to_come:
                del owners[group]
            folder.forget_names()  # (decoded again, a few at a time, while iterating)
            if kept:
                self._folders.append((folder, kept))
                self._count += len(kept)

    def _one_by_one(
        self,
        folder: Folder,
        order: array[int],
        twice: set[int],
        seen_files: set[int],
        owner_of_id: dict[str, str],
    ) -> array[int]:
        """The positions of the folder's documents, with the problems of its other files."""
        problems = self.problems
        kept = array("I")
        names = folder.names
        inodes, devices, modes = folder.identity[0::3], folder.identity[1::3], folder.identity[2::3]
        for position in order:
            name = names[position]
            path = folder.shown + name
            if not _encodable(folder.absolute + name):
                # The snapshot, JSON and the terminal all need text; the name is not.
                message = "file name is not valid UTF-8; skipped"
                problems.append(Problem(_printable(path), None, None, ERROR, message))
                continue
            error = folder.error(position)
            if error is not None:
                problems.append(Problem(path, None, None, ERROR, f"cannot read: {error.strerror}"))
                continue
            identity = devices[position] << 64 | inodes[position]
            if identity in twice:
                if identity in seen_files:
                    continue
                seen_files.add(identity)
            doc_id = folder.doc_id(name)
            if doc_id in owner_of_id:
                problems.append(_id_taken(path, doc_id, owner_of_id[doc_id]))
                continue
            if not stat_module.S_ISREG(modes[position]):
                # A fifo or device would block or never end; never open one.
                problems.append(Problem(path, None, None, ERROR, "not a regular file"))
                continue
            owner_of_id[doc_id] = path
            kept.append(position)
        return kept

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Source]:
        for folder, kept in self._folders:
            yield from _folder_sources(folder, kept)


def _folder_sources(folder: Folder, kept: array[int]) -> Iterator[Source]:
    listed, times, shown, absolute = folder.listed, folder.times, folder.shown, folder.absolute
    # The path as the user wrote it is often the absolute one (a root given absolute): then
    # the key is the same string (sent to a worker once).
    same = shown == absolute
    for start in range(0, len(kept), _DECODED_AT_ONCE):
        positions = kept[start : start + _DECODED_AT_ONCE]
        # One decode for the lot: names cannot hold NUL, so splitting is exact.
        names = os.fsdecode(b"\0".join([listed[p] for p in positions])).split("\0")
        for position, name in zip(positions, names, strict=True):
            path = shown + name
            key = path if same else absolute + name
            size, mtime = times[position * _TIMES], times[position * _TIMES + 1]
            yield Source(key, size, mtime, folder.doc_id(name), path)


def _id_group(folder: Folder) -> str:
    """The folder part of the folder's ids: ids of folders with different ones differ."""
    return folder.id_prefix or ""


def _name_order(folder: Folder) -> array[int]:
    """The positions of the folder's files, sorted by name (as text)."""
    count = len(folder.listed)
    if folder.packed.isascii():  # then bytes sort as their text does, and need no decoding
        keys: list[bytes] | list[str] = folder.listed
    else:
        keys = folder.names
    return array("I", sorted(range(count), key=keys.__getitem__))


def _taken_whole(folder: Folder, twice: set[int], owner_of_id: dict[str, str]) -> bool:
    """Whether every file of the folder is a document: each readable, regular, reached
    once, with a text name and an id of its own. Tested for the folder at once."""
    times, identity = folder.times, folder.identity
    if not times:
        return True
    if min(times[0::2]) < 0:  # a file that could not be stat'ed
        return False
    modes = identity[2::3]
    # A mode in that range is a regular file's (the bits below the type are the permissions).
    regular = min(modes) >= stat_module.S_IFREG and max(modes) < stat_module.S_IFREG + 0o10000
    if not regular and not all(map(stat_module.S_ISREG, modes)):
        return False
    if twice and not twice.isdisjoint(
        device << 64 | inode for inode, device in zip(identity[0::3], identity[1::3], strict=True)
    ):
        return False
    packed = folder.packed
    if not _encodable(folder.absolute) or not (packed.isascii() or _encodable(os.fsdecode(packed))):
        return False
    if not owner_of_id and _one_extension(packed, len(folder.listed)):
        return True  # distinct names with one extension: distinct ids
    ids = folder.ids()
    return len(set(ids)) == len(ids) and owner_of_id.keys().isdisjoint(ids)


def _one_extension(packed: bytes, count: int) -> bool:
    """Whether every name (joined by NULs in `packed`) ends in the same extension as the
    first, spelt the same: the names less their extension then differ as the names do."""
    end = packed.find(b"\0")
    first = packed if end < 0 else packed[:end]
    dot = first.rfind(b".")
    if dot < 0:
        return count == 1
    extension = first[dot:]
    return packed.count(extension + b"\0") + packed.endswith(extension) == count


def _reached_twice(folders: Sequence[Folder]) -> set[int]:
    """The identities (device and inode in one int) of the files listed more than once:
    the same file reached by two roots or through a link. Usually none, found with a
    set of inodes per device that lasts only while this runs."""
    inodes_of: dict[int, set[int]] = {}
    listed = 0
    for folder in folders:
        inodes, devices = folder.identity[0::3], folder.identity[1::3]
        listed += len(inodes)
        if inodes and min(devices) == max(devices):
            inodes_of.setdefault(devices[0], set()).update(inodes)
        else:
            for inode, device in zip(inodes, devices, strict=True):
                inodes_of.setdefault(device, set()).add(inode)
    if sum(map(len, inodes_of.values())) == listed:
        return set()
    del inodes_of
    met: set[int] = set()
    twice: set[int] = set()
    for folder in folders:
        identity = folder.identity
        for inode, device in zip(identity[0::3], identity[1::3], strict=True):
            key = device << 64 | inode
            if key in met:
                twice.add(key)
            met.add(key)
    return twice


_ID_TAKEN = " is already taken by "


def _id_taken(path: str, doc_id: str, owner: str) -> Problem:
    message = f"id {doc_id!r}{_ID_TAKEN}{owner}; skipped"
    return Problem(path, None, None, WARNING, message)


def is_id_taken(problem: Problem) -> bool:
    """Whether `problem` says a file was left out because another has its id (with two
    roots holding the same names, say)."""
    return (
        problem.severity == WARNING
        and problem.line is None
        and problem.message.startswith("id ")
        and _ID_TAKEN in problem.message
    )


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
        yield Folder(root[: len(root) - len(name)], absolute, None, [os.fsencode(name)])
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
            names, subfolders, packed = _list_folder(absolute)
        except OSError as exc:
            message = f"cannot read folder: {exc.strerror}"
            problems.append(Problem(shown.rstrip(os.sep) or shown, None, None, ERROR, message))
            continue
        yield Folder(shown, absolute, id_prefix, names, _packed=packed)
        for name in reversed(subfolders):
            stack.append((shown + name + os.sep, absolute + name + os.sep, id_prefix + name + "/"))


def _list_folder(absolute: str) -> tuple[list[bytes], list[str], bytes | None]:
    """Names that look like documents, as listed (bytes), subfolders, sorted, and the
    names joined by NULs when that was worked out on the way.

    One plain listing and bytes tests: a folder may hold 100,000 entries, and
    names as bytes are never decoded or encoded again on a warm run. Only the
    other entries (few, usually) are looked at to find the subfolders; a folder
    named like a document is found when it is stat'ed. Names stay in the
    listing's order, which is stable while a folder is unchanged: sorting is
    left to when something did change (`Folder.by_name`).
    """
    listing = os.listdir(os.fsencode(absolute))
    packed = b"\0".join(listing)
    if _only_documents(packed, len(listing)):
        return listing, [], packed
    visible = [name for name in listing if not name.startswith(b".")]
    names = [name for name in visible if name.lower().endswith(_SUFFIXES)]
    subfolders = []
    if len(names) < len(visible):
        others = [os.fsdecode(n) for n in visible if not n.lower().endswith(_SUFFIXES)]
        if len(others) > 256:  # many: their types come with a listing, without a stat each
            wanted = set(others)
            with os.scandir(absolute) as entries:
                subfolders = [e.name for e in entries if e.name in wanted and _is_folder(e)]
        else:
            subfolders = [name for name in others if os.path.isdir(absolute + name)]
    subfolders.sort()
    return names, subfolders, None


def _only_documents(packed: bytes, count: int) -> bool:
    """Whether every name is visible and ends in a document suffix in lower case.

    The usual folder of a corpus, so this is tested on the names joined, in C: no
    name starts with a dot, and as many names end in a suffix as there are names
    (a suffix ends a name where a NUL or the end follows it; no name holds a NUL).
    """
    if packed.startswith(b".") or b"\0." in packed:
        return False
    ends = sum(packed.count(suffix + b"\0") for suffix in _SUFFIXES)
    return ends + packed.endswith(_SUFFIXES) == count


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


# --- stat'ing --------------------------------------------------------------------------------


def _stat_all(folders: list[Folder], *, background: bool) -> _StatWork | None:
    """Fill each folder's `times` and `identity`, sharing the work among processes if large.

    With `background`, child processes are left at work and returned
    (`_StatWork.finish` takes what is left, waits for them and fills the
    folders); otherwise this process works alongside them and the folders are
    filled on return.
    """
    total = sum(len(f.listed) for f in folders)
    if total >= PARALLEL_STAT_FROM and _can_fork():
        work = _StatWork(folders)
        if work.start(STAT_PROCESSES if background else STAT_PROCESSES - 1):
            if background:
                return work
            work.finish()
            return None
        work.kill()
    for folder in folders:
        folder.times, folder.identity = _stat_names(folder, 0, len(folder.listed))
    return None


def _can_fork() -> bool:
    """Fork only on Linux and only while this process has one thread: a fork copies
    no other thread, so a lock one of them held would stay held in the child."""
    if not (hasattr(os, "fork") and sys.platform.startswith("linux")):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _stat_names(folder: Folder, start: int, end: int) -> tuple[array[int], array[int]]:
    times, identity = array("q"), array("Q")
    names = folder.listed[start:end]
    fd = None
    if _BY_FOLDER_FD and len(folder.listed) > 1:
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
                    result = os.stat(os.fsencode(folder.absolute) + name)
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


def _pieces(folders: list[Folder], size: int) -> list[tuple[int, int, int, int]]:
    """The files cut into pieces of at most `size`: (folder index, start, end, the
    number of the piece's first file among all the folders' files)."""
    pieces, first = [], 0
    for index, folder in enumerate(folders):
        for start in range(0, len(folder.listed), size):
            end = min(len(folder.listed), start + size)
            pieces.append((index, start, end, first + start))
        first += len(folder.listed)
    return pieces


class _StatWork:
    """Every file's stat, shared among processes piece by piece.

    The pieces' numbers wait in a pipe; each process reads the next number, stats
    that piece's files and writes their stats into shared memory at the piece's
    place, until the pipe is empty. A process slowed down (this one, running a
    query meanwhile) just takes fewer pieces, so all of them end together.
    Children are forked before any thread or database exists in this process,
    and only stat and copy numbers, so forking is safe here.
    """

    def __init__(self, folders: list[Folder]) -> None:
        self.folders = folders
        self.total = sum(len(f.listed) for f in folders)
        # Pieces of STAT_PIECE files, but never so many that their numbers overflow the pipe.
        size = max(STAT_PIECE, -(-self.total // _MAX_PIECES))
        self.pieces = _pieces(folders, size)
        self.memory = mmap.mmap(-1, max(1, self.total * _STRIDE))
        self.pids: list[int] = []
        self.queue, write = os.pipe()
        try:
            numbers = b"".join(n.to_bytes(4, "little") for n in range(len(self.pieces)))
            while numbers:
                numbers = numbers[os.write(write, numbers) :]
        finally:
            os.close(write)  # read to the end, the pipe then says there is no piece left

    def start(self, children: int) -> bool:
        """Fork the children, which set to work at once; False when none could be."""
        from newsq.signals import held_while_forking

        with held_while_forking():  # (a child sets up its signals before it takes any)
            for _ in range(children):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:  # pragma: no cover - runs in the child, measured by its output
                    _child_stats(self)
                self.pids.append(pid)
        return bool(self.pids)

    def take_pieces(self) -> None:
        """Stat pieces in this process until none is left."""
        times_end = self.total * 8 * _TIMES
        while taken := os.read(self.queue, 4):
            index, start, end, first = self.pieces[int.from_bytes(taken, "little")]
            times, identity = _stat_names(self.folders[index], start, end)
            at = first * 8 * _TIMES
            self.memory[at : at + len(times) * 8] = times.tobytes()
            at = times_end + first * 8 * _IDENTITY
            self.memory[at : at + len(identity) * 8] = identity.tobytes()

    def finish(self) -> None:
        """Take the pieces left, wait for the children and fill the folders. If a child
        failed, its pieces may be missing: then every file is stat'ed here."""
        try:
            self.take_pieces()
            failed = False
            for pid in list(self.pids):
                _, status = os.waitpid(pid, 0)
                self.pids.remove(pid)  # reaped: never to be signalled again
                failed = failed or os.waitstatus_to_exitcode(status) != 0
            if failed:
                for folder in self.folders:
                    folder.times, folder.identity = _stat_names(folder, 0, len(folder.listed))
                return
            times_end = self.total * 8 * _TIMES
            times = array("q", self.memory[:times_end])
            identity = array("Q", self.memory[times_end : self.total * _STRIDE])
            first = 0
            for folder in self.folders:
                count = len(folder.listed)
                folder.times = times[first * _TIMES : (first + count) * _TIMES]
                folder.identity = identity[first * _IDENTITY : (first + count) * _IDENTITY]
                first += count
        finally:
            self.kill()

    def kill(self) -> None:
        """End any child still running (interrupted: leave none behind) and free all."""
        for pid in self.pids:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
        self.pids = []
        if self.queue >= 0:
            os.close(self.queue)
            self.queue = -1
        self.memory.close()


def _child_stats(work: _StatWork) -> None:  # pragma: no cover - a forked child
    import signal

    from newsq.signals import ENDING

    # Ctrl-C, TERM and HUP end it quietly; orphaned, it ends with its last piece (it
    # writes nothing but numbers to memory nobody reads then).
    for signum in (signal.SIGINT, *ENDING):
        signal.signal(signum, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # (held while it was forked)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, *ENDING})
    code = 1
    try:
        work.take_pieces()
        code = 0
    finally:
        os._exit(code)
