"""What every command starts from: the corpus loaded and the output chosen, and the few
steps commands share (a query while the files are checked, what a limit hid,
suggestions, ids resolved, `--fields` checked); then the results handed to the
renderers, with whatever they need read from the index first.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

import typer

from newsq.model import QueryError
from newsq.render.formats import Format

if TYPE_CHECKING:
    from newsq.index.facade import Index
    from newsq.index.matching import Matching
    from newsq.index.results import ProviderCount, Story, TopicCount
    from newsq.model import Entry
    from newsq.query.filters import Filter
    from newsq.query.language import SearchQuery
    from newsq.render.output import Output

T = TypeVar("T")

#: Fields a search hit's record has besides its article's own.
HIT_FIELDS = ("score", "snippet", "highlights", "matched", "missing", "corrections")


class Run:
    """The corpus of one command and where its results go.

    Used as `with run:`, so the snapshot is closed (and SQLite folds its write-ahead
    log back into it) when the command ends, however it ends. The corpus is loaded
    when first needed: by `run.index`, or by `run.first(work)`, which runs the
    command's query while the files are checked for changes.
    """

    def __init__(
        self,
        out: Output,
        data: list[str] | None,
        no_cache: bool = False,
        fmt: Format = Format.table,
        json_: bool = False,
        fields: str | None = None,
        *,
        report_skipped: bool = True,
        strict: bool = False,
        data_source: str = "--data",
    ) -> None:
        from newsq.render.formats import parse_fields

        self.out = out
        self.fmt = Format.json if json_ else fmt
        self.fields = parse_fields(fields)
        if self.fmt is Format.ids and self.fields:
            raise typer.BadParameter(
                "--format ids prints the ids alone: there are no fields to pick",
                param_hint="'--fields'",
            )
        self._data = data
        self._data_source = data_source  # "--data", or where the config file has it
        self._no_cache = no_cache
        self._report_skipped = report_skipped
        self._strict = strict
        self._index: Index | None = None

    # --- the corpus ------------------------------------------------------------------

    @property
    def index(self) -> Index:
        """The corpus, loaded (and brought up to date) on first use."""
        if self._index is None:
            self._load(None)
        assert self._index is not None
        return self._index

    def first(self, work: Callable[[Index], T]) -> T:
        """`work(self.index)`; when it is the first use of the corpus, it runs while the
        files are checked for changes (see `newsq.corpus.load_and_run`)."""
        if self._index is not None:
            return work(self._index)
        return cast("T", self._load(work))

    def _load(self, work: Callable[[Index], T] | None) -> T | None:
        from newsq.corpus import DATA_ENV, DataPathError, load, load_and_run
        from newsq.render.escape import safe_text

        data, cache = self._data, not self._no_cache
        started = time.perf_counter()
        result = None
        try:
            with self.out.indexing_progress() as progress:
                loading = {"cache": cache, "progress": progress, "notice": self.out.message}
                if work is None:
                    self._index = load(data, **loading)
                else:
                    self._index, result = load_and_run(work, data, **loading)
        except DataPathError as exc:
            source = f"'{self._data_source}'" if data else f"${DATA_ENV}"
            raise typer.BadParameter(safe_text(str(exc)), param_hint=source) from None
        self._say_loaded(time.perf_counter() - started)
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
        from newsq.ingest.scan import EXTENSIONS

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

    def _say_loaded(self, seconds: float) -> None:
        """With --verbose: which corpus, from which snapshot, and what loading it took."""
        from newsq.corpus import DATA_ENV, data_roots

        if self.out.verbosity <= 0:
            return
        data = self._data
        given = (
            self._data_source
            if data
            else f"${DATA_ENV}"
            if os.environ.get(DATA_ENV)
            else "bundled seeds"
        )
        self.out.detail(f"corpus ({given}): {', '.join(data_roots(data))}")
        path = self.index.snapshot.path
        changes = self.index.changes
        if changes.parsed or changes.removed:
            state = f"parsed {changes.parsed:,} files, forgot {changes.removed:,}"
        else:
            state = "up to date, nothing parsed"
        where = f"snapshot {path}" if path else "no snapshot (in memory)"
        if self.index.snapshot.replaced:
            self.out.detail(f"the snapshot found was {self.index.snapshot.replaced}: rebuilt")
        self.out.detail(f"{where}: {state}")
        count = len(self.index)
        self.out.detail(
            f"{count:,} document{'s' if count != 1 else ''} loaded "
            f"in {seconds:.3f} s; {self.index.skipped:,} files skipped"
        )

    def __enter__(self) -> Run:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        from newsq.store.snapshot import is_damage

        if self._index is not None and (error is None or not is_damage(error)):
            self._index.close()  # (a damaged one is left open, for `main` to find it)
        if isinstance(error, QueryError):  # a value the library could not take: a usage error
            raise typer.BadParameter(error.reason, param_hint=f"'{error.option}'") from None

    # --- what commands share -----------------------------------------------------------

    def check_fields(self, known: Iterable[str]) -> None:
        """Exit 2 when `--fields` names a field that `known` (the paths the results can
        have) lacks, saying which are known: a typo would otherwise print an empty column."""
        from newsq.query.fields import unknown_fields

        if not self.fields or not len(self.index):
            return
        unknown = unknown_fields(self.fields, known)
        if not unknown:
            return
        first = unknown[0]
        top = [path for path in first.known if "." not in path]
        nested = [path for path in first.known if "." in path]
        message = f"unknown field {first.field!r}{did_you_mean(first.closest)}\n"
        message += f"Fields: {', '.join(top)}"
        if nested:
            message += f" (and nested ones in dot form, such as {nested[0]})"
        raise typer.BadParameter(message, param_hint="'--fields'")

    def suggest(self, where: Filter, *, related: bool = False) -> None:
        """Say on stderr which topic or provider asked for no document has, and what is near."""
        for found in self.index.suggestions(where, related=related):
            noun = found.option.removeprefix("--")
            self.out.message(f"no document has {noun} {found.value!r}{did_you_mean(found.closest)}")

    def resolve(self, ref: str) -> str:
        """The document id `ref` means, or exit 1 saying why not."""
        doc_id = self._resolved(ref)
        if doc_id is None:
            raise typer.Exit(1)
        return doc_id

    def _resolved(self, ref: str) -> str | None:
        """The document id `ref` means, or None after saying on stderr why there is none."""
        from newsq.index.ids import AmbiguousIdError, NoSuchArticleError, UnknownIdError

        try:
            return self.index.resolve(ref)
        except NoSuchArticleError as exc:
            self.out.error(
                f"no document matches {ref!r}: {exc.parent} has {_articles(exc.numbers)}"
            )
        except UnknownIdError:
            near = self.index.closest_ids(ref)
            self.out.error(f"no document matches {ref!r}{did_you_mean(near)}")
        except AmbiguousIdError as exc:
            self.out.error(f"{ref!r} matches {len(exc.candidates)} documents:")
            for candidate in exc.candidates:
                self.out.error(f"  {candidate}")
        return None

    def _tally(self, shown: int, limit: int | None, total: int, noun: str = "") -> None:
        """Say on stderr that nothing matched, or what the limit hid."""
        if not shown and self.fmt is Format.table and len(self.index):
            self.out.message(f"no {noun or 'documents'} match")
        elif limit is not None and shown == limit and total > limit:
            what = f" {noun}" if noun else ""
            self.out.message(f"{limit:,} of {total:,}{what} shown; --all for every one")

    def _count(self, count: Callable[[Index], int], checks: Callable[[], object]) -> None:
        if self.fields:
            raise typer.BadParameter(
                "--count prints a number alone: there are no fields to pick",
                param_hint="'--fields'",
            )
        if self.fmt is Format.ids:
            raise typer.BadParameter(
                "give one of --count (how many) and --format ids (which)", param_hint="'--count'"
            )
        found = self.first(count)
        checks()
        self.print_count(found)

    def print_count(self, count: int) -> None:
        """`--count`: the number alone, or `{"count": N}` in JSON and JSONL."""
        if self.fmt in (Format.json, Format.jsonl):
            self.out.value({"count": count}, self.fmt)
        else:
            self.out.write(f"{count}\n")

    def short_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """Short ids on a terminal; whole ones on a pipe."""
        return self.index.short_ids(ids) if self.out.is_terminal else {i: i for i in ids}

    # --- the commands' results ------------------------------------------------------------

    def entries(
        self, where: Filter, sort: str, reverse: bool, limit: int | None, *, count: bool = False
    ) -> None:
        """Print the matching documents, at most `limit`, and say on stderr what the limit
        hid; with `count`, how many there are."""
        self._results(
            _ENTRIES,
            limit,
            lambda index: index.select(where, sort=sort, reverse=reverse, limit=limit),
            lambda index: index.stream(where, sort=sort, reverse=reverse, limit=limit),
            lambda index: index.count(where),
            lambda: (self.suggest(where), self.check_fields(self.index.field_paths())),
            count_only=count,
        )

    def hits(
        self,
        query: SearchQuery,
        where: Filter,
        related: bool,
        sort: str,
        reverse: bool,
        limit: int | None,
        *,
        count: bool = False,
    ) -> None:
        """Print the search hits, at most `limit`, and say on stderr what the limit hid,
        what the query was corrected to, and what to try when nothing matched; with
        `count`, how many there are."""
        asked = {"sort": sort, "reverse": reverse, "limit": limit, "related": related}
        resolved: list[Matching] = []  # the query against the snapshot last read

        def matching(index: Index) -> Matching:
            resolved[:] = [index.matching(query)]
            return resolved[0]

        def checks() -> None:
            self.suggest(where, related=related)
            self.check_fields(self.index.field_paths(related=related) | set(HIT_FIELDS))
            self._say_matching(resolved[0] if resolved else matching(self.index))

        self._results(
            _HITS,
            limit,
            lambda index: index.search(matching(index), where, **asked),
            lambda index: index.stream_search(resolved[0], where, **asked),
            lambda index: index.count(
                where, resolved[0] if resolved else matching(index), related=related
            ),
            checks,
            nothing=lambda: _nothing_matched(resolved[0], where, related),
            count_only=count,
        )

    def _say_matching(self, matching: Matching) -> None:
        """Say on stderr what the query's misspelt words were searched as, and which words
        were left out of a query too long."""
        from newsq.render.escape import safe_text

        def quoted(words: Iterable[str]) -> str:
            return _either([repr(safe_text(w)) for w in words], "and")

        if matching.corrected:
            instead = quoted(c.word for t in matching.corrected for c in t.corrections[:1])
            typed = _either([repr(safe_text(t.text)) for t in matching.corrected], "or")
            self.out.message(f"showing results for {instead} (no document has {typed})")
        for term in matching.widened:
            instead = quoted(c.word for c in term.corrections[:1])
            self.out.message(
                f"also showing results for {instead} (only {term.docs:,} "
                f"{'document has' if term.docs == 1 else 'documents have'} "
                f"{safe_text(term.text)!r})"
            )
        if matching.left_out:
            searched = len(matching.query.words) - len(matching.left_out)
            self.out.message(
                f"the query has {len(matching.query.words):,} words; searched for the first "
                f"{searched:,} (left out: {safe_text(' '.join(matching.left_out[:5]))}"
                f"{' …' if len(matching.left_out) > 5 else ''})"
            )

    def counts(
        self,
        where: Filter,
        work: Callable[[Index], Sequence[TopicCount | ProviderCount]],
        columns: Sequence[str],
    ) -> None:
        """Print counts (per topic, per provider): `work`'s, with `columns` of each."""
        found = self.first(work)
        self.suggest(where)
        self.check_fields(columns)
        rows = [count.to_json() for count in found]
        self.out.rows(rows, self.fmt, self.fields, default_fields=columns)

    def field_infos(self, where: Filter) -> None:
        """Print the fields the matching documents have (`newsq fields`): a table of them,
        examples cut short, or their JSON, examples whole."""
        from newsq.render.formats import FIELD_INFO_FIELDS

        found = self.first(lambda index: index.fields(where))
        self.suggest(where)
        self.check_fields(FIELD_INFO_FIELDS)
        if self.fmt is Format.table:
            from newsq.render.tables import fields_table

            if found:
                width = self.out.terminal_width() if self.out.is_terminal else None
                self.out.print(fields_table(found, self.fields or FIELD_INFO_FIELDS, width=width))
            return
        rows = [info.to_json() for info in found]
        self.out.rows(rows, self.fmt, self.fields, default_fields=FIELD_INFO_FIELDS)

    def stories(
        self,
        where: Filter,
        window: float,
        min_documents: int | None,
        min_articles: int | None,
        limit: int | None,
        threshold: float | None = None,
        meaning: bool = False,
        *,
        count: bool = False,
    ) -> None:
        """Print the stories, at most `limit`, and say on stderr what the limit hid; with
        `count`, how many there are."""
        from newsq.index.grouping import MIN_ARTICLES, MIN_DOCUMENTS

        if min_documents is None and min_articles is None:
            min_documents, min_articles = MIN_DOCUMENTS, MIN_ARTICLES
        bounds: dict[str, Any] = {
            "window": window,
            "min_documents": min_documents,
            "min_articles": min_articles,
            "threshold": threshold,
            "meaning": meaning,
        }
        self._results(
            _STORIES,
            limit,
            lambda index: index.stories(where, limit=limit, **bounds),
            lambda index: index.stream_stories(where, limit=limit, **bounds),
            lambda index: index.count_stories(where, **bounds),
            lambda: (self.suggest(where), self.check_fields(STORY_KEYS)),
            count_only=count,
        )

    def _results(
        self,
        listing: _Listing,
        limit: int | None,
        page: Callable[[Index], Sequence[Any]],
        every: Callable[[Index], Iterable[Any]],
        count: Callable[[Index], int],
        checks: Callable[[], object],
        *,
        nothing: Callable[[], str] | None = None,
        count_only: bool = False,
    ) -> None:
        """Print results, at most `limit`, and say on stderr what the limit hid (or, when
        there are none, `nothing()`); with `count_only`, how many there are (counted,
        never read).

        Up to a page (`PAGE`; the default limit is 20), the page is read while the files
        are checked for changes (`first`). More (`--all`, a large `--limit`) are read
        from the index as they are printed, a batch at a time: memory holds a batch of
        them, never the answer.
        """
        if count_only:
            self._count(count, checks)
            return
        if limit is not None and limit <= PAGE:
            found, total = self.first(lambda index: _page_and_total(index, page, limit, count))
            checks()
            shown = self._print(listing, lambda: found)
        else:
            index = self.index
            checks()
            shown = self._print(listing, lambda: every(index))
            total = count(index) if limit is not None and shown == limit else shown
        if not shown and nothing is not None and len(self.index):
            self.out.message(nothing())
            return
        self._tally(shown, limit, total, listing.noun)

    def print_entries(self, entries: Sequence[Entry]) -> None:
        """Documents in the chosen format: a table of their light columns, or records."""
        self._print(_ENTRIES, lambda: entries)

    def _print(self, listing: _Listing, source: Callable[[], Iterable[Any]]) -> int:
        """The results `source()` gives in the chosen format, streamed; how many there were.
        `source` may be called twice: a table of many is measured, then drawn."""
        if self.fmt is Format.table:
            return self._table(listing, source)
        if self.fmt is Format.ids:
            return self.out.ids(batched((item.id for item in source()), BATCH))
        batches = (listing.records(self.index, b) for b in batched(source(), BATCH))
        whole = not self.fields
        return self.out.stream(
            batches, self.fmt, self.fields, default_fields=listing.default_fields, whole=whole
        )

    def _table(self, listing: _Listing, source: Callable[[], Iterable[Any]]) -> int:
        """Results as a table: one page as it always was; more, measured (every cell's
        width, a page at a time) and then drawn a page at a time, each page with the
        widths of the whole, so that it reads as one table."""
        from itertools import chain

        from newsq.render import tables

        pages = batched(source(), PAGE)
        first, second = next(pages, None), next(pages, None)
        if first is None:
            return 0
        if second is None:  # one page: drawn whole
            self._draw(listing, first, None, header=True)
            return len(first)
        widths: dict[str, int] = {}
        shown = 0
        for page in chain((first, second), pages):
            cells = self._cells(listing, page)
            widths = tables.widest(widths, tables.natural_widths(cells, self._columns(listing)))
            shown += len(page)
        del first, second
        frame = self._frame(listing, widths)
        for number, page in enumerate(batched(source(), PAGE)):
            self._draw(listing, page, frame, header=number == 0)
        return shown

    def _draw(self, listing: _Listing, page: Sequence[Any], frame: Any, *, header: bool) -> None:
        from newsq.render import tables

        if self.fields:  # a table of the fields asked for
            records = listing.records(self.index, page)
            table = tables.rows_table(
                records, self.fields, plain=not self.out.is_terminal, frame=frame, header=header
            )
            self.out.print(table)
            return
        shorts = self._table_ids([item.id for item in page])
        if frame is None:
            self.out.table(listing.table, page, shorts)
            return
        width = self.out.terminal_width() if self.out.is_terminal else None
        self.out.print(
            listing.table(page, width=width, short_ids=shorts or {}, frame=frame, header=header)
        )

    def _cells(self, listing: _Listing, page: Sequence[Any]) -> list[dict[str, str]]:
        from newsq.render import tables

        if self.fields:
            return [tables.field_cells(r, self.fields) for r in listing.records(self.index, page)]
        shorts = self._table_ids([item.id for item in page]) or {}
        return [listing.cells(item, shorts) for item in page]

    def _columns(self, listing: _Listing) -> Sequence[str]:
        return self.fields or listing.columns

    def _frame(self, listing: _Listing, widths: dict[str, int]) -> Any:
        from newsq.render import tables

        width = self.out.terminal_width() if self.out.is_terminal else None
        if self.fields:
            return tables.fields_frame(self.fields, widths, width)
        return listing.frame(widths, width)

    def story(
        self,
        ref: str,
        window: float,
        *,
        threshold: float | None = None,
        meaning: bool = False,
        explain: bool = False,
    ) -> None:
        """Print one story whole: its summary and timeline; in CSV, the timeline's rows;
        with `explain`, why each document is in it."""
        from newsq.render import formats

        found = self.index.story(
            self.resolve(ref), window=window, threshold=threshold, meaning=meaning, explain=explain
        )
        self.check_fields(
            formats.TIMELINE_FIELDS
            if self.fmt is Format.csv
            else [*STORY_KEYS, "timeline", *(["explain"] if explain else [])]
        )
        if self.fmt is Format.table and not self.fields:
            from newsq.index.stats import timeline
            from newsq.render.panels import story_view

            days: dict[dt.date, int] = {}
            for item in found.timeline or ():
                if item.published:
                    day = dt.date.fromisoformat(item.published[:10])
                    days[day] = days.get(day, 0) + 1
            shorts = self.short_ids(
                [found.id, *(t.id for t in found.timeline or ()), *found.documents]
            )
            view = story_view(
                found, timeline(days, "day"), short_ids=shorts, plain=not self.out.is_terminal
            )
            self.out.print(view)
        elif self.fmt is Format.csv:
            rows = [item.to_json() for item in found.timeline or ()]
            columns = self.fields or formats.TIMELINE_FIELDS
            self.out.write(formats.to_csv(rows, columns, terminal=self.out.is_terminal))
        else:
            told = found.to_json()
            self.out.value(
                formats.pick_fields([told], self.fields)[0] if self.fields else told, self.fmt
            )

    def record(self, ref: str) -> None:
        """Print one document whole (`show`), naming the story it is part of when that is
        one `stories` lists."""
        from newsq.render import formats

        doc_id = self.resolve(ref)
        self.check_fields(self.index.field_paths(related=doc_id not in self.index))
        record = self.index[doc_id]
        if self.fmt is Format.table and not self.fields:
            self._article(doc_id, record)
        elif self.fmt in (Format.json, Format.jsonl):
            self.out.value(
                formats.pick_fields([record], self.fields)[0] if self.fields else record, self.fmt
            )
        else:
            self.out.rows([record], self.fmt, self.fields, default_fields=formats.CSV_FIELDS)

    def records(self, refs: Iterable[str]) -> None:
        """Print documents in turn (`show ID ID…`, `show -`), each as soon as its id is
        read: in JSON an array, in JSONL a line each, in CSV a row each. An id that
        matches nothing is said on stderr and the rest printed; then exit 1."""
        from newsq.render import formats

        missing = read = 0
        if self.fields:
            self.check_fields(self.index.field_paths(related=True))

        def resolved() -> Iterator[str]:
            nonlocal missing, read
            for ref in refs:
                read += 1
                doc_id = self._resolved(ref)
                if doc_id is None:
                    missing += 1
                else:
                    yield doc_id

        if self.fmt is Format.table and not self.fields:
            for number, doc_id in enumerate(resolved()):
                if number:
                    self.out.write("\n")
                self._article(doc_id, self.index[doc_id])
        elif self.fmt is Format.table:
            for page in batched(resolved(), PAGE):
                self.out.rows(self.index.records(page), self.fmt, self.fields, default_fields=())
        else:
            # A batch of one: each is printed as soon as its id comes (from a person
            # typing them, or from a program still finding them).
            batches = ([self.index[doc_id]] for doc_id in resolved())
            whole = not self.fields
            self.out.stream(
                batches, self.fmt, self.fields, default_fields=formats.CSV_FIELDS, whole=whole
            )
        if not read:
            self.out.message("no ids were given (show - reads them from stdin, one a line)")
        if missing:
            raise typer.Exit(1)

    def open(self, ref: str, *, print_only: bool = False) -> None:
        """Open the article `ref` names (a related one: `PARENT_ID#N`) in the browser, or
        print its URL; exit 1 when it has no web URL, or one that is not http(s)."""
        import webbrowser

        from newsq.render.escape import linkable, safe_text

        doc_id = self.resolve(ref)
        url = self.index.web_url(doc_id)
        if url is None:
            self.out.error(f"{doc_id} has no webUrl")
            raise typer.Exit(1)
        if linkable(url) is None:  # data is untrusted: no file:, javascript: or odd bytes
            self.out.error(f"not opening {doc_id}'s webUrl {url!r}: not an http(s) URL")
            raise typer.Exit(1)
        if print_only:
            self.out.write(url + "\n")
            return
        self.out.message(f"opening {safe_text(url)} in the browser")
        if not webbrowser.open(url):
            self.out.error(f"no browser could be started; the URL is {url}")
            raise typer.Exit(1)

    def _article(self, doc_id: str, record: Mapping[str, Any]) -> None:
        """One document drawn whole, naming the story it is part of when that is one
        `stories` lists."""
        from newsq.index.grouping import listed_by_default
        from newsq.render.panels import article_view

        story: Story | None = self.index.story_of(doc_id)
        if story is not None and not listed_by_default(story):
            story = None
        ref_shown = "" if story is None else self.short_ids([story.id])[story.id]
        view = article_view(
            record,
            self.index.entry(doc_id),
            related=self.index.related(doc_id),
            boxed=self.out.is_terminal,
            story=story,
            story_ref=ref_shown,
        )
        self.out.print(view)

    def _table_ids(self, ids: Sequence[str]) -> dict[str, str] | None:
        """The short ids a table shows: on a terminal only (a pipe gets them whole)."""
        return self.index.short_ids(ids) if self.out.is_terminal and ids else None


