"""Every input the parser's fuzz target has kept (tests/fuzz-corpus/parser) still parses
to a document or a problem: what the fuzzer found stays fixed.

The target, and how to run it for more, is tests/fuzz_parser.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from fuzz_parser import check

CORPUS = Path(__file__).parent / "fuzz-corpus" / "parser"
INPUTS = sorted(CORPUS.iterdir())


def test_the_readme_runs_this_target_on_this_corpus():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "fuzz_parser.py" in line)
    for word in command.split()[1:]:
        path = word.split("=", 1)[-1]
        if path.startswith("tests/"):
            assert (ROOT / path).exists(), path


def test_the_corpus_is_here():
    assert len(INPUTS) >= 25  # the seeds and the hostile cases it started from, at least


@pytest.mark.parametrize("path", INPUTS, ids=[p.name[:12] for p in INPUTS])
def test_fuzzed_input_is_a_document_or_a_problem(path: Path):
    check(path.read_bytes())
