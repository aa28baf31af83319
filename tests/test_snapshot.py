"""The snapshot: where it lives, what makes it stale, and what happens when it cannot be used.

Each test gets a cache folder of its own, so "cold" means cold.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import random
import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import ALL_IDS, ID0, NEWEST_FIRST, SEEDS

import newsq
from newsq.ingest import scan as scanning
from newsq.ingest import update as indexer
from newsq.ingest.parse import read_ahead
from newsq.ingest.scan import discover
from newsq.query.filters import Filter, sort_entries
from newsq.store import schema
from newsq.store import snapshot as snapshot_module
from newsq.store.cache import cache_dir, snapshot_path
from newsq.store.schema import APPLICATION_ID, FORMAT

DOC = (
    "---\ntitle: {title}\npublishedDateTime: 2020-06-{day:02d}T10:00:00Z\ntopics: [{topic}]\n---\n"
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache home; newsq keeps its snapshots in `<it>/newsq`."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "newsq"


@pytest.fixture
def corpus(write_corpus) -> Path:
    return write_corpus(
        {
            "a.md": DOC.format(title="Alpha", day=1, topic="Robots"),
            "b.md": DOC.format(title="Beta", day=2, topic="Robots"),
            "sub/c.md": DOC.format(title="Gamma", day=3, topic="Vision"),
        }
    )


def ids(entries) -> list[str]:
    return [e.id for e in entries]


def everything(index: newsq.Index) -> dict:
    """All an index answers, for comparing two of them."""
    return {
        "entries": list(index),
        "records": {e.id: index[e.id] for e in index},
        "problems": index.problems,
        "skipped": index.skipped,
        "topics": index.topics(),
        "stats": index.stats(),
    }


def _collector_threshold(_: int) -> tuple[int, int, int]:
    """A worker's task: its cycle collector's thresholds."""
    return gc.get_threshold()


def rewrite(path: Path, text: str) -> None:
    """Change a file so that its stat changes even on coarse clocks."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


# --- where it lives -------------------------------------------------------------------------


class TestLocation:
    def test_cache_folder_follows_xdg_cache_home(self, cache):
        assert cache_dir() == cache

    def test_relative_xdg_cache_home_is_ignored(self, monkeypatch):
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
        assert cache_dir() == Path.home() / ".cache" / "newsq"

    def test_first_load_writes_one_snapshot_named_for_the_roots(self, cache, corpus):
        with newsq.load([corpus]) as index:
            assert index.snapshot.path == snapshot_path([str(corpus)], cache)
        assert [p.name for p in cache.glob("*.sqlite")] == [index.snapshot.path.name]

    def test_the_same_root_spelled_differently_shares_a_snapshot(self, cache, corpus, monkeypatch):
        newsq.load([corpus]).close()
        monkeypatch.chdir(corpus.parent)
        with newsq.load(["corpus/"]) as index:
            assert index.changes == newsq.Changes(0, 0)
            assert index.problems == []

    def test_different_roots_have_different_snapshots(self, cache, corpus, seeds):
        newsq.load([corpus]).close()
        newsq.load([seeds]).close()
        newsq.load([corpus, seeds]).close()
        assert len(list(cache.glob("*.sqlite"))) == 3

    def test_nothing_is_written_in_the_data_folder(self, cache, corpus):
        before = sorted((p, p.stat().st_mtime_ns) for p in corpus.rglob("*"))
        newsq.load([corpus]).close()
        newsq.load([corpus]).close()
        assert sorted((p, p.stat().st_mtime_ns) for p in corpus.rglob("*")) == before

    def test_snapshot_is_plain_sqlite_marked_as_newsq(self, cache, corpus):
        with newsq.load([corpus]) as index:
            path = index.snapshot.path
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT
        conn.close()


# --- freshness ----------------------------------------------------------------------------


