"""`newsq fields` and `Index.fields`: every field the documents have, how many have it,
its types and an example.

Facts from reading seeds/*.txt: every seed has `provider.name`, `topics` and a
`related` list whose items have `title`; `ampWebUrl` is on 000, 001 and 004 only;
`provider.images` on 000 (Forbes) and 004 (Quartz) only; `heat` is 99 on 000 and -1
on the others. The first seed by id is 000 (Forbes), whose first related article is
HotNewHipHop's "Police Banned From Using Amazon's Facial Recognition Technology For
A Year".
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any

import pytest
from conftest import ALL_IDS, ID0, ID4

import newsq
from newsq.index import FieldInfo
from newsq.index import fields as fields_module
from newsq.render.formats import pick_fields

FORBES_LOGO = (
    "https://smartableai.github.io/artificial-intelligence/assets/images/organizations/"
    "forbes.com-50x50.jpg"
)
QZ_LOGO = (
    "https://smartableai.github.io/artificial-intelligence/assets/images/organizations/"
    "qz.com-50x50.jpg"
)
HOTNEWHIPHOP_TITLE = "Police Banned From Using Amazon's Facial Recognition Technology For A Year"

#: Every field of the seeds, in the order `fields` gives them: a mapping's (or a list of
#: mappings') fields right after it, otherwise A to Z in any case.
SEED_FIELDS = [
    "ampWebUrl",
    "category",
    "cdnAmpWebUrl",
    "excerpt",
    "heat",
    "id",
    "images",
    "images.height",
    "images.isCached",
    "images.title",
    "images.url",
    "images.width",
    "path",
    "provider",
    "provider.domain",
    "provider.images",
    "provider.images.height",
    "provider.images.url",
    "provider.images.width",
    "provider.name",
    "published",
    "publishedDateTime",
    "quality",
    "related",
    "related.ampWebUrl",
    "related.cdnAmpWebUrl",
    "related.excerpt",
    "related.images",
    "related.images.height",
    "related.images.isCached",
    "related.images.url",
    "related.images.width",
    "related.provider",
    "related.provider.domain",
    "related.provider.name",
    "related.publishedDateTime",
    "related.quality",
    "related.title",
    "related.type",
    "related.webUrl",
    "secured",
    "title",
    "topics",
    "type",
    "webUrl",
]


def by_field(infos: list[FieldInfo]) -> dict[str, FieldInfo]:
    return {info.field: info for info in infos}


def document(**fields: Any) -> str:
    """A document's front matter holding these fields (as JSON, which YAML reads)."""
    lines = "".join(f"{json.dumps(k)}: {json.dumps(v)}\n" for k, v in fields.items())
    return f"---\n{lines}---\n"


# --- the library ------------------------------------------------------------------------------


def test_the_seeds_fields_in_order(seed_index):
    assert [info.field for info in seed_index.fields()] == SEED_FIELDS


def test_the_seeds_fields_counts_types_and_examples(seed_index):
    found = by_field(seed_index.fields())
    assert found["provider.name"] == FieldInfo("provider.name", 5, ("string",), "Forbes")
    assert found["ampWebUrl"].documents == 3
    assert found["provider.images"] == FieldInfo("provider.images", 2, ("list of object",), None)
    assert found["provider.images.url"] == FieldInfo(
        "provider.images.url", 2, ("string",), FORBES_LOGO
    )
    assert found["provider.images.width"] == FieldInfo("provider.images.width", 2, ("integer",), 50)
    assert found["heat"] == FieldInfo("heat", 5, ("integer",), 99)
    assert found["published"] == FieldInfo("published", 5, ("boolean",), True)
    assert found["topics"] == FieldInfo("topics", 5, ("list of string",), ["Computer Vision", "AI"])
    assert found["related"] == FieldInfo("related", 5, ("list of object",), None)
    assert found["provider"] == FieldInfo("provider", 5, ("object",), None)
    assert found["related.title"] == FieldInfo("related.title", 5, ("string",), HOTNEWHIPHOP_TITLE)
    assert found["related.provider.name"].example == "HotNewHipHop"
    assert found["related.quality"] == FieldInfo("related.quality", 5, ("integer",), 42)
    assert found["id"] == FieldInfo("id", 5, ("string",), ID0)


def _walk(value: Any, path: str, found: dict[str, set[str]]) -> None:
    """Each path of a value with the JSON types there: what `fields` should find, walked
    here the plain way (every record, recursively)."""
    names = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if isinstance(value, dict):
        if path:
            found[path].add("object")
        for key, item in value.items():
            _walk(item, f"{path}.{key}" if path else key, found)
    elif isinstance(value, list):
        kinds = sorted({"object" if isinstance(v, dict) else names[type(v)] for v in value})
        found[path].add("list of " + " or ".join(kinds) if kinds else "list")
        for item in value:
            if isinstance(item, dict):
                for key, inner in item.items():
                    _walk(inner, f"{path}.{key}", found)
    else:
        found[path].add("null" if value is None else names[type(value)])


