"""The index over the bundled seeds: filters, search, lookups, facets and statistics.

Expected values come from reading seeds/*.txt:

    id    publishedDateTime     quality heat published provider (domain)          topics    related
    ID0   2020-06-11T20:54:00Z  89      99   true      Forbes (forbes.com)         CV, AI    1
    ID1   2020-06-11T16:42:00Z  27      -1   false     Washington Post (...)       CV, AI    2
    ID2   2020-06-12T11:06:00Z  37      -1   false     Fast Company (...)          CV, AI    2
    ID3   2020-07-03T05:43:00Z  6       -1   false     Local News 8 (...)          NLP, AI   2
    ID4   2020-06-11T21:57:00Z  87      -1   false     Quartz (qz.com)             CV, AI    16

All are `category: news`, `type: article`, with no body.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from conftest import ALL_IDS, ID0, ID1, ID2, ID3, ID4, NEWEST_FIRST

import newsq
from newsq.index import (
    AmbiguousIdError,
    ProviderCount,
    Suggestion,
    TopicCount,
    UnknownIdError,
)
from newsq.index.stats import period_count, timeline
from newsq.model import Entry
from newsq.query.filters import Filter

WAPO = "washingtonpost.com"

UTC = dt.timezone.utc


def ids(entries) -> list[str]:
    return [e.id for e in entries]


# --- the collection ---------------------------------------------------------------------


class TestCollection:
    def test_len(self, seed_index):
        assert len(seed_index) == 5

    def test_iteration_yields_entries_in_load_order(self, seed_index):
        entries = list(seed_index)
        assert all(isinstance(e, Entry) for e in entries)
        assert ids(entries) == ALL_IDS

    @pytest.mark.parametrize("doc_id", ALL_IDS)
    def test_contains_every_seed(self, seed_index, doc_id):
        assert doc_id in seed_index

    @pytest.mark.parametrize("doc_id", ["000", "bc1330c7", "nope", "", None, 0])
    def test_contains_only_exact_ids(self, seed_index, doc_id):
        assert doc_id not in seed_index

    def test_getitem_is_the_full_record(self, seed_index, seeds):
        record = seed_index[ID0]
        assert list(record)[:4] == ["id", "category", "title", "excerpt"]
        assert list(record)[-2:] == ["secured", "path"]
        assert record["id"] == ID0
        assert record["title"] == (
            "Microsoft Won\u2019t Sell Facial Recognition To American Cops After Protests"
        )
        assert record["publishedDateTime"] == "2020-06-11T20:54:00Z"
        assert record["quality"] == 89
        assert record["heat"] == 99
        assert record["published"] is True
        assert record["provider"]["name"] == "Forbes"
        assert record["provider"]["domain"] == "forbes.com"
        assert record["topics"] == ["Computer Vision", "AI"]
        assert record["related"][0]["publishedDateTime"] == "2020-06-11T14:12:00Z"
        assert record["related"][0]["provider"] == {
            "name": "HotNewHipHop",
            "domain": "hotnewhiphop.com",
        }
        assert record["images"][0]["width"] == 1199
        assert record["path"] == str(seeds / f"{ID0}.txt")
        assert "body" not in record

    @pytest.mark.parametrize("doc_id", ["000", "missing", ""])
    def test_getitem_unknown_raises_key_error(self, seed_index, doc_id):
        with pytest.raises(KeyError):
            seed_index[doc_id]

    def test_entry_columns_of_a_seed(self, seed_index, seeds):
        assert seed_index.entry(ID4) == Entry(
            id=ID4,
            path=str(seeds / f"{ID4}.txt"),
            title="Amazon and Microsoft pause police facial recognition and demand regulation",
            date=dt.datetime(2020, 6, 11, 21, 57, tzinfo=UTC),
            category="news",
            type="article",
            quality=87,
            heat=-1,
            published=False,
            provider_name="Quartz",
            provider_domain="qz.com",
            topics=("Computer Vision", "AI"),
            related=16,
        )

    @pytest.mark.parametrize(
        ("doc_id", "date", "quality", "heat", "published", "provider", "topics", "related"),
        [
            (ID0, (6, 11, 20, 54), 89, 99, True, ("Forbes", "forbes.com"), "CV", 1),
            (ID1, (6, 11, 16, 42), 27, -1, False, ("Washington Post", WAPO), "CV", 2),
            (ID2, (6, 12, 11, 6), 37, -1, False, ("Fast Company", "fastcompany.com"), "CV", 2),
            (ID3, (7, 3, 5, 43), 6, -1, False, ("Local News 8", "localnews8.com"), "NLP", 2),
            (ID4, (6, 11, 21, 57), 87, -1, False, ("Quartz", "qz.com"), "CV", 16),
        ],
    )
    def test_seed_columns(
        self, seed_index, doc_id, date, quality, heat, published, provider, topics, related
    ):
        e = seed_index.entry(doc_id)
        assert e.date == dt.datetime(2020, *date, tzinfo=UTC)
        assert (e.quality, e.heat, e.published) == (quality, heat, published)
        assert (e.provider_name, e.provider_domain) == provider
        first_topic = {"CV": "Computer Vision", "NLP": "Natural Language Processing"}[topics]
        assert e.topics == (first_topic, "AI")
        assert e.related == related
        assert (e.category, e.type) == ("news", "article")

    def test_seeds_load_without_problems(self, seed_index):
        assert seed_index.problems == []
        assert seed_index.skipped == 0


# --- the record is the front matter, lossless ----------------------------------------------


def _iso_utc(value):
    """The test's own conversion of loaded YAML values: datetimes to YYYY-MM-DDTHH:MM:SSZ."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dict):
        return {k: _iso_utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_utc(v) for v in value]
    return value


