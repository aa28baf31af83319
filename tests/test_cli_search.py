"""`newsq search` as a user runs it: ranked hits, the query language's errors, related
coverage, the formats, and `newsq show PARENT_ID#N`.

Seed facts (read off seeds/*.txt): only ID2's title, excerpt and provider lack the word
"amazon"; "Rekognition" is in ID4's excerpt and in ID0's one related article's excerpt.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import ID0, ID2, ID4
from rich.console import Console

import newsq
from newsq.render.tables import hits_table


def json_of(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- errors in the query --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "reason", "column"),
    [
        ("(amazon OR ibm", "this ( is never closed: add a )", 0),
        ("(", "this ( is never closed: add a )", 0),
        ('police "facial recognition', 'this quote is never closed: add a closing "', 7),
        ("amazon OR", "OR needs something to search for after it", 7),
        ("titel:amazon", "unknown field 'titel'", 0),
        ("amazon OR -ibm", "an exclusion needs something to search for beside it", 10),
    ],
)
def test_a_query_that_cannot_be_read_exits_2_pointing_at_the_problem(cli, query, reason, column):
    result = cli("search", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert reason in " ".join(line.strip("│ ") for line in lines)  # the box may wrap it
    (shown,) = [n for n, line in enumerate(lines) if line.rstrip(" │") == f"│   {query}"]
    assert lines[shown + 1].rstrip(" │") == "│   " + " " * column + "^"


@pytest.mark.parametrize("query", ["", "  ", "!?", "-"])
def test_a_query_without_words_exits_2(cli, query):
    result = cli("search", query)
    assert result.exit_code == 2
    assert "nothing to search for: the query has no words" in result.stderr


def test_the_error_comes_before_any_indexing(cli, tmp_path):
    result = cli("search", "(", "--data", tmp_path / "missing")
    assert result.exit_code == 2
    assert "never closed" in result.stderr  # not the missing folder


def test_relevance_is_not_a_list_order(cli):
    result = cli("list", "--sort", "relevance")
    assert result.exit_code == 2
    assert "only a search has a relevance order" in result.stderr


# --- what is printed ----------------------------------------------------------------------------


def test_json_hits_carry_score_snippet_and_highlights(cli):
    (record,) = json_of(cli("search", "rekognition", "--json"))
    found = ["score", "snippet", "highlights", "matched", "missing", "corrections"]
    assert list(record)[:7] == ["id", *found]
    assert record["id"] == ID4
    assert record["score"] > 0
    ((start, end),) = record["highlights"]
    assert record["snippet"][start:end] == "Rekognition"
    assert (record["matched"], record["missing"], record["corrections"]) == (
        ["rekognition"],
        [],
        {},
    )
    rest = {k: v for k, v in record.items() if k not in found}
    assert rest == json_of(cli("show", ID4, "--json"))


def test_best_match_first(cli):
    records = json_of(cli("search", "amazon rekognition moratorium", "--json"))
    assert records[0]["id"] == ID4
    scores = [r["score"] for r in records]
    assert scores == sorted(scores, reverse=True)


def test_several_arguments_are_one_query(cli):
    assert cli("search", "facial", "recognition", "--json").stdout == (
        cli("search", "facial recognition", "--json").stdout
    )


def test_an_exclusion_after_double_dash(cli):
    assert [r["id"] for r in json_of(cli("search", "--json", "--", "-amazon"))] == [ID2]


def test_related_hits_have_their_own_id_and_parent(cli):
    records = json_of(cli("search", "rekognition", "--related", "--json", "--sort", "date"))
    assert [r["id"] for r in records] == [ID4, f"{ID0}#1"]
    related = records[1]
    assert list(related)[:5] == ["id", "parent", "score", "snippet", "highlights"]
    assert related["parent"] == ID0
    assert related["provider"] == {"name": "HotNewHipHop", "domain": "hotnewhiphop.com"}


def test_related_hits_under_filters(cli):
    result = cli("search", "rekognition", "--related", "--provider", "hotnewhiphop", "--json")
    assert [r["id"] for r in json_of(result)] == [f"{ID0}#1"]


def test_csv_hits(cli):
    result = cli("search", "rekognition", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "score", "publishedDateTime", "provider.name", "title", "snippet"]
    assert rows[1][0] == ID4
    assert "Rekognition" in rows[1][5]


def test_table_on_a_pipe_has_a_snippet_column(cli):
    result = cli("search", "rekognition")
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == ["ID", "Date", "Provider", "Title", "Snippet"]
    assert row.startswith(ID4)
    assert "Rekognition" in row


def test_fields_can_pick_search_values(cli):
    records = json_of(cli("search", "rekognition", "--json", "--fields", "id,score,snippet"))
    assert list(records[0]) == ["id", "score", "snippet"]


def test_help_documents_the_language(cli):
    result = cli("search", "--help")
    assert result.exit_code == 0
    for example in ("amazon OR ibm", "police -amazon", '"facial recognition"', "recogni*"):
        assert example in result.stdout
    assert "title, excerpt, provider, topic, body" in result.stdout


# --- show PARENT_ID#N ---------------------------------------------------------------------------


def test_show_a_related_article(cli):
    record = json_of(cli("show", f"{ID0}#1", "--json"))
    item = json_of(cli("show", ID0, "--json"))["related"][0]
    assert record == {"id": f"{ID0}#1", "parent": ID0, **item}


def test_show_a_related_article_by_prefix_in_a_panel(cli):
    result = cli("show", "bc1330c7#1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"{ID0}#1"
    assert lines[1] == "Police Banned From Using Amazon's Facial Recognition Technology For A Year"
    assert lines[4] == f"related coverage listed in {ID0}"


def test_show_a_related_article_that_is_not_there(cli):
    result = cli("show", f"{ID0}#2")
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsq: no document matches '{ID0}#2': {ID0} has 1 related article (#1)\n"
    )


# --- on a terminal ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 160])
def test_terminal_table_puts_the_passage_under_the_title_with_matches_in_bold(width):
    with newsq.load() as index:
        hits = index.search("rekognition")
    console = Console(width=width, force_terminal=True, color_system="standard", record=True)
    console.print(hits_table(hits, width=width))
    text = console.export_text(clear=False)
    assert all(len(line) <= width for line in text.splitlines())
    lines = text.splitlines()
    title_line = next(n for n, line in enumerate(lines) if line.startswith(ID4))
    assert "Rekognition" in " ".join(lines[title_line + 1 :])  # wrapped under the title
    styled = console.export_text(styles=True)
    assert "\x1b[1mRekognition\x1b[0m" in styled or "\x1b[1;2mRekognition" in styled


def test_terminal_table_escapes_the_data(write_corpus):
    root = write_corpus({"x.md": '---\ntitle: T\nexcerpt: "[bold]zebra[/bold] \\e[31m"\n---\n'})
    with newsq.load([root]) as index:
        hits = index.search("zebra")
    console = Console(width=100, force_terminal=True, record=True)
    console.print(hits_table(hits, width=100))
    text = console.export_text()
    assert "[bold]zebra[/bold] \\x1b[31m" in text
