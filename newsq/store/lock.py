"""An exclusive advisory lock on a file, so that one run at a time writes a snapshot."""

from __future__ import annotations

import os
import time
from pathlib import Path


class Lock:
    """An exclusive advisory lock on a file, taken by polling so Ctrl-C stays heard.

    Where `fcntl` is missing (Windows) SQLite's own locking is all there is.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> Lock:
        self._depth += 1
        if self._depth > 1 or self.path is None:
            return self
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(0.05)
            except BaseException:
                os.close(fd)
                raise
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None
