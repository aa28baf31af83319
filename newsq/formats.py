"""Text for programs and for safety: JSON, JSONL, CSV, picked fields, and terminal-safe text.

Nothing here draws (no rich), so printing JSON never pays for importing a
terminal toolkit. JSON keeps the data's exact text; `safe_text` is what any
data string passes through before a terminal sees it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: Columns of `--format csv` when no `--fields` are given.
CSV_FIELDS = ("id", "publishedDateTime", "provider.name", "title", "topics", "quality", "heat")
#: Columns of `search --format csv` when no `--fields` are given.
SEARCH_CSV_FIELDS = ("id", "score", "publishedDateTime", "provider.name", "title", "snippet")
STORY_FIELDS = ("id", "headline", "documents", "articles", "outlets", "first_seen", "last_seen")
TIMELINE_FIELDS = ("publishedDateTime", "outlet", "title", "url", "document", "id")

# DEL, the C1 controls, and the Unicode controls that reorder or hide text (bidi
# marks, overrides, isolates); with the C0 controls, all a terminal may act on.
_BEYOND_C0 = "\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}]")  # tab and newline: per use
_ANY_CONTROL = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
_WHITESPACE_RUN = re.compile(r"[\t\n]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# --- safety --------------------------------------------------------------------


def safe_text(value: object, *, multiline: bool = False) -> str:
    """Data text made harmless for a terminal: controls shown as `\\x1b`-style escapes.

    Single-line use (table cells, headings) also folds tabs and newlines to spaces.
    """
    text = value if isinstance(value, str) else display_value(value)
    if not multiline:
        text = _WHITESPACE_RUN.sub(" ", text)
    return _CONTROL.sub(_escape_control, text)


def safe_line(text: str) -> str:
    """Text made one exact, harmless terminal line: tabs and newlines escaped like any control
    (a file name with a newline in it is shown as it is, `\\x0a`, not as a space)."""
    return _ANY_CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    text = value if isinstance(value, str) else display_value(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- fields ----------------------------------------------------------------------


def field_value(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (`provider.name`, `images.0.url`), None when absent."""
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif (
            isinstance(value, list) and part.isascii() and part.isdigit() and int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            return None
    return value


def pick_fields(records: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> list[dict]:
    """Records cut down to the given fields, each keyed by the name as written."""
    return [{f: field_value(r, f) for f in fields} for r in records]


def parse_fields(spec: str | None) -> list[str]:
    """`id,title, provider.name` → `['id', 'title', 'provider.name']`."""
    if not spec:
        return []
    return [f.strip() for f in spec.split(",") if f.strip()]


# --- machine formats -------------------------------------------------------------


# What JSON leaves raw that a terminal may act on (JSON escapes the C0 controls
# itself; U+009B is CSI), and U+2028/9 (line breaks to JavaScript). Only ever inside
# strings, so writing them as \\u escapes keeps the JSON exactly equal.
_RAW_IN_JSON = re.compile(f"[{_BEYOND_C0}\u2028\u2029]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def to_json(value: Any) -> str:
    """Indented JSON, UTF-8 text as is, anything a terminal would act on escaped."""
    return _RAW_IN_JSON.sub(_json_escape, json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


def to_jsonl(rows: Iterable[Any]) -> str:
    """One JSON value per line, escaped as `to_json`."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return _RAW_IN_JSON.sub(_json_escape, text)


def to_csv(
    rows: Iterable[Mapping[str, Any]], fields: Sequence[str], *, terminal: bool = False
) -> str:
    """CSV with formula-like cells neutralised. For a `terminal` (a person reading, not a
    program), control characters in cells are shown escaped, as in tables; CSV has no
    escapes of its own, so on a pipe they stay exact."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_text(f, multiline=True) if terminal else f for f in fields])
    for row in rows:
        cells = [csv_cell(field_value(row, f)) for f in fields]
        writer.writerow([safe_text(c, multiline=True) for c in cells] if terminal else cells)
    return out.getvalue()


def display_value(value: Any) -> str:
    """A value as one line of text: lists comma-joined, mappings as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return ", ".join(display_value(v) for v in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def relative_age(date: dt.datetime, now: dt.datetime) -> str:
    """How long before `now` `date` was, as people say it: `just now`, `5 minutes ago`,
    `1 day ago`, `3 weeks ago`, `6 years ago` (or `in 2 days` for a date still to come).
    Whole units, rounded down, in calendar months and years."""
    from dateutil.relativedelta import relativedelta

    later, earlier = (now, date) if date <= now else (date, now)
    gap = relativedelta(later, earlier)
    seconds = (later - earlier).total_seconds()
    if gap.years:
        amount, unit = gap.years, "year"
    elif gap.months:
        amount, unit = gap.months, "month"
    elif seconds >= 7 * 86_400:
        amount, unit = int(seconds // (7 * 86_400)), "week"
    elif seconds >= 86_400:
        amount, unit = int(seconds // 86_400), "day"
    elif seconds >= 3_600:
        amount, unit = int(seconds // 3_600), "hour"
    elif seconds >= 60:
        amount, unit = int(seconds // 60), "minute"
    else:
        return "just now"
    phrase = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"{phrase} ago" if date <= now else f"in {phrase}"


_WEB_LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def linkable(url: object) -> str | None:
    """`url` when a terminal may be given it as a hyperlink: http(s), nothing that is a
    control or a space (which could end the escape sequence that carries it early)."""
    if isinstance(url, str) and _WEB_LINK.fullmatch(url):
        return url
    return None
