"""Properties over arbitrary input (hypothesis).

- Any bytes, and any YAML-ish text between fences, parse to a document or to a
  problem that says why not: the parser never raises, and what loads is plain JSON
  (the property is `fuzz_parser.check`, which the fuzz target shares).
- Any valid document comes back exactly as written: every value, in order, through
  the parser, through the snapshot, and out of `newsq show --json` and
  `newsq list --json` (the related coverage too).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from fuzz_parser import check
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import (
    BODIES,
    DATES,
    FRONT_MATTER,
    RELATED_ITEMS,
    TEXT,
    TIMESTAMPS,
    YAMLISH,
)
from typer.testing import CliRunner

import newsq
from newsq.cli.app import app
from newsq.ingest.parse import parse_bytes
from newsq.model import RESERVED_KEYS

SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- any input ---------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_a_document_or_a_problem(data: bytes) -> None:
    check(data)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([b"", b"\xef\xbb\xbf"]))
def test_any_bytes_between_fences_are_a_document_or_a_problem(data: bytes, bom: bytes) -> None:
    check(bom + b"---\n" + data + b"\n---\n")


@settings(max_examples=500, deadline=None)
@given(YAMLISH, st.sampled_from(["\n", "\r\n"]), YAMLISH)
def test_yamlish_front_matter_is_a_document_or_a_problem(
    front_matter: str, newline: str, body: str
) -> None:
    text = f"---{newline}{front_matter}{newline}---{newline}{body}"
    check(text.encode("utf-8"))


# --- any valid document, exactly ----------------------------------------------------------


def expected_record(doc_id: str, path: Path, values: dict[str, Any], body: str) -> dict:
    """The record newsq documents: id, then every field as written (a reserved name takes
    `_` in front until it is free), then path, then the body if it has any text."""
    record: dict[str, Any] = {"id": doc_id}
    for key, value in values.items():
        if key in RESERVED_KEYS:
            key = "_" + key
            while key in values:
                key = "_" + key
        record[key] = value
    record["path"] = str(path)
    if body.strip():
        record["body"] = body
    return record


def expected_related(doc_id: str, values: dict[str, Any]) -> dict[str, dict]:
    """Each mapping in a `related` list, by its id `DOC#N` (N counts every item)."""
    items = values.get("related")
    if not isinstance(items, list):
        return {}
    found = {}
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            related_id = f"{doc_id}#{number}"
            fields = expected_record(related_id, Path(), item, "")
            del fields["id"], fields["path"]
            found[related_id] = {"id": related_id, "parent": doc_id, **fields}
    return found


# Line breaks beyond \n and \r in YAML 1.1. PyYAML's emitter writes them raw inside
# quoted scalars when allowed to write Unicode, where any loader folds them: a dumper's bug.
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


def document_bytes(values: dict[str, Any], body: str, flow: bool, unicode: bool = True) -> bytes:
    front_matter = yaml.safe_dump(
        values, allow_unicode=unicode, sort_keys=False, default_flow_style=flow, width=40
    )
    assume(not unicode or not any(c in front_matter for c in _YAML_ONLY_BREAKS))
    return f"---\n{front_matter}---\n{body}".encode()


def ordered(record: dict[str, Any]) -> list:
    """A record with its key order made part of equality, at every level."""
    if isinstance(record, dict):
        return [(key, ordered(value)) for key, value in record.items()]
    if isinstance(record, list):
        return [ordered(value) for value in record]
    return [type(record).__name__, record]


def with_related(values: dict[str, Any], related: list | None) -> dict[str, Any]:
    if related is not None and "related" not in values:
        values = {**values, "related": related}
    return values


@SLOW
@given(FRONT_MATTER, BODIES, st.booleans(), st.booleans(), st.none() | RELATED_ITEMS)
def test_any_document_parses_to_exactly_its_values(values, body, flow, unicode, related) -> None:
    values = with_related(values, related)
    data = document_bytes(values, body, flow, unicode)
    parsed = parse_bytes(data, "/corpus/x.md", "x")
    assert parsed.ok, parsed.problems
    expected = expected_record("x", Path("/corpus/x.md"), values, body)
    assert ordered(parsed.record) == ordered(expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FRONT_MATTER, BODIES, st.none() | RELATED_ITEMS)
def test_any_document_comes_out_of_the_index_and_the_cli_exactly(values, body, related):
    values = with_related(values, related)
    runner = CliRunner()

    def cli(*args: str):
        return runner.invoke(app, list(args))

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.md"
        path.write_bytes(document_bytes(values, body, flow=False))
        expected = expected_record("doc", path, values, body)
        related_records = expected_related("doc", values)

        with newsq.load([folder], cache=False) as index:
            assert ordered(index["doc"]) == ordered(expected)
            for related_id, record in related_records.items():
                assert ordered(index[related_id]) == ordered(record)

        shown = cli("show", "doc", "--json", "--data", folder, "--no-cache")
        assert shown.exit_code == 0, shown.output
        assert ordered(json.loads(shown.stdout)) == ordered(expected)
        listed = cli("list", "--all", "--json", "--data", folder, "--no-cache")
        assert ordered(json.loads(listed.stdout)) == ordered([expected])
        for related_id, record in related_records.items():
            shown = cli("show", related_id, "--json", "--data", folder, "--no-cache")
            assert ordered(json.loads(shown.stdout)) == ordered(record)


def iso_utc(value: dt.datetime) -> str:
    utc = value.astimezone(dt.timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{utc.microsecond:06d}" if utc.microsecond else "") + "Z"


@SLOW
@given(st.dictionaries(TEXT, TIMESTAMPS | DATES, min_size=1, max_size=4))
def test_yaml_timestamps_and_dates_become_iso_8601_text(values) -> None:
    parsed = parse_bytes(document_bytes(values, "", flow=False), "/corpus/x.md", "x")
    assert parsed.ok, parsed.problems
    for key, value in values.items():
        shown = "_" + key if key in RESERVED_KEYS else key
        if isinstance(value, dt.datetime):
            assert parsed.record[shown] == iso_utc(value)
        else:
            assert parsed.record[shown] == value.isoformat()
