"""The `newsq` command: each subcommand wires its options to the Python API.

Exit codes: 0 success (no results is success), 1 not found or the corpus has
errors (`check`), 2 usage error. Data goes to stdout, messages to stderr.
Heavy modules (YAML, rich) are imported inside the commands, so `--version`
and `--help` start fast.
"""

import gc
import os
import sys
import time
from typing import TYPE_CHECKING, Annotated, TypeVar, cast

import typer

from newsq import __version__, complete
from newsq.options import (
    AllOption,
    DataOption,
    FieldsOption,
    Format,
    FormatOption,
    JsonOption,
    LimitOption,
    MinArticlesOption,
    MinSizeOption,
    NoCacheOption,
    Period,
    PeriodOption,
    RelatedOption,
    ReverseOption,
    SortKey,
    SortOption,
    StatsRelatedOption,
    StrictOption,
    WindowOption,
    with_filters,
    with_terminal,
)
from newsq.query import Filter, QueryError
from newsq.stories import MIN_ARTICLES, MIN_DOCUMENTS, WINDOW_DAYS

#: Fields a search hit's record has besides its article's own.
HIT_FIELDS = ("score", "snippet", "highlights")
#: The keys of a story (`stories --json`); `story` adds its `timeline`, whose rows are
#: what `story --format csv` prints.
STORY_KEYS = (
    "id", "headline", "documents", "articles", "outlets", "first_seen", "last_seen", "topics"
)  # fmt: skip
TIMELINE_FIELDS = ("publishedDateTime", "outlet", "title", "url", "document", "id")

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence, Sized
    from typing import Any

    from newsq.index import Hit, Index
    from newsq.model import Entry
    from newsq.output import Output
    from newsq.search import SearchQuery

QUERY_HELP = """\b
Query language:
  facial recognition      both words, anywhere
  amazon OR ibm           either word
  police -amazon          police, not amazon (also: police NOT amazon)
  "facial recognition"    the exact phrase
  recogni*                words starting so
  title:amazon            in one field: title, excerpt, provider, topic, body
  topic:"Computer Vision" a field takes a word, a "phrase" or a (group)
  (amazon OR ibm) police  brackets group
Examples:
  newsq search 'title:amazon "facial recognition"' --since 2020-06
  newsq search -- -amazon police
"""

