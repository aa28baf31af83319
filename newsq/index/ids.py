"""Ids as people type them: resolving a prefix, the short ids tables show, the ids nearest a
mistyped one, and the ids completion offers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from newsq.index.records import article_numbers, article_row
from newsq.model import article_ref, related_id
from newsq.query.similar import closest

#: The fewest characters of an id's hex part that tables show (as git's shortest hashes).
SHORT_ID = 4
#: The last code point: `prefix <= x < prefix + LAST` is every text starting with `prefix`,
#: a range the indexes answer.
LAST = "\U0010ffff"


class UnknownIdError(LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no document matches {ref!r}")
        self.ref = ref


class NoSuchArticleError(UnknownIdError):
    """`PARENT#N` where the document PARENT has no Nth related article; `numbers` are the
    ones it has."""

    def __init__(self, ref: str, parent: str, numbers: Sequence[int]) -> None:
        super().__init__(ref)
        self.parent = parent
        self.numbers = list(numbers)


class AmbiguousIdError(LookupError):
    def __init__(self, ref: str, candidates: Sequence[str]) -> None:
        super().__init__(f"{ref!r} matches {len(candidates)} documents")
        self.ref = ref
        self.candidates = list(candidates)


def is_document(db: sqlite3.Connection, doc_id: str) -> bool:
    return db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None


def resolve(db: sqlite3.Connection, ref: str) -> str:
    """The id a user means by `ref`.

    An exact id wins, then the whole last path part or hex part of one document;
    otherwise `ref` may be a unique prefix of an id, of an id's last path part, or of
    the hex part after its underscore (`bc1330c7` for `000_bc1330c771dbc5b0`).
    `PARENT#N` is the Nth article of the related coverage of the document PARENT
    means. Raises `UnknownIdError` (`NoSuchArticleError`) or `AmbiguousIdError`.
    """
    ref = ref.strip()
    if is_document(db, ref):
        return ref
    if not ref:
        raise UnknownIdError(ref)
    article = article_ref(ref)
    if article is not None:  # a related article: PARENT_ID#N
        try:
            parent = resolve(db, article.parent)
        except UnknownIdError:
            raise UnknownIdError(ref) from None
        found = related_id(parent, article.number)
        if article_row(db, found) is None:
            raise NoSuchArticleError(ref, parent, article_numbers(db, parent))
        return found
    # Then a whole last path part, or hex part, that one document has.
    exact = db.execute(
        "SELECT id FROM docs WHERE name = ?1 UNION SELECT id FROM docs WHERE hex = ?1 LIMIT 2",
        (ref,),
    ).fetchall()
    if len(exact) == 1:
        return exact[0][0]
    bounds = (ref, ref + LAST)
    candidates = sorted(
        {
            doc_id
            for column in ("id", "name", "hex")
            for (doc_id,) in db.execute(
                f"SELECT id FROM docs WHERE {column} >= ? AND {column} < ?", bounds
            )
        }
    )
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UnknownIdError(ref)
    raise AmbiguousIdError(ref, candidates)


def short_ids(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """For each id, a short text `resolve` takes back to it, for tables people read.

    That is the shortest unique prefix of the hex part after the id's underscore
    (`bc13` for `000_bc1330c771dbc5b0`), never under `SHORT_ID` characters, as git
    shortens hashes. An id with no hex part gets the shortest unique prefix of its
    last path part, carried on to the end of the word it cuts
    (`2021-05-26-microsoft` for `_news/2021-05-26-microsoft-announces-…`). Unique
    means no other document's id, last path part or hex part starts with it; where
    none is (another name goes on from this one), the whole last part or hex part
    when no other document has it. A related article `PARENT#N` shortens its parent.
    Otherwise the id stays whole.
    """
    shorts: dict[str, str] = {}
    for doc_id in ids:
        article = article_ref(doc_id)
        if article is not None:
            shorts[doc_id] = related_id(_short_id(db, article.parent), article.number)
        else:
            shorts[doc_id] = _short_id(db, doc_id)
    return shorts


def _short_id(db: sqlite3.Connection, doc_id: str) -> str:
    row = db.execute("SELECT name, hex FROM docs WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return doc_id
    name, hex_part = row
    column, value = ("hex", hex_part) if hex_part else ("name", name)
    # The neighbours in sorted order share the longest starts: one character more
    # than the longer of those is unique in that column.
    before = db.execute(
        f"SELECT {column} FROM docs WHERE {column} < ? ORDER BY {column} DESC LIMIT 1",
        (value,),
    ).fetchone()
    after = db.execute(
        f"SELECT {column} FROM docs WHERE {column} >= ? AND id != ? ORDER BY {column} LIMIT 1",
        (value, doc_id),
    ).fetchone()
    shared = max(_common_start(value, n[0]) for n in (before, after, ("",)) if n)
    for length in range(max(SHORT_ID, shared + 1), len(value) + 1):
        if column == "name":  # whole words read better than `2021-05-26-m`
            length = next((i for i in range(length, len(value)) if value[i] in "-_. "), len(value))
        prefix = value[:length]
        bounds = (prefix, prefix + LAST)
        clash = db.execute(
            "SELECT 1 FROM docs WHERE id != ? AND ((id >= ? AND id < ?) OR "
            "(name >= ? AND name < ?) OR (hex >= ? AND hex < ?)) LIMIT 1",
            (doc_id, *bounds * 3),
        ).fetchone()
        if clash is None:
            return prefix
    # No start of it is unique (another's name goes on from it): its whole name or hex
    # part is, when no other document has the same (`resolve` takes an exact one first).
    (same,) = db.execute(f"SELECT COUNT(*) FROM docs WHERE {column} = ?", (value,)).fetchone()
    unique = same == 1 and len(value) >= SHORT_ID and not is_document(db, value)
    return value if unique else doc_id


def _common_start(a: str, b: str) -> int:
    """How many characters `a` and `b` share from their start."""
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def closest_ids(db: sqlite3.Connection, ref: str, n: int = 3) -> list[str]:
    """The ids most like `ref` (a mistyped id or prefix), compared whole, by their hex
    part, and by the start of either as long as `ref`: for "did you mean …?". None
    for a related article (`PARENT#N`): its parent is there, the number is not."""
    if "#" in ref:
        return []
    by_key: dict[str, str] = {}
    for doc_id, hex_part in _id_neighbours(db, ref):
        for key in (doc_id, hex_part, doc_id[: len(ref)], (hex_part or "")[: len(ref)]):
            if key:
                by_key.setdefault(key, doc_id)
    return list(dict.fromkeys(by_key[k] for k in closest(ref, by_key, n)))[:n]


def _id_neighbours(
    db: sqlite3.Connection, ref: str, enough: int = 200
) -> list[tuple[str, str | None]]:
    """(id, hex) of the documents to compare `ref` with: all of a small corpus; in a
    large one, those sharing the longest start with `ref` that `enough` share (a
    typo is rarely in the first characters), found through the indexes."""
    (count,) = db.execute("SELECT COUNT(*) FROM docs").fetchone()
    if count <= 5 * enough:
        return db.execute("SELECT id, hex FROM docs ORDER BY id").fetchall()
    found: list[tuple[str, str | None]] = []
    for length in range(len(ref) - 1, 0, -1):
        bounds = (ref[:length], ref[:length] + LAST)
        found = db.execute(
            "SELECT id, hex FROM docs WHERE (id >= ? AND id < ?) OR (hex >= ? AND hex < ?) "
            f"ORDER BY id LIMIT {5 * enough}",
            bounds * 2,
        ).fetchall()
        if len(found) >= enough:
            break
    return found


def known_ids(db: sqlite3.Connection, prefix: str = "", limit: int = 100) -> list[tuple[str, str]]:
    """(what to type, the title) for documents whose id, last path part or hex part
    starts with `prefix`; the typed form is the one `prefix` began, by id."""
    bounds = (prefix, prefix + LAST)
    found: dict[str, str] = {}
    for column in ("id", "name", "hex") if prefix else ("id",):
        rows = db.execute(
            f"SELECT {column}, title FROM docs WHERE {column} >= ? AND {column} < ? "
            f"ORDER BY {column} LIMIT ?",
            (*bounds, limit),
        )
        for value, title in rows:
            found.setdefault(value, title)
    return sorted(found.items())[:limit]
