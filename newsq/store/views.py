"""The documented SQL views of a corpus: the stable face of the snapshot that `newsq sql`
queries and `newsq export --format sqlite` writes out.

The snapshot's tables (`newsq.store.schema`) change from one version to the next;
these views do not: their names, columns and meanings are an API, listed by
`newsq sql --schema`, the README, and pinned by the tests. Each view is one SELECT
over the snapshot's tables, written here once with a line on each column:

- `documents`: one row per document;
- `topics`: one row per topic of a document;
- `related`: one row per article of a document's related coverage;
- `images`: one row per item of a document's `images` list;
- `search`: the full-text index, one row per document and related article, with
  its BM25 score once a query is matched (`WHERE search MATCH '…'`).

They are pure SQL (SQLite's JSON functions and FTS5, nothing of Python's), so an
exported database answers the same queries in any SQLite client. Dates are the
ones newsq reads (`--since`, `stats`): ISO 8601 text in UTC, and whole seconds
since 1970 as a number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newsq.store.schema import FTS_COLUMNS, RECORD_TEXT, RELATED_ROWS, SEARCH_TEXT_VIEW

#: A document's record as JSON (stored packed: `newsq.store.rows.RecordCodec`).
_RECORD = f"{RECORD_TEXT}(r.packed)"

#: The FTS5 table of the snapshot, and the suffixes of the tables FTS5 keeps it in
#: (`search_data`, …): SQLite reads those on its own when a query matches.
FTS_TABLE = "search"
FTS_SHADOW_SUFFIXES = ("data", "idx", "content", "docsize", "config")
#: The full-text table of an exported database (`search` is the view there).
EXPORT_FTS_TABLE = "search_words"


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a view: its name, its SQLite type, what it holds, and its SQL (over
    the view's tables)."""

    name: str
    type: str
    description: str
    sql: str