app = typer.Typer(
    name="newsq",
    help="Query a corpus of news articles: filter, search, read and count them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


T = TypeVar("T")


class Run:
    """What every command starts from: the corpus loaded and the output chosen.

    Used as `with Run(...) as run:`, so the snapshot is closed (and SQLite folds its
    write-ahead log back into it) when the command ends, however it ends. The
    corpus is loaded when first needed: by `run.index`, or by `run.first(work)`,
    which runs the command's query while the files are checked for changes.
    """

    def __init__(
        self,
        out: "Output",
        data: list[str] | None,
        no_cache: bool = False,
        fmt: Format = Format.table,
        json_: bool = False,
        fields: str | None = None,
        *,
        report_skipped: bool = True,
        strict: bool = False,
    ) -> None:
        from newsq.formats import parse_fields

        self.out = out
        self.fmt = Format.json if json_ else fmt
        self.fields = parse_fields(fields)
        self._data = data
        self._no_cache = no_cache
        self._report_skipped = report_skipped
        self._strict = strict
        self._index: Index | None = None

    @property
    def index(self) -> "Index":
        """The corpus, loaded (and brought up to date) on first use."""
        if self._index is None:
            self._load(None)
        assert self._index is not None
        return self._index

    def first(self, work: "Callable[[Index], T]") -> T:
        """`work(self.index)`; when it is the first use of the corpus, it runs while the
        files are checked for changes (see `newsq.corpus.load_and_run`)."""
        if self._index is not None:
            return work(self._index)
        return cast("T", self._load(work))

    def _load(self, work: "Callable[[Index], T] | None") -> "T | None":
        from newsq.corpus import DATA_ENV, DataPathError, load, load_and_run

        data, cache = self._data, not self._no_cache
        started = time.perf_counter()
        result = None
        try:
            with self.out.indexing_progress() as progress:
                if work is None:
                    self._index = load(data, cache=cache, progress=progress)
                else:
                    self._index, result = load_and_run(work, data, cache=cache, progress=progress)
        except DataPathError as exc:
            source = "'--data'" if data else f"${DATA_ENV}"
            from newsq.formats import safe_text

            raise typer.BadParameter(safe_text(str(exc)), param_hint=source) from None
        self._say_loaded(data, time.perf_counter() - started)
        if self.index.cache_problem:
            self.out.message(f"{self.index.cache_problem}; indexing without a snapshot")
        skipped = self.index.skipped
        noun = "file" if skipped == 1 else "files"
        if self._strict and skipped:
            self.out.error(f"{skipped:,} {noun} cannot be loaded (--strict); run newsq check")
            raise typer.Exit(1)
        if self._report_skipped and skipped:
            self.out.message(f"{skipped:,} {noun} skipped; run newsq check for details")
        left_out = self.index.left_out
        if self._report_skipped and left_out:
            noun = "file" if left_out == 1 else "files"
            self.out.message(
                f"{left_out:,} {noun} left out: another file has the same id (two --data "
                "roots holding the same names?); run newsq check for details"
            )
        if self._report_skipped and not len(self.index):
            self.out.message(self._no_documents())
        return result

    def _no_documents(self) -> str:
        """What to say of a corpus without a single document: where newsq looked, for what."""
        from newsq.corpus import data_roots
        from newsq.scan import EXTENSIONS

        where = ", ".join(data_roots(self._data))
        files = self.index.files
        if not files:
            names = ", ".join(f"*{e}" for e in EXTENSIONS[:-1]) + f" or *{EXTENSIONS[-1]}"
            return f"the corpus has no documents: no {names} file in {where}"
        noun = "file" if files == 1 else "files"
        return (
            f"the corpus has no documents: {files:,} {noun} in {where}, none with front matter "
            "between '---' lines that newsq can read; run newsq check for details"
        )

    def _say_loaded(self, data: list[str] | None, seconds: float) -> None:
        """With --verbose: which corpus, from which snapshot, and what loading it took."""
        from newsq.corpus import DATA_ENV, data_roots

        if self.out.verbosity <= 0:
            return
        given = (
            "--data" if data else f"${DATA_ENV}" if os.environ.get(DATA_ENV) else "bundled seeds"
        )
        self.out.detail(f"corpus ({given}): {', '.join(data_roots(data))}")
        path = self.index.snapshot.path
        changes = self.index.changes
        if changes.parsed or changes.removed:
            state = f"parsed {changes.parsed:,} files, forgot {changes.removed:,}"
        else:
            state = "up to date, nothing parsed"
        where = f"snapshot {path}" if path else "no snapshot (in memory)"
        self.out.detail(f"{where}: {state}")
        count = len(self.index)
        self.out.detail(
            f"{count:,} document{'s' if count != 1 else ''} loaded "
            f"in {seconds:.3f} s; {self.index.skipped:,} files skipped"
        )

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        from newsq.snapshot import is_damage

        if self._index is not None and (error is None or not is_damage(error)):
            self._index.close()  # (a damaged one is left open, for `main` to find it)
        if isinstance(error, QueryError):  # a value the library could not take: a usage error
            raise typer.BadParameter(error.reason, param_hint=f"'{error.option}'") from None

    def check_fields(self, known: "Iterable[str]") -> None:
        """Exit 2 when `--fields` names a field that `known` (the paths the results can
        have) lacks, saying which are known: a typo would otherwise print an empty column."""
        from newsq.fields import unknown_fields

        if not self.fields or not len(self.index):
            return
        unknown = unknown_fields(self.fields, known)
        if not unknown:
            return
        first = unknown[0]
        top = [path for path in first.known if "." not in path]
        nested = [path for path in first.known if "." in path]
        message = f"unknown field {first.field!r}{_did_you_mean(first.closest)}\n"
        message += f"Fields: {', '.join(top)}"
        if nested:
            message += f" (and nested ones in dot form, such as {nested[0]})"
        raise typer.BadParameter(message, param_hint="'--fields'")

    def suggest(self, where: Filter, *, related: bool = False) -> None:
        """Say on stderr which topic or provider asked for no document has, and what is near."""
        for found in self.index.suggestions(where, related=related):
            noun = found.option.removeprefix("--")
            self.out.message(
                f"no document has {noun} {found.value!r}{_did_you_mean(found.closest)}"
            )

    def entries(self, where: Filter, sort: SortKey, reverse: bool, limit: int | None) -> None:
        """Print the matching documents, at most `limit`, and say on stderr what the limit hid."""

        def work(index: "Index") -> "tuple[list[Entry], int]":
            shown = index.select(where, sort=sort.value, reverse=reverse, limit=limit)
            return shown, _total(shown, limit, lambda: index.count(where))

        shown, total = self.first(work)
        self.suggest(where)
        self.check_fields(self.index.field_paths())
        self.out.entries(self.index, shown, self.fmt, self.fields)
        self._tally(len(shown), limit, total)

    def hits(
        self,
        query: "SearchQuery",
        where: Filter,
        related: bool,
        sort: SortKey,
        reverse: bool,
        limit: int | None,
    ) -> None:
        """Print the search hits, at most `limit`, and say on stderr what the limit hid."""

        def work(index: "Index") -> "tuple[list[Hit], int]":
            found = index.search(
                query, where, sort=sort.value, reverse=reverse, limit=limit, related=related
            )
            return found, _total(found, limit, lambda: index.count(where, query, related=related))

        found, total = self.first(work)
        self.suggest(where, related=related)
        self.check_fields(self.index.field_paths(related=related) | set(HIT_FIELDS))
        self.out.hits(self.index, found, self.fmt, self.fields)
        self._tally(len(found), limit, total)

    def _tally(self, shown: int, limit: int | None, total: int) -> None:
        if not shown and self.fmt is Format.table and len(self.index):
            self.out.message("no documents match")
        elif limit is not None and shown == limit and total > limit:
            self.out.message(f"{limit:,} of {total:,} shown; --all for every one")

    def stories(
        self,
        where: Filter,
        window: float,
        min_size: int | None,
        min_articles: int | None,
        limit: int | None,
    ) -> None:
        """Print the stories, at most `limit`, and say on stderr what the limit hid."""
        if min_size is None and min_articles is None:
            min_size, min_articles = MIN_DOCUMENTS, MIN_ARTICLES
        bounds = {"window": window, "min_documents": min_size, "min_articles": min_articles}

        def work(index: "Index") -> "tuple[list[dict[str, Any]], int]":
            found = index.stories(where, limit=limit, **bounds)
            return found, _total(found, limit, lambda: index.count_stories(where, **bounds))

        found, total = self.first(work)
        self.suggest(where)
        self.check_fields(STORY_KEYS)
        self.out.stories(self.index, found, self.fmt, self.fields)
        if not found and self.fmt is Format.table and len(self.index):
            self.out.message("no stories match")
        elif limit is not None and len(found) == limit and total > limit:
            self.out.message(f"{limit:,} of {total:,} stories shown; --all for every one")

    def resolve(self, ref: str) -> str:
        """The document id `ref` means, or exit 1 saying why not."""
        from newsq.index import AmbiguousIdError, NoSuchArticleError, UnknownIdError

        try:
            return self.index.resolve(ref)
        except NoSuchArticleError as exc:
            self.out.error(
                f"no document matches {ref!r}: {exc.parent} has {_articles(exc.numbers)}"
            )
        except UnknownIdError:
            near = self.index.closest_ids(ref)
            self.out.error(f"no document matches {ref!r}{_did_you_mean(near)}")
        except AmbiguousIdError as exc:
            self.out.error(f"{ref!r} matches {len(exc.candidates)} documents:")
            for candidate in exc.candidates:
                self.out.error(f"  {candidate}")
        raise typer.Exit(1)


def _total(shown: "Sized", limit: int | None, count: "Callable[[], int]") -> int:
    """How many there are in all: counted only when the limit may have hidden some."""
    return count() if limit is not None and len(shown) == limit else len(shown)


def _articles(numbers: "Sequence[int]") -> str:
    """`1 related article (#1)`, `3 related articles (#1 to #3)`, `no related coverage`."""
    if not numbers:
        return "no related coverage"
    if len(numbers) == 1:
        return f"1 related article (#{numbers[0]})"
    return f"{len(numbers):,} related articles (#{numbers[0]} to #{numbers[-1]})"


def _did_you_mean(near: "Sequence[str]") -> str:
    if not near:
        return ""
    quoted = [repr(n) for n in near]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {listed}?"


def _version(value: bool) -> None:
    if value:
        print(f"newsq {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Query a corpus of news articles: filter, search, read and count them."""


@app.command("list")
@with_terminal
@with_filters
def list_command(
    where: Filter,
    out: "Output",
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    sort: SortOption = SortKey.date,
    reverse: ReverseOption = False,
    limit: LimitOption = 20,
    all_: AllOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
    fields: FieldsOption = None,
) -> None:
    """List documents, newest first, under the filters."""
    with Run(out, data, no_cache, fmt, json_, fields, strict=strict) as run:
        run.entries(where, sort, reverse, None if all_ else limit)


@app.command(
    help="Documents matching a query, best match first, each with the passage that matches."
    "\n\nSearches the title, excerpt, provider name, topics and body; a word in the title "
    "counts most. Words match whole words in any case and accent, and other forms of the "
    "same word (banned finds banning). Quote the query when it has spaces, quotes or "
    "brackets, and put it after -- when it starts with -.",
    epilog=QUERY_HELP,
)
@with_terminal
@with_filters
def search(
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY",
            help="What to find (several words are one query); the language is below.",
            show_default=False,
        ),
    ],
    where: Filter,
    out: "Output",
    related: RelatedOption = False,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    sort: SortOption = SortKey.relevance,
    reverse: ReverseOption = False,
    limit: LimitOption = 20,
    all_: AllOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
    fields: FieldsOption = None,
) -> None:
    parsed = _parse_query(" ".join(query))
    with Run(out, data, no_cache, fmt, json_, fields, strict=strict) as run:
        run.hits(parsed, where, related, sort, reverse, None if all_ else limit)


