"""Stories as the snapshot keeps them: each document's features for grouping, and the
stories computed from them (`newsq.index.stories` computes and reads them)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from newsq.store.schema import scratch_rows

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
    grouping reads them (`newsq.index.grouping.Sources`): no list of them is held."""

    _FROM = "FROM story_features f JOIN docs d ON d.doc = f.doc"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def count(self) -> int:
        return self._conn.execute(f"SELECT COUNT(*) {self._FROM}").fetchone()[0]

    def rows(self) -> Iterator[tuple[int, str, str, str]]:
        return self._conn.execute(
            f"SELECT f.doc, f.words, f.links, f.cover {self._FROM} ORDER BY f.doc"
        )

    def links(self) -> Iterator[tuple[int, str]]:
        return self._conn.execute(f"SELECT f.doc, f.links {self._FROM} ORDER BY f.doc")

    def dated(self) -> Iterator[tuple[int, int, str, str]]:
        # In the order of the date index (its ties by row): read as it is, not sorted.
        return self._conn.execute(
            f"SELECT f.doc, d.date_us, f.words, f.cover {self._FROM} "
            "WHERE d.date_us IS NOT NULL ORDER BY d.date_us, d.doc"
        )


def clear(conn: sqlite3.Connection) -> None:
    """Forget the stories kept (before they are computed again)."""
    conn.execute("DELETE FROM stories")
    conn.execute("DELETE FROM story_docs")
    conn.execute("DELETE FROM meta WHERE key = 'stories'")


def add(
    conn: sqlite3.Connection,
    stories: Iterable[tuple[int, str, int, int, str]],
    members: Iterable[tuple[int, int, str | None]],
) -> None:
    """Keep stories, as (number, id, documents, articles, summary as JSON), and which story
    each document (row) is in and why, as (row, number, reason as JSON)."""
    conn.executemany(
        "INSERT INTO stories (story, id, documents, articles, summary) VALUES (?, ?, ?, ?, ?)",
        stories,
    )
    conn.executemany("INSERT INTO story_docs (doc, story, reason) VALUES (?, ?, ?)", members)


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
