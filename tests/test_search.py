"""Ranked full-text search through the index: each operator and field, stemming,
accents, ranking, snippets, related coverage and filters.

Seed facts used (read off seeds/*.txt): "Rekognition" is in the excerpt of ID4 and
in the excerpt of ID0's one related article (its URL in ID4's coverage is not
searched); ID4 lists 16 related articles, ID0 one (HotNewHipHop, 2020-06-11T14:12Z,
quality 42).
"""

from __future__ import annotations

import itertools
import json

import pytest
from conftest import ALL_IDS, ID0, ID1, ID2, ID3, ID4
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsq
import newsq.index.snippets as index_module
from newsq.index import Hit, UnknownIdError
from newsq.model import QueryError
from newsq.query.filters import Filter
from newsq.query.language import SearchSyntaxError


def ids(hits) -> list[str]:
    return [h.id for h in hits]


def doc(title: str, date: str = "2021-01-01T00:00:00Z", body: str = "", **fields) -> str:
    lines = ["---", f"title: {json.dumps(title)}", f"publishedDateTime: {date}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join([*lines, "---", body])


@pytest.fixture
def words_index(write_corpus):
    """One document per kind of match, each with a filler of plain words around it."""
    root = write_corpus(
        {
            "bans.md": doc("Council bans the practice", excerpt="A vote on Tuesday."),
            "banning.md": doc("Banning it, slowly", excerpt="Another vote in June."),
            "zurich.md": doc("News from Zürich", excerpt="The city council met."),
            "zurich-plain.md": doc("Zurich again", excerpt="Nothing else."),
            "phrase.md": doc("Facial recognition at the border", excerpt="Cameras went up."),
            "apart.md": doc("Recognition of facial features", excerpt="A study."),
            "prefix.md": doc("Recognising faces", excerpt="Software does it."),
            "provider.md": doc("A plain day", excerpt="Little news.", provider={"name": "Zebra"}),
            "topic.md": doc("Another day", excerpt="Quiet.", topics=["Zebra Studies", "AI"]),
            "body.md": doc("A third day", excerpt="Calm.", body="A zebra crossed the road.\n"),
            "title.md": doc("Zebra escapes", excerpt="From the zoo."),
            "excerpt.md": doc("An escape", excerpt="A zebra left the zoo."),
        }
    )
    with newsq.load([root]) as index:
        yield index


# --- words, operators and fields ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # stemming: every form of the word
        ("banned", ["banning", "bans"]),
        ("bans", ["banning", "bans"]),
        # accents and case do not count
        ("zurich", ["zurich", "zurich-plain"]),
        ("ZÜRICH", ["zurich", "zurich-plain"]),
        # phrases keep order and adjacency
        ('"facial recognition"', ["phrase"]),
        ("facial recognition", ["apart", "phrase"]),
        # prefixes
        ("recog*", ["apart", "phrase", "prefix"]),
        # OR, NOT and -
        ("bans OR zurich", ["banning", "bans", "zurich", "zurich-plain"]),
        ("zurich -council", ["zurich-plain"]),
        ("zurich NOT council", ["zurich-plain"]),
        # fields
        ("title:zebra", ["title"]),
        ("excerpt:zebra", ["excerpt"]),
        ("provider:zebra", ["provider"]),
        ('topic:"zebra studies"', ["topic"]),
        ("body:zebra", ["body"]),
        ("zebra", ["body", "excerpt", "provider", "title", "topic"]),
        ("zebra -title:zebra -body:zebra", ["excerpt", "provider", "topic"]),
        ("title:(zebra OR zurich)", ["title", "zurich", "zurich-plain"]),
        # nothing
        ("quokka", []),
    ],
)
def test_operators_and_fields(words_index, query, expected):
    assert sorted(ids(words_index.search(query))) == expected


def test_the_title_counts_most_then_excerpt_provider_topics_body(words_index):
    assert ids(words_index.search("zebra")) == ["title", "excerpt", "provider", "topic", "body"]
    scores = [h.score for h in words_index.search("zebra")]
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] > 0


