"""The README's examples run: each `console` block's command gives exactly the output shown."""

from __future__ import annotations

import doctest
import re
import shlex

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONSOLE_BLOCKS = re.findall(r"```console\n(.*?)```", README, re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    examples = []
    for block in CONSOLE_BLOCKS:
        command, _, output = block.partition("\n")
        assert command.startswith("$ newsq "), command
        examples.append((command.removeprefix("$ "), output))
    return examples


def test_readme_has_examples():
    assert len(_examples()) >= 5


@pytest.mark.parametrize(("command", "expected"), _examples(), ids=lambda v: v[:60])
def test_readme_example_output(cli, command, expected):
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


def _marked_block(marker: str, language: str) -> list[str]:
    match = re.search(rf"<!-- {marker} -->\n```{language}\n(.*?)\n```", README, re.DOTALL)
    assert match, marker
    return match.group(1).splitlines()


TOUR = _marked_block("tour", "sh")
STORY = _marked_block("story", "sh")


def test_the_tour_has_at_least_eight_commands_and_the_story_three():
    assert len(TOUR) >= 8
    assert len(STORY) == 3
    assert all(line.startswith("newsq ") for line in TOUR + STORY)


@pytest.mark.parametrize("command", TOUR + STORY)
def test_readme_tour_command_runs_on_the_seeds(cli, command):
    """Each command of the tour: exit 0, output on stdout, nothing on stderr but the
    note a limit gives, and what a misspelt word was searched as."""
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    corrected = r"(newsq: showing results for '\w+' \(no document has '\w+'\)\n)?"
    limited = r"(newsq: \d+ of \d+ shown; --all for every one\n)?"
    assert re.fullmatch(corrected + limited, result.stderr)


DRAWN = re.findall(r"<!-- drawn: (newsq [^>]*?) -->\n```text\n(.*?)\n```", README, re.DOTALL)


@pytest.mark.parametrize(("command", "sample"), DRAWN, ids=[c for c, _ in DRAWN])
def test_readme_drawn_samples_are_what_an_80_column_terminal_shows(cli, command, sample):
    """The samples are drawn for a terminal 80 columns wide without colour (each line
    without its trailing spaces); `show`'s stops before its fields, whose path differs
    from one checkout to another."""
    result = cli(
        *shlex.split(command)[1:], env={"FORCE_COLOR": "1", "NO_COLOR": "1", "COLUMNS": "80"}
    )
    assert result.exit_code == 0
    drawn = [line.rstrip() for line in result.stdout.splitlines()]
    lines = sample.splitlines()
    assert drawn[: len(lines)] == lines
    assert len(DRAWN) == 5


def test_readme_python_session():
    """The `pycon` block under Python API runs as a doctest."""
    (session,) = re.findall(r"```pycon\n(.*?)```", README, re.DOTALL)
    test = doctest.DocTestParser().get_doctest(session, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0
    assert runner.tries >= 8


def _marked_command(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```sh\n(.*?)\n```", README)
    assert match, marker
    return match.group(1)


def test_readme_set_up_commands_install_into_their_own_environment():
    assert _marked_command("main-command") == (
        "python3 -m venv .venv && .venv/bin/pip install . && "
        '.venv/bin/newsq list --topic "Computer Vision"'
    )
    assert _marked_command("test-command") == (
        "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/pytest"
    )


# --- every day: the pipelines and the config file ------------------------------------------

PIPELINES = _marked_block("pipeline", "sh")


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_readme_pipelines_run_in_a_shell(pipeline, tmp_path):
    """Each pipeline of `--format ids` into `show` runs in a real shell, with the installed
    newsq first on PATH: every command of it succeeds and the last prints records."""
    import os
    import subprocess
    from pathlib import Path

    from conftest import newsq_executable

    folder = str(Path(newsq_executable()).parent)
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PATH": folder + os.pathsep + os.environ["PATH"]},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "Traceback" not in result.stderr


def _config_home(tmp_path, monkeypatch, text: str):
    home = tmp_path / "h"
    (home / ".config" / "newsq").mkdir(parents=True)
    (home / ".config" / "newsq" / "config.toml").write_text(text + "\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


def _cells(text: str) -> list[list[str]]:
    """A table's rows as their cells (split where two spaces or more part them), rules
    left out: what a reader sees, whatever width a path gives the columns."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if "──" not in line]


def test_readme_config_file_is_what_newsq_config_shows(cli, tmp_path, monkeypatch):
    config = "\n".join(_marked_block("config", "toml"))
    home = _config_home(tmp_path, monkeypatch, config)
    monkeypatch.setenv("PAGER", "more")
    result = cli("config")
    assert result.exit_code == 0, result.output
    shown = result.stdout.replace(str(home), "/home/ada")
    assert _cells(shown) == _cells("\n".join(_marked_block("config-shown", "text")))


def test_readme_config_error_is_what_a_bad_value_gives(tmp_path, monkeypatch):
    import os
    import subprocess

    from conftest import newsq_executable

    config = "\n".join(_marked_block("config", "toml")).replace(
        'sort = "date"  ', 'sort = "hot"   '
    )
    home = _config_home(tmp_path, monkeypatch, config)
    result = subprocess.run(
        [newsq_executable(), "list"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    (sample,) = re.findall(
        r"```text\n(newsq: /home/ada/.config/newsq/config.toml:[^\n]*)\n```", README
    )
    assert result.returncode == 2
    assert result.stderr.replace(str(home), "/home/ada") == sample + "\n"
