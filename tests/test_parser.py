"""The parser: one file in, a record and an entry (or problems) out."""

from __future__ import annotations

import datetime as dt
import json
import os
import textwrap
import threading
import time
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsq.ingest import parse as parser
from newsq.ingest.parse import format_timestamp, parse_bytes, parse_file, parse_text, to_json_value
from newsq.model import ERROR, NOTICE, WARNING, Problem

UTC = dt.timezone.utc


def doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def only_problem(parsed) -> Problem:
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


def severities(parsed) -> list[str]:
    return [p.severity for p in parsed.problems]


NORMAL = doc(
    """
    ---
    title: "Robots learn to fold laundry"
    excerpt: A short summary.
    publishedDateTime: 2020-06-11T20:54:00Z
    quality: 72
    heat: 15
    published: true
    type: article
    category: news
    provider:
      name: Forbes
      domain: forbes.com
    topics:
      - Robotics
      - AI
    related:
      - title: one
      - title: two
    ---
    # Heading

    Body text here.
    """
)


# --- a normal document -------------------------------------------------------


class TestNormalDocument:
    def test_record_keys_are_id_then_front_matter_in_file_order_then_path_and_body(self, tmp_path):
        path = tmp_path / "robots.md"
        parsed = parse_text(NORMAL, str(path), "robots")
        assert parsed.ok
        assert parsed.problems == []
        assert list(parsed.record) == [
            "id",
            "title",
            "excerpt",
            "publishedDateTime",
            "quality",
            "heat",
            "published",
            "type",
            "category",
            "provider",
            "topics",
            "related",
            "path",
            "body",
        ]

    def test_record_values(self, tmp_path):
        path = tmp_path / "robots.md"
        record = parse_text(NORMAL, str(path), "robots").record
        assert record == {
            "id": "robots",
            "title": "Robots learn to fold laundry",
            "excerpt": "A short summary.",
            "publishedDateTime": "2020-06-11T20:54:00Z",
            "quality": 72,
            "heat": 15,
            "published": True,
            "type": "article",
            "category": "news",
            "provider": {"name": "Forbes", "domain": "forbes.com"},
            "topics": ["Robotics", "AI"],
            "related": [{"title": "one"}, {"title": "two"}],
            "path": str(path),
            "body": "# Heading\n\nBody text here.\n",
        }

    def test_entry_columns(self, tmp_path):
        path = tmp_path / "robots.md"
        entry = parse_text(NORMAL, str(path), "robots").entry
        assert entry.id == "robots"
        assert entry.path == str(path)
        assert entry.title == "Robots learn to fold laundry"
        assert entry.date == dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)
        assert entry.category == "news"
        assert entry.type == "article"
        assert entry.quality == 72
        assert entry.heat == 15
        assert entry.published is True
        assert entry.provider_name == "Forbes"
        assert entry.provider_domain == "forbes.com"
        assert entry.topics == ("Robotics", "AI")
        assert entry.related == 2

    def test_path_in_record_is_absolute(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        record = parse_text(NORMAL, "sub/robots.md", "robots").record
        assert record["path"] == os.path.join(str(tmp_path), "sub", "robots.md")
        assert os.path.isabs(record["path"])

    @pytest.mark.parametrize("body", ["", "\n", "\n\n   \n\t\n"])
    def test_blank_body_is_left_out(self, body):
        text = "---\ntitle: T\ndate: 2020-01-01\n---\n" + body
        record = parse_text(text, "/x/t.md", "t").record
        assert "body" not in record
        assert list(record) == ["id", "title", "date", "path"]

    def test_file_without_trailing_newline_after_closing_fence(self):
        record = parse_text("---\ntitle: T\ndate: 2020-01-01\n---", "/x/t.md", "t").record
        assert record == {"id": "t", "title": "T", "date": "2020-01-01", "path": "/x/t.md"}

    def test_search_words_are_title_excerpt_provider_topics_and_body(self):
        words = parse_text(NORMAL, "/x/robots.md", "robots").words
        assert words == (
            "Robots learn to fold laundry",
            "A short summary.",
            "Forbes",
            "Robotics \ue000 AI",  # a word between topics: no phrase runs across two
            "# Heading\n\nBody text here.\n",
        )

    def test_search_words_of_a_bare_document_are_empty_strings(self):
        words = parse_text("---\nname: N\n---\n", "/x/n.md", "n").words
        assert words == ("N", "", "", "", "")

    def test_parse_file_reads_from_disk(self, write_corpus):
        root = write_corpus({"robots.md": NORMAL})
        parsed = parse_file(str(root / "robots.md"), "robots")
        assert parsed.ok
        assert parsed.record["title"] == "Robots learn to fold laundry"
        assert parsed.record["path"] == str(root / "robots.md")
        assert parsed.record["body"] == "# Heading\n\nBody text here.\n"

    def test_profile_with_name_and_no_title_takes_title_from_name(self):
        text = doc(
            """
            ---
            name: "April Dunnam"
            type: "profile"
            heat: 106
            date: 2021-03-04
            topics:
              - Power Apps
            ---
            """
        )
        parsed = parse_text(text, "/x/april.md", "april")
        assert parsed.problems == []
        assert parsed.entry.title == "April Dunnam"
        assert parsed.entry.type == "profile"
        assert parsed.entry.heat == 106
        assert parsed.entry.topics == ("Power Apps",)
        assert "title" not in parsed.record
        assert parsed.record["name"] == "April Dunnam"

    def test_title_wins_over_name(self):
        text = "---\ntitle: The Title\nname: The Name\ndate: 2020-01-01\n---\n"
        assert parse_text(text, "/x/t.md", "t").entry.title == "The Title"


# --- timestamps and dates --------------------------------------------------------


class TestTimestamps:
    @pytest.mark.parametrize(
        ("written", "record_value", "entry_date"),
        [
            (
                "2020-06-11T20:54:00Z",
                "2020-06-11T20:54:00Z",
                dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC),
            ),
            (
                "2020-06-11T22:54:00+02:00",
                "2020-06-11T20:54:00Z",
                dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC),
            ),
            (
                "2020-06-11T01:30:00-05:00",
                "2020-06-11T06:30:00Z",
                dt.datetime(2020, 6, 11, 6, 30, tzinfo=UTC),
            ),
            (
                "2020-06-11T20:54:00.123456Z",
                "2020-06-11T20:54:00.123456Z",
                dt.datetime(2020, 6, 11, 20, 54, 0, 123456, tzinfo=UTC),
            ),
            (
                "2020-06-11 20:54:00",
                "2020-06-11T20:54:00Z",
                dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC),
            ),
            (
                "2020-06-11",
                "2020-06-11",
                dt.datetime(2020, 6, 11, tzinfo=UTC),
            ),
        ],
        ids=["utc", "plus-two-hours", "minus-five-hours", "microseconds", "no-zone", "date"],
    )
    def test_yaml_timestamp_in_record_and_entry(self, written, record_value, entry_date):
        text = f"---\ntitle: T\npublishedDateTime: {written}\n---\n"
        parsed = parse_text(text, "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record["publishedDateTime"] == record_value
        assert parsed.entry.date == entry_date
        assert parsed.entry.date.tzinfo is not None
        assert parsed.entry.date.utcoffset() == dt.timedelta(0)

    def test_nested_timestamps_are_converted_too(self):
        text = doc(
            """
            ---
            title: T
            publishedDateTime: 2020-06-11T20:54:00Z
            related:
              - title: r
                publishedDateTime: 2020-06-12T01:00:00+01:00
            ---
            """
        )
        record = parse_text(text, "/x/t.md", "t").record
        assert record["related"] == [{"title": "r", "publishedDateTime": "2020-06-12T00:00:00Z"}]

    @pytest.mark.parametrize(
        ("quoted", "entry_date"),
        [
            ('"2020-06-11T20:54:00Z"', dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)),
            ("'2020-06-11T22:54:00+02:00'", dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)),
            ('"2020-06-11"', dt.datetime(2020, 6, 11, tzinfo=UTC)),
        ],
    )
    def test_quoted_date_stays_a_string_but_gives_the_entry_a_date(self, quoted, entry_date):
        text = f"---\ntitle: T\npublishedDateTime: {quoted}\n---\n"
        parsed = parse_text(text, "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record["publishedDateTime"] == quoted[1:-1]
        assert parsed.entry.date == entry_date

    def test_date_key_used_when_no_published_date_time(self):
        parsed = parse_text("---\ntitle: T\ndate: 2019-12-31\n---\n", "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record["date"] == "2019-12-31"
        assert parsed.entry.date == dt.datetime(2019, 12, 31, tzinfo=UTC)

    def test_published_date_time_wins_over_date(self):
        text = "---\ntitle: T\ndate: 2019-12-31\npublishedDateTime: 2020-01-02T03:04:05Z\n---\n"
        entry = parse_text(text, "/x/t.md", "t").entry
        assert entry.date == dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


class TestFormatTimestamp:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC), "2020-06-11T20:54:00Z"),
            (dt.datetime(2020, 6, 11, 20, 54), "2020-06-11T20:54:00Z"),
            (
                dt.datetime(2020, 6, 11, 22, 54, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                "2020-06-11T20:54:00Z",
            ),
            (
                dt.datetime(2020, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
                "2019-12-31T22:00:00Z",
            ),
            (dt.datetime(2020, 6, 11, 20, 54, 0, 5, tzinfo=UTC), "2020-06-11T20:54:00.000005Z"),
            (dt.datetime(2020, 6, 11, 20, 54, 0, 123456), "2020-06-11T20:54:00.123456Z"),
        ],
        ids=["utc", "naive", "plus-two", "crosses-year", "tiny-microseconds", "microseconds"],
    )
    def test_format_timestamp(self, value, expected):
        assert format_timestamp(value) == expected


