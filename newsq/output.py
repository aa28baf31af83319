"""Output streams: data to stdout in the chosen format, messages and progress to stderr.

On a terminal, tables and panels are drawn with rich. On a pipe, or with
`NO_COLOR` set, nothing but plain text is written: no escape codes, and tables
lose their box and are never cut, so `grep` and `cut` see whole values.
rich is imported only when something is drawn: JSON output never pays for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
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


class OutputError(Exception):
    """stdout cannot be written (a full disk, a closed pipe): `cause` says why."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise OutputError(exc) from exc


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
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.color = color
        self.verbosity = verbosity

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
        """Why a command failed, on stderr, always; data in it is escaped."""
        self.stderr.write(f"newsq: {formats.safe_text(text)}\n")

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

    # --- results ------------------------------------------------------------------

    def entries(
        self, index: Index, entries: Sequence[Entry], fmt: Format, fields: Sequence[str]
    ) -> None:
        """Documents in `fmt`. Full records are fetched only when the format needs them."""
        if fmt is Format.table and not fields:
            from newsq.render import entries_table

            self._table(index, entries_table, entries)
            return
        records = index.records(entries)
        self.rows(records, fmt, fields, default_fields=formats.CSV_FIELDS, whole=not fields)

    def hits(self, index: Index, hits: Sequence[Hit], fmt: Format, fields: Sequence[str]) -> None:
        """Search hits in `fmt`: a table with each hit's passage, or records with theirs."""
        if fmt is Format.table and not fields:
            from newsq.render import hits_table

            self._table(index, hits_table, hits)
            return
        records = index.hit_records(hits)
        self.rows(records, fmt, fields, default_fields=formats.SEARCH_CSV_FIELDS, whole=not fields)

    def stories(
        self, index: Index, stories: Sequence[Mapping[str, Any]], fmt: Format, fields: Sequence[str]
    ) -> None:
        """Stories in `fmt`: a table, or each story's object."""
        if fmt is Format.table and not fields:
            from newsq.render import stories_table

            self._table(index, stories_table, stories, ids=[s["id"] for s in stories])
            return
        self.rows(stories, fmt, fields, default_fields=formats.STORY_FIELDS, whole=not fields)

    def story(
        self, index: Index, story: Mapping[str, Any], fmt: Format, fields: Sequence[str]
    ) -> None:
        """One story (`story`): its summary and timeline; in CSV, the timeline's rows."""
        if fmt is Format.table and not fields:
            from newsq.index import timeline
            from newsq.render import story_view

            days: dict[dt.date, int] = {}
            for item in story["timeline"]:
                if item["publishedDateTime"]:
                    day = _day(item["publishedDateTime"])
                    days[day] = days.get(day, 0) + 1
            ids = [story["id"], *(t["id"] for t in story["timeline"])]
            shorts = self._short(index, ids)
            view = story_view(
                story, timeline(days, "day"), short_ids=shorts, plain=not self.is_terminal
            )
            self.print(view)
            return
        if fmt is Format.csv:
            columns = fields or formats.TIMELINE_FIELDS
            self.write(formats.to_csv(story["timeline"], columns, terminal=self.is_terminal))
            return
        value = formats.pick_fields([story], fields)[0] if fields else story
        self.write(formats.to_json(value) if fmt is Format.json else formats.to_jsonl([value]))

    def _short(self, index: Index, ids: Sequence[str]) -> dict[str, str]:
        """Short ids on a terminal; whole ones on a pipe."""
        return index.short_ids(ids) if self.is_terminal else {i: i for i in ids}

    def _table(
        self,
        index: Index,
        make: Callable[..., RenderableType],
        items: Sequence[Any],
        ids: Sequence[str] | None = None,
    ) -> None:
        """A table of results fitted to the terminal, with short ids; on a pipe, whole ids
        and nothing cut, for scripts. None for no results. `ids` are the items' ids
        (default: their `id`)."""
        if not items:
            return
        if not self.is_terminal:
            self.print(make(items))
            return
        shorts = index.short_ids(ids if ids is not None else [item.id for item in items])
        self.print(make(items, width=self.terminal_width(), short_ids=shorts))

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
        """One document, whole (`show`), with the story it is part of when that is one
        `stories` lists."""
        record = index[doc_id]
        if fmt is Format.table and not fields:
            from newsq import render
            from newsq.stories import listed_by_default

            story: Mapping[str, Any] | None = index.story_of(doc_id)
            if story is not None and not listed_by_default(story):
                story = None
            ref = "" if story is None else self._short(index, [story["id"]])[story["id"]]
            view = render.article_view(
                record,
                index.entry(doc_id),
                related=index.related(doc_id),
                boxed=self.is_terminal,
                story=story,
                story_ref=ref,
            )
            self.print(view)
            return
        value = formats.pick_fields([record], fields)[0] if fields else record
        if fmt is Format.json:
            self.write(formats.to_json(value))
        elif fmt is Format.jsonl:
            self.write(formats.to_jsonl([value]))
        else:
            self.rows([record], fmt, fields, default_fields=formats.CSV_FIELDS)


def _day(timestamp: str) -> dt.date:
    return dt.date.fromisoformat(timestamp[:10])


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
