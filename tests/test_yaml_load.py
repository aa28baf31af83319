"""newsq.yaml_load returns what yaml.load(..., CSafeLoader) returns, or raises what it raises."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REAL_CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import LINE_YAML, YAMLISH

from newsq.ingest import fast_yaml as yaml_load
from newsq.ingest.fast_yaml import DuplicateKey, NestingTooDeep, load_yaml, load_yaml_reporting

REFERENCE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BENCH_CORPUS = Path("/tmp/newsq-bench/corpus-10000-seed0")
FAST_PATH = yaml_load._HAVE_LIBYAML

_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def reference(text: str) -> Any:
    return yaml.load(text, Loader=REFERENCE_LOADER)


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down, dict order included; NaN equals NaN.

    Iterative, and each pair of containers is compared once, because the values can be
    nested deeper than the recursion limit or (through YAML aliases) contain themselves.
    """
    todo = [(a, b)]
    compared: set[tuple[int, int]] = set()
    while todo:
        a, b = todo.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, float):
            if math.isnan(a) or math.isnan(b):
                if not (math.isnan(a) and math.isnan(b)):
                    return False
            elif a != b or math.copysign(1.0, a) != math.copysign(1.0, b):
                return False
        elif isinstance(a, (dict, list, tuple)):
            if (id(a), id(b)) in compared:
                continue
            compared.add((id(a), id(b)))
            if len(a) != len(b):
                return False
            if isinstance(a, dict):
                for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True):
                    todo += [(ka, kb), (va, vb)]
            else:
                todo.extend(zip(a, b, strict=True))
        elif isinstance(a, dt.datetime):
            if a != b or a.tzinfo != b.tzinfo:
                return False
        elif a != b:
            return False
    return True


def outcome(load: Any, text: str) -> tuple[Any, ...]:
    try:
        return ("value", load(text))
    except Exception as exc:
        return ("raised", type(exc), str(exc))


def assert_like_reference(text: str) -> Any:
    expected = outcome(reference, text)
    got = outcome(load_yaml, text)
    if expected[0] == "value":
        assert got[0] == "value", f"reference loaded {expected[1]!r}, load_yaml raised {got[1:]}"
        assert same(got[1], expected[1]), f"{got[1]!r} != {expected[1]!r}"
    else:
        assert got == expected
    return expected


def takes_line_path(text: str) -> bool:
    """Whether the line path reads `text`; what it reads is the reference's value."""
    try:
        value, duplicates, impure = yaml_load._load_lines(text)
    except Exception:
        return False
    assert same(value, reference(text)), text
    assert duplicates == []
    assert impure == impure_containers(value)
    return True


def impure_containers(value: Any) -> set[int]:
    """The ids of the lists and mappings holding, at any depth, a value that is not str,
    int, bool or None, or a key that is not str."""
    found: set[int] = set()

    def walk(item: Any) -> bool:
        if isinstance(item, dict):
            inner = [type(k) is not str for k in item] + [walk(v) for v in item.values()]
        elif isinstance(item, list):
            inner = [walk(v) for v in item]
        else:
            return type(item) not in (str, int, bool, type(None))
        if any(inner):
            found.add(id(item))
            return True
        return False

    walk(value)
    return found


def takes_fast_path(text: str) -> bool:
    try:
        value, _ = yaml_load._load_fast(text)
    except Exception:
        return False
    assert same(value, reference(text))
    return True


