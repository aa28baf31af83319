"""Odd input, as a new user types it: each gets a clear answer (exit 2 for a usage error),
never a traceback. In-process through Typer's runner where that shows it, as the
installed `newsq` where only a real process does (escapes on a terminal, a full disk,
signals).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ID0, ID1, ID2, ID3, ID4, newsq_executable
from test_process import big_corpus, document, environment, run  # noqa: F401 (a fixture)

HUGE = "99999999999999999999999"


def said(stderr: str) -> str:
    """The words of an error as Typer draws it (a box around it, wrapped): one line."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", stderr).split())


# --- numbers past what SQLite holds --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["list", "--limit", HUGE], [ID3, ID2, ID4, ID0, ID1]),
        (["search", "microsoft", "--limit", HUGE, "--sort", "date"], [ID3, ID2, ID4, ID0, ID1]),
        (["stories", "--limit", HUGE], [ID1]),
        (["stories", "--min-size", HUGE], []),
        (["stories", "--min-articles", HUGE], []),
        (["stories", "--min-size", HUGE, "--min-articles", "28"], [ID1]),
    ],
)
def test_a_bound_past_any_count_is_no_bound(cli, args, ids):
    result = cli(*args, "--format", "jsonl", "--fields", "id")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ids


def test_a_related_article_past_any_number(cli):
    result = cli("show", f"bc13#{HUGE}")
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsq: no document matches 'bc13#{HUGE}': {ID0} has 1 related article (#1)\n"
    )


@pytest.mark.parametrize("ref", ["bc13#\u00b2", "bc13#\u0661"])
def test_only_ascii_digits_number_a_related_article(cli, ref):
    result = cli("show", ref)
    assert result.exit_code == 1
    assert result.stderr == f"newsq: no document matches {ref!r}\n"


