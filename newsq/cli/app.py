"""The `newsq` command: each subcommand wires its options to the Python API.

Exit codes: 0 success (no results is success), 1 not found, the corpus has errors
(`check`) or the output could not be written, 2 usage error, 128 + N ended by
signal N. Data goes to stdout, messages to stderr. Heavy modules (YAML, rich,
SQLite) are imported inside the commands, so `--version` and `--help` start fast.
"""

import gc
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsq import __version__, signals
from newsq.cli.loading import LOADING
from newsq.cli.options import (
    QUERY_HELP,
    SEARCH_HELP,
    SQL_EPILOG,
    SQL_HELP,
    AllOption,
    ClearDataOption,
    CountOption,
    ExactOption,
    ExplainOption,
    ExportFormatOption,
    ExportPathArgument,
    ForceOption,
    FormatOption,
    IdArgument,
    IdsArgument,
    JsonOption,
    LimitOption,
    MeaningOption,
    MinArticlesOption,
    MinSizeOption,
    PartitionOption,
    Period,
    PeriodOption,
    PrintUrlOption,
    QueryArgument,
    RecordFormat,
    RelatedOption,
    ReverseOption,
    SchemaOption,
    SortKey,
    SortOption,
    SqlArgument,
    StatsRelatedOption,
    StoryIdArgument,
    ThresholdOption,
    TimeoutOption,
    WindowOption,
    with_filters,
    with_run,
    with_terminal,
)
from newsq.index.grouping import WINDOW_DAYS
from newsq.render.formats import Format

if TYPE_CHECKING:
    from newsq.cli.run import Run
    from newsq.index.stats import MaxPeriods
    from newsq.query.filters import Filter
    from newsq.query.language import SearchQuery
    from newsq.render.output import Output

