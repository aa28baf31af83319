"""The snapshot can never hurt the user: a disk that fills, a damaged or crafted snapshot,
a cache folder others can write to, a lock held by a stopped run, a document with
50,000 topics, and answers too large to hold in memory."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest
from conftest import newsq_executable
from test_process import document, environment

import newsq
from newsq.store import snapshot as snapshot_module
from newsq.store.cache import snapshot_path
from newsq.store.schema import SCHEMA

TITLES = ["First", "Second", "Third"]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "newsq"


@pytest.fixture
def corpus(write_corpus) -> Path:
    # (bodies of 20,000 characters: more pages of SQLite's than the schema alone needs)
    return write_corpus(
        {
            f"{n}.md": document(title, f"2020-06-1{n}T00:00:00Z", topics=["AI"]) + "x " * 10_000
            for n, title in enumerate(TITLES)
        }
    )


def titles(index) -> list[str]:
    return sorted(e.title for e in index)


def leftovers(cache: Path) -> list[str]:
    """The files in the cache folder but the lock (which holds nothing)."""
    return sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock"))


# --- a disk that fills ---------------------------------------------------------------------


def _schema_pages() -> int:
    """The pages of SQLite's an empty snapshot takes: its schema alone."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    return conn.execute("PRAGMA page_count").fetchone()[0]


SCHEMA_PAGES = _schema_pages()


@pytest.fixture
def full_after(monkeypatch):
    """Make the cache's snapshots refuse to grow past `pages[0]` pages of SQLite's (a full
    disk, as SQLite sees one: SQLITE_FULL); temporary ones too when `everywhere[0]`."""
    pages, everywhere = [None], [False]
    connect = snapshot_module._connect

    def limited(path, **settings):
        conn = connect(path, **settings)
        cached = "xdg" in str(path)
        on_disk = str(path) != ":memory:"
        if pages[0] is not None and (cached or (everywhere[0] and on_disk)):
            conn.execute(f"PRAGMA max_page_count = {pages[0]}")
        return conn

    monkeypatch.setattr(snapshot_module, "_connect", limited)
    return pages, everywhere


def test_a_disk_that_fills_while_indexing_answers_from_the_files(cache, corpus, full_after):
    pages, _ = full_after
    pages[0] = SCHEMA_PAGES  # room for the schema, not for the documents
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted(TITLES)
        assert index.cache_problem == (
            f"cannot write the snapshot in {cache}: database or disk is full"
        )
        assert index.snapshot.path is None
    assert leftovers(cache) == []  # nothing half-built left to fill the disk
    pages[0] = None  # space again: the next run builds the snapshot
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted(TITLES)
        assert index.cache_problem is None
        assert index.snapshot.path == snapshot_path([str(corpus)])
    assert leftovers(cache) == [snapshot_path([str(corpus)]).name]


def test_a_disk_full_for_an_update_drops_the_snapshot_and_answers(cache, corpus, full_after):
    pages, _ = full_after
    newsq.load([corpus]).close()
    path = snapshot_path([str(corpus)])
    pages[0] = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    body = os.urandom(40_000).hex()  # 80 KB that no compression makes small
    (corpus / "3.md").write_text(document("Fourth", "2020-06-14T00:00:00Z", body=body))
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted([*TITLES, "Fourth"])
        assert "database or disk is full" in index.cache_problem
    assert leftovers(cache) == []
    pages[0] = None
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted([*TITLES, "Fourth"])
        assert index.cache_problem is None


def test_with_the_temporary_folder_full_too_the_corpus_is_read_into_memory(
    cache, corpus, full_after
):
    pages, everywhere = full_after
    pages[0], everywhere[0] = SCHEMA_PAGES, True
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted(TITLES)
        assert "database or disk is full" in index.cache_problem


