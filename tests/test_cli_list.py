"""`newsq list`: every filter, sort order, limit and output format on the bundled seeds.

Expected ids come from reading seeds/*.txt by hand:

    id   publishedDateTime     quality  heat  published  provider (name, domain)
    000  2020-06-11T20:54:00Z  89       99    true       Forbes, forbes.com
    001  2020-06-11T16:42:00Z  27       -1    false      Washington Post, washingtonpost.com
    002  2020-06-12T11:06:00Z  37       -1    false      Fast Company, fastcompany.com
    003  2020-07-03T05:43:00Z  6        -1    false      Local News 8, localnews8.com
    004  2020-06-11T21:57:00Z  87       -1    false      Quartz, qz.com

Topics are [Computer Vision, AI] on all but 003, which has [Natural Language Processing, AI].
All five are category `news`, type `article`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
import yaml
from conftest import ID0, ID1, ID2, ID3, ID4, NEWEST_FIRST

from newsq.corpus import bundled_seeds

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def json_ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [record["id"] for record in json.loads(result.stdout)]


def table_ids(stdout: str) -> list[str]:
    """The first column of a plain (piped) table, header left out."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines, "the table is empty"
    assert lines[0].split()[0] == "ID"
    return [line.split()[0] for line in lines[1:]]


def document(title: str, date: str | None = "2021-01-01T00:00:00Z", **fields: object) -> str:
    """A document file: front matter with the given fields (values written as JSON)."""
    lines = ["---", f"title: {json.dumps(title)}"]
    if date is not None:
        lines.append(f"publishedDateTime: {date}")
    lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    lines.append("---")
    return "\n".join(lines) + "\n"


