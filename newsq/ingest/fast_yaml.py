"""Load YAML front matter fast, with exactly the result of PyYAML's safe loader.

Why: `yaml.load(text, Loader=yaml.CSafeLoader)` costs 1.0-1.75 ms (depending on the
machine) for a typical front matter of the benchmark corpus (about 240 events), although
libyaml does the scanning and parsing in C: the C composer calls PyYAML's Python resolver for
every scalar (a list concatenation and a few regular expressions each) and builds a node
object per value, and the Python SafeConstructor then walks those nodes with generators.
Pulling the bare events out of the same C parser costs 0.3-0.36 ms. `load_yaml` builds the
Python value straight from those events, with an explicit stack and no nodes, in 0.45-0.55 ms
(under half of `yaml.load`); most of what remains is libyaml's event objects themselves.
Front matter of the common shape (block mappings and lists, a value per line, see "the line
path" below) is read line by line without libyaml at all, in about half that time again.

How exactness is kept:

* Plain scalars are resolved with the very table PyYAML uses
  (`yaml_implicit_resolvers`: per first character, patterns in registration order, then the
  wildcard ones) and the non-string results are built by SafeConstructor's own methods
  (`construct_yaml_int`, `_float`, `_bool`, `_timestamp`) on a `ScalarNode`. The only
  results computed here are the trivial ones: `str` is the text itself and null is `None`.
* Mappings are filled with plain dict assignment in document order, as BaseConstructor
  does, so a later duplicate key wins while the first one keeps its position, and keys that
  are equal in Python (`1` and `true`, two `.nan`, which PyYAML builds as one shared float
  object) collapse the same way.
* Anything outside that common case raises `_Unsupported` internally and the text is loaded
  again from scratch by `yaml.load` itself: tags (even `!!str` and `!`), anchors and aliases,
  merge keys, the `=` value key, keys that are not scalars, `%YAML`/`%TAG` directives, a
  second document, and every exception at all (parser errors, `date: 2020-13-45`, ...), so
  error types and messages always come from PyYAML.
* One exception to exactness, on purpose: a value nested deeper than `MAX_DEPTH` raises
  `NestingTooDeep`, whichever layer notices first. Each layer has a limit of its own, and
  they differ: libyaml 0.2.6 (bundled from PyYAML 6.0.4) stops at 1,000 levels with a
  `ScannerError`, PyYAML's pure-Python loader meets the recursion limit near 480, this
  module's event loop counts levels itself. `MAX_DEPTH` is below all of them, so a file
  reads the same (or fails the same) with any PyYAML build; no real front matter comes near.
* If the loader's implicit resolvers change after import, it gains path resolvers, or its
  constructors for str, null, int, float, bool, timestamp, map or seq are no longer
  SafeConstructor's (say somebody registers a timestamp constructor that keeps strings), the
  fast path is not used at all.
* Resolution results are cached per distinct short plain value. That is safe because every
  value the fast path builds from a scalar is immutable (str, int, float, bool, None, date,
  datetime with a fixed-offset timezone); the reference returns equal (not identical) objects.

Without libyaml, `yaml.SafeLoader` is the reference and is simply called.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _Loader

    _HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _HAVE_LIBYAML = False

__all__ = [
    "MAX_DEPTH",
    "DuplicateKey",
    "Loaded",
    "NestingTooDeep",
    "load_front_matter",
    "load_yaml",
    "load_yaml_reporting",
]

#: Lists and mappings inside each other, at most: below libyaml's limit (1,000) and the
#: depth at which PyYAML's pure-Python loader meets Python's recursion limit (about 480).
MAX_DEPTH = 200
# What libyaml (0.2.6 on) says when it stops at its own nesting limit.
_LIBYAML_NESTING = "exceeded maximum nesting depth"

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"

# The constructors the fast path stands in for; if the loader maps any of these tags to
# something else, its results could differ, so the fast path is switched off.
_EXPECTED_CONSTRUCTORS = {
    _STR: SafeConstructor.construct_yaml_str,
    _NULL: SafeConstructor.construct_yaml_null,
    _INT: SafeConstructor.construct_yaml_int,
    _FLOAT: SafeConstructor.construct_yaml_float,
    _BOOL: SafeConstructor.construct_yaml_bool,
    _TIMESTAMP: SafeConstructor.construct_yaml_timestamp,
    _MAP: SafeConstructor.construct_yaml_map,
    _SEQ: SafeConstructor.construct_yaml_seq,
}
_CONSTRUCTOR_TAGS = tuple(_EXPECTED_CONSTRUCTORS)
_CONSTRUCTOR_FUNCTIONS = tuple(_EXPECTED_CONSTRUCTORS.values())


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A mapping key that repeats an earlier key of the same mapping (the later value wins).

    `key` is the scalar as written (without quotes), `line` and `column` are 0-based and
    point at this repetition (see `text_position`); the first occurrence is not reported.
    """

    key: str
    line: int
    column: int


