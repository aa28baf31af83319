"""Search that forgives: plain words rank rather than decide, words that carry no meaning are
left out, misspelt words are corrected; strict forms and `exact=True` keep their meaning.

Each corpus below is small and written for the rule it shows, so every expected id and
rank can be worked out by hand from it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import newsq
from newsq.index import matching as matching_module
from newsq.index.spelling import edits_allowed, one_edit
from newsq.query.filters import Filter
from newsq.store import terms as stored_terms
from newsq.store.cache import snapshot_path


def doc(title: str, excerpt: str = "", body: str = "", **fields: object) -> str:
    lines = ["---", f"title: {json.dumps(title)}", "publishedDateTime: 2021-01-01T00:00:00Z"]
    lines += [f"excerpt: {json.dumps(excerpt)}"] if excerpt else []
    lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join([*lines, "---", body])


def ids(hits) -> list[str]:
    return [hit.id for hit in hits]


# A corpus of how-to articles: every one is about apps (so "app" weighs next to nothing).
APPS = {
    "canvas-sharepoint.md": doc(
        "Build a canvas app from a SharePoint list", "Step by step, in ten minutes."
    ),
    "canvas.md": doc("Canvas apps explained", "What a canvas app is, and is not."),
    "sharepoint.md": doc("SharePoint lists for beginners", "Lists hold the data of an app."),
    "patch.md": doc("The Patch function", "Write records of an app back to their source."),
    "gallery.md": doc(
        "Gallery tips for any app",
        "A patch of colour, a function key and a use for every gallery of an app.",
    ),
    "timer.md": doc("Timer controls in an app", "Animations, redirects and refreshes."),
    "regulation.md": doc("App regulation in the EU", "Rules for every app store."),
    "covid.md": doc("A COVID-19 app", "Contact tracing in an app, and vaccine dates."),
    "the-who.md": doc("The Who", "A band, not an app."),
    "body.md": doc(
        "Release notes",
        "Changes to the app.",
        body="The gallery, the timer and the sharepoint connector all changed in this app, "
        "with tips.\n",
    ),
}


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    root = tmp_path_factory.mktemp("apps")
    for name, text in APPS.items():
        (root / name).write_text(text, encoding="utf-8")
    with newsq.load([root]) as index:
        yield index


# --- bare words rank rather than decide ------------------------------------------------------


def test_a_question_finds_the_article_with_all_its_words_first(apps):
    hits = apps.search("how do I build a canvas app with sharepoint?")
    assert ids(hits)[:4] == [
        "canvas-sharepoint",  # build, canvas, sharepoint (and app)
        "canvas",  # canvas: in 2 documents, rarer than sharepoint
        "sharepoint",  # sharepoint: in 3, in the title
        "body",  # in the body
    ]
    # then "app" alone: it is in every document, so it weighs next to nothing
    assert sorted(ids(hits)[4:]) == ["covid", "gallery", "patch", "regulation", "the-who", "timer"]
    assert {hit.coverage for hit in hits[4:]} == {0.0}
    first = hits[0]
    assert first.matched == ("build", "canvas", "app", "sharepoint")
    assert (first.missing, first.corrections, first.coverage) == ((), (), 1.0)
    assert hits[1].missing == ("build", "sharepoint")
    assert 0 < hits[2].coverage < hits[1].coverage < 1


def test_every_word_comes_first_whatever_its_score(apps):
    # "body" has all three words, in its body; "gallery" two of them, in its title
    hits = apps.search("gallery tips timer")
    assert ids(hits) == ["body", "gallery", "timer"]
    assert [hit.coverage for hit in hits] == [1.0, 0.666667, 0.333333]  # (each in 2 documents)
    assert hits[0].score < hits[1].score


def test_rarer_words_weigh_more(apps):
    # "canvas" is in 2 documents, "sharepoint" in 3: one with canvas alone ranks above one
    # with sharepoint alone, though BM25 likes the latter's short title as well
    hits = apps.search("canvas sharepoint")
    assert ids(hits) == ["canvas-sharepoint", "canvas", "sharepoint", "body"]


def test_words_that_carry_no_meaning_never_decide(apps):
    hits = apps.search("how to use the patch function")
    assert ids(hits) == ["patch", "gallery"]  # "use" and "the" left out: patch, function
    query = apps.matching("how to use the patch function").query
    assert query.dropped == ("how", "to", "use", "the")
    assert query.words == ("patch", "function")


def test_a_query_of_such_words_only_searches_them_as_words(apps):
    hits = apps.search("the who")
    assert ids(hits)[0] == "the-who"
    assert hits[0].matched == ("the", "who")
    # then the documents with "the" (in nearly half: it weighs next to nothing)
    assert sorted(ids(hits)[1:]) == ["body", "patch", "regulation", "sharepoint"]


def test_exact_requires_every_word(apps):
    assert ids(apps.search("build canvas sharepoint", exact=True)) == ["canvas-sharepoint"]
    assert ids(apps.search("how do I build a canvas app with sharepoint?", exact=True)) == []
    assert apps.count(query="canvas sharepoint", exact=True) == 1
    assert apps.count(query="canvas sharepoint") == 4


def test_a_word_with_punctuation_is_one_phrase_that_forgives(apps):
    hits = apps.search("covid-19 vaccine tracing apps")
    assert ids(hits)[0] == "covid"
    assert hits[0].matched == ("covid-19", "vaccine", "tracing", "apps")


# --- strict forms stay strict ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"canvas app"', ["canvas", "canvas-sharepoint"]),
        ('"app canvas"', []),
        ("title:sharepoint", ["sharepoint", "canvas-sharepoint"]),
        ("title:sharepiont", []),  # a field is exact: no correction
        ('"sharepiont"', []),  # a phrase too
        ("sharepo*", ["sharepoint", "canvas-sharepoint", "body"]),
        ("sharepio*", []),  # (a prefix is exact: no correction)
        ("canvas OR sharepiont", ["canvas", "canvas-sharepoint"]),  # OR: every word exact
        ("canvas AND sharepoint", ["canvas-sharepoint"]),
        ("canvas -sharepoint", ["canvas"]),
        ("-app", []),
    ],
)
def test_strict_forms_keep_their_meaning(apps, query, expected):
    assert ids(apps.search(query)) == expected


def test_a_bare_word_beside_a_phrase_forgives_and_the_phrase_decides(apps):
    hits = apps.search('sharepiont "canvas app"')
    assert ids(hits) == ["canvas-sharepoint", "canvas"]  # the phrase is required
    assert hits[0].matched == ("sharepiont", '"canvas app"')
    assert hits[0].corrections == (("sharepiont", "sharepoint"),)
    assert (hits[1].matched, hits[1].missing) == (('"canvas app"',), ("sharepiont",))


def test_words_beside_an_exclusion_forgive(apps):
    assert ids(apps.search("gallery timer -sharepoint")) == ["timer", "gallery"]


def test_left_out_words_beside_a_strict_term_leave_it_alone(apps):
    query = apps.matching('the "canvas app"').query
    assert (query.words, query.dropped) == ((), ("the",))
    assert ids(apps.search('the "canvas app"')) == ["canvas", "canvas-sharepoint"]


# --- misspellings ---------------------------------------------------------------------------


def test_a_misspelt_word_is_corrected(apps):
    found = apps.matching("sharepiont")
    (word,) = found.terms
    assert (word.docs, [c.word for c in word.corrections]) == (0, ["sharepoint"])
    assert found.corrected == (word,) and not found.widened and not found.unknown
    hits = apps.search("sharepiont")
    assert ids(hits) == ["sharepoint", "canvas-sharepoint", "body"]
    assert all(hit.corrections == (("sharepiont", "sharepoint"),) for hit in hits)
    # the corrected word is highlighted as any match
    assert [hits[0].snippet[s:e] for s, e in hits[0].highlights] == []  # (in the title)
    (in_body,) = apps.search("sharepiont", where=Filter(), limit=3)[2:]
    assert [in_body.snippet[s:e] for s, e in in_body.highlights] == ["sharepoint"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("sharepiont", "sharepoint"),  # two letters swapped: one edit
        ("galery", "gallery"),  # one left out
        ("timmer", "timer"),  # one doubled
        ("patcj", "patch"),  # one changed, in 5 letters
        ("regulaton", "regulation"),  # a slip in the ending the stemmer takes off
        ("sharepoimt", "sharepoint"),
        ("sahrepiont", "sharepoint"),  # two edits, in 10 letters
        ("functoin", "function"),
    ],
)
def test_corrections_within_the_edits_allowed(apps, typed, meant):
    (word,) = apps.matching(typed).terms
    assert [c.word for c in word.corrections] == [meant]


@pytest.mark.parametrize(
    "typed",
    [
        "tmer",  # 4 letters: no edit allowed
        "gaxxery",  # 7 letters, two edits from gallery
        "xyzzyx",  # nothing near
        "365x",  # not letters only
    ],
)
def test_no_correction_past_the_edits_allowed(apps, typed):
    (word,) = apps.matching(typed).terms
    assert word.corrections == ()
    assert apps.search(typed) == []


def test_the_edits_allowed_grow_with_the_word():
    assert [edits_allowed("x" * n) for n in (1, 4, 5, 8, 9, 20)] == [0, 0, 1, 1, 2, 2]
    assert "galery" in one_edit("gallery") and "gallery" not in one_edit("gallery")
    assert len(one_edit("abc")) == len(set(one_edit("abc")))


def test_exact_and_stemmed_matches_rank_above_corrected_ones(write_corpus):
    # "sharepiont" is in two documents (a typo there), "sharepoint" in 45: the word is
    # barely in the corpus, so the common spelling is searched for too, below it
    files = {f"sp{n:02}.md": doc(f"SharePoint note {n}", "About SharePoint.") for n in range(45)}
    files["typo.md"] = doc("A sharepiont migration", "Moving lists.")
    files["other.md"] = doc("Sharepionts and lists", "Plural, stemmed.")
    with newsq.load([write_corpus(files)]) as index:
        found = index.matching("sharepiont")
        hits = index.search("sharepiont", limit=None)
    (word,) = found.terms
    assert word.docs == 2 and [c.word for c in word.corrections] == ["sharepoint"]
    assert found.widened == (word,) and not found.corrected
    assert sorted(ids(hits)[:2]) == ["other", "typo"]  # as typed, or stemmed
    assert len(hits) == 47 and all(h.corrections for h in hits[2:])
    assert hits[0].corrections == () and hits[0].coverage == hits[2].coverage == 1.0


def test_a_word_many_documents_have_is_not_corrected(write_corpus):
    files = {f"a{n}.md": doc(f"Gallery {n}") for n in range(3)}
    files["b.md"] = doc("Galley proofs")  # in one document, but a word in its own right
    with newsq.load([write_corpus(files)]) as index:
        (galley,) = index.matching("galley").terms
    assert galley.corrections == ()  # "gallery" is in 3: not 20 times as common


def test_related_coverage_gets_the_same_treatment(write_corpus):
    related = [{"title": "Zebra crossing reopens", "excerpt": "A timer for the lights."}]
    root = write_corpus({"a.md": doc("Traffic news", related=related), "b.md": doc("Zebra facts")})
    with newsq.load([root]) as index:
        hits = index.search("zebar crossing", related=True)
        assert ids(index.search("zebar crossing")) == ["b"]
    assert ids(hits) == ["a#1", "b"]
    assert hits[0].corrections == (("zebar", "zebra"),)
    assert hits[0].matched == ("zebar", "crossing")
    assert hits[1].missing == ("crossing",)


# --- the answer is the same however it is read ----------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "how do I build a canvas app with sharepoint?",
        "sharepiont gallery",
        "the who",
        'sharepiont "canvas app"',
        "canvas OR timer",
        "app -canvas",
    ],
)
@pytest.mark.parametrize("where", [Filter(), Filter.build(since="2020")])
def test_streamed_paged_and_counted_alike(apps, query, where):
    every = apps.search(query, where)
    assert ids(apps.stream_search(query, where)) == ids(every)
    assert ids(apps.search(query, where, limit=3)) == ids(every)[:3]
    assert apps.count(where, query) == len(every)
    reverse = apps.search(query, where, reverse=True)
    assert sorted(ids(reverse)) == sorted(ids(every))
    assert [h.coverage for h in reverse] == sorted(h.coverage for h in every)


def test_a_huge_query_searches_its_first_words(apps):
    words = [f"word{n}" for n in range(10_000)]
    huge = " ".join(["gallery", "timer", *words])
    found = apps.matching(huge)
    assert len(found.left_out) == 10_002 - matching_module.MAX_WORDS
    assert ids(apps.search(huge)) == ids(apps.search("gallery timer"))
    assert apps.search(" ".join(words), exact=True) == []


# --- the kept list of terms -----------------------------------------------------------------


def _gallery(tmp_path, monkeypatch) -> Path:
    """A corpus of one document ("Gallery tips"), with a cache of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.md").write_text(doc("Gallery tips"), encoding="utf-8")
    return root


