"""One file in, one document (or the reasons it is not one) out.

A document is a `---` line, a YAML mapping, a closing `---` line and an
optional Markdown body. The parser never raises on bad input: everything wrong
with a file becomes a `Problem` with the line and column where it is known.

The record it builds is lossless and JSON-ready: every front-matter key in file
order with its value as written, YAML timestamps as ISO 8601 strings in UTC,
plus `id`, the absolute `path` and the `body` when there is one.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import os
import re
import stat
import sys
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import yaml

from newsq.ingest.fast_yaml import NestingTooDeep, load_front_matter, text_position
from newsq.model import (
    ERROR,
    NOTICE,
    WARNING,
    Entry,
    Problem,
    TextZones,
    add_values,
    format_timestamp,
    related_id,
)
from newsq.store.search_text import search_text

#: Files larger than this are refused rather than read.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Values in one front matter, counted after YAML aliases are expanded.
MAX_VALUES = 200_000
#: The error of a front matter nested deeper than `fast_yaml.MAX_DEPTH`.
TOO_DEEP = "front matter is nested too deeply"

_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_OPENING = re.compile(r"---[ \t]*\r?(?:\n|$)")
_KEY_VALUE_LINE = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$)")


#: What full-text search reads of an article: title, excerpt, provider name, topics, body.
Words = tuple[str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class Related:
    """One article of a document's `related` coverage, searchable on its own.

    Its id is `PARENT_ID#N`, N its 1-based place in the list; its record is the
    item as written plus `id` and `parent` (`model.related_record`). It has the
    parent's topics, and the parent's category, heat and published flag unless it
    has its own.
    """

    number: int
    entry: Entry
    words: Words


@dataclass(slots=True)
class Parsed:
    """What one file yielded: a document (entry, record and search words) or none, and problems."""

    path: str
    entry: Entry | None = None
    record: dict[str, Any] | None = None
    words: Words | None = None
    related: list[Related] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.record is not None


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_READ_FLAGS |= getattr(os, "O_CLOEXEC", 0)


def parse_file(path: str, doc_id: str) -> Parsed:
    """Read and parse the file at `path` as the document `doc_id`."""
    try:
        # Not blocking, and checked: the scan saw a regular file, but a file swapped since
        # for a named pipe would otherwise wait for a writer for ever.
        fd = os.open(path, _READ_FLAGS)
        with open(fd, "rb", buffering=0) as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _failure(path, None, None, "not a regular file")
            data = _read_at_most(handle, MAX_FILE_BYTES + 1, info.st_size)
    except OSError as exc:
        return _failure(path, None, None, f"cannot read: {exc.strerror}")
    if len(data) > MAX_FILE_BYTES:
        message = f"file is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit"
        return _failure(path, None, None, message)
    return parse_bytes(data, path, doc_id)


def _read_at_most(handle: BinaryIO, limit: int, size: int | None = None) -> bytes:
    """Up to `limit` bytes of an open file, in a buffer of the file's size (`size`, when
    the caller has it from `fstat` already).

    `read(limit)` alone sets aside `limit` bytes (16 MiB) for every file, which
    the allocator maps and unmaps each time: half the cost of reading a 6 KB file.
    """
    if size is None:
        size = os.fstat(handle.fileno()).st_size
    data = handle.read(min(size + 1, limit))  # one more: a file may grow as it is read
    while data and len(data) < limit:  # a short read, or more than stat said: until the end
        more = handle.read(limit - len(data))
        if not more:
            break
        data += more
    return data


def read_ahead(paths: Iterable[str]) -> None:
    """Ask the kernel to read these files now, all at once, while the first are parsed
    (where it can be asked: `posix_fadvise`).

    A corpus not in the page cache (a first run, or files pushed out since) left each
    worker waiting on the disk for every file in turn: a cold build of 100,000
    documents took 44 s instead of 38, both cores busy 1.77 of the time instead of
    1.95. Asking costs 3-6 microseconds a file when the files are in memory.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path in paths:
        try:
            fd = os.open(path, _READ_FLAGS)  # (not blocking, as `parse_file`)
        except OSError:
            continue  # parsing it reports why
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def parse_bytes(data: bytes, path: str, doc_id: str) -> Parsed:
    """Parse the bytes of a file; `path` is used for messages and the record's `path`."""
    if b"\x00" in data[:8192]:
        return _failure(path, 1, 1, "binary file (contains NUL bytes)")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + bom  # a position in the file, BOM included
        line, column = _line_col(data, offset)
        message = f"not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset}"
        return _failure(path, line, column, message)
    return parse_text(text, path, doc_id)


