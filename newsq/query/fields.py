"""`--fields` checked against the fields a corpus has: a name no record has is a usage
error, with the known names nearest it (a typo would otherwise print an empty column)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from newsq.query.similar import closest

_POSITION = re.compile(r"(?:^|\.)\d+(?=\.|$)")


def general_path(field: str) -> str:
    """A field as `--fields` may write it, with list positions left out: `images.0.url`
    is `images.url` (the path shapes know it by)."""
    return _POSITION.sub("", field).lstrip(".")


class FieldCheck(NamedTuple):
    """A `--fields` name no record has, the known names nearest it, and the known ones."""

    field: str
    closest: tuple[str, ...]
    known: tuple[str, ...]


def unknown_fields(fields: Sequence[str], known: Iterable[str]) -> list[FieldCheck]:
    """The `fields` that are not paths of `known`, each with the known paths most like it."""
    paths = set(known)  # (a nested path's parents are paths too: `provider` of `provider.name`)
    ordered = tuple(sorted(paths, key=lambda p: (p.count("."), p.casefold())))
    checks = []
    for field in fields:
        general = general_path(field)
        if field in paths or general in paths:
            continue
        checks.append(FieldCheck(field, tuple(closest(field, ordered)), ordered))
    return checks