def iso_utc(value: object) -> object:
    """YAML values as JSON would hold them: datetimes as ISO 8601 UTC with Z."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {key: iso_utc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso_utc(item) for item in value]
    return value


def seed_record(doc_id: str) -> dict:
    path = SEEDS_DIR / f"{doc_id}.txt"
    front = path.read_text(encoding="utf-8").split("---\n")[1]
    # With no --data newsq reads its bundled copy of the seeds (inside the installed package).
    bundled = bundled_seeds() / path.name
    return {"id": doc_id, **iso_utc(yaml.safe_load(front)), "path": str(bundled)}


# --- default order ------------------------------------------------------------------


def test_list_without_options_is_every_seed_newest_first(cli):
    assert json_ids(cli("list", "--json")) == NEWEST_FIRST


def test_list_table_rows_are_newest_first(cli):
    result = cli("list")
    assert result.exit_code == 0
    assert table_ids(result.stdout) == NEWEST_FIRST
    assert result.stderr == ""


# --- filters ------------------------------------------------------------------------

FILTER_CASES = [
    # topics: all must match, any case
    (["--topic", "Computer Vision"], [ID2, ID4, ID0, ID1]),
    (["--topic", "computer vision"], [ID2, ID4, ID0, ID1]),
    (["--topic", "COMPUTER VISION"], [ID2, ID4, ID0, ID1]),
    (["--topic", "AI"], NEWEST_FIRST),
    (["--topic", "ai", "--topic", "natural language processing"], [ID3]),
    (["--topic", "Computer Vision", "--topic", "Natural Language Processing"], []),
    (["--topic", "Computer"], []),
    (["--topic", "Robotics"], []),
    # providers: name, domain, domain without suffix; repeatable = any
    (["--provider", "forbes"], [ID0]),
    (["--provider", "Forbes"], [ID0]),
    (["--provider", "FORBES"], [ID0]),
    (["--provider", "forbes.com"], [ID0]),
    (["--provider", "qz"], [ID4]),
    (["--provider", "qz.com"], [ID4]),
    (["--provider", "Quartz"], [ID4]),
    (["--provider", "Washington Post"], [ID1]),
    (["--provider", "washingtonpost"], [ID1]),
    (["--provider", "washingtonpost.com"], [ID1]),
    (["--provider", "fastcompany"], [ID2]),
    (["--provider", "Local News 8"], [ID3]),
    (["--provider", "localnews8"], [ID3]),
    (["--provider", "forbes", "--provider", "qz"], [ID4, ID0]),
    (["--provider", "forbes", "--provider", "nosuchoutlet"], [ID0]),
    (["--provider", "nosuchoutlet"], []),
    # category and type
    (["--category", "news"], NEWEST_FIRST),
    (["--category", "opinion"], []),
    (["--type", "article"], NEWEST_FIRST),
    (["--type", "video"], []),
    # dates: a bare date is the start (since) or the end (until) of that day, UTC
    (["--since", "2020-06-12"], [ID3, ID2]),
    (["--until", "2020-06-11"], [ID4, ID0, ID1]),
    (["--since", "2020-06-11", "--until", "2020-06-11"], [ID4, ID0, ID1]),
    (["--until", "2020-06-12"], [ID2, ID4, ID0, ID1]),
    (["--since", "2020-06-13"], [ID3]),
    (["--since", "2020-07-04"], []),
    (["--until", "2020-06-10"], []),
    (["--since", "2020-06-11T21:00:00Z"], [ID3, ID2, ID4]),
    (["--since", "2020-06-11T20:54:00Z"], [ID3, ID2, ID4, ID0]),
    (["--until", "2020-06-11T20:54:00Z"], [ID0, ID1]),
    (["--until", "2020-06-11 21:00"], [ID0, ID1]),
    (["--since", "2020-06-11T22:00:00+02:00"], [ID3, ID2, ID4, ID0]),
    (["--since", "June 12, 2020"], [ID3, ID2]),
    (["--since", "2020-07"], [ID3]),
    # numbers
    (["--min-quality", "80"], [ID4, ID0]),
    (["--min-quality", "87"], [ID4, ID0]),
    (["--min-quality", "87.5"], [ID0]),
    (["--min-quality", "37"], [ID2, ID4, ID0]),
    (["--min-quality", "90"], []),
    (["--min-heat", "0"], [ID0]),
    (["--min-heat", "99"], [ID0]),
    (["--min-heat", "100"], []),
    # published
    (["--published"], [ID0]),
    (["--unpublished"], [ID3, ID2, ID4, ID1]),
    # combinations
    (["--topic", "computer vision", "--unpublished", "--min-quality", "30"], [ID2, ID4]),
    (["--provider", "forbes", "--provider", "qz", "--since", "2020-06-11T21:00:00Z"], [ID4]),
]


@pytest.mark.parametrize(("options", "expected"), FILTER_CASES)
def test_list_filter_keeps_exactly_the_matching_seeds(cli, options, expected):
    assert json_ids(cli("list", "--all", "--json", *options)) == expected


def test_category_and_type_filters_on_a_mixed_corpus(cli, write_corpus):
    root = write_corpus(
        {
            "a.md": document("A", "2021-01-05T00:00:00Z", category="news", type="article"),
            "b.md": document("B", "2021-01-04T00:00:00Z", category="opinion", type="article"),
            "c.md": document("C", "2021-01-03T00:00:00Z", category="news", type="video"),
            "d.md": document("D", "2021-01-02T00:00:00Z", category="review", type="podcast"),
        }
    )
    data = ["--data", str(root), "--json"]
    assert json_ids(cli("list", *data, "--category", "news")) == ["a", "c"]
    assert json_ids(cli("list", *data, "--category", "opinion")) == ["b"]
    assert json_ids(cli("list", *data, "--type", "video")) == ["c"]
    assert json_ids(cli("list", *data, "--type", "article")) == ["a", "b"]
    assert json_ids(cli("list", *data, "--category", "news", "--type", "article")) == ["a"]


# --- sorting ------------------------------------------------------------------------

SORT_CASES = [
    (["--sort", "date"], [ID3, ID2, ID4, ID0, ID1]),
    (["--sort", "date", "--reverse"], [ID1, ID0, ID4, ID2, ID3]),
    (["--reverse"], [ID1, ID0, ID4, ID2, ID3]),
    (["--sort", "quality"], [ID0, ID4, ID2, ID1, ID3]),
    (["--sort", "quality", "--reverse"], [ID3, ID1, ID2, ID4, ID0]),
    # heat: 000 is 99, the rest tie at -1 and fall back to id order
    (["--sort", "heat"], [ID0, ID1, ID2, ID3, ID4]),
    (["--sort", "title"], [ID4, ID3, ID0, ID1, ID2]),
    (["--sort", "title", "--reverse"], [ID2, ID1, ID0, ID3, ID4]),
    (["--sort", "quality", "--topic", "computer vision"], [ID0, ID4, ID2, ID1]),
]


@pytest.mark.parametrize(("options", "expected"), SORT_CASES)
def test_list_sort_orders(cli, options, expected):
    assert json_ids(cli("list", "--json", *options)) == expected


def test_ties_are_broken_by_id(cli, write_corpus):
    same = {"date": "2021-03-01T12:00:00Z", "quality": 50, "heat": 5}
    root = write_corpus(
        {
            "c_doc.md": document("Same", **same),
            "a_doc.md": document("Same", **same),
            "b_doc.md": document("Same", **same),
        }
    )
    for key in ("date", "quality", "heat", "title"):
        result = cli("list", "--data", root, "--json", "--sort", key)
        assert json_ids(result) == ["a_doc", "b_doc", "c_doc"], key


def test_unknown_sort_key_is_a_usage_error(cli):
    result = cli("list", "--sort", "popularity")
    assert result.exit_code == 2
    assert "--sort" in result.stderr
    assert result.stdout == ""


# --- limits ---------------------------------------------------------------------------


def test_limit_shows_the_first_n_and_says_what_it_hid(cli):
    result = cli("list", "--limit", "2", "--json")
    assert json_ids(result) == [ID3, ID2]
    assert result.stderr == "newsq: 2 of 5 shown; --all for every one\n"


def test_limit_note_counts_the_filtered_results(cli):
    result = cli("list", "--topic", "Computer Vision", "--limit", "2")
    assert result.exit_code == 0
    assert table_ids(result.stdout) == [ID2, ID4]
    assert result.stderr == "newsq: 2 of 4 shown; --all for every one\n"


@pytest.mark.parametrize("limit", ["5", "6", "20"])
def test_limit_that_hides_nothing_prints_no_note(cli, limit):
    result = cli("list", "--limit", limit, "--json")
    assert json_ids(result) == NEWEST_FIRST
    assert result.stderr == ""


def test_all_overrides_limit(cli):
    result = cli("list", "--limit", "1", "--all", "--json")
    assert json_ids(result) == NEWEST_FIRST
    assert result.stderr == ""


@pytest.fixture
def corpus_of_25(write_corpus) -> Path:
    """25 documents doc00..doc24, one per day of January 2021 (doc24 newest)."""
    return write_corpus(
        {
            f"doc{n:02d}.md": document(f"Story {n}", f"2021-01-{n + 1:02d}T08:00:00Z")
            for n in range(25)
        }
    )


def test_default_limit_is_20(cli, corpus_of_25):
    result = cli("list", "--data", corpus_of_25, "--json")
    assert json_ids(result) == [f"doc{n:02d}" for n in range(24, 4, -1)]
    assert result.stderr == "newsq: 20 of 25 shown; --all for every one\n"


def test_all_lists_every_document(cli, corpus_of_25):
    result = cli("list", "--data", corpus_of_25, "--all", "--json")
    assert json_ids(result) == [f"doc{n:02d}" for n in range(24, -1, -1)]
    assert result.stderr == ""


def test_default_limit_applies_to_the_table_too(cli, corpus_of_25):
    result = cli("list", "--data", corpus_of_25)
    assert table_ids(result.stdout) == [f"doc{n:02d}" for n in range(24, 4, -1)]
    assert "20 of 25 shown" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_bad_limit_is_a_usage_error(cli, value):
    result = cli("list", "--limit", value)
    assert result.exit_code == 2
    assert "--limit" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


# --- empty results ----------------------------------------------------------------------


def test_empty_table_prints_nothing_and_says_so_on_stderr(cli):
    result = cli("list", "--topic", "Robotics")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no documents match" in result.stderr


@pytest.mark.parametrize("options", [["--json"], ["--format", "json"]])
def test_empty_json_is_an_empty_array(cli, options):
    result = cli("list", "--topic", "Robotics", *options)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_empty_jsonl_prints_no_lines(cli):
    result = cli("list", "--topic", "Robotics", "--format", "jsonl")
    assert result.exit_code == 0
    assert result.stdout.strip() == ""


# --- formats --------------------------------------------------------------------------


def test_json_flag_is_the_same_as_format_json(cli):
    assert cli("list", "--json").stdout == cli("list", "--format", "json").stdout


def test_json_records_are_the_whole_front_matter(cli):
    result = cli("list", "--all", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [seed_record(i) for i in NEWEST_FIRST]


def test_jsonl_is_one_record_per_line_in_order(cli):
    result = cli("list", "--format", "jsonl", "--sort", "quality")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [ID0, ID4, ID2, ID1, ID3]
    assert records == [seed_record(r["id"]) for r in records]


def test_json_timestamps_are_iso_utc_with_z(cli):
    records = json.loads(cli("list", "--json").stdout)
    dates = {r["id"]: r["publishedDateTime"] for r in records}
    assert dates == {
        ID0: "2020-06-11T20:54:00Z",
        ID1: "2020-06-11T16:42:00Z",
        ID2: "2020-06-12T11:06:00Z",
        ID3: "2020-07-03T05:43:00Z",
        ID4: "2020-06-11T21:57:00Z",
    }


def test_json_paths_are_absolute(cli, seeds, monkeypatch):
    monkeypatch.chdir(seeds.parent)
    records = json.loads(cli("list", "--data", "seeds", "--json").stdout)
    assert {r["path"] for r in records} == {str(seeds / f"{i}.txt") for i in NEWEST_FIRST}


def test_csv_with_fields(cli):
    result = cli("list", "--format", "csv", "--fields", "id,quality,provider.name")
    assert result.exit_code == 0
    assert result.stdout == (
        "id,quality,provider.name\n"
        f"{ID3},6,Local News 8\n"
        f"{ID2},37,Fast Company\n"
        f"{ID4},87,Quartz\n"
        f"{ID0},89,Forbes\n"
        f"{ID1},27,Washington Post\n"
    )


def test_csv_default_columns_start_with_id_in_list_order(cli):
    result = cli("list", "--format", "csv", "--sort", "title")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in rows] == [ID4, ID3, ID0, ID1, ID2]
    assert rows[2]["title"] == (
        "Microsoft Won’t Sell Facial Recognition To American Cops After Protests"  # noqa: RUF001
    )


def test_table_on_a_pipe_is_plain_and_uncut(cli):
    result = cli("list")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    for box_char in "─│╭╮╰╯┃━":
        assert box_char not in result.stdout
    # the longest title (106 characters) is whole, on its row
    longest = (
        "Amazon and Microsoft stopped working with police on facial recognition. "
        "For others it’s still big business"  # noqa: RUF001
    )
    row = next(line for line in result.stdout.splitlines() if line.startswith(ID3))
    assert longest in row
    assert "…" not in result.stdout


def test_table_fields_prints_the_named_columns(cli):
    result = cli("list", "--provider", "forbes", "--fields", "id,quality,provider.name")
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert lines == [["id", "quality", "provider.name"], [ID0, "89", "Forbes"]]


@pytest.mark.parametrize("value", ["xml", "yaml", "JSONX"])
def test_unknown_format_is_a_usage_error(cli, value):
    result = cli("list", "--format", value)
    assert result.exit_code == 2
    assert "--format" in result.stderr
    assert result.stdout == ""


# --- usage errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--since", "notadate"], "--since"),
        (["--until", "notadate"], "--until"),
        (["--since", "2020-13-45"], "--since"),
        (["--min-quality", "high"], "--min-quality"),
        (["--min-heat", "hot"], "--min-heat"),
        (["--no-such-option"], "--no-such-option"),
    ],
)
def test_bad_option_values_are_usage_errors_naming_the_option(cli, options, named):
    result = cli("list", *options)
    assert result.exit_code == 2
    assert named in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_date_message_quotes_the_value(cli):
    result = cli("list", "--since", "notadate")
    assert "notadate" in result.stderr


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
@pytest.mark.parametrize("no_cache", [[], ["--no-cache"]])
def test_each_command_closes_what_it_opened(cli, no_cache, tmp_path, monkeypatch):
    """In a long-lived process (a notebook, a test run) commands leave no file open and no
    temporary snapshot behind, whichever way they end."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    commands = [
        ["list"], ["show", "bc1330c7", "--json"], ["show", "nosuch"], ["search", "amazon"],
        ["search", "--", "-amazon", "--related"], ["stats"], ["topics"], ["check"],
    ]  # fmt: skip
    cli("list", *no_cache)  # the first run opens what stays open for good (imports, caches)
    before = len(os.listdir("/proc/self/fd"))
    for args in commands * 3:
        cli(*args, *no_cache)
    assert len(os.listdir("/proc/self/fd")) == before
    assert list((tmp_path / "tmp").iterdir()) == []


