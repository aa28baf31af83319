"""The corpus taken elsewhere: written out whole (or the documents the filters select) as
Parquet for DuckDB, Polars, Spark and the rest, as a standalone SQLite database of the
documented views, or as lossless JSON lines.

    target.py    where an export may go; written aside, then put in place at once
    jsonl.py     the lossless records, one per line
    columns.py   the columns of a corpus's records, from the shapes the snapshot keeps
    parquet.py   Parquet (pyarrow), typed, in row groups, optionally Hive-partitioned
    sqlite.py    a database of the views as tables, with full-text search

Every writer streams: it reads the snapshot in batches, in id order, on a read-only
connection of its own (`newsq.index.sql.open_reader`), so memory stays bounded
whatever the size of the corpus, and neither the snapshot nor the data folder is
ever written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newsq.model import QueryError

if TYPE_CHECKING:
    from newsq.index.facade import Index
    from newsq.query.filters import Filter

#: What `export` writes.
FORMATS = ("parquet", "jsonl", "sqlite")
#: How a Parquet export may be split into folders: by month or year of publication, or
#: by provider.
PARTITIONS = ("month", "year", "provider")
#: What a file's name ends in, for each format (the format a path asks for).
SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",
}


class ExportError(QueryError):
    """An export that cannot be made as asked (`option` says which part of the command
    line): a path that exists, one inside the data folder, a missing library."""


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote: where, in what format, how many documents, in how many files,
    and their size in bytes."""

    path: str
    format: str
    documents: int
    files: int
    bytes: int

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "format": self.format,
            "documents": self.documents,
            "files": self.files,
            "bytes": self.bytes,
        }


def format_of(path: str | os.PathLike[str], format: str | None) -> str:
    """The format asked for, else the one the path's suffix names (`news.parquet`); a
    partitioned export is a folder of Parquet files."""
    if format is not None:
        if format not in FORMATS:
            raise ExportError("--format", format, f"must be one of {', '.join(FORMATS)}")
        return format
    found = SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise ExportError(
            "--format",
            os.fspath(path),
            "say which format: --format parquet, jsonl or sqlite (or end the name in "
            ".parquet, .jsonl or .sqlite)",
        )
    return found


def export(
    index: Index,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    where: Filter | None = None,
    partition_by: str | None = None,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Exported:
    """Write the documents of `index` that `where` selects (all by default) to `path`.

    `format` is `parquet`, `jsonl` or `sqlite` (by default, what the path's suffix
    says); `partition_by` (`month`, `year`, `provider`; Parquet only) makes `path` a
    folder of Hive-style partitions. An existing path is replaced only with
    `overwrite` (a folder only when it is an earlier partitioned export), and never
    one inside the corpus's data folders. The export is written beside `path` and
    put in its place once whole: an interrupted one leaves nothing behind.
    `progress(done, total)` is called as documents are written.

    Raises `ExportError` (a usage error); OSError when the files cannot be written.
    """
    from newsq.export import target
    from newsq.query.filters import Filter

    if os.fspath(path) == "-":
        raise ExportError(
            "PATH",
            "-",
            "an export is written to a file (for a pipe: newsq list --all --format jsonl)",
        )
    fmt = format_of(path, format)
    if partition_by is not None:
        if partition_by not in PARTITIONS:
            raise ExportError(
                "--partition-by", partition_by, f"must be one of {', '.join(PARTITIONS)}"
            )
        if fmt != "parquet":
            raise ExportError(
                "--partition-by", partition_by, "only Parquet exports are partitioned"
            )
    write = _writer(fmt)
    where = where or Filter()
    place = target.Target(
        path, target.data_roots(index), overwrite=overwrite, folder=bool(partition_by)
    )
    with place.writing() as aside:
        documents, files = write(index, aside, where, partition_by, progress)
    return Exported(place.path, fmt, documents, files, place.size())


def _writer(fmt: str) -> Callable[..., tuple[int, int]]:
    """The function writing `fmt`, imported now: a missing library is said before any work."""
    if fmt == "parquet":
        from newsq.export import parquet

        parquet.require()
        return parquet.write
    if fmt == "sqlite":
        from newsq.export import sqlite

        return sqlite.write
    from newsq.export import jsonl

    return jsonl.write
