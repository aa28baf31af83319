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
"banned" and "banning" are one word), less common English words and the addresses
written in them (`newsq.ingest.features`); title words
count `TITLE_WEIGHT` times (a headline names the event, an excerpt adds
details); its coverage's titles and excerpts count too, together as much as
`COVERAGE_WEIGHT` of its own (what an outlet lists beside an article says what
the article is about). Word weights are learnt from every article of the corpus
(documents and coverage), smoothed towards a prior (`PRIOR_TEXTS`, `PRIOR_SHARE`),
so that in a small corpus about one thing the words it is about still count.
A word that is another word of the corpus with "n" after its final "a", or with
"ian" after it, counts as that word (`variants`): a place and its people or
language, "Nigeria" and "Nigerian", "Russia" and "Russian", "Ukraine" and
"Ukrainian" (stems, "ukrain" and "ukrainian"), which stemming keeps apart.

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

With `meaning` (`--meaning`), each pair's similarity is also what they mean: a blend,
`MEANING_WEIGHT` of the cosine of their sentence embeddings (`newsq.index.meaning`)
and the rest of their words', and the average of two stories is taken over the same
blend. Which pairs are compared stays as below. And two documents alike less than
`threshold`, but at least `NEAREST_SHARE` of it, join too when each is the other's
most alike (of the documents compared with each so far) and their stories are alike
on average at that lower bar: two reports of one event in other words are each
other's nearest even when not very near, where a document of a subject is about as
near many others.

Only pairs that share one of their most telling words are compared (each
document's `CANDIDATE_WORDS` heaviest words among those in at least two texts and
in at most `COMMON_SHARE` of them), and only within the window, so the work
grows with the corpus, not its square.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

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
VERSION = 4
#: With `--meaning`: meaning's share of a similarity (wording has the rest), and the
#: default threshold. Chosen on the held-out sets' development halves with the seeds'
#: story and the one-subject suites (RESULTS.md, round five): the only pair that keeps
#: 26 of the seeds' 28 together, the real sample's largest story no bigger (7 against
#: 9), and lifts both precision and recall on the UCI titles.
MEANING_WEIGHT = 0.4
MEANING_SIMILARITY = 0.3
#: Documents encoded at once with `--meaning` (their vectors are held, 1.5 KB each).
MEANING_BATCH = 256
#: With `--meaning`: below the threshold, down to this share of it, two documents each
#: other's most alike still join (and their stories at this share on average). Chosen
#: on the development halves of the Google News day, its articles as the aggregator
#: grouped them and as a reader blind to newsq judged which report the lead's event
#: (RESULTS.md, round six): 0.25 at 0.3, event recall 0.929 to 0.979 at precision
#: 0.901 to 0.920; then on the test halves 0.844 to 0.870 (precision 0.956 and 0.954).
#: The seeds' story, the one-subject folders and UCI's titles do not change. Not by
#: words alone: they gained little (0.857 to 0.879), and two documents sharing one
#: name, in a small folder, are each other's nearest ("IBM abandons its facial
#: recognition business", "IBM reports quarterly earnings"); meaning tells them apart.
NEAREST_SHARE = 5 / 6


class Reason(NamedTuple):
    """Why a document is in its story: `kind` is "link" (it and `partner` share the
    address `address`: one lists the other, or both list it), "wording" (it and
    `partner` are alike at `similarity`, sharing `words`, stemmed, weightiest first;
    `cohesion` is how alike their two stories were on average when they joined, or
    None if they already were one story; `nearest`: alike below the threshold, each
    the other's most alike), or "first" (nothing joined it: a story of one
    document)."""

    doc: int
    kind: str
    partner: int | None = None
    similarity: float | None = None
    words: tuple[str, ...] = ()
    address: str | None = None
    cohesion: float | None = None
    meaning: float | None = None
    nearest: bool = False


class Meaning(NamedTuple):
    """What documents mean, compared beside their wording (`newsq stories --meaning`):
    `encode` turns texts into vectors of length 1 (a sentence-embedding model, as
    `newsq.index.meaning` loads), `texts` gives documents' texts (title and excerpt) by
    row, and `weight` is meaning's share of a similarity, wording's the rest. Only
    documents that share a telling word are compared, as without it: meaning decides
    how alike they are, not which are compared."""

    encode: Callable[[list[str]], Sequence[Sequence[float]]]
    texts: Callable[[Sequence[int]], Mapping[int, str]]
    weight: float = MEANING_WEIGHT