def text_position(text: str, index: int) -> tuple[int, int]:
    """The 0-based line and column of character `index`, counting only `\n` as a line break.

    YAML's own marks also break lines at a lone `\r`, NEL and U+2028/9, so their line
    numbers can run past the file's as an editor or `grep -n` counts them.
    """
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index), index - line_start


class NestingTooDeep(ValueError):
    """The text nests lists and mappings deeper than `MAX_DEPTH` (or, through aliases,
    inside themselves)."""

    def __init__(self) -> None:
        super().__init__(f"nested more than {MAX_DEPTH} levels deep")


class _Unsupported(Exception):
    """The fast path does not handle this text; PyYAML must load it."""


# --- plain scalar resolution -------------------------------------------------------------

_RESOLVERS: dict[Any, list[tuple[str, Any]]] = _Loader.yaml_implicit_resolvers


def _resolver_fingerprint(resolvers: dict[Any, list[tuple[str, Any]]]) -> int:
    # add_implicit_resolver only ever appends, so a count catches in-place additions.
    return len(resolvers) + sum(map(len, resolvers.values()))


_RESOLVER_FINGERPRINT = _resolver_fingerprint(_RESOLVERS)


def _build_table() -> tuple[dict[str, tuple[tuple[str, Any], ...]], Any]:
    # Resolver.resolve tries value[0]'s patterns (or ''s for the empty value) and then the
    # wildcard (None) ones, first match wins; this precomputes that concatenation.
    wildcard = tuple((tag, regexp.match) for tag, regexp in _RESOLVERS.get(None, ()))
    table = {
        first: tuple((tag, regexp.match) for tag, regexp in resolvers) + wildcard
        for first, resolvers in _RESOLVERS.items()
        if first is not None
    }
    table.setdefault("", wildcard)
    # None means "no pattern can match": the scalar is a str at once.
    return table, (wildcard or None)


_TABLE, _TABLE_DEFAULT = _build_table()

_SAFE_CONSTRUCTOR = SafeConstructor()


def _via_constructor(tag: str, method: Any) -> Any:
    def construct(value: str) -> Any:
        return method(ScalarNode(tag, value))

    return construct


_SCALAR_CONSTRUCTORS = {
    # construct_yaml_str returns node.value and construct_yaml_null returns None: nothing
    # else to copy, so these two skip the node.
    _STR: lambda value: value,
    _NULL: lambda value: None,
    _INT: _via_constructor(_INT, _SAFE_CONSTRUCTOR.construct_yaml_int),
    _FLOAT: _via_constructor(_FLOAT, _SAFE_CONSTRUCTOR.construct_yaml_float),
    _BOOL: _via_constructor(_BOOL, _SAFE_CONSTRUCTOR.construct_yaml_bool),
    _TIMESTAMP: _via_constructor(_TIMESTAMP, _SAFE_CONSTRUCTOR.construct_yaml_timestamp),
}

