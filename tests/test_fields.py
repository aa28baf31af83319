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

import json
from collections import defaultdict
from typing import Any

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
