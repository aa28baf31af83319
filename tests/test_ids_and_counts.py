"""Composable ids (`--format ids`, `show ID ID…`, `show -`), `--count`, `open`, and JSON
coloured on a terminal: what a person chains together in a shell."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess

import pytest
from conftest import ID0, ID1, ID2, ID3, ID4, NEWEST_FIRST, newsq_executable
from typer.testing import CliRunner

from newsq.cli.app import app
from newsq.render import formats
from newsq.render.formats import Format
from newsq.render.output import Output

ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def said(output: str) -> str:
    """A usage error's message as one line, out of its box."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


def json_ids(*args: str) -> list[str]:
    result = invoke(*args, "--all", "--json")
    assert result.exit_code == 0, result.output
    return [item["id"] for item in json.loads(result.stdout)]


# --- --format ids -----------------------------------------------------------------------------


def test_list_ids_are_one_a_line_and_nothing_else(cli):
    result = cli("list", "--format", "ids")
    assert (result.exit_code, result.stdout) == (0, "".join(i + "\n" for i in NEWEST_FIRST))


def test_ids_follow_the_filters_sort_and_limit(cli):
    result = cli("list", "-f", "ids", "--topic", "Computer Vision", "--sort", "title", "-n", "2")
    every = json_ids("list", "--topic", "Computer Vision", "--sort", "title")
    assert result.stdout.split() == every[:2]
    assert result.stderr == f"newsq: 2 of {len(every)} shown; --all for every one\n"


def test_search_ids_are_the_hits_in_rank_order(cli):
    assert cli("search", "amazon police", "-f", "ids").stdout.split() == json_ids(
        "search", "amazon police"
    )


def test_search_related_ids_name_related_articles(cli):
    found = cli("search", "rekognition", "--related", "-f", "ids", "--all").stdout.split()
    assert found == json_ids("search", "rekognition", "--related")
    assert any("#" in i for i in found)


def test_stories_ids_are_story_ids(cli):
    assert cli("stories", "-f", "ids").stdout == f"{ID1}\n"


@pytest.mark.parametrize("command", [["show", ID0], ["topics"], ["stats"], ["story", ID0]])
def test_commands_without_a_list_of_results_refuse_format_ids(cli, command):
    result = cli(*command, "--format", "ids")
    assert result.exit_code == 2
    assert "'ids' is not one of 'table', 'json', 'jsonl', 'csv'" in said(result.output)


def test_format_ids_has_no_fields_to_pick(cli):
    result = cli("list", "--format", "ids", "--fields", "id")
    assert result.exit_code == 2
    assert "--format ids prints the ids alone: there are no fields to pick" in said(result.output)


def test_an_id_with_a_line_break_stays_one_line():
    assert formats.ids_text(["a\nb", "c\rd", "e\tf\x1b"]) == "a\\x0ab\nc\\x0dd\ne\tf\x1b\n"
    assert formats.ids_text(["e\tf\x1b"], terminal=True) == "e\\x09f\\x1b\n"


# --- --count -----------------------------------------------------------------------------------


def test_count_is_the_number_alone(cli):
    assert (cli("list", "--count").stdout, cli("list", "--count").stderr) == ("5\n", "")


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--topic", "Computer Vision"],
        ["list", "--since", "2020-06-12"],
        ["search", "police"],
        ["search", "rekognition", "--related"],
        ["search", "police -amazon"],
        ["stories", "--min-size", "1"],
    ],
)
def test_count_is_how_many_every_would_list(cli, args):
    expected = len(json_ids(*args))
    assert cli(*args, "--count").stdout == f"{expected}\n"
    assert json.loads(cli(*args, "--count", "--json").stdout) == {"count": expected}
    assert cli(*args, "--count", "--format", "jsonl").stdout == f'{{"count": {expected}}}\n'


def test_count_ignores_the_limit(cli):
    assert cli("list", "--count", "-n", "1").stdout == "5\n"