def test_the_list_of_terms_is_kept_and_read_again_after_a_change(tmp_path, monkeypatch):
    root = _gallery(tmp_path, monkeypatch)
    with newsq.load([root]) as index:
        assert index.snapshot.conn.execute("SELECT COUNT(*) FROM terms").fetchone() == (0,)
        assert ids(index.search("galery")) == ["a"]
        generation = index.snapshot.generation()
        assert stored_terms.stamp(index.snapshot.conn) == generation
    (root / "b.md").write_text(doc("Zebra facts"), encoding="utf-8")
    with newsq.load([root]) as index:
        assert stored_terms.stamp(index.snapshot.conn) == generation  # (until needed)
        assert ids(index.search("zebar")) == ["b"]
        assert stored_terms.stamp(index.snapshot.conn) == index.snapshot.generation()


def test_a_damaged_list_of_terms_is_damage(tmp_path, monkeypatch):
    root = _gallery(tmp_path, monkeypatch)
    with newsq.load([root]) as index:
        index.search("galery")
    conn = sqlite3.connect(snapshot_path([str(root)]))
    with conn:
        conn.execute("UPDATE terms SET docs = x'0102'")
    conn.close()
    with newsq.load([root]) as index, pytest.raises(sqlite3.DatabaseError):
        index.search("galery")