def front_matter(path: Path) -> str | None:
    """The text between the opening `---` line and the next `---` line (CRs kept)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    opening = _OPENING.match(text.removeprefix("\ufeff"))
    if opening is None:
        return None
    text = text.removeprefix("\ufeff")
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        return None
    return text[opening.end() : closing.start()]


# --- the table: (text, whether the fast path handles it) ---------------------------------

FAST = [
    # ints in every base, with signs and underscores, sexagesimal
    "a: 0",
    "a: 42",
    "a: -17",
    "a: +5",
    "a: 0b1010",
    "a: -0b1_0",
    "a: 017",
    "a: 0o17",
    "a: 0x1F",
    "a: 0xff_ff",
    "a: 1_000_000",
    "a: 0_",
    "a: 1:30",
    "a: -1:30:15",
    "a: 190:20:30",
    # floats
    "a: 1.5",
    "a: -1.5e+3",
    "a: 1e3",
    "a: 6.8523015e+5",
    "a: 685.230_15e+03",
    "a: 190:20:30.15",
    "a: .5",
    "a: 1.",
    "a: -0.0",
    "a: .inf",
    "a: -.Inf",
    "a: +.INF",
    "a: .nan",
    "a: .NaN",
    "[.nan, .nan, -.inf]",
    # bools (YAML 1.1) and words that are not
    "a: yes",
    "a: No",
    "a: on",
    "a: OFF",
    "a: true",
    "a: False",
    "a: TRUE",
    "a: y",
    "a: n",
    "a: yes please",
    "a: tRue",
    # nulls
    "a: ~",
    "a: null",
    "a: Null",
    "a: NULL",
    "a:",
    "a: \nb: 1",
    "- \n- ~\n-",
    "? lone key",
    # timestamps
    "a: 2001-12-14t21:59:43.10-05:00",
    "a: 2001-12-14 21:59:43.10 -5",
    "a: 2001-12-15T02:59:43.1Z",
    "a: 2001-12-14 21:59:43.1234567",
    "a: 2001-12-14 21:59:43 +05:30",
    "a: 2020-06-11T20:54:00Z",
    "a: 2020-06-11T20:54:00",
    "a: 2002-12-14",
    "a: 2002-1-4 1:02:03",
    "a: 2002-1-4",
    # quoted scalars stay str
    "a: '1'",
    'a: "true"',
    'a: "2020-01-01"',
    "a: ''",
    'a: "null"',
    'a: "1:30"',
    "a: 'it''s'",
    'a: "tab\\tand \\u00e9 \\x41"',
    # multi-line plain and block scalars with chomping indicators
    "a: this is\n  folded text\n\n  with a break\nb: 2",
    "a: |\n  line1\n  line2\n",
    "a: |-\n  x\n\n",
    "a: |+\n  x\n\n",
    "a: >\n  folded\n  text\n\n  para\n",
    "a: >-\n  x\n  y\n",
    "a: >+\n  x\n\n",
    "a: |2\n    indented\n",
    "a: |\n  123\n",
    # flow and block collections
    "{a: 1, b: [1, 2]}",
    "a: {}",
    "a: []",
    "{}",
    "[]",
    "[a, {b: c}, [d, []], {}]",
    "a: [1, 2.5, true, ~, x, '3']",
    "[a: 1, b: 2]",
    "items:\n  - url: x\n    width: 50\n  - url: y\n    tags: [a, b]\n  -\n    - deep\n",
    "- - - 1\n    - 2\n  - 3\n",
    "a:\n- 1\n- 2\nb: c",
    # Unicode
    'title: "Microsoft Won\u2019t Sell"',
    "名前: 値",
    "emoji: 😀 grin",
    "a: é",
    "\u00e9t\u00e9: ÿes",
    # special plain values
    "a: <<x",
    "url: http://example.com:8080/x?y=1#frag",
    "a: b:c",
    "a: 'x' ",
    # keys that are not strings
    "1: a\n2: b",
    "null: x",
    "~: y",
    "2020-01-01: x",
    "2020-01-01 10:00:00: x",
    "true: a\nno: b",
    "1.5: x\n.inf: y",
    "? explicit\n: v",
    "0x10: a\n16: b",
    # duplicate keys
    "a: 1\na: 2",
    "a: 1\nb: 2\na: 3",
    "1: a\ntrue: b",
    "{.nan: 1, .nan: 2}",
    "a: {x: 1}\na: [2]",
    # empty documents, non-mapping documents
    "",
    "---\n",
    "---",
    "# just a comment\n",
    "\n\n",
    "- a\n- b",
    "hello",
    "42",
    "--- 2020-01-01",
    "--- |\n  text\n",
    # comments and document markers
    "a: 1 # comment\n# full line\nb: x#not a comment",
    "a: 1\n...\n",
    "---\na: 1\n...\n",
    "--- # comment\na: 1\n",
    "a: 1\r\nb: two\r\nc:\r\n  - 3\r\n",
    "\ufeffa: 1",
    # a mapping and lists inside it: exactly as deep as newsq reads
    "a: " + "[" * (yaml_load.MAX_DEPTH - 1) + "]" * (yaml_load.MAX_DEPTH - 1),
]

FALLBACK = [
    "base: &b {x: 1}\nother: *b",
    "a: &x 1\nb: *x",
    "a: &x [1]\nb: *x\nc: *x",
    "base: &b {x: 1, y: 1}\nm:\n  <<: *b\n  y: 2",
    "m:\n  <<: [{a: 1}, {a: 2, b: 3}]\n  c: 4",
    "a: !!str 123",
    "a: !!int '7'",
    "a: !!binary aGVsbG8=",
    "s: !!set {a, b}",
    "o: !!omap [a: 1, b: 2]",
    "p: !!pairs [a: 1, a: 2]",
    "a: ! 123",
    'a: ! "123"',
    "%YAML 1.1\n---\na: 1",
    "%TAG !e! tag:example.com,2000:\n---\na: 1",
    "? [a, b]\n: c",
    "? {a: b}\n: c",
    "=: x",
    "a: =",
    "a: <<",
    "<<: {a: 1}",
    "a: !foo bar",
    "!!map {a: 1}",
    "a: 1\n---\nb: 2",
    "---\n---\n",
    "a: *nope",
    "a: &x 1\nb: &x 2",
    "a: 2020-13-45",
    "a: 2020-02-30T00:00:00Z",
    "a: 2020-01-01T00:00:00+25:00",
    "a: 0b_",
    "a: 0x_",
    "a: " + "1" * 5000,
    # syntax errors
    "a: [1, 2",
    "a: b: c",
    "a:\n\tb: 1",
    "- a\nb: c",
    "{a: 1",
    "a: 'unterminated",
    "a: @b",
    "key: value\n  bad: indent",
    "a: 1\n...\nb]",
    "a: -",
    "a: - b",
    "\x07",
]


@pytest.mark.parametrize("text", FAST)
def test_common_yaml_is_loaded_like_the_reference_by_the_fast_path(text: str) -> None:
    assert_like_reference(text)
    if FAST_PATH:
        assert takes_fast_path(text), "this should not need the fallback"


@pytest.mark.parametrize("text", FALLBACK)
def test_everything_else_falls_back_and_behaves_like_the_reference(text: str) -> None:
    assert_like_reference(text)
    assert not takes_fast_path(text)


def test_spot_values() -> None:
    """A few results written out, so the table above cannot pass by both sides being wrong."""
    assert load_yaml("a: 0x1F\nb: 017\nc: 1:30\nd: 0o17\ne: 1e3") == {
        "a": 31,
        "b": 15,
        "c": 90,
        "d": "0o17",
        "e": "1e3",
    }
    assert load_yaml("[yes, No, on, OFF, y, ~, '', null]") == [
        True,
        False,
        True,
        False,
        "y",
        None,
        "",
        None,
    ]
    stamp = load_yaml("a: 2001-12-14 21:59:43.10 -5")["a"]
    assert stamp == dt.datetime(
        2001, 12, 14, 21, 59, 43, 100000, dt.timezone(dt.timedelta(hours=-5))
    )
    assert load_yaml("2020-01-01: x\n1: a\ntrue: b\nnull: c") == {
        dt.date(2020, 1, 1): "x",
        1: "b",
        None: "c",
    }
    assert list(load_yaml("b: 1\na: 2\nb: 3")) == ["b", "a"]
    assert load_yaml("b: 1\na: 2\nb: 3")["b"] == 3
    nan_keys = load_yaml("{.nan: 1, .nan: 2}")
    assert len(nan_keys) == 1  # PyYAML builds every .nan as one shared float object


def test_equals_sign_is_a_str_key_but_an_error_as_a_value() -> None:
    assert load_yaml("=: x") == {"=": "x"}
    with pytest.raises(
        yaml.constructor.ConstructorError, match=re.escape("tag:yaml.org,2002:value")
    ):
        load_yaml("a: =")


def test_unsafe_tags_are_refused_and_never_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args))
    text = 'a: !!python/object/apply:os.system ["echo hi"]'
    expected = outcome(reference, text)
    assert expected[1] is yaml.constructor.ConstructorError
    assert outcome(load_yaml, text) == expected
    assert outcome(lambda t: load_yaml_reporting(t)[0], text) == expected
    assert calls == []


@pytest.mark.parametrize(
    ("text", "exception"),
    [
        ("a: 1\n---\nb: 2", yaml.composer.ComposerError),
        ("a: 2020-13-45", ValueError),
        ("? [a, b]\n: c", yaml.constructor.ConstructorError),
        ("a: [1, 2", yaml.parser.ParserError),
        ("a: b: c", yaml.scanner.ScannerError),
    ],
)
def test_errors_are_the_references_errors(text: str, exception: type[Exception]) -> None:
    with pytest.raises(exception) as reference_error:
        reference(text)
    with pytest.raises(exception) as error:
        load_yaml(text)
    assert type(error.value) is type(reference_error.value)
    assert str(error.value) == str(reference_error.value)


def test_deep_nesting_is_fine_up_to_the_limit_and_refused_past_it() -> None:
    depth = yaml_load.MAX_DEPTH
    inside = "[" * depth + "]" * depth
    beyond = "[" * (depth + 1) + "]" * (depth + 1)
    assert takes_fast_path(inside) is FAST_PATH
    assert same(load_yaml(inside), reference(inside))
    with pytest.raises(NestingTooDeep):
        load_yaml(beyond)


def nested(depth: int, style: str) -> str:
    """A front matter whose deepest value is `depth` containers down (the top mapping is 1)."""
    if style == "flow":
        return "x: " + "[" * (depth - 1) + "]" * (depth - 1)
    if style == "block":
        return "".join(" " * level + "a:\n" for level in range(depth - 1)) + " " * depth + "a: 1\n"
    if style == "anchored":  # an anchor sends it past the fast path, to PyYAML itself
        return "x: &deep " + "[" * (depth - 1) + "]" * (depth - 1)
    raise AssertionError(style)


# Around each layer's own limit: newsq's, PyYAML's pure-Python recursion (about 480) and
# libyaml's (1,000 from libyaml 0.2.6, bundled from PyYAML 6.0.4).
DEPTHS = sorted({yaml_load.MAX_DEPTH - 1, yaml_load.MAX_DEPTH, yaml_load.MAX_DEPTH + 1}
                | {470, 480, 490, 500, 999, 1000, 1001, 1002, 5000})  # fmt: skip
LOADERS = ["installed", "pure Python"]


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The installed PyYAML as it is (with libyaml when it has it), or its pure-Python loader."""
    if request.param == "pure Python":
        monkeypatch.setattr(yaml_load, "_HAVE_LIBYAML", False)
        monkeypatch.setattr(yaml_load, "_Loader", yaml.SafeLoader)
    return request.param


