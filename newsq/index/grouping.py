"""Stories: the documents about one event, grouped, with their related coverage.

Two documents belong together when

- (a) one's address (`webUrl`, `originalUrl`, `ampWebUrl`) is in the other's
  `related` list, or both list the same address; or
- (b) they are alike in wording, were published within `window` days of each
  other, and their stories are alike on average (below).

A story is a connected component of those links, and each document's related
articles belong to its story as coverage. Each document keeps why it is in its
story (`Reason`): the link that joined it, else its most alike partner, their
similarity and the words they share most; links win over wording.

Wording is compared as TF-IDF vectors, by cosine. A document's words are its
title and excerpt, stemmed as search stems them (FTS5's porter tokenizer, so
"banned" and "banning" are one word), less common English words; title words
count `TITLE_WEIGHT` times (a headline names the event, an excerpt adds
details); its coverage's titles and excerpts count too, together as much as
`COVERAGE_WEIGHT` of its own (what an outlet lists beside an article says what
the article is about). Word weights are learnt from every article of the corpus
(documents and coverage), smoothed towards a prior (`PRIOR_TEXTS`, `PRIOR_SHARE`),
so that in a small corpus about one thing the words it is about still count.

A word also weighs by how much it bursts where the document is in time: the
share of the documents within `BURST_DAYS` of it that have the word, against
the word's share of the whole corpus (smoothed by `BURST_SMOOTHING` documents).
An event's words crowd into its days ("IBM", "Rekognition", "police" in June
2020); the words a site is always about ("Power Apps", "canvas app") are as
common on any day as on average, and count for no more than their weight.

Stories grow in date order. A document alike a document of another story at
`threshold` (default `SIMILARITY`) or more joins that story only if the two
stories are alike on average: the mean similarity of every pair of their
documents (so far) is `threshold` or more too. One document alike one member
is not enough to pull a whole story in: that is what let documents of one
subject chain into one story, each alike only the one before it.

Only pairs that share one of their most telling words are compared (each
document's `CANDIDATE_WORDS` heaviest words among those in at least two texts and
in at most `COMMON_SHARE` of them), and only within the window, so the work
grows with the corpus, not its square.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from newsq.model import DAY_US, rank_topics

# The command line imports this module for its defaults as it starts: what grouping
# reads and returns is imported where used, so `newsq --version` does not pay for it.
if TYPE_CHECKING:
    from newsq.index.results import Story
    from newsq.store.stories import Article, Candidate, Document

#: The default window, in days: reports of one event further apart are not linked
#: by their wording (links through `related` have no window).
WINDOW_DAYS = 30
#: The cosine from which two documents are alike in wording, and two stories alike on
#: average (`--threshold`). Measured (benchmarks/stories_eval.py, RESULTS.md) on the
#: seeds' story written as 28 unlinked documents among the real sample's 73: 0.2 puts
#: 26 of the 28 together and none of the sample with them, the sample alone makes no
#: story of more than 9 (0.18: 26 and 10; 0.22: 24 and 9).
SIMILARITY = 0.2
#: How many shared words a reason names (the ones that weigh most in the similarity).
REASON_WORDS = 5
#: How much a title word counts against a word of the excerpt. Measured with average
#: stories at 0.15: the seeds' story among the real sample, 25 of 28 together at 1, 26
#: at 2 (and at 3, with a larger story of the sample alone: 13 against 11).
TITLE_WEIGHT = 2.0
#: How much a document's coverage counts in its wording, against its own title and excerpt.
COVERAGE_WEIGHT = 0.9
#: The prior the word weights are smoothed towards: as if the corpus had this many
#: more texts, in which any word is in this share.
PRIOR_TEXTS = 1000
PRIOR_SHARE = 0.01
#: A word's burst is measured among the documents within this many days of a document.
#: (3 and 7 measured alike; 3 is nearer the days an event is news.)
BURST_DAYS = 3
#: Burst is smoothed as if this many documents more had the word, here and on average:
#: one or two documents having a rare word on the same days is no burst.
BURST_SMOOTHING = 2.0
#: Words compared by: each document's heaviest this many, in at most this share of texts.
CANDIDATE_WORDS = 8
COMMON_SHARE = 0.0005
#: A story listed by default has at least this many documents, or this many articles.
MIN_DOCUMENTS = 2
MIN_ARTICLES = 5
#: Bumped whenever grouping changes: stories computed before are computed again.
VERSION = 3


class Reason(NamedTuple):
    """Why a document is in its story: `kind` is "link" (it and `partner` share the
    address `address`: one lists the other, or both list it), "wording" (it and
    `partner` are alike at `similarity`, sharing `words`, stemmed, weightiest first;
    `cohesion` is how alike their two stories were on average when they joined, or
    None if they already were one story), or "first" (nothing joined it: a story of
    one document)."""

    doc: int
    kind: str
    partner: int | None = None
    similarity: float | None = None
    words: tuple[str, ...] = ()
    address: str | None = None
    cohesion: float | None = None


def listed_by_default(story: Story) -> bool:
    """Whether `newsq stories` lists this story without size options."""
    return len(story.documents) >= MIN_DOCUMENTS or story.articles >= MIN_ARTICLES


# --- grouping ---------------------------------------------------------------------------


def group(
    documents: Sequence[Candidate],
    window_days: float = WINDOW_DAYS,
    threshold: float = SIMILARITY,
) -> tuple[list[list[int]], dict[int, Reason]]:
    """The stories of these documents (lists of document rows, each list sorted), and why
    each document that is not alone is in its story, by row."""
    import json

    stories = _Stories(len(documents))
    reasons: dict[int, Reason] = {}
    owner: dict[str, int] = {}  # (a): a document and whatever lists its address
    for i, document in enumerate(documents):
        own, listed = json.loads(document.links)
        for key in [*own, *(k for _, keys in listed for k in keys)]:
            if key in owner:
                j = owner[key]
                stories.union(i, j)
                for doc, partner in (
                    (document.doc, documents[j].doc),
                    (documents[j].doc, document.doc),
                ):
                    if doc not in reasons:
                        reasons[doc] = Reason(doc, "link", partner, address=key)
            else:
                owner[key] = i
    for a, b, similarity, words, cohesion in _alike(  # (b)
        documents, window_days * DAY_US, threshold, stories
    ):
        for doc, partner in ((a, b), (b, a)):
            known = reasons.get(doc)
            if known is None or (known.kind == "wording" and similarity > (known.similarity or 0)):
                reasons[doc] = Reason(
                    doc, "wording", partner, round(similarity, 3), words, cohesion=cohesion
                )
    components: dict[int, list[int]] = {}
    for i, document in enumerate(documents):
        components.setdefault(stories.find(i), []).append(document.doc)
    return [sorted(c) for c in components.values()], reasons


class _Stories:
    """Stories as they grow (union-find over document positions), each with the sum of
    the vectors of its documents seen so far and how many, for how alike two stories
    are on average: the mean cosine of every pair of their documents is the dot product
    of their sums over the product of their counts."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))
        self.seen = [0] * count  # per story (its root): documents seen so far
        self.live = [0] * count  # per story: of those, how many are still in the window
        self.sums: dict[int, dict[str, float]] = {}  # per story of two or more seen
        self.vectors: dict[int, dict[str, float]] = {}  # per story of one seen: its vector

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> int:
        a, b = self.find(a), self.find(b)
        if a == b:
            return a
        keep, gone = min(a, b), max(a, b)
        self.parent[gone] = keep
        self._absorb(keep, gone)
        return keep

    def see(self, i: int, vector: dict[str, float]) -> None:
        """Count document `i` into its story's sum (its words are known now)."""
        root = self.find(i)
        if self.seen[root] == 0:
            self.vectors[root] = vector
        else:
            _add(self._sum(root), vector)
        self.seen[root] += 1
        self.live[root] += 1

    def cohesion(self, a: int, b: int) -> float:
        """How alike the stories of `a` and `b` are on average (documents seen so far)."""
        a, b = self.find(a), self.find(b)
        x, y = self._summed(a), self._summed(b)
        if len(x) > len(y):
            x, y = y, x
        dot = sum(value * y.get(word, 0.0) for word, value in x.items())
        return dot / ((self.seen[a] * self.seen[b]) or 1)

    def leave(self, i: int) -> None:
        """Document `i` is out of the window. A story none of whose documents is in it
        any more is forgotten (sum and count): memory holds the window's stories; one
        of its documents linked to a later one starts it afresh."""
        root = self.find(i)
        self.live[root] -= 1
        if self.live[root] == 0:
            self.sums.pop(root, None)
            self.vectors.pop(root, None)
            self.seen[root] = 0

    def _summed(self, root: int) -> dict[str, float]:
        return self.sums.get(root) or self.vectors.get(root) or {}

    def _sum(self, root: int) -> dict[str, float]:
        found = self.sums.get(root)
        if found is None:
            found = self.sums[root] = dict(self.vectors.pop(root, None) or {})
        return found

    def _absorb(self, keep: int, gone: int) -> None:
        if self.seen[gone]:
            if self.seen[keep]:
                _add(self._sum(keep), self._summed(gone))
            elif gone in self.sums:
                self.sums[keep] = self.sums[gone]
            else:
                self.vectors[keep] = self.vectors[gone]
            self.sums.pop(gone, None)
            self.vectors.pop(gone, None)
        self.seen[keep] += self.seen[gone]
        self.live[keep] += self.live[gone]
        self.seen[gone] = self.live[gone] = 0