#: The keys of a story (`stories --json`); `story` adds its `timeline`, whose rows are
#: what `story --format csv` prints.
STORY_KEYS = (
    "id", "headline", "documents", "articles", "outlets", "first_seen", "last_seen", "topics"
)  # fmt: skip


#: Rows of a table drawn at once; a larger answer is measured first, then drawn a page at
#: a time. Also the most results read while the files are checked (`Run.first`).
PAGE = 1000
#: Results whose records are read and written at once when an answer is streamed.
BATCH = 500


class _Listing(NamedTuple):
    """How one kind of result (documents, search hits, stories) is printed."""

    table: Callable[..., Any]  # the table of a page (`newsq.render.tables`)
    cells: Callable[[Any, Mapping[str, str]], dict[str, str]]  # one's cells in it
    columns: Sequence[str]  # the cells' keys
    frame: Callable[[Mapping[str, int], int | None], Any]  # the columns fitted
    records: Callable[[Index, Sequence[Any]], list[dict[str, Any]]]  # the JSON of some
    default_fields: Sequence[str]  # of CSV
    noun: str  # of the notes on stderr ("" for documents)


class _Lazy:
    """A `_Listing` made on first use: it names the renderers, which import rich."""

    def __init__(self, make: Callable[[], _Listing]) -> None:
        self._make = make
        self._made: _Listing | None = None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


