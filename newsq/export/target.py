"""Where an export may go, and how it gets there: written aside (a hidden name in the same
folder), then renamed into place in one step, so a reader never sees half an export and
an interrupted one leaves nothing.

Never inside a data folder (newsq does not write there); never over an existing path
unless asked; and a folder is replaced only when it is an earlier partitioned export
(folders named `key=value` holding only Parquet files), so that `--force` cannot
delete a folder of anything else.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from newsq.export import ExportError

if TYPE_CHECKING:
    from newsq.index.facade import Index

_PARTITION_NAME = re.compile(r"[^=/]+=[^/]*")


def data_roots(index: Index) -> list[Path]:
    """The data roots of the corpus of `index`, resolved (as its snapshot records them)."""
    row = index.snapshot.conn.execute("SELECT value FROM meta WHERE key = 'roots'").fetchone()
    return [Path(os.path.realpath(root)) for root in (json.loads(row[0]) if row else [])]


class Target:
    """The path an export goes to, checked."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        roots: list[Path],
        *,
        overwrite: bool,
        folder: bool,
    ) -> None:
        self.path = os.path.abspath(path)
        self.folder = folder
        given = os.fspath(path)
        where = Path(self.path)
        parent = Path(os.path.realpath(where.parent))
        if not parent.is_dir():
            raise ExportError("PATH", given, f"the folder {where.parent} does not exist")
        resolved = parent / where.name
        for root in roots:
            if resolved == root or root in resolved.parents:
                raise ExportError(
                    "PATH", given, f"is inside the data folder {root}: newsq never writes there"
                )
        self._existing = os.path.lexists(self.path)
        if self._existing:
            if not overwrite:
                raise ExportError("PATH", given, "exists; --force replaces it")
            is_dir = os.path.isdir(self.path) and not os.path.islink(self.path)
            if is_dir and not folder:
                raise ExportError("PATH", given, "is a folder; name a file to write")
            if is_dir and not is_partitioned_export(Path(self.path)):
                raise ExportError(
                    "PATH",
                    given,
                    "is a folder that is not a partitioned export; newsq replaces only those",
                )

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """A path beside the target to write the export at; put in the target's place when
        the block ends without an error, else removed."""
        where = Path(self.path)
        aside = where.with_name(f".{where.name}.newsq-{secrets.token_hex(4)}.tmp")
        if self.folder:
            aside.mkdir()
        try:
            yield aside
            self._put_in_place(aside)
        except BaseException:
            _remove(aside)
            raise

    def _put_in_place(self, aside: Path) -> None:
        where = Path(self.path)
        if not self._existing or not os.path.isdir(self.path):
            os.replace(aside, where)  # one step, over a file that was there too
            return
        # A folder cannot be renamed over another: the old one steps aside first.
        old = where.with_name(f".{where.name}.newsq-{secrets.token_hex(4)}.old")
        os.replace(where, old)
        os.replace(aside, where)
        _remove(old)

    def size(self) -> int:
        """Bytes written (every file, for a folder)."""
        if not os.path.isdir(self.path):
            return os.path.getsize(self.path)
        return sum(p.stat().st_size for p in Path(self.path).rglob("*") if p.is_file())


def is_partitioned_export(folder: Path) -> bool:
    """Whether `folder` is what a partitioned export writes: folders named `key=value`,
    holding only `.parquet` files (or empty)."""
    for entry in folder.iterdir():
        if not (
            entry.is_dir() and not entry.is_symlink() and _PARTITION_NAME.fullmatch(entry.name)
        ):
            return False
        for item in entry.iterdir():
            if not (item.is_file() and not item.is_symlink() and item.suffix == ".parquet"):
                return False
    return True


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