app = typer.Typer(
    name="newsq",
    help="Query a corpus of news articles: filter, search, read and count them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def loading_command(name: str, **settings: Any) -> Callable[[Callable[..., Any]], Any]:
    """`app.command(name)` for a command that loads a corpus: one of `loading.LOADING`,
    whose scan the launcher starts before Typer loads."""
    if name not in LOADING:
        raise ValueError(f"{name!r} loads a corpus: add it to newsq.cli.loading.LOADING")
    return _command(app, name, **settings)


def _command(
    commands: typer.Typer, name: str, **settings: Any
) -> Callable[[Callable[..., Any]], Any]:
    """`commands.command(name)`, its help the function's docstring with each paragraph on
    one line. Typer 0.28 keeps the line breaks of every paragraph but the first: a
    paragraph wrapped at 88 columns in the source broke at each of them, ragged, in a
    terminal of 80."""

    def register(function: Callable[..., Any]) -> Any:
        found = dict(settings)
        if "help" not in found and function.__doc__:
            found["help"] = help_text(function.__doc__)
        return commands.command(name, **found)(function)

    return register


def help_text(docstring: str) -> str:
    """A docstring as one line a paragraph, paragraphs apart by a blank line. What reads
    as rich markup is escaped: help is rendered by rich, which took "[search]" in "a
    table per command ([search] sort = ...)" for a style and left it out."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in [*docstring.splitlines(), ""]:
        if line.strip():
            lines.append(line.strip())
        elif lines:
            paragraphs.append(" ".join(lines))
            lines = []
    return _MARKUP_TAG.sub(r"\\\1", "\n\n".join(paragraphs))


#: What rich reads as a markup tag (rich.markup.escape's pattern; rich is not imported
#: by a command that prints no help).
_MARKUP_TAG = re.compile(r"(?<!\\)(\[[a-zA-Z#/@][^[]*?\])")


def _version(value: bool) -> None:
    if value:
        print(f"newsq {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Query a corpus of news articles: filter, search, read and count them."""
    from newsq.cli.config import default_map, read_config
    from newsq.cli.options import CONFIG_KEY

    config = read_config()
    ctx.meta[CONFIG_KEY] = config
    if config.exists:
        ctx.default_map = default_map(config, ctx.command.commands)  # type: ignore[attr-defined]


@loading_command("list")
@with_filters
@with_run(ids=True)
def list_command(
    where: "Filter",
    run: "Run",
    sort: SortOption = SortKey.date,
    reverse: ReverseOption = False,
    limit: LimitOption = 20,
    all_: AllOption = False,
    count: CountOption = False,
) -> None:
    """List documents, newest first, under the filters."""
    with run:
        run.entries(where, sort.value, reverse, None if all_ else limit, count=count)


@loading_command("search", help=SEARCH_HELP, epilog=QUERY_HELP)
@with_filters
@with_run(ids=True)
def search(
    query: QueryArgument,
    where: "Filter",
    run: "Run",
    related: RelatedOption = False,
    sort: SortOption = SortKey.relevance,
    reverse: ReverseOption = False,
    limit: LimitOption = 20,
    all_: AllOption = False,
    exact: ExactOption = False,
    count: CountOption = False,
) -> None:
    parsed = _parse_query(" ".join(query), exact)
    with run:
        limit_ = None if all_ else limit
        run.hits(parsed, where, related, sort.value, reverse, limit_, count=count)


def _parse_query(text: str, exact: bool = False) -> "SearchQuery":
    """The query read, or exit 2 pointing at the problem."""
    from newsq.query.language import SearchSyntaxError, parse_query
    from newsq.render.escape import safe_text

    try:
        return parse_query(text, exact=exact)
    except SearchSyntaxError as exc:
        shown = safe_text(text)
        caret = " " * len(safe_text(text[: exc.position])) + "^"
        message = f"{exc.reason}\n\n  {shown}\n  {caret}"
        raise typer.BadParameter(message, param_hint="'QUERY'") from None


@loading_command("show")
@with_run()
def show(refs: IdsArgument, run: "Run") -> None:
    """Show a document whole: every field, its related coverage, its body.

    Several ids (or - and ids on stdin) are shown in turn: in JSON as an array, in
    JSONL one a line. An id that matches nothing is said on stderr, the rest shown,
    and the exit code is 1.
    """
    from newsq.cli.run import read_refs

    if "-" in refs and sys.stdin.isatty():
        run.out.message("reading ids from the terminal, one a line; Ctrl-D ends")
    with run:
        if len(refs) == 1 and refs != ["-"]:
            run.record(refs[0])  # one id: one object in JSON, as it always was
        else:
            run.records(read_refs(refs, sys.stdin))


@loading_command("open")
@with_run(fields=False, formats=False)
def open_command(ref: IdArgument, run: "Run", print_: PrintUrlOption = False) -> None:
    """Open a document's article (its webUrl) in the web browser.

    PARENT_ID#N opens an article of its related coverage. --print prints the URL instead.
    Only http and https addresses are opened.
    """
    with run:
        run.open(ref, print_only=print_)


@loading_command("stories")
@with_filters
@with_run(ids=True)
def stories(
    where: "Filter",
    run: "Run",
    window: WindowOption = WINDOW_DAYS,
    threshold: ThresholdOption = None,
    meaning: MeaningOption = False,
    min_size: MinSizeOption = None,
    min_articles: MinArticlesOption = None,
    limit: LimitOption = 20,
    all_: AllOption = False,
    count: CountOption = False,
) -> None:
    """Stories: the documents about one event and their related coverage, biggest first.

    Documents belong together when one lists the other in its related coverage, both
    list the same article, or their titles and excerpts are alike in wording and they
    were published within --window days (alike: a similarity of --threshold or more,
    their stories too on average; with --meaning, alike in what they mean too). The
    filters pick stories with a document matching them; each story is shown whole.
    Then: newsq story ID.
    """
    with run:
        limit_ = None if all_ else limit
        run.stories(where, window, min_size, min_articles, limit_, threshold, meaning, count=count)


@loading_command("story")
@with_run()
def story(
    ref: StoryIdArgument,
    run: "Run",
    window: WindowOption = WINDOW_DAYS,
    threshold: ThresholdOption = None,
    meaning: MeaningOption = False,
    explain: ExplainOption = False,
) -> None:
    """One story: who reported what, when.

    Every article and coverage item in date order, who was first, and articles per day.
    CSV gives the timeline's rows. --explain says why each document is in the story.
    """
    with run:
        run.story(ref, window, threshold=threshold, meaning=meaning, explain=explain)


@loading_command("topics")
@with_filters
@with_run()
def topics(where: "Filter", run: "Run") -> None:
    """Documents per topic, most first."""
    with run:
        run.counts(where, lambda index: index.topics(where=where), ("topic", "count"))


@loading_command("providers")
@with_filters
@with_run()
def providers(where: "Filter", run: "Run") -> None:
    """Documents per provider, most first."""
    with run:
        columns = ("name", "domain", "count")
        run.counts(where, lambda index: index.providers(where=where), columns)


@loading_command("fields")
@with_filters
@with_run()
def fields(where: "Filter", run: "Run") -> None:
    """Every field the documents have: how many have it, its types, an example value.

    Nested ones in dot form (provider.name, related.title), under the same
    filters as list. Each name is one --fields takes, as in
    newsq list --fields id,provider.name. JSON gives each example whole.
    """
    with run:
        run.field_infos(where)


@loading_command("stats")
@with_filters
@with_run(fields=False)
def stats(
    where: "Filter",
    run: "Run",
    # Not auto: what a script reads (`per_month` in the JSON) would change with the span
    # of the data it is run on.
    by: PeriodOption = Period.month,
    related: StatsRelatedOption = False,
) -> None:
    """Counts, dates, top topics and providers, and documents per month (or day, week, year).

    Under the same filters as list: `newsq stats --topic "Computer Vision" --by week`
    is that topic's timeline, week by week, with its busiest week. With --related the
    related coverage counts too: when did coverage peak, and which outlets covered it.
    """
    if run.fmt is Format.csv:
        raise typer.BadParameter(
            "stats has no CSV form; use json or jsonl", param_hint="'--format'"
        )
    most = _periods_that_fit(run, by)
    with run:
        summary = run.first(
            lambda index: index.stats(where=where, by=by.value, related=related, max_periods=most)
        )
        run.suggest(where, related=related)
        if run.fmt is Format.table:
            from newsq.render.panels import stats_view

            run.out.print(stats_view(summary))
        else:
            run.out.value(summary.to_json(), run.fmt)


def _periods_that_fit(run: "Run", by: Period) -> "MaxPeriods":
    """The most periods `--by auto` may choose: in a table on a terminal, its rows less the
    rest of the view and a line for the prompt after it (the summary decides the rest: a
    function of it); else `AUTO_PERIODS`, a screenful (a pipe has no height, and JSON
    should not depend on the terminal it was asked from)."""
    from newsq.index.stats import AUTO_PERIODS

    if by is not Period.auto or run.fmt is not Format.table or not run.out.is_terminal:
        return AUTO_PERIODS
    from newsq.render.panels import stats_lines

    height = run.out.terminal_height()
    return lambda summary: height - stats_lines(summary) - 1


@loading_command("check")
@with_run(strict=False, fields=False, report_skipped=False)
def check(run: "Run") -> None:
    """Report every problem in the corpus as path:line:col: severity: message.

    Exits 1 when a file cannot be loaded as a document.
    """
    from newsq.model import ERROR, SEVERITIES
    from newsq.render.formats import problems_text

    with run:
        problems = run.index.problems
        if run.fmt is Format.table:
            run.out.write(problems_text(problems))
        else:
            rows = [p.to_dict() for p in problems]
            columns = ("path", "line", "column", "severity", "message")
            run.out.rows(rows, run.fmt, (), default_fields=columns, whole=True)
        counts = {s: sum(p.severity == s for p in problems) for s in SEVERITIES}
        tally = ", ".join(f"{n:,} {s}{'' if n == 1 else 's'}" for s, n in counts.items())
        loaded = len(run.index)
        run.out.message(f"{loaded:,} document{'' if loaded == 1 else 's'} loaded; {tally}")
        if counts[ERROR]:
            raise typer.Exit(1)


@loading_command("sql", help=SQL_HELP, epilog=SQL_EPILOG)
@with_filters
@with_run(fields=False)
def sql(
    where: "Filter",
    run: "Run",
    query: SqlArgument = None,
    schema: SchemaOption = False,
    timeout: TimeoutOption = None,
    count: CountOption = False,
) -> None:
    from newsq.cli import querying

    if schema:
        querying.print_schema(run.out, run.fmt)
        return
    text = querying.query_text(query)
    with run:
        querying.print_sql(run, text, where, timeout=timeout, count=count)


@loading_command("export")
@with_filters
@with_run(fields=False, formats=False)
def export(
    path: ExportPathArgument,
    where: "Filter",
    run: "Run",
    fmt: ExportFormatOption = None,
    partition_by: PartitionOption = None,
    force: ForceOption = False,
) -> None:
    """Write the documents (under the filters) to PATH as Parquet, JSON lines or SQLite.

    Parquet has typed columns (timestamps, integers, structs, lists) that DuckDB, Polars,
    Spark and pyarrow read as they are; --partition-by writes a folder of Hive-style
    partitions they prune. sqlite writes the views of newsq sql as tables, for Datasette
    or any SQLite client; jsonl the lossless records. Never inside the data folder.
    """
    from newsq.cli import querying

    with run:
        querying.export(
            run,
            path,
            where,
            format=fmt and fmt.value,
            partition_by=partition_by and partition_by.value,
            force=force,
        )


@_command(app, "config")
@with_terminal
def config_command(
    ctx: typer.Context,
    out: "Output",
    fmt: FormatOption = RecordFormat.table,
    json_: JsonOption = False,
) -> None:
    """The settings in effect, and where each comes from.

    The command line's defaults come from the config file, the environment, or newsq.

    The file is $NEWSQ_CONFIG, else $XDG_CONFIG_HOME/newsq/config.toml (TOML): data,
    color, pager and limit at the top, and a table per command of its options' defaults
    ([search] sort = "date"). The command line wins over the environment, the
    environment over the file.
    """
    from newsq.cli.config import effective
    from newsq.cli.options import CONFIG_KEY

    config = ctx.meta[CONFIG_KEY]
    settings = effective(config, ctx.find_root().command.commands)  # type: ignore[attr-defined]
    state = "" if config.exists else " (not found: every setting is the built-in one)"
    if fmt is RecordFormat.table and not json_:
        from newsq.render.panels import settings_view

        out.print(settings_view(f"{config.path}{state}", settings))
        return
    rows = [setting.to_json() for setting in settings]
    out.rows(
        rows,
        Format.json if json_ else Format(fmt.value),
        (),
        default_fields=("name", "value", "source"),
    )


cache_app = typer.Typer(
    help="The snapshots of parsed corpora kept in the cache folder.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(cache_app, name="cache")


@_command(cache_app, "info")
@with_terminal
def cache_info(
    out: "Output", fmt: FormatOption = RecordFormat.table, json_: JsonOption = False
) -> None:
    """Where snapshots are kept, and what each holds."""
    from newsq.store.cache import cache_dir, list_snapshots

    folder = cache_dir()
    snapshots = list_snapshots(folder)
    if fmt is RecordFormat.table and not json_:
        from newsq.render.panels import snapshots_view

        out.print(snapshots_view(str(folder), snapshots))
        return
    fields = ("path", "roots", "documents", "files", "bytes", "created", "updated", "error")
    rows = [snapshot.to_json() for snapshot in snapshots]
    out.rows(
        rows, Format.json if json_ else Format(fmt.value), (), default_fields=fields, whole=True
    )


@_command(cache_app, "clear")
@with_terminal
def cache_clear(out: "Output", data: ClearDataOption = None) -> None:
    """Delete snapshots: every one, or the one of --data. They are rebuilt when next needed."""
    from newsq.store.cache import cache_dir, clear

    removed = clear(data or None)
    noun = "snapshot" if len(removed) == 1 else "snapshots"
    out.message(f"removed {len(removed)} {noun} from {cache_dir()}")


# --- the console script ------------------------------------------------------------------

#: What Typer raises for a command line it cannot read (click's ClickException, which
#: Typer vendors from 0.26 on under a private name).
_USAGE_ERRORS = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main() -> None:
    """The console script: run the app; every failure is one message on stderr, never a
    traceback, and the exit code says which (see the module's docstring)."""
    from newsq.cli.config import ConfigError

    code: int | None = 0
    try:
        code = _run_app()
    except ConfigError as exc:
        _error(str(exc))
        code = exc.exit_code
    except _USAGE_ERRORS as exc:
        code = _usage_error(exc)
    except typer.Abort:
        _error("aborted")
        code = 1
    except Exception as exc:
        code = _failed(exc)
    finally:
        try:
            sys.stdout.flush()
        except OSError as exc:
            code = _output_failed(exc)
        # Python's shutdown looks for reference cycles among every object it still
        # holds, for nothing: the process is ending. Frozen objects are not looked
        # at, which saves 20-40 ms of every run (measured at 100,000 documents).
        gc.freeze()
    sys.exit(code or 0)


def _run_app() -> int | None:
    """The app, run once more if it found its snapshot damaged before printing anything
    (the damage a query meets: a value no snapshot of newsq's holds, say); the snapshot
    is removed, and the second run rebuilds it."""
    try:
        try:
            return app(standalone_mode=False)
        except Exception as exc:
            from newsq.render.output import wrote_output
            from newsq.store.snapshot import discard_damaged

            if signals.ending() is not None or wrote_output() or discard_damaged(exc) is None:
                raise
            return app(standalone_mode=False)
    finally:
        # The reader's pager, if one was started, is done before anything more is said.
        pager = sys.modules.get("newsq.render.pager")
        if pager is not None:
            pager.wait_for_all()


def _failed(exc: Exception) -> int:
    """The exit code of a command that raised `exc`, said on stderr; raised again when
    it is a bug (the traceback is then what to report)."""
    from newsq.render.output import OutputError
    from newsq.store.snapshot import discard_damaged

    ending = signals.ending()
    if ending is not None:  # a query stopped by Ctrl-C or a signal ending the command
        return 128 + ending
    if isinstance(exc, OutputError):
        return _output_failed(exc.cause)
    damaged = discard_damaged(exc)
    if damaged is None:
        raise exc
    _error(f"the snapshot {damaged} is damaged ({exc}); removed, run again")
    return 1


def _usage_error(exc: Any) -> int:
    """Say what Typer could not read, with whatever the user typed in it escaped (an option
    name or value can hold escape sequences); its exit code (2)."""
    from newsq.render.escape import safe_text

    exc.message = safe_text(exc.message, multiline=True)
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)
    except ImportError:  # pragma: no cover - Typer without rich
        exc.show()
    return int(exc.exit_code)


def _output_failed(error: OSError) -> int:
    """The exit code when stdout cannot be written: 0 when its reader has gone (`| head`,
    as ripgrep does), else 1 after one line on stderr (a full disk, say). Anything still
    buffered goes to /dev/null, so that Python's exit does not fail on it again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if isinstance(error, BrokenPipeError):
        return 0
    _error(f"cannot write the output: {(error.strerror or str(error)).lower()}")
    return 1


def _error(text: str) -> None:
    from newsq.render.output import Output

    Output().error(text)
