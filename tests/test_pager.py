"""The pager, in a real terminal (a pseudo-terminal): which one is chosen, what it is given
(a fake pager records it), never on a pipe, and `less` itself: quitting at once when the
output fits, `q` before the end, Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ID0, NEWEST_FIRST, newsq_executable

from newsq.render.pager import DEFAULT, PagerChoice, choose, missing_program

pty = pytest.importorskip("pty")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[=>]|\x1b\]8;[^\x1b]*\x1b\\")

#: A pager that records what it was given in the file named by its argument, then shows it
#: between markers.
FAKE_PAGER = """\
import sys
data = sys.stdin.buffer.read()
with open(sys.argv[1], "wb") as record:
    record.write(data)
sys.stdout.buffer.write(b"<<pager>>" + data + b"<<end>>")
"""


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", **extra)
    return env


def in_terminal(
    *args: object,
    keys: tuple[tuple[str, bytes], ...] = (),
    columns: int = 100,
    rows: int = 30,
    **env: str,
) -> tuple[int, str]:
    """Run `newsq ARGS` in a pty `columns` wide and `rows` high as the terminal's foreground job;
    each of `keys` (what must be on the screen first, then the bytes to type) is typed
    once its text has appeared. Returns the exit code and all the terminal showed."""
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def own_terminal() -> None:  # a session of its own, with the pty as its terminal
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [newsq_executable(), *(str(a) for a in args)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment(**env),
        preexec_fn=own_terminal,
    )
    os.close(follower)
    shown = b""
    pending = list(keys)
    deadline = time.monotonic() + 60
    import select

    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: every process holding the terminal has ended
                break
            if not chunk:
                break
            shown += chunk
        if pending and pending[0][0].encode() in shown:
            time.sleep(0.2)  # (the pager settles on what it shows before the key comes)
            os.write(leader, pending.pop(0)[1])
        if process.poll() is not None and not ready:
            break
    else:
        process.kill()
        pytest.fail(f"newsq did not end; the terminal showed {shown[-500:]!r}")
    code = process.wait(timeout=10)
    os.close(leader)
    return code, shown.decode("utf-8", "replace")


@pytest.fixture
def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """(the pager command, the file it records its input in)."""
    script = tmp_path / "pager.py"
    script.write_text(FAKE_PAGER)
    record = tmp_path / "paged"
    return f"{sys.executable} {script} {record}", record


def plain(text: str) -> str:
    return ESCAPES.sub("", text).replace("\r\n", "\n")


# --- which pager ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "configured", "expected"),
    [
        ({}, None, PagerChoice(DEFAULT, "built-in")),
        ({}, "most", PagerChoice("most", "config")),
        ({}, False, PagerChoice(None, "config")),
        ({"PAGER": "more"}, "most", PagerChoice("more", "$PAGER")),
        ({"PAGER": "more", "NEWSQ_PAGER": "less -S"}, None, PagerChoice("less -S", "$NEWSQ_PAGER")),
        ({"NEWSQ_PAGER": ""}, "most", PagerChoice(None, "$NEWSQ_PAGER")),
        ({"PAGER": "cat"}, None, PagerChoice(None, "$PAGER")),
        ({"PAGER": "  "}, None, PagerChoice(None, "$PAGER")),
    ],
)
def test_the_pager_chosen(monkeypatch, env, configured, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert choose(configured) == expected


def test_a_program_not_installed_is_found_missing():
    assert missing_program("no-such-pager-here -R") == "no-such-pager-here"
    assert missing_program(f"{sys.executable} -c pass") is None
    assert missing_program("LESS=R less") is None  # (the shell's to read)
    assert missing_program("sh -c 'cat | cat'") is None


# --- what the pager is given ----------------------------------------------------------------


def test_the_pager_is_given_what_the_terminal_would_show(fake_pager):
    command, record = fake_pager
    code, shown = in_terminal("list", NEWSQ_PAGER=command)
    assert code == 0
    given = record.read_text()
    assert "\x1b[36mbc13" in given  # drawn for a terminal: short ids, in colour
    assert ID0 not in given
    assert max(len(line) for line in plain(given).splitlines()) <= 100
    assert plain(shown) == f"<<pager>>{plain(given)}<<end>>"


def test_the_terminals_width_is_the_pagers(fake_pager):
    command, record = fake_pager
    in_terminal("list", NEWSQ_PAGER=command, columns=60)
    assert max(len(line) for line in plain(record.read_text()).splitlines()) == 60


def test_notes_wait_until_the_pager_ends(fake_pager):
    command, _ = fake_pager
    _, shown = in_terminal("list", "-n", "2", NEWSQ_PAGER=command)
    assert shown.index("<<end>>") < shown.index("newsq: 2 of 5 shown; --all for every one")


def test_colours_and_hyperlinks_reach_the_pager(fake_pager):
    command, record = fake_pager
    in_terminal("show", ID0, NEWSQ_PAGER=command)
    given = record.read_text()
    assert "\x1b]8;id=" in given
    assert "https://www.forbes.com/sites/thomasbrewster/2020/06/11/" in given


def test_json_is_coloured_for_the_pager(fake_pager):
    command, record = fake_pager
    in_terminal("show", ID0, "--json", NEWSQ_PAGER=command)
    expected = subprocess.run(
        [newsq_executable(), "show", ID0, "--json"], capture_output=True, text=True, timeout=60
    ).stdout
    given = record.read_text()
    assert '\x1b[1;34m"id"\x1b[0m' in given
    assert plain(given) == expected


@pytest.mark.parametrize("command", [["stats"], ["story", ID0], ["stories"], ["topics"]])
def test_every_command_pages(fake_pager, command):
    pager_command, record = fake_pager
    code, _ = in_terminal(*command, NEWSQ_PAGER=pager_command)
    assert code == 0
    assert record.read_text()


def test_check_pages_its_problems(fake_pager, write_corpus):
    command, record = fake_pager
    root = write_corpus(
        {"bad.md": "---\ntitle: [unclosed\n---\n", "good.md": "---\ntitle: T\n---\n"}
    )
    code, shown = in_terminal("check", "--data", root, NEWSQ_PAGER=command)
    assert code == 1
    assert record.read_text().startswith(f"{root}/bad.md:3:1: error: YAML: ")
    assert shown.index("<<end>>") < shown.index("newsq: 1 document loaded; 1 error")


# --- when there is none ----------------------------------------------------------------------


def test_no_pager_writes_to_the_terminal(fake_pager):
    command, record = fake_pager
    code, shown = in_terminal("list", "--no-pager", NEWSQ_PAGER=command)
    assert code == 0 and "bc13" in shown
    assert "<<pager>>" not in shown
    assert not record.exists()


def test_a_pipe_is_never_paged(fake_pager):
    command, record = fake_pager
    result = subprocess.run(
        [newsq_executable(), "list", "-f", "ids"],
        capture_output=True,
        text=True,
        env={**os.environ, "NEWSQ_PAGER": command},
        timeout=60,
    )
    assert result.stdout.split() == NEWEST_FIRST
    assert not record.exists()


def test_nothing_printed_starts_no_pager(fake_pager):
    command, record = fake_pager
    code, shown = in_terminal("list", "--topic", "no such topic", NEWSQ_PAGER=command)
    assert code == 0
    assert not record.exists()
    assert "no document has topic 'no such topic'" in shown


def test_a_pager_not_installed_is_said_and_the_output_printed():
    code, shown = in_terminal("list", "-n", "1", NEWSQ_PAGER="no-such-pager-here")
    assert code == 0
    assert "newsq: the pager 'no-such-pager-here' is not installed; printing without it" in shown
    assert "0dfa" in shown


def test_a_pager_that_reads_nothing_ends_the_command_quietly(write_corpus):
    root = write_corpus({f"d{n:04}.md": f"---\ntitle: Document {n}\n---\n" for n in range(3000)})
    code, shown = in_terminal("list", "--all", "--data", root, NEWSQ_PAGER="true")
    assert code == 0
    assert "Traceback" not in shown and "Broken pipe" not in shown


# --- less itself -----------------------------------------------------------------------------

needs_less = pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed")


@needs_less
def test_less_quits_at_once_when_the_output_fits():
    code, shown = in_terminal("list", rows=30)
    assert code == 0
    assert "bc13" in plain(shown)


@needs_less
def test_q_quits_less_before_the_end_and_the_command_ends_quietly(write_corpus):
    root = write_corpus({f"d{n:04}.md": f"---\ntitle: Document {n}\n---\n" for n in range(3000)})
    code, shown = in_terminal("list", "--all", "--data", root, keys=(("d0", b"q"),), rows=20)
    assert code == 0
    assert "Traceback" not in shown and "Broken pipe" not in shown
    assert "newsq:" not in shown.split("d0", 1)[1]  # no note of an error after it


@needs_less
def test_a_long_show_waits_in_less_until_q():
    code, shown = in_terminal("show", ID0, keys=(("Microsoft", b"q"),), rows=10)
    assert code == 0
    assert "Won’t Sell Facial Recognition" in shown  # noqa: RUF001


@needs_less
def test_ctrl_c_stops_the_command_and_less_shows_what_it_has_until_q(write_corpus):
    root = write_corpus({f"d{n:04}.md": f"---\ntitle: Document {n}\n---\n" for n in range(3000)})
    keys = (("d0", b"\x03"), ("d0", b"q"))
    code, shown = in_terminal("list", "--all", "--data", root, keys=keys, rows=20)
    assert code == 130
    assert "Traceback" not in shown