@pytest.mark.parametrize("style", ["flow", "block", "anchored"])
@pytest.mark.parametrize("depth", DEPTHS)
def test_nesting_gets_one_answer_whichever_layer_notices(loader: str, style: str, depth: int):
    text = nested(depth, style)
    if depth <= yaml_load.MAX_DEPTH:
        value = load_yaml(text)
        assert same(value, yaml.load(text, Loader=yaml.SafeLoader))
    else:
        with pytest.raises(NestingTooDeep):
            load_yaml(text)


@pytest.mark.parametrize("text", ["&a [*a, *a]", "&a {x: *a}", "a: &b [1, &c [*b]]"])
def test_a_value_inside_itself_is_nested_too_deeply(loader: str, text: str) -> None:
    with pytest.raises(NestingTooDeep):
        load_yaml(text)


def test_an_alias_bomb_is_measured_once_per_node() -> None:
    # 2**40 paths through 40 shared lists: measured by node, not by path.
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 40)]
    with pytest.raises(NestingTooDeep):  # 40 levels per alias step is deep only via `b`
        load_yaml("\n".join(lines) + "\nb: " + "[" * 300 + "*a39" + "]" * 300)
    value = load_yaml("\n".join(lines))
    assert value["a1"] == [["x"], ["x"]]