class TestFreshness:
    def test_warm_load_parses_nothing(self, cache, corpus):
        with newsq.load([corpus]) as first:
            assert first.changes == newsq.Changes(parsed=3, removed=0)
        with newsq.load([corpus]) as second:
            assert second.changes == newsq.Changes(parsed=0, removed=0)
            assert ids(second.filter()) == ["sub/c", "b", "a"]

    def test_unchanged_corpus_is_fresh_by_its_fingerprint_alone(self, cache, corpus, monkeypatch):
        from newsq.ingest import update as indexer_module

        newsq.load([corpus]).close()

        def not_needed(found):
            raise AssertionError("a warm run compared files one by one")

        monkeypatch.setattr(indexer_module, "Documents", not_needed)
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(0, 0)
            assert ids(index.filter()) == ["sub/c", "b", "a"]

    def test_edits_alone_are_found_without_comparing_every_file(self, cache, corpus, monkeypatch):
        from newsq.ingest import update as indexer_module

        newsq.load([corpus]).close()
        rewrite(corpus / "b.md", DOC.format(title="Beta edited", day=7, topic="Vision"))
        rewrite(corpus / "sub" / "c.md", DOC.format(title="Gamma edited", day=8, topic="Boats"))

        def not_needed(found):
            raise AssertionError("files compared one by one for edits alone")

        every_file = indexer_module.Documents
        monkeypatch.setattr(indexer_module, "Documents", not_needed)
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=2, removed=0)
        monkeypatch.setattr(indexer_module, "Documents", every_file)
        with newsq.load([corpus]) as quick, newsq.load([corpus], cache=False) as fresh:
            assert quick.changes == newsq.Changes(0, 0)
            assert everything(quick) == everything(fresh)
            assert ids(quick.filter(topic="vision")) == ["b"]

    @pytest.mark.parametrize("block", [2, 6, 1024])
    def test_edits_are_found_in_every_block_of_a_folder(
        self, cache, write_corpus, monkeypatch, block
    ):
        from newsq.ingest import update as indexer_module
        from newsq.ingest.scan import scan
        from newsq.store.cache import snapshot_path
        from newsq.store.snapshot import Snapshot

        monkeypatch.setattr(indexer_module, "_BLOCK", block)  # values: 2 a file
        root = write_corpus(
            {f"d{n:02d}.md": DOC.format(title=f"T{n}", day=1, topic="X") for n in range(25)}
        )
        newsq.load([root]).close()
        edited = ["d00.md", "d07.md", "d08.md", "d24.md"]
        for name in edited:
            rewrite(root / name, DOC.format(title="edited at length", day=2, topic="Y"))
        snapshot = Snapshot.open(snapshot_path([str(root)]), [str(root)])
        try:
            touched = indexer_module.touched_only(snapshot, scan([str(root)]))
        finally:
            snapshot.close()
        assert sorted(os.path.basename(source.path) for source in touched) == edited

    def test_an_edit_and_an_addition_take_the_full_way(self, cache, corpus):
        newsq.load([corpus]).close()
        rewrite(corpus / "a.md", DOC.format(title="Alpha edited", day=1, topic="Robots"))
        (corpus / "d.md").write_text(DOC.format(title="Delta", day=4, topic="Robots"))
        with newsq.load([corpus]) as index, newsq.load([corpus], cache=False) as fresh:
            assert index.changes == newsq.Changes(parsed=2, removed=0)
            assert everything(index) == everything(fresh)

    def test_edited_file_is_parsed_again(self, cache, corpus):
        newsq.load([corpus]).close()
        rewrite(corpus / "a.md", DOC.format(title="Alpha edited", day=9, topic="Boats"))
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=1, removed=0)
            assert index["a"]["title"] == "Alpha edited"
            assert ids(index.filter(topic="boats")) == ["a"]
            assert ids(index.filter(topic="robots")) == ["b"]
            assert ids(index.search("edited")) == ["a"]
            assert ids(index.filter()) == ["a", "sub/c", "b"]

    def test_touched_file_is_parsed_again(self, cache, corpus):
        newsq.load([corpus]).close()
        stat = (corpus / "b.md").stat()
        os.utime(corpus / "b.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=1, removed=0)

    def test_added_file_appears(self, cache, corpus):
        newsq.load([corpus]).close()
        (corpus / "d.md").write_text(DOC.format(title="Delta", day=4, topic="Robots"))
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=1, removed=0)
            assert ids(index.filter(topic="robots")) == ["d", "b", "a"]
            assert index.resolve("d") == "d"

    def test_deleted_file_disappears_everywhere(self, cache, corpus):
        newsq.load([corpus]).close()
        (corpus / "sub" / "c.md").unlink()
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=0, removed=1)
            assert ids(index) == ["a", "b"]
            assert "sub/c" not in index
            assert index.search("gamma") == []
            assert index.topics() == [newsq.index.TopicCount("Robots", 2)]
            with pytest.raises(newsq.UnknownIdError):
                index.resolve("sub/c")

    def test_renamed_file_changes_its_id(self, cache, corpus):
        newsq.load([corpus]).close()
        (corpus / "a.md").rename(corpus / "z.md")
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=1, removed=1)
            assert ids(index) == ["b", "sub/c", "z"]
            assert index["z"]["title"] == "Alpha"
            assert index["z"]["path"] == str(corpus / "z.md")

    def test_file_that_breaks_and_is_fixed(self, cache, corpus):
        newsq.load([corpus]).close()
        rewrite(corpus / "b.md", "---\ntitle: [unclosed\n---\n")
        with newsq.load([corpus]) as index:
            assert ids(index) == ["a", "sub/c"]
            assert index.skipped == 1
            assert [(p.path, p.severity) for p in index.problems] == [
                (str(corpus / "b.md"), "error")
            ]
        rewrite(corpus / "b.md", DOC.format(title="Beta again", day=2, topic="Robots"))
        with newsq.load([corpus]) as index:
            assert ids(index) == ["a", "b", "sub/c"]
            assert index.skipped == 0
            assert index.problems == []

    def test_problems_stay_across_warm_runs(self, cache, write_corpus):
        root = write_corpus({"bad.md": "---\ntitle: [x\n---\n", "ok.md": "---\ntitle: T\n---\n"})
        with newsq.load([root]) as cold:
            expected = cold.problems
        with newsq.load([root]) as warm:
            assert warm.changes.parsed == 0
            assert warm.problems == expected
            assert warm.skipped == 1

    def test_id_moving_between_roots_follows_the_first(self, cache, tmp_path):
        first, second = tmp_path / "one", tmp_path / "two"
        first.mkdir()
        second.mkdir()
        (first / "x.md").write_text(DOC.format(title="First", day=1, topic="T"))
        (second / "x.md").write_text(DOC.format(title="Second", day=1, topic="T"))
        with newsq.load([first, second]) as index:
            assert index["x"]["title"] == "First"
        (first / "x.md").unlink()
        with newsq.load([first, second]) as index:
            assert index["x"]["title"] == "Second"
            assert index.problems == []

    def test_updated_snapshot_equals_a_fresh_one(self, cache, corpus):
        newsq.load([corpus]).close()
        rewrite(corpus / "a.md", DOC.format(title="Alpha 2", day=5, topic="Vision"))
        (corpus / "b.md").unlink()
        (corpus / "e.md").write_text("---\ntitle: Epsilon\n---\nbody words\n")
        with newsq.load([corpus]) as updated, newsq.load([corpus], cache=False) as fresh:
            assert everything(updated) == everything(fresh)


