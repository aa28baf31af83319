"""Stories: the documents about one event, grouped, with their related coverage.

Two documents belong together when

- (a) one's address (`webUrl`, `originalUrl`, `ampWebUrl`) is in the other's
  `related` list, or both list the same address; or
- (b) they are alike in wording and were published within `window` days of each
  other.

A story is a connected component of those links, and each document's related
articles belong to its story as coverage.

Wording is compared as TF-IDF vectors, by cosine. A document's words are its
title and excerpt, stemmed as search stems them (FTS5's porter tokenizer, so
"banned" and "banning" are one word), less common English words; its coverage's
titles and excerpts count too, together as much as `COVERAGE_WEIGHT` of its own
(what an outlet lists beside an article says what the article is about). Word
weights are learnt from every article of the corpus (documents and coverage),
smoothed towards a prior (`PRIOR_TEXTS`, `PRIOR_SHARE`), so that in a small
corpus about one thing the words it is about still count. Two documents are
alike at a cosine of `SIMILARITY` or more.

Only pairs that share one of their most telling words are compared (each
document's `CANDIDATE_WORDS` heaviest words among those in at least two texts and
in at most `COMMON_SHARE` of them), and only within the window, so the work
grows with the corpus, not its square.
"""

from __future__ import annotations

import datetime as dt
import math
import os

# json is imported in the functions that use it: the command line imports this module
# for its defaults when it starts, and `newsq --version` need not pay for json.
import re
import unicodedata
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import sqlite3

#: The default window, in days: reports of one event further apart are not linked
#: by their wording (links through `related` have no window).
WINDOW_DAYS = 30
#: The cosine from which two documents are alike in wording.
SIMILARITY = 0.4
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
VERSION = 1

_DAY_US = 86_400_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_URL_FIELDS = ("webUrl", "originalUrl", "ampWebUrl")
_WORD = re.compile(r"[^\W_]+")
# Accents, once letters are decomposed (so that "Zürich" is one word, "zurich").
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Words too common in English to say what a text is about.
_STOP_WORDS = frozenset((
    "a", "about", "after", "also", "an", "and", "are", "as", "at", "be", "been", "before",
    "but", "by", "can", "could", "for", "from", "had", "has", "have", "he", "her", "his",
    "how", "i", "in", "into", "is", "it", "its", "just", "more", "most", "new", "no", "not",
    "now", "of", "on", "or", "our", "out", "over", "said", "say", "says", "she", "so", "than",
    "that", "the", "their", "them", "then", "these", "they", "this", "those", "to", "too",
    "up", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with",
    "would", "you", "your",
))  # fmt: skip


def listed_by_default(story: Mapping[str, Any]) -> bool:
    """Whether `newsq stories` lists this story without size options."""
    return len(story["documents"]) >= MIN_DOCUMENTS or story["articles"] >= MIN_ARTICLES


# --- what parsing keeps for grouping ---------------------------------------------------


def url_key(value: Any) -> str | None:
    """An address as compared: without scheme, `www.`, fragment or trailing slash, the
    host in lower case; None for a value that is not an address."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().split("#", 1)[0]
    text = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", text)
    host, slash, rest = text.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + rest).rstrip("/") or None


def address(item: Mapping[str, Any]) -> str | None:
    """An article's address as written: its `webUrl`, else `originalUrl`, else `ampWebUrl`."""
    return next((v for n in _URL_FIELDS if isinstance(v := item.get(n), str) and v.strip()), None)


def addresses(item: Mapping[str, Any]) -> list[str]:
    """The keys of an article's addresses, without repeats."""
    keys = (url_key(item.get(name)) for name in _URL_FIELDS)
    return list(dict.fromkeys(k for k in keys if k))


class Stemmer:
    """Words of a text as search indexes them: folded, split, stemmed by FTS5's porter
    tokenizer (each distinct word once, remembered), common English words left out."""

    def __init__(self) -> None:
        self._stems: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        self._pid = 0  # the process `_db` belongs to: a connection must not cross a fork

    def words(self, text: str) -> list[str]:
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))
        words = [w for w in _WORD.findall(folded) if w not in _STOP_WORDS and not w.isdigit()]
        self._learn([w for w in words if w not in self._stems])
        return [stem for stem in (self._stems[w] for w in words) if stem]

    def _learn(self, new: list[str]) -> None:
        if not new:
            return
        if self._db is None or self._pid != os.getpid():
            import sqlite3

            self._pid = os.getpid()
            self._db = sqlite3.connect(":memory:")
            self._db.execute(
                "CREATE VIRTUAL TABLE words USING fts5(word, "
                "tokenize = 'porter unicode61 remove_diacritics 2')"
            )
            self._db.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, instance)")
        unique = list(dict.fromkeys(new))
        self._db.execute("DELETE FROM words")
        self._db.executemany("INSERT INTO words (rowid, word) VALUES (?, ?)", enumerate(unique))
        found: dict[int, str] = {}
        for term, row in self._db.execute("SELECT term, doc FROM stems ORDER BY doc, offset"):
            found.setdefault(row, term)
        for row, word in enumerate(unique):
            self._stems[word] = found.get(row, "")  # a word of marks only has no stem


