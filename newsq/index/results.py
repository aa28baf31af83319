"""What the index answers with: typed values that cross into rendering and scripts.

Each has `to_json()`, the object `--json` prints. Stories and stats also read as the
dicts they once were (`story["id"]`), for one release: use their attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from newsq.model import Entry


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the article, how well it matches, and the passage that does.

    `score` is higher for a better match (BM25: matched words that are rare in the
    corpus, in a short field, in the title most of all); 0 for every hit of a query
    that only excludes. `snippet` is a short passage of the excerpt (or the body
    when only it matches), and `highlights` the [start, end) of each matched word
    in it, in characters.

    `matched` are the query's terms it has, as typed (its words, phrases, `field:word`
    and `prefix*` terms; a required term, every hit has), `missing` those it lacks,
    and `corrections` (typed word, the word it matched instead) the misspelt words it
    matched only through a correction. `coverage` is the share of the weight of the
    query's words it has (1.0: all of them, or a query with no words that forgive).
    In relevance order, hits of more coverage come first, then those with fewer
    corrections among them, then by score.
    """

    entry: Entry
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    matched: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()
    coverage: float = 1.0

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass(frozen=True, slots=True)
class TopicCount:
    """How many documents have a topic (`newsq topics`)."""

    topic: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "count": self.count}


@dataclass(frozen=True, slots=True)
class ProviderCount:
    """How many documents (or articles) a provider has (`newsq providers`)."""

    name: str | None
    domain: str | None
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "domain": self.domain, "count": self.count}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A filter value that no document has (`option` `--topic`, `--provider`, `--category`
    or `--type`), with the known values closest to it."""

    option: str
    value: str
    closest: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A field the documents have (`newsq fields`): its dotted path (`provider.name`;
    `related.title` is the `title` of any item of the `related` list), how many
    `documents` have it, its JSON `types` (most documents first: `string`, `integer`,
    `list of string`, `object`, …) and an `example` of its value, exactly as a record
    holds it: None for a field holding only mappings (`provider`, `related`), whose
    own fields are listed after it with examples of their own."""

    field: str
    documents: int
    types: tuple[str, ...]
    example: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "documents": self.documents,
            "types": list(self.types),
            "example": self.example,
        }