def _rows(index: newsq.Index) -> dict[str, int]:
    return dict(index.snapshot.conn.execute("SELECT id, doc FROM docs"))


def test_a_file_parsed_again_keeps_its_row_and_a_new_file_takes_the_next_free(cache, corpus):
    with newsq.load([corpus]) as index:
        assert _rows(index) == {"a": 1, "b": 2, "sub/c": 3}
    # The last row's file changed, and a new file found before it (by path): the new one
    # must not take the row the changed one comes back to.
    rewrite(corpus / "sub" / "c.md", DOC.format(title="Gamma again", day=3, topic="Vision"))
    (corpus / "b0.md").write_text(DOC.format(title="New", day=4, topic="Vision"), "utf-8")
    (corpus / "a.md").unlink()
    with newsq.load([corpus]) as index, newsq.load([corpus], cache=False) as held:
        assert _rows(index) == {"b": 2, "b0": 4, "sub/c": 3}
        assert index["sub/c"]["title"] == "Gamma again"
        assert ids(index.search("gamma")) == ["sub/c"]  # the index holds it at its row
        assert ids(index.search("alpha")) == []
        assert everything(index) == everything(held)


# --- a snapshot is data ---------------------------------------------------------------------


def test_snapshot_files_are_never_executable(cache, corpus):
    with newsq.load([corpus]) as index:
        # Trusted only as checked: exactly newsq's schema (one planted view or trigger and
        # the file is not opened: `TestDamage`), whose one view calls newsq's functions.
        conn = index.snapshot.conn
        assert conn.execute("PRAGMA trusted_schema").fetchone() == (1,)
        assert snapshot_module.verified(conn)
    files = list(cache.iterdir())
    assert files
    for path in files:
        assert path.stat().st_mode & 0o111 == 0, path