def listed_by_default(story: Story) -> bool:
    """Whether `newsq stories` lists this story without size options."""
    return len(story.documents) >= MIN_DOCUMENTS or story.articles >= MIN_ARTICLES


# --- grouping ---------------------------------------------------------------------------

#: A document as grouping first reads it: (row, words, links, cover), as `Candidate` has them.
Row = tuple[int, str, str, str]
#: A dated document as grouping reads it in date order: (row, date, words, cover).
Dated = tuple[int, int, str, str]


class Sources(Protocol):
    """What grouping reads, in the orders it reads it: three passes over the documents,
    none of which it holds whole (a snapshot streams them, `newsq.store.stories`)."""

    def count(self) -> int:
        """How many documents there are."""
        ...

    def rows(self) -> Iterable[Row]:
        """Every document, by row."""
        ...

    def links(self) -> Iterable[tuple[int, str]]:
        """Every document's (row, links), by row."""
        ...

    def dated(self) -> Iterable[Dated]:
        """Every dated document, by date, then by row."""
        ...


def group(
    documents: Sequence[Candidate],
    window_days: float = WINDOW_DAYS,
    threshold: float = SIMILARITY,
    meaning: Meaning | None = None,
) -> tuple[list[list[int]], dict[int, Reason]]:
    """The stories of these documents (lists of document rows, each list sorted), and why
    each document that is not alone is in its story, by row."""
    grouped = grouping(_Held(documents), window_days, threshold, meaning)
    return list(grouped.components()), grouped.reasons


def grouping(
    sources: Sources,
    window_days: float = WINDOW_DAYS,
    threshold: float = SIMILARITY,
    meaning: Meaning | None = None,
) -> Grouped:
    """Group the documents `sources` reads into stories.

    Memory holds the corpus's vocabulary, a few bytes a document (arrays by row) and
    the documents within the window, not every document: the words are counted in a
    first pass, addresses joined in a second, wording compared in date order in a third.
    """
    census = _Census(sources.count())
    for row in sources.rows():
        census.add(*row)
    named = variants(census.counts)
    census.merge(named)
    stories = _Stories(census.rows[-1] + 1 if census.rows else 0, meaning)
    reasons: dict[int, Reason] = {}
    _link(sources.links(), census.repeated(), stories, reasons)  # (a)
    dated = _renamed(sources.dated(), named)
    for a, b, similarity, words, cohesion, meant in _alike(  # (b)
        dated, census, window_days * DAY_US, threshold, stories, meaning
    ):
        for doc, partner in ((a, b), (b, a)):
            known = reasons.get(doc)
            if known is None or (known.kind == "wording" and similarity > (known.similarity or 0)):
                reasons[doc] = Reason(
                    doc,
                    "wording",
                    partner,
                    round(similarity, 3),
                    words,
                    cohesion=cohesion,
                    meaning=None if meant is None else round(meant, 3),
                    nearest=similarity < threshold,
                )
    return Grouped(census.rows, stories, reasons)


class Grouped:
    """Stories as grouping leaves them: which story each document (row) is in, and why
    each document not alone is in its story (`reasons`, by row)."""

    def __init__(self, rows: array[int], stories: _Stories, reasons: dict[int, Reason]) -> None:
        self._rows = rows
        self._stories = stories
        self.reasons = reasons

    def components(self) -> Iterator[list[int]]:
        """Each story's documents (rows, ascending), stories in the order of their first
        document: one list at a time, from a chain of rows through each story (two
        arrays), not a list per story held at once."""
        find, rows = self._stories.find, self._rows
        size = rows[-1] + 1 if rows else 0
        following = array("i", bytes(4 * size))  # the next row of the same story, or 0
        last = array("i", bytes(4 * size))  # per story (its first row): its last row so far
        for doc in rows:
            root = find(doc)
            if root != doc:
                following[last[root]] = doc
            last[root] = doc
        for doc in rows:
            if find(doc) == doc:  # the first (least) row of its story
                members = [doc]
                while members[-1] != last[doc]:
                    members.append(following[members[-1]])
                yield members