def _parse_query(text: str) -> "SearchQuery":
    """The query read, or exit 2 pointing at the problem."""
    from newsq.formats import safe_text
    from newsq.search import SearchSyntaxError, parse_query

    try:
        return parse_query(text)
    except SearchSyntaxError as exc:
        shown = safe_text(text)
        caret = " " * len(safe_text(text[: exc.position])) + "^"
        message = f"{exc.reason}\n\n  {shown}\n  {caret}"
        raise typer.BadParameter(message, param_hint="'QUERY'") from None


@app.command()
@with_terminal
def show(
    ref: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="An id, a unique prefix of it, or of its hex part; PARENT_ID#N for the "
            "Nth article of its related coverage.",
            autocompletion=complete.ids,
        ),
    ],
    out: "Output",
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
    fields: FieldsOption = None,
) -> None:
    """Show one document whole: every field, its related coverage, its body."""
    with Run(out, data, no_cache, fmt, json_, fields, strict=strict) as run:
        doc_id = run.resolve(ref)
        run.check_fields(run.index.field_paths(related=doc_id not in run.index))
        run.out.record(run.index, doc_id, run.fmt, run.fields)


@app.command()
@with_terminal
@with_filters
def stories(
    where: Filter,
    out: "Output",
    window: WindowOption = WINDOW_DAYS,
    min_size: MinSizeOption = None,
    min_articles: MinArticlesOption = None,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    limit: LimitOption = 20,
    all_: AllOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
    fields: FieldsOption = None,
) -> None:
    """Stories: the documents about one event and their related coverage, biggest first.

    Documents belong together when one lists the other in its related coverage, both
    list the same article, or their titles and excerpts are alike in wording and they
    were published within --window days. The filters pick stories with a document
    matching them; each story is shown whole. Then: newsq story ID.
    """
    with Run(out, data, no_cache, fmt, json_, fields, strict=strict) as run:
        run.stories(where, window, min_size, min_articles, None if all_ else limit)