def test_a_changed_loader_switches_the_fast_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert yaml_load._fast_path_applies() is FAST_PATH
    constructors = dict(REFERENCE_LOADER.yaml_constructors)
    constructors["tag:yaml.org,2002:timestamp"] = SafeStringTimestamps.construct
    monkeypatch.setattr(REFERENCE_LOADER, "yaml_constructors", constructors)
    assert not yaml_load._fast_path_applies()
    assert load_yaml("a: 2020-01-01") == {"a": "2020-01-01"}


class SafeStringTimestamps:
    @staticmethod
    def construct(loader: Any, node: yaml.ScalarNode) -> str:
        return node.value


# --- files -------------------------------------------------------------------------------


def _front_matters(paths: list[Path]) -> list[tuple[str, str]]:
    found = [(path.name, front_matter(path)) for path in paths]
    return [(name, text) for name, text in found if text is not None]


def test_seed_front_matter(seeds: Path) -> None:
    documents = _front_matters(sorted(seeds.glob("*.txt")))
    assert len(documents) == 5
    for name, text in documents:
        assert same(load_yaml(text), reference(text)), name
        if FAST_PATH:
            assert takes_fast_path(text), name
        assert load_yaml_reporting(text)[1] == [], name


def test_real_corpus_front_matter(real_corpus: Path) -> None:
    documents = _front_matters(sorted(p for p in real_corpus.rglob("*") if p.is_file()))
    assert documents
    for name, text in documents:
        assert_like_reference(text)
        if FAST_PATH:
            assert takes_fast_path(text), name