def _add(total: dict[str, float], vector: Mapping[str, float]) -> None:
    for word, value in vector.items():
        total[word] = total.get(word, 0.0) + value


def _alike(
    documents: Sequence[Candidate], window_us: float, threshold: float, stories: _Stories
) -> Iterator[tuple[int, int, float, tuple[str, ...], float | None]]:
    """Join stories by wording (`stories`, in place), documents in date order; yield each
    pair of documents (rows) alike and published within the window whose stories are
    or became one, with their similarity, the words they share that weigh most in it,
    and how alike their stories were on average when joined (None: already one)."""
    texts = 0
    counts: Counter[str] = Counter()  # in how many texts each word is
    shares: Counter[str] = Counter()  # in how many documents (own words only)
    for document in documents:
        own = set(document.words.split())
        counts.update(own)
        shares.update(own)
        texts += 1
        for line in document.cover.split("\n") if document.cover else ():
            counts.update(set(line.split()))
            texts += 1
    prior = PRIOR_TEXTS * PRIOR_SHARE
    weight = {w: math.log((texts + PRIOR_TEXTS) / (n + prior)) for w, n in counts.items()}
    common = max(50, COMMON_SHARE * texts)
    position = {d.doc: i for i, d in enumerate(documents)}
    # Documents in date order, each compared with the earlier ones still within the
    # window that share a telling word with it: only those are kept, so memory holds
    # a window's documents, not the corpus's.
    dated = sorted((d for d in documents if d.date_us is not None), key=lambda d: d.date_us or 0)
    bursts = _Bursts(dated, BURST_DAYS * DAY_US, shares, len(documents))
    recent: deque[tuple[int, int]] = deque()  # (date, doc) of the documents kept
    vectors: dict[int, dict[str, float]] = {}
    postings: dict[str, deque[tuple[int, int]]] = {}
    for n, document in enumerate(dated):
        date = document.date_us or 0
        while recent and date - recent[0][0] > window_us:
            _, old = recent.popleft()
            del vectors[old]
            stories.leave(position[old])
        vector = _vector(document, weight, bursts.at(n))
        here = position[document.doc]
        stories.see(here, vector)
        telling = [w for w in vector if 2 <= counts[w] <= common]
        compared = set()
        found = []
        for word in sorted(telling, key=lambda w: (-vector[w], w))[:CANDIDATE_WORDS]:
            posting = postings.setdefault(word, deque())
            while posting and date - posting[0][0] > window_us:
                posting.popleft()
            for _, other in posting:
                if other not in compared:
                    compared.add(other)
                    similarity = _cosine(vector, vectors[other])
                    if similarity >= threshold:
                        found.append((similarity, other))
            posting.append((date, document.doc))
        # The most alike first: a story joins the one it is most alike through first.
        for similarity, other in sorted(found, key=lambda f: (-f[0], f[1])):
            there = position[other]
            cohesion: float | None = None
            if stories.find(here) != stories.find(there):
                cohesion = stories.cohesion(here, there)
                if cohesion < threshold:
                    continue
                stories.union(here, there)
            yield (
                min(other, document.doc),
                max(other, document.doc),
                similarity,
                _shared(vector, vectors[other]),
                None if cohesion is None else round(cohesion, 3),
            )
        vectors[document.doc] = vector
        recent.append((date, document.doc))


