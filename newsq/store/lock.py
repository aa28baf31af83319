"""An exclusive advisory lock on a file, so that one run at a time writes a snapshot.

The lock file holds the pid of the run holding it, so a run that has to wait can
say for whom. Waiting is bounded: a run stopped while indexing (`kill -STOP`,
a laptop lid) must not hang every other run on that corpus, so after
`patience` seconds the waiter gives up (`LockTimeout`) and goes without the
snapshot. The file is opened without following a symbolic link and must be the
user's own: a link planted in the cache folder cannot make newsq create or
truncate a file elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from newsq.store.cache import UnsafeCache

#: Seconds a run waits for another run's lock before going without the snapshot
#: (`NEWSQ_LOCK_WAIT` sets another).
PATIENCE = 30.0
PATIENCE_ENV = "NEWSQ_LOCK_WAIT"
#: Seconds of waiting after which the user is told whom for.
QUIET_WAIT = 1.0
_POLL = 0.05


class LockTimeout(Exception):
    """Another run held the lock for longer than the patience: `pid` (None if unknown)."""

    def __init__(self, path: Path, pid: int | None, waited: float) -> None:
        holder = "another newsq" if pid is None else f"another newsq (pid {pid})"
        super().__init__(f"{holder} has been indexing this corpus for over {waited:.0f} s")
        self.path = path
        self.pid = pid


class UnsafeLock(UnsafeCache):
    """The lock file is a symbolic link, not a regular file, or not the user's own."""


def patience() -> float:
    """The seconds to wait for a lock: `NEWSQ_LOCK_WAIT`, else `PATIENCE`."""
    try:
        return max(0.0, float(os.environ.get(PATIENCE_ENV, PATIENCE)))
    except ValueError:
        return PATIENCE


class Lock:
    """An exclusive advisory lock on a file, taken by polling so Ctrl-C stays heard.

    Re-entrant within one process (a depth count). `on_wait(pid)` is called once
    when the lock has been held by another run for `QUIET_WAIT` seconds. Where
    `fcntl` is missing (Windows) SQLite's own locking is all there is.
    """

    def __init__(
        self, path: Path | None, *, on_wait: Callable[[int | None], None] | None = None
    ) -> None:
        self.path = path
        self.on_wait = on_wait
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._depth > 0

    def acquire(self) -> None:
        self._depth += 1
        if self._depth > 1 or self.path is None:
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return
        try:
            fd = _open_own(self.path)
        except BaseException:
            self._depth -= 1
            raise
        started = time.monotonic()
        told = False
        limit = patience()
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - started
                    if waited >= limit:
                        raise LockTimeout(self.path, _holder(fd), waited) from None
                    if not told and waited >= QUIET_WAIT and self.on_wait is not None:
                        told = True
                        self.on_wait(_holder(fd))
                    time.sleep(_POLL)
            _write_pid(fd)
        except BaseException:
            self._depth -= 1
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None


def _open_own(path: Path) -> int:
    """The lock file, opened (created 0600) without following a link; the user's own."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError:
        if os.path.islink(path):
            raise UnsafeLock(f"{path} is a symbolic link") from None
        raise
    info = os.fstat(fd)
    reason = None
    if not stat.S_ISREG(info.st_mode):
        reason = "is not a regular file"
    elif hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        reason = f"belongs to another user (uid {info.st_uid})"
    if reason is not None:
        os.close(fd)
        raise UnsafeLock(f"{path} {reason}")
    return fd


def _write_pid(fd: int) -> None:
    with contextlib.suppress(OSError):  # (a full disk: the pid is only for messages)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def _holder(fd: int) -> int | None:
    """The pid the holder of the lock wrote in it, if it did."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
