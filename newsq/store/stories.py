"""Stories as the snapshot keeps them: each document's features for grouping, and the
stories computed from them (`newsq.index.stories` computes and reads them)."""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from newsq.store.rows import FEATURES_SEPARATOR, TextCodec
from newsq.store.schema import FEATURES_DICTIONARY_KEY, SnapshotDamage, in_parts, scratch_rows

if TYPE_CHECKING:
    import sqlite3


class Candidate(NamedTuple):
    """A document as grouping sees it: its row, date, words and addresses."""

    doc: int
    date_us: int | None
    words: str  # its own, space-separated
    links: str  # JSON: [its addresses, [[number, addresses] per related article]]
    cover: str  # its related articles' words, one line each


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


def stamp(conn: sqlite3.Connection) -> list[object] | None:
    """What the stories kept were computed from (as `replace` was given it), if any."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'stories'").fetchone()
    return None if row is None else json.loads(row[0])


class Features:
    """Every document's features for grouping, streamed from the snapshot in the orders
    grouping reads them (`newsq.index.grouping.Sources`): no list of them is held. As
    they are read by row, each document's digest (`digest`) is kept, by row (`digests`),
    for the stories to keep with each document."""

    _FROM = "FROM story_features f JOIN docs d ON d.doc = f.doc"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.digests = array("q")

    def count(self) -> int:
        return self._conn.execute(f"SELECT COUNT(*) {self._FROM}").fetchone()[0]

    def rows(self) -> Iterator[tuple[int, str, str, str]]:
        (last,) = self._conn.execute(f"SELECT COALESCE(MAX(f.doc), 0) {self._FROM}").fetchone()
        self.digests = digests = array("q", bytes(8 * (last + 1)))
        unpack = unpacker(self._conn)
        for doc, doc_id, date_us, packed in self._conn.execute(
            f"SELECT f.doc, d.id, d.date_us, f.packed {self._FROM} ORDER BY f.doc"
        ):
            words, links, cover = unpack(packed)
            digests[doc] = digest(doc_id, date_us, words, links, cover)
            yield doc, words, links, cover

    def links(self) -> Iterator[tuple[int, str]]:
        unpack = unpacker(self._conn)
        for doc, packed in self._conn.execute(
            f"SELECT f.doc, f.packed {self._FROM} ORDER BY f.doc"
        ):
            yield doc, unpack(packed)[1]

    def dated(self) -> Iterator[tuple[int, int, str, str]]:
        # In the order of the date index (its ties by row): read as it is, not sorted.
        unpack = unpacker(self._conn)
        for doc, date_us, packed in self._conn.execute(
            f"SELECT f.doc, d.date_us, f.packed {self._FROM} "
            "WHERE d.date_us IS NOT NULL ORDER BY d.date_us, d.doc"
        ):
            words, _, cover = unpack(packed)
            yield doc, date_us, words, cover


def texts(conn: sqlite3.Connection, docs: Sequence[int]) -> dict[int, str]:
    """These documents' texts as meaning reads them (`newsq.index.meaning`), by row: the
    title, then the excerpt as a reader sees it (an HTML one without its tags) when it
    is text."""
    from newsq.store.schema import RECORD_TEXT
    from newsq.store.visible import visible_text

    found = {}
    for part, marks in in_parts(docs):
        for doc, title, excerpt in conn.execute(
            f"SELECT d.doc, d.title, CASE json_type({RECORD_TEXT}(r.packed), '$.excerpt') "
            f"WHEN 'text' THEN json_extract({RECORD_TEXT}(r.packed), '$.excerpt') END "
            f"FROM docs d JOIN records r ON r.doc = d.doc WHERE d.doc IN ({marks})",
            part,
        ):
            shown = visible_text(excerpt).strip() if excerpt else ""
            found[doc] = f"{title}. {shown}" if shown else title
    return found


def known_meanings(conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, bytes]:
    """The embeddings kept of these texts (by `digest` of each), those kept."""
    found: dict[int, bytes] = {}
    for part, marks in in_parts(keys):
        found.update(
            conn.execute(f"SELECT text, vector FROM meanings WHERE text IN ({marks})", part)
        )
    return found


def keep_meanings(conn: sqlite3.Connection, vectors: Iterable[tuple[int, bytes]]) -> None:
    """Keep these texts' embeddings, (digest of the text, float32 bytes)."""
    conn.executemany("INSERT OR REPLACE INTO meanings (text, vector) VALUES (?, ?)", vectors)