class _Bursts:
    """How much each word of a document bursts at its date: its share of the documents
    within `days_us` of it against its share of every document, smoothed."""

    def __init__(
        self, dated: Sequence[Candidate], days_us: float, shares: Mapping[str, int], total: int
    ) -> None:
        self._dated = dated
        self._days_us = days_us
        self._shares = shares
        self._total = total or 1
        self._window: Counter[str] = Counter()  # in how many documents of the window
        self._sets: deque[set[str]] = deque()  # the window's documents' words, in order
        self._first = self._next = 0  # the window: dated[first:next]

    def at(self, n: int) -> dict[str, float]:
        """{word: burst} of `dated[n]`'s own words (call with n rising)."""
        dated, date = self._dated, self._dated[n].date_us or 0
        while self._next < len(dated) and (dated[self._next].date_us or 0) <= date + self._days_us:
            words = set(dated[self._next].words.split())
            self._window.update(words)
            self._sets.append(words)
            self._next += 1
        while (dated[self._first].date_us or 0) < date - self._days_us:
            self._window.subtract(self._sets.popleft())
            self._first += 1
        here = self._next - self._first
        return {
            word: (self._window[word] + BURST_SMOOTHING)
            / (here * self._shares[word] / self._total + BURST_SMOOTHING)
            for word in set(dated[n].words.split())
        }


