"""Every command-line option, defined once, and the decorator that adds the filters.

Commands declare the options they take by annotating parameters with these
types; `with_filters` adds the shared filter options to a command and hands it
a ready `Filter`. No `from __future__ import annotations` here: Typer reads
these annotations at run time.
"""

import enum
import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from newsq import complete
from newsq.query import Filter, QueryError

FILTERS = "Filters"
OUTPUT = "Output"


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Period(str, enum.Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class SortKey(str, enum.Enum):
    relevance = "relevance"
    date = "date"
    quality = "quality"
    heat = "heat"
    title = "title"


PeriodOption = Annotated[
    Period, typer.Option("--by", help="Count documents per day, week (ISO 8601), month or year.")
]
DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
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
    int, typer.Option(min=1, help="Show at most N results.", metavar="N", rich_help_panel=OUTPUT)
]
AllOption = Annotated[
    bool, typer.Option("--all", help="Show every result (no limit).", rich_help_panel=OUTPUT)
]
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format.", rich_help_panel=OUTPUT),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Same as --format json.", rich_help_panel=OUTPUT)
]
FieldsOption = Annotated[
    str | None,
    typer.Option(
        help="Comma-separated fields to print; dotted paths reach nested ones "
        "(id,title,provider.name).",
        metavar="LIST",
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

    def build(kwargs: dict[str, Any]) -> Filter:
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
    """Give `command` --color, --quiet and --verbose; it receives them as one `out: Output`."""

    def build(kwargs: dict[str, Any]) -> Any:
        from newsq.output import Output  # here, not at the top: output imports this module

        quiet, verbose = kwargs.pop("quiet"), kwargs.pop("verbose")
        if quiet and verbose:
            raise typer.BadParameter("give one of --quiet and --verbose", param_hint="'--quiet'")
        return Output(color=kwargs.pop("color").value, verbosity=verbose - quiet)

    return _gathered(command, "out", _TERMINAL_PARAMETERS, build)


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

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        kwargs[name] = build(kwargs)
        return command(**kwargs)

    every = own + parameters
    wrapper.__signature__ = signature.replace(parameters=every)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in every}
    return wrapper