def _entries_listing() -> _Listing:
    from newsq.render import formats, tables

    return _Listing(
        tables.entries_table,
        tables.entry_cells,
        tables.ENTRY_COLUMNS,
        tables.entries_frame,
        lambda index, entries: index.records(entries),
        formats.CSV_FIELDS,
        "",
    )


def _hits_listing() -> _Listing:
    from newsq.render import formats, tables

    return _Listing(
        tables.hits_table,
        tables.hit_cells,
        tables.HIT_COLUMNS,
        lambda widths, width: tables.entries_frame(widths, width, hits=True),
        lambda index, hits: index.hit_records(hits),
        formats.SEARCH_CSV_FIELDS,
        "",
    )


def _stories_listing() -> _Listing:
    from newsq.render import formats, tables

    return _Listing(
        tables.stories_table,
        tables.story_cells,
        tables.STORY_COLUMNS,
        tables.stories_frame,
        lambda index, stories: [story.to_json() for story in stories],
        formats.STORY_FIELDS,
        "stories",
    )


_ENTRIES: Any = _Lazy(_entries_listing)
_HITS: Any = _Lazy(_hits_listing)
_STORIES: Any = _Lazy(_stories_listing)


def _page_and_total(
    index: Index,
    page: Callable[[Index], Sequence[T]],
    limit: int | None,
    count: Callable[[Index], int],
) -> tuple[Sequence[T], int]:
    """A page of results, and how many there are in all (counted only when the limit may
    have hidden some)."""
    shown = page(index)
    return shown, count(index) if limit is not None and len(shown) == limit else len(shown)