# --- a large corpus: the query runs while other processes check the files ----------------------


def test_checked_in_the_background_list_search_and_stories_show_the_files_as_they_are(
    cli, write_corpus, monkeypatch
):
    from newsq.ingest import scan as scanning

    monkeypatch.setattr(scanning, "PARALLEL_STAT_FROM", 1)  # as from 20,000 files
    root = write_corpus(
        {
            "a.md": document("Zebra crossing", "2021-01-02T00:00:00Z", topics=["Roads"]),
            "b.md": document("Lion king", "2021-01-01T00:00:00Z", topics=["Roads"]),
        }
    )
    assert json_ids(cli("list", "--data", root, "--json")) == ["a", "b"]
    (root / "b.md").write_text(document("Zebra king", "2021-01-03T00:00:00Z", topics=["Roads"]))
    listed = cli("list", "--data", root, "--json", "--limit", "1")
    assert json_ids(listed) == ["b"]
    assert listed.stderr == "newsq: 1 of 2 shown; --all for every one\n"
    assert json_ids(cli("search", "zebra", "--data", root, "--json", "--sort", "date")) == [
        "b",
        "a",
    ]
    (root / "c.md").write_text(document("Zebra king returns", "2021-01-04T00:00:00Z"))
    stories = cli("stories", "--data", root, "--json", "--min-size", "1", "--window", "7")
    assert stories.exit_code == 0, stories.stderr
    found = json.loads(stories.stdout)
    assert sorted(doc for story in found for doc in story["documents"]) == ["a", "b", "c"]
    (root / "d.md").write_text(document("Zebra", "2021-01-05T00:00:00Z", topics=["Roads"]))
    topics = cli("topics", "--data", root, "--json")
    assert json.loads(topics.stdout) == [{"topic": "Roads", "count": 3}]
    stats = cli("stats", "--data", root, "--json")
    assert json.loads(stats.stdout)["documents"] == 4
