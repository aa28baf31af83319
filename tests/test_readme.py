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