# --- JSON values ------------------------------------------------------------------


class TestToJsonValue:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, None),
            ("text", "text"),
            (True, True),
            (42, 42),
            (1.5, 1.5),
            (float("inf"), "Infinity"),
            (float("-inf"), "-Infinity"),
            (dt.date(2020, 6, 11), "2020-06-11"),
            (dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC), "2020-06-11T20:54:00Z"),
            (b"hi!", "aGkh"),
            ({"b", "a", "c"}, ["a", "b", "c"]),
            ((1, 2), [1, 2]),
            (
                {"when": dt.datetime(2020, 1, 1), "list": [dt.date(2020, 1, 2), None]},
                {"when": "2020-01-01T00:00:00Z", "list": ["2020-01-02", None]},
            ),
        ],
        ids=[
            "none",
            "str",
            "bool",
            "int",
            "float",
            "inf",
            "minus-inf",
            "date",
            "datetime",
            "bytes",
            "set",
            "tuple",
            "nested",
        ],
    )
    def test_values(self, value, expected):
        assert to_json_value(value) == expected

    def test_nan_becomes_string(self):
        assert to_json_value(float("nan")) == "NaN"

    def test_non_string_keys_become_their_yaml_spelling(self):
        value = {1: "a", None: "b", dt.date(2020, 6, 11): "e", 2.5: "f"}
        assert to_json_value(value) == {"1": "a", "null": "b", "2020-06-11": "e", "2.5": "f"}
        assert to_json_value({True: "c", False: "d"}) == {"true": "c", "false": "d"}
        stamp = dt.datetime(2020, 6, 11, 22, 54, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        assert to_json_value({stamp: "g"}) == {"2020-06-11T20:54:00Z": "g"}

    def test_yaml_special_values_in_a_record(self):
        text = doc(
            """
            ---
            title: T
            date: 2020-01-01
            rating: .nan
            top: .inf
            blob: !!binary aGkh
            tags: !!set {b, a}
            1: one
            ---
            """
        )
        record = parse_text(text, "/x/t.md", "t").record
        assert record["rating"] == "NaN"
        assert record["top"] == "Infinity"
        assert record["blob"] == "aGkh"
        assert record["tags"] == ["a", "b"]
        assert record["1"] == "one"

    def test_budget_bounds_values(self):
        with pytest.raises(parser._TooLarge):
            to_json_value(list(range(10)), budget=[5])
        assert to_json_value(list(range(4)), budget=[5]) == [0, 1, 2, 3]

    def test_lists_and_mappings_json_already_are_shared_when_known(self):
        from newsq.ingest.fast_yaml import load_front_matter

        text = (
            "a: 1\nwhen: 2020-06-11T20:54:00Z\nplain:\n  x: no\n  y:\n  - 1\n"
            "items:\n- b: 2\n  c: 1.5\n- d:\n    e: x\n- 3\n- 2020-01-01\nyes: no\n"
        )
        value, _, impure = load_front_matter(text)
        copied = to_json_value(value)
        shared = to_json_value(value, budget=[10**6], impure=impure)
        assert json.dumps(shared) == json.dumps(copied)
        assert shared["plain"] is value["plain"]  # JSON already
        assert shared["items"][1] is value["items"][1]
        assert shared is not value and shared["items"] is not value["items"]
        assert shared["items"][0] is not value["items"][0]  # (a float)
        assert shared["true"] is False and True not in shared  # (a key that is not text)

    def test_values_beyond_the_limit_are_refused_on_every_path(self, monkeypatch):
        # A front matter too long for its values to be known under the limit is counted
        # whole, shared or not.
        monkeypatch.setattr(parser, "MAX_VALUES", 50)
        monkeypatch.setattr(parser, "_SHARED_LINES_MAX", (50 - 1) // 6 - 1)
        message = "front matter holds more than 50 values (YAML aliases expanded)"
        for lines in (["items:"] + ["  - x: 1"] * 30, ["items:"] + ["  - [1]"] * 30):
            parsed = parse_text("---\ntitle: T\n" + "\n".join(lines) + "\n---\n", "/x/t.md", "t")
            assert parsed.record is None
            assert parsed.problems[-1].message == message
        parsed = parse_text("---\ntitle: T\nitems:\n  - x: 1\n---\n", "/x/t.md", "t")
        assert parsed.record is not None


# --- odd but valid layouts -------------------------------------------------------


class TestLayouts:
    def test_crlf_line_endings(self):
        text = (
            "---\r\ntitle: T\r\ndate: 2020-06-11\r\ntopics:\r\n  - AI\r\n---\r\nHello\r\nWorld\r\n"
        )
        parsed = parse_text(text, "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record["title"] == "T"
        assert parsed.record["date"] == "2020-06-11"
        assert parsed.entry.topics == ("AI",)
        assert parsed.record["body"].replace("\r\n", "\n") == "Hello\nWorld\n"
        assert list(parsed.record) == ["id", "title", "date", "topics", "path", "body"]

    def test_crlf_file_from_disk(self, write_corpus):
        root = write_corpus({"t.md": b"---\r\ntitle: T\r\ndate: 2020-06-11\r\n---\r\nHi\r\n"})
        parsed = parse_file(str(root / "t.md"), "t")
        assert parsed.problems == []
        assert parsed.record["title"] == "T"
        assert parsed.record["body"].replace("\r\n", "\n") == "Hi\n"

    def test_utf8_bom_bytes(self):
        data = "\ufeff---\ntitle: Café\ndate: 2020-06-11\n---\nBody\n".encode()
        assert data.startswith(b"\xef\xbb\xbf")
        parsed = parse_bytes(data, "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record == {
            "id": "t",
            "title": "Café",
            "date": "2020-06-11",
            "path": "/x/t.md",
            "body": "Body\n",
        }

    def test_utf8_bom_text(self):
        parsed = parse_text("\ufeff---\ntitle: T\ndate: 2020-06-11\n---\n", "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record["title"] == "T"

    def test_body_with_its_own_fence_lines(self):
        text = doc(
            """
            ---
            title: T
            date: 2020-06-11
            ---
            First part.

            ---

            Second part.
            ...
            ---
            """
        )
        parsed = parse_text(text, "/x/t.md", "t")
        assert parsed.problems == []
        assert list(parsed.record) == ["id", "title", "date", "path", "body"]
        assert parsed.record["body"] == "First part.\n\n---\n\nSecond part.\n...\n---\n"

    @pytest.mark.parametrize("text", ["---\n---\n", "---\n---\n\n", "---\n\n---\n"])
    def test_empty_front_matter(self, text):
        parsed = parse_text(text, "/x/t.md", "t")
        assert parsed.ok
        assert parsed.record == {"id": "t", "path": "/x/t.md"}
        assert parsed.entry.title == ""
        assert parsed.entry.date is None
        assert parsed.entry.topics == ()
        assert ERROR not in severities(parsed)

    def test_empty_front_matter_with_body(self):
        parsed = parse_text("---\n---\nJust a body.\n", "/x/t.md", "t")
        assert parsed.record == {"id": "t", "path": "/x/t.md", "body": "Just a body.\n"}

    def test_dots_close_the_front_matter(self):
        parsed = parse_text("---\ntitle: T\ndate: 2020-06-11\n...\nBody\n", "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record == {
            "id": "t",
            "title": "T",
            "date": "2020-06-11",
            "path": "/x/t.md",
            "body": "Body\n",
        }

    def test_trailing_spaces_on_fences(self):
        parsed = parse_text("---  \ntitle: T\ndate: 2020-06-11\n--- \t\nBody\n", "/x/t.md", "t")
        assert parsed.problems == []
        assert parsed.record["title"] == "T"
        assert parsed.record["body"] == "Body\n"


# --- errors ---------------------------------------------------------------------------


class TestErrors:
    def assert_error(self, parsed, line, column, message):
        assert parsed.record is None
        assert parsed.entry is None
        assert not parsed.ok
        assert only_problem(parsed) == Problem("/x/t.md", line, column, ERROR, message)

    def test_unclosed_front_matter(self):
        parsed = parse_text("---\ntitle: T\ndate: 2020-06-11\nBody\n", "/x/t.md", "t")
        self.assert_error(parsed, 1, 1, "front matter opened on line 1 is never closed")

    def test_front_matter_without_opening_fence(self):
        parsed = parse_text("title: T\ndate: 2020-06-11\n---\nBody\n", "/x/t.md", "t")
        self.assert_error(parsed, 1, 1, "front matter has no opening '---' line")

    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            ("2020-13-45", "month must be in 1..12"),
            ("2020-02-30T10:00:00Z", "day is out of range for month"),
            ("0x_", "invalid literal for int() with base 16: ''"),
        ],
    )
    def test_value_yaml_cannot_build(self, value, reason):
        parsed = parse_text(f"---\ntitle: T\ndate: {value}\n---\n", "/x/t.md", "t")
        self.assert_error(parsed, 2, None, f"YAML: a value cannot be read: {reason}")

    @pytest.mark.parametrize(
        "value", ["!!bool maybe", "!!timestamp soon", "!!timestamp 2020-06-11T20@54:00Z"]
    )
    def test_value_that_does_not_fit_its_tag(self, value):
        parsed = parse_text(f"---\ntitle: T\ndate: {value}\n---\n", "/x/t.md", "t")
        reason = "YAML: a value cannot be read as the type its tag names (!!bool, !!timestamp…)"
        self.assert_error(parsed, 2, None, reason)

    @pytest.mark.parametrize(
        ("front_matter", "line", "column"),
        [
            ("bad: value: here\n", 2, 11),
            ("title: T\ndate: 2020-06-11\nbad: value: here\n", 4, 11),
            ("title: T\n\n\nbad: value: here\n", 5, 11),
            # YAML breaks lines at a lone CR and U+2028 too; files are counted in \n.
            ("title: T\r\r\rbad: value: here\n", 2, 22),
            ("title: T\u2028\nbad: value: here\n", 3, 11),
            ("title: T\r\nbad: value: here\r\n", 3, 11),
        ],
    )
    def test_yaml_syntax_error_points_at_the_file_line(self, front_matter, line, column):
        parsed = parse_text("---\n" + front_matter + "---\n", "/x/t.md", "t")
        problem = only_problem(parsed)
        assert parsed.record is None
        assert (problem.path, problem.line, problem.column, problem.severity) == (
            "/x/t.md",
            line,
            column,
            ERROR,
        )
        assert problem.message.startswith("YAML: mapping values are not allowed")

    def test_yaml_error_formats_like_a_compiler_message(self):
        parsed = parse_text("---\ntitle: T\nbad: value: here\n---\n", "/x/t.md", "t")
        assert (
            only_problem(parsed)
            .format()
            .startswith("/x/t.md:3:11: error: YAML: mapping values are not allowed")
        )

    @pytest.mark.parametrize(
        ("front_matter", "kind"),
        [
            ("- a\n- b\n", "a list"),
            ("just some words\n", "a string"),
            ("'quoted words'\n", "a string"),
        ],
    )
    def test_front_matter_that_is_not_a_mapping(self, front_matter, kind):
        parsed = parse_text("---\n" + front_matter + "---\nBody\n", "/x/t.md", "t")
        message = f"front matter is {kind}, not a mapping of field names to values"
        self.assert_error(parsed, 2, 1, message)

    def test_undecodable_bytes_report_line_and_column_of_the_bad_byte(self):
        data = b"---\ntitle: caf\xe9\n---\n"
        parsed = parse_bytes(data, "/x/t.md", "t")
        # offset 14: 4 bytes of "---\n" plus 10 of "title: caf"; line 2, column 11
        self.assert_error(parsed, 2, 11, "not valid UTF-8: byte 0xe9 at offset 14")

    def test_undecodable_bytes_after_a_bom_report_the_bad_byte(self):
        data = b"\xef\xbb\xbf---\ntitle: caf\xe9\n---\n"
        parsed = parse_bytes(data, "/x/t.md", "t")
        # the bad byte is at file offset 17 (3 BOM bytes + 4 + 10): line 2, column 11
        assert data[17] == 0xE9
        self.assert_error(parsed, 2, 11, "not valid UTF-8: byte 0xe9 at offset 17")

    def test_undecodable_byte_on_first_line(self):
        parsed = parse_bytes(b"\xff---\n", "/x/t.md", "t")
        self.assert_error(parsed, 1, 1, "not valid UTF-8: byte 0xff at offset 0")

    def test_nul_bytes_mean_a_binary_file(self):
        parsed = parse_bytes(b"---\ntitle: T\x00\n---\n", "/x/t.md", "t")
        self.assert_error(parsed, 1, 1, "binary file (contains NUL bytes)")

    def test_binary_file_from_disk(self, write_corpus):
        root = write_corpus({"image.md": bytes(range(256))})
        path = str(root / "image.md")
        parsed = parse_file(path, "image")
        assert parsed.record is None
        assert only_problem(parsed) == Problem(
            path, 1, 1, ERROR, "binary file (contains NUL bytes)"
        )

    def test_unsafe_tag_is_refused_and_not_executed(self, capfd):
        text = '---\ntitle: T\ncmd: !!python/object/apply:os.system ["echo hi"]\n---\n'
        parsed = parse_text(text, "/x/t.md", "t")
        problem = only_problem(parsed)
        assert parsed.record is None
        assert parsed.entry is None
        assert (problem.severity, problem.line) == (ERROR, 3)
        assert problem.message.startswith("YAML: ")
        assert "python/object/apply:os.system" in problem.message
        out, err = capfd.readouterr()
        assert "hi" not in out
        assert "hi" not in err

    def test_unsafe_tag_runs_nothing(self, tmp_path):
        marker = tmp_path / "marker"
        text = f'---\ntitle: T\ncmd: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
        parsed = parse_text(text, "/x/t.md", "t")
        assert parsed.record is None
        assert severities(parsed) == [ERROR]
        assert not marker.exists()

    def test_alias_bomb_is_an_error_and_quick(self):
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
            lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        text = "---\ntitle: T\n" + "\n".join(lines) + "\n---\n"
        start = time.monotonic()
        parsed = parse_text(text, "/x/t.md", "t")
        assert time.monotonic() - start < 5
        assert parser.MAX_VALUES == 200_000
        message = "front matter holds more than 200,000 values (YAML aliases expanded)"
        self.assert_error(parsed, 2, 1, message)

    def test_file_over_the_size_limit_is_refused(self, write_corpus, monkeypatch):
        monkeypatch.setattr(parser, "MAX_FILE_BYTES", 1024 * 1024)
        head = "---\ntitle: T\ndate: 2020-06-11\n---\n"
        root = write_corpus(
            {
                "big.md": head + "x" * (1024 * 1024 + 1 - len(head)),
                "fits.md": head + "x" * (1024 * 1024 - len(head)),
            }
        )
        assert (root / "big.md").stat().st_size == 1024 * 1024 + 1
        assert (root / "fits.md").stat().st_size == 1024 * 1024
        big = parse_file(str(root / "big.md"), "big")
        assert big.record is None
        assert only_problem(big) == Problem(
            str(root / "big.md"), None, None, ERROR, "file is larger than the 1 MiB limit"
        )
        fits = parse_file(str(root / "fits.md"), "fits")
        assert fits.ok
        assert fits.problems == []

    def test_unreadable_file(self, write_corpus):
        root = write_corpus({"secret.md": "---\ntitle: T\ndate: 2020-06-11\n---\n"})
        path = root / "secret.md"
        path.chmod(0)
        try:
            try:
                with open(path, "rb"):
                    pass
            except PermissionError:
                pass
            else:
                pytest.skip("this user can read a chmod 000 file (running as root?)")
            parsed = parse_file(str(path), "secret")
        finally:
            path.chmod(0o644)
        assert parsed.record is None
        assert only_problem(parsed) == Problem(
            str(path), None, None, ERROR, "cannot read: Permission denied"
        )

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
    def test_a_file_swapped_for_a_named_pipe_is_refused_without_waiting(self, tmp_path):
        # The scan refuses a named pipe; one put in a file's place after the scan reaches
        # the parser, where opening it to read used to wait for a writer for ever.
        path = tmp_path / "pipe.md"
        os.mkfifo(path)
        parsed = []
        reading = threading.Thread(
            target=lambda: parsed.append(parse_file(str(path), "pipe")), daemon=True
        )
        reading.start()
        reading.join(timeout=10)
        assert not reading.is_alive()
        assert parsed[0].record is None
        assert only_problem(parsed[0]) == Problem(
            str(path), None, None, ERROR, "not a regular file"
        )

    def test_missing_file(self, tmp_path):
        path = str(tmp_path / "gone.md")
        parsed = parse_file(path, "gone")
        assert parsed.record is None
        assert only_problem(parsed) == Problem(
            path, None, None, ERROR, "cannot read: No such file or directory"
        )


# --- notices and warnings ---------------------------------------------------------------


class TestNotices:
    @pytest.mark.parametrize(
        "text",
        [
            "# Read me\n\nThis folder holds the corpus.\n",
            "",
            "Just a line of text.\n",
        ],
    )
    def test_file_without_front_matter_is_a_notice_not_an_error(self, text):
        parsed = parse_text(text, "/x/README.md", "README")
        assert parsed.record is None
        assert parsed.entry is None
        assert only_problem(parsed) == Problem(
            "/x/README.md", None, None, NOTICE, "no front matter; not a document"
        )


class TestWarnings:
    def parse(self, front_matter):
        return parse_text("---\n" + front_matter + "---\n", "/x/t.md", "t")

    def test_duplicate_keys_keep_the_last_value(self):
        parsed = self.parse(
            "title: A\ndate: 2020-06-11\ntitle: B\nprovider:\n  name: X\n  name: Y\n"
        )
        assert parsed.ok
        assert parsed.record["title"] == "B"
        assert list(parsed.record) == ["id", "title", "date", "provider", "path"]
        assert parsed.entry.provider_name == "Y"
        message = "key {!r} appears more than once; the last value is kept"
        assert parsed.problems == [
            Problem("/x/t.md", 4, 1, WARNING, message.format("title")),
            Problem("/x/t.md", 7, 3, WARNING, message.format("name")),
        ]

    def test_quality_that_is_not_a_number(self):
        parsed = self.parse("title: T\ndate: 2020-06-11\nquality: high\n")
        assert parsed.ok
        assert parsed.record["quality"] == "high"
        assert parsed.entry.quality is None
        assert only_problem(parsed) == Problem(
            "/x/t.md", 4, 1, WARNING, "quality 'high' is not a number; numeric filters skip it"
        )

    def test_heat_that_is_not_a_number(self):
        parsed = self.parse("title: T\nheat: lots\ndate: 2020-06-11\n")
        assert parsed.record["heat"] == "lots"
        assert parsed.entry.heat is None
        assert only_problem(parsed) == Problem(
            "/x/t.md", 3, 1, WARNING, "heat 'lots' is not a number; numeric filters skip it"
        )

    @pytest.mark.parametrize(
        ("written", "number"), [("'42'", 42), ("'4.5'", 4.5), ("7", 7), ("0.25", 0.25)]
    )
    def test_numbers_written_as_strings_or_numbers(self, written, number):
        parsed = self.parse(f"title: T\ndate: 2020-06-11\nquality: {written}\n")
        assert parsed.problems == []
        assert parsed.entry.quality == number

    def test_unparseable_date(self):
        parsed = self.parse("title: T\npublishedDateTime: not a date at all\n")
        assert parsed.ok
        assert parsed.record["publishedDateTime"] == "not a date at all"
        assert parsed.entry.date is None
        assert only_problem(parsed) == Problem(
            "/x/t.md",
            3,
            1,
            WARNING,
            "publishedDateTime 'not a date at all' is not a date; date filters skip it",
        )

    def test_topics_as_a_single_string(self):
        parsed = self.parse("title: T\ndate: 2020-06-11\ntopics: AI\n")
        assert parsed.ok
        assert parsed.entry.topics == ("AI",)
        assert parsed.record["topics"] == "AI"
        assert only_problem(parsed) == Problem(
            "/x/t.md", 4, 1, WARNING, "topics is a single string, not a list; read as one topic"
        )

    def test_topics_neither_list_nor_string(self):
        parsed = self.parse("title: T\ndate: 2020-06-11\ntopics: {a: 1}\n")
        assert parsed.entry.topics == ()
        assert only_problem(parsed) == Problem("/x/t.md", 4, 1, WARNING, "topics is not a list")

    def test_missing_title(self):
        parsed = self.parse("date: 2020-06-11\n")
        assert parsed.ok
        assert parsed.entry.title == ""
        expected = Problem("/x/t.md", None, None, WARNING, "no title (nor name)")
        assert only_problem(parsed) == expected

    def test_missing_date(self):
        parsed = self.parse("title: T\n")
        assert parsed.ok
        assert parsed.entry.date is None
        assert only_problem(parsed) == Problem(
            "/x/t.md", None, None, WARNING, "no publishedDateTime (nor date)"
        )

    def test_reserved_id_key_is_kept_as_underscore_id(self):
        parsed = self.parse("title: T\nid: my-own-id\ndate: 2020-06-11\n")
        assert parsed.ok
        assert parsed.record["id"] == "t"
        assert parsed.record["_id"] == "my-own-id"
        assert list(parsed.record) == ["id", "title", "_id", "date", "path"]
        assert parsed.entry.id == "t"
        assert only_problem(parsed) == Problem(
            "/x/t.md",
            3,
            1,
            WARNING,
            "field 'id' is reserved by newsq; its value is kept as '_id'",
        )

    def test_reserved_id_next_to_an_underscore_id_loses_nothing(self):
        parsed = self.parse("title: T\n_id: mine\nid: theirs\ndate: 2020-06-11\n")
        assert parsed.record["id"] == "t"
        assert parsed.record["_id"] == "mine"
        values = list(parsed.record.values())
        assert values.count("theirs") == 1
        assert len(parsed.record) == 6
        assert severities(parsed) == [WARNING]

    @pytest.mark.parametrize("key", ["path", "body", "parent", "score", "snippet", "highlights"])
    def test_other_reserved_keys(self, key):
        parsed = self.parse(f"title: T\ndate: 2020-06-11\n{key}: mine\n")
        assert parsed.record[f"_{key}"] == "mine"
        assert key not in parsed.record or key == "path"
        assert parsed.record["path"] == "/x/t.md"
        assert "body" not in parsed.record
        assert severities(parsed) == [WARNING]

    @pytest.mark.parametrize(
        ("written", "expected"),
        [
            ("Thu, 11 Jun 2020 16:54:00 GMT", "2020-06-11T16:54:00Z"),
            ("Thu, 11 Jun 2020 16:54:00 -0400 (EDT)", "2020-06-11T20:54:00Z"),
            ("11 Jun 2020 16:54 +0530", "2020-06-11T11:24:00Z"),
            ("June 11, 2020", "2020-06-11T00:00:00Z"),
        ],
    )
    def test_dates_written_as_text_in_known_zones(self, written, expected):
        parsed = self.parse(f"title: T\ndate: '{written}'\n")
        assert parsed.problems == []
        assert format_timestamp(parsed.entry.date) == expected
        assert parsed.record["date"] == written

    def test_a_zone_newsq_cannot_place_is_read_as_utc_with_a_warning(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and nothing printed by dateutil
            parsed = self.parse("title: T\ndate: '2020-06-11T20:54:00EZ'\n")
        assert format_timestamp(parsed.entry.date) == "2020-06-11T20:54:00Z"
        assert only_problem(parsed) == Problem(
            "/x/t.md",
            3,
            1,
            WARNING,
            "date '2020-06-11T20:54:00EZ': time zone 'EZ' is unknown; read as UTC",
        )

    def test_published_that_is_not_a_boolean(self):
        parsed = self.parse("title: T\ndate: 2020-06-11\npublished: maybe\n")
        assert parsed.entry.published is None
        assert parsed.record["published"] == "maybe"
        assert only_problem(parsed) == Problem(
            "/x/t.md", 4, 1, WARNING, "published 'maybe' is not true or false"
        )

    def test_provider_as_plain_name(self):
        parsed = self.parse("title: T\ndate: 2020-06-11\nprovider: Reuters\n")
        assert parsed.problems == []
        assert parsed.entry.provider_name == "Reuters"
        assert parsed.entry.provider_domain is None

    def test_warnings_do_not_stop_the_document(self):
        parsed = self.parse("quality: high\ntopics: AI\n")
        assert parsed.ok
        assert set(severities(parsed)) == {WARNING}
        assert len(parsed.problems) == 4


# --- the closing fence --------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["---", "...", "--- ", "---\r", "-- -", "a: b", "", " ---", "x..."]))
)
def test_closing_fence_is_the_first_fence_line(lines):
    text = "\n".join(lines)
    expected = parser._FENCE.search(text, 0)
    found = parser._closing_fence(text, 0)
    assert (found and found.span()) == (expected and expected.span())


class _ShortReads:
    """A file whose reads return at most 3 bytes, as a pipe or network file may."""

    def __init__(self, handle) -> None:
        self._handle = handle
        self.fileno = handle.fileno

    def read(self, size: int) -> bytes:
        return self._handle.read(min(size, 3))


@pytest.mark.parametrize("size", [0, 1, 9, 10, 11, 25])
def test_read_at_most_reads_the_whole_file_up_to_the_limit(tmp_path, size):
    path = tmp_path / "f.md"
    path.write_bytes(bytes(range(size)))
    for wrap in (lambda h: h, _ShortReads):
        with open(path, "rb", buffering=0) as handle:
            assert parser._read_at_most(wrap(handle), 11) == bytes(range(size))[:11]


def test_read_at_most_reads_past_what_stat_said_when_the_file_grew(tmp_path, monkeypatch):
    path = tmp_path / "f.md"
    path.write_bytes(b"x" * 20)
    monkeypatch.setattr(parser.os, "fstat", lambda fd: os.stat_result((0,) * 6 + (5,) + (0,) * 3))
    with open(path, "rb", buffering=0) as handle:
        assert parser._read_at_most(handle, 16) == b"x" * 16
