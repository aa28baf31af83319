"""Every command-line option, defined once, and the decorators that add the shared ones.

Commands declare the options they take by annotating parameters with these
types; `with_filters` adds the filter options to a command and hands it a ready
`Filter`, `with_run` the corpus and output options and hands it a ready `Run`,
`with_terminal` the terminal options alone (for commands without a corpus) as
an `Output`. No `from __future__ import annotations` here: Typer reads these
annotations at run time.
"""

import enum
import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from newsq.cli import complete
from newsq.cli.loading import DATA_OPTIONS
from newsq.model import QueryError
from newsq.render.formats import Format

FILTERS = "Filters"
OUTPUT = "Output"


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


class RecordFormat(str, enum.Enum):
    """`--format` of a command whose results are not a list of ids (`Format` less `ids`)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class Period(str, enum.Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"
    auto = "auto"


class SortKey(str, enum.Enum):
    relevance = "relevance"
    date = "date"
    quality = "quality"
    heat = "heat"
    title = "title"


QUERY_HELP = """\b
Query language:
  facial recognition      documents with more of the words first; a misspelt
                          word is corrected; how, do, the... are left out
  amazon OR ibm           either word (with AND or OR, every word is exact)
  police -amazon          police, not amazon (also: police NOT amazon)
  "facial recognition"    the exact phrase
  recogni*                words starting so
  title:amazon            in one field: title, excerpt, provider, topic, body
  topic:"Computer Vision" a field takes a word, a "phrase" or a (group)
  (amazon OR ibm) police  brackets group
  --exact                 every word required, as typed
Examples:
  newsq search how do I build a canvas app with sharepoint
  newsq search 'title:amazon "facial recognition"' --since 2020-06
  newsq search -- -amazon police