class _Held:
    """Documents held in memory, as `Sources` (for `group`)."""

    def __init__(self, documents: Sequence[Candidate]) -> None:
        self._by_row = sorted(documents, key=lambda d: d.doc)

    def count(self) -> int:
        return len(self._by_row)

    def rows(self) -> Iterator[Row]:
        return ((d.doc, d.words, d.links, d.cover) for d in self._by_row)

    def links(self) -> Iterator[tuple[int, str]]:
        return ((d.doc, d.links) for d in self._by_row)

    def dated(self) -> Iterator[Dated]:
        dated = sorted((d for d in self._by_row if d.date_us is not None), key=_dated)
        return ((d.doc, d.date_us or 0, d.words, d.cover) for d in dated)


def _dated(document: Candidate) -> int:
    return document.date_us or 0


class _Census:
    """What the first pass learns of every document: in how many texts each word is
    (for word weights), in how many documents (own words, for bursts), the rows, and
    which addresses may be listed more than once.

    An address only ever seen once links nothing, and nearly all are (at 100,000
    generated documents, 9 a document, 998 in 1,000 once): a dictionary of every
    address would hold the corpus's (9 million at 1,000,000 documents, over 1 GiB).
    Two bitmaps of address hashes instead, "seen" and "seen again": an address whose
    bit is not in the second was seen once. The second pass joins only addresses
    whose bit is (a few in a hundred that are not repeated share a bit with one
    that is: they cost a dictionary entry, not a wrong link, as the join compares
    the addresses themselves)."""

    #: The bitmaps' size: with 9 addresses a document, 1 bit in 28 is set.
    BITS_PER_DOCUMENT = 256

    def __init__(self, expected: int) -> None:
        self.texts = 0
        self.counts: Counter[str] = Counter()  # in how many texts each word is
        self.shares: Counter[str] = Counter()  # in how many documents (own words only)
        self.rows = array("q")
        bits = 1 << max(3, (self.BITS_PER_DOCUMENT * expected).bit_length())
        self._mask = bits - 1
        self._seen = bytearray(bits // 8)
        self._again = bytearray(bits // 8)

    def add(self, doc: int, words: str, links: str, cover: str) -> None:
        own = set(words.split())
        self.counts.update(own)
        self.shares.update(own)
        self.texts += 1
        for line in cover.split("\n") if cover else ():
            self.counts.update(set(line.split()))
            self.texts += 1
        self.rows.append(doc)
        seen, again, mask = self._seen, self._again, self._mask
        for key in _keys(links):
            slot = hash(key) & mask
            byte, bit = slot >> 3, 1 << (slot & 7)
            if seen[byte] & bit:
                again[byte] |= bit
            else:
                seen[byte] |= bit

    def merge(self, named: Mapping[str, str]) -> None:
        """Count each word of `named` as the word it names (a text with both counts twice:
        a few texts of a corpus, against the pass over every text an exact count
        takes)."""
        counts, shares = self.counts, self.shares
        for word, base in named.items():
            counts[base] += counts.pop(word, 0)
            if word in shares:
                shares[base] += shares.pop(word)

    def repeated(self) -> Callable[[str], int]:
        """A test of an address: 0 if it was seen only once."""
        again, mask = self._again, self._mask
        self._seen = self._again = bytearray()  # (the test holds `again`, as long as it lives)

        def test(key: str) -> int:
            slot = hash(key) & mask
            return again[slot >> 3] & (1 << (slot & 7))

        return test


def variants(words: Iterable[str]) -> dict[str, str]:
    """The words (stems) of `words` that are another of them with "n" after its final
    "a" or with "ian" after it, each with that word: a place's people or language
    ("nigerian": "nigeria", "american": "america", "egyptian": "egypt", "ukrainian":
    "ukrain"), which the porter stemmer keeps apart. The other word has 4 letters or
    more ("indian" is "india"'s, not "ind"'s).

    Measured on the held-out Google News day (RESULTS.md, round four): B-cubed recall
    0.703 to 0.732 on the half looked at while choosing, 0.575 to 0.618 on the other,
    precision no lower (0.894 to 0.903, 0.926 to 0.939); the suites without its
    articles moved by 0.004 at most. It costs a few wrong pairs ("guardian" counts as
    "guard", "median" as "media"). Tried and dropped: "i" after a word ("iraqi", but
    "polici" is policy's stem and "polic" police's), "n" after any letter ("taken",
    "onlin"), and a list of the places the rule misses ("chinese", "french")."""
    known = words if isinstance(words, Mapping | set | frozenset) else set(words)
    found: dict[str, str] = {}
    for word in known:
        if word.endswith("an") and len(word) >= 5 and word[:-1] in known:
            found[word] = word[:-1]  # ("nigerian": the stem "nigeria" ends in "a")
        elif word.endswith("ian") and len(word) >= 7 and word[:-3] in known:
            found[word] = word[:-3]
    return found


def _renamed(dated: Iterable[Dated], named: Mapping[str, str]) -> Iterator[Dated]:
    """The dated documents with each word of `named` as the word it names."""
    if not named:
        yield from dated
        return
    get = named.get

    def renamed(text: str) -> str:
        return "\n".join(
            " ".join([get(w, w) for w in line.split(" ")]) for line in text.split("\n")
        )

    for doc, date, words, cover in dated:
        yield doc, date, renamed(words), renamed(cover) if cover else cover


def _keys(links: str) -> list[str]:
    """A document's addresses then its related articles', in order, as `links` has them."""
    import json

    own, listed = json.loads(links)
    return [*own, *(k for _, keys in listed for k in keys)]


def _link(
    links: Iterable[tuple[int, str]],
    repeated: Callable[[str], int],
    stories: _Stories,
    reasons: dict[int, Reason],
) -> None:
    """(a): join documents that share an address (`stories`, in place), by row; the first
    link of each document is its reason."""
    owner: dict[str, int] = {}  # an address listed again: the first document listing it
    for doc, text in links:
        for key in _keys(text):
            if not repeated(key):
                continue  # listed once: it would only become its own owner
            if key in owner:
                other = owner[key]
                stories.union(doc, other)
                for one, partner in ((doc, other), (other, doc)):
                    if one not in reasons:
                        reasons[one] = Reason(one, "link", partner, address=key)
            else:
                owner[key] = doc


class _Stories:
    """Stories as they grow (union-find over document rows), each with the sum of
    the vectors of its documents seen so far and how many, for how alike two stories
    are on average: the mean cosine of every pair of their documents is the dot product
    of their sums over the product of their counts. Per document, three ints in arrays
    (12 bytes); the sums only of the stories in the window."""

    def __init__(self, size: int, meaning: Meaning | None = None) -> None:
        self.parent = array("i", range(size))
        self.seen = array("i", bytes(4 * size))  # per story (its root): documents seen so far
        self.live = array("i", bytes(4 * size))  # per story: of those, how many still in the window
        self.sums: dict[int, dict[str, float]] = {}  # per story of two or more seen
        self.vectors: dict[int, dict[str, float]] = {}  # per story of one seen: its vector
        # With meaning: per story seen, the sum of its documents' meanings (numpy arrays)
        self.meanings: dict[int, Any] = {}
        self.weight = meaning.weight if meaning is not None else 0.0

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

    def see(self, i: int, vector: dict[str, float], meaning: Any = None) -> None:
        """Count document `i` into its story's sums (its words, and its meaning when
        compared by meaning, are known now)."""
        root = self.find(i)
        if self.seen[root] == 0:
            self.vectors[root] = vector
        else:
            _add(self._sum(root), vector)
        if meaning is not None:
            known = self.meanings.get(root)
            self.meanings[root] = meaning if known is None else known + meaning  # (a new array)
        self.seen[root] += 1
        self.live[root] += 1

    def cohesion(self, a: int, b: int) -> float:
        """How alike the stories of `a` and `b` are on average (documents seen so far)."""
        a, b = self.find(a), self.find(b)
        x, y = self._summed(a), self._summed(b)
        if len(x) > len(y):
            x, y = y, x
        dot = sum(value * y.get(word, 0.0) for word, value in x.items())
        pairs = (self.seen[a] * self.seen[b]) or 1
        if self.weight and a in self.meanings and b in self.meanings:
            meant = float(self.meanings[a] @ self.meanings[b])
            return ((1 - self.weight) * dot + self.weight * meant) / pairs
        return dot / pairs

    def leave(self, i: int) -> None:
        """Document `i` is out of the window. A story none of whose documents is in it
        any more is forgotten (sum and count): memory holds the window's stories; one
        of its documents linked to a later one starts it afresh."""
        root = self.find(i)
        self.live[root] -= 1
        if self.live[root] == 0:
            self.sums.pop(root, None)
            self.vectors.pop(root, None)
            self.meanings.pop(root, None)
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
            meant = self.meanings.pop(gone, None)
            if meant is not None:
                known = self.meanings.get(keep)
                self.meanings[keep] = meant if known is None else known + meant
        self.seen[keep] += self.seen[gone]
        self.live[keep] += self.live[gone]
        self.seen[gone] = self.live[gone] = 0


def _add(total: dict[str, float], vector: Mapping[str, float]) -> None:
    for word, value in vector.items():
        total[word] = total.get(word, 0.0) + value


def _alike(
    dated: Iterable[Dated],
    census: _Census,
    window_us: float,
    threshold: float,
    stories: _Stories,
    meaning: Meaning | None = None,
) -> Iterator[tuple[int, int, float, tuple[str, ...], float | None, float | None]]:
    """Join stories by wording (`stories`, in place), documents in date order; yield each
    pair of documents (rows) alike and published within the window whose stories are
    or became one, with their similarity, the words they share that weigh most in it,
    how alike their stories were on average when joined (None: already one), and how
    alike in meaning they are (None: not compared by meaning)."""
    counts, texts = census.counts, census.texts
    weight = _Weights(counts, texts)
    common = max(50, COMMON_SHARE * texts)
    # Documents in date order, each compared with the earlier ones still within the
    # window that share a telling word with it: only those are kept, so memory holds
    # a window's documents, not the corpus's.
    recent: deque[tuple[int, int]] = deque()  # (date, doc) of the documents kept
    vectors: dict[int, dict[str, float]] = {}
    # Per telling word, the (date, doc) of the documents kept that have it. A list, not
    # a deque: most hold a document or two, and an empty deque alone is 600 bytes.
    postings: dict[str, list[tuple[int, int]]] = {}
    days_us = BURST_DAYS * DAY_US
    dated_bursts = _bursts(dated, days_us, census.shares, len(census.rows))
    meanings: dict[int, Any] = {}  # with meaning: each kept document's, by row
    share = meaning.weight if meaning is not None else 0.0
    # Each kept document's similarity to the one most alike it so far, by row, when it is
    # `low` or more: no pair below `low` joins, so the pairs below it cost nothing more
    # (grouping the 100,000 benchmark documents: 0.98x the time without the rule).
    nearest: dict[int, float] = {}
    low = threshold if meaning is None else NEAREST_SHARE * threshold
    for n, (doc, date, words, cover, burst, meant) in enumerate(
        _meant(dated_bursts, meaning), start=1
    ):
        if n % _SWEEP == 0:
            _sweep(postings, date, window_us)
        while recent and date - recent[0][0] > window_us:
            _, old = recent.popleft()
            del vectors[old]
            nearest.pop(old, None)
            meanings.pop(old, None)
            stories.leave(old)
        vector = _vector(words, cover, weight, burst)
        stories.see(doc, vector, meant)
        telling = [w for w in vector if 2 <= counts[w] <= common]
        compared = set()
        found = []
        for word in sorted(telling, key=lambda w: (-vector[w], w))[:CANDIDATE_WORDS]:
            posting = postings.get(word)
            if posting is None:
                posting = postings[word] = []
            start = 0
            while start < len(posting) and date - posting[start][0] > window_us:
                start += 1
            del posting[:start]
            for _, other in posting:
                if other not in compared:
                    compared.add(other)
                    similarity = _cosine(vector, vectors[other])
                    alike = None if meant is None else float(meant @ meanings[other])
                    if alike is not None:
                        similarity = (1 - share) * similarity + share * alike
                    if similarity >= low:
                        known = nearest.get(other, 0.0)
                        found.append((similarity, other, alike, known))
                        if similarity > known:
                            nearest[other] = similarity
            posting.append((date, doc))
        # How alike the document most alike it is, and how many are that alike.
        top = max((f[0] for f in found), default=0.0)
        tied = sum(1 for f in found if f[0] == top)
        # The most alike first: a story joins the one it is most alike through first.
        for similarity, other, alike, known in sorted(found, key=lambda f: (-f[0], f[1])):
            bar = threshold
            if similarity < threshold:  # each the other's most alike, or not at all
                if similarity < top or tied > 1 or similarity <= known:
                    continue
                bar = low
            cohesion: float | None = None
            if stories.find(doc) != stories.find(other):
                cohesion = stories.cohesion(doc, other)
                if cohesion < bar:
                    continue
                stories.union(doc, other)
            yield (
                min(other, doc),
                max(other, doc),
                similarity,
                _shared(vector, vectors[other]),
                None if cohesion is None else round(cohesion, 3),
                alike,
            )
        vectors[doc] = vector
        if found:
            nearest[doc] = top
        if meant is not None:
            meanings[doc] = meant
        recent.append((date, doc))


def _meant(
    dated: Iterable[tuple[int, int, str, str, dict[str, float]]], meaning: Meaning | None
) -> Iterator[tuple[int, int, str, str, dict[str, float], Any]]:
    """Each dated document with its meaning (None without `meaning`): its texts encoded
    `MEANING_BATCH` documents at a time, as they come, so memory holds a batch's."""
    if meaning is None:
        for item in dated:
            yield (*item, None)
        return
    import numpy

    rows = iter(dated)
    while batch := list(itertools.islice(rows, MEANING_BATCH)):
        texts = meaning.texts([item[0] for item in batch])
        vectors = numpy.asarray(
            meaning.encode([texts.get(item[0], "") for item in batch]), dtype=numpy.float32
        )
        for item, vector in zip(batch, vectors, strict=True):
            yield (*item, vector)


#: Every this many documents, the words none of whose documents is in the window any
#: more are forgotten: the telling words of a whole corpus would be held otherwise.
_SWEEP = 4096


def _sweep(postings: dict[str, list[tuple[int, int]]], date: int, window_us: float) -> None:
    """Forget the words whose documents (even the last) are all out of the window."""
    for word in [w for w, posting in postings.items() if date - posting[-1][0] > window_us]:
        del postings[word]


class _Weights(dict[str, float]):
    """Each word's weight, learnt from every text of the corpus, smoothed towards the
    prior: computed when asked, and held for the words asked most recently only (the
    weights of the vocabulary, 1.9 million words at 1,000,000 documents, would be
    some 150 MiB held all along)."""

    HELD = 200_000

    def __init__(self, counts: Mapping[str, int], texts: int) -> None:
        super().__init__()
        self._counts = counts
        self._total = texts + PRIOR_TEXTS
        self._prior = PRIOR_TEXTS * PRIOR_SHARE

    def __missing__(self, word: str) -> float:
        if len(self) >= self.HELD:
            self.clear()
        found = self[word] = math.log(self._total / (self._counts[word] + self._prior))
        return found


def _bursts(
    dated: Iterable[Dated], days_us: float, shares: Mapping[str, int], total: int
) -> Iterator[tuple[int, int, str, str, dict[str, float]]]:
    """Each dated document (in date order) with how much each of its own words bursts at
    its date, {word: burst}: its share of the documents within `days_us` of it against
    its share of every document (`shares` of `total`), smoothed. Reads `days_us` ahead:
    memory holds those days' documents."""
    total = total or 1
    window: Counter[str] = Counter()  # in how many documents of the window
    sets: deque[tuple[int, set[str]]] = deque()  # the window's documents: date, words
    ahead: deque[Dated] = deque()  # documents read (counted in the window), not yet yielded
    rows = iter(dated)
    upcoming = next(rows, None)
    while ahead or upcoming is not None:
        doc, date, words, cover = ahead[0] if ahead else upcoming  # type: ignore[misc]
        while upcoming is not None and upcoming[1] <= date + days_us:
            found = set(upcoming[2].split())
            window.update(found)
            sets.append((upcoming[1], found))
            ahead.append(upcoming)
            upcoming = next(rows, None)
        while sets[0][0] < date - days_us:
            for word in sets.popleft()[1]:  # (a word of none of them is forgotten)
                left = window[word] - 1
                if left:
                    window[word] = left
                else:
                    del window[word]
        here = len(sets)
        ahead.popleft()
        yield (
            doc,
            date,
            words,
            cover,
            {
                word: (window[word] + BURST_SMOOTHING)
                / (here * shares[word] / total + BURST_SMOOTHING)
                for word in set(words.split())
            },
        )


def _vector(
    words: str, cover: str, weight: Mapping[str, float], burst: Mapping[str, float] | None = None
) -> dict[str, float]:
    """A document's words weighted (sublinear counts, title words counting
    `TITLE_WEIGHT` times, times word weights and bursts), of length 1."""
    title, _, excerpt = words.partition("\n")
    counts: dict[str, float] = {}
    for text, each in ((title, TITLE_WEIGHT), (excerpt, 1.0)):
        for word in text.split():
            counts[word] = counts.get(word, 0.0) + each
    lines = cover.split("\n") if cover else []
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