@pytest.mark.parametrize("doc_id", ALL_IDS)
def test_record_equals_the_front_matter_loaded_independently(seed_index, seeds, doc_id):
    path = seeds / f"{doc_id}.txt"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front_matter, closing, rest = text[4:].partition("\n---\n")
    assert closing
    assert rest.strip() == ""
    loaded = yaml.safe_load(front_matter)
    expected = {"id": doc_id, **_iso_utc(loaded), "path": str(path)}
    record = seed_index[doc_id]
    assert record == expected
    assert list(record) == list(expected)


# --- filters -------------------------------------------------------------------------------


class TestFilter:
    @pytest.mark.parametrize(
        ("criteria", "expected"),
        [
            ({}, NEWEST_FIRST),
            ({"topic": "Computer Vision"}, [ID2, ID4, ID0, ID1]),
            ({"topic": "computer vision"}, [ID2, ID4, ID0, ID1]),
            ({"topic": "COMPUTER VISION"}, [ID2, ID4, ID0, ID1]),
            ({"topic": "Natural Language Processing"}, [ID3]),
            ({"topic": "AI"}, NEWEST_FIRST),
            ({"topic": "Robotics"}, []),
            ({"topic": "Computer"}, []),
            ({"topic": ["AI", "Computer Vision"]}, [ID2, ID4, ID0, ID1]),
            ({"topic": ["natural language processing", "ai"]}, [ID3]),
            ({"topic": ["Computer Vision", "Natural Language Processing"]}, []),
            ({"provider": "Forbes"}, [ID0]),
            ({"provider": "forbes"}, [ID0]),
            ({"provider": "forbes.com"}, [ID0]),
            ({"provider": "FORBES.COM"}, [ID0]),
            ({"provider": "Washington Post"}, [ID1]),
            ({"provider": "washingtonpost"}, [ID1]),
            ({"provider": "washingtonpost.com"}, [ID1]),
            ({"provider": "quartz"}, [ID4]),
            ({"provider": "qz"}, [ID4]),
            ({"provider": "qz.com"}, [ID4]),
            ({"provider": "Local News 8"}, [ID3]),
            ({"provider": "localnews8"}, [ID3]),
            ({"provider": "fastcompany.com"}, [ID2]),
            ({"provider": ["forbes", "quartz"]}, [ID4, ID0]),
            ({"provider": "wash"}, []),
            ({"provider": "bbc"}, []),
            ({"category": "news"}, NEWEST_FIRST),
            ({"category": "NEWS"}, NEWEST_FIRST),
            ({"category": "blog"}, []),
            ({"type": "article"}, NEWEST_FIRST),
            ({"type": "Article"}, NEWEST_FIRST),
            ({"type": "video"}, []),
            ({"since": "2020-06-12"}, [ID3, ID2]),
            ({"since": "2020-07"}, [ID3]),
            ({"since": "2020-06-11T21:00:00Z"}, [ID3, ID2, ID4]),
            ({"since": "2020-06-11T20:54:00Z"}, [ID3, ID2, ID4, ID0]),
            ({"since": "2020-06-11T22:54:00+02:00"}, [ID3, ID2, ID4, ID0]),
            ({"since": "2020-07-04"}, []),
            ({"until": "2020-06-11"}, [ID4, ID0, ID1]),
            ({"until": "2020-06"}, [ID2, ID4, ID0, ID1]),
            ({"until": "2020-06-11T20:54:00Z"}, [ID0, ID1]),
            ({"until": "2020-06-11T16:41:59Z"}, []),
            ({"since": "2020-06-11", "until": "2020-06-11"}, [ID4, ID0, ID1]),
            ({"since": "2020-06-12", "until": "2020-06-30"}, [ID2]),
            ({"since": "2020", "until": "2020"}, NEWEST_FIRST),
            ({"since": dt.date(2020, 6, 12)}, [ID3, ID2]),
            ({"min_quality": 87}, [ID4, ID0]),
            ({"min_quality": 88}, [ID0]),
            ({"min_quality": 30}, [ID2, ID4, ID0]),
            ({"min_quality": 90}, []),
            ({"min_quality": 0}, NEWEST_FIRST),
            ({"min_heat": 0}, [ID0]),
            ({"min_heat": -1}, NEWEST_FIRST),
            ({"min_heat": 100}, []),
            ({"published": True}, [ID0]),
            ({"published": False}, [ID3, ID2, ID4, ID1]),
        ],
    )
    def test_single_criteria(self, seed_index, criteria, expected):
        assert ids(seed_index.filter(**criteria)) == expected

    @pytest.mark.parametrize(
        ("criteria", "expected"),
        [
            ({"topic": "Computer Vision", "min_quality": 30}, [ID2, ID4, ID0]),
            ({"topic": "Computer Vision", "published": False, "until": "2020-06-11"}, [ID4, ID1]),
            ({"topic": "Computer Vision", "provider": "forbes"}, [ID0]),
            ({"topic": "Natural Language Processing", "provider": "forbes"}, []),
            (
                {"provider": ["forbes", "qz", "localnews8"], "since": "2020-06-11T21:00Z"},
                [ID3, ID4],
            ),
            (
                {"topic": "AI", "min_quality": 20, "min_heat": -1, "published": False},
                [ID2, ID4, ID1],
            ),
            ({"category": "news", "type": "article", "since": "2020-06-12"}, [ID3, ID2]),
        ],
    )
    def test_combinations(self, seed_index, criteria, expected):
        assert ids(seed_index.filter(**criteria)) == expected

    def test_keyword_api(self, seed_index):
        assert ids(seed_index.filter(topic="Computer Vision", provider="forbes")) == [ID0]

    def test_filter_object(self, seed_index):
        where = Filter.build(topic="Computer Vision", min_quality=30)
        assert ids(seed_index.filter(where)) == [ID2, ID4, ID0]

    def test_filter_object_and_keywords_together_is_an_error(self, seed_index):
        with pytest.raises(TypeError):
            seed_index.filter(Filter.build(topic="AI"), provider="forbes")

    @pytest.mark.parametrize(
        ("sort", "reverse", "expected"),
        [
            ("date", False, [ID3, ID2, ID4, ID0, ID1]),
            ("date", True, [ID1, ID0, ID4, ID2, ID3]),
            ("quality", False, [ID0, ID4, ID2, ID1, ID3]),
            ("quality", True, [ID3, ID1, ID2, ID4, ID0]),
            ("heat", False, [ID0, ID1, ID2, ID3, ID4]),
            ("heat", True, [ID1, ID2, ID3, ID4, ID0]),
            ("title", False, [ID4, ID3, ID0, ID1, ID2]),
            ("title", True, [ID2, ID1, ID0, ID3, ID4]),
        ],
    )
    def test_sort_orders(self, seed_index, sort, reverse, expected):
        assert ids(seed_index.filter(sort=sort, reverse=reverse)) == expected

    def test_default_sort_is_newest_first(self, seed_index):
        assert ids(seed_index.filter()) == [ID3, ID2, ID4, ID0, ID1]

    def test_sorted_filter_result(self, seed_index):
        found = seed_index.filter(topic="Computer Vision", sort="quality")
        assert ids(found) == [ID0, ID4, ID2, ID1]

    def test_bad_date_raises_query_error(self, seed_index):
        with pytest.raises(newsq.QueryError):
            seed_index.filter(since="garbage")

    def test_bad_sort_raises_query_error(self, seed_index):
        with pytest.raises(newsq.QueryError):
            seed_index.filter(sort="nope")