# Front matter repeats the same short values (true, 50, type names); long values are
# mostly unique text and would only churn the cache.
_CACHE: dict[str, Any] = {}
_CACHE_MAX_ENTRIES = 8192
_CACHE_MAX_LENGTH = 64


def _resolve_plain(value: str, resolvers: tuple[tuple[str, Any], ...]) -> Any:
    """The value PyYAML builds for the untagged plain scalar `value`."""
    tag = _STR  # Resolver.DEFAULT_SCALAR_TAG when no pattern matches
    for candidate, match in resolvers:
        if match(value):
            tag = candidate
            break
    construct = _SCALAR_CONSTRUCTORS.get(tag)
    if construct is None:  # merge, value or a custom tag: SafeConstructor's business
        raise _Unsupported(tag)
    result = construct(value)
    if len(value) <= _CACHE_MAX_LENGTH:
        if len(_CACHE) >= _CACHE_MAX_ENTRIES:
            _CACHE.clear()
        _CACHE[value] = result
    return result


def _fast_path_applies() -> bool:
    """Whether the loader still resolves as at import and constructs with SafeConstructor."""
    resolvers = _Loader.yaml_implicit_resolvers
    constructors = _Loader.yaml_constructors
    return (
        resolvers is _RESOLVERS
        and _resolver_fingerprint(resolvers) == _RESOLVER_FINGERPRINT
        and not _Loader.yaml_path_resolvers
        and tuple(map(constructors.get, _CONSTRUCTOR_TAGS)) == _CONSTRUCTOR_FUNCTIONS
    )


# --- the fast path -----------------------------------------------------------------------

_NO_KEY = object()


def _load_fast(text: str) -> tuple[Any, list[DuplicateKey]]:
    """Build the value from libyaml's events; raise `_Unsupported` (or anything) to give up."""
    loader = _Loader(text)
    try:
        get_event = loader.get_event
        duplicates: list[DuplicateKey] = []
        if get_event().__class__ is not StreamStartEvent:
            raise _Unsupported("stream start")
        event = get_event()
        if event.__class__ is StreamEndEvent:
            return None, duplicates
        if (
            event.__class__ is not DocumentStartEvent
            or event.version is not None
            or event.tags is not None
        ):
            raise _Unsupported("directives")

        table_get = _TABLE.get
        table_default = _TABLE_DEFAULT
        cache_get = _CACHE.get
        resolve = _resolve_plain
        no_key = _NO_KEY
        scalar_event = ScalarEvent
        mapping_start = MappingStartEvent
        sequence_start = SequenceStartEvent
        mapping_end = MappingEndEvent
        sequence_end = SequenceEndEvent
        stack: list[tuple[Any, bool]] = []
        push = stack.append
        pop = stack.pop
        container: Any = None  # the dict or list being filled; None at the top
        is_map = False
        key: Any = no_key  # a mapping's pending key, or no_key when a key comes next
        root: Any = None

        while True:
            event = get_event()
            cls = event.__class__
            if cls is scalar_event:
                if event.anchor is not None or event.tag is not None:
                    raise _Unsupported("anchor or tag")
                value = event.value
                if event.implicit[0]:  # plain (untagged): resolve like Resolver.resolve
                    resolvers = table_get(value[:1], table_default)
                    if resolvers is not None:
                        cached = cache_get(value, no_key)
                        value = resolve(value, resolvers) if cached is no_key else cached
                if is_map:
                    if key is no_key:
                        if value in container:
                            line, column = text_position(text, event.start_mark.index)
                            duplicates.append(DuplicateKey(event.value, line, column))
                        key = value
                    else:
                        container[key] = value
                        key = no_key
                elif container is not None:
                    container.append(value)
                else:
                    root = value
                    break
            elif cls is mapping_start or cls is sequence_start:
                if event.anchor is not None or event.tag is not None:
                    raise _Unsupported("anchor or tag")
                # Attached before it is filled, as SafeConstructor does: same order.
                new: Any = {} if cls is mapping_start else []
                if is_map:
                    if key is no_key:
                        raise _Unsupported("a key that is not a scalar")
                    container[key] = new
                elif container is not None:
                    container.append(new)
                else:
                    root = new
                push((container, is_map))
                if len(stack) > MAX_DEPTH:
                    raise NestingTooDeep
                container = new
                is_map = cls is mapping_start
                key = no_key
            elif cls is mapping_end or cls is sequence_end:
                container, is_map = pop()
                key = no_key
                if container is None:
                    break
            else:  # an alias
                raise _Unsupported(cls.__name__)

        if get_event().__class__ is not DocumentEndEvent:
            raise _Unsupported("document end")
        if get_event().__class__ is not StreamEndEvent:
            raise _Unsupported("more than one document")
        return root, duplicates
    finally:
        loader.dispose()