"""
SEARCH_HELP = (
    "Documents matching a query, best match first, each with the passage that matches."
    "\n\nSearches the title, excerpt, provider name, topics and body; a word in the title "
    "counts most. Words match whole words in any case and accent, and other forms of the "
    "same word (banned finds banning). Plain words forgive: documents with all of them "
    "come first, then those with most (rare words weigh more); a word no document has is "
    "corrected. Quote the query when it has spaces, quotes or brackets, and put it after "
    "-- when it starts with -."
)
QueryArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="QUERY",
        help="What to find (several words are one query); the language is below.",
        show_default=False,
    ),
]
IdsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="ID...",
        help="An id, a unique prefix of it, or of its hex part; PARENT_ID#N for the "
        "Nth article of its related coverage. Several are shown in turn; - reads them "
        "from stdin, one a line (newsq search … --format ids | newsq show -).",
        autocompletion=complete.ids,
        show_default=False,
    ),
]
IdArgument = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="An id, a unique prefix of it, or of its hex part; PARENT_ID#N for the "
        "Nth article of its related coverage.",
        autocompletion=complete.ids,
    ),
]
StoryIdArgument = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="A story's id, or the id of any of its documents (or a unique prefix).",
        autocompletion=complete.ids,
    ),
]
PrintUrlOption = Annotated[
    bool, typer.Option("--print", help="Print the URL (one line) instead of opening it.")
]
ClearDataOption = Annotated[
    list[str] | None,
    typer.Option(
        *DATA_OPTIONS,
        help="Clear only the snapshot of this corpus (as given to other commands).",
        show_default=False,
        metavar="PATH",
    ),
]
PeriodOption = Annotated[
    Period,
    typer.Option(
        "--by",
        help="Count documents per day, week (ISO 8601), month or year; auto: the smallest "
        "whose timeline fits the terminal with the rest of the view (50 periods at most "
        "on a pipe or in JSON).",
    ),
]
DataOption = Annotated[
    list[str] | None,
    typer.Option(
        *DATA_OPTIONS,
        help="A corpus file or folder (repeatable). Default: $NEWSQ_DATA, else the bundled seeds.",
        show_default=False,
        metavar="PATH",
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse every file now; neither read nor write the snapshot in the cache folder.",
    ),
]
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Fail (exit 1, print nothing) when any file cannot be loaded, instead of skipping it.",
    ),
]
SortOption = Annotated[
    SortKey,
    typer.Option(
        help="Order: relevance (best match first; search only), date (newest first), "
        "quality, heat (highest first), title (A-Z). Ties by id.",
        rich_help_panel=OUTPUT,
    ),
]
RelatedOption = Annotated[
    bool,
    typer.Option(
        "--related",
        help="Also search the articles in every document's related coverage "
        "(ids PARENT_ID#N; filters see their own date, provider, quality and type, "
        "and their document's topics).",
    ),
]
ExactOption = Annotated[
    bool,
    typer.Option(
        "--exact",
        help="Read the query exactly: every word required as typed (no word left out, none "
        "corrected), as quotes, AND, OR and fields always are.",
    ),
]
StatsRelatedOption = Annotated[
    bool,
    typer.Option(
        "--related",
        help="Count the articles of every document's related coverage too, each on its own "
        "date and by its own outlet (filtered as search --related filters them).",
    ),
]
WindowOption = Annotated[
    float,
    typer.Option(
        "--window",
        min=0.001,
        metavar="DAYS",
        help="Documents alike in wording belong to one story when published at most this "
        "many days apart (links through related coverage have no window).",
    ),
]
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.001,
        max=1.0,
        metavar="COSINE",
        show_default=False,
        help="Documents are alike in wording from this similarity of their words (TF-IDF "
        "cosine, 0 to 1), and stories join when alike on average as much: lower joins "
        "more documents into stories, higher fewer. "
        "newsq story ID --explain shows each document's. "
        "Default: 0.2, or 0.3 with --meaning.",
    ),
]
MeaningOption = Annotated[
    bool,
    typer.Option(
        "--meaning/--no-meaning",
        help="Compare documents by what they mean too, not only by their words: a "
        "sentence-embedding model (all-MiniLM-L6-v2) counts for 40% of each similarity, "
        "which joins more of a story told in other words. Needs pip install "
        "'newsq\\[meaning]' (PyTorch, about 1.5 GB) and encodes 60 to 300 documents a "
        "second (by their length) when the stories are computed.",
    ),
]
ExplainOption = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="Say why each document is in the story: the link, or the document it is most "
        "alike, their similarity and the words they share.",
    ),
]
MinSizeOption = Annotated[
    int | None,
    typer.Option(
        "--min-size",
        min=1,
        metavar="N",
        show_default=False,
        help="List stories of at least N documents. Default: 2 documents, or 5 articles "
        "counting coverage; --min-size 1 lists every story.",
    ),
]
MinArticlesOption = Annotated[
    int | None,
    typer.Option(
        "--min-articles",
        min=1,
        metavar="N",
        show_default=False,
        help="List stories of at least N articles, counting coverage (with --min-size: "
        "stories reaching either).",
    ),
]
ReverseOption = Annotated[
    bool, typer.Option("--reverse", help="Reverse the sort order.", rich_help_panel=OUTPUT)
]
LimitOption = Annotated[
    int,
    typer.Option(
        "--limit", "-n", min=1, help="Show at most N results.", metavar="N", rich_help_panel=OUTPUT
    ),
]
AllOption = Annotated[
    bool, typer.Option("--all", help="Show every result (no limit).", rich_help_panel=OUTPUT)
]
FormatOption = Annotated[
    RecordFormat,
    typer.Option("--format", "-f", help="Output format.", rich_help_panel=OUTPUT),
]
ListFormatOption = Annotated[
    Format,  # (ids and all: list, search and stories)
    typer.Option(
        "--format",
        "-f",
        help="Output format; ids: the ids alone, one a line (for newsq show - and xargs).",
        rich_help_panel=OUTPUT,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Same as --format json.", rich_help_panel=OUTPUT)
]
CountOption = Annotated[
    bool,
    typer.Option(
        "--count",
        help='Print only how many results there are, every one counted (JSON: {"count": N}).',
        rich_help_panel=OUTPUT,
    ),
]
SqlArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="QUERY",
        help="One SQL statement (SQLite) over the views; - reads it from stdin.",
        show_default=False,
    ),
]
SchemaOption = Annotated[
    bool, typer.Option("--schema", help="Print the views and a line on each column, then stop.")
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0.001,
        metavar="SECONDS",
        show_default=False,
        help="Stop the query after this many seconds (Ctrl-C stops it at any time).",
    ),
]
SQL_HELP = (
    "Run read-only SQL (SQLite) over the corpus's views: documents, topics, related, "
    "images, search.\n\nThe filters restrict every view to the documents they select. "
    "Only reading is allowed: writes, ATTACH, PRAGMAs that change anything and "
    "load_extension are refused. newsq sql --schema lists the columns."
)
SQL_EPILOG = """\b
Examples:
  newsq sql 'SELECT provider_name, count(*) AS n FROM documents GROUP BY 1 ORDER BY n DESC'
  newsq sql "SELECT substr(date, 1, 7) AS month, avg(quality) FROM documents GROUP BY 1"
  newsq sql "SELECT id, score FROM search WHERE search MATCH 'facial recognition'
             ORDER BY score DESC LIMIT 5"
  newsq sql --topic AI 'SELECT topic, count(*) FROM topics GROUP BY 1'
