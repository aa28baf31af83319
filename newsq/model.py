"""What every stage shares: a document's light columns, a load problem, a file found, the
user's unreadable value, ids of related articles, and time as the snapshot counts it.

`Entry` holds only what filtering, sorting and tables need; the full lossless
record (every front-matter key, the body) is kept apart and fetched only for the
rows that are printed, so an index of many documents stays light.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

#: Keys newsq adds to records (`body` to documents, `parent` to related articles, the
#: last three to search results); a front-matter key of the same name is kept as `_<key>`.
RESERVED_KEYS = ("id", "path", "body", "parent", "score", "snippet", "highlights")

#: Where the snapshot counts time from: dates are kept as microseconds since then (UTC).
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
#: Microseconds in a day.
DAY_US = 86_400_000_000
#: The fields that hold an article's address, in the order one is chosen (`address`).
URL_FIELDS = ("webUrl", "originalUrl", "ampWebUrl")

ERROR = "error"
WARNING = "warning"
NOTICE = "notice"
SEVERITIES = (ERROR, WARNING, NOTICE)


@dataclass(frozen=True, slots=True)
class Entry:
    """The filterable columns of one document."""

    id: str
    path: str
    title: str
    date: dt.datetime | None  # publishedDateTime in UTC, None when absent or unreadable
    category: str | None
    type: str | None
    quality: float | None
    heat: float | None
    published: bool | None
    provider_name: str | None
    provider_domain: str | None
    topics: tuple[str, ...]
    related: int  # how many related-coverage items the document carries


class QueryError(ValueError):
    """A value the user gave that cannot be understood; `option` names where it came from."""

    def __init__(self, option: str, value: str, reason: str) -> None:
        super().__init__(f"{option}: {reason}: {value!r}")
        self.option = option
        self.value = value
        self.reason = reason


class Source(NamedTuple):
    """A file of the corpus as found: how to show it, where it is, its id, and its stat.

    A named tuple, not a dataclass: one is made per file on every run, and tuples are cheap.
    """

    key: str  # the absolute path: what the snapshot knows the file by
    size: int
    mtime_ns: int
    doc_id: str
    path: str  # as the user would write it: the root they gave joined with the relative path


@dataclass(frozen=True, slots=True)
class Changes:
    """What bringing a snapshot up to date took: files parsed, files forgotten."""

    parsed: int = 0
    removed: int = 0


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one file. `line` and `column` are 1-based, None when unknown."""

    path: str
    line: int | None
    column: int | None
    severity: str
    message: str

    def format(self) -> str:
        """`path:line:col: severity: message`, the layout compilers and editors understand."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


def rank_topics(topic_lists: Iterable[Sequence[str]]) -> list[tuple[str, int]]:
    """Each topic with how many of the lists name it (once a list, whatever the case),
    spelt as first met; most first, ties by name in any case."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for topics in topic_lists:
        for topic in topics:
            spelling.setdefault(topic.casefold(), topic)
        counts.update({t.casefold() for t in topics})  # once a list
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(spelling[key], count) for key, count in ranked]


def clock() -> dt.datetime:
    """Now, in UTC: what `today`, `7d` and a document's age count back from."""
    return dt.datetime.now(dt.timezone.utc)


def to_microseconds(date: dt.datetime | None) -> int | None:
    """A UTC datetime as the snapshot keeps it: microseconds since `EPOCH`."""
    return None if date is None else (date - EPOCH) // dt.timedelta(microseconds=1)


def from_microseconds(date_us: int | None) -> dt.datetime | None:
    """The UTC datetime of microseconds since `EPOCH`."""
    return None if date_us is None else EPOCH + dt.timedelta(microseconds=date_us)


def format_timestamp(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a `Z`; a timestamp without a zone is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text + "Z"


class TextZones:
    """The zones of dates written as text, as dateutil's `tzinfos` hook: an offset, or
    UTC by name. A name newsq cannot place (`EDT`, `CST`: a name may mean several) gives
    no zone and is kept in `unknown`; never the machine's own zone by a chance match
    of its name, and dateutil warns of nothing."""

    def __init__(self) -> None:
        self.unknown: list[str] = []

    def __call__(self, name: str | None, offset: int | None) -> dt.tzinfo | None:
        if offset is not None:
            return dt.timezone(dt.timedelta(seconds=offset))
        if name is not None and name.upper() in ("UTC", "GMT", "UT", "Z"):
            return dt.timezone.utc
        if name is not None:
            self.unknown.append(name)
        return None


def add_values(record: dict[str, Any], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Copy `values` into `record`, a reserved key as `_<key>`; returns the (key, kept as)
    pairs renamed."""
    renamed = []
    for key, value in values.items():
        if key in RESERVED_KEYS:
            kept = "_" + key
            while kept in values:
                kept = "_" + kept
            renamed.append((key, kept))
            key = kept
        record[key] = value
    return renamed


class ArticleRef(NamedTuple):
    """A related article's id taken apart: `PARENT#N` is (PARENT, N)."""

    parent: str
    number: int


def article_ref(ref: str) -> ArticleRef | None:
    """`PARENT#N` (N in ASCII digits, from 1) taken apart; None for any other text."""
    parent, mark, number = ref.rpartition("#")
    if mark and parent and number.isascii() and number.isdigit():
        return ArticleRef(parent, int(number))
    return None


def related_id(parent_id: str, number: int) -> str:
    """The id of the `number`th (from 1) article in a document's related coverage."""
    return f"{parent_id}#{number}"


def address(item: Mapping[str, Any]) -> str | None:
    """An article's address as written: its `webUrl`, else `originalUrl`, else `ampWebUrl`."""
    return next((v for n in URL_FIELDS if isinstance(v := item.get(n), str) and v.strip()), None)


def related_record(parent_id: str, number: int, item: Mapping[str, Any]) -> dict[str, Any]:
    """The record of a related article: the item as written, with its `id` and `parent`."""
    record: dict[str, Any] = {"id": related_id(parent_id, number), "parent": parent_id}
    add_values(record, item)
    return record
