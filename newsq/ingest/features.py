"""What parsing keeps of a document for grouping it into stories: its words, stemmed as
search stems them, and its addresses and its related articles' (`newsq.index.grouping`)."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newsq.model import URL_FIELDS
from newsq.store.rows import compact_json
from newsq.store.schema import TOKENIZER

if TYPE_CHECKING:
    import sqlite3

_WORD = re.compile(r"[^\W_]+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# An address written in a text (a video's description lists its links): its pieces
# ("https", "www", "com") are no words of what the text says, and two texts with links
# would be alike by them.
_ADDRESS = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.)\S*", re.IGNORECASE)
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


def url_key(value: Any) -> str | None:
    """An address as compared: without scheme, `www.`, fragment or trailing slash, the
    host in lower case; None for a value that is not an address."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().partition("#")[0]
    # Most addresses (18 a document) start so: cut without the pattern, 5 µs less.
    text = text[8:] if text.startswith("https://") else _SCHEME.sub("", text, count=1)
    host, slash, rest = text.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + rest).rstrip("/") or None


def addresses(item: Mapping[str, Any]) -> list[str]:
    """The keys of an article's addresses, without repeats."""
    keys = (url_key(item.get(name)) for name in URL_FIELDS)
    return list(dict.fromkeys(k for k in keys if k))


#: Stems a worker remembers at most (about 150 bytes each): the benchmark corpus brings two
#: words never seen a document (40,785 known after 20,000 documents).
STEMS_KEPT = 200_000


class Stemmer:
    """Words of a text as search indexes them: folded, split, stemmed by FTS5's porter
    tokenizer (each distinct word once, remembered), common English words left out."""

    def __init__(self) -> None:
        # A word's stem, or "" for a word left out (a common word, a number): one lookup
        # a word says both (a third of the time of stemming a document).
        self._stems: dict[str, str] = dict.fromkeys(_STOP_WORDS, "")
        self._db: sqlite3.Connection | None = None
        self._pid = 0  # the process `_db` belongs to: a connection must not cross a fork
        # The texts given to `prepare`, split: each is split once.
        self._split: dict[str, list[str]] = {}

    def prepare(self, texts: Iterable[str]) -> None:
        """Learn at once the words of these texts not yet known: `words` of each then
        finds every stem known. Stemming new words costs 0.026 ms a batch and 0.0035 ms
        a word: the two new words of a document in the batch of a worker's chunk (64
        documents) cost a tenth of two batches of their own."""
        split = self._split = {text: _split(text) for text in texts}
        self._know([w for words in split.values() for w in words])

    def words(self, text: str) -> list[str]:
        words = self._split.get(text)
        if words is None:
            words = _split(text)
            self._know(words)
        try:
            return [stem for stem in map(self._stems.__getitem__, words) if stem]
        except KeyError:  # prepared, but forgotten since (the stems kept were too many)
            self._know(words)
            return [stem for stem in map(self._stems.__getitem__, words) if stem]

    def _know(self, words: list[str]) -> None:
        """Learn the stems of those of `words` not known yet."""
        stems = self._stems
        new = [w for w in words if w not in stems]
        if not new:
            return
        if len(stems) > STEMS_KEPT:
            # Every document brings words never seen (names): kept, they would grow
            # with the corpus. The common ones come back within a few documents.
            stems = self._stems = dict.fromkeys(_STOP_WORDS, "")
            new = [w for w in words if w not in stems]
        self._learn(new)

    def _learn(self, new: list[str]) -> None:
        for word in new:
            if word.isdigit():
                self._stems[word] = ""
        new = [w for w in new if w not in self._stems]
        if not new:
            return
        if self._db is None or self._pid != os.getpid():
            import sqlite3

            self._pid = os.getpid()
            self._db = sqlite3.connect(":memory:")
            self._db.execute(
                f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{TOKENIZER}')"
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


def _split(text: str) -> list[str]:
    """A text's words, folded, in order."""
    if text.isascii() or _SEPARATORS_ONLY.fullmatch(text):
        # Folding is lowering, there are no accents, and every character not a letter
        # or digit separates words: a byte table does it all. The texts of a document
        # of the benchmark corpus (6 of 10 of them beyond ASCII) split in 0.040 ms so,
        # against 0.050 ms with the pattern alone.
        ascii_text = text.encode("ascii", "replace")  # (what is left out is "?")
        return ascii_text.translate(_ASCII_FOLD).decode("ascii").split()
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return _WORD.findall(folded)


# ASCII letters lowered, digits kept, every other byte a space: `_WORD` on ASCII text.
_ASCII_FOLD = bytes(
    (byte | 0x20 if chr(byte).isalpha() else byte) if byte < 0x80 and chr(byte).isalnum() else 0x20
    for byte in range(256)
)
# Text whose only characters beyond ASCII are punctuation that neither folding nor
# decomposition turns into a letter or a digit (typographic quotes and dashes, the
# ellipsis, a no-break space, « », •, € and £): a quarter of the benchmark corpus's
# texts, beside the 4 in 10 that are ASCII. (Not ™, ½ or ²: decomposed, they are
# letters and digits.)
_SEPARATORS_ONLY = re.compile(
    "[\x00-\x7f\u00a0\u00a3\u00ab\u00bb\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]*"
)


_STEMMER = Stemmer()


def features(
    record: Mapping[str, Any], words: Sequence[str], related: Iterable[Sequence[str]]
) -> tuple[str, str, str]:
    """What grouping needs of a parsed document, as the snapshot keeps it: its words
    (the title's, a line break, the excerpt's: titles weigh more), its addresses and
    each related article's (JSON), and each related article's words (one line each).

    `words` are the document's search words (title first, then excerpt), `related`
    each related article's.
    """
    title, excerpt, *covers = _stemmed_texts(words, related)
    own = " ".join(_STEMMER.words(title)) + "\n" + " ".join(_STEMMER.words(excerpt))
    items = record.get("related")
    listed = []
    if isinstance(items, list):
        listed = [
            [number, addresses(item)]
            for number, item in enumerate(items, start=1)
            if isinstance(item, dict)
        ]
    links = compact_json([addresses(record), listed])
    cover = "\n".join(" ".join(_STEMMER.words(text)) for text in covers)
    return own, links, cover


def prepare_features(documents: Iterable[tuple[Sequence[str], Iterable[Sequence[str]]]]) -> None:
    """Stem at once the words of the documents whose `features` come next, each given as
    (`words`, `related`): `features` then finds every stem known."""
    _STEMMER.prepare(
        text for words, related in documents for text in _stemmed_texts(words, related)
    )


def _stemmed_texts(words: Sequence[str], related: Iterable[Sequence[str]]) -> list[str]:
    """The texts `features` stems: the title, the excerpt, each related article's title
    and excerpt, without the addresses written in them."""
    texts = [words[0], words[1], *(f"{texts[0]} {texts[1]}" for texts in related)]
    return [_without_addresses(text) for text in texts]


def _without_addresses(text: str) -> str:
    # Most texts have none: three scans for what starts one, not the pattern nor the
    # text lowered (0.65 µs a text of the benchmark corpus against 1.1 µs lowered: 13
    # texts a document, 0.85 s of CPU at 100,000). A "Www." is missed: its "www" and
    # "com" stay words, which is harmless.
    if "://" not in text and "www." not in text and "WWW." not in text:
        return text
    return _ADDRESS.sub(" ", text)
