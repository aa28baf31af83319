"""The index: a corpus's documents, queried through their snapshot.

`Index` answers lookups by id (or a prefix of one), filters, search, facet
counts and corpus statistics. Filters and sorting run in SQLite over the light
columns, so a query reads only the documents it returns, and full records are
read back only for the rows that are printed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsq import stories as grouping
from newsq.model import (
    Changes,
    Entry,
    Problem,
    article_ref,
    format_timestamp,
    rank_topics,
    related_id,
    related_record,
)
from newsq.query import (
    DOMAIN_KEY,
    KEY_SEPARATOR,
    NAME_KEY,
    Filter,
    QueryError,
    closest,
    order_sql,
    sql_int,
    sql_limit,
    where_sql,
)
from newsq.search import (
    COLUMNS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    WEIGHTS,
    SearchQuery,
    parse_query,
)
from newsq.snapshot import EPOCH, FTS_SPEC, RELATED_ROWS, Snapshot, unpack_record

# The `docs` columns an `Entry` is built from, in `Entry`'s order.
_ENTRY_COLUMNS = (
    "d.id, d.path, d.title, d.date_us, d.category, d.type, d.quality, d.heat, d.published, "
    "d.provider_name, d.provider_domain, d.topics, d.related"
)


class UnknownIdError(LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no document matches {ref!r}")
        self.ref = ref


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A filter value that no document has (`option` `--topic` or `--provider`), with the
    known values closest to it."""

    option: str
    value: str
    closest: tuple[str, ...]


class NoSuchArticleError(UnknownIdError):
    """`PARENT#N` where the document PARENT has no Nth related article; `numbers` are the
    ones it has."""

    def __init__(self, ref: str, parent: str, numbers: Sequence[int]) -> None:
        super().__init__(ref)
        self.parent = parent
        self.numbers = list(numbers)