def forget_meanings_but(conn: sqlite3.Connection, keys: Iterable[int]) -> None:
    """Forget every embedding kept but these texts' (the corpus's texts now)."""
    chosen = scratch_rows(conn, keys)
    conn.execute(f"DELETE FROM meanings WHERE text NOT IN (SELECT doc FROM {chosen})")


def unpacker(conn: sqlite3.Connection) -> Callable[[bytes], tuple[str, str, str]]:
    """A document's story features (words, links, cover) from their packed text, as
    the snapshot's codec reads them (plain deflate before it has one)."""
    found = conn.execute(
        "SELECT value FROM meta WHERE key = ?", (FEATURES_DICTIONARY_KEY,)
    ).fetchone()
    codec = TextCodec(b"" if found is None else bytes.fromhex(found[0]))

    def unpack(packed: bytes) -> tuple[str, str, str]:
        features = codec.text(packed).split(FEATURES_SEPARATOR)
        if len(features) != 3:
            raise SnapshotDamage(f"story features that are not three: {len(features)}")
        return features[0], features[1], features[2]

    return unpack


def wording(words: str, cover: str) -> int:
    """What tells two documents' wording apart, kept beside their packed features (a
    twin has the same): `digest` of their words and their coverage's."""
    return digest(words, cover)


def digest(*values: object) -> int:
    """A 64-bit hash of these values (text, numbers, None), the same in every process."""
    text = "\x1f".join("\x00" if v is None else str(v) for v in values)
    found = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(found, "big", signed=True)


def versions(
    conn: sqlite3.Connection, docs: Sequence[int] | None = None
) -> Iterator[tuple[int, int]]:
    """(row, version) of every document with features (or of these), by row: a hash of
    its file as ingest knows it (path, size, mtime, id), which changes whenever the file
    is parsed again, and differs for another file given a row freed before."""
    where = ""
    if docs is not None:
        where = f"WHERE f.doc IN (SELECT doc FROM {scratch_rows(conn, docs)}) "
    for doc, path, size, mtime_ns, doc_id in conn.execute(
        "SELECT f.doc, fl.path, fl.size, fl.mtime_ns, fl.doc_id FROM story_features f "
        f"JOIN docs d ON d.doc = f.doc JOIN files fl ON fl.file = f.doc {where}ORDER BY f.doc"
    ):
        yield doc, digest(path, size, mtime_ns, doc_id)


class Kept(NamedTuple):
    """A document as the stories kept it: its row, its story, why it is in it, and its
    digest and version then."""

    doc: int
    story: int
    reason: str | None
    digest: int
    version: int


def changed(conn: sqlite3.Connection, limit: int) -> tuple[list[Kept], list[int]] | None:
    """The documents changed since the stories were kept: those kept that are gone or
    whose file was parsed again (as kept), and the rows of those new or parsed again;
    None if there are more than `limit` in all. Compares every document's version
    with the one kept, by row, streamed."""
    gone: list[Kept] = []
    added: list[int] = []
    kept = map(
        Kept._make,
        conn.execute("SELECT doc, story, reason, digest, version FROM story_docs ORDER BY doc"),
    )
    old = next(kept, None)
    for doc, version in versions(conn):
        while old is not None and old.doc < doc:
            gone.append(old)
            old = next(kept, None)
        if old is None or old.doc != doc:
            added.append(doc)
        else:
            if old.version != version:
                gone.append(old)
                added.append(doc)
            old = next(kept, None)
        if len(gone) + len(added) > limit:
            return None
    while old is not None:
        gone.append(old)
        if len(gone) + len(added) > limit:
            return None
        old = next(kept, None)
    return gone, added


def features_of(
    conn: sqlite3.Connection, docs: Sequence[int]
) -> dict[int, tuple[str, int | None, str, str, str]]:
    """{row: (id, date, words, links, cover)} of these documents: what grouping reads of
    them (`digest` of it is what `Features` keeps of each)."""
    chosen = scratch_rows(conn, docs)
    unpack = unpacker(conn)
    return {
        doc: (doc_id, date_us, *unpack(packed))
        for doc, doc_id, date_us, packed in conn.execute(
            "SELECT f.doc, d.id, d.date_us, f.packed FROM story_features f "
            f"JOIN docs d ON d.doc = f.doc WHERE f.doc IN (SELECT doc FROM {chosen})"
        )
    }


