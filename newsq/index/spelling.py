"""Spelling corrections: the words of the corpus a query word the corpus lacks may mean.

The rule is Meilisearch's: a word of 5 letters or more may be one edit away from
what it means, of 9 or more two (an edit adds, removes or changes a letter, or
swaps two side by side). The full-text index holds stems (`recognition` is
`recognit`), so a word is compared with them twice: as typed, and stemmed as the
index stems it. A slip in a word's ending stops the stemmer from taking the ending
off (`regulaton` stays `regulaton`, three edits from `regul`), so each word one
edit from the typed one is stemmed too and looked up (`regulation`: `regul`).

The comparison with every term is rapidfuzz's (`process.extract` with the
optimal-string-alignment distance, in C++): 10 to 15 ms a word over the 194,000
terms of 100,000 generated documents, where a loop in Python takes seconds.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsq.store import terms
from newsq.store.schema import scratch_stems

#: Letters from which a word may be one edit away from what it means, and two.
ONE_EDIT, TWO_EDITS = 5, 9
#: Corrections of one word, at most: the most common of those fewest edits away.
MAX_CORRECTIONS = 3
#: Characters of a column read to find how the corpus writes a term.
_SAMPLE = 20_000
_WORDS = re.compile(r"[^\W_]+")

if TYPE_CHECKING:
    import sqlite3


@dataclass(frozen=True, slots=True)
class Correction:
    """A word of the corpus searched for in place of a word it lacks: `word` as the
    corpus writes it (in lower case), `term` as the index stores it (stemmed),
    `distance` the edits from the word typed, `docs` the rows of the index with it."""

    word: str
    term: str
    distance: int
    docs: int


def edits_allowed(word: str) -> int:
    """How many edits away from what it means a word may be: none under 5 letters, one
    from 5, two from 9."""
    length = len(word)
    return 2 if length >= TWO_EDITS else 1 if length >= ONE_EDIT else 0


def correctable(word: str) -> bool:
    """Whether a word is one spelling corrections are looked for: letters only (a number
    or a code, `365`, `x64`, is not misspelt), long enough to allow an edit."""
    return word.isalpha() and edits_allowed(word) > 0


def stems(db: sqlite3.Connection, words: Sequence[str]) -> list[tuple[str, ...]]:
    """Each word's terms, as the full-text index cuts and stems it (`don't`: `don`, `t`)."""
    table, places = scratch_stems(db)
    db.executemany(f"INSERT INTO {table} (rowid, word) VALUES (?, ?)", enumerate(words, 1))
    found: list[list[str]] = [[] for _ in words]
    for term, row in db.execute(f"SELECT term, doc FROM {places} ORDER BY doc, offset"):
        found[row - 1].append(term)
    db.execute(f"DELETE FROM {table}")
    return [tuple(terms_of) for terms_of in found]


def one_edit(word: str) -> set[str]:
    """Every string one edit from `word` (Norvig's), over the letters a-z and its own."""
    letters = sorted(set(string.ascii_lowercase) | set(word))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in letters}
    found |= {a + c + b for a, b in splits for c in letters}
    found.discard(word)
    return found


class Vocabulary:
    """The terms of the index of some lengths, read once (`load(shortest, longest)` gives
    the terms and the rows of each), for every word of one query."""

    def __init__(self, load: Callable[[int, int], tuple[list[str], list[int]]]) -> None:
        self._load = load
        self._span: tuple[int, int] | None = None
        self._terms: list[str] = []
        self._docs: list[int] = []

    def within(self, shortest: int, longest: int) -> tuple[list[str], list[int]]:
        """(terms, their rows) of at least those of `shortest` to `longest` characters."""
        if self._span is None or shortest < self._span[0] or longest > self._span[1]:
            if self._span is not None:  # (wider than before: the union)
                shortest, longest = min(shortest, self._span[0]), max(longest, self._span[1])
            self._terms, self._docs = self._load(shortest, longest)
            self._span = (shortest, longest)
        return self._terms, self._docs


def corrections(
    db: sqlite3.Connection,
    word: str,
    stem: str,
    docs: int,
    vocabulary: Vocabulary,
    *,
    commoner: int,
    unwanted: Iterable[str] = (),
) -> tuple[Correction, ...]:
    """The corrections of a word (folded as the index folds it) whose stem is `stem`, in
    `docs` rows of the index: the terms fewest edits from it, as typed or stemmed, or
    stemmed after one edit; each in at least one row, and, when the word is in some,
    in `commoner` times as many; never a term of `unwanted` (words that carry no
    meaning); the most common first, `MAX_CORRECTIONS` at most."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    allowed = edits_allowed(word)
    if not allowed:
        return ()
    least = max(1, docs * commoner)
    skip = {stem, *unwanted}
    found: dict[str, tuple[int, int]] = {}  # term: (edits, rows)

    def consider(term: str, edits: int, rows: int) -> None:
        wanted = rows >= least and term not in skip and term.isalpha()
        if wanted and (term not in found or edits < found[term][0]):
            found[term] = (edits, rows)

    shortest = max(1, min(len(word), len(stem)) - allowed)
    listed, rows_of = vocabulary.within(shortest, max(len(word), len(stem)) + allowed)
    for typed in dict.fromkeys((word, stem)):
        for term, edits, at in process.extract(
            typed, listed, scorer=OSA.distance, score_cutoff=allowed, limit=None
        ):
            consider(term, int(edits), rows_of[at])
    variants = sorted(one_edit(word))
    variant_stems = stems(db, variants)
    single = {v: s[0] for v, s in zip(variants, variant_stems, strict=True) if len(s) == 1}
    for term, rows in terms.docs(db, set(single.values())).items():
        consider(term, 1, rows)
    if not found:
        return ()
    fewest = min(edits for edits, _ in found.values())
    best = sorted(
        (term for term, (edits, _) in found.items() if edits == fewest),
        key=lambda term: (-found[term][1], term),
    )[:MAX_CORRECTIONS]
    spelt = _as_written(db, word, best, {v: t for v, t in single.items() if t in best})
    return tuple(
        Correction(spelt[term], term, found[term][0], found[term][1])
        for term in best
        if term in spelt
    )


def _as_written(
    db: sqlite3.Connection, word: str, chosen: Sequence[str], variants: dict[str, str]
) -> dict[str, str]:
    """{term: a word that stems to it, to search for and to show}: of the corpus's words
    with that stem (in one place it is) and of the one-edit variants of the typed word
    that stem to it, the nearest the typed word (the corpus's at a tie)."""
    from rapidfuzz.distance import OSA

    written: dict[str, set[str]] = {term: set() for term in chosen}
    for term in chosen:
        found = terms.place(db, term)
        if found is not None:
            text = terms.text(db, found[0], found[1], _SAMPLE)
            words = sorted({w.casefold() for w in _WORDS.findall(text)})[:2000]
            for candidate, stemmed in zip(words, stems(db, words), strict=True):
                if stemmed == (term,):
                    written[term].add(candidate)
    spelt = {}
    for term in chosen:
        corpus = written[term]
        options = corpus | {v for v, t in variants.items() if t == term}
        if not options:
            continue
        spelt[term] = min(options, key=lambda w: (OSA.distance(word, w), w not in corpus, w))
    return spelt
