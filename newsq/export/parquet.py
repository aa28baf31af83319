"""Parquet, with a real schema, written in row groups as the snapshot is read.

The schema comes from the corpus (`newsq.export.columns`): scalar fields typed
(integers as int64, numbers with fractions as float64), mappings as structs,
lists as lists, a field whose type varies as JSON text, the body as text. The
fields newsq itself reads are typed as newsq reads them, whatever their YAML:

- `id`, `path`, `title` (else `name`); `publishedDateTime` (else `date`) as a
  timestamp in microseconds, UTC; `provider` a struct with its `name` and `domain`
  (and its other keys); `topics` a list of text; `quality` and `heat` int64 where
  every value is an integer, else float64; `type`, `category`; `published` a bool;
- `related`, a list of structs: each article's `title`, `publishedDateTime`,
  `provider`, `type` and `quality` as newsq reads them, its other keys as written
  (an item that is not a mapping is a null).

Rows go in id order (by partition first, when partitioned) in batches, each
converted to Arrow and gathered into row groups of `ROW_GROUP` rows, so memory holds
one row group whatever the size of the corpus. `partition_by` writes a folder of
Hive-style partitions (`date_month=2020-06/part-0.parquet`), which DuckDB, Polars,
Spark and pyarrow read as a column and prune on; a document without the value is in
`…=__HIVE_DEFAULT_PARTITION__` (read as null).

pyarrow writes it: Parquet's encodings, compression and nested types are not
something to write by hand, and pyarrow is the reference implementation the
engines reading it are tested against. It is an optional dependency
(`pip install 'newsq[parquet]'`).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsq import __version__
from newsq.export import ExportError
from newsq.export.columns import (
    BOOLEAN,
    INTEGER,
    JSON,
    LIST,
    NUMBER,
    STRING,
    STRUCT,
    TIMESTAMP,
    Column,
    columns,
)
from newsq.index.sql import Reader, open_reader
from newsq.store.schema import RECORD_TEXT
from newsq.store.views import epoch_sql

if TYPE_CHECKING:
    import pyarrow as pa

    from newsq.index.facade import Index
    from newsq.query.filters import Filter

#: Rows in a row group: the unit engines read (and skip) at once, and what memory holds;
#: fewer when they reach `ROW_GROUP_BYTES` in Arrow (documents with long bodies).
ROW_GROUP = 10_000
ROW_GROUP_BYTES = 64 << 20
#: Documents read from the snapshot, and converted, at a time.
BATCH = 1_000
#: How each partitioning names its folders, and the SQL of a document's value (over `docs d`).
_SECONDS = epoch_sql("d.date_us")
PARTITIONS = {
    "month": ("date_month", f"strftime('%Y-%m', {_SECONDS}, 'unixepoch')"),
    "year": ("date_year", f"CAST(strftime('%Y', {_SECONDS}, 'unixepoch') AS INTEGER)"),
    "provider": ("provider_domain", "lower(d.provider_domain)"),
}
#: The folder of documents without a partition's value (what Hive, Spark, DuckDB and
#: pyarrow read as null).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
COMPRESSION = "zstd"
INSTALL = "pip install 'newsq[parquet]'"

_INT64 = (-(2**63), 2**63 - 1)


def require() -> None:
    """Raise `ExportError` when pyarrow is missing, saying how to install it."""
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ExportError(
            "--format",
            "parquet",
            f"Parquet export needs pyarrow, which is not installed: {INSTALL}",
        ) from None


# --- the schema ---------------------------------------------------------------------------


def schema_columns(reader: Reader) -> list[Column]:
    """The columns of the export of the documents `reader` selects: newsq's own fields
    first, typed as newsq reads them, then every other field of their records, by name."""
    conn = reader.conn
    shapes = [
        json.loads(fields)
        for (fields,) in conn.execute(
            "SELECT fields FROM shapes WHERE shape IN "
            f"(SELECT DISTINCT d.shape FROM docs d WHERE {reader.within()})"
        )
    ]
    found = {c.name: c for c in columns(shapes)}
    related_found = found.get("related")
    item = related_found.item if related_found and related_found.kind == LIST else None
    related_fields = item.fields if item and item.kind == STRUCT else ()

    def numbers(table: str, column: str, owner: str) -> str:
        real = conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE typeof({column}) = 'real' "
            f"AND {reader.within(owner)})"
        ).fetchone()[0]
        return NUMBER if real else INTEGER

    related_item = _struct(
        "item",
        (
            Column("title", STRING),
            Column("publishedDateTime", TIMESTAMP),
            _provider(_field(related_fields, "provider")),
            Column("type", STRING),
            Column("quality", numbers("related a", "a.quality", "a.parent")),
        ),
        related_fields,
    )
    own = [
        Column("id", STRING),
        Column("path", STRING),
        Column("title", STRING),
        found.get("excerpt", Column("excerpt", STRING)),
        Column("publishedDateTime", TIMESTAMP),
        _provider(found.get("provider")),
        Column("topics", LIST, item=Column("item", STRING)),
        Column("quality", numbers("docs d", "d.quality", "d.doc")),
        Column("heat", numbers("docs d", "d.heat", "d.doc")),
        Column("type", STRING),
        Column("category", STRING),
        Column("published", BOOLEAN),
        found.get("webUrl", Column("webUrl", STRING)),
        Column("related", LIST, item=related_item),
        found.get("body", Column("body", STRING)),
    ]
    names = {c.name for c in own}
    return own + [c for name, c in sorted(found.items()) if name not in names]


def _field(fields: Sequence[Column], name: str) -> Column | None:
    return next((f for f in fields if f.name == name), None)


def _provider(found: Column | None) -> Column:
    """`provider`: its name and domain as newsq reads them, then its other keys (when it
    is a mapping throughout)."""
    own = (Column("name", STRING), Column("domain", STRING))
    rest = found.fields if found is not None and found.kind == STRUCT else ()
    return _struct("provider", own, rest)


def _struct(name: str, own: Sequence[Column], rest: Sequence[Column]) -> Column:
    """A struct of `own` fields, then the fields of `rest` not among them, by name."""
    names = {c.name for c in own}
    return Column(
        name, STRUCT, (*own, *sorted((c for c in rest if c.name not in names), key=_name))
    )


def _name(column: Column) -> str:
    return column.name


def arrow_type(column: Column) -> pa.DataType:
    import pyarrow as pa

    simple = {
        STRING: pa.string(),
        JSON: pa.string(),
        INTEGER: pa.int64(),
        NUMBER: pa.float64(),
        BOOLEAN: pa.bool_(),
        TIMESTAMP: pa.timestamp("us", tz="UTC"),
    }
    if column.kind in simple:
        return simple[column.kind]
    if column.kind == LIST:
        assert column.item is not None
        return pa.list_(arrow_type(column.item))
    return pa.struct([pa.field(f.name, arrow_type(f)) for f in column.fields])


def arrow_schema(found: Sequence[Column]) -> pa.Schema:
    import pyarrow as pa

    metadata = {
        "newsq.version": __version__,
        # Which columns hold JSON text, so that a reader can parse them back.
        "newsq.json_columns": json.dumps(sorted(_json_paths(found))),
    }
    return pa.schema([pa.field(c.name, arrow_type(c)) for c in found], metadata=metadata)


def _json_paths(found: Sequence[Column], prefix: str = "") -> Iterator[str]:
    for column in found:
        path = prefix + column.name
        if column.kind == JSON:
            yield path
        yield from _json_paths(column.fields, path + ".")
        if column.item is not None:
            yield from _json_paths([column.item], path + ".")


# --- values ---------------------------------------------------------------------------


def converter(column: Column) -> Callable[[Any], Any]:
    """A function making any value fit `column`: a value of another type (which the shapes
    rule out, but for dotted keys) is a null, never a failed export."""
    kind = column.kind
    if kind == JSON:
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if kind == STRING:
        return lambda v: v if isinstance(v, str) else None
    if kind == BOOLEAN:
        return lambda v: v if isinstance(v, bool) else None
    if kind in (INTEGER, TIMESTAMP):
        low, high = _INT64
        return lambda v: v if type(v) is int and low <= v <= high else None
    if kind == NUMBER:
        return _to_float
    if kind == LIST:
        assert column.item is not None
        item = converter(column.item)
        return lambda v: [item(x) for x in v] if isinstance(v, list) else None
    fields = [(f.name, converter(f)) for f in column.fields]
    return lambda v: {k: fit(v.get(k)) for k, fit in fields} if isinstance(v, dict) else None


def _to_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer past any float
        return None


def column_array(values: list[Any], column: Column, kind: pa.DataType) -> pa.Array:
    """`values` as an Arrow array of `column`: as they are when they fit (pyarrow checks
    them, in C), else each made to fit."""
    import pyarrow as pa

    if not column.has_json:
        try:
            return pa.array(values, type=kind)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass  # an integer past int64, say: made to fit one by one
    fit = converter(column)
    return pa.array([fit(v) for v in values], type=kind)


# --- writing ---------------------------------------------------------------------------


_LIGHT = (
    "d.doc, d.id, d.path, NULLIF(d.title, ''), d.date_us, d.provider_name, d.provider_domain, "
    "d.topics, d.quality, d.heat, d.type, d.category, d.published"
)
#: The columns filled from newsq's reading of a document (`_LIGHT`), not its record as written.
_OWN = frozenset(
    (
        *("id", "path", "title", "publishedDateTime", "provider", "topics", "quality", "heat"),
        *("type", "category", "published", "related"),
    )
)
_RELATED = (
    "SELECT a.parent, a.n, NULLIF(t.title, ''), a.date_us, t.provider_name, t.provider_domain, "
    "t.type, a.quality FROM related a JOIN related_text t ON t.doc = a.doc WHERE a.parent IN ({})"
)


def write(
    index: Index,
    path: Path,
    where: Filter,
    partition_by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the documents `where` selects to `path`: one file, or with `partition_by` a
    folder of partitions; (documents, files) written."""
    import pyarrow.parquet as pq

    reader = open_reader(index.snapshot.conn, where, views=False)
    try:
        found = schema_columns(reader)
        schema = arrow_schema(found)
        total = reader.documents()
        key_name, key_sql = PARTITIONS[partition_by] if partition_by else (None, "NULL")
        order = f"{key_sql}, d.id" if partition_by else "d.id"
        light = reader.conn.execute(
            f"SELECT {key_sql}, {_LIGHT} FROM docs d WHERE {reader.within()} ORDER BY {order}"
        )
        files = _Files(path, key_name, schema, pq)
        written = 0
        try:
            current: object = _NOTHING
            while rows := light.fetchmany(BATCH):
                for key, part in _by_key(rows):
                    if key != current:
                        files.start(key)
                        current = key
                    files.add(_batch(reader.conn, part, found, schema))
                written += len(rows)
                if progress is not None:
                    progress(written, total)
            if current is _NOTHING and not partition_by:
                files.start(None)  # no document: a file with the schema and no rows
        finally:
            files.close()
    finally:
        reader.close()
    return written, files.count