def _assert_counts_and_types_are_those_of_every_record_walked(index: newsq.Index) -> None:
    documents: dict[str, int] = defaultdict(int)
    types: dict[str, set[str]] = defaultdict(set)
    for record in index.records(list(index)):
        paths: dict[str, set[str]] = defaultdict(set)
        _walk(record, "", paths)
        for path, kinds in paths.items():
            documents[path] += 1
            types[path] |= kinds
    found = index.fields()
    assert {info.field: info.documents for info in found} == documents
    assert {info.field: set(info.types) for info in found} == types


def test_the_seeds_counts_and_types_are_those_of_every_record_walked(seed_index):
    _assert_counts_and_types_are_those_of_every_record_walked(seed_index)


def test_the_real_corpus_counts_and_types_are_those_of_every_record_walked(real_corpus):
    with newsq.load([real_corpus]) as index:
        assert len(index.fields()) == 63
        _assert_counts_and_types_are_those_of_every_record_walked(index)


def test_fields_under_a_filter(seed_index):
    quartz = by_field(seed_index.fields(provider="qz"))
    assert {info.documents for info in quartz.values()} == {1}
    assert quartz["provider.images.url"].example == QZ_LOGO
    assert quartz["related.title"].example == (
        "A Bill in Congress Would Limit Uses of Facial Recognition"
    )
    assert quartz["id"].example == ID4
    nlp = by_field(seed_index.fields(topic="Natural Language Processing"))
    assert "ampWebUrl" not in nlp and "provider.images" not in nlp
    assert nlp["title"].documents == 1
    assert seed_index.fields(newsq.Filter.build(provider="nobody")) == []


def test_fields_of_an_empty_corpus(write_corpus):
    root = write_corpus({"notes.md": "no front matter here\n"})
    with newsq.load([root], cache=False) as index:
        assert index.fields() == []


def test_an_example_is_the_first_value_that_is_not_empty(write_corpus):
    root = write_corpus(
        {
            "a.md": document(
                title="A", note="", tags=[], blank=None, count=3, related=[{"url": "u"}]
            ),
            "b.md": document(
                title="B",
                note="  ",
                tags=["x", "y"],
                blank=None,
                count="three",
                related=[{"title": ""}, {"title": "second"}],
            ),
            "c.md": document(title="C", note="found", count=4),
        }
    )
    with newsq.load([root], cache=False) as index:
        found = by_field(index.fields())
    assert found["note"] == FieldInfo("note", 3, ("string",), "found")
    assert found["tags"] == FieldInfo("tags", 2, ("list", "list of string"), ["x", "y"])
    assert found["blank"] == FieldInfo("blank", 2, ("null",), None)
    assert found["count"] == FieldInfo("count", 3, ("integer", "string"), 3)
    assert found["related.title"] == FieldInfo("related.title", 1, ("string",), "second")
    assert found["related.url"] == FieldInfo("related.url", 1, ("string",), "u")


def test_documents_read_for_an_example_are_bounded(write_corpus, monkeypatch):
    """A field whose value is empty in its first documents: its example is looked for in
    `EXAMPLE_READS` documents at most, then it is the first (empty) one."""
    root = write_corpus(
        {
            "a.md": document(title="A", note=""),
            "b.md": document(title="B", note=""),
            "c.md": document(title="C", note="third"),
        }
    )
    with newsq.load([root], cache=False) as index:
        assert by_field(index.fields())["note"].example == "third"
        monkeypatch.setattr(fields_module, "EXAMPLE_READS", 2)
        assert by_field(index.fields())["note"].example == ""


def test_field_info_json():
    info = FieldInfo("topics", 5, ("list of string",), ["AI"])
    assert info.to_json() == {
        "field": "topics",
        "documents": 5,
        "types": ["list of string"],
        "example": ["AI"],
    }


def test_every_field_listed_is_one_fields_takes(seed_index):
    """Each name `fields` lists picks values with `--fields`: none is an empty column."""
    records = seed_index.records(ALL_IDS)
    for info in seed_index.fields():
        values = [row[info.field] for row in pick_fields(records, [info.field])]
        assert sum(value is not None for value in values) == info.documents, info.field


# --- the command ------------------------------------------------------------------------------


def test_fields_table_on_a_pipe(cli):
    result = cli("fields")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["field", "documents", "types", "example"]
    assert [line.split()[0] for line in lines[1:]] == SEED_FIELDS
    rows = {line.split()[0]: line for line in lines[1:]}
    assert rows["provider.name"] == "provider.name                      5  string          Forbes"
    assert rows["provider"] == "provider                           5  object"
    assert rows["topics"] == (
        "topics                             5  list of string  Computer Vision, AI"
    )


def test_fields_table_cuts_long_examples_and_json_keeps_them_whole(cli, seed_index):
    secured = seed_index[ID0]["secured"]
    assert len(secured) > 60
    table = cli("fields", "--fields", "field,example").stdout.splitlines()
    assert f"secured{' ' * 20}{secured[:59]}…" in table
    whole = json.loads(cli("fields", "--json").stdout)
    assert {"field": "secured", "documents": 5, "types": ["string"], "example": secured} in whole


