"""The installed `newsq` script run as a real process: pipes, exit codes, environment, no writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import newsq_executable

ID0 = "000_bc1330c771dbc5b0"
ID1 = "001_218d50f45779ca55"
ID2 = "002_f5098144ecc78018"
ID4 = "004_52b454640659c184"
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def environment(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NEWSQ_DATA", "NO_COLOR", "FORCE_COLOR", "COLUMNS")
    }
    env.update(extra)
    return env


def run(*args: object, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [newsq_executable(), *(str(a) for a in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=environment(**env),
        timeout=120,
    )


def document(title: str, date: str, **fields: object) -> str:
    lines = ["---", f"title: {json.dumps(title)}", f"publishedDateTime: {date}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join([*lines, "---"]) + "\n"


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every path under `root` (folders, hidden files and links too) with its mode, mtime and
    bytes; links as themselves, not followed."""
    state = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        if path.is_symlink():
            content = os.readlink(path).encode()
        elif path.is_file():
            content = path.read_bytes()
        else:
            content = b""
        state[str(path.relative_to(root))] = (stat.st_mode, stat.st_mtime_ns, content)
    return state


# --- basics -------------------------------------------------------------------------------


def test_version(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "newsq 0.1.0\n"
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--version"], lambda out: out == "newsq 0.1.0\n"),
        (
            ["list", "--provider", "forbes", "--fields", "id", "--json"],
            lambda out: json.loads(out) == [{"id": ID0}],
        ),
    ],
    ids=["version", "list"],
)
def test_python_dash_m_newsq(tmp_path, args, check):
    result = subprocess.run(
        [sys.executable, "-m", "newsq", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment(),
        timeout=120,
    )
    assert result.returncode == 0
    assert check(result.stdout)


def test_list_topic_from_another_folder_reads_the_bundled_seeds(tmp_path):
    result = run("list", "--topic", "Computer Vision", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].split()[0] == "ID"
    assert [line.split()[0] for line in lines[1:]] == [ID2, ID4, ID0, ID1]
    assert result.stderr == ""


# --- pipes and colour -----------------------------------------------------------------------


@pytest.fixture
def big_corpus(tmp_path) -> Path:
    root = tmp_path / "big"
    root.mkdir()
    for n in range(3000):
        day = n % 28 + 1
        (root / f"doc{n:04d}.md").write_text(
            document(
                f"Story number {n} about things",
                f"2021-{n % 12 + 1:02d}-{day:02d}T{n % 24:02d}:00:00Z",
                topics=["Bulk", f"T{n % 7}"],
                excerpt="x" * 200,
                provider={"name": "Bulk News", "domain": "bulk.example"},
            ),
            encoding="utf-8",
        )
    return root


@pytest.mark.parametrize("command", [["list"], ["search", "story"]])
def test_reader_closing_the_pipe_early_is_not_an_error(big_corpus, tmp_path, command):
    process = subprocess.Popen(
        [newsq_executable(), *command, "--all", "--format", "jsonl", "--data", str(big_corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=environment(),
    )
    first = process.stdout.readline()
    process.stdout.close()
    try:
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    assert json.loads(first)["id"].startswith("doc")
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert "Exception ignored" not in stderr


def test_the_whole_big_corpus_goes_through_a_pipe(big_corpus, tmp_path):
    result = run("list", "--all", "--format", "jsonl", "--data", big_corpus, cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3000
    assert len({json.loads(line)["id"] for line in lines}) == 3000


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--all", "--sort", "title"],
        ["search", "microsoft"],
        ["show", "bc1330c7"],
        ["show", "52b4"],
        ["topics"],
        ["providers"],
        ["stats"],
        ["check"],
        ["list", "--limit", "1"],
        ["show", "nosuchid"],
        ["list", "--since", "notadate"],
    ],
)
def test_no_color_on_a_pipe_has_no_escape_codes(tmp_path, args):
    result = run(*args, cwd=tmp_path, NO_COLOR="1")
    assert "\x1b" not in result.stdout
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("args", [["list"], ["show", "000"], ["stats"], ["topics"]])
def test_a_pipe_alone_has_no_escape_codes(tmp_path, args):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout
    assert "\x1b" not in result.stdout


def test_data_goes_to_stdout_and_messages_to_stderr(tmp_path):
    result = run("list", "--limit", "1", "--json", cwd=tmp_path)
    assert result.returncode == 0
    assert [r["id"] for r in json.loads(result.stdout)] == ["003_0dfa9dda0334464e"]
    assert result.stderr == "newsq: 1 of 5 shown; --all for every one\n"


# --- exit codes ------------------------------------------------------------------------------


@pytest.fixture
def corpus_with_a_bad_file(tmp_path) -> Path:
    root = tmp_path / "mixed"
    root.mkdir()
    (root / "good.md").write_text(document("Good", "2021-01-01T00:00:00Z"), encoding="utf-8")
    (root / "bad.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    (root / "README.md").write_text("# notes\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["list"], 0),
        (["list", "--topic", "nothing-has-this"], 0),
        (["search", "zebra"], 0),
        (["show", "bc1330c7"], 0),
        (["topics"], 0),
        (["providers"], 0),
        (["stats"], 0),
        (["check"], 0),
        (["show", "nosuchid"], 1),
        (["show", "0"], 1),
        (["list", "--since", "notadate"], 2),
        (["list", "--until", "notadate"], 2),
        (["list", "--sort", "nope"], 2),
        (["list", "--limit", "0"], 2),
        (["list", "--format", "xml"], 2),
        (["list", "--min-quality", "lots"], 2),
        (["list", "--data", "no-such-path"], 2),
        (["stats", "--format", "csv"], 2),
        (["list", "--no-such-option"], 2),
        (["no-such-command"], 2),
        (["search", "(amazon"], 2),
        (["search", ""], 2),
        (["search", "titel:amazon"], 2),
        (["list", "--sort", "relevance"], 2),
        (["search", "zebra"], 0),
        (["show", f"{ID0}#1"], 0),
        (["show", f"{ID0}#9"], 1),
    ],
)
def test_exit_codes(tmp_path, args, code):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_check_on_a_bad_corpus_exits_1(corpus_with_a_bad_file, tmp_path):
    result = run("check", "--data", corpus_with_a_bad_file, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{corpus_with_a_bad_file / 'bad.md'}:") for line in lines)
    assert "Traceback" not in result.stderr


def test_bad_date_names_the_option(tmp_path):
    result = run("list", "--since", "notadate", cwd=tmp_path)
    assert result.returncode == 2
    assert "--since" in result.stderr
    assert result.stdout == ""


def test_missing_data_path_is_named(tmp_path):
    result = run("list", "--data", "no-such-path", cwd=tmp_path)
    assert result.returncode == 2
    assert "no-such-path" in result.stderr


# --- the data is never written -------------------------------------------------------------


EVERY_COMMAND = [
    ["list"],
    ["sql", "SELECT count(*) FROM documents"],
    ["sql", "DELETE FROM documents"],
    ["export", "out.jsonl"],
    ["export", "out.sqlite"],
    ["export", "out.parquet"],
    ["export", "parts", "--format", "parquet", "--partition-by", "month"],
    ["list", "--all", "--json"],
    ["list", "--all", "--format", "jsonl"],
    ["list", "--all", "--format", "csv"],
    ["search", "good"],
    ["search", "facial recognition", "--related", "--all", "--json"],
    ["search", "--", "-good"],
    ["search", "(unclosed"],
    ["show", "good"],
    ["show", "000_bc1330c771dbc5b0#1"],
    ["show", "good", "--json"],
    ["show", "nosuch"],
    ["topics"],
    ["providers", "--json"],
    ["stats"],
    ["stats", "--json"],
    ["check"],
    ["check", "--json"],
    ["list", "--strict"],
    ["search", "good", "--strict"],
    ["show", "good", "--strict"],
    ["topics", "--strict"],
    ["providers", "--strict"],
    ["stats", "--strict"],
    ["list", "--no-cache"],
]


@pytest.fixture
def hostile_corpus(corpus_with_a_bad_file: Path) -> Path:
    """Two seeds beside broken, hostile and odd files: what a scraped folder holds."""
    root = corpus_with_a_bad_file
    for name in ("000_bc1330c771dbc5b0.txt", "004_52b454640659c184.txt"):
        (root / name).write_bytes((SEEDS_DIR / name).read_bytes())
    unsafe = "---\ntitle: !!python/object/apply:os.system [touch PWNED]\n---\n"
    (root / "unsafe.md").write_text(unsafe)
    (root / "binary.md").write_bytes(b"---\x00\x01")
    (root / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (root / "crlf.md").write_bytes(b"---\r\ntitle: CRLF\r\n---\r\nbody\r\n")
    (root / "ansi.md").write_text(document("\x1b]8;;http://x\x07[bold]link[/bold]\x1b[2J", "2021"))
    (root / ".hidden.md").write_text(document("Hidden", "2021-01-01"))
    (root / "folder.txt").mkdir()
    (root / "folder.txt" / "inside.md").write_text(document("Inside", "2021-02-02"))
    (root / "loop").symlink_to(root, target_is_directory=True)
    return root


@pytest.mark.parametrize("args", EVERY_COMMAND, ids=" ".join)
def test_commands_leave_the_data_folder_unchanged(hostile_corpus, tmp_path, args):
    before = snapshot(hostile_corpus)
    result = run(*args, "--data", hostile_corpus, cwd=tmp_path, XDG_CACHE_HOME=str(tmp_path / "c"))
    assert result.returncode in (0, 1, 2), (args, result.stderr)
    assert "Traceback" not in result.stderr
    assert snapshot(hostile_corpus) == before, args
    assert not (tmp_path / "PWNED").exists() and not (hostile_corpus / "PWNED").exists()


def test_commands_leave_the_bundled_seeds_unchanged(tmp_path):
    before = snapshot(SEEDS_DIR)
    for args in (["list", "--all"], ["show", "bc1330c7", "--json"], ["stats"], ["check"]):
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
    assert snapshot(SEEDS_DIR) == before


# --- the snapshot, with real processes ---------------------------------------------------------


def _start(*args: object, cache: Path, cwd: Path) -> subprocess.Popen:
    # A session of its own, so a signal can go to the whole group as Ctrl-C on a terminal does.
    return subprocess.Popen(
        [newsq_executable(), *(str(a) for a in args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=environment(XDG_CACHE_HOME=str(cache)),
        start_new_session=True,
    )


def test_concurrent_cold_runs_all_answer_as_no_cache(big_corpus, tmp_path):
    args = ("list", "--all", "--format", "jsonl", "--data", big_corpus)
    expected = run(*args, "--no-cache", cwd=tmp_path)
    processes = [_start(*args, cache=tmp_path / "cache", cwd=tmp_path) for _ in range(4)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], [err for _, err in outputs]
    assert len(expected.stdout.splitlines()) == 3000
    for stdout, stderr in outputs:
        assert stdout.decode("utf-8") == expected.stdout
        # (On a busy machine a run may wait more than a second for the one indexing: it
        # says so, and that is all it adds.)
        said = [line for line in stderr.decode().splitlines() if "waiting for another" not in line]
        assert said == expected.stderr.splitlines()
    assert len(list((tmp_path / "cache" / "newsq").glob("*.sqlite"))) == 1


def _has_children(pid: int) -> bool:
    """Whether process `pid` has started a child (read from /proc; False without it)."""
    try:
        return bool(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return False


def test_ctrl_c_while_indexing_exits_130_and_loses_nothing(big_corpus, tmp_path):
    import signal
    import time

    cache = tmp_path / "cache"
    args = ("list", "--all", "--format", "jsonl", "--data", big_corpus)
    process = _start(*args, cache=cache, cwd=tmp_path)
    deadline = time.monotonic() + 60
    # Wait until indexing has written something (the snapshot being built), then Ctrl-C.
    while process.poll() is None and time.monotonic() < deadline:
        if _has_children(process.pid):  # the parsing pool is at work
            break
        time.sleep(0.01)
    interrupted = process.poll() is None
    if interrupted:
        os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    if interrupted:
        assert process.returncode == 130
        assert stdout == b""
    assert b"Traceback" not in stderr
    after = run(*args, cwd=tmp_path, XDG_CACHE_HOME=str(cache))
    expected = run(*args, "--no-cache", cwd=tmp_path)
    assert (after.returncode, after.stdout) == (0, expected.stdout)


@pytest.mark.parametrize("kind", ["a file", "a read-only folder"])
def test_unwritable_cache_location_answers_without_a_snapshot(tmp_path, kind):
    location = tmp_path / "cache"
    if kind == "a file":
        location.write_text("not a folder")
        reason = "not a directory"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes to read-only folders")
        location.mkdir()
        location.chmod(0o500)
        reason = "permission denied"
    args = ("list", "--all", "--format", "jsonl")
    try:
        result = run(*args, cwd=tmp_path, XDG_CACHE_HOME=str(location))
    finally:
        if location.is_dir():
            location.chmod(0o700)
    expected = run(*args, "--no-cache", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, expected.stdout)
    assert result.stderr == (
        f"newsq: cannot use the cache folder {location / 'newsq'}: {reason}; "
        "indexing without a snapshot\n"
    )
    if kind == "a file":
        assert location.read_text() == "not a folder"
    else:
        assert list(location.iterdir()) == []


@pytest.mark.parametrize("start", [4096 * 3, 4096 * 12])
def test_snapshot_damaged_inside_is_removed_and_rebuilt(tmp_path, start):
    import random

    cache = tmp_path / "cache"
    args = ("list", "--all", "--format", "json")
    first = run(*args, cwd=tmp_path, XDG_CACHE_HOME=str(cache))
    (path,) = (cache / "newsq").glob("*.sqlite")
    data = bytearray(path.read_bytes())
    noise = random.Random(start).randbytes(len(data) - start)
    path.write_bytes(bytes(data[:start]) + noise)
    damaged = run(*args, cwd=tmp_path, XDG_CACHE_HOME=str(cache))
    assert "Traceback" not in damaged.stderr, damaged.stderr
    if damaged.returncode == 1:  # found by a query, not on opening
        assert damaged.stderr == (
            f"newsq: the snapshot {path} is damaged (database disk image is malformed); "
            "removed, run again\n"
        )
    else:
        assert (damaged.returncode, damaged.stdout) == (0, first.stdout)
    again = run(*args, cwd=tmp_path, XDG_CACHE_HOME=str(cache))
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")


# --- a real terminal (a pseudo-terminal) --------------------------------------------------


def run_in_terminal(*args: object, **env: str) -> str:
    """What `newsq ARGS` writes to a real terminal (a pty, 100 columns): stdout and stderr,
    without a pager (tests/test_pager.py has the pager's)."""
    env = {"NEWSQ_PAGER": "", **env}
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [newsq_executable(), *(str(a) for a in args)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment(TERM="xterm-256color", COLUMNS="100", **env),
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end has closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8")


def test_a_terminal_gets_colours_hyperlinks_a_panel_and_short_ids():
    shown = run_in_terminal("show", "bc13")
    assert shown.startswith("╭─\x1b[36m 000_bc1330c771dbc5b0 \x1b[0m───")  # the id in cyan
    web = "https://www.forbes.com/sites/thomasbrewster/2020/06/11/"
    assert "\x1b]8;id=" in shown and f";{web}" in shown  # an OSC 8 hyperlink
    listed = run_in_terminal("list")
    assert "\x1b[36mbc13" in listed  # the short id, in cyan
    assert ID0 not in listed
    assert max(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in listed.splitlines()) <= 100


def test_the_same_commands_on_a_pipe_get_plain_text():
    shown = run("show", "bc13")
    assert "\x1b" not in shown.stdout
    assert shown.stdout.splitlines()[0] == ID0
    assert ID0 in run("list").stdout


@pytest.mark.parametrize(("env", "styled"), [({"NO_COLOR": "1"}, False), ({}, True)])
def test_no_color_on_a_terminal_keeps_the_layout_without_escape_codes(env, styled):
    shown = run_in_terminal("show", "bc13", **env)
    assert ("\x1b" in shown) is styled
    assert shown.lstrip("\x1b[0123456789;m").startswith("╭─")


def test_never_on_a_terminal_means_no_escape_codes_at_all():
    shown = run_in_terminal("show", "bc13", "--color", "never")
    assert "\x1b" not in shown
    assert shown.startswith("╭─")