_STEMMER = Stemmer()


def features(
    record: Mapping[str, Any], words: Sequence[str], related: Iterable[Sequence[str]]
) -> tuple[str, str, str]:
    """What grouping needs of a parsed document, as the snapshot keeps it: its words
    (title and excerpt), its addresses and each related article's (JSON), and each
    related article's words (one line each).

    `words` are the document's search words (title first, then excerpt), `related`
    each related article's.
    """
    import json

    own = " ".join(_STEMMER.words(f"{words[0]} {words[1]}"))
    items = record.get("related")
    listed = []
    if isinstance(items, list):
        listed = [
            [number, addresses(item)]
            for number, item in enumerate(items, start=1)
            if isinstance(item, dict)
        ]
    links = json.dumps([addresses(record), listed], ensure_ascii=False, separators=(",", ":"))
    cover = "\n".join(" ".join(_STEMMER.words(f"{texts[0]} {texts[1]}")) for texts in related)
    return own, links, cover


# --- grouping ---------------------------------------------------------------------------


class Candidate(NamedTuple):
    """A document as grouping sees it: its row, date, words and addresses."""

    doc: int
    date_us: int | None
    words: str  # its own, space-separated
    links: str  # JSON: [its addresses, [[number, addresses] per related article]]
    cover: str  # its related articles' words, one line each


def group(documents: Sequence[Candidate], window_days: float = WINDOW_DAYS) -> list[list[int]]:
    """The stories of these documents: lists of document rows, each list sorted."""
    import json

    position = {d.doc: i for i, d in enumerate(documents)}
    parent = list(range(len(documents)))

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
                union(i, owner[key])
            else:
                owner[key] = i
    for a, b in _alike(documents, window_days * _DAY_US):  # (b)
        union(position[a], position[b])
    components: dict[int, list[int]] = {}
    for i, document in enumerate(documents):
        components.setdefault(find(i), []).append(document.doc)
    return [sorted(c) for c in components.values()]


def _alike(documents: Sequence[Candidate], window_us: float) -> Iterable[tuple[int, int]]:
    """Pairs of documents (rows) alike in wording and published within the window."""
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
                    if _cosine(vector, vectors[other]) >= SIMILARITY:
                        yield min(other, document.doc), max(other, document.doc)
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


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


# --- what a story says ------------------------------------------------------------------


class Article(NamedTuple):
    """One report in a story: a document, or an article of a document's coverage."""

    id: str  # the document's id, or PARENT_ID#N
    document: str  # the document it is, or that lists it
    date_us: int | None
    outlet: str | None  # the provider's name, else its domain
    title: str
    keys: tuple[str, ...]  # its addresses, as keys


class Document(NamedTuple):
    """What a story's summary needs of one of its documents."""

    id: str
    date_us: int | None
    quality: float | None
    title: str
    topics: tuple[str, ...]


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


def summary(documents: Sequence[Document], reports: Sequence[Article]) -> dict[str, Any]:
    """A story as `stories` prints it: `reports` are its distinct articles, in date order."""
    from newsq.model import format_timestamp, rank_topics

    by_time = sorted(documents, key=lambda d: (d.date_us is None, d.date_us or 0, d.id))
    best = max(by_time, key=lambda d: -math.inf if d.quality is None else d.quality)
    outlets: dict[str, str] = {}
    for report in reports:
        if report.outlet:
            outlets.setdefault(report.outlet.casefold(), report.outlet)
    dates = [r.date_us for r in reports if r.date_us is not None]
    return {
        "id": by_time[0].id,
        "headline": best.title,
        "documents": [d.id for d in by_time],
        "articles": len(reports),
        "outlets": list(outlets.values()),
        "first_seen": format_timestamp(_timestamp(min(dates))) if dates else None,
        "last_seen": format_timestamp(_timestamp(max(dates))) if dates else None,
        "topics": dict(rank_topics(d.topics for d in by_time)),
    }


def _in_time(article: Article) -> tuple[bool, int, str]:
    return (article.date_us is None, article.date_us or 0, article.id)


def _timestamp(date_us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=date_us)


# --- kept in the snapshot ---------------------------------------------------------------