def test_count_of_nothing_is_zero_and_still_suggests(cli):
    result = cli("list", "--count", "--topic", "computer visoin")
    assert result.stdout == "0\n"
    assert "did you mean 'Computer Vision'?" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--fields", "id"], "--count prints a number alone: there are no fields to pick"),
        (["--format", "ids"], "give one of --count (how many) and --format ids (which)"),
    ],
)
def test_count_refuses_what_it_cannot_print(cli, extra, message):
    result = cli("list", "--count", *extra)
    assert result.exit_code == 2
    assert message in said(result.output)


def test_n_is_limit(cli):
    assert cli("list", "-n", "2", "-f", "ids").stdout.split() == NEWEST_FIRST[:2]


# --- show ID ID…, show - ----------------------------------------------------------------------


def record(doc_id: str) -> dict:
    return json.loads(invoke("show", doc_id, "--json").stdout)


def test_one_id_is_one_object_as_before():
    assert isinstance(record(ID0), dict)


def test_several_ids_are_an_array_in_json_and_lines_in_jsonl():
    result = invoke("show", "bc13", ID2, "218d#2", "--json")
    assert json.loads(result.stdout) == [record(ID0), record(ID2), record(f"{ID1}#2")]
    lines = invoke("show", "bc13", ID2, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == [record(ID0), record(ID2)]


def test_stdin_gives_ids_one_a_line():
    given = f"{ID3}\n\n  {ID4}  \n{ID0}#1\n"
    result = invoke("show", "-", "--format", "jsonl", input=given)
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        ID3,
        ID4,
        f"{ID0}#1",
    ]


def test_dash_mixes_with_ids_in_order():
    result = invoke("show", ID2, "-", ID1, "--fields", "id", "--format", "csv", input=ID3 + "\n")
    assert result.stdout == f"id\n{ID2}\n{ID3}\n{ID1}\n"


def test_several_as_tables_are_each_panel_in_turn():
    result = invoke("show", ID0, ID2)
    assert result.stdout == invoke("show", ID0).stdout + "\n" + invoke("show", ID2).stdout


def test_several_with_fields_as_a_table():
    result = invoke("show", "-", "--fields", "id,provider.name", input=f"{ID0}\n{ID2}\n")
    assert result.stdout.splitlines() == [
        "id                    provider.name",
        f"{ID0}  Forbes",
        f"{ID2}  Fast Company",
    ]


def test_an_unknown_id_is_said_the_rest_shown_and_exit_1():
    result = invoke("show", "-", "--json", input=f"{ID0}\nnope\n{ID2}\n")
    assert result.exit_code == 1
    assert [r["id"] for r in json.loads(result.stdout)] == [ID0, ID2]
    assert result.stderr == "newsq: no document matches 'nope'\n"


def test_nothing_on_stdin_prints_nothing_and_says_so():
    result = invoke("show", "-", "--json", input="")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert result.stderr == "newsq: no ids were given (show - reads them from stdin, one a line)\n"