# --- search -------------------------------------------------------------------------------


class TestSearch:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            # the word is in ID4's excerpt (ID0 has it only inside `related`, not searched)
            ("rekognition", [ID4]),
            ("REKOGNITION", [ID4]),
            ("Rekognition police", [ID4]),
            # every title holds "Microsoft"
            ("microsoft", NEWEST_FIRST),
            # both words in title or excerpt of all but ID2
            ("amazon ibm", [ID3, ID4, ID0, ID1]),
            ("IBM Amazon", [ID3, ID4, ID0, ID1]),
            # provider names
            ("forbes", [ID0]),
            ("fast company", [ID2]),
            ("quartz", [ID4]),
            # topics
            ("natural language", [ID3]),
            ("computer vision", [ID2, ID4, ID0, ID1]),
            # all words must appear
            ("rekognition forbes", []),
            ("xylophone", []),
            # web addresses and domains are not searched
            ("thomasbrewster", []),
            ("qz.com", []),
        ],
    )
    def test_words(self, seed_index, query, expected):
        assert ids(seed_index.search(query, sort="date", exact=True)) == expected

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            # forgiving: any of the words, those with all of them first (police is in
            # every document, so weighs next to nothing: BM25 orders the rest)
            ("Rekognition police", [ID4, ID2, ID1, ID3, ID0]),
            ("fast company", [ID2, ID1]),  # (only they say "company")
            ("rekognition forbes", [ID4, ID0]),
            ("xylophone", []),
            ("thomasbrewster", []),
        ],
    )
    def test_words_forgive(self, seed_index, query, expected):
        assert ids(seed_index.search(query)) == expected

    def test_search_with_filter_keywords(self, seed_index):
        assert ids(seed_index.search("amazon ibm", provider="forbes")) == [ID0]
        assert ids(seed_index.search("microsoft", topic="Natural Language Processing")) == [ID3]

    def test_search_with_filter_object(self, seed_index):
        found = seed_index.search("amazon", Filter.build(published=False), sort="date")
        assert ids(found) == [ID3, ID4, ID1]

    def test_search_sorted(self, seed_index):
        found = seed_index.search("amazon ibm", sort="quality")
        assert ids(found) == [ID0, ID4, ID1, ID3]

    def test_search_looks_in_body(self, write_corpus):
        root = write_corpus(
            {
                "a.md": "---\ntitle: First\ndate: 2020-01-01\n---\nA zebra crossed.\n",
                "b.md": "---\ntitle: Second\ndate: 2020-01-02\n---\nNo stripes here.\n",
                "c.md": "---\ntitle: Third Zebra\ndate: 2020-01-03\nother: quokka\n---\n",
            }
        )
        index = newsq.load([root])
        assert ids(index.search("zebra", sort="date")) == ["c", "a"]
        assert ids(index.search("ZEBRA crossed", exact=True)) == ["a"]
        assert ids(index.search("ZEBRA crossed")) == ["a", "c"]  # both words, then one
        assert ids(index.search("stripes")) == ["b"]
        assert ids(index.search("quokka")) == []


