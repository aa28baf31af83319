"""Stories read from the snapshot: listed biggest first under the filters, counted, one told
whole with its timeline; computed again (`newsq.index.grouping`) when the snapshot
changed since they were, or another window is asked for."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from newsq.index import grouping
from newsq.index.records import records
from newsq.index.results import Story, StoryReason, TimelineEntry
from newsq.model import QueryError, address
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
    threshold: float = grouping.SIMILARITY,
) -> Iterator[Story]:
    """`Index.stories`, one at a time as SQLite reads them."""
    fresh(snapshot, window, threshold)
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
    threshold: float = grouping.SIMILARITY,
) -> int:
    """How many stories `stories` lists with no limit."""
    fresh(snapshot, window, threshold)
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
    snapshot: Snapshot, doc_id: str, *, window: float, threshold: float = grouping.SIMILARITY
) -> Story:
    """The story of a document, as `stories` lists it. Raises KeyError for an unknown id."""
    fresh(snapshot, window, threshold)
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


def fresh(snapshot: Snapshot, window: float, threshold: float = grouping.SIMILARITY) -> None:
    """Compute the stories if the snapshot changed since they were, or for another window
    or threshold."""
    if not window > 0:  # (NaN too)
        raise QueryError("--window", str(window), "must be more than 0 days")
    if not 0 < threshold <= 1:  # (NaN too)
        raise QueryError("--threshold", str(threshold), "must be more than 0 and at most 1")
    stamp = [snapshot.generation(), window, threshold, grouping.VERSION]
    if stored.stamp(snapshot.conn) == stamp:
        return
    with snapshot.writing() as conn:
        stamp[0] = snapshot.generation()  # another run may have done it meanwhile
        if stored.stamp(conn) != stamp:
            _build(conn, stamp, window, threshold)


def _build(
    conn: sqlite3.Connection, stamp: Sequence[object], window: float, threshold: float
) -> None:
    """Group every document of the snapshot into stories and keep them, with what each
    says (`grouping.summary`) and why each document is in its story, in place of those
    kept before."""
    grouped = grouping.grouping(stored.Features(conn), window, threshold)
    reasons = grouped.reasons
    stored.clear(conn)
    number = 0
    for batch in _batches(
        grouped.components()
    ):  # a few hundred documents at a time, read and written
        documents, coverage = stored.gather(conn, [doc for component in batch for doc in component])
        kept, members = [], []
        for component in batch:
            story = grouping.summary(
                [documents[d][0] for d in component],
                grouping.articles(
                    [documents[d][1] for d in component], _coverage(component, coverage)
                ),
            )
            number += 1
            text = json.dumps(story.to_json(), ensure_ascii=False, separators=(",", ":"))
            kept.append((number, story.id, len(component), story.articles, text))
            ids = {d: documents[d][0].id for d in component}
            members.extend((doc, number, _reason(reasons.get(doc), ids)) for doc in component)
        stored.add(conn, kept, members)
    stored.mark(conn, stamp)


def _reason(reason: grouping.Reason | None, ids: Mapping[int, str]) -> str | None:
    """A reason as the snapshot keeps it: JSON, with the partner's id."""
    if reason is None:
        return None
    told: dict[str, Any] = {"kind": reason.kind, "partner": ids.get(reason.partner or -1)}
    if reason.kind == "wording":
        told |= {"similarity": reason.similarity, "words": list(reason.words)}
        if reason.cohesion is not None:
            told["cohesion"] = reason.cohesion
    else:
        told["address"] = reason.address
    return json.dumps(told, ensure_ascii=False, separators=(",", ":"))


def _batches(components: Iterable[list[int]], size: int = 400) -> Iterable[list[list[int]]]:
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