@dataclass(frozen=True, slots=True)
class View:
    """A documented view: what one row is, its columns, and how it is read.

    `source` is the FROM clause, with `{s}` for the schema of the snapshot's tables;
    `owner` the row (`docs.doc`) of the document a row belongs to, which filters
    restrict; `key` a number for the row, unique in the view, kept as the rowid of
    an exported table (None: no rowid worth keeping); `where` a condition every row
    meets.
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    source: str
    owner: str
    key: str | None = None
    where: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# --- SQL pieces ------------------------------------------------------------------------


def iso_sql(us: str) -> str:
    """ISO 8601 text in UTC (`2020-06-11T20:54:00Z`; microseconds only when there are some,
    as newsq's JSON writes them) of a column of microseconds since 1970."""
    micro = f"(({us} % 1000000) + 1000000) % 1000000"  # never negative, before 1970 too
    return (
        f"CASE WHEN {us} IS NOT NULL THEN "
        f"strftime('%Y-%m-%dT%H:%M:%S', ({us} - {micro}) / 1000000, 'unixepoch') || "
        f"CASE WHEN {micro} = 0 THEN 'Z' ELSE printf('.%06dZ', {micro}) END END"
    )


def epoch_sql(us: str) -> str:
    """Whole seconds since 1970 (rounded down) of a column of microseconds."""
    return f"({us} - (({us} % 1000000) + 1000000) % 1000000) / 1000000"


def _text(json: str, path: str) -> str:
    """The value at `path` of a JSON text when it is text, else NULL (a title that is a
    number is not a title)."""
    return f"CASE json_type({json}, '{path}') WHEN 'text' THEN json_extract({json}, '{path}') END"


def _number(json: str, path: str) -> str:
    """The value at `path` of a JSON text when it is a number, else NULL."""
    return (
        f"CASE WHEN json_type({json}, '{path}') IN ('integer', 'real') "
        f"THEN json_extract({json}, '{path}') END"
    )


def _address(json: str) -> str:
    """An article's address, as `newsq.model.address` picks it: its webUrl, else
    originalUrl, else ampWebUrl, whichever is first text that is not blank."""
    picks = " ".join(
        f"WHEN json_type({json}, '$.{name}') = 'text' "
        f"AND trim(json_extract({json}, '$.{name}')) <> '' THEN json_extract({json}, '$.{name}')"
        for name in ("webUrl", "originalUrl", "ampWebUrl")
    )
    return f"CASE {picks} END"


_ITEM = f"json_extract({_RECORD}, '$.related[' || (a.n - 1) || ']')"  # a related article's item

# --- the views --------------------------------------------------------------------------

DOCUMENTS = View(
    "documents",
    "one row per document",
    (
        Column("id", "TEXT", "the document's id (its path in the corpus, no extension)", "d.id"),
        Column("path", "TEXT", "the file's absolute path", "d.path"),
        Column(
            "title",
            "TEXT",
            "its title (else its name); NULL when it has neither",
            "NULLIF(d.title, '')",
        ),
        Column("excerpt", "TEXT", "its excerpt, when it is text", _text(_RECORD, "$.excerpt")),
        Column(
            "date",
            "TEXT",
            "its publishedDateTime (else date) as newsq reads it, ISO 8601 in UTC "
            "(2020-06-11T20:54:00Z); NULL when absent or unreadable",
            iso_sql("d.date_us"),
        ),
        Column(
            "epoch",
            "INTEGER",
            "the same date in whole seconds since 1970-01-01 UTC",
            epoch_sql("d.date_us"),
        ),
        Column("provider_name", "TEXT", "the provider's name", "d.provider_name"),
        Column("provider_domain", "TEXT", "the provider's domain", "d.provider_domain"),
        Column("type", "TEXT", "its type (article, video, …)", "d.type"),
        Column("category", "TEXT", "its category", "d.category"),
        Column("quality", "NUMERIC", "its quality, when a number", "d.quality"),
        Column("heat", "NUMERIC", "its heat, when a number (-1 means none)", "d.heat"),
        Column("published", "INTEGER", "1 published, 0 not, NULL when not said", "d.published"),
        Column(
            "url",
            "TEXT",
            "its address: webUrl, else originalUrl, else ampWebUrl",
            _address(_RECORD),
        ),
        Column(
            "topics",
            "TEXT",
            "its topics, a JSON array of text (one row each in topics)",
            "d.topics",
        ),
        Column(
            "related_count", "INTEGER", "how many articles its related coverage lists", "d.related"
        ),
        Column(
            "body",
            "TEXT",
            "the text after the front matter; NULL when blank",
            _text(_RECORD, "$.body"),
        ),
        Column(
            "record",
            "TEXT",
            "the whole lossless record, as JSON (what newsq show --json prints)",
            _RECORD,
        ),
    ),
    "{s}.docs d LEFT JOIN {s}.records r ON r.doc = d.doc",
    owner="d.doc",
    key="d.doc",
)

TOPICS = View(
    "topics",
    "one row per topic of a document",
    (
        Column("document", "TEXT", "the document's id", "d.id"),
        Column(
            "position", "INTEGER", "the topic's place in the document's list, from 1", "t.key + 1"
        ),
        Column(
            "topic",
            "TEXT",
            "the topic, as written (compare with COLLATE NOCASE for any case)",
            "t.value",
        ),
    ),
    "{s}.docs d, json_each(d.topics) t",
    owner="d.doc",
)

RELATED = View(
    "related",
    "one row per article of a document's related coverage (an item that is not a mapping has none)",
    (
        Column("document", "TEXT", "the id of the document listing it", "p.id"),
        Column("position", "INTEGER", "its place in that document's related list, from 1", "a.n"),
        Column("id", "TEXT", "its id, DOCUMENT#POSITION (newsq show takes it)", "a.id"),
        Column("title", "TEXT", "its title; NULL when it has none", "NULLIF(t.title, '')"),
        Column("excerpt", "TEXT", "its excerpt, when it is text", _text(_ITEM, "$.excerpt")),
        Column(
            "url", "TEXT", "its address: webUrl, else originalUrl, else ampWebUrl", _address(_ITEM)
        ),
        Column(
            "date",
            "TEXT",
            "its own publishedDateTime (else date), ISO 8601 in UTC",
            iso_sql("a.date_us"),
        ),
        Column(
            "epoch",
            "INTEGER",
            "the same date in whole seconds since 1970-01-01 UTC",
            epoch_sql("a.date_us"),
        ),
        Column("provider_name", "TEXT", "its provider's name", "t.provider_name"),
        Column("provider_domain", "TEXT", "its provider's domain", "t.provider_domain"),
        Column("type", "TEXT", "its type", "t.type"),
        Column("category", "TEXT", "its category, else its document's", "t.category"),
        Column("quality", "NUMERIC", "its quality, when a number", "a.quality"),
        Column("heat", "NUMERIC", "its heat, else its document's", "a.heat"),
        Column(
            "published",
            "INTEGER",
            "1 published, 0 not (else its document's), NULL when neither says",
            "a.published",
        ),
        Column("record", "TEXT", "the item as written, as JSON", _ITEM),
    ),
    "{s}.related a JOIN {s}.related_text t ON t.doc = a.doc JOIN {s}.docs p ON p.doc = a.parent "
    "LEFT JOIN {s}.records r ON r.doc = a.parent",
    owner="a.parent",
    key="a.doc",
)

IMAGES = View(
    "images",
    "one row per item of a document's images list",
    (
        Column("document", "TEXT", "the document's id", "d.id"),
        Column("position", "INTEGER", "the image's place in the list, from 1", "i.key + 1"),
        Column(
            "url",
            "TEXT",
            "its address (the item itself when it is text)",
            "CASE i.type WHEN 'text' THEN i.value WHEN 'object' THEN "
            + _text("i.value", "$.url")
            + " END",
        ),
        Column(
            "width",
            "NUMERIC",
            "its width, when a number",
            "CASE i.type WHEN 'object' THEN " + _number("i.value", "$.width") + " END",
        ),
        Column(
            "height",
            "NUMERIC",
            "its height, when a number",
            "CASE i.type WHEN 'object' THEN " + _number("i.value", "$.height") + " END",
        ),
        Column(
            "title",
            "TEXT",
            "its title, when it has one",
            "CASE i.type WHEN 'object' THEN " + _text("i.value", "$.title") + " END",
        ),
        Column(
            "record",
            "TEXT",
            "the item as written, as JSON",
            "CASE WHEN i.type IN ('object', 'array') THEN i.value ELSE json_quote(i.value) END",
        ),
    ),
    f"{{s}}.docs d JOIN {{s}}.records r ON r.doc = d.doc, json_each({_RECORD}, '$.images') i",
    owner="d.doc",
    where=f"json_type({_RECORD}, '$.images') = 'array'",
)


def _search(fts: str, weights: Mapping[str, float], parent: str) -> tuple[Column, ...]:
    """The columns of `search` over the FTS5 table `fts`, BM25 weighted as `weights`;
    `parent` is the id of the document listing a related article."""
    bm25 = ", ".join(str(float(weights[column])) for column in FTS_COLUMNS)
    return (
        Column(
            "search",
            "TEXT",
            "what to match: WHERE search MATCH 'facial recognition' "
            f"(FTS5 syntax; columns {', '.join(FTS_COLUMNS)}); its value means nothing",
            f"s.{fts}",
        ),
        Column(
            "kind",
            "TEXT",
            "document, or related (an article of a document's related coverage)",
            f"CASE WHEN s.rowid < {RELATED_ROWS} THEN 'document' ELSE 'related' END",
        ),
        Column(
            "id",
            "TEXT",
            "the document's id, or the related article's (DOCUMENT#POSITION)",
            "COALESCE(d.id, a.id)",
        ),
        Column(
            "document",
            "TEXT",
            "the document's id (for a related article, of the document listing it)",
            f"COALESCE(d.id, {parent})",
        ),
        Column(
            "score",
            "REAL",
            "BM25 relevance as newsq search ranks it, higher is better (with MATCH only)",
            f"round(-bm25(s.{fts}, {bm25}), 6)",
        ),
        Column(
            "snippet",
            "TEXT",
            "the passage that matches (with MATCH only)",
            f"snippet(s.{fts}, -1, '', '', '…', 16)",
        ),
    )


def search_view(weights: Mapping[str, float]) -> View:
    """`search` over a snapshot: its FTS5 table, rows of documents and related articles.

    `weights` are the BM25 weights of the full-text columns (`newsq.index.ranking`
    owns them: the score is the one `newsq search` ranks by).
    """
    return View(
        "search",
        "the full-text index: one row per document and related article; match with "
        "WHERE search MATCH '…', best first with ORDER BY score DESC",
        _search(FTS_TABLE, weights, "p.id"),
        f"{{s}}.{FTS_TABLE} s LEFT JOIN {{s}}.docs d ON d.doc = s.rowid "
        f"LEFT JOIN {{s}}.related a ON a.doc = s.rowid - {RELATED_ROWS} "
        "LEFT JOIN {s}.docs p ON p.doc = a.parent",
        owner="COALESCE(d.doc, a.parent)",
    )


def exported_search_view(weights: Mapping[str, float]) -> View:
    """`search` in an exported database: its FTS5 table keeps the snapshot's row numbers,
    and so do the `documents` and `related` tables (as their rowids)."""
    fts = EXPORT_FTS_TABLE
    return View(
        "search",
        search_view(weights).description,
        _search(fts, weights, "a.document"),
        f"{fts} s LEFT JOIN documents d ON d.rowid = s.rowid "
        f"LEFT JOIN related a ON a.rowid = s.rowid - {RELATED_ROWS}",
        owner="COALESCE(d.rowid, a.rowid)",
    )


#: The views over documents and their parts, in the order `--schema` lists them (`search`,
#: which needs the ranking's weights, comes last: `views(weights)`).
TABLE_VIEWS = (DOCUMENTS, TOPICS, RELATED, IMAGES)


def views(weights: Mapping[str, float]) -> tuple[View, ...]:
    """Every documented view of a snapshot, `search` last."""
    return (*TABLE_VIEWS, search_view(weights))


def select_sql(
    view: View, *, schema: str = "main", scope: str | None = None, key: bool = False
) -> str:
    """The SELECT of a view over the tables of `schema`: its columns, named, and with
    `key` its row number first (as `_key`). With `scope`, a table of documents' rows
    (`doc`), only the rows of those documents."""
    columns = [f"{c.sql} AS {quote(c.name)}" for c in view.columns]
    if key:
        columns.insert(0, f"{view.key or 'NULL'} AS _key")
    conditions = [view.where] if view.where else []
    if scope is not None:
        conditions.append(f"{view.owner} IN (SELECT doc FROM {scope})")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {', '.join(columns)} FROM {view.source.format(s=schema)}{where}"


def create_temp_views(
    conn: sqlite3.Connection,
    weights: Mapping[str, float],
    *,
    schema: str = "main",
    scope: str | None = None,
) -> tuple[View, ...]:
    """Create every view as a TEMP view on `conn`, over the tables of `schema` (restricted
    to the documents of `scope`, if given); the views. TEMP views shadow tables of the
    same name (`search`), and need nothing written to the snapshot itself."""
    made = views(weights)
    for view in made:
        conn.execute(f"DROP VIEW IF EXISTS temp.{quote(view.name)}")
        sql = select_sql(view, schema=schema, scope=scope)
        conn.execute(f"CREATE TEMP VIEW {quote(view.name)} AS {sql}")
    return made


def internal_tables(conn: sqlite3.Connection, schema: str = "main") -> frozenset[str]:
    """The snapshot's own tables and indexes in `schema`, which user SQL reads only through
    the views: all but the ones FTS5 reads on its own."""
    shadows = {f"{FTS_TABLE}_{suffix}" for suffix in FTS_SHADOW_SUFFIXES} | {SEARCH_TEXT_VIEW}
    names = conn.execute(
        f"SELECT name FROM {quote(schema)}.sqlite_master WHERE type IN ('table', 'view')"
    )
    return frozenset(name for (name,) in names if name not in shadows)


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def describe(all_views: Sequence[View]) -> list[dict[str, str]]:
    """Every column of `all_views` as a row: view, column, type, description."""
    return [
        {"view": v.name, "column": c.name, "type": c.type, "description": c.description}
        for v in all_views
        for c in v.columns
    ]