def test_the_command_says_so_in_one_line_and_exits_as_it_would(cli, corpus, full_after, cache):
    pages, _ = full_after
    pages[0] = SCHEMA_PAGES
    result = cli("list", "--data", corpus, "--format", "jsonl", "--fields", "title")
    assert result.exit_code == 0
    assert sorted(json.loads(line)["title"] for line in result.stdout.splitlines()) == sorted(
        TITLES
    )
    assert result.stderr == (
        f"newsq: cannot write the snapshot in {cache}: database or disk is full; "
        "indexing without a snapshot\n"
    )


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs, where the tests run as root and may mount one."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_real_full_disk_never_breaks_a_command(small_disk, write_corpus, tmp_path):
    root = write_corpus(
        {
            # (16 KB of hexadecimal a document: records are stored deflated)
            f"doc{n:03d}.md": document(
                f"Story {n}", "2020-06-11T00:00:00Z", body=random.Random(n).randbytes(8000).hex()
            )
            for n in range(300)
        }
    )
    args = [newsq_executable(), "list", "--all", "--format", "jsonl", "--data", str(root)]
    expected = subprocess.run([*args, "--no-cache"], capture_output=True, env=environment())
    for _ in range(2):  # the second run meets what the first left: nothing
        result = subprocess.run(
            args, capture_output=True, env=environment(XDG_CACHE_HOME=str(small_disk))
        )
        assert (result.returncode, result.stdout) == (0, expected.stdout)
        assert result.stderr.decode() == (
            f"newsq: cannot write the snapshot in {small_disk / 'newsq'}: "
            "database or disk is full; indexing without a snapshot\n"
        )
        assert leftovers(small_disk / "newsq") == []


# --- snapshots newsq did not make -------------------------------------------------------------

CRAFTED = {
    "a view calling json_set": "CREATE VIEW planted AS SELECT json_set('{}', '$.a', 1) AS r",
    "a view that never ends": (
        "CREATE VIEW planted AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)"
        " SELECT count(*) FROM r"
    ),
    "a trigger that never ends": (
        "CREATE TRIGGER planted AFTER INSERT ON files BEGIN "
        "SELECT count(*) FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)"
        " SELECT x FROM r); END"
    ),
    "a trigger calling load_extension": (
        "CREATE TRIGGER planted AFTER DELETE ON docs BEGIN SELECT load_extension('x'); END"
    ),
    "an index of its own": "CREATE INDEX planted ON docs (title)",
    "a dropped table": "DROP TABLE story_docs",
    "a dropped column": "ALTER TABLE related_text DROP COLUMN provider_domain",
    "a view in place of a table": (
        "DROP TABLE story_docs; CREATE VIEW story_docs AS SELECT 1 AS doc, 1 AS story"
    ),
    "the index's text from a view of its own": (
        "DROP VIEW search_text; CREATE VIEW search_text (row, title, excerpt, provider, "
        "topics, body) AS SELECT doc, load_extension('x'), '', '', '', '' FROM docs"
    ),
    "a dictionary that is not hexadecimal": (
        "UPDATE meta SET value = 'not hex' WHERE key = 'records_dictionary'"
    ),
    "a generation that is not a number": "UPDATE meta SET value = 'x' WHERE key = 'generation'",
    "a setting of its own": "INSERT INTO meta (key, value) VALUES ('planted', '1')",
    "roots that are not a list": "UPDATE meta SET value = '{}' WHERE key = 'roots'",
}


@pytest.mark.parametrize("craft", sorted(CRAFTED))
def test_a_crafted_snapshot_is_discarded_and_rebuilt(cache, corpus, craft):
    newsq.load([corpus]).close()
    path = snapshot_path([str(corpus)])
    conn = sqlite3.connect(path)
    conn.executescript(CRAFTED[craft])
    conn.close()
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted(TITLES)
        assert index.changes.parsed == 3  # rebuilt from the files
        master = index.snapshot.conn.execute("SELECT name FROM sqlite_master").fetchall()
        assert ("planted",) not in master
        assert len(index.stories(min_documents=None, min_articles=None)) == 3  # tables again


def test_verbose_says_why_a_snapshot_was_rebuilt(cli, cache, corpus):
    cli("list", "--data", corpus)
    conn = sqlite3.connect(snapshot_path([str(corpus)]))
    conn.execute(CRAFTED["an index of its own"])
    conn.close()
    result = cli("list", "--data", corpus, "-v")
    assert (
        "newsq: the snapshot found was not what this newsq makes (tables, views, triggers or "
        "settings): rebuilt\n"
    ) in result.stderr
    assert "parsed 3 files" in result.stderr