def test_a_document_without_related_coverage(cli, write_corpus):
    root = write_corpus({"lonely.md": document("Alone", "2020-01-01T00:00:00Z")})
    result = cli("show", "lonely#1", "--data", root)
    assert result.exit_code == 1
    assert (
        result.stderr == "newsq: no document matches 'lonely#1': lonely has no related coverage\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--min-quality", "nan"], "Invalid value for --min-quality: not a number: 'nan'"),
        (["list", "--min-heat", "nan"], "Invalid value for --min-heat: not a number: 'nan'"),
        (["stories", "--window", "nan"], "Invalid value for '--window': must be more than 0 days"),
        (
            ["story", "bc13", "--window", "nan"],
            "Invalid value for '--window': must be more than 0 days",
        ),
    ],
)
def test_not_a_number_is_refused(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in said(result.stderr)


# --- stdout that cannot be written -----------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["show", "bc13"], ["stats"]])
def test_a_full_disk_is_one_line_and_exit_1(tmp_path, args):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [newsq_executable(), *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=environment(),
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr == "newsq: cannot write the output: no space left on device\n"


def test_a_reader_that_leaves_is_exit_0_as_with_ripgrep(tmp_path):
    process = subprocess.Popen(
        [newsq_executable(), "list", "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=environment(),
    )
    process.stdout.close()  # before newsq writes a byte
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr) == (0, b"")


# --- data paths and option values on the terminal ---------------------------------------------

HOSTILE_PATH = "/tmp/nope\x1b]0;PWN\x07\x1b[2J"
ESCAPED_PATH = "/tmp/nope\\x1b]0;PWN\\x07\\x1b[2J"


@pytest.mark.parametrize("how", ["--data", "NEWSQ_DATA"])
@pytest.mark.parametrize("color", [[], ["--color", "never"]])
def test_a_data_path_is_escaped_in_its_error(tmp_path, how, color):
    if how == "--data":
        result = run("list", "--data", HOSTILE_PATH, *color, cwd=tmp_path, COLUMNS="200")
        hint = "'--data'"
    else:
        result = run("list", *color, cwd=tmp_path, COLUMNS="200", NEWSQ_DATA=HOSTILE_PATH)
        hint = "$NEWSQ_DATA"
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert f"Invalid value for {hint}: no such file or folder: {ESCAPED_PATH}" in said(
        result.stderr
    )


def test_an_unknown_option_is_escaped(tmp_path):
    result = run("list", "--x\x1b[2J", cwd=tmp_path, COLUMNS="200")
    assert result.returncode == 2
    assert "\x1b" not in result.stderr
    assert "No such option: --x\\x1b[2J" in said(result.stderr)


def test_the_runner_escapes_a_data_path_too(cli):
    result = cli("list", "--data", HOSTILE_PATH)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert ESCAPED_PATH in said(result.stderr)


# --- signals while indexing --------------------------------------------------------------------


def _indexing(big: Path, cache: Path, cwd: Path) -> subprocess.Popen:
    """A cold `newsq list` on the big corpus, once its parsing pool is at work."""
    process = subprocess.Popen(
        [newsq_executable(), "list", "--all", "--format", "jsonl", "--data", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=environment(XDG_CACHE_HOME=str(cache)),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if _children(process.pid):  # the parsing pool is at work
            break
        time.sleep(0.01)
    return process


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie no one has reaped yet has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGHUP, 128 + signal.SIGHUP), (9, -9)],
    ids=["TERM", "HUP", "KILL"],
)
def test_a_signal_to_the_command_leaves_no_worker_and_no_traceback(
    big_corpus,  # noqa: F811 (the fixture)
    tmp_path,
    signum,
    code,
):
    cache = tmp_path / "cache"
    process = _indexing(big_corpus, cache, tmp_path)
    if process.poll() is not None:
        pytest.skip("indexing ended before it could be interrupted")
    workers = _children(process.pid)
    os.kill(process.pid, signum)  # the command alone, as `kill` does, not its group
    # stderr ends when every process holding it has: the workers too.
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.wait(timeout=60)
    assert process.returncode == code
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    time.sleep(0.2)
    assert [w for w in workers if _alive(w)] == []
    after = run("list", "--all", "--format", "jsonl", "--data", big_corpus, cwd=tmp_path)
    assert (after.returncode, len(after.stdout.splitlines())) == (0, 3000)


# --- ids a table shows ---------------------------------------------------------------------------


def test_every_id_a_table_shows_is_one_show_takes(cli, write_corpus):
    names = [
        "microsoft-learn-create-a-canvas-app",
        "microsoft-learn-create-a-model-driven-app",
        "microsoft-learn-create-relationships-and-rollups",
        "microsoft-learn-create-relationships-and-rollups-in-dataverse",
    ]
    root = write_corpus(
        {
            f"_learning/{name}.md": document(
                f"Relationships and rollups, part {n}", "2020-01-01T00:00:00Z"
            )
            for n, name in enumerate(names)
        }
    )
    result = cli(
        "search",
        "relationships",
        "rollups",
        "--data",
        root,
        env={"COLUMNS": "80", "FORCE_COLOR": "1", "NO_COLOR": "1"},
    )
    assert result.exit_code == 0
    shown = [line.split()[0] for line in result.stdout.splitlines()[2:] if line[:1].strip()]
    assert len(shown) == 4
    assert "…" not in "".join(shown)
    resolved = [
        cli("show", ref, "--data", root, "--fields", "id", "--format", "csv") for ref in shown
    ]
    assert sorted(r.stdout.splitlines()[1] for r in resolved) == [f"_learning/{n}" for n in names]


# --- what a corpus holds ----------------------------------------------------------------------


def test_files_left_out_for_an_id_taken_are_said(cli, write_corpus, tmp_path, seeds):
    other = tmp_path / "other"
    other.mkdir()
    for path in seeds.glob("*.txt"):
        (other / path.name).write_bytes(path.read_bytes())
    result = cli("list", "-d", seeds, "-d", other, "--format", "jsonl", "--fields", "id")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 5
    assert result.stderr == (
        "newsq: 5 files left out: another file has the same id (two --data roots holding "
        "the same names?); run newsq check for details\n"
    )
    quiet = cli("list", "-d", seeds, "-d", other, "-q")
    assert quiet.stderr == ""


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "the corpus has no documents: no *.md, *.markdown or *.txt file in {root}"),
        (
            {"page.html": "<p>x</p>", "data.json": "{}"},
            "the corpus has no documents: no *.md, *.markdown or *.txt file in {root}",
        ),
        (
            {"a.md": "Just text.\n", "b.txt": "---\ntitle: [broken\n---\n"},
            "the corpus has no documents: 2 files in {root}, none with front matter between "
            "'---' lines that newsq can read; run newsq check for details",
        ),
    ],
    ids=["empty", "other file types", "no front matter"],
)
def test_a_corpus_without_documents_says_where_it_looked(cli, tmp_path, files, message):
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    result = cli("list", "--data", root)
    assert result.exit_code == 0
    assert result.stdout == ""
    expected = "newsq: " + message.format(root=root) + "\n"
    skipped = "newsq: 1 file skipped; run newsq check for details\n"
    assert result.stderr in (expected, skipped + expected)


# --- fields ------------------------------------------------------------------------------------