# --- the line path -----------------------------------------------------------------------

# Front matter as it is mostly written: block mappings and lists, one line per value, and
# each value plain or quoted on its line. Such text is read line by line here, without
# libyaml's events: 0.12 ms for a front matter of the benchmark corpus, against 0.23 ms
# on the event path (0.13 ms of it pulling the events out of libyaml). Anything else, and
# anything doubtful, is `_Unsupported` and goes to the event path above; so does a
# duplicate key, which the event path reports with its position. What is read here is
# what libyaml's scanner reads:
#
# * Only spaces for blanks, LF or CR LF for breaks, and only characters libyaml takes as
#   printable, less the ones it also reads as breaks (NEL, U+2028/9) or skips (a BOM): no
#   tab anywhere, no lone CR, no control character.
# * A line (after its indentation) is a comment (`#` first), or `- ` items then `key:`
#   then a value, or `- ` and a value. A key is plain, ASCII, short, and resolved like any
#   plain scalar (`yes:` is True), as the event path does.
# * A value is empty (null, or the start of a nested block on the lines below), quoted
#   and closed on its line, or plain: then it cannot start with an indicator (but `-`
#   before a non-blank, as in `-1`), and holds no `: `, no ` #` (a comment) and does not
#   end with `:`. A plain value ends the line, trailing spaces aside: a line after it
#   indented deeper would continue it, and is not read here.
# * Indentation is YAML's: a nested block is deeper than its key, or, for a list, at the
#   same column (an indentless sequence); a line at any other column is unsupported.

# Each line: its indentation, `- ` items, `key:`, and the rest (a value, or a comment).
_LINES = re.compile(r"^( *)(- +)?(?:([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +|$))?(.*)$", re.MULTILINE)
# Outside of these (tab, CR, controls, DEL, C1, NEL, U+2028/9, surrogates, BOM, U+FFFE/F).
_LINE_CHARACTERS = re.compile(
    "[^\n -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# Characters that cannot start a plain scalar (`-` can, before a non-blank).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_DOUBLE_QUOTED = re.compile(
    r'"((?:[^"\\]|\\(?:[ "/0LNP\\_abefnrtv]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))*)" *'
)
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPED = {
    " ": " ", '"': '"', "/": "/", "0": "\x00", "L": "\u2028", "N": "\x85", "P": "\u2029",
    "\\": "\\", "_": "\xa0", "a": "\x07", "b": "\x08", "e": "\x1b", "f": "\x0c", "n": "\n",
    "r": "\r", "t": "\t", "v": "\x0b",
}  # fmt: skip
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)' *")
# Values JSON has as they are (a float may not be: NaN, infinities).
_JSON_TYPES = frozenset({str, int, bool, type(None)})
# A line's value or key as written (quotes, trailing blanks and all): what it is. Both repeat
# from one front matter to the next (`type: article`, `width: 1200`, every key).
_LINE_CACHE: dict[str, Any] = {}


