"""Text for programs: JSON, JSONL and CSV, with the fields picked that were asked for.

Nothing here draws (no rich), so printing JSON never pays for importing a
terminal toolkit. JSON keeps the data's exact text; what a terminal would act on
is escaped the JSON way, which keeps it equal.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from newsq.render.escape import BEYOND_C0, display_value, safe_line, safe_text


class Format(str, enum.Enum):
    """What `--format` takes: a table drawn for people, or JSON, JSONL, CSV for programs;
    `ids` (list, search, stories) is the results' ids alone, one a line, for `show -`."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    ids = "ids"


#: Columns of `--format csv` when no `--fields` are given.
CSV_FIELDS = ("id", "publishedDateTime", "provider.name", "title", "topics", "quality", "heat")
#: Columns of `search --format csv` when no `--fields` are given.
SEARCH_CSV_FIELDS = ("id", "score", "publishedDateTime", "provider.name", "title", "snippet")
STORY_FIELDS = ("id", "headline", "documents", "articles", "outlets", "first_seen", "last_seen")
TIMELINE_FIELDS = ("publishedDateTime", "outlet", "title", "url", "document", "id")
#: The columns of `newsq fields` (the keys of a `FieldInfo`'s JSON).
FIELD_INFO_FIELDS = ("field", "documents", "types", "example")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        import json

        return json.dumps(value)
    text = value if isinstance(value, str) else display_value(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- fields ----------------------------------------------------------------------


def field_value(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (`provider.name`, `images.0.url`), None when absent.

    A name after a list reaches into each of its items, as field paths name them
    (`newsq fields`): `images.url` is the list of every image's url (None for an
    image without one), `related.images.url` a list of such lists.
    """
    if path in record:
        return record[path]
    return _value_at(record, path.split("."))


def _value_at(value: Any, parts: Sequence[str]) -> Any:
    for number, part in enumerate(parts):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isascii() and part.isdigit():
            if int(part) >= len(value):
                return None
            value = value[int(part)]
        elif isinstance(value, list):
            return [_value_at(item, parts[number:]) for item in value]
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
_RAW_IN_JSON = re.compile(f"[{BEYOND_C0}\u2028\u2029]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def to_json(value: Any) -> str:
    """Indented JSON, UTF-8 text as is, anything a terminal would act on escaped."""
    import json  # (here and below: the command line imports this module as it starts)

    return _RAW_IN_JSON.sub(_json_escape, json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


def to_jsonl(rows: Iterable[Any]) -> str:
    """One JSON value per line, escaped as `to_json`."""
    import json

    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return _RAW_IN_JSON.sub(_json_escape, text)


def json_array_text(items: Iterable[Any]) -> Iterator[str]:
    """`to_json(list(items))`, a piece per item as the items come: the same text, byte for
    byte, without holding the list (each item is indented as it would be inside it)."""
    import json

    opening = "[\n  "
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        yield opening + _RAW_IN_JSON.sub(_json_escape, text)
        opening = ",\n  "
    yield "[]\n" if opening == "[\n  " else "\n]\n"


def to_csv(
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    terminal: bool = False,
    header: bool = True,
) -> str:
    """CSV with formula-like cells neutralised. For a `terminal` (a person reading, not a
    program), control characters in cells are shown escaped, as in tables; CSV has no
    escapes of its own, so on a pipe they stay exact. Without `header`, the rows alone
    (the CSV of many rows is written a batch at a time)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow([safe_text(f, multiline=True) if terminal else f for f in fields])
    for row in rows:
        cells = [csv_cell(field_value(row, f)) for f in fields]
        writer.writerow([safe_text(c, multiline=True) for c in cells] if terminal else cells)
    return out.getvalue()


def ids_text(ids: Iterable[str], *, terminal: bool = False) -> str:
    """Ids one a line (`--format ids`), for `newsq show -` and `xargs`: exact, but for the
    line breaks a file name can hold (which would make two lines of one id), shown as
    `\\x0a`; on a terminal every control is shown so (`safe_line`)."""
    if terminal:
        return "".join(safe_line(i) + "\n" for i in ids)
    return "".join(_LINE_BREAK.sub(_escape_break, i) + "\n" for i in ids)


_LINE_BREAK = re.compile("[\n\r]")


def _escape_break(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def problems_text(problems: Iterable[Any]) -> str:
    """Problems as `check` prints them, one exact and harmless line each."""
    return "".join(safe_line(p.format()) + "\n" for p in problems)
