"""Stories read from the snapshot: listed biggest first under the filters, counted, one told
whole with its timeline; computed again (`newsq.index.grouping`) when the snapshot
changed since they were, or another window is asked for."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from newsq.index import grouping
from newsq.index.meaning import encoder
from newsq.index.records import records
from newsq.index.results import Story, StoryReason, TimelineEntry
from newsq.model import DAY_US, QueryError, address
from newsq.query.filters import Filter, condition, sql_int, sql_limit
from newsq.store import stories as stored
from newsq.store.rows import stored_timestamp
from newsq.store.snapshot import Snapshot
from newsq.store.stories import Article


def stories(
    snapshot: Snapshot,
    where: Filter,
    *,
    window: float,
    min_documents: int | None,
    min_articles: int | None,
    limit: int | None,
    threshold: float | None = None,
    meaning: bool = False,
) -> Iterator[Story]:
    """`Index.stories`, one at a time as SQLite reads them."""
    fresh(snapshot, window, threshold, meaning)
    sql, params = _stories_sql(snapshot, where, min_documents, min_articles, "s.summary")
    sql += " ORDER BY s.articles DESC, s.documents DESC, s.id"
    limit = sql_limit(limit)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    for (text,) in snapshot.conn.execute(sql, params):
        yield Story.from_json(json.loads(text))


def count(
    snapshot: Snapshot,
    where: Filter,
    *,
    window: float,
    min_documents: int | None,
    min_articles: int | None,
    threshold: float | None = None,
    meaning: bool = False,
) -> int:
    """How many stories `stories` lists with no limit."""
    fresh(snapshot, window, threshold, meaning)
    sql, params = _stories_sql(snapshot, where, min_documents, min_articles, "COUNT(*)")
    return snapshot.conn.execute(sql, params).fetchone()[0]


def _stories_sql(
    snapshot: Snapshot,
    where: Filter,
    min_documents: int | None,
    min_articles: int | None,
    columns: str,
) -> tuple[str, list[Any]]:
    bounds = [
        (f"s.{column} >= ?", sql_int(value))
        for column, value in (("documents", min_documents), ("articles", min_articles))
        if value is not None
    ]
    clauses = [f"({' OR '.join(sql for sql, _ in bounds)})"] if bounds else []
    params: list[Any] = [value for _, value in bounds]
    clause, values = condition(where)
    if clause:
        clauses.append(
            f"s.story IN (SELECT k.story FROM story_docs k JOIN docs d ON d.doc = k.doc {clause})"
        )
        params.extend(values)
    sql = f"SELECT {columns} FROM stories s"
    if clauses:
        sql += f" WHERE {' AND '.join(clauses)}"
    return sql, params


def story_of(
    snapshot: Snapshot,
    doc_id: str,
    *,
    window: float,
    threshold: float | None = None,
    meaning: bool = False,
) -> Story:
    """The story of a document, as `stories` lists it. Raises KeyError for an unknown id."""
    fresh(snapshot, window, threshold, meaning)
    row = snapshot.conn.execute(
        "SELECT s.summary FROM docs d JOIN story_docs k ON k.doc = d.doc "
        "JOIN stories s ON s.story = k.story WHERE d.id = ?",
        (doc_id,),
    ).fetchone()
    if row is None:
        raise KeyError(doc_id)
    return Story.from_json(json.loads(row[0]))


def told(snapshot: Snapshot, story: Story, *, explain: bool = False) -> Story:
    """`story` with its timeline: every distinct article in date order (undated last);
    with `explain`, why each of its documents is in it, in the order of `documents`."""
    reports = _reports(snapshot.conn, story)
    found = records(snapshot.conn, [report.id for report in reports])
    timeline = tuple(
        TimelineEntry(
            id=report.id,
            published=stored_timestamp(report.date_us),
            outlet=report.outlet,
            title=report.title,
            url=address(record),
            document=report.document,
        )
        for report, record in zip(reports, found, strict=True)
    )
    reasons = _reasons(snapshot.conn, story) if explain else None
    return dataclasses.replace(story, timeline=timeline, reasons=reasons)


def _reasons(conn: sqlite3.Connection, story: Story) -> tuple[StoryReason, ...]:
    kept = stored.reasons(conn, story.documents)
    found = []
    for doc_id in story.documents:
        text = kept.get(doc_id)
        told = json.loads(text) if text else {"kind": "alone"}
        found.append(
            StoryReason(
                document=doc_id,
                kind=told["kind"],
                partner=told.get("partner"),
                similarity=told.get("similarity"),
                words=tuple(told.get("words", ())),
                address=told.get("address"),
                cohesion=told.get("cohesion"),
                meaning=told.get("meaning"),
                nearest=told.get("nearest", False),
            )
        )
    return tuple(found)


def _reports(conn: sqlite3.Connection, story: Story) -> list[Article]:
    marks = ", ".join("?" * len(story.documents))
    docs = [
        doc
        for (doc,) in conn.execute(
            f"SELECT doc FROM docs WHERE id IN ({marks}) ORDER BY doc", story.documents
        )
    ]
    documents, coverage = stored.gather(conn, docs)
    return grouping.articles([documents[d][1] for d in docs], _coverage(docs, coverage))


#: At most this many documents changed since the stories were computed (gone, new or
#: parsed again) are looked at one by one (`_refresh`); more, and they are computed again.
CHANGED_AT_MOST = 1000


def threshold_for(threshold: float | None, meaning: bool) -> float:
    """The threshold asked for, else the default of wording alone or with meaning."""
    if threshold is not None:
        return threshold
    return grouping.MEANING_SIMILARITY if meaning else grouping.SIMILARITY


def fresh(
    snapshot: Snapshot, window: float, threshold: float | None = None, meaning: bool = False
) -> None:
    """Compute the stories if the snapshot changed since they were, or for another window,
    threshold, or with meaning or without."""
    threshold = threshold_for(threshold, meaning)
    if not window > 0:  # (NaN too)
        raise QueryError("--window", str(window), "must be more than 0 days")
    if not 0 < threshold <= 1:  # (NaN too)
        raise QueryError("--threshold", str(threshold), "must be more than 0 and at most 1")
    stamp: list[object] = [snapshot.generation(), window, threshold, grouping.VERSION]
    if meaning:  # meaning's share and its nearest's (numbers only: the snapshot's schema
        # checks the stamp); without meaning, the stamp is as it was before it
        stamp += [grouping.MEANING_WEIGHT, grouping.NEAREST_SHARE]
    if stored.stamp(snapshot.conn) == stamp:
        return
    encode = encoder() if meaning else None  # (before writing: a missing model says so)
    with snapshot.writing() as conn:
        stamp[0] = snapshot.generation()  # another run may have done it meanwhile
        kept = stored.stamp(conn)
        if kept == stamp:
            return
        if kept is None or kept[1:] != stamp[1:] or not _refresh(conn, stamp, window, meaning):
            _build(conn, stamp, window, threshold, encode)


def _build(
    conn: sqlite3.Connection,
    stamp: Sequence[object],
    window: float,
    threshold: float,
    encode: Callable[[list[str]], Sequence[Sequence[float]]] | None = None,
) -> None:
    """Group every document of the snapshot into stories and keep them, with what each
    says (`grouping.summary`) and why each document is in its story, in place of those
    kept before; by meaning too with `encode`."""
    features = stored.Features(conn)
    meaning = remembered = None
    if encode is not None:
        remembered = _Remembered(conn, encode)
        meaning = grouping.Meaning(remembered, remembered.texts)
    grouped = grouping.grouping(features, window, threshold, meaning)
    if remembered is not None:
        stored.forget_meanings_but(conn, set(remembered.keys.values()))
    reasons, digests = grouped.reasons, features.digests
    stored.clear(conn)
    numbered = enumerate(grouped.components(), start=1)
    for batch in _batches(numbered):  # a few hundred documents at a time, read and written
        docs = [doc for _, members in batch for doc in members]
        versions = dict(stored.versions(conn, docs))
        kept_as = _kept_digests(
            conn,
            {doc: digests[doc] for doc in docs},
            None if remembered is None else remembered.keys,
        )
        kept, documents = _summaries(conn, batch)
        members = []
        for number, component in batch:
            ids = {d: documents[d][0].id for d in component}
            members.extend(
                (doc, number, _reason(reasons.get(doc), ids), kept_as[doc], versions[doc])
                for doc in component
            )
        stored.add(conn, kept, members)
    stored.mark(conn, stamp)


class _Remembered:
    """An encoder that encodes only the texts whose embeddings the snapshot does not keep
    (`stored.known_meanings`), and keeps those it encodes: after a few files changed,
    grouping by meaning again encodes their texts, not the corpus's (the model encodes
    about 60 documents a second). `texts` reads documents' texts for it, and `keys`
    keeps each one's key (`_meaning_key`), by row."""

    def __init__(
        self, conn: sqlite3.Connection, encode: Callable[[list[str]], Sequence[Sequence[float]]]
    ) -> None:
        self._conn = conn
        self._encode = encode
        # The length of the model's vectors (else of the first one seen): a kept one of
        # another length is encoded again, so that vectors of two lengths never meet.
        self._size: int | None = getattr(encode, "dimensions", None)
        self.keys: dict[int, int] = {}

    def texts(self, docs: Sequence[int]) -> dict[int, str]:
        found = stored.texts(self._conn, docs)
        self.keys.update((doc, _meaning_key(text)) for doc, text in found.items())
        return found

    def __call__(self, texts: list[str]) -> list[Any]:
        import numpy

        keys = [_meaning_key(text) for text in texts]
        known = stored.known_meanings(self._conn, keys)
        found: list[Any] = [self._kept(known.get(key), numpy) for key in keys]
        missing = [i for i, vector in enumerate(found) if vector is None]
        if missing:
            vectors = numpy.asarray(self._encode([texts[i] for i in missing]), dtype=numpy.float32)
            for i, vector in zip(missing, vectors, strict=True):
                found[i] = vector
            stored.keep_meanings(self._conn, ((keys[i], found[i].tobytes()) for i in missing))
        return found

    def _kept(self, blob: bytes | None, numpy: Any) -> Any:
        """A kept embedding, if it is one of this model's length (the first sets it)."""
        if not isinstance(blob, bytes) or not blob or len(blob) % 4:
            return None
        if self._size is None:
            self._size = len(blob) // 4
        return numpy.frombuffer(blob, dtype=numpy.float32) if len(blob) == 4 * self._size else None


