"""A query resolved against one corpus: what its words are in the index, what a misspelt
one is corrected to, how much each weighs, and the FTS5 expression a hit matches.

A forgiving query's words are not all required: a hit has at least one of them (or
a correction of one), and hits are ranked by their **coverage**, the share of the
words' weight they have, a word weighing its inverse document frequency as BM25
reckons it (a word in half the rows or more weighs next to nothing). So documents
with every word come first, then those with most of the weight, then some; within
one coverage, those matching more of it as typed (not corrected) come first; then
BM25 (`newsq.index.ranking`). Strict terms (phrases, fields, prefixes, groups)
are required as they always were and weigh nothing.

A word is looked up (its rows, one lookup in the index's vocabulary) and, when no
row or barely any has it, corrected (`newsq.index.spelling`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsq.index import spelling
from newsq.index.spelling import Correction
from newsq.query.language import REQUIRED, STOP_WORDS, WORD, SearchQuery
from newsq.store import terms

if TYPE_CHECKING:
    from newsq.store.snapshot import Snapshot

#: Words of one query that forgive, at most: those past it are left out (Meilisearch
#: reads 10). Each is looked up, maybe corrected, and checked against every hit.
MAX_WORDS = 32
#: Rows of the index with a word, at most, for the word to be "barely" in the corpus:
#: corrections of it are looked for as of a word it lacks ...
BARELY = 2
#: ... and kept only when that many times as common as it (a typo in a document or
#: two, next to the word as everyone else spells it).
COMMONER = 20
#: The weight of a word in every row or more than half of them (BM25 reckons none).
_LEAST_WEIGHT = 1e-6
_MARKS = re.compile("[\u0300-\u036f]")


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    """One term of a query as the corpus has it: `text` as typed, `fts` its FTS5 string,
    its `role` (`WORD`, `REQUIRED` or `OPTIONAL`, as `newsq.query.language` says); for
    a word, `docs` the rows of the index with it, `weight` what it counts for in a
    hit's coverage, and the `corrections` searched for beside it."""

    text: str
    fts: str
    role: str
    docs: int | None = None
    weight: float = 0.0
    corrections: tuple[Correction, ...] = ()

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The FTS5 strings a hit may match for this term: itself, its corrections."""
        return (self.fts, *(_string(c.word) for c in self.corrections))


@dataclass(frozen=True, slots=True)
class Matching:
    """A query resolved against a corpus (`resolve`): its terms, and the FTS5
    `expression` a hit matches (None: every row but those matching
    `query.exclude`). `left_out` are words past `MAX_WORDS`, not searched for."""

    query: SearchQuery
    terms: tuple[MatchedTerm, ...]
    expression: str | None
    left_out: tuple[str, ...] = ()

    @property
    def forgiving(self) -> bool:
        return any(term.role == WORD for term in self.terms)

    @property
    def checked(self) -> tuple[MatchedTerm, ...]:
        """The terms each hit is checked for (a required one, every hit has): words and
        optional terms, `MAX_WORDS` at most, leaving out words no row has."""
        found = [
            term
            for term in self.terms
            if term.role != REQUIRED and (term.docs != 0 or term.corrections)
        ]
        return tuple(found[:MAX_WORDS])

    @property
    def total_weight(self) -> float:
        return sum(term.weight for term in self.terms if term.role == WORD)

    @property
    def corrected(self) -> tuple[MatchedTerm, ...]:
        """Words no row has, searched for as their corrections."""
        return tuple(t for t in self.terms if t.corrections and t.docs == 0)

    @property
    def widened(self) -> tuple[MatchedTerm, ...]:
        """Words barely any row has, searched for as their corrections too."""
        return tuple(t for t in self.terms if t.corrections and t.docs)

    @property
    def unknown(self) -> tuple[MatchedTerm, ...]:
        """Words no row has, and nothing spelt like them."""
        return tuple(t for t in self.terms if t.role == WORD and t.docs == 0 and not t.corrections)


def fold(word: str) -> str:
    """A word as the index compares it: lower case, without accents."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", word.casefold()))


