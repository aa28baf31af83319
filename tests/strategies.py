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