#: The model a kept embedding is of: part of its text's key.
MEANING_MODEL = "all-MiniLM-L6-v2"


def _meaning_key(text: str) -> int:
    """What a text's embedding is kept by: a digest of the model and the text."""
    return stored.digest(MEANING_MODEL, text)


def _kept_digests(
    conn: sqlite3.Connection, digests: Mapping[int, int], meaning: Mapping[int, int] | None
) -> dict[int, int]:
    """What each of these documents' stories are kept against, by row: the digest of
    what grouping reads of it (`digests`), and with meaning (each document's text's
    `_meaning_key`, as grouping read them; the others' read here) of the text the model
    reads too: a title changed only in case or punctuation has the same words, not the
    same text to encode."""
    if meaning is None:
        return dict(digests)
    unread = [doc for doc in digests if doc not in meaning]  # (undated: not grouped by it)
    keys = {doc: _meaning_key(text) for doc, text in stored.texts(conn, unread).items()}
    keys.update((doc, meaning[doc]) for doc in digests if doc in meaning)
    return {doc: stored.digest(found, keys.get(doc, 0)) for doc, found in digests.items()}


def _refresh(
    conn: sqlite3.Connection, stamp: Sequence[object], window: float, meaning: bool = False
) -> bool:
    """Bring the stories kept up to date with a few documents parsed again, if grouping
    reads of each what it read before (with `meaning`, the text it encoded too); False
    (nothing done) otherwise.

    Word weights are learnt from the whole corpus: a document of other words, another
    date or other addresses, or one added or gone, changes every weight, and so
    possibly any story; that takes grouping them all again. A document whose file
    changed elsewhere (its body, its topics, its quality) is grouped as before: it keeps
    its row, and its stories are kept as they are. (A document that comes back at
    another row, a file renamed that names its id, is kept when the new row changes no
    order grouping looks at, since grouping takes ties by row: below.) Then only the
    summaries of its stories are told again (they say its title, its topics, its
    quality…).
    """
    found = stored.changed(conn, CHANGED_AT_MOST)
    if found is None:
        return False
    gone, added = found
    if not gone and not added:  # (a file without a document changed, say)
        stored.mark(conn, stamp)
        return True
    new = stored.features_of(conn, added)
    digests = _kept_digests(
        conn, {doc: stored.digest(*new[doc]) for doc in added}, {} if meaning else None
    )
    now = {found: doc for doc, found in digests.items()}
    moved = {old.doc: now.get(old.digest) for old in gone}
    if len(gone) != len(added) or len(now) != len(added) or None in moved.values():
        return False
    if not _same_order(conn, gone, moved, new, window):
        return False
    stored.forget(conn, moved)
    versions = dict(stored.versions(conn, added))
    stored.add(
        conn,
        [],
        [
            (moved[old.doc], old.story, old.reason, old.digest, versions[moved[old.doc]])
            for old in gone
        ],
    )
    told = stored.members(conn, {old.story for old in gone})
    for batch in _batches(sorted(told.items())):
        stored.add(conn, _summaries(conn, batch)[0], [])
    stored.mark(conn, stamp)
    return True