def strict(query: SearchQuery) -> Matching:
    """A query that does not forgive (or forgives nothing), as its own expression."""
    kept = tuple(MatchedTerm(t.text, t.fts, t.role) for t in query.terms)
    return Matching(query, kept, expression(query.match, None, query.exclude))


def resolve(snapshot: Snapshot, query: SearchQuery) -> Matching:
    """`query` against the corpus of `snapshot`: each word looked up, weighed and, when
    the corpus lacks it (or barely has it), corrected."""
    if not query.forgiving:
        return strict(query)
    db = snapshot.conn
    words = [t for t in query.terms if t.role == WORD]
    left_out = tuple(t.text for t in words[MAX_WORDS:])
    words = words[:MAX_WORDS]
    folded = [fold(t.text) for t in words]
    cut = spelling.stems(db, folded)
    rows_with = terms.docs(db, {stem for stems in cut for stem in stems})
    total = terms.rows(db)
    vocabulary = spelling.Vocabulary(lambda shortest, longest: _kept(snapshot, shortest, longest))
    resolved: dict[str, MatchedTerm] = {}
    for term, word, stems in zip(words, folded, cut, strict=True):
        docs = min((rows_with.get(stem, 0) for stem in stems), default=0)
        found: tuple[Correction, ...] = ()
        if len(stems) == 1 and docs <= BARELY and spelling.correctable(word):
            found = spelling.corrections(
                db, word, stems[0], docs, vocabulary, commoner=COMMONER, unwanted=STOP_WORDS
            )
        among = min(total, docs + sum(c.docs for c in found))
        resolved[term.text] = MatchedTerm(
            term.text, term.fts, WORD, docs, _weight(among, total), found
        )
    kept = tuple(
        resolved[t.text] if t.role == WORD else MatchedTerm(t.text, t.fts, t.role)
        for t in query.terms
        if t.role != WORD or t.text in resolved
    )
    either = [alt for t in kept if t.role == WORD for alt in t.alternatives]
    words_expression = "(" + " OR ".join(either) + ")" if either else None
    return Matching(query, kept, expression(query.match, words_expression, query.exclude), left_out)


def matched(matching: Matching, codes: tuple[int, ...]) -> Iterator[tuple[MatchedTerm, int]]:
    """(term, how) for each term of the query a hit matched, given the code of each
    checked term (0: not, 1: as typed, 2 + n: as its nth correction); required terms
    are matched by every hit."""
    code_of = dict(zip(matching.checked, codes, strict=True))
    for term in matching.terms:
        how = 1 if term.role == REQUIRED else code_of.get(term, 0)
        if how:
            yield term, how


def expression(strict_part: str | None, words: str | None, exclude: str | None) -> str | None:
    """What a hit matches: the strict part and, when there are words, at least one of
    them (listed beside the strict part too, so BM25 and the passage count them)."""
    if strict_part and words:
        expression = f"({strict_part} AND ({strict_part} OR {words}))"
    else:
        expression = strict_part or words
    if expression is None:
        return None  # only exclusions: every row but those
    return f"({expression} NOT {exclude})" if exclude else expression


def _weight(rows: int, total: int) -> float:
    """A word's inverse document frequency as SQLite's BM25 reckons it: log((N - n +
    0.5) / (n + 0.5)), and next to nothing for a word in half the rows or more."""
    return max(math.log((total - rows + 0.5) / (rows + 0.5)), _LEAST_WEIGHT)


def _string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _kept(snapshot: Snapshot, shortest: int, longest: int) -> tuple[list[str], list[int]]:
    """The index's terms of these lengths, from the list kept in the snapshot (read into
    it first when the snapshot changed since it was); from the index itself when the
    list cannot be written (a full disk)."""
    from newsq.store.snapshot import SnapshotWriteError

    if terms.stamp(snapshot.conn) != snapshot.generation():
        try:
            with snapshot.writing() as conn:
                generation = snapshot.generation()  # another run may have done it meanwhile
                if terms.stamp(conn) != generation:
                    terms.keep(conn, generation)
        except SnapshotWriteError:
            return terms.read(snapshot.conn, shortest, longest)
    return terms.kept(snapshot.conn, shortest, longest)
