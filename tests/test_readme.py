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
    note a limit gives."""
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    assert re.fullmatch(r"(newsq: \d+ of \d+ shown; --all for every one\n)?", result.stderr)


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