def _same_order(
    conn: sqlite3.Connection,
    gone: Sequence[stored.Kept],
    moved: Mapping[int, int | None],
    new: Mapping[int, tuple[str, int | None, str, str, str]],
    window: float,
) -> bool:
    """Whether grouping takes every document moved to a new row (`moved`, old row: new
    row) in the order it took it in before. Grouping compares rows (a) within a story
    (which document of a story comes first: whom a link names, which story's sums take
    the other's), (b) between documents of one date (date order), and (c) between two
    documents exactly as alike as each other to a third (the most alike first, then by
    row), which in floating point takes twins: the same words and coverage. A document
    whose file was parsed again keeps its row (`FileNumbers`): only one that moved (a
    file renamed, say) can change an order."""
    gone = [old for old in gone if moved[old.doc] != old.doc]
    stories = [old.story for old in gone]
    if len(set(stories)) != len(stories):
        return False  # two documents of one story moved: their own order may change
    members = stored.members(conn, stories)
    dates = set()
    for old in gone:
        doc = moved[old.doc]
        assert doc is not None
        low, high = min(old.doc, doc), max(old.doc, doc)
        if any(other > low for other in members[old.story] if other != old.doc):
            return False  # (a): the last of its story before and after, or no longer
        _, date_us, words, _, cover = new[doc]
        if date_us is None:
            continue  # compared by its addresses only
        if date_us in dates or stored.same_date_between(conn, date_us, low, high):
            return False  # (b)
        dates.add(date_us)
        span = window * DAY_US
        if stored.twin_within(conn, doc, words, cover, date_us - span, date_us + span):
            return False  # (c)
    return True


