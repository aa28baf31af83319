"""JSON lines: each document's lossless record, one per line, in id order.

The records are written as the snapshot keeps them (compact JSON, never parsed
again: the export runs at the speed of reading them), equal, as JSON, to what
`newsq list --format jsonl` prints. As there, characters that line-based tools or
a terminal could take for something else (U+2028 and U+2029, C1 controls, bidi
overrides) are written as `\\u` escapes: the same JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsq.index.sql import open_reader
from newsq.render.escape import BEYOND_C0
from newsq.store.schema import RECORD_TEXT

if TYPE_CHECKING:
    from newsq.index.facade import Index
    from newsq.query.filters import Filter

_RAW = re.compile(f"[{BEYOND_C0}\u2028\u2029]")
#: Records read from the snapshot at a time.
BATCH = 1000


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def write(
    index: Index,
    path: Path,
    where: Filter,
    partition_by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the records to the file `path`; (documents, files) written."""
    reader = open_reader(index.snapshot.conn, where, views=False)
    try:
        total = reader.documents()
        rows = reader.conn.execute(
            f"SELECT {RECORD_TEXT}(r.packed) FROM docs d JOIN records r ON r.doc = d.doc "
            f"WHERE {reader.within()} ORDER BY d.id"
        )
        written = 0
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            while batch := rows.fetchmany(BATCH):
                out.write("".join(_RAW.sub(_escape, text) + "\n" for (text,) in batch))
                written += len(batch)
                if progress is not None:
                    progress(written, total)
    finally:
        reader.close()
    return written, 1