def _vector(
    document: Candidate, weight: Mapping[str, float], burst: Mapping[str, float] | None = None
) -> dict[str, float]:
    """A document's words weighted (sublinear counts, title words counting
    `TITLE_WEIGHT` times, times word weights and bursts), of length 1."""
    title, _, excerpt = document.words.partition("\n")
    counts: dict[str, float] = {}
    for words, each in ((title, TITLE_WEIGHT), (excerpt, 1.0)):
        for word in words.split():
            counts[word] = counts.get(word, 0.0) + each
    lines = document.cover.split("\n") if document.cover else []
    for line in lines:
        for word in line.split():
            counts[word] = counts.get(word, 0.0) + COVERAGE_WEIGHT / len(lines)
    burst = burst or {}
    vector = {
        w: (1 + math.log(n) if n >= 1 else n) * weight[w] * burst.get(w, 1.0)
        for w, n in counts.items()
    }
    norm = math.sqrt(sum(x * x for x in vector.values())) or 1.0
    return {w: x / norm for w, x in vector.items()}


def _shared(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[str, ...]:
    """The words two vectors share, weightiest in their cosine first (at most REASON_WORDS)."""
    if len(a) > len(b):
        a, b = b, a
    both = sorted(((-x * b[w], w) for w, x in a.items() if w in b))
    return tuple(w for _, w in both[:REASON_WORDS])


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


# --- what a story says ------------------------------------------------------------------


def articles(documents: Sequence[Article], coverage: Sequence[Article]) -> list[Article]:
    """Every distinct article of a story, in date order (undated last, ties by id): its
    documents, then coverage whose addresses no article before it had."""
    seen: set[str] = set()
    kept = []
    for article in [*documents, *coverage]:
        if article.document != article.id and seen.intersection(article.keys):
            continue
        seen.update(article.keys)
        kept.append(article)
    return sorted(kept, key=_in_time)


def summary(documents: Sequence[Document], reports: Sequence[Article]) -> Story:
    """A story as `stories` lists it: `reports` are its distinct articles, in date order."""
    from newsq.index.results import Story

    by_time = sorted(documents, key=lambda d: (d.date_us is None, d.date_us or 0, d.id))
    best = max(by_time, key=lambda d: -math.inf if d.quality is None else d.quality)
    outlets: dict[str, str] = {}
    for report in reports:
        if report.outlet:
            outlets.setdefault(report.outlet.casefold(), report.outlet)
    dates = [r.date_us for r in reports if r.date_us is not None]
    return Story(
        id=by_time[0].id,
        headline=best.title,
        documents=tuple(d.id for d in by_time),
        articles=len(reports),
        outlets=tuple(outlets.values()),
        first_seen=_timestamp(min(dates)) if dates else None,
        last_seen=_timestamp(max(dates)) if dates else None,
        topics=tuple(rank_topics(d.topics for d in by_time)),
    )


def _timestamp(date_us: int) -> str | None:
    from newsq.store.rows import stored_timestamp

    return stored_timestamp(date_us)


def _in_time(article: Article) -> tuple[bool, int, str]:
    return (article.date_us is None, article.date_us or 0, article.id)