"""


class ExportFormat(str, enum.Enum):
    parquet = "parquet"
    jsonl = "jsonl"
    sqlite = "sqlite"


class Partition(str, enum.Enum):
    month = "month"
    year = "year"
    provider = "provider"


ExportPathArgument = Annotated[
    str,
    typer.Argument(
        metavar="PATH",
        help="Where to write: a file, or a folder with --partition-by.",
        show_default=False,
    ),
]
ExportFormatOption = Annotated[
    ExportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="parquet (typed columns; needs pyarrow), jsonl (the lossless records) or sqlite "
        "(the views as tables). Default: what PATH ends in (.parquet, .jsonl, .sqlite).",
        show_default=False,
    ),
]
PartitionOption = Annotated[
    Partition | None,
    typer.Option(
        "--partition-by",
        help="Parquet only: write PATH as a folder of Hive-style partitions "
        "(date_month=2020-06/part-0.parquet, date_year=2020, provider_domain=forbes.com).",
        show_default=False,
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace PATH if it exists (a folder: an earlier export).")
]
FieldsOption = Annotated[
    str | None,
    typer.Option(
        help="Comma-separated fields to print; dotted paths reach nested ones "
        "(id,title,provider.name). newsq fields lists them.",
        metavar="LIST",
        autocompletion=complete.fields,
        show_default=False,
        rich_help_panel=OUTPUT,
    ),
]


def _option_parameter(
    annotation: Any,
    *names: str,
    help: str,
    default: Any = None,
    panel: str = FILTERS,
    **extra: Any,
) -> inspect.Parameter:
    """A keyword parameter for an option that a decorator adds to commands."""
    name = names[0].lstrip("-").split("/")[0].replace("-", "_")
    show_default = default is not None and not isinstance(default, bool)
    option = typer.Option(
        *names, help=help, rich_help_panel=panel, show_default=show_default, **extra
    )
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, option],
    )


_FILTER_PARAMETERS = [
    _option_parameter(
        list[str] | None,
        "--topic",
        "-t",
        help="Has this topic (repeatable: all must match; any case).",
        metavar="TOPIC",
        autocompletion=complete.topics,
    ),
    _option_parameter(
        list[str] | None,
        "--provider",
        "-p",
        help="From this provider: name, domain, or domain without suffix "
        "(forbes). Repeatable: any may match.",
        metavar="NAME",
        autocompletion=complete.providers,
    ),
    _option_parameter(
        list[str] | None, "--category", help="In this category (repeatable).", metavar="NAME"
    ),
    _option_parameter(
        list[str] | None, "--type", help="Of this type (repeatable).", metavar="TYPE"
    ),
    _option_parameter(
        str | None,
        "--since",
        help="Published on or after DATE: any date python-dateutil reads (UTC; a bare "
        "date is the start of that day), today, yesterday, 3 days ago (weeks, months, "
        "years), or 7d, 2w, 3m, 1y.",
        metavar="DATE",
    ),
    _option_parameter(
        str | None,
        "--until",
        help="Published on or before DATE, written as for --since (a bare date is the end "
        "of that day).",
        metavar="DATE",
    ),
    _option_parameter(float | None, "--min-quality", help="Quality at least N.", metavar="N"),
    _option_parameter(float | None, "--min-heat", help="Heat at least N.", metavar="N"),
    _option_parameter(
        bool | None,
        "--published/--unpublished",
        help="Only published, or only unpublished, documents.",
    ),
]
FILTER_NAMES = [p.name for p in _FILTER_PARAMETERS]


def with_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` the filter options; it receives them as one `where: Filter`."""

    def build(kwargs: dict[str, Any]) -> Any:
        from newsq.query.filters import Filter  # here: it is not needed for --help

        criteria = {name: kwargs.pop(name) for name in FILTER_NAMES}
        try:
            return Filter.build(**criteria)
        except QueryError as exc:
            raise typer.BadParameter(
                f"{exc.reason}: {exc.value!r}", param_hint=exc.option
            ) from None

    return _gathered(command, "where", _FILTER_PARAMETERS, build)


_TERMINAL_PARAMETERS = [
    _option_parameter(
        Color,
        "--color",
        help="Colours, styles and links: auto (on a terminal, unless NO_COLOR is set; "
        "FORCE_COLOR draws as for one even on a pipe), always, never.",
        default=Color.auto,
        panel=OUTPUT,
    ),
    _option_parameter(
        bool,
        "--no-pager",
        help="Never page the output (on a terminal it goes through $NEWSQ_PAGER, $PAGER, "
        "the config file's pager or less -FRX, which quits at once when it fits).",
        default=False,
        panel=OUTPUT,
    ),
    _option_parameter(
        bool,
        "--quiet",
        "-q",
        help="No notes or progress on stderr; only errors.",
        default=False,
        panel=OUTPUT,
    ),
    _option_parameter(
        bool,
        "--verbose",
        "-v",
        help="Say on stderr what was loaded from where, and how long it took.",
        default=False,
        panel=OUTPUT,
    ),
]


