"""`newsq search` that forgives, as a user meets it: what stderr says of a correction, of
words left out, and when nothing matched; `--exact`; JSON that says how each hit
matched; bad and huge queries."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest
from conftest import ID0, ID1, ID2, ID3, ID4, newsq_executable
from test_process import environment


def json_of(result) -> list[dict]:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_misspelt_word_says_what_was_searched_for_once(cli):
    result = cli("search", "facial", "recogniton", "--json", "--all")
    assert (
        result.stderr == "newsq: showing results for 'recognition' (no document has 'recogniton')\n"
    )
    records = json_of(result)
    assert [r["id"] for r in records] == [ID0, ID2, ID1, ID4, ID3]
    assert records[0]["matched"] == ["facial", "recogniton"]
    assert records[0]["corrections"] == {"recogniton": "recognition"}
    start, end = records[0]["highlights"][1]
    assert records[0]["snippet"][start:end] == "recognition"  # highlighted as any match


def test_several_misspelt_words_are_said_in_one_line(cli):
    result = cli("search", "facail", "recogniton", "--json", "--limit", "1")
    assert result.stderr.splitlines()[0] == (
        "newsq: showing results for 'facial' and 'recognition' "
        "(no document has 'facail' or 'recogniton')"
    )


def test_quiet_says_nothing(cli):
    assert cli("search", "recogniton", "-q", "--json").stderr == ""
    assert cli("search", "xyzzy", "-q").stderr == ""


def test_exact_corrects_nothing(cli):
    result = cli("search", "facial", "recogniton", "--exact", "--json")
    assert json_of(result) == []
    assert result.stderr == (
        "newsq: nothing matched; try without --exact, --related (the related coverage too) "
        "or other words\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["xyzzy", "plugh"],
            "nothing matched: no document has 'xyzzy' or 'plugh', nor a word spelt like it; "
            "try --related (the related coverage too) or other words",
        ),
        (
            ['"recognition facial"'],
            "nothing matched; try plain words (they forgive) in place of quotes, fields, AND, "
            "OR or *, --related (the related coverage too) or other words",
        ),
        (
            ["rekognition", "--since", "2020-07", "--related"],
            "nothing matched; try fewer filters or other words",
        ),
    ],
)
def test_nothing_matched_says_what_to_try(cli, args, said):
    for fmt in ("table", "json"):
        result = cli("search", *args, "--format", fmt)
        assert result.exit_code == 0
        assert result.stdout == ("[]\n" if fmt == "json" else "")
        assert result.stderr == f"newsq: {said}\n"


def test_a_question_finds_hits_with_an_empty_stderr(cli):
    result = cli("search", "how do police use facial recognition?", "--json", "--all")
    assert result.stderr == ""
    records = json_of(result)
    assert [r["id"] for r in records] == [ID2, ID1, ID4, ID3, ID0]
    assert all(r["matched"] == ["police", "facial", "recognition"] for r in records)


def test_partial_matches_say_what_they_miss(cli):
    records = json_of(cli("search", "rekognition moratorium microsoft", "--json", "--all"))
    assert (records[0]["id"], records[0]["missing"]) == (ID4, [])
    # every title says "microsoft": the others have it alone
    assert sorted(r["id"] for r in records[1:]) == [ID0, ID1, ID2, ID3]
    assert all(r["missing"] == ["rekognition", "moratorium"] for r in records[1:])


def test_words_past_the_limit_are_said_to_be_left_out(cli):
    words = ["rekognition", *(f"w{n}" for n in range(40))]
    result = cli("search", *words, "--json")
    assert [r["id"] for r in json_of(result)] == [ID4]
    assert result.stderr == (
        "newsq: the query has 41 words; searched for the first 32 "
        "(left out: w31 w32 w33 w34 w35 …)\n"
    )


def test_csv_fields_of_how_a_hit_matched(cli):
    result = cli("search", "moratorum", "--format", "csv", "--fields", "id,matched,corrections")
    assert result.stdout.splitlines() == [
        "id,matched,corrections",
        f'{ID4},moratorum,"{{""moratorum"": ""moratorium""}}"',
    ]


def test_a_corrected_word_is_bold_in_the_table(cli):
    result = cli("search", "moratorum", "--color", "always", env={"COLUMNS": "200"})
    assert "\x1b[1;2mmoratorium\x1b[0m" in result.stdout  # bold, in the dim passage


@pytest.mark.parametrize(
    "query",
    ["the who", "a", "?", "how do I", "-- -", "((the))", "NOT the who", "é ü", "\u202e", "'"],
)
def test_any_query_gets_hits_or_a_clear_error(cli, query):
    result = cli("search", "--json", "--", query)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        json.loads(result.stdout)
    else:
        assert "Invalid value for 'QUERY'" in result.stderr


def test_a_huge_query_as_a_process(tmp_path):
    # 10,000 words: answered, forgiving and exact, with no traceback
    words = ["rekognition", *(f"w{n}" for n in range(9_999))]
    for extra in ([], ["--exact"]):
        done = subprocess.run(
            [newsq_executable(), "search", "--json", *extra, *words],
            capture_output=True,
            env=environment(XDG_CACHE_HOME=str(tmp_path)),
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        found = [r["id"] for r in json.loads(done.stdout)]
        assert found == ([] if extra else [ID4])
        assert b"Traceback" not in done.stderr


def test_a_damaged_list_of_terms_is_rebuilt_and_the_answer_stands(write_corpus, tmp_path):
    root = write_corpus({"a.md": "---\ntitle: Gallery tips\n---\n"})
    env = environment(XDG_CACHE_HOME=str(tmp_path / "cache"))

    def search() -> subprocess.CompletedProcess:
        command = [newsq_executable(), "search", "galery", "--data", str(root), "--json"]
        return subprocess.run(command, capture_output=True, env=env, timeout=60)

    first = search()
    assert [r["id"] for r in json.loads(first.stdout)] == ["a"]
    (path,) = (tmp_path / "cache" / "newsq").glob("*.sqlite")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE terms SET docs = x'0102'")  # not the rows of its terms
    conn.close()
    again = search()
    assert (again.returncode, again.stdout) == (0, first.stdout)
    assert (
        again.stderr
        == first.stderr
        == (b"newsq: showing results for 'gallery' (no document has 'galery')\n")
    )