# --- damaged, foreign and unusable caches --------------------------------------------------


class TestDamage:
    @pytest.mark.parametrize(
        "damage",
        [
            pytest.param(lambda p: p.write_bytes(b"this is not a database" * 100), id="garbage"),
            pytest.param(lambda p: p.write_bytes(p.read_bytes()[:1000]), id="truncated"),
            pytest.param(lambda p: p.write_bytes(b""), id="empty"),
            pytest.param(
                lambda p: _rewrite_header(p, "PRAGMA application_id = 42"), id="foreign-sqlite"
            ),
            pytest.param(
                lambda p: _rewrite_header(p, f"PRAGMA user_version = {FORMAT + 1}"),
                id="other-format",
            ),
        ],
    )
    def test_damaged_snapshot_is_rebuilt(self, cache, corpus, damage):
        with newsq.load([corpus]) as index:
            path = index.snapshot.path
            expected = everything(index)
        for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            companion.unlink(missing_ok=True)
        damage(path)
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=3, removed=0)
            assert index.cache_problem is None
            assert everything(index) == expected
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes(parsed=0, removed=0)

    def test_cache_folder_that_is_a_file_means_no_cache(self, tmp_path, monkeypatch, corpus):
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
        with newsq.load([corpus]) as index:
            assert index.snapshot.path is None
            assert index.cache_problem.startswith(f"cannot use the cache folder {blocker}")
            assert ids(index.filter()) == ["sub/c", "b", "a"]
        assert blocker.read_text() == "x"

    @pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
    def test_read_only_cache_folder_means_no_cache(self, cache, corpus):
        cache.mkdir(parents=True)
        cache.chmod(0o500)
        try:
            with newsq.load([corpus]) as index:
                assert index.snapshot.path is None
                assert ids(index.filter()) == ["sub/c", "b", "a"]
        finally:
            cache.chmod(0o700)

    def test_no_cache_neither_reads_nor_writes(self, cache, corpus):
        with newsq.load([corpus], cache=False) as index:
            assert index.snapshot.path is None
            assert index.changes.parsed == 3
        assert not cache.exists()

    def test_temporary_snapshot_is_removed_when_closed(self, cache, corpus):
        index = newsq.load([corpus], cache=False)
        folder = Path(index.snapshot.conn.execute("PRAGMA database_list").fetchone()[2]).parent
        assert folder.is_dir()
        index.close()
        assert not folder.exists()


