"""How newsq's processes end: the command on a signal, its helper processes with it.

A command stopped by SIGTERM or SIGHUP (a closed terminal, `kill`, a CI timeout)
unwinds as Ctrl-C does: open transactions roll back, worker processes are
ended, temporary snapshots are removed, and it exits 128 + the signal's number
without a traceback. Every signal that ends a command is also remembered
(`ending`): SQLite runs long queries in C, where Python can only raise the
exception inside a progress callback, which SQLite turns into a plain
"interrupted" error; the snapshot's progress handler stops every query from
then on, and the command line exits as the signal asks. The processes it
starts (the parsing pool, the stat children) are told to die with it, so even
`kill -9` of the command leaves none behind writing tracebacks to a terminal
their parent no longer owns.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType

#: The signals that end a command the way Ctrl-C does.
ENDING = (signal.SIGTERM, signal.SIGHUP) if hasattr(signal, "SIGHUP") else (signal.SIGTERM,)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Terminated(SystemExit):
    """The command was asked to end by a signal: exits 128 + its number once unwound."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


#: The signal that is ending this process, once one is (see `ending`).
_ENDING: list[int] = []


def ending() -> int | None:
    """The number of the signal ending this command (SIGINT for Ctrl-C), if one is."""
    return _ENDING[0] if _ENDING else None


def end_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into `Terminated` and SIGINT into `KeyboardInterrupt`,
    raised where the command is, so that it cleans up on the way out, and remember
    them (`ending`); only where their handling was not changed already."""
    for signum in ENDING:
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _raise_terminated)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _raise_interrupt)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    _ENDING.append(signum)
    raise Terminated(signum)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    _ENDING.append(signum)
    raise KeyboardInterrupt


@contextlib.contextmanager
def held_while_forking() -> Iterator[None]:
    """Hold back Ctrl-C and the ending signals while helper processes are forked: a
    child gets them only once `in_child_process` has set it up (before, it would run
    the parent's handlers and print a traceback), and this process gets any that came
    meanwhile when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *ENDING})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def in_child_process(parent: int) -> None:
    """Set up a helper process of `parent` (its pid): Ctrl-C is the parent's to handle,
    SIGTERM and SIGHUP end it at once and quietly, and it ends when its parent does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in ENDING:
        signal.signal(signum, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # (forked with them held: `held_while_forking`)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, *ENDING})
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """Ask the kernel to send SIGTERM to this process when its parent (`parent`, the pid it
    had before forking) dies; Linux only. A parent already gone ends it now."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl to be had: only cleanliness is lost
        return
    if os.getppid() != parent:  # died before the request was made
        os._exit(128 + signal.SIGTERM)