def _summaries(
    conn: sqlite3.Connection, batch: Sequence[tuple[int, list[int]]]
) -> tuple[list[tuple[int, str, int, int, str]], dict[int, tuple[stored.Document, Article]]]:
    """The stories of a batch as kept, (number, id, documents, articles, summary as
    JSON), from their numbers and documents (rows, ascending), and their documents."""
    documents, coverage = stored.gather(conn, [doc for _, members in batch for doc in members])
    kept = []
    for number, component in batch:
        story = grouping.summary(
            [documents[d][0] for d in component],
            grouping.articles([documents[d][1] for d in component], _coverage(component, coverage)),
        )
        text = json.dumps(story.to_json(), ensure_ascii=False, separators=(",", ":"))
        kept.append((number, story.id, len(component), story.articles, text))
    return kept, documents


def _reason(reason: grouping.Reason | None, ids: Mapping[int, str]) -> str | None:
    """A reason as the snapshot keeps it: JSON, with the partner's id."""
    if reason is None:
        return None
    told: dict[str, Any] = {"kind": reason.kind, "partner": ids.get(reason.partner or -1)}
    if reason.kind == "wording":
        told |= {"similarity": reason.similarity, "words": list(reason.words)}
        if reason.cohesion is not None:
            told["cohesion"] = reason.cohesion
        if reason.meaning is not None:
            told["meaning"] = reason.meaning
        if reason.nearest:
            told["nearest"] = True
    else:
        told["address"] = reason.address
    return json.dumps(told, ensure_ascii=False, separators=(",", ":"))


def _batches(
    stories: Iterable[tuple[int, list[int]]], size: int = 400
) -> Iterable[list[tuple[int, list[int]]]]:
    """Numbered stories, (number, documents), in groups of about `size` documents (a
    bigger one alone)."""
    batch: list[tuple[int, list[int]]] = []
    count = 0
    for number, component in stories:
        if batch and count + len(component) > size:
            yield batch
            batch, count = [], 0
        batch.append((number, component))
        count += len(component)
    if batch:
        yield batch


def _coverage(docs: Iterable[int], coverage: Mapping[int, list[Article]]) -> list[Article]:
    return [article for doc in docs for article in coverage.get(doc, ())]
