"""`newsq sql`: every output format, --count, --schema, the filters, errors as usage errors,
and a runaway query stopped by --timeout and by Ctrl-C in a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from conftest import ID0, ID2, ID3, ID4, newsq_executable

from newsq.index.ranking import WEIGHTS
from newsq.store.views import views

QUALITY = (
    "SELECT provider_name AS outlet, quality FROM documents WHERE quality > 30 ORDER BY 2 DESC"
)
RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_table_on_a_pipe(cli):
    result = cli("sql", QUALITY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "outlet        quality\nForbes        89\nQuartz        87\nFast Company  37\n"
    )
    assert result.stderr == ""


def test_json(cli):
    result = cli("sql", QUALITY, "--json")
    assert json.loads(result.stdout) == [
        {"outlet": "Forbes", "quality": 89},
        {"outlet": "Quartz", "quality": 87},
        {"outlet": "Fast Company", "quality": 37},
    ]


def test_jsonl(cli):
    result = cli("sql", QUALITY, "--format", "jsonl")
    assert result.stdout == (
        '{"outlet": "Forbes", "quality": 89}\n'
        '{"outlet": "Quartz", "quality": 87}\n'
        '{"outlet": "Fast Company", "quality": 37}\n'
    )


def test_jsonl_streams_many_rows(cli):
    query = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1234) SELECT x FROM c"
    )
    result = cli("sql", query, "--format", "jsonl")
    assert result.stdout.splitlines() == [f'{{"x": {n}}}' for n in range(1, 1235)]


def test_csv(cli):
    result = cli("sql", QUALITY, "--format", "csv")
    assert result.stdout == "outlet,quality\nForbes,89\nQuartz,87\nFast Company,37\n"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("table", "10\n"),
        ("csv", "10\n"),
        ("json", '{\n  "count": 10\n}\n'),
        ("jsonl", '{"count": 10}\n'),
    ],
)
def test_count_prints_the_number_only(cli, fmt, expected):
    result = cli("sql", "SELECT * FROM topics", "--count", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


def test_count_under_a_filter(cli):
    result = cli(
        "sql", "SELECT * FROM related", "--count", "--topic", "Natural Language Processing"
    )
    assert result.stdout == "2\n"


def test_values_no_format_holds_as_they_are(cli):
    """A blob is base64, an infinite number `Infinity`; a formula-like CSV cell is neutralised,
    and an escape sequence is shown escaped in a table but kept exact in JSON."""
    query = "SELECT '=1+1' AS formula, x'00ff' AS blob, 1e999 AS big, char(27) || '[31mred' AS esc"
    assert json.loads(cli("sql", query, "--json").stdout) == [
        {"formula": "=1+1", "blob": "AP8=", "big": "Infinity", "esc": "\x1b[31mred"}
    ]
    assert cli("sql", query, "--format", "csv").stdout == (
        "formula,blob,big,esc\n'=1+1,AP8=,Infinity,\x1b[31mred\n"
    )
    table = cli("sql", query).stdout
    assert "\x1b" not in table
    assert table.splitlines()[1] == "=1+1     AP8=  Infinity  \\x1b[31mred"


def test_no_rows_says_so_on_a_table_only(cli):
    result = cli("sql", "SELECT id FROM documents WHERE 0")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "newsq: no rows\n")
    result = cli("sql", "SELECT id FROM documents WHERE 0", "--json")
    assert (result.stdout, result.stderr) == ("[]\n", "")


def test_filters_restrict_the_views(cli):
    result = cli("sql", "SELECT id FROM documents ORDER BY id", "--since", "2020-06-12", "--json")
    assert json.loads(result.stdout) == [{"id": ID2}, {"id": ID3}]
    result = cli(
        "sql", "SELECT document, count(*) AS n FROM related GROUP BY 1 ORDER BY 1",
        "--provider", "forbes", "--provider", "qz", "--format", "csv",
    )  # fmt: skip
    assert result.stdout == f"document,n\n{ID0},1\n{ID4},16\n"


def test_a_filter_no_document_matches_is_said(cli):
    result = cli(
        "sql", "SELECT count(*) AS n FROM documents", "--topic", "computer visoin", "--json"
    )
    assert json.loads(result.stdout) == [{"n": 0}]
    assert "did you mean 'Computer Vision'?" in result.stderr


def test_the_query_from_stdin(cli):
    from typer.testing import CliRunner

    from newsq.cli.app import app

    result = CliRunner().invoke(app, ["sql", "-", "--format", "csv"], input=QUALITY + ";\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "outlet,quality\nForbes,89\nQuartz,87\nFast Company,37\n"


def test_search_from_sql(cli):
    query = (
        "SELECT id, document, score FROM search WHERE search MATCH 'rekognition' ORDER BY 3 DESC"
    )
    result = cli("sql", query, "--format", "csv")
    assert result.stdout == (f"id,document,score\n{ID0}#1,{ID0},4.187252\n{ID4},{ID4},4.149533\n")


# --- --schema ---------------------------------------------------------------------------


def test_schema_lists_every_view_and_column(cli):
    result = cli("sql", "--schema")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    for view in views(WEIGHTS):
        heading = f"{view.name}: {view.description}"
        assert heading in lines
        start = lines.index(heading)
        described = lines[start + 1 : start + 1 + len(view.columns)]
        assert [line.split()[0] for line in described] == list(view.column_names)
        assert all(line.startswith("  ") for line in described)
    assert lines[1] == (
        "  id               TEXT     the document's id (its path in the corpus, no extension)"
    )


def test_schema_as_json_rows(cli):
    rows = json.loads(cli("sql", "--schema", "--json").stdout)
    assert rows[0] == {
        "view": "documents",
        "column": "id",
        "type": "TEXT",
        "description": "the document's id (its path in the corpus, no extension)",
    }
    assert {r["view"] for r in rows} == {"documents", "topics", "related", "images", "search"}
    assert [r["column"] for r in rows if r["view"] == "topics"] == ["document", "position", "topic"]


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("DELETE FROM documents", "read-only"),
        ("SELECT * FROM docs", "docs is one of the snapshot's own tables"),
        ("ATTACH ':memory:' AS x", "ATTACH"),
        ("PRAGMA journal_mode = DELETE", "refused"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
        ("SELEC 1", "syntax error"),
        ("SELECT nope FROM documents", "no such column: nope"),
        ("SELECT * FROM search WHERE search MATCH '\"'", "unterminated string"),
    ],
)
def test_bad_or_refused_sql_is_a_usage_error(cli, query, says):
    result = cli("sql", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for 'QUERY'" in result.stderr
    assert says in " ".join(result.stderr.replace("│", " ").split())
    assert "Traceback" not in result.stderr


def test_no_query_is_a_usage_error(cli):
    result = cli("sql")
    assert result.exit_code == 2
    assert "give a query, or --schema" in result.stderr


def test_sql_text_in_an_error_is_escaped(cli):
    result = cli("sql", "SELECT \x1b[31m")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert 'unrecognized token: "\\x1b"' in result.stderr


def test_timeout_in_process(cli):
    result = cli("sql", RUNAWAY, "--timeout", "0.2")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "newsq: the query ran longer than 0.2 s and was stopped (--timeout)\n"


def test_timeout_must_be_positive(cli):
    assert cli("sql", "SELECT 1", "--timeout", "0").exit_code == 2


# --- a real process -------------------------------------------------------------------------


def _start(*args: str, cache: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSQ_DATA", "COLUMNS")}
    env["XDG_CACHE_HOME"] = cache
    return subprocess.Popen(
        [newsq_executable(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own group, so a signal reaches it as Ctrl-C would
    )


def test_timeout_stops_a_runaway_query(tmp_path):
    process = _start("sql", RUNAWAY, "--timeout", "0.5", cache=str(tmp_path))
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert stdout == b""
    assert stderr == b"newsq: the query ran longer than 0.5 s and was stopped (--timeout)\n"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_stop_a_runaway_query(tmp_path, signum, code):
    cache = str(tmp_path / "cache")
    assert _start("sql", "SELECT 1", cache=cache).wait(timeout=120) == 0  # the snapshot, built
    process = _start("sql", RUNAWAY, cache=cache)
    time.sleep(1.5)  # loaded, and running the query
    assert process.poll() is None
    os.killpg(process.pid, signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert stdout == b""
    assert b"Traceback" not in stderr


def test_rows_stream_until_ctrl_c(tmp_path):
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    process = _start("sql", endless, "--format", "jsonl", cache=str(tmp_path))
    assert process.stdout is not None
    first = process.stdout.readline()  # rows come before the query ends
    assert first == b'{"x": 1}\n'
    os.killpg(process.pid, signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode == 130