def read_refs(args: Sequence[str], stdin: IO[str]) -> Iterator[str]:
    """The ids `show` is given: its arguments, where `-` stands for the lines of `stdin`
    (one id a line, read as they come; blank lines skipped, spaces around an id too)."""
    for arg in args:
        if arg != "-":
            yield arg
            continue
        for line in stdin:
            ref = line.strip()
            if ref:
                yield ref


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _articles(numbers: Sequence[int]) -> str:
    """`1 related article (#1)`, `3 related articles (#1 to #3)`, `no related coverage`."""
    if not numbers:
        return "no related coverage"
    if len(numbers) == 1:
        return f"1 related article (#{numbers[0]})"
    return f"{len(numbers):,} related articles (#{numbers[0]} to #{numbers[-1]})"


def _nothing_matched(matching: Matching, where: Filter, related: bool) -> str:
    """What to say when a search found nothing: why, where it is known, and what to try."""
    from newsq.query.filters import where_sql
    from newsq.query.language import WORD
    from newsq.render.escape import safe_text

    said = "nothing matched"
    unknown = [repr(safe_text(t.text)) for t in matching.unknown]
    if unknown and len(unknown) == len([t for t in matching.terms if t.role == WORD]):
        said += f": no document has {_either(unknown, 'or')}, nor a word spelt like it"
    tries = []
    if matching.query.exact:
        tries.append("without --exact")
    elif any(t.role != WORD for t in matching.terms):
        tries.append("plain words (they forgive) in place of quotes, fields, AND, OR or *")
    if where_sql(where)[0]:
        tries.append("fewer filters")
    if not related:
        tries.append("--related (the related coverage too)")
    tries.append("other words")
    return f"{said}; try {_either(tries, 'or')}"


def _either(items: Sequence[str], joined: str) -> str:
    """`a`, `a or b`, `a, b or c` (`and` in place of `or` when asked)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {joined} " + items[-1]


def did_you_mean(near: Sequence[str]) -> str:
    """`; did you mean 'a' or 'b'?`, or nothing when nothing is near."""
    if not near:
        return ""
    quoted = [repr(n) for n in near]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {listed}?"