def parse_text(text: str, path: str, doc_id: str) -> Parsed:
    """Parse decoded text: split the front matter, load it safely, build record and entry."""
    result = Parsed(path)
    problems = result.problems
    if text.startswith("\ufeff"):
        text = text[1:]

    opening = _OPENING.match(text)
    if opening is None:
        return Parsed(path, problems=[_no_front_matter(text, path)])
    closing = _closing_fence(text, opening.end())
    if closing is None:
        return _failure(path, 1, 1, "front matter opened on line 1 is never closed")
    yaml_text = text[opening.end() : closing.start()]
    body_start = closing.end() + 1  # past the closing line's newline
    body = text[body_start:] if body_start <= len(text) else ""

    try:
        front_matter, duplicates, impure = load_front_matter(yaml_text)
    except (NestingTooDeep, RecursionError):
        # One answer whichever layer (libyaml, PyYAML, newsq's loader) noticed first.
        return _failure(path, 2, 1, TOO_DEEP)
    except yaml.MarkedYAMLError as exc:
        return Parsed(path, problems=[_yaml_problem(exc, yaml_text, path)])
    except yaml.YAMLError as exc:
        return _failure(path, 2, None, f"YAML: {exc}")
    except (ValueError, OverflowError) as exc:  # a value PyYAML cannot build: 2020-13-45
        return _failure(path, 2, None, f"YAML: a value cannot be read: {exc}")
    except (KeyError, AttributeError, TypeError):
        # PyYAML builds an explicitly tagged scalar assuming its text fits the tag:
        # `!!bool maybe` raises KeyError, `!!timestamp soon` AttributeError.
        message = "YAML: a value cannot be read as the type its tag names (!!bool, !!timestamp…)"
        return _failure(path, 2, None, message)
    for duplicate in duplicates:
        message = f"key {duplicate.key!r} appears more than once; the last value is kept"
        problems.append(Problem(path, duplicate.line + 2, duplicate.column + 1, WARNING, message))

    if front_matter is None:
        front_matter = {}
    if not isinstance(front_matter, dict):
        kind = _yaml_kind(front_matter)
        message = f"front matter is {kind}, not a mapping of field names to values"
        return _failure(path, 2, 1, message)

    if impure is not None and yaml_text.count("\n") >= _SHARED_LINES_MAX:
        impure = None
    try:
        values = to_json_value(front_matter, budget=[MAX_VALUES], impure=impure)
    except _TooLarge:
        message = f"front matter holds more than {MAX_VALUES:,} values (YAML aliases expanded)"
        return _failure(path, 2, 1, message)
    except RecursionError:
        return _failure(path, 2, 1, TOO_DEEP)

    record: dict[str, Any] = {"id": doc_id}
    for key, kept in add_values(record, values):
        line = _key_line(yaml_text, key)
        message = f"field {key!r} is reserved by newsq; its value is kept as {kept!r}"
        problems.append(Problem(path, line, 1 if line else None, WARNING, message))
    record["path"] = os.path.abspath(path)
    if body.strip():
        record["body"] = body

    result.entry = entry = _entry(front_matter, doc_id, record["path"], path, yaml_text, problems)
    result.record = record
    # (the excerpt as the record holds it: what the index reads back, `stored_search_text`)
    excerpt, body = record.get("excerpt"), record.get("body", "")
    result.words = search_text(entry.title, excerpt, entry.provider_name, entry.topics, body)
    result.related = _related(entry, front_matter.get("related"), record.get("related"))
    return result


def _closing_fence(text: str, start: int) -> re.Match[str] | None:
    """The first `---` or `...` line at or after `start` (a line start).

    Jumps between lines that begin with `-` or `.` instead of letting the regex
    look at every character: most of a front matter's lines begin otherwise.
    """
    position = start
    while True:
        found = _FENCE.match(text, position)
        if found is not None:
            return found
        dashes, dots = text.find("\n---", position), text.find("\n...", position)
        candidates = [c for c in (dashes, dots) if c >= 0]
        if not candidates:
            return None
        position = min(candidates) + 1


def _failure(path: str, line: int | None, column: int | None, message: str) -> Parsed:
    """A file that is not a document: no record, one error."""
    return Parsed(path, problems=[Problem(path, line, column, ERROR, message)])


# --- JSON values ------------------------------------------------------------


class _TooLarge(Exception):
    pass


# Lines of front matter below which its values cannot outnumber `MAX_VALUES`, however
# nested: every list and mapping but the outermost is an entry of another, and a line
# holds at most two entries (`- key: value`), so a text of n lines counts at most 6n + 1
# values. Below it, lists and mappings that are JSON already are shared, not copied, and
# not counted (`to_json_value`'s `impure`).
_SHARED_LINES_MAX = (MAX_VALUES - 1) // 6 - 1
# Values that are already JSON: passed through without a call (most leaves of a record).
_PLAIN = frozenset({str, int, bool, type(None)})


