"""The entry point: which corpus a command line loads, and its scan started before Typer."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import newsq_executable

from newsq import corpus
from newsq.cli.launch import named_corpus
from newsq.corpus import bundled_seeds, load
from newsq.ingest import scan as scanning


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list", "--data", "a"], ["a"]),
        (["search", "zebra", "--data=a", "-d", "b", "-dc"], ["a", "b", "c"]),
        (["stories", "--topic", "AI", "--data", "a", "--json"], ["a"]),
        (["search", "--data", "a", "--", "--data", "b"], ["a"]),  # after --: the query
        (["show", "abc", "-d", "x/y"], ["x/y"]),
    ],
)
def test_the_roots_a_command_line_names(args, expected):
    assert named_corpus(args) == expected


def test_the_loading_commands_are_the_apps_but_cache_and_config():
    import typer.main

    from newsq.cli.app import app
    from newsq.cli.loading import LOADING

    assert set(typer.main.get_command(app).commands) - {"cache", "config"} == LOADING


def test_without_data_the_environment_or_the_seeds(monkeypatch):
    assert named_corpus(["list"]) == [str(bundled_seeds())]
    monkeypatch.setenv("NEWSQ_DATA", f"a{os.pathsep}b")
    assert named_corpus(["topics", "--json"]) == ["a", "b"]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--version"],
        ["--help"],
        ["cache", "info"],
        ["list", "--help"],
        ["search", "-h"],
        ["list", "--data"],  # the value missing: Typer says so
        ["--data", "a", "list"],  # not how a command line starts
    ],
)
def test_nothing_starts_early_when_it_is_not_plain(args):
    assert named_corpus(args) is None


def test_completion_starts_nothing(monkeypatch):
    monkeypatch.setenv("_NEWSQ_COMPLETE", "complete_bash")
    assert named_corpus(["list", "--data", "a"]) is None


# --- the prefetched scan ----------------------------------------------------------------------


@pytest.fixture
def in_background(monkeypatch):
    monkeypatch.setattr(scanning, "PARALLEL_STAT_FROM", 1)  # as a large corpus is


def test_a_load_of_the_same_roots_takes_the_prefetched_scan_over(
    write_corpus, in_background, monkeypatch
):
    root = write_corpus({"a.md": "---\ntitle: One\n---\n"})
    load([root]).close()
    corpus.prefetch([str(root)])
    started = []
    monkeypatch.setattr(corpus, "start", lambda roots: started.append(roots))
    with load([root]) as index:
        assert [e.title for e in index] == ["One"]
    assert started == []  # taken over, not started again
    assert corpus._prefetched == []


def test_a_load_of_other_roots_drops_it_and_scans_its_own(write_corpus, tmp_path, in_background):
    root = write_corpus({"a.md": "---\ntitle: One\n---\n"})
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.md").write_text("---\ntitle: Two\n---\n")
    corpus.prefetch([str(root)])
    with load([other]) as index:
        assert [e.title for e in index] == ["Two"]
    assert corpus._prefetched == []
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the dropped scan's children are gone


def test_files_changed_after_the_prefetch_are_seen_by_the_next_run(write_corpus, in_background):
    root = write_corpus({"a.md": "---\ntitle: One\n---\n"})
    load([root]).close()
    corpus.prefetch([str(root)])
    with load([root]) as index:  # the prefetched scan: the files as they were
        assert [e.title for e in index] == ["One"]
    (root / "a.md").write_text("---\ntitle: One, edited\n---\n")
    with load([root]) as index:
        assert [e.title for e in index] == ["One, edited"]


def test_a_missing_root_is_left_to_the_command(tmp_path):
    corpus.prefetch([str(tmp_path / "missing")])
    assert corpus._prefetched == []


def test_the_installed_command_starts_from_the_launcher(write_corpus):
    # (the console script is `newsq.launch:main`, which goes on to the Typer app)
    root = write_corpus({"a.md": "---\ntitle: One\n---\n"})
    done = subprocess.run(
        [newsq_executable(), "list", "--data", str(root), "--json", "--fields", "title"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        '[\n  {\n    "title": "One"\n  }\n]\n',
        "",
    )