def _rewrite_header(path: Path, pragma: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(pragma)
    conn.commit()
    conn.close()


# --- interruption and parallel parsing -------------------------------------------------------


class TestIndexing:
    def test_interrupted_update_leaves_the_snapshot_as_it_was(self, cache, corpus):
        newsq.load([corpus]).close()
        (corpus / "d.md").write_text(DOC.format(title="Delta", day=4, topic="Robots"))
        rewrite(corpus / "a.md", DOC.format(title="Alpha edited", day=1, topic="Robots"))

        def interrupt(done: int, total: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            newsq.load([corpus], progress=interrupt)
        with newsq.load([corpus]) as index, newsq.load([corpus], cache=False) as fresh:
            assert index.changes == newsq.Changes(parsed=2, removed=0)
            assert everything(index) == everything(fresh)

    def test_progress_counts_up_to_the_files_parsed(self, cache, write_corpus, monkeypatch):
        monkeypatch.setattr(indexer, "CHUNK", 2)
        root = write_corpus({f"{n}.md": DOC.format(title=n, day=1, topic="T") for n in "abcde"})
        calls = []
        newsq.load([root], progress=lambda done, total: calls.append((done, total))).close()
        assert calls == [(2, 5), (4, 5), (5, 5)]

    def test_parallel_parse_equals_serial(self, cache, seeds, real_corpus, monkeypatch):
        with newsq.load([seeds, real_corpus], cache=False) as serial:
            expected = everything(serial)
            parsed = serial.changes.parsed
        monkeypatch.setattr(indexer, "PARALLEL_FROM", 1)
        monkeypatch.setattr(indexer, "CHUNK", 3)
        monkeypatch.setattr(indexer, "_cpu_count", lambda: 2)
        with newsq.load([seeds, real_corpus]) as parallel:
            assert parallel.changes.parsed == parsed
            assert everything(parallel) == expected

    def test_parallel_parse_with_one_chunk_in_flight_keeps_the_order(
        self, cache, seeds, real_corpus, monkeypatch
    ):
        with newsq.load([seeds, real_corpus], cache=False) as serial:
            expected = everything(serial)
        monkeypatch.setattr(indexer, "PARALLEL_FROM", 1)
        monkeypatch.setattr(indexer, "CHUNK", 1)
        monkeypatch.setattr(indexer, "IN_FLIGHT_PER_JOB", 1)
        monkeypatch.setattr(indexer, "_cpu_count", lambda: 2)
        with newsq.load([seeds, real_corpus]) as parallel:
            assert everything(parallel) == expected

    def test_a_cold_build_interrupted_half_way_leaves_no_snapshot(
        self, cache, write_corpus, monkeypatch
    ):
        monkeypatch.setattr(indexer, "PARALLEL_FROM", 1)
        monkeypatch.setattr(indexer, "CHUNK", 2)
        monkeypatch.setattr(indexer, "_cpu_count", lambda: 2)
        root = write_corpus({f"{n}.md": DOC.format(title=n, day=1, topic="T") for n in "abcdefgh"})
        seen = []

        def interrupt(done: int, total: int) -> None:
            seen.append(done)
            if done >= total // 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            newsq.load([root], progress=interrupt)
        assert seen == [2, 4]
        left = sorted(p.name for p in cache.iterdir()) if cache.exists() else []
        assert [name for name in left if not name.endswith(".lock")] == []
        with newsq.load([root]) as index:
            assert index.changes == newsq.Changes(parsed=8, removed=0)


class TestWorkersOfAColdBuild:
    def test_are_forked_before_the_list_of_files_is_built(self, cache, corpus, monkeypatch):
        monkeypatch.setattr(indexer, "PARALLEL_FROM", 1)
        monkeypatch.setattr(indexer, "_cpu_count", lambda: 2)
        events = []
        real_pool, real_documents = indexer.worker_pool, indexer.Documents
        monkeypatch.setattr(
            indexer, "worker_pool", lambda jobs: events.append("pool") or real_pool(jobs)
        )
        monkeypatch.setattr(
            indexer, "Documents", lambda found: events.append("sources") or real_documents(found)
        )
        with newsq.load([corpus]) as index, newsq.load([corpus], cache=False) as fresh:
            assert events[:2] == ["pool", "sources"]
            assert everything(index) == everything(fresh)
        events.clear()
        rewrite(corpus / "a.md", DOC.format(title="Alpha edited", day=1, topic="Robots"))
        (corpus / "d.md").write_text(DOC.format(title="Delta", day=4, topic="Robots"))
        with newsq.load([corpus]) as index, newsq.load([corpus], cache=False) as fresh:
            assert events[0] == "sources"  # not cold: workers only once there is work for them
            assert everything(index) == everything(fresh)


class TestSourcesOfAColdBuild:
    def test_are_made_as_they_are_parsed_never_all_at_once(self, cache, write_corpus, monkeypatch):
        from test_scan import CountedSource

        monkeypatch.setattr(scanning, "Source", CountedSource)
        monkeypatch.setattr(CountedSource, "most", 0)
        monkeypatch.setattr(indexer, "_cpu_count", lambda: 1)  # parsed here, where counted
        files = {f"{n:03d}.md": DOC.format(title=f"T{n}", day=1, topic="T") for n in range(600)}
        root = write_corpus(files)
        with newsq.load([root]) as index:
            assert index.changes == newsq.Changes(parsed=600, removed=0)
            assert len(index.filter()) == 600
        assert 0 < CountedSource.most <= 2 * indexer.CHUNK

    def test_a_new_snapshot_spills_its_cache_as_it_grows(self, tmp_path):
        # A cache size in KiB set before the page size turned into 4 KB pages: a snapshot
        # being built then held every page it wrote until it committed.
        conn = snapshot_module._connect(tmp_path / "new.db", journal="MEMORY")
        try:
            schema.create(conn, [str(tmp_path)])
            assert conn.execute("PRAGMA page_size").fetchone()[0] == schema.PAGE_SIZE
            conn.execute("CREATE TABLE filler (b BLOB)")
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO filler (b) VALUES (zeroblob(?))",
                [(1 << 20,)] * (schema.CACHE_KIB // 1024 + 32),
            )
            written = os.path.getsize(tmp_path / "new.db")  # before the commit: spilled
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        assert written >= 16 << 20


class TestWorkerPool:
    def test_its_worker_handler_is_not_woken_by_results(self):
        """Results waiting in the pipe woke CPython's worker-maintaining thread, which then
        went round in a busy loop until they were read."""
        with indexer.worker_pool(2) as pool:
            assert pool._outqueue._reader not in pool._get_sentinels()
            assert list(pool.imap(str, range(200))) == [str(n) for n in range(200)]
            assert pool._worker_handler.is_alive()

    def test_its_workers_collect_cycles_less_often_and_this_process_as_before(self):
        before = gc.get_threshold()
        with indexer.worker_pool(2) as pool:
            in_workers = pool.map(_collector_threshold, range(2), chunksize=1)
        assert in_workers == [(indexer.WORKER_GC_THRESHOLD, *before[1:])] * 2
        assert gc.get_threshold() == before

    def test_rows_come_back_from_a_worker_whole(self):
        # Rows cross as the arguments of a call (`FileRows.__reduce__`): every field.
        sources, _ = discover([str(SEEDS)])
        codecs = indexer.learn_codecs(sources)
        rows = indexer.parse_rows(sources[0], codecs)
        assert rows.doc is not None and rows.related and rows.story is not None
        with indexer.worker_pool(2) as pool:
            back = pool.apply(indexer.parse_rows, (sources[0], codecs))
        assert back == rows
        assert pickle.loads(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)) == rows


class TestInFlight:
    """The chunks handed to the workers ahead of the writer are bounded."""

    def test_no_more_than_the_limit_go_before_results_are_taken(self):
        window = indexer.InFlight(2)
        feed = window.feed([[n] for n in range(5)])
        assert [next(feed), next(feed)] == [[0], [1]]
        window.stop()  # a third would wait for a slot; stopped, the feed ends instead
        assert list(feed) == []

    def test_each_result_taken_lets_one_more_chunk_go(self):
        window = indexer.InFlight(1)
        feed = window.feed([[n] for n in range(3)])
        handed = [next(feed)]
        for _ in range(2):
            window.done()
            handed.append(next(feed))
        window.done()
        assert handed == [[0], [1], [2]]
        assert list(feed) == []

    def test_the_pool_yields_every_chunk_in_order(self, write_corpus, monkeypatch):
        monkeypatch.setattr(indexer, "PARALLEL_FROM", 1)
        monkeypatch.setattr(indexer, "CHUNK", 1)
        monkeypatch.setattr(indexer, "IN_FLIGHT_PER_JOB", 1)
        files = {f"{n:02d}.md": DOC.format(title=f"T{n}", day=1, topic="T") for n in range(12)}
        found, _ = discover([str(write_corpus(files))])
        batches = list(indexer.parse_sources(found, jobs=2))
        assert [rows.doc_id for batch in batches for rows in batch] == [
            f"{n:02d}" for n in range(12)
        ]


class TestReadAhead:
    """A chunk's files are asked of the kernel before the first is parsed."""

    @pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="Linux: reads /proc/self/fd")
    def test_each_file_of_a_chunk_is_asked_for_before_parsing(self, write_corpus, monkeypatch):
        files = {f"{n}.md": DOC.format(title=f"T{n}", day=1, topic="T") for n in range(3)}
        sources, _ = discover([str(write_corpus(files))])
        events = []
        real_advise, real_parse = os.posix_fadvise, indexer._parse

        def advise(fd: int, offset: int, length: int, advice: int) -> None:
            events.append(("advise", os.path.basename(os.readlink(f"/proc/self/fd/{fd}")), advice))
            real_advise(fd, offset, length, advice)

        monkeypatch.setattr(os, "posix_fadvise", advise)
        monkeypatch.setattr(
            indexer, "_parse", lambda s: events.append(("parse", s.doc_id)) or real_parse(s)
        )
        rows = indexer.parse_chunk(sources, indexer.PLAIN)
        willneed = os.POSIX_FADV_WILLNEED
        assert events == [
            *[("advise", f"{n}.md", willneed) for n in range(3)],
            *[("parse", f"{n}") for n in range(3)],
        ]
        assert [r.doc_id for r in rows] == ["0", "1", "2"]

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
    def test_a_file_gone_or_swapped_for_a_fifo_neither_stops_nor_blocks_it(self, tmp_path):
        (tmp_path / "here.md").write_text(DOC.format(title="Here", day=1, topic="T"))
        os.mkfifo(tmp_path / "fifo.md")  # opened to read, a FIFO with no writer would block
        paths = [str(tmp_path / name) for name in ("gone.md", "fifo.md", "here.md")]
        raised = []

        def ask() -> None:
            try:
                read_ahead(paths)
            except BaseException as exc:
                raised.append(exc)

        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(timeout=10)
        assert not asking.is_alive() and raised == []