def is_current(conn: sqlite3.Connection, generation: int, window_days: float) -> bool:
    """Whether the stories in the snapshot were computed from this state of it, so."""
    import json

    row = conn.execute("SELECT value FROM meta WHERE key = 'stories'").fetchone()
    return row is not None and json.loads(row[0]) == [generation, window_days, VERSION]


def build(conn: sqlite3.Connection, generation: int, window_days: float) -> None:
    """Group every document of the snapshot into stories and keep them, with what each
    says (`summary`), in place of those kept before."""
    import json

    candidates = [
        Candidate(*row)
        for row in conn.execute(
            "SELECT f.doc, d.date_us, f.words, f.links, f.cover "
            "FROM story_features f JOIN docs d ON d.doc = f.doc ORDER BY f.doc"
        )
    ]
    components = group(candidates, window_days)
    del candidates
    conn.execute("DELETE FROM stories")
    conn.execute("DELETE FROM story_docs")
    number = 0
    for batch in _batches(components):  # a few hundred documents at a time, read and written
        documents, coverage = _gather(conn, [doc for component in batch for doc in component])
        stories, members = [], []
        for component in batch:
            told = summary(
                [documents[d][0] for d in component],
                articles([documents[d][1] for d in component], _coverage(component, coverage)),
            )
            number += 1
            text = json.dumps(told, ensure_ascii=False, separators=(",", ":"))
            stories.append((number, told["id"], len(component), told["articles"], text))
            members.extend((doc, number) for doc in component)
        conn.executemany(
            "INSERT INTO stories (story, id, documents, articles, summary) VALUES (?, ?, ?, ?, ?)",
            stories,
        )
        conn.executemany("INSERT INTO story_docs (doc, story) VALUES (?, ?)", members)
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('stories', ?)",
        (json.dumps([generation, window_days, VERSION]),),
    )


def story_articles(conn: sqlite3.Connection, docs: Sequence[int]) -> list[Article]:
    """Every distinct article of the story of these documents, in date order."""
    documents, coverage = _gather(conn, docs)
    return articles([documents[d][1] for d in docs], _coverage(docs, coverage))


def _batches(components: list[list[int]], size: int = 400) -> Iterable[list[list[int]]]:
    """The components in groups of about `size` documents (a bigger one alone)."""
    batch: list[list[int]] = []
    count = 0
    for component in components:
        if batch and count + len(component) > size:
            yield batch
            batch, count = [], 0
        batch.append(component)
        count += len(component)
    if batch:
        yield batch


def _coverage(docs: Iterable[int], coverage: Mapping[int, list[Article]]) -> list[Article]:
    return [article for doc in docs for article in coverage.get(doc, ())]


def _gather(
    conn: sqlite3.Connection, docs: Sequence[int]
) -> tuple[dict[int, tuple[Document, Article]], dict[int, list[Article]]]:
    """{doc: (the document, as an article)} and {doc: its coverage's articles} of these
    documents, from the snapshot's columns and kept addresses."""
    import json

    conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (doc INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.chosen")
    conn.executemany("INSERT OR IGNORE INTO temp.chosen (doc) VALUES (?)", ((d,) for d in docs))
    where, params = "WHERE doc IN (SELECT doc FROM temp.chosen)", ()
    links = dict(conn.execute(f"SELECT doc, links FROM story_features {where}"))
    documents = {}
    listed: dict[int, dict[int, list[str]]] = {}
    for doc, doc_id, date_us, quality, title, name, domain, topics in conn.execute(
        "SELECT doc, id, date_us, quality, title, provider_name, provider_domain, topics "
        f"FROM docs {where}",
        params,
    ):
        own, items = json.loads(links.get(doc, "[[], []]"))
        listed[doc] = {number: keys for number, keys in items}
        documents[doc] = (
            Document(doc_id, date_us, quality, title, tuple(json.loads(topics))),
            Article(doc_id, doc_id, date_us, name or domain, title, tuple(own)),
        )
    coverage: dict[int, list[Article]] = {}
    where = "WHERE r.parent IN (SELECT doc FROM temp.chosen)"
    for parent, number, article_id, date_us, title, name, domain in conn.execute(
        "SELECT r.parent, r.n, r.id, r.date_us, t.title, t.provider_name, t.provider_domain "
        f"FROM related r JOIN related_text t ON t.doc = r.doc {where} ORDER BY r.parent, r.n",
        params,
    ):
        if parent not in documents:
            continue
        keys = tuple(listed[parent].get(number, ()))
        document = documents[parent][0].id
        coverage.setdefault(parent, []).append(
            Article(article_id, document, date_us, name or domain, title, keys)
        )
    return documents, coverage
