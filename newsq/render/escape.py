"""Data made harmless for a terminal, and values as one line of text.

Text from the data is untrusted: every string a terminal sees passes through
`safe_text`, which shows control characters (escape sequences, hyperlinks, bells,
carriage returns, the marks that reorder text) as `\\x1b`-style escapes.
"""

from __future__ import annotations

import re
from typing import Any

# DEL, the C1 controls, and the Unicode controls that reorder or hide text (bidi
# marks, overrides, isolates); with the C0 controls, all a terminal may act on.
BEYOND_C0 = "\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f{BEYOND_C0}]")  # tab and newline: per use
_ANY_CONTROL = re.compile(f"[\x00-\x1f{BEYOND_C0}]")
_WHITESPACE_RUN = re.compile(r"[\t\n]+")


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
        import json  # (the command line imports this module as it starts)

        return json.dumps(value, ensure_ascii=False)
    return str(value)


_WEB_LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def linkable(url: object) -> str | None:
    """`url` when a terminal may be given it as a hyperlink: http(s), nothing that is a
    control or a space (which could end the escape sequence that carries it early)."""
    if isinstance(url, str) and _WEB_LINK.fullmatch(url):
        return url
    return None