class _ReadsAsJson(Mapping[str, Any]):
    """Read as the dict `to_json()` gives (`story["id"]`): how these results were returned
    before they were typed. Kept for one release; read the attributes instead."""

    __slots__ = ()

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_json())

    def __len__(self) -> int:
        return len(self.to_json())

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return all(getattr(self, f) == getattr(other, f) for f in self.__slots__)
        if isinstance(other, Mapping):
            return self.to_json() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (a dict it reads as is not hashable)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One article of a story, as its timeline lists it: its id (a document's, or
    `DOCUMENT#N` for the Nth of its coverage), when and by whom, its title and address,
    and the document it is or that lists it."""

    id: str
    published: str | None  # ISO 8601 in UTC, as `publishedDateTime` in JSON
    outlet: str | None
    title: str
    url: str | None
    document: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "publishedDateTime": self.published,
            "outlet": self.outlet,
            "title": self.title,
            "url": self.url,
            "document": self.document,
        }


@dataclass(frozen=True, slots=True)
class StoryReason:
    """Why a document is in its story (`newsq story ID --explain`).

    `kind` is "link" (it and `partner` share the address `address`: one lists the
    other in its related coverage, or both list it), "wording" (it and `partner`, a
    document of the same story, are alike at `similarity` (cosine, 0 to 1), and
    `words` are the words they share that weigh most in it, stemmed as search stems
    them; `cohesion` is how alike their two stories were on average, the mean
    similarity of their pairs of documents, when this pair joined them: None if
    they were one story already; `meaning`, with `--meaning`, is how alike the two
    are in meaning, cosine of their sentence embeddings, which `similarity` weighs in;
    `nearest`: they are alike less than the threshold, and joined as each other's
    most alike), or "alone" (nothing joined it: a story of one document).
    """

    document: str
    kind: str
    partner: str | None = None
    similarity: float | None = None
    words: tuple[str, ...] = ()
    address: str | None = None
    cohesion: float | None = None
    meaning: float | None = None
    nearest: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "kind": self.kind,
            "partner": self.partner,
            "similarity": self.similarity,
            "words": list(self.words),
            "address": self.address,
            "cohesion": self.cohesion,
            "meaning": self.meaning,
            "nearest": self.nearest,
        }


@dataclass(frozen=True, slots=True, eq=False)
class Story(_ReadsAsJson):
    """Documents about one event and their related coverage (see `newsq.index.grouping`).

    Its `id` is its earliest document's; `headline` the title of its best document (by
    quality); `articles` counts every distinct article, documents and coverage;
    `outlets` are their providers; `first_seen` and `last_seen` the first and last
    dates of them (ISO 8601, UTC); `topics` its documents' topics, most first. A story
    told whole (`Index.story`) has its `timeline`, every article in date order, and
    with `explain=True` its `reasons`: why each document is in it, by date.
    """

    id: str
    headline: str
    documents: tuple[str, ...]
    articles: int
    outlets: tuple[str, ...]
    first_seen: str | None
    last_seen: str | None
    topics: tuple[tuple[str, int], ...]
    timeline: tuple[TimelineEntry, ...] | None = None
    reasons: tuple[StoryReason, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        told: dict[str, Any] = {
            "id": self.id,
            "headline": self.headline,
            "documents": list(self.documents),
            "articles": self.articles,
            "outlets": list(self.outlets),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "topics": dict(self.topics),
        }
        if self.timeline is not None:
            told["timeline"] = [entry.to_json() for entry in self.timeline]
        if self.reasons is not None:
            told["explain"] = [reason.to_json() for reason in self.reasons]
        return told

    @classmethod
    def from_json(cls, told: Mapping[str, Any]) -> Story:
        """A story from its JSON object (as the snapshot keeps it)."""
        return cls(
            id=told["id"],
            headline=told["headline"],
            documents=tuple(told["documents"]),
            articles=told["articles"],
            outlets=tuple(told["outlets"]),
            first_seen=told["first_seen"],
            last_seen=told["last_seen"],
            topics=tuple(told["topics"].items()),
        )


@dataclass(frozen=True, slots=True)
class PeriodCount:
    """How many were published in a period: `2020-06-11` (a day), `2020-W24` (an ISO
    week), `2020-06` (a month) or `2020` (a year)."""

    period: str
    count: int


@dataclass(frozen=True, slots=True, eq=False)
class Stats(_ReadsAsJson):
    """A corpus (or what a filter keeps of it) summed up: `documents` and the articles of
    their coverage (`related`); with coverage counted, `articles` (both); how many are
    `dated`, the `first` and `last` dates; the top `topics` and `providers` (outlets,
    with coverage counted); `types` and `categories`; and the count of each period `by`
    day, week, month or year (the one chosen, when `auto` was asked for), empty ones
    too, with the busiest as `peak`."""

    documents: int
    related: int
    articles: int | None
    dated: int
    first: str | None
    last: str | None
    topics: tuple[TopicCount, ...]
    providers: tuple[ProviderCount, ...]
    types: tuple[tuple[str, int], ...]
    categories: tuple[tuple[str, int], ...]
    by: str
    periods: tuple[PeriodCount, ...]
    peak: PeriodCount | None

    def to_json(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"documents": self.documents, "related": self.related}
        if self.articles is not None:
            summary["articles"] = self.articles
        by = self.by
        return summary | {
            "dated": self.dated,
            "first": self.first,
            "last": self.last,
            "topics": [topic.to_json() for topic in self.topics],
            "providers": [provider.to_json() for provider in self.providers],
            "types": dict(self.types),
            "categories": dict(self.categories),
            "by": by,
            f"per_{by}": [{by: p.period, "count": p.count} for p in self.periods],
            "peak": None if self.peak is None else {by: self.peak.period, "count": self.peak.count},
        }
