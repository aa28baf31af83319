"""The full-text index's vocabulary: how many rows have a term, the place of one, and the
list of every term kept for spelling corrections (`newsq.index.spelling` reads them).

A term is a word as the index stores it: folded and stemmed (`recognition` is
`recognit`). Looking one term up reads the index directly (`fts5vocab`: it counts the
term's rows as it reads them); the whole list is read once and kept in the `terms`
table, since reading it from the index takes 0.65 s at 100,000 documents and
194,000 terms, and kept only from the snapshot generation it was read at. It is kept
as one row per length of term, the terms one text (a line each: no term holds a
space) and their rows packed beside them, so that the terms of the lengths a
correction looks at come back in a few rows: 57 ms as a row per term, then 17 ms
more to make the lists, against 5 ms so.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from newsq.store.schema import FTS_COLUMNS, SnapshotDamage, in_parts, scratch_vocabulary

if TYPE_CHECKING:
    import sqlite3


def rows(conn: sqlite3.Connection) -> int:
    """How many rows the full-text index holds: documents and related articles."""
    return conn.execute(
        "SELECT (SELECT COUNT(*) FROM docs) + (SELECT COUNT(*) FROM related)"
    ).fetchone()[0]


def docs(conn: sqlite3.Connection, terms: Iterable[str]) -> dict[str, int]:
    """{term: the rows that have it} of these terms; a term no row has is left out."""
    wanted = list(dict.fromkeys(terms))
    if not wanted:
        return {}
    vocabulary, _ = scratch_vocabulary(conn)
    found: dict[str, int] = {}
    for chunk, marks in in_parts(wanted):
        found.update(
            conn.execute(f"SELECT term, doc FROM {vocabulary} WHERE term IN ({marks})", chunk)
        )
    return found


def place(conn: sqlite3.Connection, term: str) -> tuple[int, str] | None:
    """(row, column) of a place the term is, in the shortest column it is in of the
    first rows that have it (a title rather than a body); None when it is nowhere."""
    _, places = scratch_vocabulary(conn)
    found = conn.execute(
        f"SELECT doc, col FROM {places} WHERE term = ? LIMIT 50", (term,)
    ).fetchall()
    if not found:
        return None
    return min(found, key=lambda hit: (FTS_COLUMNS.index(hit[1]), hit[0]))


def text(conn: sqlite3.Connection, row: int, column: str, limit: int) -> str:
    """The first `limit` characters of one column of one row of the full-text index."""
    if column not in FTS_COLUMNS:
        raise ValueError(column)
    found = conn.execute(
        f"SELECT substr({column}, 1, ?) FROM search WHERE rowid = ?", (limit, row)
    ).fetchone()
    return (found[0] or "") if found else ""


def stamp(conn: sqlite3.Connection) -> int | None:
    """The snapshot generation the kept list of terms was read at, if one is kept."""
    found = conn.execute("SELECT value FROM meta WHERE key = 'terms'").fetchone()
    return None if found is None else int(found[0])


def keep(conn: sqlite3.Connection, generation: int) -> None:
    """Read every term of the index (and its rows) into the `terms` table, in place of
    the list kept before, and record the generation it was read at."""
    vocabulary, _ = scratch_vocabulary(conn)
    by_length: defaultdict[int, tuple[list[str], array[int]]] = defaultdict(
        lambda: ([], array("q"))
    )
    for term, docs in conn.execute(f"SELECT term, doc FROM {vocabulary}"):
        if "\n" not in term:  # (never: the index cuts words at white space)
            words, counts = by_length[len(term)]
            words.append(term)
            counts.append(docs)
    conn.execute("DELETE FROM terms")
    conn.executemany(
        "INSERT INTO terms (length, words, docs) VALUES (?, ?, ?)",
        (
            (length, "\n".join(words), counts.tobytes())
            for length, (words, counts) in sorted(by_length.items())
        ),
    )
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('terms', ?)", (str(generation),))


def kept(conn: sqlite3.Connection, shortest: int, longest: int) -> tuple[list[str], list[int]]:
    """(terms, the rows of each) of every kept term of `shortest` to `longest` characters.
    Raises `SnapshotDamage` when a row does not read as `keep` writes it."""
    words: list[str] = []
    counts = array("q")
    for length, text, packed in conn.execute(
        "SELECT length, words, docs FROM terms WHERE length BETWEEN ? AND ? ORDER BY length",
        (shortest, longest),
    ):
        listed = text.split("\n")
        found = array("q")
        if not isinstance(packed, bytes) or len(packed) % found.itemsize:
            raise SnapshotDamage(f"the kept terms of length {length} are damaged")
        found.frombytes(packed)
        if len(found) != len(listed) or any(len(w) != length for w in listed[:1]):
            raise SnapshotDamage(f"the kept terms of length {length} are damaged")
        words.extend(listed)
        counts.extend(found)
    return words, counts.tolist()


def read(conn: sqlite3.Connection, shortest: int, longest: int) -> tuple[list[str], list[int]]:
    """`kept`, read from the index itself (when the list cannot be kept)."""
    vocabulary, _ = scratch_vocabulary(conn)
    found = conn.execute(
        f"SELECT term, doc FROM {vocabulary} WHERE length(term) BETWEEN ? AND ?",
        (shortest, longest),
    ).fetchall()
    return [term for term, _ in found], [docs for _, docs in found]