# --- SQL answers as the Python reference does -------------------------------------------------


def _random_corpus(write_corpus, seed: int) -> Path:
    rng = random.Random(seed)
    files = {}
    for n in range(60):
        lines = ["---"]
        if rng.random() < 0.9:
            lines.append(f"title: {json.dumps(rng.choice(['Alpha', 'beta', 'Été', 'gamma', '']))}")
        if rng.random() < 0.85:
            day = rng.randint(1, 28)
            lines.append(f"publishedDateTime: 2020-{rng.randint(1, 12):02d}-{day:02d}T10:00:00Z")
        for key in ("quality", "heat"):
            if rng.random() < 0.8:
                lines.append(f"{key}: {rng.choice([-1, 0, 5, 5.5, 50, 99])}")
        if rng.random() < 0.8:
            lines.append(f"published: {rng.choice(['true', 'false'])}")
        if rng.random() < 0.8:
            lines.append(f"category: {rng.choice(['news', 'News', 'video'])}")
        if rng.random() < 0.8:
            lines.append(f"type: {rng.choice(['article', 'post'])}")
        if rng.random() < 0.9:
            name, domain = rng.choice([("Forbes", "forbes.com"), ("BBC", "bbc.co.uk"), ("X", "")])
            lines += ["provider:", f"  name: {name}", f"  domain: {json.dumps(domain)}"]
        topics = rng.sample(["AI", "Robots", "Vision", "robots"], rng.randint(0, 3))
        lines.append(f"topics: {json.dumps(topics)}")
        lines.append("---")
        files[f"doc{n:02d}.md"] = "\n".join(lines) + "\n"
    return write_corpus(files)