def test_fields_table_shows_an_example_without_the_spaces_around_it(cli, write_corpus):
    root = write_corpus({"a_1111.md": "---\ntitle: T\n---\n\n\n  ## Heading\n\nText\n"})
    table = cli("fields", "--data", root, "--fields", "field,example").stdout.splitlines()
    assert "body   ## Heading Text" in table
    exact = json.loads(cli("fields", "--data", root, "--json", "--fields", "field,example").stdout)
    assert {"field": "body", "example": "\n\n  ## Heading\n\nText\n"} in exact


def test_fields_on_an_80_column_terminal(cli):
    terminal = {"FORCE_COLOR": "1", "NO_COLOR": "1", "COLUMNS": "80"}
    result = cli("fields", "--provider", "qz", env=terminal)
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[:5] == [
        "field                       documents   types            example",
        "─" * 80,
        "ampWebUrl                           1   string           https://qz.com/1867967…",
        "category                            1   string           news",
        "cdnAmpWebUrl                        1   string           https://qz-com.cdn.amp…",
    ]
    assert "topics                              1   list of string   Computer Vision, AI" in lines


def test_fields_json_under_a_filter_with_picked_columns(cli):
    result = cli("fields", "--provider", "forbes", "--json", "--fields", "field,documents,types")
    rows = json.loads(result.stdout)
    assert rows[:3] == [
        {"field": "ampWebUrl", "documents": 1, "types": ["string"]},
        {"field": "category", "documents": 1, "types": ["string"]},
        {"field": "cdnAmpWebUrl", "documents": 1, "types": ["string"]},
    ]
    assert len(rows) == len(SEED_FIELDS)


def test_fields_jsonl_and_csv(cli):
    lines = cli("fields", "--format", "jsonl").stdout.splitlines()
    assert json.loads(lines[SEED_FIELDS.index("topics")]) == {
        "field": "topics",
        "documents": 5,
        "types": ["list of string"],
        "example": ["Computer Vision", "AI"],
    }
    rows = list(csv.reader(io.StringIO(cli("fields", "--format", "csv").stdout)))
    assert rows[0] == ["field", "documents", "types", "example"]
    assert rows[SEED_FIELDS.index("provider.images.url") + 1] == [
        "provider.images.url",
        "2",
        "string",
        FORBES_LOGO,
    ]
    assert rows[SEED_FIELDS.index("related") + 1] == ["related", "5", "list of object", ""]


def test_fields_names_an_unknown_column_and_a_topic_no_document_has(cli):
    result = cli("fields", "--fields", "field,kind")
    assert result.exit_code == 2
    said = " ".join(result.stderr.replace("│", " ").split())
    assert "unknown field 'kind'" in said
    assert "Fields: documents, example, field, types" in said
    missing = cli("fields", "--topic", "computer visoin")
    assert missing.exit_code == 0
    assert missing.stdout == ""
    assert "did you mean 'Computer Vision'?" in missing.stderr


def test_fields_shows_hostile_names_and_examples_harmlessly(cli, write_corpus):
    hostile = "\x1b[31mred\x1b]8;;http://evil.example\x07[bold]x[/bold]\u202e"
    root = write_corpus({"a_1111.md": document(title="T", note=hostile, **{"k\x1b[2J": 1})})
    table = cli("fields", "--data", root, env={"FORCE_COLOR": "1", "COLUMNS": "200"})
    assert "\x1b[31mred" not in table.stdout and "\x1b]8;;http://evil" not in table.stdout
    assert "\x1b[2J" not in table.stdout and "\u202e" not in table.stdout
    plain = cli("fields", "--data", root).stdout.splitlines()
    assert plain[1:4] == [
        "id                1  string   a_1111",
        r"k\x1b[2J          1  integer  1",
        r"note              1  string   \x1b[31mred\x1b]8;;http://evil.example\x07[bold]x[/bold]"
        r"\u202e",
    ]
    exact = json.loads(cli("fields", "--data", root, "--json").stdout)
    assert {"field": "note", "documents": 1, "types": ["string"], "example": hostile} in exact
    assert {"field": "k\x1b[2J", "documents": 1, "types": ["integer"], "example": 1} in exact


@pytest.mark.parametrize("name", ["provider.name", "related.title", "images.url", "topics"])
def test_a_field_listed_is_a_column_of_list(cli, name):
    result = cli("list", "--provider", "forbes", "--fields", f"id,{name}", "--json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row[name] not in (None, [], "")


def test_a_shape_is_written_as_json_once_and_found_again(monkeypatch):
    from newsq.ingest import update
    from newsq.ingest.shape import record_shape

    monkeypatch.setattr(update, "_SHAPE_TEXTS", {})
    monkeypatch.setattr(update, "_SHAPE_TEXTS_KEPT", 2)
    records = [{"id": "a"}, {"id": "b", "é": [1, {"x": None}]}, {"id": 3}, {"id": "c"}]
    for record in records * 2:
        shape = record_shape(record)
        text = update._shape_text(shape)
        assert text == json.dumps(shape, ensure_ascii=False, separators=(",", ":"))
        assert len(update._SHAPE_TEXTS) <= 2
    assert update._shape_text(record_shape(records[0])) is update._shape_text(
        record_shape(records[3])
    )
