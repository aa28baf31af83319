"""How newsq's processes end: the command on a signal, its helper processes with it.

A command stopped by SIGTERM or SIGHUP (a closed terminal, `kill`, a CI timeout)
unwinds as Ctrl-C does: open transactions roll back, worker processes are
ended, temporary snapshots are removed, and it exits 128 + the signal's number
without a traceback. The processes it starts (the parsing pool, the stat
children) are told to die with it, so even `kill -9` of the command leaves
none behind writing tracebacks to a terminal their parent no longer owns.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

#: The signals that end a command the way Ctrl-C does.
ENDING = (signal.SIGTERM, signal.SIGHUP) if hasattr(signal, "SIGHUP") else (signal.SIGTERM,)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Terminated(SystemExit):
    """The command was asked to end by a signal: exits 128 + its number once unwound."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


def end_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into `Terminated`, raised where the command is, so that it
    cleans up on the way out (only where their handling was not changed already)."""
    for signum in ENDING:
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _raise_terminated)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def in_child_process(parent: int) -> None:
    """Set up a helper process of `parent` (its pid): Ctrl-C is the parent's to handle,
    SIGTERM and SIGHUP end it at once and quietly, and it ends when its parent does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in ENDING:
        signal.signal(signum, signal.SIG_DFL)
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