def test_only_exclusions_give_everything_else_unranked(words_index):
    found = words_index.search("-zebra -zurich")
    expected = ["apart", "banning", "bans", "phrase", "prefix"]
    assert ids(found) == expected  # all score 0: ties go by id
    assert {h.score for h in found} == {0.0}
    assert words_index.count(query="-zebra -zurich") == 5


def test_a_query_that_cannot_be_read_raises(words_index):
    with pytest.raises(SearchSyntaxError) as caught:
        words_index.search('"unclosed')
    assert caught.value.position == 0


# --- snippets -----------------------------------------------------------------------------


def test_snippet_is_the_excerpt_with_matches_marked(words_index):
    (hit,) = words_index.search("excerpt:zebra")
    assert hit == Hit(
        hit.entry, hit.score, "A zebra left the zoo.", ((2, 7),), matched=("excerpt:zebra",)
    )


def test_snippet_of_a_title_match_is_the_excerpt_start(words_index):
    (hit,) = words_index.search("title:slowly")  # in the title only: the excerpt's start
    assert (hit.snippet, hit.highlights) == ("Another vote in June.", ())


def test_snippet_comes_from_the_body_when_only_the_body_matches(words_index):
    (hit,) = words_index.search("body:zebra")
    assert (hit.snippet, hit.highlights) == ("A zebra crossed the road.", ((2, 7),))


def test_snippet_of_an_exclusion_is_the_excerpt_start(words_index):
    hit = words_index.search("-zebra -zurich", limit=1)[0]
    assert (hit.id, hit.snippet, hit.highlights) == ("apart", "A study.", ())


def test_long_snippets_are_cut_around_the_match(write_corpus):
    words = [f"w{i}" for i in range(60)]
    words[40] = "zebra"
    root = write_corpus({"long.md": doc("Long", excerpt=" ".join(words))})
    with newsq.load([root]) as index:
        (hit,) = index.search("zebra")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "zebra"
    assert len(hit.snippet.split()) == 20


def test_a_long_body_of_one_word_gets_its_passage_quickly(write_corpus):
    """FTS5's snippet() is quadratic in a column's matches: 40,000 matches would take
    minutes; chunk by chunk it takes a moment (not timed here: see benchmarks)."""
    root = write_corpus({"flood.md": doc("Flood", body="zebra " * 40_000)})
    with newsq.load([root]) as index:
        (hit,) = index.search("zebra")
    assert hit.snippet == " ".join(["zebra"] * 20) + "…"
    assert hit.highlights == tuple((6 * i, 6 * i + 5) for i in range(20))


def test_a_long_body_gives_the_passage_of_its_best_chunk(write_corpus, monkeypatch):
    monkeypatch.setattr(index_module, "LONG_TEXT", 100)
    monkeypatch.setattr(index_module, "CHUNK_WORDS", 30)
    words = [f"w{i}" for i in range(150)]
    words[70] = words[95] = "zebra"  # chunk 3 of 5 holds one, chunk 4 the other
    words[100] = "lion"
    root = write_corpus({"long.md": doc("Long", body=" ".join(words))})
    with newsq.load([root]) as index:
        (hit,) = index.search("zebra lion")
        (only_title,) = index.search("title:long")
    assert hit.snippet == "…" + " ".join(words[90:110]) + "…"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["zebra", "lion"]
    # No match in the body: the start of the body, as for a short one.
    assert (only_title.snippet, only_title.highlights) == (" ".join(words[:20]) + "…", ())


def test_a_long_body_whose_matches_no_chunk_holds_together_gives_its_start(
    write_corpus, monkeypatch
):
    monkeypatch.setattr(index_module, "LONG_TEXT", 100)
    monkeypatch.setattr(index_module, "CHUNK_WORDS", 30)
    words = [f"w{i}" for i in range(150)]
    words[10], words[100] = "zebra", "lion"
    root = write_corpus({"long.md": doc("Long", body=" ".join(words))})
    with newsq.load([root]) as index:
        (hit,) = index.search("zebra lion", exact=True)
        (forgiving,) = index.search("zebra lion")
    assert (hit.snippet, hit.highlights) == (" ".join(words[:20]) + "…", ())
    # read forgivingly, a chunk with either word matches: the first that ranks best
    assert [forgiving.snippet[s:e] for s, e in forgiving.highlights] == ["zebra"]