def with_terminal(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` --color, --no-pager, --quiet and --verbose; it receives them as one
    `out: Output`."""
    return _gathered(command, "out", _TERMINAL_PARAMETERS, _output)


def _output(kwargs: dict[str, Any]) -> Any:
    """The `Output` that --color, --no-pager, --quiet and --verbose ask for (popped from
    `kwargs`), with the pager the environment or the config file chose."""
    from newsq.render.output import Output
    from newsq.render.pager import choose

    quiet, verbose = kwargs.pop("quiet"), kwargs.pop("verbose")
    if quiet and verbose:
        raise typer.BadParameter("give one of --quiet and --verbose", param_hint="'--quiet'")
    config = _config(kwargs[_CONTEXT])
    pager = None if kwargs.pop("no_pager") else choose(config and config.pager).command
    return Output(color=kwargs.pop("color").value, verbosity=verbose - quiet, pager=pager)


def _config(context: typer.Context) -> Any:
    """The config file the app read (`newsq.cli.app`), if it read one."""
    return context.meta.get(CONFIG_KEY)


#: Where the app keeps the config file it read, in the context's `meta`.
CONFIG_KEY = "newsq.config"
#: The parameter the decorators' wrappers take the command's context as.
_CONTEXT = "newsq_context"


def with_run(
    *,
    strict: bool = True,
    fields: bool = True,
    report_skipped: bool = True,
    formats: bool = True,
    ids: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the options of a corpus and its output (--data, --no-cache, and
    with `strict` --strict; with `formats` --format and --json, and with `fields`
    --fields; --color, --quiet, --verbose); it receives them as one `run: Run`
    (`newsq.cli.run`). `report_skipped` says on stderr what files could not be loaded
    (`check` lists them). A command that prints no data (`export`) has no `formats`;
    one that lists results (`list`) takes `--format ids` too (`ids`)."""
    parameters = [_parameter("data", DataOption, None), _parameter("no_cache", NoCacheOption)]
    if strict:
        parameters.append(_parameter("strict", StrictOption))
    if formats:
        parameters += [
            _parameter(
                "fmt",
                ListFormatOption if ids else FormatOption,
                Format.table if ids else RecordFormat.table,
            ),
            _parameter("json_", JsonOption),
        ]
    if fields:
        parameters.append(_parameter("fields", FieldsOption, None))
    parameters += _TERMINAL_PARAMETERS

    def build(kwargs: dict[str, Any]) -> Any:
        from newsq.cli.run import Run

        context = kwargs[_CONTEXT]
        data_source = "--data"
        if context.get_parameter_source("data").name == "DEFAULT_MAP":
            data_source = _config(context).where("", "data")
        return Run(
            _output(kwargs),
            kwargs.pop("data"),
            kwargs.pop("no_cache"),
            Format(kwargs.pop("fmt").value) if formats else Format.table,
            kwargs.pop("json_") if formats else False,
            kwargs.pop("fields") if fields else None,
            report_skipped=report_skipped,
            strict=kwargs.pop("strict") if strict else False,
            data_source=data_source,
        )

    return lambda command: _gathered(command, "run", parameters, build)


def _parameter(name: str, annotation: Any, default: Any = False) -> inspect.Parameter:
    """A keyword parameter `name` of an option defined above (`DataOption`, …)."""
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _gathered(
    command: Callable[..., Any],
    name: str,
    parameters: list[inspect.Parameter],
    build: Callable[[dict[str, Any]], Any],
) -> Callable[..., Any]:
    """`command` with `parameters` in its signature, handed to it as one value `name`:
    what `build` makes of them (it pops them from the keyword arguments)."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != name]

    # Typer hands the context to the one parameter annotated so: the builders read in it
    # the config file the app found, and where a value came from. A command taking the
    # context itself shares it.
    takes_context = name in ("run", "out")
    own_context = next((p.name for p in own if p.annotation is typer.Context), None)

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        if own_context:
            kwargs[_CONTEXT] = kwargs[own_context]
        kwargs[name] = build(kwargs)
        if takes_context:
            del kwargs[_CONTEXT]
        return command(**kwargs)

    context = inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    every = own + parameters + ([context] if takes_context and not own_context else [])
    wrapper.__signature__ = signature.replace(parameters=every)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in every}
    return wrapper
