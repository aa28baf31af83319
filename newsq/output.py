"""Output streams: data to stdout in the chosen format, messages and progress to stderr.

On a terminal, tables and panels are drawn with rich. On a pipe, or with
`NO_COLOR` set, nothing but plain text is written: no escape codes, and tables
lose their box and are never cut, so `grep` and `cut` see whole values.
rich is imported only when something is drawn: JSON output never pays for it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newsq import formats
from newsq.options import Format

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.progress import Progress

    from newsq.index import Hit, Index
    from newsq.model import Entry

#: Indexing shorter than this shows no progress bar.
PROGRESS_AFTER = 0.5


class Output:
    """Where one command's results and messages go."""

    def __init__(self, stdout: Any = None, stderr: Any = None) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    @property
    def is_terminal(self) -> bool:
        isatty = getattr(self.stdout, "isatty", None)
        return bool(isatty and isatty()) or bool(os.environ.get("FORCE_COLOR"))

    @property
    def no_color(self) -> bool:
        return bool(os.environ.get("NO_COLOR"))

    def terminal_width(self) -> int:
        from rich.console import Console

        return Console(file=self.stdout).width

    # --- raw streams ------------------------------------------------------------

    def write(self, text: str) -> None:
        self.stdout.write(text)

    def message(self, text: str) -> None:
        """One line for the person at the terminal, on stderr; data in it is escaped."""
        self.stderr.write(f"newsq: {formats.safe_text(text)}\n")

    @contextlib.contextmanager
    def indexing_progress(self) -> Iterator[_IndexingBar | None]:
        """A progress callback for indexing: a bar on a terminal's stderr, nothing on a pipe."""
        isatty = getattr(self.stderr, "isatty", None)
        if not (isatty and isatty()):
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
        from rich.console import Console

        if self.is_terminal:
            color = None if self.no_color else "auto"
            Console(file=self.stdout, color_system=color, highlight=False).print(renderable)
            return
        buffer = io.StringIO()
        Console(
            file=buffer, width=100_000, color_system=None, highlight=False, force_terminal=False
        ).print(renderable)
        self.stdout.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))

    # --- results ------------------------------------------------------------------

    def entries(
        self, index: Index, entries: Sequence[Entry], fmt: Format, fields: Sequence[str]
    ) -> None:
        """Documents in `fmt`. Full records are fetched only when the format needs them."""
        if fmt is Format.table and not fields:
            from newsq.render import entries_table

            self._table(entries_table, entries)
            return
        records = index.records(entries)
        self.rows(records, fmt, fields, default_fields=formats.CSV_FIELDS, whole=not fields)

    def hits(self, index: Index, hits: Sequence[Hit], fmt: Format, fields: Sequence[str]) -> None:
        """Search hits in `fmt`: a table with each hit's passage, or records with theirs."""
        if fmt is Format.table and not fields:
            from newsq.render import hits_table

            self._table(hits_table, hits)
            return
        records = index.hit_records(hits)
        self.rows(records, fmt, fields, default_fields=formats.SEARCH_CSV_FIELDS, whole=not fields)

    def _table(self, make: Callable[..., RenderableType], items: Sequence[Any]) -> None:
        """A table of results fitted to the terminal (nothing cut on a pipe); none for none."""
        if items:
            self.print(make(items, width=self.terminal_width() if self.is_terminal else None))

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
            from newsq import render

            if rows:
                table = render.rows_table(rows, columns, plain=not self.is_terminal)
                self.print(table)
            return
        out = list(rows) if whole else formats.pick_fields(rows, columns)
        self.write(formats.to_json(out) if fmt is Format.json else formats.to_jsonl(out))

    def record(self, index: Index, doc_id: str, fmt: Format, fields: Sequence[str]) -> None:
        """One document, whole (`show`)."""
        record = index[doc_id]
        if fmt is Format.table and not fields:
            from newsq import render

            self.print(render.article_view(record, index.entry(doc_id)))
            return
        value = formats.pick_fields([record], fields)[0] if fields else record
        if fmt is Format.json:
            self.write(formats.to_json(value))
        elif fmt is Format.jsonl:
            self.write(formats.to_jsonl([value]))
        else:
            self.rows([record], fmt, fields, default_fields=formats.CSV_FIELDS)


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