def test_snippet_marks_in_the_data_are_not_taken_for_the_search_marks(write_corpus):
    root = write_corpus({"odd.md": doc("Odd", excerpt="a \x02zebra\x03 b zebra")})
    with newsq.load([root]) as index:
        (hit,) = index.search("zebra")
        record = index["odd"]
    assert record["excerpt"] == "a \x02zebra\x03 b zebra"  # the record keeps the exact text
    assert hit.snippet == "a zebra b zebra"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["zebra", "zebra"]


# --- the seeds ------------------------------------------------------------------------------


def test_rekognition_in_the_seeds(seed_index):
    (hit,) = seed_index.search("rekognition")
    assert hit.id == ID4
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Rekognition"]


def test_related_articles_are_searched_with_related(seed_index):
    found = seed_index.search("rekognition", related=True)
    assert sorted(ids(found)) == [f"{ID0}#1", ID4]
    related = next(h for h in found if h.id == f"{ID0}#1")
    entry = related.entry
    assert (
        entry.title == "Police Banned From Using Amazon's Facial Recognition Technology For A Year"
    )
    assert (entry.provider_name, entry.quality, entry.related) == ("HotNewHipHop", 42, 0)
    assert entry.date.isoformat() == "2020-06-11T14:12:00+00:00"
    # the parent's topics, category, heat and published flag
    assert entry.topics == ("Computer Vision", "AI")
    assert (entry.category, entry.heat, entry.published) == ("news", 99, True)


def test_related_hits_count(seed_index):
    assert seed_index.count(query="facial recognition") == 5
    documents_and_coverage = seed_index.count(query="facial recognition", related=True)
    assert documents_and_coverage == len(seed_index.search("facial recognition", related=True))
    assert documents_and_coverage > 5


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"provider": "hotnewhiphop"}, [f"{ID0}#1"]),  # the related article's own provider
        ({"provider": "qz"}, [ID4]),
        ({"since": "2020-06-11T15:00"}, [ID4]),  # the related article's own date: 14:12
        ({"until": "2020-06-11T15:00"}, [f"{ID0}#1"]),
        ({"min_quality": 50}, [ID4]),  # its own quality, 42
        ({"topic": "Computer Vision"}, [f"{ID0}#1", ID4]),  # the parent's topics
        ({"topic": "Natural Language Processing"}, []),
        ({"published": True}, [f"{ID0}#1"]),  # the parent's flag
        ({"min_heat": 90}, [f"{ID0}#1"]),  # the parent's heat
    ],
)
def test_filters_combine_with_related_search(seed_index, criteria, expected):
    found = seed_index.search("rekognition", related=True, sort="date", **criteria)
    assert sorted(ids(found)) == expected


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"topic": "Natural Language Processing"}, [ID3]),
        ({"provider": ["forbes", "qz"]}, [ID0, ID4]),
        ({"since": "2020-06-12"}, [ID2, ID3]),
        ({"min_quality": 80}, [ID0, ID4]),
        ({"published": False}, [ID1, ID2, ID3, ID4]),
    ],
)
def test_filters_combine_with_search(seed_index, criteria, expected):
    found = seed_index.search("microsoft", **criteria)
    assert sorted(ids(found)) == expected
    assert seed_index.count(Filter.build(**criteria), "microsoft") == len(expected)


def test_every_seed_names_microsoft_in_its_title(seed_index):
    assert sorted(ids(seed_index.search("title:microsoft"))) == ALL_IDS


@pytest.mark.parametrize("sort", ["date", "quality", "heat", "title"])
def test_search_sorts_like_filter(seed_index, sort):
    for reverse in (False, True):
        hits = seed_index.search("police", sort=sort, reverse=reverse)
        entries = seed_index.filter(sort=sort, reverse=reverse)
        assert ids(hits) == [e.id for e in entries if e.id in set(ids(hits))]