SEED_FIELDS = (
    "ampWebUrl, category, cdnAmpWebUrl, excerpt, heat, id, images, path, provider, published, "
    "publishedDateTime, quality, related, secured, title, topics, type, webUrl"
)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["list", "--fields", "id,titel"],
            "unknown field 'titel'; did you mean 'title'? Fields: "
            + SEED_FIELDS
            + " (and nested ones in dot form, such as images.height)",
        ),
        (
            ["list", "--fields", "id,titel", "--json"],
            "unknown field 'titel'; did you mean 'title'? Fields: "
            + SEED_FIELDS
            + " (and nested ones in dot form, such as images.height)",
        ),
        (
            ["search", "amazon", "--fields", "id,scor"],
            "unknown field 'scor'; did you mean 'score'? Fields: ampWebUrl, category, "
            "cdnAmpWebUrl, corrections, excerpt, heat, highlights, id, images, matched, "
            "missing, path, provider, published, publishedDateTime, quality, related, score, "
            "secured, snippet, title, topics, type, webUrl (and nested ones in dot form, such "
            "as images.height)",
        ),
        (
            ["stories", "--fields", "headline,bogus"],
            "unknown field 'bogus' Fields: articles, documents, first_seen, headline, id, "
            "last_seen, outlets, topics",
        ),
        (
            ["topics", "--fields", "topic,cnt"],
            "unknown field 'cnt'; did you mean 'count'? Fields: count, topic",
        ),
    ],
)
def test_an_unknown_field_is_a_usage_error(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Invalid value for '--fields': {message}" in said(result.stderr)


def test_fields_of_related_articles_are_known_with_related(cli):
    result = cli(
        "search", "rekognition", "--related", "--fields", "id,parent,provider.name", "--json"
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"id": f"{ID0}#1", "parent": ID0, "provider.name": "HotNewHipHop"},
        {"id": ID4, "parent": None, "provider.name": "Quartz"},
    ]


# --- did you mean, and what a provider's name means ------------------------------------------


def test_types_and_categories_get_did_you_mean(cli, write_corpus):
    root = write_corpus(
        {
            "a.md": document("A", "2020-01-01T00:00:00Z", type="video", category="learning"),
            "b.md": document("B", "2020-01-02T00:00:00Z", type="article", category="news"),
        }
    )
    result = cli("list", "--data", root, "--type", "vidoe", "--category", "lerning")
    assert result.exit_code == 0
    assert result.stderr == (
        "newsq: no document has category 'lerning'; did you mean 'learning'?\n"
        "newsq: no document has type 'vidoe'; did you mean 'video'?\n"
        "newsq: no documents match\n"
    )


@pytest.fixture
def one_domain(write_corpus) -> Path:
    providers = {
        "m1": ("Microsoft", "microsoft.com"),
        "m2": ("Microsoft", "microsoft.com"),
        "learn": ("Microsoft Learn", "microsoft.com"),
        "community": ("Power Apps Community", "microsoft.com"),
        "forbes": ("Forbes", "forbes.com"),
        "nameless": (None, "www.bbc.co.uk"),
    }
    return write_corpus(
        {
            f"{key}.md": document(
                f"From {key}", "2020-01-01T00:00:00Z", provider={"name": name, "domain": domain}
            )
            for key, (name, domain) in providers.items()
        }
    )


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("Microsoft", ["m1", "m2"]),
        ("microsoft", ["m1", "m2"]),
        ("Microsoft Learn", ["learn"]),
        ("microsoft.com", ["community", "learn", "m1", "m2"]),
        ("forbes", ["forbes"]),
        ("forbes.com", ["forbes"]),
        ("bbc", ["nameless"]),
        ("bbc.co.uk", ["nameless"]),
    ],
)
def test_a_provider_name_matches_that_name_and_domains_stay_available(cli, one_domain, value, ids):
    result = cli(
        "list", "--data", one_domain, "--provider", value, "--format", "jsonl", "--fields", "id"
    )
    assert sorted(json.loads(line)["id"] for line in result.stdout.splitlines()) == ids
    counted = cli("providers", "--data", one_domain, "--json")
    assert {"name": "Microsoft", "domain": "microsoft.com", "count": 2} in json.loads(
        counted.stdout
    )


# --- help ----------------------------------------------------------------------------------------


def test_every_command_line_of_the_help_reads_whole_at_80_columns(tmp_path):
    from newsq.cli.app import app

    result = run("--help", cwd=tmp_path, COLUMNS="80")
    text = said(result.stdout)
    for info in app.registered_commands:
        summary = (info.help or info.callback.__doc__ or "").strip().split("\n\n")[0]
        assert "\n" not in summary, f"{info.name}: {summary!r}"
        assert " ".join(summary.split()) in text, info.name