FILTERS = [
    {},
    {"topic": "robots"},
    {"topic": ["ai", "robots"]},
    {"provider": "forbes"},
    {"provider": ["bbc", "x"]},
    {"category": "news"},
    {"type": ["post"]},
    {"since": "2020-06", "until": "2020-09-15"},
    {"until": "2020-03"},
    {"min_quality": 5},
    {"min_heat": 50},
    {"published": True},
    {"published": False, "topic": "vision", "min_quality": 0},
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("criteria", FILTERS, ids=lambda c: ",".join(c) or "none")
def test_sql_filter_and_sort_match_the_python_reference(cache, write_corpus, seed, criteria):
    with newsq.load([_random_corpus(write_corpus, seed)]) as index:
        where = Filter.build(**criteria)
        every = list(index)
        for sort in ("date", "quality", "heat", "title"):
            for reverse in (False, True):
                expected = sort_entries([e for e in every if where.matches(e)], sort, reverse)
                assert index.filter(where, sort=sort, reverse=reverse) == expected


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("criteria", FILTERS, ids=lambda c: ",".join(c) or "none")
def test_sql_facets_and_stats_match_the_python_reference(cache, write_corpus, seed, criteria):
    with newsq.load([_random_corpus(write_corpus, seed)]) as index:
        where = Filter.build(**criteria)
        chosen = [e for e in index if where.matches(e)]  # by id, as SQL spells them
        assert index.topics(where=where) == index.topics(chosen)
        assert index.providers(where=where) == index.providers(chosen)
        assert index.stats(where=where, top=3) == index.stats(chosen, top=3)


# --- the cache commands -------------------------------------------------------------------


class TestCacheCommands:
    def test_info_lists_each_snapshot(self, cli, cache, corpus, seeds):
        cli("list", "--data", corpus)
        cli("list", "--data", seeds)
        result = cli("cache", "info", "--format", "json")
        assert result.exit_code == 0
        found = {tuple(s["roots"]): s for s in json.loads(result.stdout)}
        assert sorted(found) == sorted([(str(corpus),), (str(seeds),)])
        assert found[(str(corpus),)]["documents"] == 3
        assert found[(str(seeds),)]["documents"] == 5
        assert found[(str(seeds),)]["path"] == str(snapshot_path([str(seeds)], cache))

    def test_info_with_no_snapshots(self, cli, cache):
        result = cli("cache", "info")
        assert (result.exit_code, result.stdout) == (0, f"cache folder: {cache}\nno snapshots\n")
        assert json.loads(cli("cache", "info", "--json").stdout) == []

    def test_info_table_names_the_folder(self, cli, cache, seeds):
        cli("list", "--data", seeds)
        result = cli("cache", "info")
        assert result.stdout.splitlines()[0] == f"cache folder: {cache}"
        assert str(seeds) in result.stdout

    def test_clear_one_corpus(self, cli, cache, corpus, seeds):
        cli("list", "--data", corpus)
        cli("list", "--data", seeds)
        result = cli("cache", "clear", "--data", corpus)
        assert result.exit_code == 0
        assert result.stderr == f"newsq: removed 1 snapshot from {cache}\n"
        assert list(cache.glob("*.sqlite")) == [snapshot_path([str(seeds)], cache)]

    def test_clear_everything(self, cli, cache, corpus, seeds):
        cli("list", "--data", corpus)
        cli("list", "--data", seeds)
        result = cli("cache", "clear")
        assert result.stderr == f"newsq: removed 2 snapshots from {cache}\n"
        assert list(cache.iterdir()) == []
        assert cli("list", "--data", seeds, "--format", "json").exit_code == 0

    def test_no_cache_gives_the_same_output(self, cli, cache, write_corpus, seeds):
        root = write_corpus(
            {
                "ok.md": DOC.format(title="Alpha", day=1, topic="Robots"),
                "bad.md": "---\n: [\n---\n",
                "readme.md": "# hello\n",
            }
        )
        commands = [
            ("list", "--format", "json"),
            ("list",),
            ("search", "microsoft police", "--format", "jsonl"),
            ("show", ID0, "--format", "json"),
            ("topics",),
            ("providers", "--format", "csv"),
            ("stats", "--format", "json"),
            ("check", "--format", "json"),
        ]
        for data in (seeds, root):
            for command in commands:
                cached = cli(*command, "--data", data)
                cli(*command, "--data", data)  # warm
                again = cli(*command, "--data", data)
                uncached = cli(*command, "--data", data, "--no-cache")
                assert (again.exit_code, again.stdout, again.stderr) == (
                    uncached.exit_code,
                    uncached.stdout,
                    uncached.stderr,
                ), command
                assert cached.stdout == again.stdout

    def test_unusable_cache_says_so_once_and_answers(self, cli, tmp_path, seeds):
        blocker = tmp_path / "file"
        blocker.write_text("")
        result = cli("list", "--format", "json", env={"XDG_CACHE_HOME": str(blocker)})
        assert result.exit_code == 0
        assert [e["id"] for e in json.loads(result.stdout)] == NEWEST_FIRST
        assert result.stderr.startswith(f"newsq: cannot use the cache folder {blocker}/newsq: ")
        assert result.stderr.endswith("; indexing without a snapshot\n")
        assert result.stderr.count("\n") == 1

    def test_seeds_list_all_ids(self, cli, cache):
        result = cli("list", "--format", "json", "--fields", "id", "--sort", "title")
        assert sorted(r["id"] for r in json.loads(result.stdout)) == ALL_IDS


class TestDeferredIndexes:
    def test_a_new_snapshot_has_every_index_of_the_schema_once_built(self, cache, corpus):
        from newsq.store import schema
        from newsq.store.snapshot import DEFERRED_INDEXES

        with newsq.load([corpus]):
            pass
        (path,) = [p for p in cache.iterdir() if p.suffix != ".lock"]
        conn = sqlite3.connect(path)
        found = set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        conn.close()
        assert found == schema.expected_master()
        assert {name for _, name, _, _ in found} >= set(DEFERRED_INDEXES)
        with newsq.load([corpus]) as index:
            assert index.changes == newsq.Changes()  # taken as it is, not rebuilt

    def test_an_interrupted_first_build_leaves_nothing_and_the_next_has_them(self, cache, corpus):
        def interrupt(done: int, total: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            newsq.load([corpus], progress=interrupt)
        with newsq.load([corpus]) as index, newsq.load([corpus], cache=False) as fresh:
            assert everything(index) == everything(fresh)
            assert index.changes.parsed == 3