class AmbiguousIdError(LookupError):
    def __init__(self, ref: str, candidates: Sequence[str]) -> None:
        super().__init__(f"{ref!r} matches {len(candidates)} documents")
        self.ref = ref
        self.candidates = list(candidates)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the article, how well it matches, and the passage that does.

    `score` is higher for a better match (BM25: matched words that are rare in the
    corpus, in a short field, in the title most of all); 0 for every hit of a query
    that only excludes. `snippet` is a short passage of the excerpt (or the body
    when only it matches), and `highlights` the [start, end) of each matched word
    in it, in characters.
    """

    entry: Entry
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic: str
    count: int


@dataclass(frozen=True, slots=True)
class ProviderCount:
    name: str | None
    domain: str | None
    count: int


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
        self._db = snapshot.conn
        # Python's case folding, for grouping names as the Python side compares them.
        self._db.create_function("casefold", 1, _casefold, deterministic=True)
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

    # --- the collection ------------------------------------------------------

    def __len__(self) -> int:
        if self._length is None:
            self._length = self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        return self._length

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries("SELECT {columns} FROM docs d ORDER BY d.id", ()))

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        return self._db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        """The full record of a document, or of a related article (`PARENT_ID#N`)."""
        return self.records([doc_id])[0]

    def entry(self, doc_id: str) -> Entry:
        """The light columns of a document, or of a related article (`PARENT_ID#N`)."""
        found = self._entries("SELECT {columns} FROM docs d WHERE d.id = ?", (doc_id,))
        if not found and (article := self._article(doc_id)) is not None:
            found = self._entries(
                f"SELECT {_RELATED_ENTRY_COLUMNS} FROM {_RELATED_SOURCE} "
                "WHERE d.parent = ? AND d.n = ?",
                article,
            )
        if not found:
            raise KeyError(doc_id)
        return found[0]

    def related(self, doc_id: str) -> list[Entry]:
        """The light columns of each article in a document's related coverage, in list
        order (ids `PARENT_ID#N`); an item that is not a mapping has none."""
        return self._entries(
            f"SELECT {_RELATED_ENTRY_COLUMNS} FROM {_RELATED_SOURCE} WHERE p.id = ? ORDER BY d.n",
            (doc_id,),
        )

    def records(self, entries: Iterable[Entry | str]) -> list[dict[str, Any]]:
        """The full records of the given entries (or ids), in their order.

        A related article's record is its item in the parent's `related` list, with
        its `id` and `parent`.
        """
        ids = [e if isinstance(e, str) else e.id for e in entries]
        stored = self._stored_records(ids)
        articles = {i: article_ref(i) for i in ids if i not in stored}
        stored.update(self._stored_records([a.parent for a in articles.values() if a]))
        parents: dict[str, Any] = {}  # each parent's `related` list, read once
        records = []
        for doc_id in ids:
            if doc_id not in articles:
                records.append(unpack_record(stored[doc_id]))
                continue
            article = articles[doc_id]
            if article is None:
                raise KeyError(doc_id)
            parent, number = article
            if parent not in parents:
                parents[parent] = parent in stored and unpack_record(stored[parent]).get("related")
            items = parents[parent]
            if not (isinstance(items, list) and 0 < number <= len(items)):
                raise KeyError(doc_id)
            item = items[number - 1]
            if not isinstance(item, dict):
                raise KeyError(doc_id)
            records.append(related_record(parent, number, item))
        return records

    def hit_records(self, hits: Sequence[Hit]) -> list[dict[str, Any]]:
        """The full records of search hits, each with its `score`, `snippet` and
        `highlights` (as [start, end] pairs) after its `id` and `parent`."""
        records = []
        for hit, record in zip(hits, self.records([h.entry for h in hits]), strict=True):
            head = {"id": record.pop("id")}
            if "parent" in record:
                head["parent"] = record.pop("parent")
            head["score"] = hit.score
            head["snippet"] = hit.snippet
            head["highlights"] = [list(span) for span in hit.highlights]
            head.update(record)
            records.append(head)
        return records

    def _stored_records(self, ids: Sequence[str]) -> dict[str, str]:
        by_id: dict[str, str] = {}
        for start in range(0, len(ids), 500):  # SQLite caps the number of parameters
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            by_id.update(
                self._db.execute(
                    "SELECT d.id, r.json FROM docs d JOIN records r ON r.doc = d.doc "
                    f"WHERE d.id IN ({marks})",
                    chunk,
                )
            )
        return by_id

    def _article_numbers(self, parent_id: str) -> list[int]:
        """The numbers of a document's related articles (an item that is not a mapping has
        none)."""
        rows = self._db.execute(
            "SELECT d.n FROM related d JOIN docs p ON p.doc = d.parent WHERE p.id = ? ORDER BY d.n",
            (parent_id,),
        )
        return [n for (n,) in rows]

    def _article(self, ref: str) -> tuple[int, int] | None:
        """(parent's row, number) of the related article `PARENT_ID#N`, if there is one."""
        article = article_ref(ref)
        if article is None:
            return None
        row = self._db.execute(
            "SELECT d.parent, d.n FROM related d JOIN docs p ON p.doc = d.parent "
            "WHERE p.id = ? AND d.n = ?",
            (article.parent, sql_int(article.number)),
        ).fetchone()
        return None if row is None else (row[0], row[1])

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
        from newsq.scan import is_id_taken

        return sum(map(is_id_taken, self._snapshot.found_problems()))

    def field_paths(self, *, related: bool = False) -> set[str]:
        """Every field path a document's record has (`provider.name`, `related.title`;
        see `newsq.fields`); with `related`, those of a related article's record too
        (its item's own fields, and `parent`)."""
        rows = self._db.execute(
            "SELECT fields FROM shapes WHERE shape IN (SELECT DISTINCT shape FROM docs)"
        )
        paths = {path for (fields,) in rows for path, _ in json.loads(fields)}
        if related:
            paths |= {p.removeprefix("related.") for p in paths if p.startswith("related.")}
            paths |= {"parent"}
        return paths

    @property
    def files(self) -> int:
        """How many files with a document's name were found (documents or not)."""
        return self._snapshot.conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]

    # --- lookups ---------------------------------------------------------------

    def suggestions(self, where: Filter, *, related: bool = False) -> list[Suggestion]:
        """Each topic, provider, category or type in `where` that no document (nor, with
        `related`, related article) has, with the known ones closest to it."""
        provider_sql = (
            f"SELECT 1 FROM doc_providers WHERE key IN ('{NAME_KEY}' || ?1, '{DOMAIN_KEY}' || ?1)"
        )
        if related:  # (read only for a provider no document has)
            provider_sql += " UNION ALL SELECT 1 FROM related WHERE " + " OR ".join(
                f"instr(provider_keys, '{KEY_SEPARATOR}{kind}' || ?1 || '{KEY_SEPARATOR}') > 0"
                for kind in (NAME_KEY, DOMAIN_KEY)
            )
        checks = (
            (
                "--topic",
                where.topics,
                "SELECT 1 FROM doc_topics WHERE key = ?1",
                self._topic_spellings,
            ),
            (
                "--provider",
                where.providers,
                provider_sql,
                lambda: self._provider_spellings(related),
            ),
            (
                "--category",
                where.categories,
                "SELECT 1 FROM docs WHERE category_key = ?1",
                lambda: self._column_spellings("category"),
            ),
            (
                "--type",
                where.types,
                "SELECT 1 FROM docs WHERE type_key = ?1",
                lambda: self._column_spellings("type"),
            ),
        )
        found = []
        for option, values, sql, known in checks:
            for value in values:
                if self._db.execute(sql + " LIMIT 1", (value,)).fetchone() is None:
                    found.append(Suggestion(option, value, tuple(closest(value, known()))))
        return found

    def _topic_spellings(self) -> list[str]:
        return [t.topic for t in self.topics()]

    def _provider_spellings(self, related: bool = False) -> list[str]:
        sql = "SELECT DISTINCT provider_name, provider_domain FROM docs"
        if related:
            sql += " UNION SELECT provider_name, provider_domain FROM related_text"
        return sorted({value for row in self._db.execute(sql) for value in row if value})

    def _column_spellings(self, column: str) -> list[str]:
        rows = self._db.execute(f"SELECT DISTINCT {column} FROM docs WHERE {column} IS NOT NULL")
        return sorted(value for (value,) in rows)

    # --- what there is to complete -------------------------------------------------

    def known_topics(self, prefix: str = "") -> list[str]:
        """Every topic (as first written) starting with `prefix` in any case, A-Z."""
        return sorted(self._spelled("doc_topics", prefix, _spelled_topic), key=str.casefold)

    def known_providers(self, prefix: str = "") -> list[str]:
        """Every provider name and domain starting with `prefix` in any case, A-Z."""
        spelled = set()
        for kind in (NAME_KEY, DOMAIN_KEY):
            spelled |= self._spelled("doc_providers", prefix, _spelled_provider, kind)
        return sorted(spelled, key=str.casefold)

    def _spelled(
        self,
        table: str,
        prefix: str,
        spell: Callable[[str, Sequence[Any]], str | None],
        kind: str = "",
    ) -> set[str]:
        """The spellings of `table`'s casefolded keys starting with `kind` and `prefix`: each
        key spelled as one document holding it writes it (`spell(key less kind, row)`)."""
        start = kind + _casefold(prefix)
        keys = self._db.execute(
            f"SELECT DISTINCT key FROM {table} WHERE key >= ? AND key < ?",
            (start, start + "\U0010ffff"),
        ).fetchall()
        columns = "d.topics" if table == "doc_topics" else "d.provider_name, d.provider_domain"
        spelled = set()
        for (key,) in keys:
            row = self._db.execute(
                f"SELECT {columns} FROM {table} k JOIN docs d ON d.doc = k.doc "
                "WHERE k.key = ? LIMIT 1",
                (key,),
            ).fetchone()
            if row is not None and (spelling := spell(key[len(kind) :], row)) is not None:
                spelled.add(spelling)
        return spelled

    def known_ids(self, prefix: str = "", limit: int = 100) -> list[tuple[str, str]]:
        """(what to type, the title) for documents whose id, last path part or hex part
        starts with `prefix`; the typed form is the one `prefix` began, by id."""
        bounds = (prefix, prefix + "\U0010ffff")
        found: dict[str, str] = {}
        for column in ("id", "name", "hex") if prefix else ("id",):
            rows = self._db.execute(
                f"SELECT {column}, title FROM docs WHERE {column} >= ? AND {column} < ? "
                f"ORDER BY {column} LIMIT ?",
                (*bounds, limit),
            )
            for value, title in rows:
                found.setdefault(value, title)
        return sorted(found.items())[:limit]

    def closest_ids(self, ref: str, n: int = 3) -> list[str]:
        """The ids most like `ref` (a mistyped id or prefix), compared whole, by their hex
        part, and by the start of either as long as `ref`: for "did you mean …?". None
        for a related article (`PARENT#N`): its parent is there, the number is not."""
        if "#" in ref:
            return []
        by_key: dict[str, str] = {}
        for doc_id, hex_part in self._id_neighbours(ref):
            for key in (doc_id, hex_part, doc_id[: len(ref)], (hex_part or "")[: len(ref)]):
                if key:
                    by_key.setdefault(key, doc_id)
        return list(dict.fromkeys(by_key[k] for k in closest(ref, by_key, n)))[:n]

    def _id_neighbours(self, ref: str, enough: int = 200) -> list[tuple[str, str | None]]:
        """(id, hex) of the documents to compare `ref` with: all of a small corpus; in a
        large one, those sharing the longest start with `ref` that `enough` share (a
        typo is rarely in the first characters), found through the indexes."""
        if len(self) <= 5 * enough:
            return self._db.execute("SELECT id, hex FROM docs ORDER BY id").fetchall()
        found: list[tuple[str, str | None]] = []
        for length in range(len(ref) - 1, 0, -1):
            bounds = (ref[:length], ref[:length] + "\U0010ffff")
            found = self._db.execute(
                "SELECT id, hex FROM docs WHERE (id >= ? AND id < ?) OR (hex >= ? AND hex < ?) "
                f"ORDER BY id LIMIT {5 * enough}",
                bounds * 2,
            ).fetchall()
            if len(found) >= enough:
                break
        return found

    def short_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """For each id, a short text `resolve` takes back to it, for tables people read.

        That is the shortest unique prefix of the hex part after the id's underscore
        (`bc13` for `000_bc1330c771dbc5b0`), never under `SHORT_ID` characters, as git
        shortens hashes. An id with no hex part gets the shortest unique prefix of its
        last path part, carried on to the end of the word it cuts
        (`2021-05-26-microsoft` for `_news/2021-05-26-microsoft-announces-…`). Unique
        means no other document's id, last path part or hex part starts with it. A
        related article `PARENT#N` shortens its parent. An id with none unique stays whole.
        """
        shorts: dict[str, str] = {}
        for doc_id in ids:
            article = article_ref(doc_id)
            if article is not None:
                shorts[doc_id] = related_id(self._short_id(article.parent), article.number)
            else:
                shorts[doc_id] = self._short_id(doc_id)
        return shorts

    def _short_id(self, doc_id: str) -> str:
        row = self._db.execute("SELECT name, hex FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return doc_id
        name, hex_part = row
        column, value = ("hex", hex_part) if hex_part else ("name", name)
        # The neighbours in sorted order share the longest starts: one character more
        # than the longer of those is unique in that column.
        before = self._db.execute(
            f"SELECT {column} FROM docs WHERE {column} < ? ORDER BY {column} DESC LIMIT 1",
            (value,),
        ).fetchone()
        after = self._db.execute(
            f"SELECT {column} FROM docs WHERE {column} >= ? AND id != ? ORDER BY {column} LIMIT 1",
            (value, doc_id),
        ).fetchone()
        shared = max(_common_start(value, n[0]) for n in (before, after, ("",)) if n)
        for length in range(max(SHORT_ID, shared + 1), len(value) + 1):
            if column == "name":  # whole words read better than `2021-05-26-m`
                length = next(
                    (i for i in range(length, len(value)) if value[i] in "-_. "), len(value)
                )
            prefix = value[:length]
            bounds = (prefix, prefix + "\U0010ffff")
            clash = self._db.execute(
                "SELECT 1 FROM docs WHERE id != ? AND ((id >= ? AND id < ?) OR "
                "(name >= ? AND name < ?) OR (hex >= ? AND hex < ?)) LIMIT 1",
                (doc_id, *bounds * 3),
            ).fetchone()
            if clash is None:
                return prefix
        # No start of it is unique (another's name goes on from it): its whole name or hex
        # part is, when no other document has the same (`resolve` takes an exact one first).
        (same,) = self._db.execute(
            f"SELECT COUNT(*) FROM docs WHERE {column} = ?", (value,)
        ).fetchone()
        return value if same == 1 and len(value) >= SHORT_ID and value not in self else doc_id

    def resolve(self, ref: str) -> str:
        """The id a user means by `ref`.

        An exact id wins, then the whole last path part or hex part of one document;
        otherwise `ref` may be a unique prefix of an id, of an id's last path part, or of
        the hex part after its underscore
        (`bc1330c7` for `000_bc1330c771dbc5b0`). Raises `UnknownIdError` or
        `AmbiguousIdError` (with the candidates).
        """
        ref = ref.strip()
        if ref in self:
            return ref
        if not ref:
            raise UnknownIdError(ref)
        article = article_ref(ref)
        if article is not None:  # a related article: PARENT_ID#N
            try:
                parent = self.resolve(article.parent)
            except UnknownIdError:
                raise UnknownIdError(ref) from None
            found = related_id(parent, article.number)
            if self._article(found) is None:
                raise NoSuchArticleError(ref, parent, self._article_numbers(parent))
            return found
        # Then a whole last path part, or hex part, that one document has.
        exact = self._db.execute(
            "SELECT id FROM docs WHERE name = ?1 UNION SELECT id FROM docs WHERE hex = ?1 LIMIT 2",
            (ref,),
        ).fetchall()
        if len(exact) == 1:
            return exact[0][0]
        # A prefix as a range, so the indexes answer: ref <= x < ref + the last code point.
        bounds = (ref, ref + "\U0010ffff")
        candidates = sorted(
            {
                doc_id
                for column in ("id", "name", "hex")
                for (doc_id,) in self._db.execute(
                    f"SELECT id FROM docs WHERE {column} >= ? AND {column} < ?", bounds
                )
            }
        )
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UnknownIdError(ref)
        raise AmbiguousIdError(ref, candidates)

    # --- queries ---------------------------------------------------------------

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
        return self.select(_combine(where, criteria), sort=sort, reverse=reverse)

    def search(
        self,
        query: str | SearchQuery,
        where: Filter | None = None,
        *,
        sort: str = "relevance",
        reverse: bool = False,
        limit: int | None = None,
        related: bool = False,
        **criteria: Any,
    ) -> list[Hit]:
        """Articles matching a query (see `newsq.search` for its language), best first.

        Searches the title, excerpt, provider name, topics and body of each document,
        and with `related` also every article of the documents' related coverage
        (ids `PARENT_ID#N`). Words match whole words, ignoring case and accents, and
        other forms of the same word (`banned` finds "banning"). `sort` is
        `relevance` or any `filter` order; ties go by id. Raises `SearchSyntaxError`.
        """
        parsed = query if isinstance(query, SearchQuery) else parse_query(query)
        order = order_sql(sort, reverse)  # checks the key before any work
        where = _combine(where, criteria)
        limit = sql_limit(limit)
        if sort == "relevance" and parsed.match is not None and not where_sql(where)[0]:
            ranked, entries = self._rank_by_score(parsed.match, related, reverse, limit)
        else:
            sources, params = _search_sources(
                parsed, where, related, scored=True, titles=sort == "title"
            )
            sql = f"SELECT d.doc, d.score FROM ({sources}) d ORDER BY {order}"
            if limit is not None:
                sql += " LIMIT ?"
                params.append(limit)
            # Sorted on the few columns it needs; entries built for the hits kept only.
            ranked = self._db.execute(sql, params).fetchall()
            entries = self._hit_entries([rowid for rowid, _ in ranked])
        return [  # (+ 0.0 makes a -0.0 score plain 0.0)
            Hit(entries[rowid], round(score, 6) + 0.0, *self._snippet(parsed, rowid))
            for rowid, score in ranked
        ]

    def _rank_by_score(
        self, match: str, related: bool, reverse: bool, limit: int | None
    ) -> tuple[list[tuple[int, float]], dict[int, Entry]]:
        """Hits in order of relevance from the full-text index alone (no filter to
        apply): half the time of joining every hit's row for its id, which only
        breaks ties. Hits tied with the last one shown are all fetched, so that
        their ids decide which of them come first.
        """
        rows = "" if related else f"AND rowid < {RELATED_ROWS}"
        ranking = (
            f"SELECT rowid, -bm25(search, {_BM25}) AS score FROM search WHERE search MATCH ? {rows}"
        )
        order = f"ORDER BY score {'ASC' if reverse else 'DESC'}"
        if limit is None:
            ranked = self._db.execute(f"{ranking} {order}", [match]).fetchall()
        else:
            # A few more than shown: usually enough to see the end of a tie at the limit.
            fetched = limit + _TIE_ROOM
            ranked = self._db.execute(f"{ranking} {order} LIMIT ?", [match, fetched]).fetchall()
            if limit and len(ranked) == fetched and ranked[limit - 1][1] == ranked[-1][1]:
                # The tie goes on past those: every hit scoring as well as the last shown.
                at_least = "<=" if reverse else ">="
                ranked = self._db.execute(
                    f"SELECT * FROM ({ranking}) WHERE score {at_least} ? {order}",
                    [match, ranked[limit - 1][1]],
                ).fetchall()
            end = limit  # the hits shown, and after them the ones tied with the last
            while 0 < end < len(ranked) and ranked[end][1] == ranked[limit - 1][1]:
                end += 1
            del ranked[end:]
        entries = self._hit_entries([rowid for rowid, _ in ranked])
        direction = 1 if reverse else -1
        ranked.sort(key=lambda hit: (direction * hit[1], entries[hit[0]].id))
        if limit is not None:
            del ranked[limit:]
        return ranked, entries

    def select(
        self,
        where: Filter,
        *,
        sort: str = "date",
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[Entry]:
        """`filter`, keeping only the first `limit` entries.

        Only the entries returned are built, so the first page of a large result is cheap.
        """
        if sort == "relevance":
            raise QueryError("--sort", sort, "only a search has a relevance order")
        order = order_sql(sort, reverse)  # checks the key before any work
        limit = sql_limit(limit)
        condition, params = _condition(where)
        sql = f"SELECT {{columns}} FROM docs d {condition} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._entries(sql, params)

    def count(
        self,
        where: Filter | None = None,
        query: str | SearchQuery | None = None,
        *,
        related: bool = False,
    ) -> int:
        """How many documents `filter(where)`, or hits `search(query, where)`, there are."""
        if query is None:
            condition, params = _condition(where or Filter())
            sql = f"SELECT COUNT(*) FROM docs d {condition}"
        else:
            parsed = query if isinstance(query, SearchQuery) else parse_query(query)
            if parsed.match is not None and not where_sql(where or Filter())[0]:
                # Every row of the index is a document's or an article's: no join to count.
                rows = "" if related else f"AND rowid < {RELATED_ROWS}"
                sql, params = (
                    f"SELECT COUNT(*) FROM search WHERE search MATCH ? {rows}",
                    [parsed.match],
                )
            else:
                sources, params = _search_sources(parsed, where or Filter(), related)
                sql = f"SELECT COUNT(*) FROM ({sources})"
        return self._db.execute(sql, params).fetchone()[0]

    def _hit_entries(self, rowids: Sequence[int]) -> dict[int, Entry]:
        """{row in `search`: entry} for documents' and related articles' rows."""
        entries: dict[int, Entry] = {}
        for offset, columns, source in (
            (0, _ENTRY_COLUMNS, "docs d"),
            (RELATED_ROWS, _RELATED_ENTRY_COLUMNS, _RELATED_SOURCE),
        ):
            rows = [r - offset for r in rowids if (r >= RELATED_ROWS) == bool(offset)]
            for start in range(0, len(rows), 500):  # SQLite caps the number of parameters
                chunk = rows[start : start + 500]
                found = self._db.execute(
                    f"SELECT d.doc, {columns} FROM {source} "
                    f"WHERE d.doc IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                entries.update((row[0] + offset, _entry(row[1:])) for row in found)
        return entries

    def _snippet(self, query: SearchQuery, rowid: int) -> tuple[str, tuple[tuple[int, int], ...]]:
        """The excerpt's passage with the most matched words; the body's when only it
        matches; else the excerpt's (or body's) beginning."""
        if query.match is None:
            excerpt, body = self._db.execute(
                "SELECT excerpt, body FROM search WHERE rowid = ?", (rowid,)
            ).fetchone()
            return _lead(excerpt or body), ()
        lengths = self._db.execute(
            "SELECT length(excerpt), length(body) FROM search WHERE rowid = ?", (rowid,)
        ).fetchone()
        if max(n or 0 for n in lengths) <= LONG_TEXT:
            excerpt, body = self._db.execute(
                f"SELECT snippet(search, 1, {_MARKS}), snippet(search, 4, {_MARKS}) "
                "FROM search WHERE search MATCH ? AND rowid = ?",
                (query.match, rowid),
            ).fetchone()
        else:
            excerpt, body = (self._long_passage(query.match, rowid, column) for column in (1, 4))
        for passage in (excerpt, body):
            if HIGHLIGHT_START in passage:
                return _highlights(passage)
        return _highlights(excerpt or body)

    def _long_passage(self, match: str, rowid: int, column: int) -> str:
        """The passage of one column of a long text, taken from its best chunk.

        FTS5's `snippet()` takes time in the square of a column's matches: a
        hostile 10 MB body of one repeated word would take hours. So the column is
        cut into chunks of `CHUNK_WORDS` words, put in a scratch full-text table
        (in memory, beside the rest of the document, so the query reads alike), and
        the passage is the snippet of the chunk that ranks best.
        """
        row = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM search WHERE rowid = ?", (rowid,))
        values = list(row.fetchone())
        words = (values[column] or "").split()
        if len(words) <= CHUNK_WORDS:  # long in characters only: one chunk is the column
            chunks = [values[column] or ""]
        else:
            chunks = [
                " ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words), CHUNK_WORDS)
            ]
        self._db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages USING fts5({FTS_SPEC})")
        self._db.execute("DELETE FROM temp.passages")
        marks = ", ".join("?" * len(values))
        rows = ([*values[:column], chunk, *values[column + 1 :]] for chunk in chunks)
        self._db.executemany(f"INSERT INTO temp.passages VALUES ({marks})", rows)
        best = self._db.execute(
            f"SELECT rowid, snippet(passages, {column}, {_MARKS}) FROM temp.passages "
            "WHERE passages MATCH ? ORDER BY rank LIMIT 1",
            (match,),
        ).fetchone()
        self._db.execute("DELETE FROM temp.passages")
        if best is None:  # no one chunk matches (`a b`, with a and b far apart)
            return _lead(chunks[0])
        number, passage = best[0] - 1, best[1]  # rowids count from 1
        if number > 0 and not passage.startswith("…"):
            passage = "…" + passage
        if number < len(chunks) - 1 and not passage.endswith("…"):
            passage += "…"
        return passage

    def _entries(self, sql: str, params: Sequence[Any]) -> list[Entry]:
        rows = self._db.execute(sql.format(columns=_ENTRY_COLUMNS), params)
        return [_entry(row) for row in rows]

    # --- facets and statistics -----------------------------------------------

    def topics(
        self, entries: Iterable[Entry] | None = None, *, where: Filter | None = None
    ) -> list[TopicCount]:
        """Documents per topic, most first, then by name. Topics differing in case count as one,
        spelt as in the first document (by id, or in the order given) that has them.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return _topic_counts(entries)
        condition, params = _condition(where or Filter())
        rows = self._db.execute(
            "SELECT t.key, COUNT(*), MIN(d.id), d.topics FROM doc_topics t "
            f"JOIN docs d ON d.doc = t.doc {condition} GROUP BY t.key",
            params,
        )
        counts = []
        for key, count, _, topics in rows:  # `d.topics` is the first document's, with MIN()
            spelling = next(t for t in json.loads(topics) if t.casefold() == key)
            counts.append(TopicCount(spelling, count))
        return sorted(counts, key=lambda c: (-c.count, c.topic.casefold()))

    def providers(
        self, entries: Iterable[Entry] | None = None, *, where: Filter | None = None
    ) -> list[ProviderCount]:
        """Documents per provider (name and domain, any case), most first, then by name.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if entries is not None:
            return _provider_counts(entries)
        articles, params = self._articles(where or Filter(), related=False)
        return self._outlet_counts(articles, params)

    def _outlet_counts(self, articles: str, params: Sequence[Any]) -> list[ProviderCount]:
        """Rows of `articles` per provider (name and domain, any case), most first, each
        spelled as the row with the least id spells it."""
        # Grouped by exact spelling in SQL, then by case in Python over the few spellings:
        # folding every row's case in SQL called Python once a row (3.7 s for 600,000).
        rows = self._db.execute(
            "SELECT provider_name, provider_domain, COUNT(*), MIN(id) FROM "
            f"({articles}) WHERE provider_name IS NOT NULL OR provider_domain IS NOT NULL "
            "GROUP BY provider_name, provider_domain",
            params,
        )
        groups: dict[tuple[str, str], list[Any]] = {}
        for name, domain, count, first in rows:
            key = (_casefold(name), _casefold(domain))
            group = groups.setdefault(key, [name, domain, 0, first])
            group[2] += count
            if first < group[3]:
                group[:2], group[3] = [name, domain], first
        ranked = sorted(groups.items(), key=lambda item: (-item[1][2], item[0]))
        return [ProviderCount(name, domain, count) for _, (name, domain, count, _) in ranked]

    def stats(
        self,
        entries: Iterable[Entry] | None = None,
        top: int = 10,
        *,
        where: Filter | None = None,
        by: str = "month",
        related: bool = False,
    ) -> dict[str, Any]:
        """A summary: counts, date range, top topics and providers, and documents per
        period (`by`: `day`, `week`, `month` or `year`; UTC) under the key `per_<by>`,
        with the busiest of them as `peak`.

        With `related`, the articles of the documents' related coverage count too, each
        on its own date and by its own outlet (filtered as `search --related` filters
        them): in `articles` (documents and coverage), the dates, the providers, the
        timeline and its peak. Topics, types and categories are the documents'.

        Counted in SQL over the documents matching `where` (all by default); or over
        the given `entries`.
        """
        if by not in PERIODS:
            raise QueryError("--by", by, f"must be one of {', '.join(PERIODS)}")
        if entries is not None:
            return _stats(list(entries), top, by)
        where = where or Filter()
        condition, params = _condition(where)
        documents, listed = self._db.execute(
            f"SELECT COUNT(*), COALESCE(SUM(d.related), 0) FROM docs d {condition}", params
        ).fetchone()
        articles, params = self._articles(where, related)
        count, dated, first, last = self._db.execute(
            f"SELECT COUNT(*), COUNT(date_us), MIN(date_us), MAX(date_us) FROM ({articles})",
            params,
        ).fetchone()
        # Days since 1970 as integers (floored, for dates before it too): a third of the
        # time of formatting each row's date in SQL.
        days = self._db.execute(
            f"SELECT (date_us - ((date_us % {_DAY_US}) + {_DAY_US}) % {_DAY_US}) / {_DAY_US} "
            f"AS day, COUNT(*) FROM ({articles}) WHERE date_us IS NOT NULL GROUP BY day",
            params,
        )
        per_day = {_EPOCH_DAY + dt.timedelta(days=day): n for day, n in days}
        outlets = self._outlet_counts(articles, params)
        summary: dict[str, Any] = {"documents": documents, "related": listed}
        if related:
            summary["articles"] = count
        summary |= {
            "dated": dated,
            "first": None if first is None else format_timestamp(_timestamp(first)),
            "last": None if last is None else format_timestamp(_timestamp(last)),
            "topics": [
                {"topic": t.topic, "count": t.count} for t in self.topics(where=where)[:top]
            ],
            "providers": [
                {"name": p.name, "domain": p.domain, "count": p.count} for p in outlets[:top]
            ],
            "types": self._column_counts("type", where),
            "categories": self._column_counts("category", where),
            f"per_{by}": (rows := timeline(per_day, by)),
            "peak": peak(rows),
        }
        return summary

    def _articles(self, where: Filter, related: bool) -> tuple[str, list[Any]]:
        """A SELECT of (id, date_us, provider_name, provider_domain) of the documents
        matching `where` and, with `related`, of the related articles it matches (as
        `search --related` filters them)."""
        condition, params = _condition(where)
        sql = (
            "SELECT d.id AS id, d.date_us AS date_us, d.provider_name AS provider_name, "
            f"d.provider_domain AS provider_domain FROM docs d {condition}"
        )
        if related:
            clauses, values = where_sql(where, related=True)
            condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
            sql += (
                " UNION ALL SELECT d.id, d.date_us, t.provider_name, t.provider_domain "
                f"FROM related d JOIN related_text t ON t.doc = d.doc {condition}"
            )
            params = [*params, *values]
        return sql, params

    # --- stories -----------------------------------------------------------------

    def stories(
        self,
        where: Filter | None = None,
        *,
        window: float = grouping.WINDOW_DAYS,
        min_documents: int | None = grouping.MIN_DOCUMENTS,
        min_articles: int | None = grouping.MIN_ARTICLES,
        limit: int | None = None,
        **criteria: Any,
    ) -> list[dict[str, Any]]:
        """The stories (see `newsq.stories`) with a document matching `where`, each whole,
        biggest first (most articles, then documents; ties by id).

        A story is listed when it has at least `min_documents` documents or at least
        `min_articles` articles counting coverage; None leaves a bound out (both None:
        every story, one document alone too). `window` is in days. Each story is
        `{"id", "headline", "documents", "articles", "outlets", "first_seen",
        "last_seen", "topics"}`; its id is its earliest document's.
        """
        sql, params = self._stories_sql(
            _combine(where, criteria), window, min_documents, min_articles, "s.summary"
        )
        sql += " ORDER BY s.articles DESC, s.documents DESC, s.id"
        limit = sql_limit(limit)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [json.loads(text) for (text,) in self._db.execute(sql, params)]

    def count_stories(
        self,
        where: Filter | None = None,
        *,
        window: float = grouping.WINDOW_DAYS,
        min_documents: int | None = grouping.MIN_DOCUMENTS,
        min_articles: int | None = grouping.MIN_ARTICLES,
    ) -> int:
        """How many stories `stories` lists with no limit."""
        sql, params = self._stories_sql(
            where or Filter(), window, min_documents, min_articles, "COUNT(*)"
        )
        return self._db.execute(sql, params).fetchone()[0]

    def _stories_sql(
        self,
        where: Filter,
        window: float,
        min_documents: int | None,
        min_articles: int | None,
        columns: str,
    ) -> tuple[str, list[Any]]:
        self._fresh_stories(window)
        bounds = [
            (f"s.{column} >= ?", sql_int(value))
            for column, value in (("documents", min_documents), ("articles", min_articles))
            if value is not None
        ]
        clauses = [f"({' OR '.join(sql for sql, _ in bounds)})"] if bounds else []
        params: list[Any] = [value for _, value in bounds]
        condition, values = _condition(where)
        if condition:
            clauses.append(
                "s.story IN (SELECT k.story FROM story_docs k JOIN docs d ON d.doc = k.doc "
                f"{condition})"
            )
            params.extend(values)
        sql = f"SELECT {columns} FROM stories s"
        if clauses:
            sql += f" WHERE {' AND '.join(clauses)}"
        return sql, params

    def story_of(self, doc_id: str, *, window: float = grouping.WINDOW_DAYS) -> dict[str, Any]:
        """The story of a document (or of the document listing a related article
        `PARENT_ID#N`), as `stories` gives it. Raises KeyError for an unknown id."""
        self._fresh_stories(window)
        article = article_ref(doc_id)
        if article is not None and doc_id not in self:
            doc_id = article.parent
        row = self._db.execute(
            "SELECT s.summary FROM docs d JOIN story_docs k ON k.doc = d.doc "
            "JOIN stories s ON s.story = k.story WHERE d.id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return json.loads(row[0])

    def story(self, ref: str, *, window: float = grouping.WINDOW_DAYS) -> dict[str, Any]:
        """A story whole, by its id or any of its documents' (as `resolve` reads them):
        `story_of`'s summary and its `timeline`, every distinct article in date order
        (undated last) as `{"id", "publishedDateTime", "outlet", "title", "url",
        "document"}`. Raises `UnknownIdError` or `AmbiguousIdError`."""
        told = self.story_of(self.resolve(ref), window=window)
        marks = ", ".join("?" * len(told["documents"]))
        docs = [
            doc
            for (doc,) in self._db.execute(
                f"SELECT doc FROM docs WHERE id IN ({marks}) ORDER BY doc", told["documents"]
            )
        ]
        reports = grouping.story_articles(self._db, docs)
        records = self.records([r.id for r in reports])
        told["timeline"] = [
            {
                "id": report.id,
                "publishedDateTime": None
                if report.date_us is None
                else format_timestamp(_timestamp(report.date_us)),
                "outlet": report.outlet,
                "title": report.title,
                "url": grouping.address(record),
                "document": report.document,
            }
            for report, record in zip(reports, records, strict=True)
        ]
        return told

    def _fresh_stories(self, window: float) -> None:
        """Compute the stories if the snapshot changed since they were, or for another window."""
        if not window > 0:  # (NaN too)
            raise QueryError("--window", str(window), "must be more than 0 days")
        generation = self._snapshot.generation()
        if grouping.is_current(self._db, generation, window):
            return
        with self._snapshot.writing() as conn:
            generation = self._snapshot.generation()  # another run may have done it meanwhile
            if not grouping.is_current(conn, generation, window):
                grouping.build(conn, generation, window)

    def _column_counts(self, column: str, where: Filter) -> dict[str, int]:
        condition, params = _condition(where, f"d.{column} IS NOT NULL")
        rows = self._db.execute(
            f"SELECT d.{column}, COUNT(*) FROM docs d {condition} GROUP BY d.{column}", params
        )
        return dict(sorted(rows, key=lambda kv: (-kv[1], kv[0])))


def _topic_counts(entries: Iterable[Entry]) -> list[TopicCount]:
    return [TopicCount(topic, count) for topic, count in rank_topics(e.topics for e in entries)]


def _provider_counts(entries: Iterable[Entry]) -> list[ProviderCount]:
    counts: Counter[tuple[str, str]] = Counter()
    spelling: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for entry in entries:
        if entry.provider_name is None and entry.provider_domain is None:
            continue
        key = ((entry.provider_name or "").casefold(), (entry.provider_domain or "").casefold())
        counts[key] += 1
        spelling.setdefault(key, (entry.provider_name, entry.provider_domain))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [ProviderCount(*spelling[key], count) for key, count in ranked]


def _stats(chosen: list[Entry], top: int, by: str) -> dict[str, Any]:
    dates = sorted(e.date for e in chosen if e.date is not None)
    return {
        "documents": len(chosen),
        "related": sum(e.related for e in chosen),
        "dated": len(dates),
        "first": format_timestamp(dates[0]) if dates else None,
        "last": format_timestamp(dates[-1]) if dates else None,
        "topics": [{"topic": t.topic, "count": t.count} for t in _topic_counts(chosen)[:top]],
        "providers": [
            {"name": p.name, "domain": p.domain, "count": p.count}
            for p in _provider_counts(chosen)[:top]
        ],
        "types": _counts(e.type for e in chosen),
        "categories": _counts(e.category for e in chosen),
        f"per_{by}": (rows := timeline(Counter(d.date() for d in dates), by)),
        "peak": peak(rows),
    }


def _common_start(a: str, b: str) -> int:
    """How many characters `a` and `b` share from their start."""
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _spelled_topic(key: str, row: Sequence[Any]) -> str | None:
    return next((t for t in json.loads(row[0]) if _casefold(t) == key), None)


def _spelled_provider(key: str, row: Sequence[Any]) -> str | None:
    """The name or domain a provider key is (not the domain less its suffix: `forbes`)."""
    return next((v for v in row if v and _casefold(v) == key), None)


def _casefold(text: str | None) -> str:
    return "" if text is None else text.casefold()


def _timestamp(date_us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=date_us)


def _entry(row: Sequence[Any]) -> Entry:
    (doc_id, path, title, date_us, category, type_, quality, heat, published) = row[:9]
    provider_name, provider_domain, topics, related = row[9:]
    return Entry(
        id=doc_id,
        path=path,
        title=title,
        date=None if date_us is None else EPOCH + dt.timedelta(microseconds=date_us),
        category=category,
        type=type_,
        quality=quality,
        heat=heat,
        published=None if published is None else bool(published),
        provider_name=provider_name,
        provider_domain=provider_domain,
        topics=tuple(json.loads(topics)) if topics != "[]" else (),
        related=related,
    )


def _condition(where: Filter, *extra: str) -> tuple[str, list[Any]]:
    """The WHERE clause (or nothing) for a filter and `extra` conditions (SQL without
    parameters), and its parameters."""
    clauses, params = where_sql(where)
    clauses.extend(extra)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


#: Words in a snippet, at most.
_DAY_US = 86_400_000_000
_EPOCH_DAY = EPOCH.date()

#: The fewest characters of an id's hex part that tables show (as git's shortest hashes).
SHORT_ID = 4
SNIPPET_WORDS = 20
_MARKS = f"'{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', {SNIPPET_WORDS}"
#: Characters beyond which a column's passage is found chunk by chunk (`_long_passage`).
LONG_TEXT = 20_000
CHUNK_WORDS = 1_000
_BM25 = ", ".join(str(w) for w in WEIGHTS)
#: Hits ranked beyond the limit, to find where a tie at the limit ends without ranking twice.
_TIE_ROOM = 16
# A related article's entry: its own columns from `related` and `related_text`, the
# path and topics of the document listing it.
_RELATED_ENTRY_COLUMNS = (
    "d.id, p.path, t.title, d.date_us, t.category, t.type, d.quality, d.heat, d.published, "
    "t.provider_name, t.provider_domain, p.topics, 0"
)
_RELATED_SOURCE = "related d JOIN related_text t ON t.doc = d.doc JOIN docs p ON p.doc = d.parent"


def _search_sources(
    query: SearchQuery,
    where: Filter,
    related: bool,
    *,
    scored: bool = False,
    titles: bool = False,
) -> tuple[str, list[Any]]:
    """A SELECT of every hit (documents, and related articles if asked): its row in
    `search` as `doc`, and what `order_sql` sorts on; and its parameters.

    Only `scored` computes BM25 (else `score` is 0: counting needs none), only
    `titles` reads the title keys: a search may have many hits, and reads no more of
    each than its order needs.
    """
    parts, params = [], []
    sources = [("docs", 0, f"search.rowid < {RELATED_ROWS}")]
    if related:
        sources.append(("related", RELATED_ROWS, f"search.rowid >= {RELATED_ROWS}"))
    for table, offset, rows in sources:
        clauses, values = where_sql(where, related=table == "related")
        if query.match is not None:
            score = f"-bm25(search, {_BM25})" if scored else "0.0"
            source = f"search JOIN {table} d ON d.doc = search.rowid - {offset}"
            clauses[:0] = ["search MATCH ?", rows]
            values.insert(0, query.match)
        else:  # every article but those matching the exclusions
            score, source = "0.0", f"{table} d"
            clauses.insert(
                0, f"d.doc + {offset} NOT IN (SELECT rowid FROM search WHERE search MATCH ?)"
            )
            values.insert(0, query.exclude)
        title_key = "NULL"
        if titles:
            title_key = "d.title_key" if table == "docs" else _RELATED_TITLE_KEY
        parts.append(
            f"SELECT d.doc + {offset} AS doc, {score} AS score, d.id AS id, "
            "d.date_us AS date_us, d.quality AS quality, d.heat AS heat, "
            f"{title_key} AS title_key FROM {source} WHERE {' AND '.join(clauses)}"
        )
        params.extend(values)
    return " UNION ALL ".join(parts), params


_RELATED_TITLE_KEY = "(SELECT t.title_key FROM related_text t WHERE t.doc = d.doc)"


def _highlights(passage: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet without its marks, on one line, and where the marked words are in it."""
    passage = " ".join(passage.split())  # the marks are not white space: they stay
    text: list[str] = []
    spans = []
    length = 0
    for number, part in enumerate(passage.split(HIGHLIGHT_START)):
        if number:
            word, _, rest = part.partition(HIGHLIGHT_END)
            spans.append((length, length + len(word)))
            text.append(word)
            length += len(word)
            part = rest
        text.append(part)
        length += len(part)
    return "".join(text), tuple(spans)


def _lead(text: str) -> str:
    """The first words of a text, as a snippet with nothing matched."""
    words = text.split()
    lead = " ".join(words[:SNIPPET_WORDS])  # on one line, as `_highlights` makes snippets
    return lead + "…" if len(words) > SNIPPET_WORDS else lead


def _combine(where: Filter | None, criteria: dict[str, Any]) -> Filter:
    if where is not None and criteria:
        raise TypeError("pass a Filter or keyword criteria, not both")
    return where if where is not None else Filter.build(**criteria)


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    counts = Counter(v for v in values if v is not None)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


#: What `stats` counts documents per, as `--by` takes it.
PERIODS = ("day", "week", "month", "year")


def timeline(per_day: Mapping[dt.date, int], by: str) -> list[dict[str, Any]]:
    """Documents per period (`day` `2020-06-11`, ISO `week` `2020-W24`, `month`
    `2020-06`, `year` `2020`) from the first to the last, empty periods included, as
    `{by: label, "count": n}`."""
    if not per_day:
        return []
    counts: Counter[dt.date] = Counter()
    for day, count in per_day.items():
        counts[_period_start(day, by)] += count
    period, last = min(counts), max(counts)
    rows = []
    while True:
        rows.append({by: _period_label(period, by), "count": counts.get(period, 0)})
        if period == last:  # before stepping on: past the year 9999 there is no date
            return rows
        period = _next_period(period, by)


def peak(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The row of a timeline with the most documents (the earliest of equals); None for none."""
    return dict(max(rows, key=lambda row: row["count"])) if rows else None


def _period_start(day: dt.date, by: str) -> dt.date:
    if by == "day":
        return day
    if by == "week":
        return day - dt.timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day.replace(day=1) if by == "month" else day.replace(month=1, day=1)


def _next_period(start: dt.date, by: str) -> dt.date:
    if by == "day":
        return start + dt.timedelta(days=1)
    if by == "week":
        return start + dt.timedelta(days=7)
    if by == "year":
        return start.replace(year=start.year + 1)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def _period_label(start: dt.date, by: str) -> str:
    if by == "day":
        return start.isoformat()
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{start.year:04d}-{start.month:02d}" if by == "month" else f"{start.year:04d}"