def to_json_value(
    value: Any, budget: list[int] | None = None, impure: Container[int] | None = None
) -> Any:
    """Convert a loaded YAML value to plain JSON types without losing information.

    Timestamps become ISO 8601 in UTC (`2020-06-11T20:54:00Z`), dates `2020-06-11`,
    binary base64, sets sorted lists, non-string keys their YAML spelling, and
    NaN or infinities the strings `NaN`, `Infinity`, `-Infinity` (JSON has none).
    `budget` (a one-item list) bounds how many values may be produced, so a YAML
    alias bomb cannot expand without limit.

    `impure`, when given, holds the ids of the lists and mappings that are not JSON as they
    are (`fast_yaml.Loaded.impure`): every other one is returned itself, not copied, and
    counts nothing against `budget`.
    """
    if budget is None:
        budget = [sys.maxsize]
    if impure is not None:
        return _json_shared(value, budget, impure)
    return _json_value(value, budget)


def _json_shared(value: Any, budget: list[int], impure: Container[int]) -> Any:
    # `_json_value`, less the copies of lists and mappings that are JSON already: of the 26
    # of a front matter of the benchmark corpus, 7 hold a date, and converting copies those
    # alone in 0.027 ms, against 0.052 ms copying all.
    kind = type(value)
    if kind is dict:
        if id(value) not in impure:
            return value
        _spend(budget, len(value) + 1)
        return {
            (k if type(k) is str else _json_key(k)): (
                v if type(v) in _PLAIN else _json_shared(v, budget, impure)
            )
            for k, v in value.items()
        }
    if kind is list:
        if id(value) not in impure:
            return value
        _spend(budget, len(value) + 1)
        return [v if type(v) in _PLAIN else _json_shared(v, budget, impure) for v in value]
    return _json_value(value, budget)


def _json_value(value: Any, budget: list[int]) -> Any:
    # Runs for every container of every record: leaves are handled inline, not by a call.
    kind = type(value)
    if kind is dict:
        _spend(budget, len(value) + 1)
        return {
            (k if type(k) is str else _json_key(k)): (
                v if type(v) in _PLAIN else _json_value(v, budget)
            )
            for k, v in value.items()
        }
    if kind is list:
        _spend(budget, len(value) + 1)
        return [v if type(v) in _PLAIN else _json_value(v, budget) for v in value]
    _spend(budget, 1)
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {_json_key(k): _json_value(v, budget) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v, budget) for v in value]
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return sorted((_json_value(v, budget) for v in value), key=str)
    return str(value)


def _spend(budget: list[int], values: int) -> None:
    budget[0] -= values
    if budget[0] < 0:
        raise _TooLarge


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    value = to_json_value(key)
    return value if isinstance(value, str) else str(value)


# --- light columns ------------------------------------------------------------


def _entry(
    fm: dict[Any, Any],
    doc_id: str,
    abs_path: str,
    path: str,
    yaml_text: str,
    problems: list[Problem],
) -> Entry:
    def warn(key: str, message: str) -> None:
        line = _key_line(yaml_text, key)
        problems.append(Problem(path, line, 1 if line else None, WARNING, message))

    title = _title(fm)
    if title is None:
        problems.append(Problem(path, None, None, WARNING, "no title (nor name)"))
        title = ""

    date_key = "publishedDateTime" if "publishedDateTime" in fm else "date"
    unknown_zones: list[str] = []
    date = _date(fm.get(date_key), unknown_zones)
    if fm.get(date_key) is None:
        problems.append(Problem(path, None, None, WARNING, "no publishedDateTime (nor date)"))
    elif date is None:
        warn(date_key, f"{date_key} {fm[date_key]!r} is not a date; date filters skip it")
    elif unknown_zones:
        zone = unknown_zones[0]
        warn(date_key, f"{date_key} {fm[date_key]!r}: time zone {zone!r} is unknown; read as UTC")

    provider_name, provider_domain = _provider(fm.get("provider"))
    if not isinstance(fm.get("provider"), (dict, str, type(None))):
        warn("provider", "provider is neither a mapping nor a name")

    topics_value = fm.get("topics")
    if topics_value is None:
        topics: tuple[str, ...] = ()
    elif isinstance(topics_value, list):
        topics = tuple(str(to_json_value(t)) for t in topics_value if t is not None)
    elif isinstance(topics_value, str):
        warn("topics", "topics is a single string, not a list; read as one topic")
        topics = (topics_value,)
    else:
        warn("topics", "topics is not a list")
        topics = ()

    numbers = {}
    for key in ("quality", "heat"):
        raw = fm.get(key)
        numbers[key] = _number(raw)
        if raw is not None and numbers[key] is None:
            warn(key, f"{key} {raw!r} is not a number; numeric filters skip it")

    published = fm.get("published")
    if published is not None and not isinstance(published, bool):
        warn("published", f"published {published!r} is not true or false")
        published = None

    related = fm.get("related")
    return Entry(
        id=doc_id,
        path=abs_path,
        title=title,
        date=date,
        category=_text_or_none(fm.get("category")),
        type=_text_or_none(fm.get("type")),
        quality=numbers["quality"],
        heat=numbers["heat"],
        published=published,
        provider_name=provider_name,
        provider_domain=provider_domain,
        topics=topics,
        related=len(related) if isinstance(related, list) else 0,
    )


