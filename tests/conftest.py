"""Shared fixtures: the bundled seeds, the real corpus sample, corpora written on the fly."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import newsq
import newsq.model
from newsq.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
REAL_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))

# The seeds' ids, and their order by publishedDateTime, newest first (read off the files).
ID0 = "000_bc1330c771dbc5b0"
ID1 = "001_218d50f45779ca55"
ID2 = "002_f5098144ecc78018"
ID3 = "003_0dfa9dda0334464e"
ID4 = "004_52b454640659c184"
ALL_IDS = [ID0, ID1, ID2, ID3, ID4]
#: What in-process tests see as the time now (`newsq.model.clock`).
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
NEWEST_FIRST = [ID3, ID2, ID4, ID0, ID1]


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests see the bundled seeds unless they say otherwise, no colour or pager settings,
    a cache folder of the test session's own and no config file (never the user's)."""
    for name in (
        "NEWSQ_DATA", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "NEWSQ_CONFIG", "NEWSQ_PAGER", "PAGER"
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-config"))
    # In-process runs see one fixed "now", so "6 years ago" and "7d" hold next year too.
    monkeypatch.setattr(newsq.model, "clock", lambda: NOW)


@pytest.fixture
def seeds() -> Path:
    return SEEDS


@pytest.fixture
def real_corpus() -> Path:
    if not REAL_CORPUS.is_dir():
        pytest.skip("the real corpus sample (../shared/corpus/real) is not here")
    return REAL_CORPUS


@pytest.fixture
def seed_index() -> newsq.Index:
    return newsq.load([SEEDS])


@pytest.fixture
def write_corpus(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative path: text or bytes} under a fresh folder and return the folder."""

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "corpus"
        root.mkdir(exist_ok=True)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return root

    return write


@pytest.fixture
def cli() -> Callable[..., object]:
    """Run `newsq ARGS` in-process; returns the result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(app, [str(a) for a in args], env=env)

    return invoke


def newsq_executable() -> str:
    """The installed console script beside this interpreter (the README installs it)."""
    script = Path(sys.executable).parent / ("newsq.exe" if os.name == "nt" else "newsq")
    if script.exists():
        return str(script)
    found = shutil.which("newsq")
    assert found, "the newsq console script is not installed; run the README's test command"
    return found


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print what the relevance tests measured (tests/test_relevance.py)."""
    for line in getattr(config, "newsq_relevance", []):
        terminalreporter.write_line(line)