def test_relevance_reversed_is_worst_first(seed_index):
    best = seed_index.search("amazon police rekognition")
    worst = seed_index.search("amazon police rekognition", reverse=True)
    assert [h.score for h in worst] == sorted(h.score for h in best)


def test_relevance_is_for_search_only(seed_index):
    with pytest.raises(QueryError):
        seed_index.select(Filter(), sort="relevance")


# --- related articles by id -------------------------------------------------------------------


def test_resolve_a_related_article(seed_index):
    assert seed_index.resolve(f"{ID4}#16") == f"{ID4}#16"
    assert seed_index.resolve("52b45464#3") == f"{ID4}#3"
    for missing in (f"{ID4}#17", f"{ID4}#0", f"{ID0}#2", "zzz#1"):
        with pytest.raises(UnknownIdError):
            seed_index.resolve(missing)


def test_related_article_record_is_its_item_with_id_and_parent(seed_index):
    record = seed_index[f"{ID0}#1"]
    item = seed_index[ID0]["related"][0]
    assert record == {"id": f"{ID0}#1", "parent": ID0, **item}
    assert list(record)[:3] == ["id", "parent", "title"]
    assert seed_index.entry(f"{ID0}#1").title == item["title"]


def test_hit_records_carry_score_snippet_and_highlights(seed_index):
    hits = seed_index.search("rekognition", related=True, sort="date", reverse=True)
    records = seed_index.hit_records(hits)
    assert [r["id"] for r in records] == [f"{ID0}#1", ID4]
    related, document = records
    found = ["score", "snippet", "highlights", "matched", "missing", "corrections"]
    assert list(related)[:9] == ["id", "parent", *found, "title"]
    assert list(document)[:8] == ["id", *found, "category"]
    assert document["score"] == hits[1].score > 0
    start, end = document["highlights"][0]
    assert document["snippet"][start:end] == "Rekognition"
    assert (document["matched"], document["missing"], document["corrections"]) == (
        ["rekognition"],
        [],
        {},
    )
    # the rest is the record, exactly
    assert {k: v for k, v in document.items() if k not in found} == seed_index[ID4]


def test_a_related_item_that_is_not_a_mapping_has_no_article(write_corpus):
    text = doc("Parent", related=["just a title", {"title": "Zebra story"}])
    root = write_corpus({"p.md": text})
    with newsq.load([root]) as index:
        assert ids(index.search("zebra", related=True)) == ["p#2"]
        assert index.resolve("p#2") == "p#2"
        with pytest.raises(UnknownIdError):
            index.resolve("p#1")
        with pytest.raises(KeyError):
            index["p#1"]


def test_related_articles_follow_their_document_through_updates(write_corpus):
    root = write_corpus({"p.md": doc("Parent", related=[{"title": "Zebra story"}])})
    with newsq.load([root]) as index:
        assert ids(index.search("zebra", related=True)) == ["p#1"]
    (root / "p.md").write_text(doc("Parent", related=[{"title": "Okapi story"}]))
    with newsq.load([root]) as index:
        assert ids(index.search("zebra", related=True)) == []
        assert ids(index.search("okapi", related=True)) == ["p#1"]
    (root / "p.md").unlink()
    with newsq.load([root]) as index:
        assert ids(index.search("okapi", related=True)) == []
        assert index.count(query="-okapi", related=True) == 0


# --- any query, any filter ----------------------------------------------------------------

_WORDS = ["amazon", "police", "facial", "recogni*", '"facial recognition"', "title:microsoft"]
_PARTS = st.lists(
    st.sampled_from([*_WORDS, "OR", "-", "NOT", "(", ")", " ", "topic:", "zebra"]), max_size=10
)