# --- lookups ------------------------------------------------------------------------------


class TestResolve:
    @pytest.mark.parametrize(
        ("ref", "expected"),
        [
            (ID0, ID0),
            (ID4, ID4),
            ("000_bc1330c771dbc5b0", ID0),
            ("000", ID0),
            ("000_bc", ID0),
            ("003", ID3),
            ("bc1330c7", ID0),
            ("bc", ID0),
            ("52b4", ID4),
            ("f5098144ecc78018", ID2),
            ("0dfa", ID3),
            ("218d", ID1),
            (f"  {ID1}  ", ID1),
        ],
    )
    def test_resolves(self, seed_index, ref, expected):
        assert seed_index.resolve(ref) == expected

    def test_ambiguous_prefix_lists_every_candidate_sorted(self, seed_index):
        with pytest.raises(AmbiguousIdError) as caught:
            seed_index.resolve("00")
        assert caught.value.ref == "00"
        assert caught.value.candidates == ALL_IDS

    def test_ambiguous_prefix_of_some(self, seed_index):
        # "0" starts every id and the hex part of ID3 ("0dfa9dda0334464e")
        with pytest.raises(AmbiguousIdError) as caught:
            seed_index.resolve("0")
        assert caught.value.candidates == ALL_IDS

    @pytest.mark.parametrize("ref", ["zzz", "005", "bc1330c8", "", "   ", f"{ID0}x"])
    def test_unknown(self, seed_index, ref):
        with pytest.raises(UnknownIdError):
            seed_index.resolve(ref)

    def test_unknown_keeps_the_reference(self, seed_index):
        with pytest.raises(UnknownIdError) as caught:
            seed_index.resolve("zzz")
        assert caught.value.ref == "zzz"

    def test_errors_are_lookup_errors(self):
        assert issubclass(UnknownIdError, LookupError)
        assert issubclass(AmbiguousIdError, LookupError)

    def test_nested_ids_resolve_by_last_part_and_hex(self, write_corpus):
        doc = "---\ntitle: T\ndate: 2020-01-01\n---\n"
        root = write_corpus({"news/2020/007_abcdef.md": doc, "news/2021/008_123456.md": doc})
        index = newsq.load([root])
        assert index.resolve("news/2020") == "news/2020/007_abcdef"
        assert index.resolve("007") == "news/2020/007_abcdef"
        assert index.resolve("abc") == "news/2020/007_abcdef"
        assert index.resolve("1234") == "news/2021/008_123456"
        with pytest.raises(AmbiguousIdError) as caught:
            index.resolve("news")
        assert caught.value.candidates == ["news/2020/007_abcdef", "news/2021/008_123456"]