def _title(fm: dict[Any, Any]) -> str | None:
    title = fm.get("title")
    if title is None:
        title = fm.get("name")
    if title is None or isinstance(title, str):
        return title
    return str(to_json_value(title))


def _provider(provider: Any) -> tuple[str | None, str | None]:
    """(name, domain) of a `provider` mapping, or of a provider written as a bare name."""
    if isinstance(provider, dict):
        return _text_or_none(provider.get("name")), _text_or_none(provider.get("domain"))
    if isinstance(provider, str):
        return provider, None
    return None, None


def _related(parent: Entry, items: Any, stored: Any) -> list[Related]:
    """The related coverage of `parent` (as loaded from YAML; `stored`, as its record
    holds it) as articles of their own. Items that are not mappings are left out."""
    if not isinstance(items, list):
        return []
    related = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        date_key = "publishedDateTime" if "publishedDateTime" in item else "date"
        provider_name, provider_domain = _provider(item.get("provider"))
        heat = _number(item.get("heat"))
        published = item.get("published")
        entry = Entry(
            id=related_id(parent.id, number),
            path=parent.path,
            title=_title(item) or "",
            date=_date(item.get(date_key)),
            category=_text_or_none(item.get("category")) or parent.category,
            type=_text_or_none(item.get("type")),
            quality=_number(item.get("quality")),
            heat=parent.heat if heat is None else heat,
            published=published if isinstance(published, bool) else parent.published,
            provider_name=provider_name,
            provider_domain=provider_domain,
            topics=parent.topics,
            related=0,
        )
        excerpt = stored[number - 1].get("excerpt")  # (the same list, as JSON)
        words = search_text(entry.title, excerpt, provider_name, parent.topics, "")
        related.append(Related(number, entry, words))
    return related


def _date(value: Any, unknown_zones: list[str] | None = None) -> dt.datetime | None:
    """A loaded YAML value as a UTC timestamp, or None. A zone named in text that
    newsq cannot place (`EDT` could be one of several) is read as UTC and, when
    `unknown_zones` is given, its name added there."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if isinstance(value, str) and value.strip():
        from dateutil import parser as date_parser  # only for dates written as quoted strings

        try:
            parsed = date_parser.isoparse(value.strip())
        except (ValueError, OverflowError):
            zones = TextZones()
            try:
                parsed = date_parser.parse(value, tzinfos=zones)
            except (ValueError, OverflowError):
                return None
            if unknown_zones is not None:
                unknown_zones.extend(zones.unknown)
        return _date(parsed)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() else number
    return None


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(to_json_value(value))


# --- diagnostics ----------------------------------------------------------------


def _no_front_matter(text: str, path: str) -> Problem:
    """A file without an opening fence is either not a document (a README) or a broken one."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _KEY_VALUE_LINE.match(first) and _FENCE.search(text):
        message = "front matter has no opening '---' line"
        return Problem(path, 1, 1, ERROR, message)
    return Problem(path, None, None, NOTICE, "no front matter; not a document")


def _yaml_problem(exc: yaml.MarkedYAMLError, yaml_text: str, path: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    reason = exc.problem or exc.context or "cannot be read"
    if exc.context and exc.problem:
        reason = f"{exc.context}: {exc.problem}"
    line = column = None
    if mark is not None:
        line, column = text_position(yaml_text, mark.index)
        line += 2  # the front matter starts on the file's second line
        column += 1
    return Problem(path, line, column, ERROR, f"YAML: {reason}")


def _yaml_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a single {type(value).__name__} value"


def _key_line(yaml_text: str, key: str) -> int | None:
    """The file line of a top-level key, for messages about its value."""
    match = re.search(rf"^{re.escape(key)}[ \t]*:", yaml_text, re.MULTILINE)
    if match is None:
        return None
    return yaml_text.count("\n", 0, match.start()) + 2


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1
