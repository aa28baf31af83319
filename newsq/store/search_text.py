"""The text the full-text index reads of a document or related article, one field per
column: what ingest indexes, and what the index reads back (passages, `newsq sql`'s
snippets, exports, and the words of a row taken out of the index when its file
changes). One function for both, so the two cannot differ.

The snapshot keeps no copy of that text. FTS5 kept one (`search_content`: 13 % of
a snapshot of 100,000 documents, 187 MB); now `search` is an external-content
table over the view `search_text`, which derives each row's text from what the
snapshot stores anyway (the light columns and the record) with `SEARCH_TEXT(...)`,
this module's function. A view may call it only on a connection whose schema is
trusted (`PRAGMA trusted_schema = ON`), which a snapshot's connection turns on once
it has checked that the schema is exactly newsq's (`snapshot.verified`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from newsq.store.schema import HIGHLIGHT_END, HIGHLIGHT_START, SEARCH_TEXT, TOPIC_BREAK

#: The text of one row of the index: title, excerpt, provider, topics, body.
SearchText = tuple[str, str, str, str, str]

_NO_MARKS = str.maketrans({HIGHLIGHT_START: " ", HIGHLIGHT_END: " "})


def search_text(
    title: str, excerpt: Any, provider_name: str | None, topics: Sequence[str], body: str
) -> SearchText:
    """The text search reads of an article: `excerpt` as its record holds it (any JSON
    value: only text is read), `body` the document's (empty for related articles).

    An excerpt or body in HTML is read as the text a reader sees (`visible_text`: no
    tags, entities decoded), so that markup is never a word nor in a passage. The
    highlight marks are taken out (they are controls: no word changes), so a
    snippet's marks are always the search's own.
    """
    # Imported here: every snapshot's connection registers this module's function, and
    # `html.parser` is 3 ms of a warm run that indexes and reads no text.
    from newsq.store.visible import visible_text

    text = (
        title,
        visible_text(excerpt) if isinstance(excerpt, str) else "",
        provider_name or "",
        TOPIC_BREAK.join(topics),
        visible_text(body),
    )
    for t in text:  # (a loop: `any()` of a generator cost more than the test itself)
        if HIGHLIGHT_START in t or HIGHLIGHT_END in t:
            return tuple(t.translate(_NO_MARKS) for t in text)  # type: ignore[return-value]
    return text


def stored_search_text(
    title: str, provider_name: str | None, topics_json: str, record_json: str, n: int | None
) -> SearchText:
    """`search_text` of a row as the snapshot stores it: a document's (`n` None) from
    its light columns and record, or its `n`th related article's, whose title and
    provider are the article's, and whose topics are its document's."""
    record = json.loads(record_json)
    topics = json.loads(topics_json)
    if n is None:
        return search_text(
            title, record.get("excerpt"), provider_name, topics, record.get("body", "")
        )
    items = record.get("related")
    item = items[n - 1] if isinstance(items, list) and 0 < n <= len(items) else None
    excerpt = item.get("excerpt") if isinstance(item, dict) else None
    return search_text(title, excerpt, provider_name, topics, "")


def register_search_text(conn: sqlite3.Connection) -> None:
    """Make `SEARCH_TEXT(column, title, provider_name, topics, record, n)` one column of
    `stored_search_text` in `conn`'s SQL. The view calls it once per column of a row:
    the row's text is computed once and kept for the next four.

    A row it cannot read (a damaged record) is read as no text: a passage without
    words, never an error in the middle of a query."""
    last: list[Any] = [None, ("",) * 5]

    def column(
        number: int, title: str, provider_name: str | None, topics: str, record: str, n: int | None
    ) -> str:
        key = (title, provider_name, topics, record, n)
        if key != last[0]:
            try:
                text = stored_search_text(title, provider_name, topics, record, n)
            except (ValueError, TypeError, AttributeError):
                text = ("",) * 5
            last[:] = [key, text]
        return last[1][number]

    conn.create_function(SEARCH_TEXT, 6, column, deterministic=True)