# --- facets and statistics -----------------------------------------------------------------


class TestFacets:
    def test_topics(self, seed_index):
        assert seed_index.topics() == [
            TopicCount("AI", 5),
            TopicCount("Computer Vision", 4),
            TopicCount("Natural Language Processing", 1),
        ]

    def test_topics_of_some_entries(self, seed_index):
        chosen = seed_index.filter(since="2020-06-12")
        assert seed_index.topics(chosen) == [
            TopicCount("AI", 2),
            TopicCount("Computer Vision", 1),
            TopicCount("Natural Language Processing", 1),
        ]

    def test_providers(self, seed_index):
        assert seed_index.providers() == [
            ProviderCount("Fast Company", "fastcompany.com", 1),
            ProviderCount("Forbes", "forbes.com", 1),
            ProviderCount("Local News 8", "localnews8.com", 1),
            ProviderCount("Quartz", "qz.com", 1),
            ProviderCount("Washington Post", "washingtonpost.com", 1),
        ]

    def test_topics_differing_in_case_count_as_one(self, write_corpus):
        root = write_corpus(
            {
                "a.md": "---\ntitle: A\ndate: 2020-01-01\ntopics: [Machine Learning, AI]\n---\n",
                "b.md": "---\ntitle: B\ndate: 2020-01-02\ntopics: [machine learning]\n---\n",
                "c.md": "---\ntitle: C\ndate: 2020-01-03\ntopics: [ai, AI, Robots]\n---\n",
            }
        )
        index = newsq.load([root])
        assert index.topics() == [
            TopicCount("AI", 2),
            TopicCount("Machine Learning", 2),
            TopicCount("Robots", 1),
        ]
        assert index.topics(list(index)) == index.topics()  # counted in Python: the same
        assert ids(index.filter(topic="ai")) == ["c", "a"]

    def test_providers_most_first(self, write_corpus):
        def article(title, name, domain):
            return (
                f"---\ntitle: {title}\ndate: 2020-01-01\n"
                f"provider:\n  name: {name}\n  domain: {domain}\n---\n"
            )

        root = write_corpus(
            {
                "a.md": article("A", "Zeta", "zeta.com"),
                "b.md": article("B", "Alpha", "alpha.com"),
                "c.md": article("C", "Zeta", "zeta.com"),
                "d.md": "---\ntitle: D\ndate: 2020-01-01\n---\n",
            }
        )
        index = newsq.load([root])
        assert index.providers() == [
            ProviderCount("Zeta", "zeta.com", 2),
            ProviderCount("Alpha", "alpha.com", 1),
        ]


