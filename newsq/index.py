"""The in-memory index: light entries for querying, full records fetched on demand.

`Index` answers lookups by id (or a prefix of one), filters, basic search,
facet counts and corpus statistics. It holds entries in memory and reaches the
full records through a mapping, so a later store (a snapshot on disk) can
serve records without changing anything above it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsq.model import ERROR, Entry, Problem
from newsq.parser import format_timestamp
from newsq.query import Filter, matches_words, query_words, sort_entries


class UnknownIdError(LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no document matches {ref!r}")
        self.ref = ref


class AmbiguousIdError(LookupError):
    def __init__(self, ref: str, candidates: Sequence[str]) -> None:
        super().__init__(f"{ref!r} matches {len(candidates)} documents")
        self.ref = ref
        self.candidates = list(candidates)


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

    `len(index)` counts documents, iterating yields `Entry` values in load order,
    `index[id]` is the full lossless record of a document.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        records: Mapping[str, dict[str, Any]],
        texts: Sequence[str],
        problems: Sequence[Problem] = (),
    ) -> None:
        self._entries = list(entries)
        self._records = records
        self._texts = dict(zip((e.id for e in self._entries), texts, strict=True))
        self._by_id = {e.id: e for e in self._entries}
        self._by_topic: dict[str, list[Entry]] = defaultdict(list)
        for entry in self._entries:
            for topic in {t.casefold() for t in entry.topics}:
                self._by_topic[topic].append(entry)
        self.problems: list[Problem] = list(problems)

    # --- the collection ------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._by_id

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        if doc_id not in self._by_id:
            raise KeyError(doc_id)
        return self._records[doc_id]

    def entry(self, doc_id: str) -> Entry:
        return self._by_id[doc_id]

    def records(self, entries: Iterable[Entry]) -> list[dict[str, Any]]:
        """The full records of the given entries, in their order."""
        return [self._records[e.id] for e in entries]

    @property
    def skipped(self) -> int:
        """How many files could not be loaded as documents."""
        return len({p.path for p in self.problems if p.severity == ERROR})

    # --- lookups ---------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The id a user means by `ref`.

        An exact id wins; otherwise `ref` may be a unique prefix of an id, of an
        id's last path part, or of the hex part after its underscore
        (`bc1330c7` for `000_bc1330c771dbc5b0`). Raises `UnknownIdError` or
        `AmbiguousIdError` (with the candidates).
        """
        ref = ref.strip()
        if ref in self._by_id:
            return ref
        if not ref:
            raise UnknownIdError(ref)
        candidates = [doc_id for doc_id in self._by_id if _id_answers_to(doc_id, ref)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UnknownIdError(ref)
        raise AmbiguousIdError(ref, sorted(candidates))

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
        where = _combine(where, criteria)
        return sort_entries(self._candidates(where), sort, reverse)

    def search(
        self,
        query: str,
        where: Filter | None = None,
        *,
        sort: str = "date",
        reverse: bool = False,
        **criteria: Any,
    ) -> list[Entry]:
        """Entries whose title, excerpt, provider name, topics or body hold every word."""
        where = _combine(where, criteria)
        words = query_words(query)
        found = (e for e in self._candidates(where) if matches_words(words, self._texts[e.id]))
        return sort_entries(found, sort, reverse)

    def _candidates(self, where: Filter) -> list[Entry]:
        pool: Iterable[Entry] = self._entries
        if where.topics:
            # Start from the smallest topic's documents rather than the whole corpus.
            pool = min((self._by_topic.get(t, []) for t in where.topics), key=len)
        return [e for e in pool if where.matches(e)]

    # --- facets and statistics -----------------------------------------------

    def topics(self, entries: Iterable[Entry] | None = None) -> list[TopicCount]:
        """Documents per topic, most first, then by name. Topics differing in case count as one."""
        counts: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for entry in self._entries if entries is None else entries:
            for topic in dict.fromkeys(t.casefold() for t in entry.topics):
                counts[topic] += 1
            for topic in entry.topics:
                spelling.setdefault(topic.casefold(), topic)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [TopicCount(spelling[key], count) for key, count in ranked]

    def providers(self, entries: Iterable[Entry] | None = None) -> list[ProviderCount]:
        """Documents per provider (name and domain), most first, then by name."""
        counts: Counter[tuple[str, str]] = Counter()
        spelling: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        for entry in self._entries if entries is None else entries:
            if entry.provider_name is None and entry.provider_domain is None:
                continue
            key = ((entry.provider_name or "").casefold(), (entry.provider_domain or "").casefold())
            counts[key] += 1
            spelling.setdefault(key, (entry.provider_name, entry.provider_domain))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [ProviderCount(*spelling[key], count) for key, count in ranked]

    def stats(self, entries: Iterable[Entry] | None = None, top: int = 10) -> dict[str, Any]:
        """A summary: counts, date range, top topics and providers, documents per month."""
        chosen = list(self._entries if entries is None else entries)
        dates = sorted(e.date for e in chosen if e.date is not None)
        return {
            "documents": len(chosen),
            "related": sum(e.related for e in chosen),
            "dated": len(dates),
            "first": format_timestamp(dates[0]) if dates else None,
            "last": format_timestamp(dates[-1]) if dates else None,
            "topics": [{"topic": t.topic, "count": t.count} for t in self.topics(chosen)[:top]],
            "providers": [
                {"name": p.name, "domain": p.domain, "count": p.count}
                for p in self.providers(chosen)[:top]
            ],
            "types": _counts(e.type for e in chosen),
            "categories": _counts(e.category for e in chosen),
            "per_month": _per_month(dates),
        }


def _combine(where: Filter | None, criteria: dict[str, Any]) -> Filter:
    if where is not None and criteria:
        raise TypeError("pass a Filter or keyword criteria, not both")
    return where if where is not None else Filter.build(**criteria)


def _id_answers_to(doc_id: str, ref: str) -> bool:
    if doc_id.startswith(ref):
        return True
    last = doc_id.rsplit("/", 1)[-1]
    if last.startswith(ref):
        return True
    _, underscore, hex_part = last.partition("_")
    return bool(underscore) and hex_part.startswith(ref)


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    counts = Counter(v for v in values if v is not None)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _per_month(dates: Sequence[dt.datetime]) -> list[dict[str, Any]]:
    """Documents per calendar month (UTC) from the first to the last, empty months included."""
    if not dates:
        return []
    counts = Counter((d.year, d.month) for d in dates)
    year, month = dates[0].year, dates[0].month
    end = (dates[-1].year, dates[-1].month)
    months = []
    while (year, month) <= end:
        months.append({"month": f"{year:04d}-{month:02d}", "count": counts.get((year, month), 0)})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