@app.command()
@with_terminal
def story(
    ref: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A story's id, or the id of any of its documents (or a unique prefix).",
            autocompletion=complete.ids,
        ),
    ],
    out: "Output",
    window: WindowOption = WINDOW_DAYS,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
    fields: FieldsOption = None,
) -> None:
    """One story: who reported what, when.

    Every article and coverage item in date order, who was first, and articles per day.
    CSV gives the timeline's rows.
    """
    with Run(out, data, no_cache, fmt, json_, fields, strict=strict) as run:
        found = run.index.story(run.resolve(ref), window=window)
        run.check_fields(TIMELINE_FIELDS if run.fmt is Format.csv else [*STORY_KEYS, "timeline"])
        run.out.story(run.index, found, run.fmt, run.fields)


@app.command()
@with_terminal
@with_filters
def topics(
    where: Filter,
    out: "Output",
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
    fields: FieldsOption = None,
) -> None:
    """Documents per topic, most first."""
    with Run(out, data, no_cache, fmt, json_, fields, strict=strict) as run:
        counts = run.first(lambda index: index.topics(where=where))
        run.suggest(where)
        run.check_fields(("topic", "count"))
        rows = [{"topic": c.topic, "count": c.count} for c in counts]
        run.out.rows(rows, run.fmt, run.fields, default_fields=("topic", "count"))