class TestStats:
    def test_seed_stats(self, seed_index):
        stats = seed_index.stats()
        assert stats["documents"] == 5
        assert stats["related"] == 23
        assert stats["dated"] == 5
        assert stats["first"] == "2020-06-11T16:42:00Z"
        assert stats["last"] == "2020-07-03T05:43:00Z"
        assert stats["per_month"] == [
            {"month": "2020-06", "count": 4},
            {"month": "2020-07", "count": 1},
        ]
        assert stats["types"] == {"article": 5}
        assert stats["categories"] == {"news": 5}
        assert stats["topics"] == [
            {"topic": "AI", "count": 5},
            {"topic": "Computer Vision", "count": 4},
            {"topic": "Natural Language Processing", "count": 1},
        ]
        assert stats["providers"] == [
            {"name": "Fast Company", "domain": "fastcompany.com", "count": 1},
            {"name": "Forbes", "domain": "forbes.com", "count": 1},
            {"name": "Local News 8", "domain": "localnews8.com", "count": 1},
            {"name": "Quartz", "domain": "qz.com", "count": 1},
            {"name": "Washington Post", "domain": "washingtonpost.com", "count": 1},
        ]

    def test_stats_of_some_entries(self, seed_index):
        stats = seed_index.stats(seed_index.filter(topic="Computer Vision"))
        assert stats["documents"] == 4
        assert stats["related"] == 1 + 2 + 2 + 16
        assert stats["first"] == "2020-06-11T16:42:00Z"
        assert stats["last"] == "2020-06-12T11:06:00Z"
        assert stats["per_month"] == [{"month": "2020-06", "count": 4}]

    def test_top_limits_topics_and_providers(self, seed_index):
        stats = seed_index.stats(top=2)
        assert [t["topic"] for t in stats["topics"]] == ["AI", "Computer Vision"]
        assert [p["name"] for p in stats["providers"]] == ["Fast Company", "Forbes"]

    def test_empty_months_are_filled(self, write_corpus):
        root = write_corpus(
            {
                "a.md": "---\ntitle: A\npublishedDateTime: 2020-11-30T23:00:00Z\n---\n",
                "b.md": "---\ntitle: B\npublishedDateTime: 2021-02-01T00:30:00+01:00\n---\n",
                "c.md": "---\ntitle: C\npublishedDateTime: 2021-02-14T12:00:00Z\n---\n",
                "d.md": "---\ntitle: D\n---\n",
            }
        )
        stats = newsq.load([root]).stats()
        assert stats["documents"] == 4
        assert stats["dated"] == 3
        assert stats["first"] == "2020-11-30T23:00:00Z"
        assert stats["last"] == "2021-02-14T12:00:00Z"
        # b is 2021-01-31T23:30Z in UTC
        assert stats["per_month"] == [
            {"month": "2020-11", "count": 1},
            {"month": "2020-12", "count": 0},
            {"month": "2021-01", "count": 1},
            {"month": "2021-02", "count": 1},
        ]

    def test_stats_without_dates(self, write_corpus):
        root = write_corpus({"a.md": "---\ntitle: A\n---\n"})
        stats = newsq.load([root]).stats()
        assert stats["documents"] == 1
        assert stats["dated"] == 0
        assert stats["first"] is None
        assert stats["last"] is None
        assert stats["per_month"] == []
        assert stats["related"] == 0

    @pytest.mark.parametrize("entries", [None, "all"])
    def test_per_week_and_per_year(self, write_corpus, entries):
        root = write_corpus(
            {
                "a.md": "---\ntitle: A\npublishedDateTime: 2020-12-27T10:00:00Z\n---\n",
                "b.md": "---\ntitle: B\npublishedDateTime: 2020-12-31T10:00:00Z\n---\n",
                "c.md": "---\ntitle: C\npublishedDateTime: 2021-01-11T00:00:00Z\n---\n",
            }
        )
        index = newsq.load([root])
        chosen = list(index) if entries else None
        weeks = index.stats(chosen, by="week")
        assert "per_month" not in weeks
        assert weeks["per_week"] == [  # ISO weeks: 2020 has 53, and Monday starts each
            {"week": "2020-W52", "count": 1},
            {"week": "2020-W53", "count": 1},
            {"week": "2021-W01", "count": 0},
            {"week": "2021-W02", "count": 1},
        ]
        assert index.stats(chosen, by="year")["per_year"] == [
            {"year": "2020", "count": 2},
            {"year": "2021", "count": 1},
        ]

    def test_per_an_unknown_period_is_refused(self, seed_index):
        with pytest.raises(newsq.QueryError) as caught:
            seed_index.stats(by="fortnight")
        assert caught.value.option == "--by"

    def test_the_last_year_of_the_calendar(self, write_corpus):
        root = write_corpus(
            {"z.md": "---\ntitle: Z\npublishedDateTime: 9999-12-31T00:00:00Z\n---\n"}
        )
        index = newsq.load([root])
        assert index.stats(by="year")["per_year"] == [{"year": "9999", "count": 1}]
        assert index.stats(by="month")["per_month"] == [{"month": "9999-12", "count": 1}]
        assert index.stats(by="week")["per_week"] == [{"week": "9999-W52", "count": 1}]

    @pytest.mark.parametrize(
        ("most", "by", "periods"),
        # the seeds' dates: 23 days from 2020-06-11 to 2020-07-03, in 4 ISO weeks,
        # 2 months and a year
        [
            (50, "day", 23),
            (23, "day", 23),
            (22, "week", 4),
            (4, "week", 4),
            (3, "month", 2),
            (2, "month", 2),
            (1, "year", 1),
            (0, "year", 1),
        ],
    )
    def test_auto_is_the_smallest_period_that_fits(self, seed_index, most, by, periods):
        stats = seed_index.stats(by="auto", max_periods=most)
        assert (stats.by, len(stats.periods)) == (by, periods)
        assert stats.to_json()["by"] == by
        assert f"per_{by}" in stats.to_json()
        assert seed_index.stats(list(seed_index), by="auto", max_periods=most).by == by

    def test_auto_fits_fifty_periods_unless_told(self, seed_index):
        assert seed_index.stats(by="auto").by == "day"
        assert seed_index.stats(by="auto", related=True).periods[0].period == "2020-06-09"

    def test_auto_may_ask_a_function_of_the_summary_how_many_fit(self, seed_index):
        asked = []

        def fit(summary):
            asked.append(summary)
            return 30 - len(summary.topics) - len(summary.providers)  # 22: weeks

        stats = seed_index.stats(by="auto", max_periods=fit)
        assert stats.by == "week"
        (summary,) = asked
        assert (summary.documents, summary.dated, summary.periods, summary.peak) == (5, 5, (), None)

    def test_auto_without_dates(self, write_corpus):
        root = write_corpus({"a.md": "---\ntitle: A\n---\n"})
        stats = newsq.load([root]).stats(by="auto", max_periods=1)
        assert (stats.by, stats.periods, stats.peak) == ("day", (), None)

    @pytest.mark.parametrize(
        ("first", "last", "counts"),
        [
            ("2020-12-31", "2020-12-31", (1, 1, 1, 1)),
            ("2020-12-27", "2021-01-11", (16, 4, 2, 2)),  # a Sunday to a Monday
            ("2020-12-28", "2021-01-10", (14, 2, 2, 2)),  # a Monday to a Sunday
            ("2019-01-31", "2020-03-01", (396, 57, 15, 2)),  # a leap February
        ],
    )
    def test_period_counts_are_the_timeline_lengths(self, first, last, counts):
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        for by, count in zip(("day", "week", "month", "year"), counts, strict=True):
            assert period_count(start, end, by) == count
            assert len(timeline({start: 1, end: 1}, by)) == count

    def test_stats_of_nothing(self, seed_index):
        stats = seed_index.stats([])
        assert stats["documents"] == 0
        assert stats["topics"] == []
        assert stats["providers"] == []
        assert stats["types"] == {}
        assert stats["per_month"] == []