def test_a_value_no_snapshot_holds_is_refused_by_the_schema(cache, corpus):
    newsq.load([corpus]).close()
    conn = sqlite3.connect(snapshot_path([str(corpus)]))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        conn.execute("UPDATE docs SET date_us = ?", (2**63 - 1,))
    conn.close()


@pytest.mark.parametrize("command", [["list"], ["show", "0"], ["stats"], ["stories"]])
def test_a_value_planted_past_the_schema_is_damage_and_rebuilt(corpus, tmp_path, command):
    env = environment(XDG_CACHE_HOME=str(tmp_path / "xdg"))
    args = [newsq_executable(), *command, "--data", str(corpus), "--format", "json"]
    expected = subprocess.run(args, capture_output=True, env=env, timeout=120)
    conn = sqlite3.connect(snapshot_path([str(corpus)], tmp_path / "xdg" / "newsq"))
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE docs SET date_us = ?", (2**63 - 1,))
    conn.commit()
    conn.close()
    result = subprocess.run(args, capture_output=True, env=env, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected.stdout, b"")


# --- a cache folder that is not the user's alone ------------------------------------------------


def test_snapshots_are_the_users_alone(cache, corpus):
    newsq.load([corpus]).close()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    for path in cache.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_folder_others_can_write_to_is_not_used(cache, corpus):
    cache.mkdir(parents=True)
    cache.chmod(0o777)
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted(TITLES)
        assert index.cache_problem == (
            f"not using the cache folder: other users can write to {cache} (chmod 700 it to use it)"
        )
    assert list(cache.iterdir()) == []


def test_a_folder_of_the_users_own_others_may_read_is_closed_to_them(cache, corpus):
    cache.mkdir(parents=True)
    cache.chmod(0o755)  # as an older newsq made it
    with newsq.load([corpus]) as index:
        assert index.cache_problem is None
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_a_folder_owned_by_another_user_is_not_used(cache, corpus, cli):
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    cache.mkdir(parents=True)
    os.chown(cache, 65534, 65534)
    cache.chmod(0o755)
    result = cli("list", "--data", corpus, "--format", "jsonl", "--fields", "title")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == (
        f"newsq: not using the cache folder: {cache} belongs to another user (uid 65534); "
        "indexing without a snapshot\n"
    )
    assert list(cache.iterdir()) == []


def test_a_snapshot_file_that_is_a_link_is_never_opened(cache, corpus, tmp_path):
    elsewhere = tmp_path / "elsewhere.sqlite"
    newsq.load([corpus]).close()
    path = snapshot_path([str(corpus)])
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted(TITLES)
        assert index.changes.parsed == 3  # built anew, in place of the link
    assert not path.is_symlink()


def test_a_lock_that_is_a_link_creates_nothing(cache, corpus, tmp_path):
    cache.mkdir(parents=True, mode=0o700)
    target = tmp_path / "target"
    lock = snapshot_path([str(corpus)]).with_name(snapshot_path([str(corpus)]).name + ".lock")
    lock.symlink_to(target)
    with newsq.load([corpus]) as index:
        assert titles(index) == sorted(TITLES)
        assert index.cache_problem == f"not using the cache folder: {lock} is a symbolic link"
    assert not target.exists()


# --- a lock held by a stopped run -----------------------------------------------------------