def test_the_pipeline_of_real_processes(tmp_path):
    """`newsq search rekognition --format ids | newsq show - --format jsonl`, as a shell runs it."""
    search = subprocess.Popen(
        [newsq_executable(), "search", "rekognition", "--format", "ids"],
        stdout=subprocess.PIPE,
        cwd=tmp_path,
    )
    show = subprocess.run(
        [newsq_executable(), "show", "-", "--format", "jsonl"],
        stdin=search.stdout,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert search.stdout is not None
    search.stdout.close()
    assert search.wait(timeout=120) == 0
    assert show.returncode == 0, show.stderr
    shown = [json.loads(line)["id"] for line in show.stdout.splitlines()]
    assert shown == json_ids("search", "rekognition")


def test_xargs_takes_the_ids(tmp_path):
    listed = subprocess.run(
        f"{newsq_executable()} list -f ids -n 2 | xargs {newsq_executable()} show --json",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert [r["id"] for r in json.loads(listed.stdout)] == NEWEST_FIRST[:2]


# --- open ----------------------------------------------------------------------------------------


def test_open_print_prints_the_web_url():
    assert invoke("open", "bc13", "--print").stdout == (
        "https://www.forbes.com/sites/thomasbrewster/2020/06/11/"
        "microsoft-wont-sell-facial-recognition-to-american-cops-after-protests/\n"
    )
    assert invoke("open", f"{ID1}#2", "--print").stdout == record(f"{ID1}#2")["webUrl"] + "\n"


def test_open_starts_the_browser_with_the_url(tmp_path):
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {opened}\n')
    browser.chmod(0o755)
    result = subprocess.run(
        [newsq_executable(), "open", "218d"],
        capture_output=True,
        text=True,
        env={**os.environ, "BROWSER": str(browser)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    url = record(ID1)["webUrl"]
    assert opened.read_text() == url + "\n"
    assert result.stderr == f"newsq: opening {url} in the browser\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (None, "doc has no webUrl"),
        ("file:///etc/passwd", "not opening doc's webUrl 'file:///etc/passwd': not an http(s) URL"),
        (
            "javascript:alert(1)",
            "not opening doc's webUrl 'javascript:alert(1)': not an http(s) URL",
        ),
        ("https://a.example/x\x1b]8;;", "not opening doc's webUrl 'https://a.example/x\\x1b]8;;'"),
    ],
)
def test_open_refuses_what_is_not_a_web_address(write_corpus, url, message, monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: opened.append(a) or True)
    field = "" if url is None else f"webUrl: {json.dumps(url)}\n"
    root = write_corpus({"doc.md": f"---\ntitle: T\n{field}---\n"})
    result = invoke("open", "doc", "--data", str(root))
    assert result.exit_code == 1
    assert message in result.stderr
    assert opened == []


def test_open_says_when_no_browser_starts(monkeypatch):
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: False)
    result = invoke("open", "bc13")
    assert result.exit_code == 1
    assert "no browser could be started; the URL is https://www.forbes.com/" in result.stderr


def test_open_an_unknown_id_exits_1():
    result = invoke("open", "nope", "--print")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("newsq: no document matches 'nope'")


# --- JSON coloured on a terminal -----------------------------------------------------------------

TRICKY = {
    "a": "x" * 300,
    "wide": "👩‍👩‍👧 中文 ｱ e\u0301",
    "n": [1, -2.5e10, True, False, None],
    "q": 'say "hi" \\',
    "k\\": "v: [1]",
    "ctl": "\x1b[31m\u2028",
}


@pytest.mark.parametrize("fmt", [Format.json, Format.jsonl])
def test_coloured_json_is_the_same_characters(fmt):
    buffer = io.StringIO()
    Output(buffer, color="always").value(TRICKY, fmt)
    coloured = buffer.getvalue()
    plain = formats.to_json(TRICKY) if fmt is Format.json else formats.to_jsonl([TRICKY])
    assert "\x1b[" in coloured
    assert ESCAPES.sub("", coloured) == plain


def test_keys_strings_and_numbers_are_coloured_apart():
    buffer = io.StringIO()
    Output(buffer, color="always").value({"key": "text", "n": 12}, Format.jsonl)
    assert buffer.getvalue() == (
        '\x1b[1m{\x1b[0m\x1b[1;34m"key"\x1b[0m: \x1b[32m"text"\x1b[0m, '
        '\x1b[1;34m"n"\x1b[0m: \x1b[1;36m12\x1b[0m\x1b[1m}\x1b[0m\n'
    )


def test_show_and_list_json_with_colour_are_the_plain_bytes_highlighted():
    for args in (
        ["show", ID0, "--json"],
        ["list", "--json", "--all"],
        ["search", "police", "-f", "jsonl"],
    ):
        plain = invoke(*args).stdout
        coloured = invoke(*args, "--color", "always").stdout
        assert coloured != plain
        assert ESCAPES.sub("", coloured) == plain


def test_json_on_a_pipe_and_with_no_color_is_plain(monkeypatch):
    assert "\x1b" not in invoke("show", ID0, "--json").stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in invoke("show", ID0, "--json").stdout


def test_json_on_a_real_terminal_is_coloured():
    from test_process import run_in_terminal

    shown = run_in_terminal("show", ID0, "--json")
    assert '\x1b[1;34m"id"\x1b[0m' in shown
    plain = subprocess.run(
        [newsq_executable(), "show", ID0, "--json"], capture_output=True, timeout=60
    ).stdout.decode()
    assert ESCAPES.sub("", shown).replace("\r\n", "\n") == plain