def test_generated_corpus_front_matter() -> None:
    if not BENCH_CORPUS.is_dir():
        pytest.skip(f"{BENCH_CORPUS} is not here")
    documents = _front_matters(sorted(BENCH_CORPUS.glob("*.txt"))[:300])
    assert documents
    for _name, text in documents:
        if assert_like_reference(text)[0] == "value":
            _, duplicates = load_yaml_reporting(text)
            assert duplicates == yaml_load._duplicates_in_graph(text)


# --- duplicate keys ----------------------------------------------------------------------


def test_top_level_duplicate_is_reported() -> None:
    value, duplicates = load_yaml_reporting("a: 1\nb: 2\na: 3\n")
    assert value == {"a": 3, "b": 2}
    assert duplicates == [DuplicateKey("a", 2, 0)]


def test_duplicate_positions_count_only_newlines_as_line_breaks() -> None:
    # YAML reads a lone CR as a line break; an editor or `grep -n` does not.
    value, duplicates = load_yaml_reporting("a: 1\rb: 2\ra: 3\n")
    assert value == {"a": 3, "b": 2}
    assert duplicates == [DuplicateKey("a", 0, 10)]
    assert duplicates == yaml_load._duplicates_in_graph("a: 1\rb: 2\ra: 3\n")


def test_nested_duplicates_are_reported_in_document_order() -> None:
    text = 'outer:\n  x: 1\n  "x": 2\nlist:\n  - {k: 1, k: 2, k: 3}\n1: a\ntrue: b\nouter: 0\n'
    value, duplicates = load_yaml_reporting(text)
    assert value == {"outer": 0, "list": [{"k": 3}], 1: "b"}
    assert duplicates == [
        DuplicateKey("x", 2, 2),
        DuplicateKey("k", 4, 11),
        DuplicateKey("k", 4, 17),
        DuplicateKey("true", 6, 0),
        DuplicateKey("outer", 7, 0),
    ]
    assert duplicates == yaml_load._duplicates_in_graph(text)


