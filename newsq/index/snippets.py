"""The passage of a search hit that matches, with its matched words marked.

FTS5's `snippet()` finds it; a long text is looked at chunk by chunk, since
`snippet()` takes time in the square of a column's matches.
"""

from __future__ import annotations

import sqlite3

from newsq.store.schema import FTS_COLUMNS, HIGHLIGHT_END, HIGHLIGHT_START, scratch_passages

#: Words in a snippet, at most.
SNIPPET_WORDS = 20
#: Characters beyond which a column's passage is found chunk by chunk (`_long_passage`).
LONG_TEXT = 20_000
#: Words in one such chunk.
CHUNK_WORDS = 1_000
# snippet()'s arguments after the column: the marks, the ellipsis, the words.
_MARKS = f"'{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', {SNIPPET_WORDS}"
_EXCERPT, _BODY = FTS_COLUMNS.index("excerpt"), FTS_COLUMNS.index("body")

#: A passage and the [start, end) of each matched word in it, in characters.
Passage = tuple[str, tuple[tuple[int, int], ...]]


def snippet(db: sqlite3.Connection, match: str | None, rowid: int) -> Passage:
    """The excerpt's passage with the most words matching `match` (an FTS5 expression);
    the body's when only it matches; else the excerpt's (or body's) beginning (also
    when `match` is None: a query of exclusions only)."""
    if match is None:
        excerpt, body = db.execute(
            "SELECT excerpt, body FROM search WHERE rowid = ?", (rowid,)
        ).fetchone()
        return lead(excerpt or body), ()
    lengths = db.execute(
        "SELECT length(excerpt), length(body) FROM search WHERE rowid = ?", (rowid,)
    ).fetchone()
    if max(n or 0 for n in lengths) <= LONG_TEXT:
        excerpt, body = db.execute(
            f"SELECT snippet(search, {_EXCERPT}, {_MARKS}), snippet(search, {_BODY}, {_MARKS}) "
            "FROM search WHERE search MATCH ? AND rowid = ?",
            (match, rowid),
        ).fetchone()
    else:
        excerpt, body = (_long_passage(db, match, rowid, c) for c in (_EXCERPT, _BODY))
    for passage in (excerpt, body):
        if HIGHLIGHT_START in passage:
            return _highlights(passage)
    return _highlights(excerpt or body)


def _long_passage(db: sqlite3.Connection, match: str, rowid: int, column: int) -> str:
    """The passage of one column of a long text, taken from its best chunk.

    FTS5's `snippet()` takes time in the square of a column's matches: a hostile
    10 MB body of one repeated word would take hours. So the column is cut into
    chunks of `CHUNK_WORDS` words, put in a scratch full-text table (in memory,
    beside the rest of the document, so the query reads alike), and the passage is
    the snippet of the chunk that ranks best.
    """
    row = db.execute(f"SELECT {', '.join(FTS_COLUMNS)} FROM search WHERE rowid = ?", (rowid,))
    values = list(row.fetchone())
    words = (values[column] or "").split()
    if len(words) <= CHUNK_WORDS:  # long in characters only: one chunk is the column
        chunks = [values[column] or ""]
    else:
        chunks = [" ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words), CHUNK_WORDS)]
    passages = scratch_passages(db)
    marks = ", ".join("?" * len(values))
    rows = ([*values[:column], chunk, *values[column + 1 :]] for chunk in chunks)
    db.executemany(f"INSERT INTO {passages} VALUES ({marks})", rows)
    best = db.execute(
        f"SELECT rowid, snippet(passages, {column}, {_MARKS}) FROM {passages} "
        "WHERE passages MATCH ? ORDER BY rank LIMIT 1",
        (match,),
    ).fetchone()
    db.execute(f"DELETE FROM {passages}")
    if best is None:  # no one chunk matches (`a b`, with a and b far apart)
        return lead(chunks[0])
    number, passage = best[0] - 1, best[1]  # rowids count from 1
    if number > 0 and not passage.startswith("…"):
        passage = "…" + passage
    if number < len(chunks) - 1 and not passage.endswith("…"):
        passage += "…"
    return passage


def _highlights(passage: str) -> Passage:
    """A snippet without its marks, on one line, and where the marked words are in it."""
    passage = " ".join(passage.split())  # the marks are not white space: they stay
    text: list[str] = []
    spans = []
    length = 0
    for number, part in enumerate(passage.split(HIGHLIGHT_START)):
        if number:
            word, _, rest = part.partition(HIGHLIGHT_END)
            spans.append((length, length + len(word)))
            text.append(word)
            length += len(word)
            part = rest
        text.append(part)
        length += len(part)
    return "".join(text), tuple(spans)


def lead(text: str) -> str:
    """The first words of a text, as a snippet with nothing matched."""
    words = text.split()
    lead = " ".join(words[:SNIPPET_WORDS])  # on one line, as `_highlights` makes snippets
    return lead + "…" if len(words) > SNIPPET_WORDS else lead
