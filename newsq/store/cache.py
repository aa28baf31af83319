"""The cache folder: where snapshots live, that it is the user's alone, and the folder as a
whole (`newsq cache`).

A snapshot decides what newsq prints, so the folder that holds it must be the
user's alone, as ssh and git ask of theirs: owned by the user and writable by
nobody else. newsq creates it 0700 and its files 0600 (a snapshot holds the
corpus's text, which others need not read); a folder owned by someone else, or
that others can write to, is not used, and newsq runs without a snapshot and
says why.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from newsq.store.schema import is_current

SUFFIX = ".sqlite"
CACHE_ENV = "XDG_CACHE_HOME"


class UnsafeCache(Exception):
    """The cache folder, or a file in it, is not the user's alone: not to be trusted."""


def private_folder(folder: Path, *, create: bool = True) -> None:
    """Make sure `folder` exists (created 0700 if missing, unless not `create`) and is the
    user's alone: raises `UnsafeCache` for one owned by another user, or that others
    can write to (or `OSError` when it cannot be made or is missing). One of the
    user's own that others may read (made by an older newsq, or by hand) is closed to
    them."""
    if create:
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700, parents=True)
    info = os.stat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(20, "not a folder", str(folder))
    if hasattr(os, "geteuid"):  # (POSIX)
        if info.st_uid != os.geteuid():
            raise UnsafeCache(f"{folder} belongs to another user (uid {info.st_uid})")
        if info.st_mode & 0o022:
            raise UnsafeCache(f"other users can write to {folder} (chmod 700 it to use it)")
        if info.st_mode & 0o077:
            os.chmod(folder, 0o700)


def own_file(path: Path) -> bool:
    """Whether `path` is a regular file of the user's own that others cannot write (not a
    symbolic link): what a snapshot file must be to be opened. False when missing."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    return not hasattr(os, "geteuid") or (info.st_uid == os.geteuid() and not info.st_mode & 0o022)


def new_private_file(path: Path) -> None:
    """Create `path` empty, 0600, failing if anything (a link too) is there already."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    os.close(os.open(path, flags, 0o600))


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/newsq`, else the platform's cache folder for newsq."""
    base = os.environ.get(CACHE_ENV, "")
    if base and os.path.isabs(base):
        return Path(base) / "newsq"
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "newsq"
    if os.name == "nt":
        local = os.environ.get("LOCALAPPDATA")
        return (Path(local) if local else home / "AppData" / "Local") / "newsq" / "Cache"
    return home / ".cache" / "newsq"


def snapshot_path(roots: Sequence[str], folder: Path | None = None) -> Path:
    """The snapshot for these data roots: named by a hash of their absolute paths."""
    absolute = json.dumps([os.path.abspath(r) for r in roots])
    digest = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return (folder or cache_dir()) / f"{digest}{SUFFIX}"


class SnapshotInfo(NamedTuple):
    """A snapshot in the cache folder as `newsq cache info` lists it: its file, the corpus
    (roots) it holds, how many documents and files, its size in bytes (with its
    companions), when it was created and last updated; or why it cannot be read."""

    path: str | None
    roots: tuple[str, ...] = ()
    documents: int = 0
    files: int = 0
    bytes: int | None = None
    created: str | None = None
    updated: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            return {"path": self.path, "error": self.error}
        return {
            "path": self.path,
            "roots": list(self.roots),
            "documents": self.documents,
            "files": self.files,
            "bytes": self.bytes,
            "created": self.created,
            "updated": self.updated,
        }


def describe(conn: sqlite3.Connection, path: Path | None) -> SnapshotInfo:
    """What the snapshot open on `conn` holds (`path` is its file, None for a temporary one)."""
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    documents = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    files = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    size = None
    if path is not None:
        size = sum(p.stat().st_size for p in _companions(path) if p.exists())
    return SnapshotInfo(
        path=None if path is None else str(path),
        roots=tuple(json.loads(meta.get("roots", "[]"))),
        documents=documents,
        files=files,
        bytes=size,
        created=meta.get("created"),
        updated=meta.get("updated"),
    )


def list_snapshots(folder: Path | None = None) -> list[SnapshotInfo]:
    """Every snapshot in the cache folder, described; damaged ones say so."""
    folder = folder or cache_dir()
    found = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        try:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                if not is_current(conn):
                    raise sqlite3.DatabaseError("not a current newsq snapshot")
                found.append(describe(conn, path))
            finally:
                conn.close()
        except sqlite3.Error as exc:
            found.append(SnapshotInfo(str(path), error=error_reason(exc)))
    return found


def clear(roots: Sequence[str] | None = None, folder: Path | None = None) -> list[Path]:
    """Delete the snapshot of these roots, or every snapshot; the database files removed."""
    folder = folder or cache_dir()
    if roots is not None:
        targets = [snapshot_path(roots, folder)]
    else:
        targets = sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
    return [p for target in targets for p in remove_files(target) if p.suffix == SUFFIX]


def remove_files(path: Path, *, keep_lock: bool = False) -> list[Path]:
    """Delete a snapshot and its companions (WAL, shared memory, lock); the ones removed."""
    removed = []
    for candidate in _companions(path)[: -1 if keep_lock else None]:
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed


#: What sits beside a snapshot: SQLite's write-ahead log, shared memory and journal, one
#: being built (and its journal), and the lock (last: `remove_files` may keep it).
_BESIDE = ("-wal", "-shm", "-journal", ".new", ".new-journal", ".lock")


def building_path(path: Path) -> Path:
    """Where the snapshot `path` is built before it is moved into place."""
    return path.with_name(path.name + ".new")


def _companions(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in _BESIDE)]


def error_reason(exc: BaseException) -> str:
    """Why an operation on a snapshot failed, in a few words."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
