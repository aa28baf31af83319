"""`search`, `topics`, `providers`, `stats`, `check`, and choosing the data to read.

Facts from reading seeds/*.txt: topics are [Computer Vision, AI] on 000, 001, 002, 004
and [Natural Language Processing, AI] on 003; one provider each; related coverage
1 (000) + 2 (001) + 2 (002) + 2 (003) + 16 (004) = 23 items; dates from
2020-06-11T16:42:00Z (001) to 2020-07-03T05:43:00Z (003), four in June, one in July.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ID0, ID1, ID2, ID3, ID4, NEWEST_FIRST

SEED_PROVIDERS = [
    {"name": "Fast Company", "domain": "fastcompany.com", "count": 1},
    {"name": "Forbes", "domain": "forbes.com", "count": 1},
    {"name": "Local News 8", "domain": "localnews8.com", "count": 1},
    {"name": "Quartz", "domain": "qz.com", "count": 1},
    {"name": "Washington Post", "domain": "washingtonpost.com", "count": 1},
]


def json_ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [record["id"] for record in json.loads(result.stdout)]


def json_of(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_name(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: (row["name"] or "", row["domain"] or ""))


def document(title: str, date: str = "2021-01-01T00:00:00Z", **fields: object) -> str:
    lines = ["---", f"title: {json.dumps(title)}", f"publishedDateTime: {date}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join([*lines, "---"]) + "\n"


# --- search ---------------------------------------------------------------------------

SEARCH_CASES = [
    ("amazon ibm", [], [ID3, ID4, ID0, ID1]),
    ("AMAZON IBM", [], [ID3, ID4, ID0, ID1]),
    ("Ibm AmAzOn", [], [ID3, ID4, ID0, ID1]),
    ("amazon ibm", ["--since", "2020-06-12"], [ID3]),
    ("amazon ibm", ["--provider", "qz"], [ID4]),
    ("amazon ibm", ["--topic", "computer vision"], [ID4, ID0, ID1]),
    ("amazon ibm", ["--sort", "quality"], [ID0, ID4, ID1, ID3]),
    ("amazon ibm", ["--min-quality", "80"], [ID4, ID0]),
    ("police microsoft", [], NEWEST_FIRST),
    ("protests", [], [ID3, ID0]),
    ("cops", [], [ID0]),
    ("rekognition", [], [ID4]),
    ("forbes", [], [ID0]),  # the provider name
    ("natural language", [], [ID3]),  # a topic
    ("microsoft zebra", [], []),
    ("police", ["--published"], [ID0]),
]


@pytest.mark.parametrize(("query", "options", "expected"), SEARCH_CASES)
def test_exact_search_needs_every_word_in_any_case(cli, query, options, expected):
    order = [] if "--sort" in options else ["--sort", "date"]  # relevance has its own tests
    found = cli("search", query, "--exact", "--all", "--json", *order, *options)
    assert json_ids(found) == expected


def test_search_limit_note(cli):
    result = cli("search", "police", "--limit", "2", "--json", "--sort", "date")
    assert json_ids(result) == [ID3, ID2]
    assert result.stderr == "newsq: 2 of 5 shown; --all for every one\n"


def test_search_with_no_match_is_success_with_a_message(cli):
    result = cli("search", "zebra")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (
        "newsq: nothing matched: no document has 'zebra', nor a word spelt like it; "
        "try --related (the related coverage too) or other words\n"
    )


def test_search_looks_in_the_body(cli, write_corpus):
    root = write_corpus(
        {
            "a.md": document("Plain title") + "The body mentions Zanzibar.\n",
            "b.md": document("Other title") + "Nothing here.\n",
        }
    )
    assert json_ids(cli("search", "zanzibar", "--data", root, "--json")) == ["a"]


def test_search_table_output(cli):
    result = cli("search", "rekognition")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[1].startswith(ID4)


# --- topics ---------------------------------------------------------------------------


def test_topics_json_counts_the_seeds(cli):
    assert json_of(cli("topics", "--json")) == [
        {"topic": "AI", "count": 5},
        {"topic": "Computer Vision", "count": 4},
        {"topic": "Natural Language Processing", "count": 1},
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--provider", "forbes"], {"AI": 1, "Computer Vision": 1}),
        (["--published"], {"AI": 1, "Computer Vision": 1}),
        (["--topic", "natural language processing"], {"AI": 1, "Natural Language Processing": 1}),
        (
            ["--since", "2020-06-12"],
            {"AI": 2, "Computer Vision": 1, "Natural Language Processing": 1},
        ),
        (["--min-quality", "30"], {"AI": 3, "Computer Vision": 3}),
        (["--category", "opinion"], {}),
    ],
)
def test_topics_under_filters(cli, options, expected):
    rows = json_of(cli("topics", "--json", *options))
    assert {row["topic"]: row["count"] for row in rows} == expected
    assert len(rows) == len(expected)
    assert [row["count"] for row in rows] == sorted((row["count"] for row in rows), reverse=True)


def test_topics_csv(cli):
    result = cli("topics", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == "topic,count\nAI,5\nComputer Vision,4\nNatural Language Processing,1\n"


def test_topics_table(cli):
    result = cli("topics")
    assert result.exit_code == 0
    rows = [line.rsplit(None, 1) for line in result.stdout.splitlines() if line.strip()]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["topic", "count"],
        ["AI", "5"],
        ["Computer Vision", "4"],
        ["Natural Language Processing", "1"],
    ]
    assert "\x1b" not in result.stdout


def test_topics_jsonl(cli):
    result = cli("topics", "--format", "jsonl")
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"topic": "AI", "count": 5},
        {"topic": "Computer Vision", "count": 4},
        {"topic": "Natural Language Processing", "count": 1},
    ]


# --- providers ------------------------------------------------------------------------


def test_providers_json_counts_the_seeds(cli):
    rows = json_of(cli("providers", "--json"))
    assert by_name(rows) == SEED_PROVIDERS
    assert len(rows) == 5


def test_providers_most_first(cli, write_corpus):
    root = write_corpus(
        {
            "a.md": document("A", provider={"name": "Small", "domain": "small.org"}),
            "b.md": document("B", provider={"name": "Big", "domain": "big.com"}),
            "c.md": document("C", provider={"name": "Big", "domain": "big.com"}),
            "d.md": document("D", provider={"name": "Big", "domain": "big.com"}),
            "e.md": document("E", provider={"name": "Mid", "domain": "mid.net"}),
            "f.md": document("F", provider={"name": "Mid", "domain": "mid.net"}),
        }
    )
    assert json_of(cli("providers", "--data", root, "--json")) == [
        {"name": "Big", "domain": "big.com", "count": 3},
        {"name": "Mid", "domain": "mid.net", "count": 2},
        {"name": "Small", "domain": "small.org", "count": 1},
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--min-quality", "80"], [SEED_PROVIDERS[1], SEED_PROVIDERS[3]]),
        (["--topic", "natural language processing"], [SEED_PROVIDERS[2]]),
        (
            ["--provider", "forbes", "--provider", "washingtonpost"],
            [SEED_PROVIDERS[1], SEED_PROVIDERS[4]],
        ),
        (["--unpublished", "--since", "2020-06-12"], [SEED_PROVIDERS[0], SEED_PROVIDERS[2]]),
        (["--topic", "robotics"], []),
    ],
)
def test_providers_under_filters(cli, options, expected):
    assert by_name(json_of(cli("providers", "--json", *options))) == expected


def test_providers_csv(cli):
    result = cli("providers", "--format", "csv", "--provider", "forbes")
    assert result.exit_code == 0
    assert result.stdout == "name,domain,count\nForbes,forbes.com,1\n"


# --- stats ----------------------------------------------------------------------------


def test_stats_json_on_the_seeds(cli):
    stats = json_of(cli("stats", "--json"))
    assert set(stats) == {
        "documents",
        "related",
        "dated",
        "first",
        "last",
        "topics",
        "providers",
        "types",
        "categories",
        "by",
        "per_month",
        "peak",
    }
    assert stats["by"] == "month"
    assert stats["documents"] == 5
    assert stats["related"] == 23
    assert stats["dated"] == 5
    assert stats["first"] == "2020-06-11T16:42:00Z"
    assert stats["last"] == "2020-07-03T05:43:00Z"
    assert stats["topics"] == [
        {"topic": "AI", "count": 5},
        {"topic": "Computer Vision", "count": 4},
        {"topic": "Natural Language Processing", "count": 1},
    ]
    assert by_name(stats["providers"]) == SEED_PROVIDERS
    assert stats["types"] == {"article": 5}
    assert stats["categories"] == {"news": 5}
    assert stats["per_month"] == [
        {"month": "2020-06", "count": 4},
        {"month": "2020-07", "count": 1},
    ]
    assert stats["peak"] == {"month": "2020-06", "count": 4}


def test_stats_by_day_and_the_busiest_day(cli):
    stats = json.loads(cli("stats", "--by", "day", "--json").stdout)
    days = stats["per_day"]
    assert (len(days), days[0], days[1], days[-1]) == (
        23,
        {"day": "2020-06-11", "count": 3},
        {"day": "2020-06-12", "count": 1},
        {"day": "2020-07-03", "count": 1},
    )
    assert sum(d["count"] for d in days) == 5
    assert stats["peak"] == {"day": "2020-06-11", "count": 3}
    shown = cli("stats", "--by", "day").stdout.splitlines()
    assert "Busiest day       2020-06-11 (3 documents)" in shown


def test_stats_folds_runs_of_empty_days_in_the_table_only(cli):
    """June 17 to July 1 have no article: one line says so; the JSON lists every day."""
    shown = cli("stats", "--related", "--by", "day").stdout.splitlines()
    per_day = shown[shown.index("Per day") + 1 :]
    assert [line.split()[0] for line in per_day] == [
        *(f"2020-06-{day:02d}" for day in range(9, 17)),
        "…",
        "2020-07-02",
        "2020-07-03",
    ]
    assert per_day[8] == "… 15 days with none …"
    days = json.loads(cli("stats", "--related", "--by", "day", "--json").stdout)["per_day"]
    assert len(days) == 25
    assert days[8:23] == [{"day": f"2020-{day}", "count": 0} for day in EMPTY_DAYS]


@pytest.mark.parametrize(
    ("lines", "by", "drawn"),
    # The rest of the seeds' view is 20 lines (6 of summary, 3 topics and 5 providers
    # with their headings, the timeline's heading), and a line is kept for the prompt.
    [(24, "month", 22), (25, "week", 24), (43, "week", 24), (44, "day", 24), (60, "day", 24)],
)
def test_stats_by_auto_fits_the_terminal(cli, lines, by, drawn):
    terminal = {"FORCE_COLOR": "1", "NO_COLOR": "1", "COLUMNS": "100", "LINES": str(lines)}
    out = cli("stats", "--by", "auto", env=terminal).stdout.splitlines()
    assert f"Per {by}" in out
    assert len(out) == drawn <= lines - 1
    # JSON is the same on a terminal and on a pipe: the smallest of 50 periods or fewer
    for env in (terminal, {}):
        stats = json.loads(cli("stats", "--by", "auto", "--json", env=env).stdout)
        assert (stats["by"], len(stats["per_day"])) == ("day", 23)


def test_stats_by_auto_on_a_pipe_fits_fifty_periods(cli, real_corpus):
    """The real sample's dates run from 2018-04-21 to 2021-05-26: 1,132 days, 162 weeks,
    38 months."""
    out = cli("stats", "--by", "auto", "--data", real_corpus).stdout.splitlines()
    assert "Per month" in out
    assert out[out.index("Per month") + 1].split()[0] == "2018-04"
    stats = json.loads(cli("stats", "--by", "auto", "--data", real_corpus, "--json").stdout)
    assert (stats["by"], len(stats["per_month"])) == ("month", 38)


EMPTY_DAYS = [*(f"06-{day:02d}" for day in range(17, 31)), "07-01"]


def test_stats_peak_is_the_earliest_of_equals_and_none_for_no_dates(cli):
    weeks = json.loads(cli("stats", "--by", "week", "--topic", "AI", "--json").stdout)
    assert weeks["peak"] == {"week": "2020-W24", "count": 4}
    none = json.loads(cli("stats", "--topic", "no such topic", "--json").stdout)
    assert none["peak"] is None


def test_stats_by_week_and_year_in_json_and_on_a_terminal(cli):
    weeks = json.loads(cli("stats", "--by", "week", "--json").stdout)["per_week"]
    assert weeks == [
        {"week": "2020-W24", "count": 4},
        {"week": "2020-W25", "count": 0},
        {"week": "2020-W26", "count": 0},
        {"week": "2020-W27", "count": 1},
    ]
    years = json.loads(cli("stats", "--by", "year", "--topic", "ai", "--json").stdout)
    assert years["per_year"] == [{"year": "2020", "count": 5}]
    shown = cli("stats", "--by", "week", env={"COLUMNS": "80"}).stdout
    assert "Per week\n2020-W24 4 " + "█" * 30 + "\n2020-W25 0" in shown


def test_stats_by_a_period_it_does_not_know_exits_2(cli):
    result = cli("stats", "--by", "fortnight")
    assert result.exit_code == 2
    said = " ".join(result.stderr.replace("│", " ").split())
    assert "'fortnight' is not one of 'day', 'week', 'month', 'year'" in said


@pytest.mark.parametrize(
    ("options", "documents", "related", "first", "last"),
    [
        (["--provider", "forbes"], 1, 1, "2020-06-11T20:54:00Z", "2020-06-11T20:54:00Z"),
        (["--topic", "computer vision"], 4, 21, "2020-06-11T16:42:00Z", "2020-06-12T11:06:00Z"),
        (["--unpublished"], 4, 22, "2020-06-11T16:42:00Z", "2020-07-03T05:43:00Z"),
        (["--since", "2020-06-12"], 2, 4, "2020-06-12T11:06:00Z", "2020-07-03T05:43:00Z"),
        (["--min-quality", "80"], 2, 17, "2020-06-11T20:54:00Z", "2020-06-11T21:57:00Z"),
    ],
)
def test_stats_under_filters(cli, options, documents, related, first, last):
    stats = json_of(cli("stats", "--json", *options))
    assert (stats["documents"], stats["related"], stats["dated"]) == (documents, related, documents)
    assert (stats["first"], stats["last"]) == (first, last)


def test_stats_of_nothing(cli):
    stats = json_of(cli("stats", "--json", "--category", "opinion"))
    assert stats["documents"] == 0
    assert stats["related"] == 0
    assert stats["dated"] == 0
    assert stats["first"] is None
    assert stats["last"] is None
    assert stats["topics"] == []
    assert stats["providers"] == []
    assert stats["per_month"] == []


def test_stats_per_month_includes_empty_months(cli, write_corpus):
    root = write_corpus(
        {
            "a.md": document("A", "2021-01-15T00:00:00Z"),
            "b.md": document("B", "2021-01-20T00:00:00Z"),
            "c.md": document("C", "2021-04-01T00:00:00Z"),
        }
    )
    stats = json_of(cli("stats", "--data", root, "--json"))
    assert stats["per_month"] == [
        {"month": "2021-01", "count": 2},
        {"month": "2021-02", "count": 0},
        {"month": "2021-03", "count": 0},
        {"month": "2021-04", "count": 1},
    ]


def test_stats_jsonl_is_one_object(cli):
    result = cli("stats", "--format", "jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == json_of(cli("stats", "--json"))


def test_stats_csv_is_a_usage_error(cli):
    result = cli("stats", "--format", "csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_stats_table(cli):
    result = cli("stats")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    words = result.stdout.split()
    assert "5" in words
    assert "23" in words
    assert "2020-06-11" in result.stdout
    assert "2020-07-03" in result.stdout


# --- check ----------------------------------------------------------------------------


MAPPING_VALUES = r"mapping values are not allowed (here|in this context)"


@pytest.fixture
def one_bad_file(write_corpus) -> Path:
    return write_corpus(
        {
            "bad.md": "---\ntitle: Broken\nbad: a: b\n---\n",
            "good.md": document("Good one", "2021-02-03T04:05:06Z"),
        }
    )


def test_check_reports_a_yaml_error_with_line_and_column(cli, one_bad_file):
    result = cli("check", "--data", one_bad_file)
    assert result.exit_code == 1
    bad = Path(one_bad_file) / "bad.md"
    # PyYAML says "...here", libyaml "...in this context"; either is the YAML parser's message
    assert re.fullmatch(
        rf"{re.escape(str(bad))}:3:7: error: YAML: {MAPPING_VALUES}\n", result.stdout
    ), result.stdout
    assert result.stderr.strip() != ""
    assert str(bad) not in result.stderr


def test_check_json(cli, one_bad_file):
    result = cli("check", "--data", one_bad_file, "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert len(problems) == 1
    message = problems[0].pop("message")
    assert re.fullmatch(f"YAML: {MAPPING_VALUES}", message), message
    assert problems == [
        {"path": str(Path(one_bad_file) / "bad.md"), "line": 3, "column": 7, "severity": "error"}
    ]


def test_check_on_the_seeds_finds_nothing(cli):
    result = cli("check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "newsq: 5 documents loaded; 0 errors, 0 warnings, 0 notices\n"


def test_check_summary_counts_in_the_singular(cli, write_corpus):
    root = write_corpus({"x.md": "---\ntitle: X\n---\n", "bad.md": "---\n: [\n---\n"})
    result = cli("check", "--data", root)
    assert result.exit_code == 1
    assert result.stderr == "newsq: 1 document loaded; 1 error, 1 warning, 0 notices\n"


def test_check_with_only_warnings_and_notices_exits_0(cli, write_corpus):
    root = write_corpus(
        {
            "notes.md": "Just some notes, no front matter.\n",
            "x.md": "---\ntitle: X\npublishedDateTime: 2021-01-01T00:00:00Z\nquality: high\n---\n",
        }
    )
    result = cli("check", "--data", root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    notice = next(line for line in lines if "notes.md" in line)
    warning = next(line for line in lines if "x.md" in line)
    assert notice.startswith(f"{root / 'notes.md'}: notice: ")
    assert warning.startswith(f"{root / 'x.md'}:4:1: warning: ")
    assert "quality" in warning
    rows = json_of(cli("check", "--data", root, "--json"))
    assert sorted(row["severity"] for row in rows) == ["notice", "warning"]


def test_check_json_on_the_seeds_is_empty(cli):
    assert json_of(cli("check", "--json")) == []


# --- bad files are skipped ----------------------------------------------------------------


@pytest.fixture
def two_bad_files(write_corpus) -> Path:
    return write_corpus(
        {
            "a_bad.md": "---\ntitle: [unclosed\n---\n",
            "b_good.md": document("Good B", "2021-01-02T00:00:00Z", topics=["Cats"]),
            "c_unclosed.md": "---\ntitle: Never closed\n",
            "d_good.md": document("Good D", "2021-01-01T00:00:00Z", topics=["Cats"]),
        }
    )


@pytest.mark.parametrize(
    "command", [["list"], ["search", "good"], ["topics"], ["providers"], ["stats"]]
)
def test_bad_files_are_skipped_with_one_line_on_stderr(cli, two_bad_files, command):
    result = cli(*command, "--data", two_bad_files)
    assert result.exit_code == 0
    assert "newsq: 2 files skipped; run newsq check for details\n" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_rest_are_still_listed(cli, two_bad_files):
    result = cli("list", "--data", two_bad_files, "--json")
    assert json_ids(result) == ["b_good", "d_good"]
    assert result.stderr == "newsq: 2 files skipped; run newsq check for details\n"


def test_one_bad_file_is_one_file(cli, one_bad_file):
    result = cli("list", "--data", one_bad_file, "--json")
    assert json_ids(result) == ["good"]
    assert result.stderr == "newsq: 1 file skipped; run newsq check for details\n"


def test_check_lists_both_bad_files(cli, two_bad_files):
    result = cli("check", "--data", two_bad_files)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{two_bad_files / 'a_bad.md'}:")
    assert ": error: " in lines[0]
    assert lines[1].startswith(f"{two_bad_files / 'c_unclosed.md'}:")
    assert ": error: " in lines[1]


# --- choosing the data ----------------------------------------------------------------------


@pytest.fixture
def two_folders(tmp_path) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "one.md").write_text(document("One", "2021-01-01T00:00:00Z"), encoding="utf-8")
    (second / "two.md").write_text(document("Two", "2021-01-02T00:00:00Z"), encoding="utf-8")
    (second / "sub").mkdir()
    (second / "sub" / "three.txt").write_text(
        document("Three", "2021-01-03T00:00:00Z"), encoding="utf-8"
    )
    return first, second


def test_data_folder_is_read_recursively(cli, two_folders):
    _, second = two_folders
    assert json_ids(cli("list", "--data", second, "--json")) == ["sub/three", "two"]


def test_data_is_repeatable(cli, two_folders):
    first, second = two_folders
    result = cli("list", "--data", first, "--data", second, "--json")
    assert json_ids(result) == ["sub/three", "two", "one"]


def test_data_can_be_one_file(cli, seeds):
    result = cli("list", "--data", seeds / f"{ID2}.txt", "--json")
    assert json_ids(result) == [ID2]


def test_newsq_data_env_with_several_paths(cli, two_folders):
    first, second = two_folders
    result = cli("list", "--json", env={"NEWSQ_DATA": f"{first}:{second}"})
    assert json_ids(result) == ["sub/three", "two", "one"]


def test_data_option_wins_over_the_environment(cli, two_folders):
    first, second = two_folders
    result = cli("list", "--data", first, "--json", env={"NEWSQ_DATA": str(second)})
    assert json_ids(result) == ["one"]


def test_without_data_or_environment_the_seeds_are_read(cli):
    assert json_ids(cli("list", "--json")) == NEWEST_FIRST


@pytest.mark.parametrize("command", [["list"], ["show", "000"], ["topics"], ["stats"], ["check"]])
def test_missing_data_path_is_a_usage_error_naming_it(cli, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = cli(*command, "--data", "no-such-folder")
    assert result.exit_code == 2
    assert "no-such-folder" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_missing_path_in_the_environment_is_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("list", env={"NEWSQ_DATA": "gone-folder"})
    assert result.exit_code == 2
    assert "gone-folder" in result.stderr
    assert result.stdout == ""


# --- stats --related: coverage counted -------------------------------------------------------


def test_stats_related_counts_every_article_of_the_seeds(cli):
    stats = json.loads(cli("stats", "--related", "--by", "day", "--json").stdout)
    assert (stats["documents"], stats["related"], stats["articles"], stats["dated"]) == (
        5,
        23,
        28,
        28,
    )
    assert (stats["first"], stats["last"]) == ("2020-06-09T03:34:00Z", "2020-07-03T05:43:00Z")
    assert sum(day["count"] for day in stats["per_day"]) == 28
    assert stats["peak"] == {"day": "2020-06-12", "count": 10}
    assert stats["providers"][:2] == [
        {"name": "Forbes", "domain": "forbes.com", "count": 3},
        {"name": "Washington Post", "domain": "washingtonpost.com", "count": 3},
    ]


def test_stats_related_filters_coverage_by_its_own_date_and_outlet(cli):
    june = json.loads(
        cli("stats", "--related", "--since", "2020-06", "--until", "2020-06", "--json").stdout
    )
    assert (june["documents"], june["articles"], june["last"]) == (4, 25, "2020-06-16T01:18:00Z")
    forbes = json.loads(cli("stats", "--related", "--provider", "forbes", "--json").stdout)
    assert (forbes["documents"], forbes["articles"]) == (1, 3)
    assert forbes["providers"] == [{"name": "Forbes", "domain": "forbes.com", "count": 3}]
    without = json.loads(cli("stats", "--json").stdout)
    assert "articles" not in without


def test_stats_related_on_a_terminal_says_articles_and_outlets(cli):
    out = cli("stats", "--related", "--by", "day").stdout.splitlines()
    assert out[2] == "Articles          28 (documents and their coverage)"
    assert out[4] == "Busiest day       2020-06-12 (10 articles)"
    assert "Top outlets" in out