# --- pages and counts -----------------------------------------------------------------------


class TestPaging:
    @pytest.mark.parametrize("limit", [1, 2, 4, 5, 9])
    def test_select_with_a_limit_is_the_start_of_filter(self, seed_index, limit):
        every = seed_index.filter(sort="quality")
        assert seed_index.select(Filter(), sort="quality", limit=limit) == every[:limit]

    @pytest.mark.parametrize("sort", ["relevance", "date", "title"])
    def test_search_with_a_limit_is_the_start_of_search(self, seed_index, sort):
        every = seed_index.search("amazon ibm", sort=sort)
        assert len(every) == 4
        assert seed_index.search("amazon ibm", sort=sort, limit=2) == every[:2]

    @pytest.mark.parametrize(
        ("criteria", "query", "expected"),
        [
            ({}, None, 5),
            ({"topic": "computer vision"}, None, 4),
            ({"provider": "forbes"}, None, 1),
            ({}, "amazon ibm", 4),
            ({"published": False}, "amazon", 3),
            ({}, "xylophone", 0),
        ],
    )
    def test_count(self, seed_index, criteria, query, expected):
        assert seed_index.count(Filter.build(**criteria), query) == expected


# --- did you mean -----------------------------------------------------------------------------


class TestSuggestions:
    def test_a_topic_and_a_provider_no_document_has(self, seed_index):
        where = Filter.build(topic=["Computer Visoin", "AI"], provider=["forbs", "quartz"])
        assert seed_index.suggestions(where) == [
            Suggestion("--topic", "computer visoin", ("Computer Vision",)),
            Suggestion("--provider", "forbs", ("Forbes", "forbes.com")),
        ]

    def test_nothing_near(self, seed_index):
        where = Filter.build(topic="zzzz")
        assert seed_index.suggestions(where) == [Suggestion("--topic", "zzzz", ())]

    def test_known_values_need_no_suggestion(self, seed_index):
        where = Filter.build(topic="computer vision", provider=["forbes", "qz"])
        assert seed_index.suggestions(where) == []

    @pytest.mark.parametrize(
        ("ref", "expected"),
        [
            ("bc1330c8", [ID0]),  # a prefix of the hex part, mistyped at its end
            ("000_bc1330c771dbc5b1", [ID0]),
            ("00_bc1330", [ID0]),
            ("zzzz", []),
        ],
    )
    def test_closest_ids(self, seed_index, ref, expected):
        assert seed_index.closest_ids(ref) == expected

    def test_closest_ids_in_a_large_corpus_look_near_the_start(self, write_corpus):
        doc = "---\ntitle: T\n---\n"
        root = write_corpus({f"{n:04d}_{n * 7919 % 10007:08x}.md": doc for n in range(1200)})
        index = newsq.load([root])
        for ref in ("0777_0000223x", "0000223x"):  # the id mistyped; its hex part mistyped
            near = index.closest_ids(ref)
            assert near[0] == "0777_0000223d" and len(near) <= 3, near