def clear(conn: sqlite3.Connection) -> None:
    """Forget the stories kept (before they are computed again)."""
    conn.execute("DELETE FROM stories")
    conn.execute("DELETE FROM story_docs")
    conn.execute("DELETE FROM meta WHERE key = 'stories'")


def add(
    conn: sqlite3.Connection,
    stories: Iterable[tuple[int, str, int, int, str]],
    members: Iterable[tuple[int, int, str | None, int, int]],
) -> None:
    """Keep stories, as (number, id, documents, articles, summary as JSON), in place of
    any of the same number, and which story each document (row) is in and why, as (row,
    number, reason as JSON, digest, version)."""
    conn.executemany(
        "INSERT OR REPLACE INTO stories (story, id, documents, articles, summary) "
        "VALUES (?, ?, ?, ?, ?)",
        stories,
    )
    conn.executemany(
        "INSERT INTO story_docs (doc, story, reason, digest, version) VALUES (?, ?, ?, ?, ?)",
        members,
    )


def forget(conn: sqlite3.Connection, docs: Iterable[int]) -> None:
    """Forget which story these documents (rows) were in."""
    conn.executemany("DELETE FROM story_docs WHERE doc = ?", ((doc,) for doc in docs))


def members(conn: sqlite3.Connection, stories: Iterable[int]) -> dict[int, list[int]]:
    """{story: its documents (rows, ascending)} of these stories."""
    found: dict[int, list[int]] = {}
    for story in stories:
        found[story] = [
            doc
            for (doc,) in conn.execute(
                "SELECT doc FROM story_docs WHERE story = ? ORDER BY doc", (story,)
            )
        ]
    return found


def same_date_between(conn: sqlite3.Connection, date_us: int, low: int, high: int) -> bool:
    """Whether a document of this date has a row strictly between `low` and `high`."""
    row = conn.execute(
        "SELECT 1 FROM docs WHERE date_us = ? AND doc > ? AND doc < ? LIMIT 1",
        (date_us, low, high),
    ).fetchone()
    return row is not None


def twin_within(
    conn: sqlite3.Connection, doc: int, words: str, cover: str, start_us: float, end_us: float
) -> bool:
    """Whether another document dated within [start_us, end_us] has these very words."""
    rows = conn.execute(
        "SELECT f.packed FROM docs d JOIN story_features f ON f.doc = d.doc "
        "WHERE d.date_us BETWEEN ? AND ? AND d.doc != ? AND f.wording = ?",
        (start_us, end_us, doc, wording(words, cover)),
    )
    unpack = unpacker(conn)
    return any(unpack(packed)[::2] == (words, cover) for (packed,) in rows)


def reasons(conn: sqlite3.Connection, doc_ids: Sequence[str]) -> dict[str, str | None]:
    """{document id: why it is in its story, as JSON} of these documents."""
    marks = ", ".join("?" * len(doc_ids))
    return dict(
        conn.execute(
            f"SELECT d.id, k.reason FROM docs d JOIN story_docs k ON k.doc = d.doc "
            f"WHERE d.id IN ({marks})",
            list(doc_ids),
        )
    )


def mark(conn: sqlite3.Connection, computed_from: Sequence[object]) -> None:
    """Record what the stories kept now were computed from (`stamp` reads it)."""
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('stories', ?)",
        (json.dumps(list(computed_from)),),
    )


def gather(
    conn: sqlite3.Connection, docs: Sequence[int]
) -> tuple[dict[int, tuple[Document, Article]], dict[int, list[Article]]]:
    """{doc: (the document, as an article)} and {doc: its coverage's articles} of these
    documents, from the snapshot's columns and kept addresses."""
    chosen = scratch_rows(conn, docs)
    where, params = f"WHERE doc IN (SELECT doc FROM {chosen})", ()
    unpack = unpacker(conn)
    links = {
        doc: unpack(packed)[1]
        for doc, packed in conn.execute(f"SELECT doc, packed FROM story_features {where}")
    }
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
    where = f"WHERE r.parent IN (SELECT doc FROM {chosen})"
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