def _unescape(match: re.Match[str]) -> str:
    simple = match.group(4)
    if simple is not None:
        return _ESCAPED[simple]
    code = int(match.group(1) or match.group(2) or match.group(3), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:  # libyaml refuses these
        raise _Unsupported("escape")
    return chr(code)


def _line_value(rest: str) -> Any:
    """What a line's text after its key (or `- `) holds, not empty (remembered when short)."""
    first = rest[0]
    value = rest.rstrip(" ")
    if first == '"':
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != '"' or '"' in inner or "\\" in inner:
            # (the common case above in C: a regular expression takes 20 times as long)
            quoted = _DOUBLE_QUOTED.fullmatch(rest)
            if quoted is None:
                raise _Unsupported("double-quoted")
            inner = _ESCAPE.sub(_unescape, quoted.group(1))
        value = inner
    elif first == "'":
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != "'" or "'" in inner:
            quoted = _SINGLE_QUOTED.fullmatch(rest)
            if quoted is None:
                raise _Unsupported("single-quoted")
            inner = quoted.group(1).replace("''", "'")
        value = inner
    else:
        if (
            (first in _INDICATORS and (first != "-" or value[1:2] in ("", " ")))
            or ": " in value
            or " #" in value
            or value[-1] == ":"
        ):
            raise _Unsupported("plain")
        resolvers = _TABLE.get(first, _TABLE_DEFAULT)
        if resolvers is None:
            pass
        elif len(value) == 20 and _UTC_TIMESTAMPS and _UTC_TIMESTAMP.fullmatch(value):
            value = _utc_timestamp(value)
        else:
            value = _resolve_plain(value, resolvers)
    if len(rest) <= _CACHE_MAX_LENGTH:
        if len(_LINE_CACHE) >= _CACHE_MAX_ENTRIES:
            _LINE_CACHE.clear()
        _LINE_CACHE[rest] = value
    return value


# Timestamps as most front matter writes them (`2022-09-10T20:21:16Z`, six a document of
# the benchmark corpus), built here: 0.005 ms a document against 0.018 ms through the
# resolver's patterns and SafeConstructor, which build the same datetime (in UTC, with
# `timezone.utc`). Used only when the resolvers at import read such text so.
_UTC_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _utc_timestamp(text: str) -> dt.datetime:
    return dt.datetime(
        int(text[0:4]),
        int(text[5:7]),
        int(text[8:10]),
        int(text[11:13]),
        int(text[14:16]),
        int(text[17:19]),
        tzinfo=dt.timezone.utc,
    )


def _reads_utc_timestamps() -> bool:
    for sample in ("2001-02-03T04:05:06Z", "1999-12-31T23:59:59Z"):
        try:
            resolved = _resolve_plain(sample, _TABLE.get(sample[0], _TABLE_DEFAULT) or ())
        except Exception:
            return False
        built = _utc_timestamp(sample)
        if type(resolved) is not dt.datetime or (resolved, resolved.tzinfo) != (
            built,
            built.tzinfo,
        ):
            return False
    return True


_UTC_TIMESTAMPS = _reads_utc_timestamps()


def _load_lines(text: str) -> tuple[Any, list[DuplicateKey], set[int]]:
    """Build the value of a text of the common shape line by line; raise `_Unsupported`
    (or anything) to give up. A duplicate key gives up too: the event path reports it.
    Also returns the ids of the containers that are not JSON as they are (`Loaded`)."""
    if "\r" in text:
        # A CR LF is one line break, as a LF: no value read here spans a line (a lone CR,
        # also a break, is not read here).
        text = text.replace("\r\n", "\n")
    if _LINE_CHARACTERS.search(text) is not None:
        raise _Unsupported("characters")
    cache_get = _LINE_CACHE.get
    no_key = _NO_KEY
    line_value = _line_value
    root: dict[Any, Any] = {}
    # The enclosing blocks of the current one: (container, indent, is_map, indentless).
    stack: list[tuple[Any, int, bool, bool]] = []
    push = stack.append
    pop = stack.pop
    container: Any = root
    indent = 0
    is_map = True
    indentless = False
    pending: Any = no_key  # the key of the last line, when its value was empty
    json_types = _JSON_TYPES
    impure: set[int] = set()
    for spaces, dash, key, rest in _LINES.findall(text):
        if not key and not dash and (not rest or rest[0] == "#"):
            continue  # a blank line or a comment
        column = len(spaces)
        if pending is not no_key:
            # The key above has an empty value: null, or the block that starts here.
            if column > indent or (column == indent and dash and is_map):
                if not key and not dash:
                    raise _Unsupported("a plain value on its own line")
                new: Any = [] if dash else {}
                container[pending] = new
                push((container, indent, is_map, indentless))
                if len(stack) >= MAX_DEPTH:
                    raise _Unsupported("deep")
                indentless = column == indent
                container, indent, is_map = new, column, not dash
            pending = no_key
        while column < indent:
            container, indent, is_map, indentless = pop()
        if indentless and not dash and column == indent:
            container, indent, is_map, indentless = pop()  # a key after the list
        if column != indent:
            raise _Unsupported("indentation")
        if is_map:
            if dash:
                raise _Unsupported("a list item in a mapping")
        else:
            if not dash:
                raise _Unsupported("a key in a list")
            if not key:
                if not rest:
                    raise _Unsupported("an empty item")
                value = cache_get(rest, no_key)
                if value is no_key:
                    value = line_value(rest)
                container.append(value)
                if value.__class__ not in json_types:
                    impure.add(id(container))
                    impure.update(id(frame[0]) for frame in stack)
                continue
            # `- key: value`: a mapping that goes on at the key's column
            new = {}
            container.append(new)
            push((container, indent, is_map, indentless))
            if len(stack) >= MAX_DEPTH:
                raise _Unsupported("deep")
            container, indent, is_map, indentless = new, column + len(dash), True, False
        if not key:
            raise _Unsupported("a line that is no key")
        resolved = cache_get(key, no_key)
        if resolved is no_key:
            resolved = line_value(key)
        if resolved in container:
            raise _Unsupported("a duplicate key")
        if rest:
            value = cache_get(rest, no_key)
            if value is no_key:
                value = line_value(rest)
            container[resolved] = value
        else:
            value = container[resolved] = None  # (an empty plain scalar: null)
            pending = resolved
        if value.__class__ not in json_types or resolved.__class__ is not str:
            impure.add(id(container))
            impure.update(id(frame[0]) for frame in stack)
    if not root:
        raise _Unsupported("no mapping")
    return root, [], impure


# --- the reference path ------------------------------------------------------------------


def _duplicates_in_graph(text: str) -> list[DuplicateKey]:
    """Duplicate keys of a text PyYAML loaded, read off its node graph.

    Each node is visited once, so aliases (even an alias bomb or a recursive alias) cost one
    visit. Merge keys are not keys of their mapping, and keys brought in by a merge may be
    overridden on purpose, so neither counts.
    """
    root = yaml.compose(text, Loader=_Loader)
    if root is None:
        return []
    constructor = _Loader("")
    found: list[DuplicateKey] = []
    try:
        visited: set[int] = set()
        todo = [root]
        while todo:
            node = todo.pop()
            if id(node) in visited:
                continue
            visited.add(id(node))
            if isinstance(node, SequenceNode):
                todo.extend(node.value)
            elif isinstance(node, MappingNode):
                keys: set[Any] = set()
                for key_node, value_node in node.value:
                    todo.append(key_node)
                    todo.append(value_node)
                    if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                        continue
                    try:
                        if key_node.tag == _VALUE:  # SafeConstructor turns a `=` key into str
                            key = key_node.value
                        else:
                            key = constructor.construct_object(key_node, deep=True)
                        duplicate = key in keys
                        keys.add(key)
                    except Exception:  # not hashable: PyYAML would have refused the text
                        continue
                    if duplicate:
                        line, column = text_position(text, key_node.start_mark.index)
                        found.append(DuplicateKey(key_node.value, line, column))
    finally:
        constructor.dispose()
    found.sort(key=lambda duplicate: (duplicate.line, duplicate.column))
    return found


def _depth_within_limit(value: Any) -> None:
    """Raise `NestingTooDeep` if `value` nests containers deeper than `MAX_DEPTH`.

    Iterative, and each container is measured once, so a value shared through YAML
    aliases costs one visit (an alias bomb stays cheap); a container inside itself is
    infinitely deep.
    """
    depth: dict[int, int] = {}  # id of a container measured: its depth
    open_now: set[int] = set()  # ids of the containers being measured (a cycle meets one)
    todo: list[tuple[Any, bool]] = [(value, False)]
    while todo:
        item, children_done = todo.pop()
        key = id(item)
        if children_done:
            open_now.discard(key)
            inner = _children(item)
            depth[key] = 1 + max((depth.get(id(c), 0) for c in inner), default=0)
            if depth[key] > MAX_DEPTH:
                raise NestingTooDeep
            continue
        if key in depth:
            continue
        if key in open_now:
            raise NestingTooDeep
        open_now.add(key)
        todo.append((item, True))
        todo.extend((c, False) for c in _children(item) if id(c) not in depth)


def _children(item: Any) -> list[Any]:
    """The containers directly inside a loaded value (PyYAML builds dicts, lists, tuples
    for !!pairs and !!omap, and sets)."""
    if isinstance(item, dict):
        inner = [*item.keys(), *item.values()]
    elif isinstance(item, (list, tuple, set, frozenset)):
        inner = list(item)
    else:
        return []
    return [c for c in inner if isinstance(c, (dict, list, tuple, set, frozenset))]


class Loaded(NamedTuple):
    """A loaded text (`load_front_matter`)."""

    value: Any
    #: Its mappings' repeated keys, in document order.
    duplicates: list[DuplicateKey]
    #: The ids of the lists and mappings that hold, at any depth, a value JSON has no type
    #: for (a date, a float) or a key that is not text; every other one is JSON as it is.
    #: None when not known: any may hold one.
    impure: set[int] | None


def _load(text: str, report: bool) -> Loaded:
    if _HAVE_LIBYAML and isinstance(text, str) and _fast_path_applies():
        try:
            return Loaded(*_load_lines(text))
        except Exception:
            pass  # not of the common shape (or in doubt): libyaml's events decide
        try:
            return Loaded(*_load_fast(text), None)
        except NestingTooDeep:
            raise
        except Exception:
            # Whatever went wrong (or is merely unsupported), PyYAML decides from scratch,
            # so values, exception types and messages are its own.
            pass
    try:
        value = yaml.load(text, Loader=_Loader)
    except RecursionError:  # the pure-Python loader, past about 480 levels
        raise NestingTooDeep from None
    except yaml.MarkedYAMLError as exc:
        if _LIBYAML_NESTING in (exc.problem or ""):
            raise NestingTooDeep from None
        raise
    _depth_within_limit(value)
    return Loaded(value, (_duplicates_in_graph(text) if report else []), None)


def load_yaml(text: str) -> Any:
    """Return what `yaml.load(text, Loader=yaml.CSafeLoader)` returns, or raise what it raises;
    `NestingTooDeep` for a value nested deeper than `MAX_DEPTH`."""
    return _load(text, False).value


def load_yaml_reporting(text: str) -> tuple[Any, list[DuplicateKey]]:
    """`load_yaml(text)` and the duplicate keys of every mapping in it, in document order."""
    loaded = _load(text, True)
    return loaded.value, loaded.duplicates


def load_front_matter(text: str) -> Loaded:
    """`load_yaml_reporting(text)`, and which of its lists and mappings are JSON as they are."""
    return _load(text, True)
