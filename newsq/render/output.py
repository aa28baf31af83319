"""Output streams: data to stdout in the chosen format, messages and progress to stderr.

On a terminal, tables and panels are drawn with rich. On a pipe, or with
`NO_COLOR` set, nothing but plain text is written: no escape codes, and tables
lose their box and are never cut, so `grep` and `cut` see whole values.
rich is imported only when something is drawn: JSON output never pays for it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newsq.render import formats
from newsq.render.escape import safe_text
from newsq.render.formats import Format

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.progress import Progress

    from newsq.render.pager import Pager

#: Indexing shorter than this shows no progress bar.
PROGRESS_AFTER = 0.5


class OutputError(Exception):
    """stdout cannot be written (a full disk, a closed pipe): `cause` says why."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


#: Whether anything was written to stdout yet in this process (see `wrote_output`).
_WROTE = [False]


def wrote_output() -> bool:
    """Whether any output reached stdout yet: a command that has printed nothing can be
    run again from the start (after a damaged snapshot was found and removed)."""
    return _WROTE[0]


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    from newsq.render.pager import PagerClosed

    _WROTE[0] = True
    try:
        yield
    except OSError as exc:
        raise OutputError(exc) from exc
    except PagerClosed:  # the reader quit the pager: as a pipe whose reader has gone
        raise OutputError(BrokenPipeError(errno.EPIPE, "the pager was quit")) from None