def test_duplicates_on_the_fallback_path() -> None:
    text = "base: &b {x: 1, y: 1}\nm:\n  <<: *b\n  y: 2\n  z: 3\n  z: 4\nbase: 5\n"
    assert not takes_fast_path(text)
    value, duplicates = load_yaml_reporting(text)
    assert value == {"base": 5, "m": {"x": 1, "y": 2, "z": 4}}
    # `y` overriding the merged `y` is what merge keys are for, not a duplicate.
    assert duplicates == [DuplicateKey("z", 5, 2), DuplicateKey("base", 6, 0)]


def test_duplicates_in_shared_nodes_are_reported_once_without_expanding_aliases() -> None:
    lines = ["a0: &a0 {k: 1, k: 2}"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 30)]
    value, duplicates = load_yaml_reporting("\n".join(lines))
    assert value["a0"] == {"k": 2}
    assert duplicates == [DuplicateKey("k", 0, 15)]


def test_no_duplicates_in_a_failed_load() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml_reporting("a: 1\na: 2\nb: [")


# --- properties --------------------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_arbitrary_text_behaves_like_the_reference(text: str) -> None:
    expected = assert_like_reference(text)
    if expected[0] == "value":
        _, duplicates = load_yaml_reporting(text)
        assert duplicates == yaml_load._duplicates_in_graph(text)


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates().map(str)
    | st.sampled_from(["yes", "~", "1:30", "0x1f", ".inf", "2020-01-01", "=", "<<", "- a"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSONISH, st.booleans())
def test_dumped_values_load_like_the_reference_on_the_fast_path(value: Any, flow: bool) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert same(load_yaml(text), reference(text))
    if FAST_PATH:
        assert takes_fast_path(text), text


# --- the line path -----------------------------------------------------------------------

LINE_PATH = [
    "a: 1",
    "a:",
    "a:   \nb: x  ",
    "title: Newsrooms in Zürich ⚡\nquality: 56\nheat: -1\npublished: false",
    'title: "Is \\"predictive policing\\" new? \\u00e9\\x41\\/\\\\ \\N\\_\\L\\P\\0\\e\\t"',
    "a: 'it''s' \nb: ''\nc: \"\"\nd: '#: x'\ne: \"#: x\"",
    "a: 2022-09-10T20:21:16Z\nb: 2001-12-14 21:59:43.10 -5\nc: 2002-12-14\nd: 1:30\ne: 0x1F",
    "a: 0001-01-01T00:00:00Z\nb: 9999-12-31T23:59:59Z\nc: 2020-02-29T12:00:00Z",
    "a: 2022-1-10T20:21:16Z\nb: 2022-09-10t20:21:16Z\nc: 2022-09-10T20:21:16z",
    "a: 2022-09-10T20:21:16.5Z\nb: 2022-09-10T20:21:16+01:00\nc: 2022-09-10T20:21:16 Z",
    "a: yes\nb: Off\nc: ~\nd: null\ne: .nan\nf: -.inf\ng: 1e3\nh: 017\ni: -1\nj: --x",
    "yes: 1\nnull: 2\noff: 3\n_x: 4\nk-1: 5\ny: 6",
    "url: http://example.com:8080/x?y=1#frag\nc: C#\nd: a:b\ne: x  y",
    "# a comment\n\na: 1\n  # indented comment\n\nb: 2\n# end",
    "a: 1\r\nb:\r\n  - x\r\n",
    "provider:\n  name: Forbes\n  images:\n    - url: x\n      width: 50\n    - url: y\n",
    "topics:\n- a\n- b\nnext: 1",
    "items:\n- a: 1\n  b:\n  - x\n  - y\n  c: 2\n- d: 3\ne: 4",
    "a:\n  b:\n    c:\n      d: 1\n  e: 2\nf:",
    "a:\n  -   k: 1\n      j: 2\n  - 'q'\n  - \"w\"\n  - -5",
]

NOT_LINE_PATH = [
    "",
    "# only a comment",
    "- a\n- b",
    "  a: 1",
    "a: 1\na: 2",
    "a: 1\nb:\n  x: 1\n  x: 2",
    "a: x\n  continued",
    "a:\n  plain on its own line",
    "a: 1 # comment",
    'a: "x" # comment',
    "a: b: c",
    "a: b:",
    "a: - b",
    "a: -",
    "a:\n-\n- x",
    "a:\n- ",
    "a:\n  - x\n  b: 1",
    "a:\n  - x\n- y",
    "a: 1\n- x",
    "a: [1, 2]",
    "a: {b: 1}",
    "a: &x 1\nb: *x",
    "a: !!str 1",
    "a: |\n  text",
    "a: >\n  text",
    "a: @x",
    "a: `x",
    "a: %x",
    "a: ?x",
    "a: :x",
    "a: <<",
    "a: =",
    "a: 2020-13-45",
    "a: 2020-13-45T00:00:00Z",
    "a: 2020-02-30T00:00:00Z",
    "a: 2020-01-01T24:00:00Z",
    "a: 2020-01-01T00:00:60Z",
    "a: 'open",
    'a: "open',
    'a: "\\q"',
    'a: "\\ud800"',
    'a: "\\x4"',
    "a:\tb",
    "a: x\ty",
    "a: 1\rb: 2",
    "a: x\x85y",
    "a: x\u2028y",
    "\ufeffa: 1",
    "a: \ufeffx",
    "a b: 1",
    "a : 1",
    '"a": 1',
    "? a\n: 1",
    "a: 1\n---\nb: 2",
    "a: 1\n...\n",
    "%YAML 1.1\n---\na: 1",
    "k" * 129 + ": 1",
]


@pytest.mark.parametrize("text", LINE_PATH)
def test_common_front_matter_is_read_line_by_line_as_the_reference_reads_it(text: str) -> None:
    assert_like_reference(text)
    if FAST_PATH:
        assert takes_line_path(text), "this should not need the event path"


@pytest.mark.parametrize("text", NOT_LINE_PATH)
def test_anything_else_goes_to_the_event_path(text: str) -> None:
    expected = assert_like_reference(text)
    assert not takes_line_path(text)
    if expected[0] == "value":
        _, duplicates = load_yaml_reporting(text)
        assert duplicates == yaml_load._duplicates_in_graph(text)


def test_timestamps_in_utc_are_read_as_the_resolver_reads_them() -> None:
    assert yaml_load._UTC_TIMESTAMPS
    for text in ("2022-09-10T20:21:16Z", "0001-01-01T00:00:00Z", "2020-02-29T23:59:59Z"):
        loaded = yaml_load._load_lines(f"a: {text}\nb: x")[0]["a"]
        expected = reference(f"a: {text}")["a"]
        assert (loaded, loaded.tzinfo) == (expected, expected.tzinfo)
        assert type(loaded) is type(expected)


def test_the_line_path_leaves_deep_nesting_to_the_event_path() -> None:
    inside = "".join(f"{' ' * n}k:\n" for n in range(yaml_load.MAX_DEPTH - 1))
    beyond = "".join(f"{' ' * n}k:\n" for n in range(yaml_load.MAX_DEPTH + 1))
    assert same(load_yaml(inside), reference(inside))
    assert not takes_line_path(beyond)
    with pytest.raises(NestingTooDeep):
        load_yaml(beyond)


def test_the_line_path_reads_the_seeds_and_the_real_corpus(seeds: Path) -> None:
    paths = sorted(seeds.glob("*.txt"))
    if REAL_CORPUS.is_dir():
        paths += sorted(p for p in REAL_CORPUS.rglob("*") if p.is_file())
    documents = _front_matters(paths)
    assert len(documents) >= 5
    for name, text in documents:
        if FAST_PATH:
            assert takes_line_path(text), name


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINE_YAML)
def test_front_matter_lines_behave_like_the_reference(text: str) -> None:
    expected = assert_like_reference(text)
    takes_line_path(text)  # (checks the line path's value whenever it reads the text)
    if expected[0] == "value":
        _, duplicates = load_yaml_reporting(text)
        assert duplicates == yaml_load._duplicates_in_graph(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSONISH)
def test_dumped_block_values_are_read_line_by_line_like_the_reference(value: Any) -> None:
    text = yaml.safe_dump({"v": value}, default_flow_style=False, allow_unicode=True, width=10**6)
    assert same(load_yaml(text), reference(text))
    takes_line_path(text)
