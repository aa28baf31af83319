"""Finding a corpus: data roots, document files, ids, and loading them into an index."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import newsq
from newsq.corpus import DataPathError, bundled_seeds, data_roots, load, load_and_run
from newsq.index import Index
from newsq.index import stories as grouping
from newsq.ingest import scan as scanning
from newsq.ingest.scan import discover
from newsq.model import ERROR, NOTICE, WARNING, Changes, Problem, QueryError
from newsq.store.snapshot import ReadOnlyError

SEED_IDS = [
    "000_bc1330c771dbc5b0",
    "001_218d50f45779ca55",
    "002_f5098144ecc78018",
    "003_0dfa9dda0334464e",
    "004_52b454640659c184",
]

GOOD = "---\ntitle: {title}\npublishedDateTime: 2020-06-11T20:54:00Z\n---\n"


def good(title: str = "T") -> str:
    return GOOD.format(title=title)


def ids_of(files) -> list[str]:
    return [f.doc_id for f in files]


# --- ids and which files count ------------------------------------------------------


class TestDiscover:
    def test_ids_are_relative_paths_without_extension(self, write_corpus):
        root = write_corpus(
            {
                "top.md": good(),
                "a/b/c.md": good(),
                "a/b/notes.markdown": good(),
                "a/plain.txt": good(),
            }
        )
        files, problems = discover([str(root)])
        assert problems == []
        assert sorted(ids_of(files)) == ["a/b/c", "a/b/notes", "a/plain", "top"]

    def test_paths_are_the_root_joined_with_the_relative_path(self, write_corpus):
        root = write_corpus({"a/b/c.md": good()})
        files, _ = discover([str(root)])
        assert [f.path for f in files] == [os.path.join(str(root), "a", "b", "c.md")]

    def test_only_markdown_and_text_files(self, write_corpus):
        root = write_corpus(
            {
                "keep.md": good(),
                "keep2.markdown": good(),
                "keep3.txt": good(),
                "skip.json": good(),
                "skip.yaml": good(),
                "skip.html": good(),
                "skip.md.bak": good(),
                "skip": good(),
            }
        )
        files, _ = discover([str(root)])
        assert sorted(ids_of(files)) == ["keep", "keep2", "keep3"]

    def test_hidden_files_and_folders_are_skipped(self, write_corpus):
        root = write_corpus(
            {
                "visible.md": good(),
                ".hidden.md": good(),
                ".git/inside.md": good(),
                "sub/.secret/deep.md": good(),
                "sub/.also-hidden.txt": good(),
                "sub/shown.md": good(),
            }
        )
        files, _ = discover([str(root)])
        assert sorted(ids_of(files)) == ["sub/shown", "visible"]

    def test_folder_with_a_document_extension_is_walked_not_read(self, write_corpus):
        root = write_corpus({"x.txt/inner.md": good(), "y.md/deeper/z.txt": good()})
        files, problems = discover([str(root)])
        assert problems == []
        assert sorted(ids_of(files)) == ["x.txt/inner", "y.md/deeper/z"]

    def test_single_file_root_has_its_stem_as_id(self, write_corpus):
        root = write_corpus({"deep/folder/story.md": good()})
        path = str(root / "deep" / "folder" / "story.md")
        files, problems = discover([path])
        assert problems == []
        assert [(f.path, f.doc_id) for f in files] == [(path, "story")]

    def test_single_file_root_is_read_whatever_its_extension(self, write_corpus):
        root = write_corpus({"notes.yaml": good()})
        files, _ = discover([str(root / "notes.yaml")])
        assert ids_of(files) == ["notes"]

    def test_order_is_stable(self, write_corpus):
        root = write_corpus({name: good() for name in ("b.md", "a.md", "c/d.md", "c/a.md")})
        first, _ = discover([str(root)])
        second, _ = discover([str(root)])
        assert ids_of(first) == ids_of(second)

    def test_nonexistent_root_raises(self, tmp_path):
        missing = str(tmp_path / "nowhere")
        with pytest.raises(DataPathError, match="nowhere"):
            discover([missing])

    def test_same_file_given_twice_counts_once(self, write_corpus):
        root = write_corpus({"a.md": good()})
        files, problems = discover([str(root / "a.md"), str(root / "a.md")])
        assert problems == []
        assert ids_of(files) == ["a"]

    def test_file_inside_a_root_given_again_counts_once(self, write_corpus):
        root = write_corpus({"a.md": good(), "b.md": good()})
        files, problems = discover([str(root), str(root / "a.md")])
        assert problems == []
        assert sorted(ids_of(files)) == ["a", "b"]

    def test_two_files_with_one_id_keep_the_first_and_warn(self, write_corpus):
        root = write_corpus({"a.md": good("from md"), "a.txt": good("from txt")})
        files, problems = discover([str(root)])
        first = os.path.join(str(root), "a.md")
        second = os.path.join(str(root), "a.txt")
        assert [(f.path, f.doc_id) for f in files] == [(first, "a")]
        assert problems == [
            Problem(second, None, None, WARNING, f"id 'a' is already taken by {first}; skipped")
        ]

    def test_symlink_loop_terminates(self, write_corpus):
        root = write_corpus({"top.md": good(), "sub/doc.md": good()})
        (root / "sub" / "up").symlink_to(root, target_is_directory=True)
        (root / "sub" / "self").symlink_to(root / "sub", target_is_directory=True)
        outcome: dict[str, object] = {}

        def run():
            outcome["result"] = discover([str(root)])

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(timeout=20)
        assert not worker.is_alive(), "discover() did not finish on a symlink loop"
        files, _ = outcome["result"]
        assert sorted(ids_of(files)) == ["sub/doc", "top"]

    def test_linked_folder_is_followed(self, write_corpus, tmp_path):
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "far.md").write_text(good(), encoding="utf-8")
        root = write_corpus({"near.md": good()})
        (root / "linked").symlink_to(elsewhere, target_is_directory=True)
        files, _ = discover([str(root)])
        assert sorted(ids_of(files)) == ["linked/far", "near"]


# --- where the data comes from --------------------------------------------------------


class TestDataRoots:
    def test_given_paths_win(self, monkeypatch, tmp_path):
        monkeypatch.setenv("NEWSQ_DATA", "/somewhere/else")
        assert data_roots([tmp_path / "a", "b"]) == [str(tmp_path / "a"), "b"]

    def test_newsq_data_paths_separated_by_colons(self, monkeypatch):
        monkeypatch.setenv("NEWSQ_DATA", "/one:/two/three::/four:")
        assert data_roots() == ["/one", "/two/three", "/four"]
        assert data_roots([]) == ["/one", "/two/three", "/four"]

    def test_default_is_the_bundled_seeds(self):
        roots = data_roots()
        assert len(roots) == 1
        assert Path(roots[0]).resolve() == bundled_seeds().resolve()

    @pytest.mark.parametrize("value", ["", ":", "::"])
    def test_empty_newsq_data_means_the_seeds(self, monkeypatch, value):
        monkeypatch.setenv("NEWSQ_DATA", value)
        assert [Path(r).resolve() for r in data_roots()] == [bundled_seeds().resolve()]

    def test_bundled_seeds_are_the_seed_files_unchanged(self, seeds):
        # Installed from a wheel they live in newsq/seeds; in a checkout, in seeds/.
        bundled = bundled_seeds()
        assert sorted(p.name for p in bundled.iterdir()) == sorted(p.name for p in seeds.iterdir())
        for path in seeds.iterdir():
            assert (bundled / path.name).read_bytes() == path.read_bytes()


# --- loading ---------------------------------------------------------------------------


class TestLoad:
    def test_default_load_is_the_five_seeds(self):
        index = load()
        assert len(index) == 5
        assert [e.id for e in index] == SEED_IDS
        assert index.problems == []
        assert index.skipped == 0

    def test_package_level_load(self):
        assert [e.id for e in newsq.load()] == SEED_IDS

    def test_newsq_data_is_used_when_no_paths_given(self, monkeypatch, write_corpus, tmp_path):
        root = write_corpus({"one.md": good("one"), "nested/two.md": good("two")})
        other = tmp_path / "other"
        other.mkdir()
        (other / "three.txt").write_text(good("three"), encoding="utf-8")
        monkeypatch.setenv("NEWSQ_DATA", f"{root}:{other}")
        index = load()
        assert sorted(e.id for e in index) == ["nested/two", "one", "three"]
        assert index["three"]["title"] == "three"

    def test_nonexistent_path_raises(self, tmp_path):
        with pytest.raises(DataPathError):
            load([tmp_path / "missing"])

    def test_nonexistent_path_in_newsq_data_raises(self, monkeypatch, tmp_path):
        monkeypatch.setenv("NEWSQ_DATA", str(tmp_path / "missing"))
        with pytest.raises(DataPathError):
            load()

    def test_data_path_error_is_a_value_error(self):
        assert issubclass(DataPathError, ValueError)
        assert newsq.DataPathError is DataPathError

    def test_same_file_twice_loads_once(self, write_corpus):
        root = write_corpus({"a.md": good()})
        index = load([root / "a.md", root / "a.md"])
        assert [e.id for e in index] == ["a"]
        assert index.problems == []

    def test_seeds_given_twice_load_once(self, seeds):
        index = load([seeds, seeds])
        assert [e.id for e in index] == SEED_IDS
        assert index.problems == []

    def test_duplicate_id_keeps_first_file(self, write_corpus):
        root = write_corpus({"a.md": good("from md"), "a.txt": good("from txt")})
        index = load([root])
        assert len(index) == 1
        assert index["a"]["title"] == "from md"
        assert index["a"]["path"] == str(root / "a.md")
        assert [(p.path, p.severity) for p in index.problems] == [(str(root / "a.txt"), WARNING)]

    def test_symlink_loop_loads_each_document_once(self, write_corpus):
        root = write_corpus({"top.md": good(), "sub/doc.md": good()})
        (root / "sub" / "up").symlink_to(root, target_is_directory=True)
        index = load([root])
        assert sorted(e.id for e in index) == ["sub/doc", "top"]

    def test_bad_files_are_skipped_and_counted(self, write_corpus):
        root = write_corpus(
            {
                "good1.md": good("one"),
                "unclosed.md": "---\ntitle: T\n",
                "binary.md": b"\x00\x01\x02",
                "badyaml.md": "---\ntitle: [unclosed\n---\n",
                "list.md": "---\n- a\n---\n",
                "latin1.md": b"---\ntitle: caf\xe9\n---\n",
                "sub/good2.md": good("two"),
            }
        )
        index = load([root])
        assert sorted(e.id for e in index) == ["good1", "sub/good2"]
        assert index.skipped == 5
        error_paths = sorted(p.path for p in index.problems if p.severity == ERROR)
        assert error_paths == sorted(
            str(root / name)
            for name in ("unclosed.md", "binary.md", "badyaml.md", "list.md", "latin1.md")
        )

    def test_a_parser_failure_skips_that_file_and_the_run_goes_on(self, write_corpus, monkeypatch):
        import newsq.ingest.parse

        real = newsq.ingest.parse.parse_file

        def failing(path, doc_id):
            if doc_id == "bad":
                raise KeyError("oops")
            return real(path, doc_id)

        monkeypatch.setattr(newsq.ingest.parse, "parse_file", failing)
        root = write_corpus({"a.md": good(), "bad.md": good()})
        index = load([root], cache=False)
        assert [e.id for e in index] == ["a"]
        assert index.skipped == 1
        message = "newsq could not parse this file (KeyError: 'oops'); please report it"
        assert index.problems == [Problem(str(root / "bad.md"), None, None, ERROR, message)]

    def test_readme_is_a_notice_and_not_a_document(self, write_corpus):
        root = write_corpus({"README.md": "# About\n\nThe corpus.\n", "a.md": good()})
        index = load([root])
        assert [e.id for e in index] == ["a"]
        assert "README" not in index
        assert index.problems == [
            Problem(str(root / "README.md"), None, None, NOTICE, "no front matter; not a document")
        ]

    def test_warnings_do_not_skip_documents(self, write_corpus):
        root = write_corpus({"a.md": "---\ntopics: AI\n---\n"})
        index = load([root])
        assert [e.id for e in index] == ["a"]
        assert index.skipped == 0
        assert {p.severity for p in index.problems} == {WARNING}

    def test_records_hold_the_absolute_path(self, write_corpus, monkeypatch):
        root = write_corpus({"sub/a.md": good()})
        monkeypatch.chdir(root)
        index = load(["sub"])
        assert index["a"]["path"] == str(root / "sub" / "a.md")


class TestRealCorpus:
    def test_every_file_is_found(self, real_corpus):
        files, problems = discover([str(real_corpus)])
        assert len(files) == 73
        assert problems == []

    def test_every_file_loads_without_errors(self, real_corpus):
        index = load([real_corpus])
        assert len(index) == 73
        assert index.skipped == 0
        assert [p for p in index.problems if p.severity == ERROR] == []

    def test_ids_are_relative_slash_paths(self, real_corpus):
        index = load([real_corpus])
        expected = sorted(
            p.relative_to(real_corpus).with_suffix("").as_posix() for p in real_corpus.rglob("*.md")
        )
        assert sorted(e.id for e in index) == expected
        assert "_people/april-dunnam" in index
        assert index["_people/april-dunnam"]["name"] == "April Dunnam"
        assert index.entry("_people/april-dunnam").title == "April Dunnam"


# --- the query run while the files are checked (load_and_run) ---------------------------------


@pytest.fixture
def checked_in_background(monkeypatch):
    """Stat every corpus in child processes, as a large one is, so that the work runs early."""
    monkeypatch.setattr(scanning, "PARALLEL_STAT_FROM", 1)


def titles_seen(calls: list[list[str]]):
    """A work that records what each run of it saw: every title, by id."""

    def work(index: Index) -> list[str]:
        calls.append([e.title for e in index])  # by id
        return calls[-1]

    return work


class TestLoadAndRun:
    def test_on_a_fresh_snapshot_the_early_answer_stands(self, write_corpus, checked_in_background):
        root = write_corpus({"a.md": good("One"), "b.md": good("Two")})
        load([root]).close()
        calls: list[list[str]] = []
        index, titles = load_and_run(titles_seen(calls), [root])
        assert titles == ["One", "Two"]
        assert calls == [["One", "Two"]]  # once, on the snapshot as the last run left it
        assert index.changes == Changes()

    def test_after_a_change_it_runs_again_on_the_fresh_snapshot(
        self, write_corpus, checked_in_background
    ):
        root = write_corpus({"a.md": good("One"), "b.md": good("Two")})
        load([root]).close()
        (root / "b.md").write_text(good("Two, edited at more length"), encoding="utf-8")
        calls: list[list[str]] = []
        index, titles = load_and_run(titles_seen(calls), [root])
        assert titles == ["One", "Two, edited at more length"]
        assert calls == [["One", "Two"], ["One", "Two, edited at more length"]]
        assert index.changes == Changes(parsed=1)

    def test_a_file_added_counts_as_a_change(self, write_corpus, checked_in_background):
        root = write_corpus({"a.md": good("One")})
        load([root]).close()
        write_corpus({"c.md": good("Three")})
        calls: list[list[str]] = []
        _, titles = load_and_run(titles_seen(calls), [root])
        assert titles == ["One", "Three"]
        assert len(calls) == 2

    def test_what_the_early_run_raises_is_dropped(self, write_corpus, checked_in_background):
        root = write_corpus({"a.md": good("One")})
        load([root]).close()
        runs = []

        def work(index: Index) -> int:
            runs.append(1)
            if len(runs) == 1:
                raise RuntimeError("only the first time")
            return len(index)

        assert load_and_run(work, [root])[1] == 1
        assert len(runs) == 2

    def test_an_error_of_the_work_itself_is_raised(self, write_corpus, checked_in_background):
        root = write_corpus({"a.md": good("One")})
        load([root]).close()
        with pytest.raises(QueryError):
            load_and_run(lambda index: index.filter(sort="nonsense"), [root])

    def test_a_work_that_must_write_runs_after_the_check(
        self, tmp_path, checked_in_background, monkeypatch
    ):
        # Stories are computed, and written, the first time they are asked for: never
        # inside the early run's read transaction.
        root = tmp_path / "seeds"
        root.mkdir()
        for seed in bundled_seeds().iterdir():
            (root / seed.name).write_bytes(seed.read_bytes())
        builds, runs = [], []
        build = grouping._build
        monkeypatch.setattr(grouping, "_build", lambda *a: builds.append(1) or build(*a))

        def work(index: Index) -> list[dict]:
            runs.append(1)
            return index.stories()

        load([root]).close()
        _, stories = load_and_run(work, [root])
        by_date = [SEED_IDS[1], SEED_IDS[0], SEED_IDS[4], SEED_IDS[2], SEED_IDS[3]]
        assert [s["documents"] for s in stories] == [by_date]
        assert (len(runs), builds) == (2, [1])  # the early run could not build them
        _, again = load_and_run(work, [root])
        assert again == stories
        assert (len(runs), builds) == (3, [1])  # kept with the snapshot: the early answer stands

    def test_without_a_snapshot_yet_it_runs_once(self, write_corpus, checked_in_background):
        root = write_corpus({"a.md": good("One")})
        calls: list[list[str]] = []
        index, titles = load_and_run(titles_seen(calls), [root])
        assert titles == ["One"]
        assert calls == [["One"]]
        assert index.changes == Changes(parsed=1)

    def test_a_small_corpus_is_checked_first_and_the_work_runs_once(self, write_corpus):
        root = write_corpus({"a.md": good("One")})
        load([root]).close()
        calls: list[list[str]] = []
        assert load_and_run(titles_seen(calls), [root])[1] == ["One"]
        assert calls == [["One"]]

    def test_interrupted_while_the_files_are_checked_no_child_is_left(
        self, write_corpus, checked_in_background
    ):
        root = write_corpus({"a.md": good("One")})
        load([root]).close()

        def interrupted(index: Index) -> None:
            raise KeyboardInterrupt  # Ctrl-C while the early query runs: not dropped

        with pytest.raises(KeyboardInterrupt):
            load_and_run(interrupted, [root])
        with pytest.raises(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)  # no child of this process, finished or not

    def test_a_snapshot_that_cannot_open_leaves_no_child(
        self, write_corpus, checked_in_background, monkeypatch
    ):
        from newsq import corpus

        root = write_corpus({"a.md": good("One")})

        def cannot(roots, cache, notice):
            raise KeyboardInterrupt

        monkeypatch.setattr(corpus, "_open_snapshot", cannot)
        with pytest.raises(KeyboardInterrupt):
            load([root])
        with pytest.raises(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)


class TestReading:
    def test_one_read_transaction_sees_one_state(self, write_corpus):
        root = write_corpus({"a.md": good("One")})
        first, second = load([root]), load([root])
        with first.snapshot.reading():
            before = first.snapshot.fingerprint()
            with second.snapshot.writing() as conn:
                conn.execute("UPDATE meta SET value = 'changed' WHERE key = 'fingerprint'")
            assert first.snapshot.fingerprint() == before
        assert first.snapshot.fingerprint() == "changed"

    def test_no_write_while_reading(self, write_corpus):
        root = write_corpus({"a.md": good("One")})
        index = load([root])
        with index.snapshot.reading(), pytest.raises(ReadOnlyError), index.snapshot.writing():
            pass
        with index.snapshot.writing():  # and after it, as before
            pass
