"""The `sql` and `export` commands' work past their options: a query's rows to the
output, the views described, an export written and said.

Rows are SQLite's values: text, numbers, NULL, and blobs, which no output format
holds as they are (written as base64 text); an infinite number is written as
`Infinity` or `-Infinity`, as newsq writes YAML's `.inf`.
"""

from __future__ import annotations

import base64
import math
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import typer

from newsq.render.formats import Format

if TYPE_CHECKING:
    from newsq.cli.run import Run
    from newsq.index.sql import SqlResult
    from newsq.query.filters import Filter
    from newsq.render.output import Output


def query_text(query: str | None) -> str:
    """The query given, or read from stdin for `-`; exit 2 when there is none."""
    if query is None:
        raise typer.BadParameter("give a query, or --schema to see the views", param_hint="'QUERY'")
    return sys.stdin.read() if query == "-" else query


def print_sql(run: Run, query: str, where: Filter, *, timeout: float | None, count: bool) -> None:
    """Run `query` and print its rows in the chosen format (or, with `count`, how many);
    exit 1 when `timeout` stopped it, 2 for SQL that cannot run or is refused (a usage
    error, with what the user typed in it escaped)."""
    from newsq.index.sql import SqlError, SqlTimeout
    from newsq.render.escape import safe_text

    try:
        with run.index.sql(query, where, timeout=timeout) as result:
            run.suggest(where)
            if count:
                run.print_count(sum(1 for _ in result))
            else:
                _print_rows(run, result)
    except SqlTimeout as exc:
        run.out.error(f"{exc} (--timeout)")
        raise typer.Exit(1) from None
    except SqlError as exc:
        reason = safe_text(exc.reason, multiline=True)
        raise typer.BadParameter(reason, param_hint="'QUERY'") from None


def _print_rows(run: Run, result: SqlResult) -> None:
    """The rows, streamed: JSON, JSONL and CSV a batch at a time; a table a page at a time
    (a query may be costly, so it is not run twice to measure a long table first: each
    page has the widths of its own rows, and the heading is the first page's)."""
    from newsq.cli.run import BATCH, PAGE, batched
    from newsq.render.tables import rows_table

    columns = result.columns
    rows = (_row(columns, values) for values in result)
    if run.fmt is not Format.table:
        batches = batched(rows, BATCH)
        run.out.stream(batches, run.fmt, (), default_fields=columns, whole=True)
        return
    shown = 0
    for page in batched(rows, PAGE):
        table = rows_table(page, columns, plain=not run.out.is_terminal, header=not shown)
        run.out.print(table)
        shown += len(page)
    if not shown:
        run.out.message("no rows")


def _row(columns: Sequence[str], values: Iterable[Any]) -> dict[str, Any]:
    return {name: _value(v) for name, v in zip(columns, values, strict=True)}


def _value(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def print_schema(out: Output, fmt: Format) -> None:
    """The views, each with a line on every column; in the formats for programs, one row
    per column (view, column, type, description)."""
    from newsq.index.ranking import WEIGHTS
    from newsq.store.views import describe, views

    found = views(WEIGHTS)
    if fmt is not Format.table:
        out.rows(describe(found), fmt, (), default_fields=("view", "column", "type", "description"))
        return
    width = max(len(c.name) for v in found for c in v.columns)
    lines = []
    for view in found:
        lines.append(f"{view.name}: {view.description}")
        lines += [f"  {c.name:<{width}}  {c.type:<7}  {c.description}" for c in view.columns]
        lines.append("")
    out.write("\n".join(lines))


def export(
    run: Run,
    path: str,
    where: Filter,
    *,
    format: str | None,
    partition_by: str | None,
    force: bool,
) -> None:
    """Write the export; say on stderr what was written. A file that cannot be written is
    one line on stderr and exit 1."""
    from newsq.export import export as write

    index = run.index
    try:
        done = write(
            index, path, format=format, where=where, partition_by=partition_by, overwrite=force
        )
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        run.out.error(f"cannot write {path}: {reason}")
        raise typer.Exit(1) from None
    run.suggest(where)
    noun = "document" if done.documents == 1 else "documents"
    files = "" if done.files == 1 else f" in {done.files:,} files"
    run.out.message(
        f"exported {done.documents:,} {noun} to {done.path}{files} "
        f"({done.format}, {_size(done.bytes)})"
    )


def _size(count: int) -> str:
    """Bytes as people read them: 1,234 bytes, 12.3 MB."""
    if count < 10_000:
        return f"{count:,} bytes"
    for unit in ("kB", "MB", "GB", "TB"):
        count /= 1000  # type: ignore[assignment]
        if count < 1000:
            return f"{count:.1f} {unit}"
    return f"{count:.1f} PB"