@app.command()
@with_terminal
@with_filters
def providers(
    where: Filter,
    out: "Output",
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
    fields: FieldsOption = None,
) -> None:
    """Documents per provider, most first."""
    with Run(out, data, no_cache, fmt, json_, fields, strict=strict) as run:
        counts = run.first(lambda index: index.providers(where=where))
        run.suggest(where)
        run.check_fields(("name", "domain", "count"))
        rows = [{"name": c.name, "domain": c.domain, "count": c.count} for c in counts]
        run.out.rows(rows, run.fmt, run.fields, default_fields=("name", "domain", "count"))


@app.command()
@with_terminal
@with_filters
def stats(
    where: Filter,
    out: "Output",
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = False,
    by: PeriodOption = Period.month,
    related: StatsRelatedOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
) -> None:
    """Counts, dates, top topics and providers, and documents per month (or day, week, year).

    Under the same filters as list: `newsq stats --topic "Computer Vision" --by week`
    is that topic's timeline, week by week, with its busiest week. With --related the
    related coverage counts too: when did coverage peak, and which outlets covered it.
    """
    if fmt is Format.csv and not json_:
        raise typer.BadParameter(
            "stats has no CSV form; use json or jsonl", param_hint="'--format'"
        )
    with Run(out, data, no_cache, fmt, json_, strict=strict) as run:
        summary = run.first(lambda index: index.stats(where=where, by=by.value, related=related))
        run.suggest(where, related=related)
        if run.fmt is Format.table:
            from newsq.render import stats_view

            run.out.print(stats_view(summary))
        else:
            from newsq.formats import to_json, to_jsonl

            run.out.write(to_json(summary) if run.fmt is Format.json else to_jsonl([summary]))


@app.command()
@with_terminal
def check(
    out: "Output",
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: FormatOption = Format.table,
    json_: JsonOption = False,
) -> None:
    """Report every problem in the corpus as path:line:col: severity: message.

    Exits 1 when a file cannot be loaded as a document.
    """
    from newsq.model import ERROR, SEVERITIES
    from newsq.render import problems_text

    with Run(out, data, no_cache, fmt, json_, report_skipped=False) as run:
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


cache_app = typer.Typer(
    help="The snapshots of parsed corpora kept in the cache folder.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
@with_terminal
def cache_info(out: "Output", fmt: FormatOption = Format.table, json_: JsonOption = False) -> None:
    """Where snapshots are kept, and what each holds."""
    from newsq.snapshot import cache_dir, list_snapshots

    folder = cache_dir()
    snapshots = list_snapshots(folder)
    if fmt is Format.table and not json_:
        from newsq.render import snapshots_view

        out.print(snapshots_view(str(folder), snapshots))
        return
    fields = ("path", "roots", "documents", "files", "bytes", "created", "updated", "error")
    out.rows(snapshots, Format.json if json_ else fmt, (), default_fields=fields, whole=True)


@cache_app.command("clear")
@with_terminal
def cache_clear(
    out: "Output",
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            help="Clear only the snapshot of this corpus (as given to other commands).",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
) -> None:
    """Delete snapshots: every one, or the one of --data. They are rebuilt when next needed."""
    from newsq.snapshot import cache_dir, clear

    removed = clear(data or None)
    noun = "snapshot" if len(removed) == 1 else "snapshots"
    out.message(f"removed {len(removed)} {noun} from {cache_dir()}")


#: What Typer raises for a command line it cannot read (click's ClickException, which
#: Typer vendors from 0.26 on under a private name).
_USAGE_ERRORS = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main() -> None:
    """The console script: run the app; every failure is one message on stderr, never a
    traceback, and the exit code says which (see the module's docstring)."""
    code: int | None = 0
    try:
        code = app(standalone_mode=False)
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


def _failed(exc: Exception) -> int:
    """The exit code of a command that raised `exc`, said on stderr; raised again when
    it is a bug (the traceback is then what to report)."""
    from newsq.output import OutputError
    from newsq.snapshot import discard_damaged

    if isinstance(exc, OutputError):
        return _output_failed(exc.cause)
    damaged = discard_damaged(exc)
    if damaged is None:
        raise exc
    _error(f"the snapshot {damaged} is damaged ({exc}); removed, run again")
    return 1


def _usage_error(exc: "Any") -> int:
    """Say what Typer could not read, with whatever the user typed in it escaped (an option
    name or value can hold escape sequences); its exit code (2)."""
    from newsq.formats import safe_text

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
    from newsq.output import Output

    Output().error(text)