@pytest.fixture(scope="module")
def seeds_once():
    with newsq.load() as index:
        yield index


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=_PARTS, related=st.booleans(), since=st.sampled_from([None, "2020-06-12"]))
def test_any_query_gives_hits_or_a_syntax_error(seeds_once, parts, related, since):
    text = " ".join(parts)
    try:
        hits = seeds_once.search(text, related=related, since=since)
    except SearchSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        return
    assert seeds_once.count(Filter.build(since=since), text, related=related) == len(hits)
    # best first: more of the query's words (by weight), then fewer of them corrected,
    # then the score
    coverages = [h.coverage for h in hits]
    assert coverages == sorted(coverages, reverse=True)
    for before, after in itertools.pairwise(hits):
        alike = (before.coverage, before.corrections) == (after.coverage, after.corrections)
        assert not alike or before.score >= after.score
    assert len({h.id for h in hits}) == len(hits)
    for hit in hits:
        assert all(hit.snippet[s:e].strip() for s, e in hit.highlights)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40))
def test_any_text_gives_hits_or_a_syntax_error(seeds_once, text):
    try:
        seeds_once.search(text, related=True)
    except SearchSyntaxError as exc:
        assert 0 <= exc.position <= len(text)


# --- ties -------------------------------------------------------------------------------------


@pytest.fixture
def tied_index(write_corpus):
    """Five documents equally relevant to "zebra", and one more so."""
    files = {f"{name}.md": doc("Zebra", excerpt="Plain words.") for name in "edcba"}
    files["top.md"] = doc("Zebra zebra", excerpt="Zebra.")
    root = write_corpus(files)
    with newsq.load([root]) as index:
        yield index


@pytest.mark.parametrize("limit", [None, 1, 2, 3, 6, 9])
def test_ties_go_by_id_whatever_the_limit(tied_index, limit):
    every = ["top", "a", "b", "c", "d", "e"]
    assert ids(tied_index.search("zebra", limit=limit)) == every[:limit]
    # the same with a filter, which takes the other way to rank
    found = tied_index.search("zebra", limit=limit, since="2000-01-01")
    assert ids(found) == every[:limit]


@pytest.fixture
def long_tie_index(write_corpus):
    """40 documents equally relevant to "zebra"; the 20 whose ids sort first were added
    last, so the full-text index holds them after the others."""
    write_corpus({f"m{n:02d}.md": doc("Zebra", excerpt="Plain words.") for n in range(20)})
    newsq.load([write_corpus({})]).close()
    root = write_corpus({f"a{n:02d}.md": doc("Zebra", excerpt="Plain words.") for n in range(20)})
    with newsq.load([root]) as index:
        assert index.changes.parsed == 20
        yield index


@pytest.mark.parametrize("limit", [1, 5, 19, 20, 21, 30, 40, 41])
def test_a_tie_longer_than_the_page_goes_by_id(long_tie_index, limit):
    every = [f"a{n:02d}" for n in range(20)] + [f"m{n:02d}" for n in range(20)]
    assert ids(long_tie_index.search("zebra", limit=limit)) == every[:limit]
    assert ids(long_tie_index.search("zebra", limit=limit, reverse=True)) == every[:limit]
    found = long_tie_index.search("zebra", limit=limit, since="2000-01-01")  # the other way
    assert ids(found) == every[:limit]


def test_ties_reversed_still_go_by_id(tied_index):
    assert ids(tied_index.search("zebra", reverse=True)) == ["a", "b", "c", "d", "e", "top"]
    assert ids(tied_index.search("zebra", reverse=True, limit=2)) == ["a", "b"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parts=st.lists(
        st.sampled_from([*_WORDS, "microsoft", "regulation", "OR"]), min_size=1, max_size=4
    ),
    related=st.booleans(),
    limit=st.integers(1, 12),
    reverse=st.booleans(),
)
def test_a_limit_is_the_start_of_every_hit(seeds_once, parts, related, limit, reverse):
    text = " ".join(parts)
    try:
        every = seeds_once.search(text, related=related, reverse=reverse)
    except SearchSyntaxError:
        return
    first = seeds_once.search(text, related=related, reverse=reverse, limit=limit)
    assert first == every[:limit]
    # ranking without a filter equals ranking under a filter every hit passes
    assert seeds_once.search(text, related=related, reverse=reverse, since="2000") == [
        h for h in every if h.entry.date is not None
    ]
