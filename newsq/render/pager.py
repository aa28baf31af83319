"""The pager: output to a terminal goes through `less` (or the pager the user chose), as
git's and gh's does, so a long `show` or `stats --by day` can be read, not scrolled past.

Which pager: `$NEWSQ_PAGER`, else `$PAGER`, else the config file's `pager`, else
`less -FRX`: -F quits at once when the output fits on the screen (so a short answer
reads as if no pager were there), -R passes colours and hyperlinks through, -X
leaves the text on the screen when it ends. As git does, `LESS=FRX` is set for a
pager that is `less` without options, unless the user has `LESS` set. An empty
pager or `cat` pages nothing, and neither does a pipe: only a terminal is paged.

The pager starts on the first write (a command that prints nothing, or only an
error, starts none). Notes for stderr wait while it runs (they would land in the
middle of its screen) and are written when it ends. The command waits for the
reader to quit the pager; `q` before the end closes the pipe, which ends the
command quietly (exit 0, as for `| head`); Ctrl-C stops the command, and the
pager shows what it was given until the reader quits it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import signal
import subprocess
from typing import IO, NamedTuple

#: The pager when none is chosen.
DEFAULT = "less -FRX"


class PagerClosed(Exception):
    """The reader quit the pager before the end of the output (`q`): there is no one left
    to write to. Not a BrokenPipeError, which rich would answer by ending the process."""


class PagerChoice(NamedTuple):
    """The pager command to run (None: no pager), and where that choice came from."""

    command: str | None
    source: str  # "$NEWSQ_PAGER", "$PAGER", "config", "built-in"


def choose(configured: str | bool | None = None) -> PagerChoice:
    """The pager to use: `$NEWSQ_PAGER`, `$PAGER`, then `configured` (the config file's
    `pager`: a command, or False for none), then `less -FRX`."""
    for name in ("NEWSQ_PAGER", "PAGER"):
        value = os.environ.get(name)
        if value is not None:
            return PagerChoice(_command(value), f"${name}")
    if configured is not None:
        return PagerChoice(_command(configured) if configured else None, "config")
    return PagerChoice(DEFAULT, "built-in")


def _command(value: str | bool) -> str | None:
    """A pager setting as a command; None for "no pager" (empty, `cat`, false)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if text in ("", "cat") else text


def missing_program(command: str) -> str | None:
    """The program `command` runs when it cannot be found on PATH (else None). A command
    the shell must read first (a variable set before it, a pipeline) is not looked at."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or "=" in words[0] or any(w in ("|", "&&", ";") for w in words):
        return None
    return None if shutil.which(words[0]) else words[0]


class Pager:
    """A text stream that writes to a pager process, started on the first write.

    Stands in for stdout when stdout is a terminal: it says it is one (`isatty`), so
    what is written is drawn for the terminal behind the pager, at its width, with
    colours and hyperlinks.
    """

    def __init__(self, command: str, terminal: IO[str], stderr: IO[str]) -> None:
        self.command = command
        self.terminal = terminal
        self.stderr = stderr
        self.process: subprocess.Popen[bytes] | None = None
        self._pipe: io.TextIOWrapper | None = None
        #: Lines for stderr written while the pager runs: they are written when it ends.
        self.held: list[str] = []
        _STARTED.append(self)

    @property
    def running(self) -> bool:
        return self.process is not None

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:  # what the terminal is (its size, say), for those who ask
        return self.terminal.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.terminal, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        if not text:  # (nothing to show starts no pager: `check` of a corpus without problems)
            return 0
        if self._pipe is None:
            self.terminal.flush()
            self._start()
        assert self._pipe is not None
        try:
            return self._pipe.write(text)
        except BrokenPipeError:
            raise PagerClosed from None

    def flush(self) -> None:
        if self._pipe is not None:
            try:
                self._pipe.flush()
            except BrokenPipeError:
                raise PagerClosed from None

    def _start(self) -> None:
        env = dict(os.environ)
        env.setdefault("LESS", "FRX")  # as git does: `PAGER=less` alone still quits at the end
        env.setdefault("LV", "-c")  # (lv, the pager of some systems, keeps colours so)
        # Through the shell, as git runs it: the user's pager command line, quoted as they wrote it.
        self.process = subprocess.Popen(self.command, shell=True, stdin=subprocess.PIPE, env=env)
        assert self.process.stdin is not None
        errors = getattr(self.terminal, "errors", None) or "strict"
        self._pipe = io.TextIOWrapper(self.process.stdin, encoding=self.encoding, errors=errors)

    def close(self) -> None:
        """End the pager's input and wait for the reader to quit it; then write the notes
        held meanwhile. Ctrl-C while waiting is the pager's (it ignores it, as less does)."""
        if self.process is None:
            return
        assert self._pipe is not None
        try:
            self._pipe.close()
        except OSError:  # the reader quit before the end: what was not read is dropped
            with contextlib.suppress(OSError, AttributeError, ValueError):
                self._pipe.buffer.raw.close()  # type: ignore[attr-defined]
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.process.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
            self.process = None
            for line in self.held:
                self.stderr.write(line)
            self.held.clear()
            self.stderr.flush()


#: Every pager made in this process, to be waited for before it exits (`wait_for_all`).
_STARTED: list[Pager] = []


def wait_for_all() -> None:
    """Close every pager this process started and wait for each, so that the shell's
    prompt comes back only once the reader is done."""
    while _STARTED:
        _STARTED.pop().close()
