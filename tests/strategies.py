"""Hypothesis strategies shared by the property tests: YAML-ish text and documents."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

# Single characters plus a few tokens that make resolvers and directives likelier.
YAMLISH = st.lists(
    st.sampled_from(
        [*"abcxyzNTFYonul019-_+.:,#'\"!&*[]{}|>?%@=~ \n\t\ré😀", "0x", "<<", "- ", ": ", "---"]
    ),
    max_size=40,
).map("".join)

# Any text a file may hold as UTF-8 (no lone surrogates).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)

# Field names: anything, often one newsq reads or reserves, so wrong types and renames occur.
KNOWN_FIELDS = [
    "title", "excerpt", "publishedDateTime", "date", "provider", "topics", "quality", "heat",
    "category", "type", "published", "images", "webUrl", "related", "name",
    "id", "path", "body", "parent", "score", "snippet", "highlights",
]  # fmt: skip
KEYS = st.sampled_from(KNOWN_FIELDS) | TEXT

# YAML values that are JSON already.
JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
    | st.sampled_from(["yes", "~", "null", "1:30", "0x1f", "2020-06-11", "=1+1", "[x]", "- a"])
)

# YAML values that are not JSON, with the JSON newsq documents for each.
UTC = dt.timezone.utc
TIMESTAMPS = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, dt.timezone(dt.timedelta(hours=5, minutes=30))]),
)
DATES = st.dates(min_value=dt.date(1, 1, 1))


def json_values(leaves: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4)
        ),
        max_leaves=12,
    )


JSON_VALUES = json_values(JSON_LEAVES)
FRONT_MATTER = st.dictionaries(KEYS, JSON_VALUES, max_size=8)
RELATED_ITEMS = st.lists(
    st.dictionaries(KEYS, JSON_VALUES, max_size=4) | JSON_LEAVES, min_size=1, max_size=4
)
BODIES = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=80)


# Front matter line by line, as people write it and as they get it wrong: block mappings and
# lists nested by indentation (mostly as YAML wants it), keys YAML resolves (`yes:`,
# `null:`), and values plain, quoted or neither quite, with comments, escapes, indicators,
# blanks and breaks of every kind (now and then).
_COMMON_VALUES = [
    "", "", "", "x", "x y", "x  ", "1", "-1", "+5", "0x1F", "017", "1:30", "1.5", ".nan",
    "-.inf", "1e3", "2020-06-11T20:54:00Z", "2001-12-14 21:59:43.10 -5", "2002-12-14", "yes",
    "Off", "~", "null", "--", "a:b", "a#b", "http://x.y:80/p?q#f", "C#", "é", "😀", "---",
    "...", "<<x", '"q"', '"q" ', '""', '"a\\"b"', '"a\\\\"', '"\\x41\\u00e9\\U0001F600"',
    '"\\/\\ \\N\\_\\L\\P\\0\\e"', '"#: x"', "'s'", "'it''s'", "'x' ", "''", "'- a'",
]  # fmt: skip
_ODD_VALUES = [
    "2020-13-45", "2020-02-30T00:00:00Z",
    "- x", "-", "a: b", "a:", "a #b", "#c", "<<", "=", "\u00a0x", "x\u2028y",
    "x\x85y", "x\ty", "x\ry", "\ufeffx", "\x7f", "[1, 2]", "{a: 1}", "&a x", "*a", "!!str 1",
    "! x", "|", ">-", "@x", "`x", "%x", "?x", ":x", "?", ",x", "]", '"\\ud800"', '"\\q"',
    '"\\x4"', '"open', '"a" b', '"a" # c', '"a"b"', "'a'b'", "'open", "'", '"',
]  # fmt: skip
_LINE_VALUES = st.sampled_from(_COMMON_VALUES * 20 + _ODD_VALUES)
_LINE_KEYS = st.sampled_from(
    ["a", "b", "c", "title", "url", "k-1", "_x", "y", "No", "null", "yes", "on", "2020"]
)
_LINE_DASHES = st.sampled_from(["- "] * 30 + ["-  ", "-   ", "-", "-\t"])
_LINE_COLONS = st.sampled_from([": "] * 60 + [":", ":", ":  ", " : ", ":\t"])
_LINE_ENDS = st.sampled_from(
    ["\n"] * 80 + ["\r\n", "\r\n", "\r", "\n\n", "\n  \n", "\n# c\n", "  # c\n", "\n #\n"]
)
# How much deeper a nested block is (0: a list at its key's column), and now and then a
# line out of place.
_LINE_STEPS = st.sampled_from([2] * 12 + [4] * 4 + [0] * 4 + [1, 3])
_LINE_SHIFTS = st.sampled_from([0] * 40 + [1, -1, 2, -2])
# Mappings as (key, value) pairs (keys may repeat), lists, and values as written.
_LINE_TREE = st.recursive(
    st.sampled_from(_COMMON_VALUES * 20 + _ODD_VALUES),
    lambda children: (
        st.lists(children, min_size=1, max_size=4)
        | st.lists(st.tuples(_LINE_KEYS, children), min_size=1, max_size=5).map(tuple)
    ),
    max_leaves=24,
)


@st.composite
def _front_matter_lines(draw: st.DrawFn) -> str:
    lines: list[str] = []

    def line(indent: int, text: str) -> None:
        indent = max(0, indent + draw(_LINE_SHIFTS))
        lines.append(" " * indent + text + draw(_LINE_ENDS))

    def block(value: object, indent: int, head: str) -> None:
        """`value` after `head` (a key and colon, or a dash), or on the lines below."""
        if isinstance(value, str):
            line(indent, head + value)
        elif isinstance(value, tuple):  # a mapping
            if head.startswith("-") and draw(st.booleans()):
                key, inner = value[0]  # its first key on the dash's line
                block(inner, indent + len(head), head + key + draw(_LINE_COLONS))
                mapping(value[1:], indent + len(head))
            else:
                line(indent, head.rstrip(" "))
                mapping(value, indent + max(1, draw(_LINE_STEPS)))
        else:
            line(indent, head.rstrip(" "))
            step = draw(_LINE_STEPS) if head.endswith(": ") else max(1, draw(_LINE_STEPS))
            for item in value:
                block(item, indent + step, draw(_LINE_DASHES))

    def mapping(pairs: tuple[tuple[str, object], ...], indent: int) -> None:
        for key, value in pairs:
            block(value, indent, key + draw(_LINE_COLONS))

    tree = draw(_LINE_TREE)
    mapping(tree if isinstance(tree, tuple) else (("a", tree),), 0)
    return "".join(lines)


LINE_YAML = _front_matter_lines()