_NOTHING = object()


def _by_key(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, list[tuple[Any, ...]]]]:
    """Runs of consecutive rows with the same partition key (their first column)."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            yield rows[start][0], [row[1:] for row in rows[start:i]]
            start = i


def _batch(
    conn: Any, rows: list[tuple[Any, ...]], found: Sequence[Column], schema: pa.Schema
) -> pa.RecordBatch:
    """The documents of `rows` (`_LIGHT` columns) as Arrow, with their records."""
    import pyarrow as pa

    docs = [row[0] for row in rows]
    marks = ", ".join("?" * len(docs))
    records = dict(
        conn.execute(f"SELECT doc, {RECORD_TEXT}(packed) FROM records WHERE doc IN ({marks})", docs)
    )
    articles: dict[tuple[int, int], tuple[Any, ...]] = {
        (parent, n): rest for parent, n, *rest in conn.execute(_RELATED.format(marks), docs)
    }
    values: dict[str, list[Any]] = {c.name: [] for c in found}
    others = [c.name for c in found if c.name not in _OWN]
    for row in rows:
        doc, doc_id, path, title, date_us, name, domain, topics = row[:8]
        quality, heat, type_, category, published = row[8:]
        record = json.loads(records[doc])
        provider = record.get("provider")
        values["id"].append(doc_id)
        values["path"].append(path)
        values["title"].append(title)
        values["publishedDateTime"].append(date_us)
        values["provider"].append(_provider_value(provider, name, domain))
        values["topics"].append(json.loads(topics))
        values["quality"].append(quality)
        values["heat"].append(heat)
        values["type"].append(type_)
        values["category"].append(category)
        values["published"].append(None if published is None else bool(published))
        values["related"].append(_related(doc, record.get("related"), articles))
        for name_ in others:
            values[name_].append(record.get(name_))
    arrays = [column_array(values[c.name], c, schema.field(c.name).type) for c in found]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _related(
    doc: int, items: Any, articles: dict[tuple[int, int], tuple[Any, ...]]
) -> list[Any] | None:
    """A document's related list, each mapping with newsq's reading of its own fields."""
    if not isinstance(items, list):
        return None
    found: list[Any] = []
    for n, item in enumerate(items, start=1):
        light = articles.get((doc, n))
        if light is None or not isinstance(item, dict):
            found.append(None)
            continue
        title, date_us, name, domain, type_, quality = light
        provider = item.get("provider")
        found.append(
            {
                **item,
                "title": title,
                "publishedDateTime": date_us,
                "provider": _provider_value(provider, name, domain),
                "type": type_,
                "quality": quality,
            }
        )
    return found


def _provider_value(written: Any, name: str | None, domain: str | None) -> dict[str, Any] | None:
    """A provider as its struct holds it: its keys as written, with the name and domain newsq
    reads; null when there is neither a mapping nor a name or domain."""
    if not isinstance(written, dict) and name is None and domain is None:
        return None
    return {**(written if isinstance(written, dict) else {}), "name": name, "domain": domain}


class _Files:
    """The Parquet files of an export: one, or one per partition, each written a row group
    at a time (batches gather until one is full)."""

    def __init__(self, path: Path, key_name: str | None, schema: pa.Schema, pq: Any) -> None:
        self.path = path
        self.key_name = key_name
        self.schema = schema
        self.pq = pq
        self.writer: Any = None
        self.count = 0
        self._parts: dict[str, int] = {}
        self._pending: list[pa.RecordBatch] = []

    def start(self, key: Any) -> None:
        """Start the file of the partition `key` (the one file when not partitioned)."""
        self.close()
        if self.key_name is None:
            target = self.path
        else:
            value = NULL_PARTITION if key is None else urllib.parse.quote(str(key), safe="")
            folder = self.path / f"{self.key_name}={value}"
            folder.mkdir(exist_ok=True)
            # A partition met again (never, in key order; but never overwrite) gets a new part.
            number = self._parts.get(folder.name, 0)
            self._parts[folder.name] = number + 1
            target = folder / f"part-{number}.parquet"
        self.writer = self.pq.ParquetWriter(target, self.schema, compression=COMPRESSION)
        self.count += 1

    def add(self, batch: pa.RecordBatch) -> None:
        """Rows for the current file, written once they make a row group."""
        self._pending.append(batch)
        rows = sum(b.num_rows for b in self._pending)
        if rows >= ROW_GROUP or sum(b.nbytes for b in self._pending) >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        import pyarrow as pa

        table = pa.Table.from_batches(self._pending, schema=self.schema)
        self._pending = []
        self.writer.write_table(table, row_group_size=table.num_rows)

    def close(self) -> None:
        """Finish the current file (its last rows written)."""
        if self.writer is not None:
            self._flush()
            self.writer.close()
            self.writer = None
