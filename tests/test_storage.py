"""What the snapshot stores, and how compactly: records deflated with a dictionary
learnt from the corpus's first records, read back exactly, damage found and rebuilt;
the full-text index's text kept nowhere but derived from them, exactly as indexed."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import ID0, REAL_CORPUS, newsq_executable
from test_process import environment

import newsq
from newsq.corpus import bundled_seeds
from newsq.ingest.update import LEARN_FROM
from newsq.store import stories
from newsq.store.cache import snapshot_path
from newsq.store.rows import (
    DICTIONARY_BYTES,
    FEATURES_SEPARATOR,
    RecordCodec,
    register_record_text,
)
from newsq.store.schema import FEATURES_DICTIONARY_KEY, RECORD_DICTIONARY_KEY
from newsq.store.search_text import register_search_text

RECORDS = [
    {"id": "a", "title": "Zürich — ünïcode 🎉", "nested": {"list": [1, 2.5, None, True]}},
    {"id": "b", "excerpt": "", "quality": 1e300, "heat": -0.0, "topics": []},
    {"id": "c", "body": 'line\nline\ttab \u2028 \\ " quote', "n": 12345678901234567890},
]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of the test's own: each snapshot here is built by the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    return tmp_path / "cache-home"


def compact(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("codec", [RecordCodec(b""), RecordCodec.trained(map(compact, RECORDS))])
def test_a_record_reads_back_as_the_same_json(codec):
    for record in RECORDS:
        packed = codec.pack(record)
        assert isinstance(packed, bytes)
        assert codec.text(packed) == compact(record)
        assert codec.unpack(packed) == record


def test_the_primed_packer_packs_what_a_fresh_compressor_packs():
    import pickle
    import zlib

    from newsq.store.rows import TextCodec

    codec = RecordCodec.trained(map(compact, RECORDS * 3))
    texts = [compact(r) for r in RECORDS] * 2 + ["", "x" * 70_000, "Zürich 🎉" * 999]
    for text in texts:
        fresh = zlib.compressobj(3, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, codec.dictionary)
        assert codec.pack_text(text) == fresh.compress(text.encode()) + fresh.flush()
        assert codec.text(codec.pack_text(text)) == text
    # as the workers get it: pickled (without the compressor), and packing the same
    for sent in (codec, TextCodec(b""), RecordCodec(b"")):
        received = pickle.loads(pickle.dumps(sent))
        assert type(received) is type(sent) and received.dictionary == sent.dictionary
        assert [received.pack_text(t) for t in texts] == [sent.pack_text(t) for t in texts]


def test_the_dictionary_is_the_end_of_the_samples_json():
    long = [{"id": str(n), "text": "x" * 5000 + str(n)} for n in range(8)]
    codec = RecordCodec.trained(map(compact, long))
    assert codec.dictionary == "".join(map(compact, long)).encode()[-DICTIONARY_BYTES:]
    assert len(codec.dictionary) == DICTIONARY_BYTES


def test_bytes_that_are_not_a_record_are_damage():
    codec = RecordCodec.trained(map(compact, RECORDS))
    packed = codec.pack(RECORDS[0])
    for broken in (b"\x00\x11\x22", packed[:-3], packed[:2] + bytes(len(packed) - 2)):
        with pytest.raises(sqlite3.DatabaseError, match="stored text that cannot be read"):
            codec.text(broken)


def test_a_new_snapshot_learns_its_dictionary_from_its_first_records(cache_home, write_corpus):
    files = {f"{n:02d}.md": f"---\ntitle: Story number {n}\n---\n" for n in range(30)}
    corpus = write_corpus(files)
    with newsq.load([corpus]) as index:
        first = index.records([f"{n:02d}" for n in range(LEARN_FROM)])
        all_records = index.records(sorted(e.id for e in index))
        features = [
            FEATURES_SEPARATOR.join(c[1:])
            for c in list(stories.Features(index.snapshot.conn).rows())[:LEARN_FROM]
        ]
    db = sqlite3.connect(snapshot_path([str(corpus)]))
    try:
        stored = dict(db.execute("SELECT key, value FROM meta"))
    finally:
        db.close()
    learnt = "".join(map(compact, first)).encode()[-DICTIONARY_BYTES:]
    assert bytes.fromhex(stored[RECORD_DICTIONARY_KEY]) == learnt
    learnt = "".join(features).encode()[-DICTIONARY_BYTES:]
    assert bytes.fromhex(stored[FEATURES_DICTIONARY_KEY]) == learnt
    assert features[0] == "stori number\n" + FEATURES_SEPARATOR + "[[],[]]" + FEATURES_SEPARATOR
    assert [r["title"] for r in all_records] == [f"Story number {n}" for n in range(30)]


def test_records_in_sql_are_the_records_as_json(cache_home):
    with newsq.load([bundled_seeds()]) as index:
        expected = index[ID0]
        with index.sql(f"SELECT record FROM documents WHERE id = '{ID0}'") as rows:
            assert [json.loads(record) for (record,) in rows] == [expected]


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="the real corpus sample is not here")
def test_records_take_less_than_half_their_json(cache_home):
    with newsq.load([REAL_CORPUS]) as index:
        path = index.snapshot.path
        as_json = sum(len(compact(r).encode()) for r in index.records(list(index)))
    db = sqlite3.connect(path)
    try:
        (packed,) = db.execute("SELECT SUM(length(packed)) FROM records").fetchone()
    finally:
        db.close()
    assert packed < as_json / 2


@pytest.mark.parametrize(("table", "command"), [("records", "show"), ("story_features", "stories")])
def test_damaged_packed_text_is_found_and_the_snapshot_rebuilt(tmp_path: Path, table, command):
    """A record (or story features) that cannot be read is damage: the command removes
    the snapshot and runs again, which rebuilds it (a real process: the retry is the
    entry point's)."""
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    for seed in bundled_seeds().iterdir():
        (corpus / seed.name).write_bytes(seed.read_bytes())
    env = environment(XDG_CACHE_HOME=str(tmp_path / "cache-home"))
    show = [newsq_executable(), command, "--format", "json", "--data", str(corpus)]
    show[2:2] = [ID0] if command == "show" else []
    before = subprocess.run(show, capture_output=True, env=env, check=True)
    path = tmp_path / "cache-home" / "newsq" / snapshot_path([str(corpus)]).name
    db = sqlite3.connect(path)
    try:
        db.execute(
            f"UPDATE {table} SET packed = x'00112233' "
            "WHERE doc = (SELECT doc FROM docs WHERE id = ?)",
            (ID0,),
        )
        db.commit()
    finally:
        db.close()
    after = subprocess.run(show, capture_output=True, env=env)
    assert (after.returncode, after.stdout, after.stderr) == (0, before.stdout, b"")


# --- the full-text index's text, derived from what is stored ---------------------------------

HTML_DOC = """---
title: Police and <b>facial</b> recognition
excerpt: "<p>Cities &amp; counties <span>ban</span> it</p>"
provider: {name: Example News}
topics: [Computer Vision, AI]
related:
  - title: A related article
    excerpt: "<em>Council</em> votes &mdash; unanimously"
    provider: {name: Other Outlet}
  - not a mapping
  - title: Second coverage
    excerpt: 2020-06-11
---
<div>Body &nbsp;text with <a href="x">a link</a></div>
"""


def fts_check(path: Path) -> list[tuple]:
    """FTS5's own check of the index against the text it is derived from (raises when
    they differ), and every term with the rows and places it is in."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA trusted_schema = ON")
        register_record_text(db)
        register_search_text(db)
        db.execute("INSERT INTO search (search) VALUES ('integrity-check')")
        db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, search, row)")
        return db.execute("SELECT term, doc, cnt FROM temp.v ORDER BY term").fetchall()
    finally:
        db.close()


def test_the_index_reads_back_the_text_it_was_given(cache_home, write_corpus):
    corpus = write_corpus({"a.md": HTML_DOC, "b.md": "---\ntitle: Plain\nexcerpt: words\n---\n"})
    with newsq.load([corpus]) as index:
        path = index.snapshot.path
        rows = index.snapshot.conn.execute(
            "SELECT rowid, title, excerpt, provider, topics, body FROM search ORDER BY rowid"
        ).fetchall()
    assert [row[1:] for row in rows] == [
        (
            "Police and <b>facial</b> recognition",
            "Cities & counties ban it",
            "Example News",
            "Computer Vision \ue000 AI",
            "Body  text with a link",
        ),
        ("Plain", "words", "", "", ""),
        (
            "A related article",
            "Council votes — unanimously",
            "Other Outlet",
            "Computer Vision \ue000 AI",
            "",
        ),
        ("Second coverage", "2020-06-11", "", "Computer Vision \ue000 AI", ""),
    ]
    assert [row[0] for row in rows] == [1, 2, 2**40 + 1, 2**40 + 2]
    terms = {term for term, _, _ in fts_check(path)}
    assert {"council", "unanim", "bodi", "link"} <= terms
    assert not terms & {"nbsp", "span", "div", "em", "mdash", "href"}


def test_an_update_takes_out_exactly_the_words_it_put_in(cache_home, write_corpus):
    corpus = write_corpus({"a.md": HTML_DOC, "b.md": "---\ntitle: Plain\nexcerpt: words\n---\n"})
    newsq.load([corpus]).close()
    (corpus / "a.md").write_text(HTML_DOC.replace("facial", "iris").replace("Council", "Mayor"))
    (corpus / "b.md").unlink()
    (corpus / "c.md").write_text("---\ntitle: Third\n---\nA body\n")
    with newsq.load([corpus]) as index:
        assert index.changes == newsq.Changes(parsed=2, removed=1)
        updated = fts_check(index.snapshot.path)
    fresh_home = cache_home.parent / "fresh"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(fresh_home))
        with newsq.load([corpus]) as index:
            assert index.changes.parsed == 2
            fresh = fts_check(index.snapshot.path)
    assert updated == fresh
    assert ("mayor", 1, 1) in updated
    assert not [term for term, _, _ in updated if term in ("facial", "council", "plain", "words")]


def test_values_are_asked_of_sqlite_in_parts_it_takes():
    """`in_parts`: no statement gets more than `IN_AT_ONCE` values, and every value is
    asked once, in order, each part with its own placeholders."""
    from newsq.store.schema import IN_AT_ONCE, in_parts

    values = list(range(2 * IN_AT_ONCE + 1))
    parts = list(in_parts(values))
    assert [len(part) for part, _ in parts] == [IN_AT_ONCE, IN_AT_ONCE, 1]
    assert [v for part, _ in parts for v in part] == values
    assert parts[-1][1] == "?" and parts[0][1] == ", ".join(["?"] * IN_AT_ONCE)
    assert list(in_parts([])) == []
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO t VALUES (?)", ((n,) for n in range(0, 3000, 2)))
    found = [
        n
        for part, marks in parts
        for (n,) in db.execute(f"SELECT n FROM t WHERE n IN ({marks}) ORDER BY n", part)
    ]
    assert found == list(range(0, 2 * IN_AT_ONCE + 1, 2))