class Output:
    """Where one command's results and messages go, and how they are drawn.

    `color` is `--color`: "auto" draws for a terminal when stdout is one (or
    FORCE_COLOR is set), in colour unless NO_COLOR is set; "always" draws for a
    terminal in colour, even on a pipe (for `less -R`); "never" draws without a
    single escape code. `verbosity` is -1 for `--quiet` (errors only), 1 for
    `--verbose` (also what was loaded from where).
    """

    def __init__(
        self,
        stdout: Any = None,
        stderr: Any = None,
        *,
        color: str = "auto",
        verbosity: int = 0,
        pager: str | None = None,
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.color = color
        self.verbosity = verbosity
        self._json_console: Any = None
        self._pager: Pager | None = None
        if pager and _isatty(self.stdout):  # a pipe is never paged
            from newsq.render.pager import Pager, missing_program

            missing = missing_program(pager)
            if missing:
                self.message(f"the pager {missing!r} is not installed; printing without it")
            else:
                self._pager = self.stdout = Pager(pager, self.stdout, self.stderr)

    @property
    def is_terminal(self) -> bool:
        """Drawn for a terminal: fitted to its width, boxed, long values cut."""
        if self.color == "always":
            return True
        return _isatty(self.stdout) or (
            self.color == "auto" and bool(os.environ.get("FORCE_COLOR"))
        )

    @property
    def colored(self) -> bool:
        """Styled: colours, bold and terminal hyperlinks (escape codes of any kind)."""
        if self.color != "auto":
            return self.color == "always"
        return self.is_terminal and not os.environ.get("NO_COLOR")

    def terminal_width(self) -> int:
        from rich.console import Console

        return Console(file=self.stdout).width

    def terminal_height(self) -> int:
        """The terminal's rows (`LINES` when set, as `COLUMNS` is for its width)."""
        from rich.console import Console

        return Console(file=self.stdout).height

    # --- raw streams ------------------------------------------------------------

    def write(self, text: str) -> None:
        with _writing():
            self.stdout.write(text)

    def message(self, text: str) -> None:
        """A note for the person at the terminal, on stderr (not with `--quiet`)."""
        if self.verbosity >= 0:
            self.error(text)

    def detail(self, text: str) -> None:
        """What only `--verbose` asks for, on stderr."""
        if self.verbosity > 0:
            self.error(text)

    def error(self, text: str) -> None:
        """Why a command failed, on stderr, always; data in it is escaped. While a pager
        shows the output, it waits until the pager ends (it would land on its screen)."""
        line = f"newsq: {safe_text(text)}\n"
        if self._pager is not None and self._pager.running:
            self._pager.held.append(line)
        else:
            self.stderr.write(line)

    @contextlib.contextmanager
    def indexing_progress(self) -> Iterator[_IndexingBar | None]:
        """A progress callback for indexing: a bar on a terminal's stderr, nothing on a pipe."""
        if self.verbosity < 0 or not _isatty(self.stderr):
            yield None
            return
        bar = _IndexingBar(self.stderr)
        try:
            yield bar
        finally:
            bar.close()

    # --- renderables ------------------------------------------------------------

    def print(self, renderable: RenderableType) -> None:
        """Draw on a terminal; on a pipe, plain text with every line whole (never wrapped)."""
        with _writing():
            self._print(renderable)

    def _print(self, renderable: RenderableType) -> None:
        from rich.console import Console

        if self.is_terminal:
            Console(
                file=self.stdout,
                color_system="auto" if self.colored else None,
                force_terminal=self.colored or None,
                no_color=not self.colored,  # not rich's own reading of NO_COLOR: --color decides
                highlight=False,
            ).print(renderable)
            return
        buffer = io.StringIO()
        Console(
            file=buffer, width=100_000, color_system=None, highlight=False, force_terminal=False
        ).print(renderable)
        self.stdout.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))

    # --- results ----------------------------------------------------------------------

    def table(
        self,
        make: Callable[..., RenderableType],
        items: Sequence[Any],
        short_ids: Mapping[str, str] | None = None,
    ) -> None:
        """A table of results (`make(items, width=…, short_ids=…)`, one of
        `newsq.render.tables`) fitted to the terminal, with the short ids given; on a pipe,
        whole ids and nothing cut, for scripts. Nothing for no results."""
        if not items:
            return
        if not self.is_terminal:
            self.print(make(items))
            return
        self.print(make(items, width=self.terminal_width(), short_ids=short_ids or {}))

    def rows(
        self,
        rows: Sequence[Mapping[str, Any]],
        fmt: Format,
        fields: Sequence[str],
        *,
        default_fields: Sequence[str],
        whole: bool = False,
    ) -> None:
        """Rows (records or counts) in `fmt`; `fields` picks columns, `whole` keeps every key."""
        columns = list(fields or default_fields)
        if fmt is Format.csv:
            self.write(formats.to_csv(rows, columns, terminal=self.is_terminal))
            return
        if fmt is Format.table:
            from newsq.render.tables import rows_table

            if rows:
                self.print(rows_table(rows, columns, plain=not self.is_terminal))
            return
        out = list(rows) if whole else formats.pick_fields(rows, columns)
        self.write_json(formats.to_json(out) if fmt is Format.json else formats.to_jsonl(out))

    def stream(
        self,
        batches: Iterable[Sequence[Mapping[str, Any]]],
        fmt: Format,
        fields: Sequence[str],
        *,
        default_fields: Sequence[str],
        whole: bool = False,
    ) -> int:
        """Rows in JSON, JSONL or CSV, written a batch at a time as the batches come (the
        same bytes as `rows` writes of all of them at once): memory holds a batch,
        however many rows there are. How many were written."""
        columns = list(fields or default_fields)
        written = [0]

        def picked() -> Iterator[Sequence[Mapping[str, Any]]]:
            for batch in batches:
                written[0] += len(batch)
                yield batch if whole else formats.pick_fields(batch, columns)

        if fmt is Format.json:
            rows = (row for batch in picked() for row in batch)
            for piece in formats.json_array_text(rows):
                self.write_json(piece)
        elif fmt is Format.jsonl:
            for batch in picked():
                self.write_json(formats.to_jsonl(batch))
        else:
            terminal = self.is_terminal
            self.write(formats.to_csv((), columns, terminal=terminal))
            for batch in batches:
                written[0] += len(batch)
                self.write(formats.to_csv(batch, columns, terminal=terminal, header=False))
        return written[0]

    def ids(self, batches: Iterable[Sequence[str]]) -> int:
        """Ids one a line (`--format ids`), a batch at a time; how many were written."""
        written = 0
        for batch in batches:
            self.write(formats.ids_text(batch, terminal=self.is_terminal))
            written += len(batch)
        return written

    def value(self, value: Any, fmt: Format) -> None:
        """One JSON object, in `fmt` (JSON, or one line of JSONL)."""
        self.write_json(formats.to_json(value) if fmt is Format.json else formats.to_jsonl([value]))

    def write_json(self, text: str) -> None:
        """JSON text: coloured when styled (keys, strings, numbers; as jq and gh do on a
        terminal), plain on a pipe; either way the same characters, byte for byte."""
        if not self.colored:
            self.write(text)
            return
        from rich.highlighter import JSONHighlighter
        from rich.text import Text

        if self._json_console is None:
            from rich.console import Console

            self._json_console = Console(
                file=self.stdout,
                force_terminal=True,
                color_system="auto",
                highlight=False,
                markup=False,
                emoji=False,
                no_color=False,  # (not rich's own reading of NO_COLOR: `colored` decided)
                soft_wrap=True,  # never a line break of rich's own: the text stays exact
            )
        shown = Text(text, end="")
        JSONHighlighter().highlight(shown)
        with _writing():
            self._json_console.print(shown, end="")


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _IndexingBar:
    """Called with (done, total) while files are parsed; draws a bar once it takes a while."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            if done >= total or time.monotonic() - self.started < PROGRESS_AFTER:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.progress = Progress(
                "indexing",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("indexing", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