def test_waiting_for_a_stopped_run_says_so_and_gives_up(tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    for n in range(3000):
        (root / f"doc{n:04d}.md").write_text(
            document(f"Story {n}", "2021-01-01T00:00:00Z", excerpt="x" * 300)
        )
    env = environment(XDG_CACHE_HOME=str(tmp_path / "xdg"), NEWSQ_LOCK_WAIT="3")
    args = [newsq_executable(), "list", "--all", "--format", "jsonl", "--data", str(root)]
    holder = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    building = snapshot_path([str(root)], tmp_path / "xdg" / "newsq").with_suffix(".sqlite.new")
    deadline = time.monotonic() + 60
    while not building.exists() and holder.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if holder.poll() is not None:
        pytest.skip("indexing ended before it could be stopped")
    os.kill(holder.pid, signal.SIGSTOP)
    try:
        waiter = subprocess.run(args, capture_output=True, env=env, timeout=120)
    finally:
        os.kill(holder.pid, signal.SIGCONT)
    _, held = holder.communicate(timeout=120)
    assert holder.returncode == 0, held
    assert waiter.returncode == 0
    assert len(waiter.stdout.splitlines()) == 3000
    assert waiter.stderr.decode() == (
        f"newsq: waiting for another newsq (pid {holder.pid}) indexing this corpus…\n"
        f"newsq: not using the snapshot: another newsq (pid {holder.pid}) has been indexing "
        "this corpus for over 3 s; indexing without a snapshot\n"
    )


# --- a document with 50,000 topics --------------------------------------------------------


@pytest.fixture
def many_topics(write_corpus) -> Path:
    topics = "".join(f"  - topic {n:05d}\n" for n in range(50_000))
    return write_corpus(
        {
            "many.md": f"---\ntitle: Many\npublishedDateTime: 2020-01-01T00:00:00Z\n"
            f"topics:\n{topics}---\n",
            "few.md": document("Few", "2020-01-02T00:00:00Z", topics=["topic 00007", "AI"]),
        }
    )


def test_fifty_thousand_topics_are_counted_in_linear_time(cli, many_topics):
    counted = cli("topics", "--data", many_topics, "--format", "jsonl")
    rows = [json.loads(line) for line in counted.stdout.splitlines()]
    assert len(rows) == 50_001
    assert rows[0] == {"topic": "topic 00007", "count": 2}
    assert rows[1:3] == [{"topic": "AI", "count": 1}, {"topic": "topic 00000", "count": 1}]
    stats = json.loads(cli("stats", "--data", many_topics, "--json").stdout)
    assert stats["topics"][:2] == [
        {"topic": "topic 00007", "count": 2},
        {"topic": "AI", "count": 1},
    ]
    unknown = cli("list", "--data", many_topics, "--topic", "topik 00042")
    assert unknown.stderr == (
        "newsq: no document has topic 'topik 00042'; did you mean 'topic 00042', "
        "'topic 40042' or 'topic 40004'?\nnewsq: no documents match\n"
    )


# --- answers larger than memory ---------------------------------------------------------------


def test_a_streamed_json_array_is_the_array_written_at_once(cli, seeds):
    from newsq.render import formats

    for items in ([], [{"a": 1}], [{"a": [1, {"b": "x\n\u2028"}]}, 2, "three", None]):
        assert "".join(formats.json_array_text(items)) == formats.to_json(items)


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--all"],
        ["list", "--all", "--json"],
        ["list", "--all", "--format", "csv", "--fields", "id,title,topics"],
        ["list", "--all", "--fields", "id,provider.name"],
        ["search", "story", "--all", "--format", "jsonl"],
        ["search", "story", "--all"],
        ["stories", "--all", "--min-size", "1"],
    ],
)
def test_pages_of_an_answer_read_as_the_answer_at_once(cli, write_corpus, monkeypatch, args):
    """Drawn or written a page at a time, a large answer is the same bytes as written
    whole: small pages make every answer here a large one."""
    from newsq.cli import run

    root = write_corpus(
        {
            f"d{n:02d}.md": document(
                f"Story {n} {'long ' * (n % 5)}title",
                f"2020-06-{n % 28 + 1:02d}T00:00:00Z",
                topics=[f"T{n % 3}"],
                provider={"name": f"Outlet {n % 4}", "domain": f"o{n % 4}.example"},
            )
            for n in range(23)
        }
    )
    whole = cli(*args, "--data", root)
    monkeypatch.setattr(run, "PAGE", 5)
    monkeypatch.setattr(run, "BATCH", 3)
    # (a `--fields` table on a terminal is fitted by newsq when paged, not by rich)
    terminal = (
        []
        if "--fields" in args and "--format" not in args
        else [{"FORCE_COLOR": "1", "COLUMNS": "70"}]
    )
    for env in (None, *terminal):
        paged = cli(*args, "--data", root, env=env)
        at_once = whole if env is None else None
        if at_once is None:
            monkeypatch.setattr(run, "PAGE", 1000)
            at_once = cli(*args, "--data", root, env=env)
            monkeypatch.setattr(run, "PAGE", 5)
        assert paged.stdout == at_once.stdout
        assert paged.exit_code == 0
