"""Stories: the documents about one event, grouped, with their related coverage.

Two documents belong together when

- (a) one's address (`webUrl`, `originalUrl`, `ampWebUrl`) is in the other's
  `related` list, or both list the same address; or
- (b) they are alike in wording and were published within `window` days of each
  other.

A story is a connected component of those links, and each document's related
articles belong to its story as coverage. Each document keeps why it is in its
story (`Reason`): the link that joined it, else its most alike partner, their
similarity and the words they share most; links win over wording.

Wording is compared as TF-IDF vectors, by cosine. A document's words are its
title and excerpt, stemmed as search stems them (FTS5's porter tokenizer, so
"banned" and "banning" are one word), less common English words; its coverage's
titles and excerpts count too, together as much as `COVERAGE_WEIGHT` of its own
(what an outlet lists beside an article says what the article is about). Word
weights are learnt from every article of the corpus (documents and coverage),
smoothed towards a prior (`PRIOR_TEXTS`, `PRIOR_SHARE`), so that in a small
corpus about one thing the words it is about still count. Two documents are
alike at a cosine of `threshold` (default `SIMILARITY`) or more.

Only pairs that share one of their most telling words are compared (each
document's `CANDIDATE_WORDS` heaviest words among those in at least two texts and
in at most `COMMON_SHARE` of them), and only within the window, so the work
grows with the corpus, not its square.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
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
#: The cosine from which two documents are alike in wording (`--threshold`). Measured on
#: the seeds' story written as 28 unlinked documents among the real sample's 73
#: (`benchmarks/stories_eval.py`): 0.4 puts 17 of the 28 in one story, 0.3 21, 0.25 25,
#: 0.2 26, but 0.25 already makes one story of 18 of the sample's 73 documents about one
#: product (0.4: 5), so the default stays where nothing unrelated is joined.
SIMILARITY = 0.4
#: How many shared words a reason names (the ones that weigh most in the similarity).
REASON_WORDS = 5
#: How much a document's coverage counts in its wording, against its own title and excerpt.
COVERAGE_WEIGHT = 0.9
#: The prior the word weights are smoothed towards: as if the corpus had this many
#: more texts, in which any word is in this share.
PRIOR_TEXTS = 1000
PRIOR_SHARE = 0.01
#: Words compared by: each document's heaviest this many, in at most this share of texts.
CANDIDATE_WORDS = 8
COMMON_SHARE = 0.0005
#: A story listed by default has at least this many documents, or this many articles.
MIN_DOCUMENTS = 2
MIN_ARTICLES = 5
#: Bumped whenever grouping changes: stories computed before are computed again.
VERSION = 2


class Reason(NamedTuple):
    """Why a document is in its story: `kind` is "link" (it and `partner` share the
    address `address`: one lists the other, or both list it), "wording" (it and
    `partner` are alike at `similarity`, sharing `words`, stemmed, weightiest first), or
    "first" (nothing joined it: a story of one document)."""

    doc: int
    kind: str
    partner: int | None = None
    similarity: float | None = None
    words: tuple[str, ...] = ()
    address: str | None = None


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

    position = {d.doc: i for i, d in enumerate(documents)}
    parent = list(range(len(documents)))
    reasons: dict[int, Reason] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    owner: dict[str, int] = {}  # (a): a document and whatever lists its address
    for i, document in enumerate(documents):
        own, listed = json.loads(document.links)
        for key in [*own, *(k for _, keys in listed for k in keys)]:
            if key in owner:
                j = owner[key]
                union(i, j)
                for doc, partner in (
                    (document.doc, documents[j].doc),
                    (documents[j].doc, document.doc),
                ):
                    if doc not in reasons:
                        reasons[doc] = Reason(doc, "link", partner, address=key)
            else:
                owner[key] = i
    for a, b, similarity, words in _alike(documents, window_days * DAY_US, threshold):  # (b)
        union(position[a], position[b])
        for doc, partner in ((a, b), (b, a)):
            known = reasons.get(doc)
            if known is None or (known.kind == "wording" and similarity > (known.similarity or 0)):
                reasons[doc] = Reason(doc, "wording", partner, round(similarity, 3), words)
    components: dict[int, list[int]] = {}
    for i, document in enumerate(documents):
        components.setdefault(find(i), []).append(document.doc)
    return [sorted(c) for c in components.values()], reasons


def _alike(
    documents: Sequence[Candidate], window_us: float, threshold: float
) -> Iterable[tuple[int, int, float, tuple[str, ...]]]:
    """Pairs of documents (rows) alike in wording and published within the window, with
    their similarity and the words they share that weigh most in it."""
    texts = 0
    counts: Counter[str] = Counter()  # in how many texts each word is
    for document in documents:
        counts.update(set(document.words.split()))
        texts += 1
        for line in document.cover.split("\n") if document.cover else ():
            counts.update(set(line.split()))
            texts += 1
    prior = PRIOR_TEXTS * PRIOR_SHARE
    weight = {w: math.log((texts + PRIOR_TEXTS) / (n + prior)) for w, n in counts.items()}
    common = max(50, COMMON_SHARE * texts)
    # Documents in date order, each compared with the earlier ones still within the
    # window that share a telling word with it: only those are kept, so memory holds
    # a window's documents, not the corpus's.
    dated = sorted((d for d in documents if d.date_us is not None), key=lambda d: d.date_us or 0)
    recent: deque[tuple[int, int]] = deque()  # (date, doc) of the documents kept
    vectors: dict[int, dict[str, float]] = {}
    postings: dict[str, deque[tuple[int, int]]] = {}
    for document in dated:
        date = document.date_us or 0
        while recent and date - recent[0][0] > window_us:
            vectors.pop(recent.popleft()[1], None)
        vector = _vector(document, weight)
        telling = [w for w in vector if 2 <= counts[w] <= common]
        compared = set()
        for word in sorted(telling, key=lambda w: (-vector[w], w))[:CANDIDATE_WORDS]:
            posting = postings.setdefault(word, deque())
            while posting and date - posting[0][0] > window_us:
                posting.popleft()
            for _, other in posting:
                if other not in compared:
                    compared.add(other)
                    similarity = _cosine(vector, vectors[other])
                    if similarity >= threshold:
                        yield (
                            min(other, document.doc),
                            max(other, document.doc),
                            similarity,
                            _shared(vector, vectors[other]),
                        )
            posting.append((date, document.doc))
        vectors[document.doc] = vector
        recent.append((date, document.doc))


def _vector(document: Candidate, weight: Mapping[str, float]) -> dict[str, float]:
    """A document's words weighted (sublinear counts times word weights), of length 1."""
    counts: dict[str, float] = dict(Counter(document.words.split()))
    lines = document.cover.split("\n") if document.cover else []
    for line in lines:
        for word in line.split():
            counts[word] = counts.get(word, 0.0) + COVERAGE_WEIGHT / len(lines)
    vector = {w: (1 + math.log(n) if n >= 1 else n) * weight[w] for w, n in counts.items()}
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
