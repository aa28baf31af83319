"""Queries over entries: filters, provider names, date bounds and sort orders."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import ID0, ID1, ID2, ID3, ID4, NEWEST_FIRST

from newsq import model
from newsq.model import Entry, QueryError
from newsq.query.dates import date_bound, days_back
from newsq.query.filters import Filter, provider_keys, sort_entries

UTC = dt.timezone.utc


def entry(doc_id: str = "x", **fields) -> Entry:
    values = {
        "id": doc_id,
        "path": f"/corpus/{doc_id}.md",
        "title": "",
        "date": None,
        "category": None,
        "type": None,
        "quality": None,
        "heat": None,
        "published": None,
        "provider_name": None,
        "provider_domain": None,
        "topics": (),
        "related": 0,
    }
    values.update(fields)
    return Entry(**values)


def ids(entries) -> list[str]:
    return [e.id for e in entries]


# --- Filter.build -----------------------------------------------------------------


class TestFilterBuild:
    def test_empty_filter_has_no_conditions(self):
        assert Filter.build() == Filter()

    def test_single_strings_and_lists_are_folded_tuples(self):
        built = Filter.build(
            topic="Computer Vision",
            provider=["Forbes", " BBC "],
            category="News",
            type=("Article", "VIDEO"),
        )
        assert built.topics == ("computer vision",)
        assert built.providers == ("forbes", "bbc")
        assert built.categories == ("news",)
        assert built.types == ("article", "video")

    def test_blank_values_are_dropped(self):
        built = Filter.build(topic=["", "  ", "AI"], provider="")
        assert built.topics == ("ai",)
        assert built.providers == ()

    def test_dates_become_utc_bounds(self):
        built = Filter.build(since="2020-06-11", until="2020-06-11")
        assert built.since == dt.datetime(2020, 6, 11, tzinfo=UTC)
        assert built.until == dt.datetime(2020, 6, 11, 23, 59, 59, 999999, tzinfo=UTC)

    def test_numbers_and_published_pass_through(self):
        built = Filter.build(min_quality=50, min_heat=-1, published=False)
        assert (built.min_quality, built.min_heat, built.published) == (50, -1, False)

    @pytest.mark.parametrize("option", ["since", "until"])
    def test_bad_date_names_the_option(self, option):
        with pytest.raises(QueryError) as caught:
            Filter.build(**{option: "whenever"})
        assert caught.value.option == f"--{option}"

    @pytest.mark.parametrize(
        ("written", "expected"),
        [
            ("2020-06-11 10:00 GMT", dt.datetime(2020, 6, 11, 10, tzinfo=UTC)),
            ("2020-06-11 10:00 -0400", dt.datetime(2020, 6, 11, 14, tzinfo=UTC)),
            ("2020-06-11 10:00 -0400 (EDT)", dt.datetime(2020, 6, 11, 14, tzinfo=UTC)),
        ],
    )
    def test_dates_with_zones(self, written, expected):
        assert Filter.build(since=written).since == expected

    def test_a_zone_by_a_name_that_could_mean_several_is_refused(self):
        with pytest.raises(QueryError) as caught:
            Filter.build(since="2020-06-11 10:00 EDT")
        assert (caught.value.option, caught.value.reason) == (
            "--since",
            "time zone 'EDT' is unknown; give an offset such as -04:00, or UTC",
        )


# --- Filter.matches ----------------------------------------------------------------


ARTICLE = entry(
    "a",
    title="Story",
    date=dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC),
    category="news",
    type="article",
    quality=80,
    heat=10,
    published=True,
    provider_name="Forbes",
    provider_domain="forbes.com",
    topics=("Computer Vision", "AI"),
)
BARE = entry("bare")


class TestFilterMatches:
    @pytest.mark.parametrize(
        ("criteria", "expected"),
        [
            ({}, True),
            ({"topic": "AI"}, True),
            ({"topic": "ai"}, True),
            ({"topic": "COMPUTER VISION"}, True),
            ({"topic": ["AI", "Computer Vision"]}, True),
            ({"topic": ["AI", "Robotics"]}, False),
            ({"topic": "Computer"}, False),
            ({"provider": "Forbes"}, True),
            ({"provider": "forbes.com"}, True),
            ({"provider": "FORBES"}, True),
            ({"provider": ["bbc", "forbes"]}, True),
            ({"provider": "bbc"}, False),
            ({"provider": "forb"}, False),
            ({"category": "NEWS"}, True),
            ({"category": ["blog", "news"]}, True),
            ({"category": "blog"}, False),
            ({"type": "Article"}, True),
            ({"type": "video"}, False),
            ({"since": "2020-06-11"}, True),
            ({"since": "2020-06-11T20:54:00Z"}, True),
            ({"since": "2020-06-11T20:54:01Z"}, False),
            ({"until": "2020-06-11T20:54:00Z"}, True),
            ({"until": "2020-06-11T20:53:59Z"}, False),
            ({"until": "2020-06-11"}, True),
            ({"until": "2020-06-10"}, False),
            ({"since": "2020-06-12"}, False),
            ({"min_quality": 80}, True),
            ({"min_quality": 80.5}, False),
            ({"min_heat": 10}, True),
            ({"min_heat": 11}, False),
            ({"published": True}, True),
            ({"published": False}, False),
            ({"topic": "AI", "provider": "forbes", "since": "2020-06", "min_quality": 50}, True),
            ({"topic": "AI", "provider": "forbes", "since": "2020-07"}, False),
        ],
    )
    def test_article(self, criteria, expected):
        assert Filter.build(**criteria).matches(ARTICLE) is expected

    @pytest.mark.parametrize(
        "criteria",
        [
            {"topic": "AI"},
            {"provider": "forbes"},
            {"category": "news"},
            {"type": "article"},
            {"since": "1900"},
            {"until": "2999"},
            {"min_quality": -1000},
            {"min_heat": -1000},
            {"published": True},
            {"published": False},
        ],
    )
    def test_missing_values_never_match_a_condition_on_them(self, criteria):
        assert Filter.build(**criteria).matches(BARE) is False

    def test_empty_filter_matches_a_bare_entry(self):
        assert Filter().matches(BARE) is True


# --- provider names -----------------------------------------------------------------


class TestProviderKeys:
    def test_forbes_answers_to_name_domain_and_short_name(self):
        keys = provider_keys(entry(provider_name="Forbes", provider_domain="forbes.com"))
        assert keys == {"forbes", "forbes.com"}

    def test_www_bbc_co_uk_answers_to_bbc(self):
        keys = provider_keys(entry(provider_name="BBC News", provider_domain="www.bbc.co.uk"))
        assert {"bbc news", "www.bbc.co.uk", "bbc"} <= keys
        assert Filter.build(provider="bbc").matches(
            entry(provider_name="BBC News", provider_domain="www.bbc.co.uk")
        )

    def test_bbc_co_uk_without_www(self):
        assert "bbc" in provider_keys(entry(provider_domain="bbc.co.uk"))

    def test_domain_is_folded(self):
        keys = provider_keys(entry(provider_domain="WashingtonPost.com"))
        assert keys == {"washingtonpost.com", "washingtonpost"}

    def test_name_only(self):
        assert provider_keys(entry(provider_name="Reuters")) == {"reuters"}

    def test_single_label_domain(self):
        assert provider_keys(entry(provider_domain="localhost")) == {"localhost"}

    def test_no_provider(self):
        assert provider_keys(entry()) == set()


# --- date bounds ------------------------------------------------------------------------


class TestDateBound:
    @pytest.mark.parametrize(
        ("text", "end", "expected"),
        [
            ("2020-06-11", False, dt.datetime(2020, 6, 11, tzinfo=UTC)),
            ("2020-06-11", True, dt.datetime(2020, 6, 11, 23, 59, 59, 999999, tzinfo=UTC)),
            ("2020-06", False, dt.datetime(2020, 6, 1, tzinfo=UTC)),
            ("2020-06", True, dt.datetime(2020, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)),
            ("2020-02", True, dt.datetime(2020, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)),
            ("2021-02", True, dt.datetime(2021, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)),
            ("2020-07", True, dt.datetime(2020, 7, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            ("2020", False, dt.datetime(2020, 1, 1, tzinfo=UTC)),
            ("2020", True, dt.datetime(2020, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            ("2020-06-11T20:54:00Z", False, dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)),
            ("2020-06-11T20:54:00Z", True, dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)),
            ("2020-06-11T22:54:00+02:00", False, dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)),
            ("2020-06-11T01:00:00-05:00", True, dt.datetime(2020, 6, 11, 6, 0, tzinfo=UTC)),
            ("2020-06-11T20:54:00", False, dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)),
            ("  2020-06-11  ", False, dt.datetime(2020, 6, 11, tzinfo=UTC)),
        ],
    )
    def test_text(self, text, end, expected):
        option = "--until" if end else "--since"
        got = date_bound(text, option, end=end)
        assert got == expected
        assert got.utcoffset() == dt.timedelta(0)

    def test_none_is_no_bound(self):
        assert date_bound(None, "--since", end=False) is None

    @pytest.mark.parametrize(
        ("value", "end", "expected"),
        [
            (dt.date(2020, 6, 11), False, dt.datetime(2020, 6, 11, tzinfo=UTC)),
            (
                dt.date(2020, 6, 11),
                True,
                dt.datetime(2020, 6, 11, 23, 59, 59, 999999, tzinfo=UTC),
            ),
            (dt.datetime(2020, 6, 11, 8, 30), True, dt.datetime(2020, 6, 11, 8, 30, tzinfo=UTC)),
            (
                dt.datetime(2020, 6, 11, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                False,
                dt.datetime(2020, 6, 11, 6, 30, tzinfo=UTC),
            ),
        ],
    )
    def test_date_and_datetime_objects(self, value, end, expected):
        assert date_bound(value, "--since", end=end) == expected

    @pytest.mark.parametrize("option", ["--since", "--until"])
    @pytest.mark.parametrize("text", ["garbage", "2020-13-45", "not a date", "   "])
    def test_garbage_raises_query_error_naming_the_option(self, option, text):
        with pytest.raises(QueryError) as caught:
            date_bound(text, option, end=option == "--until")
        assert caught.value.option == option
        assert str(caught.value).startswith(f"{option}: ")

    def test_query_error_is_a_value_error(self):
        assert issubclass(QueryError, ValueError)


# --- sorting --------------------------------------------------------------------------


def day(n: int) -> dt.datetime:
    return dt.datetime(2020, 6, n, tzinfo=UTC)


SORTABLE = [
    entry("e", title="banana", date=day(2), quality=50, heat=None),
    entry("b", title="Cherry", date=None, quality=90, heat=5),
    entry("d", title="apple", date=day(3), quality=None, heat=5),
    entry("a", title="", date=day(2), quality=50, heat=1),
    entry("c", title="Apple", date=day(1), quality=10, heat=None),
    entry("f", title="", date=None, quality=None, heat=9),
]


class TestSortEntries:
    @pytest.mark.parametrize(
        ("key", "reverse", "expected"),
        [
            # newest first; ties (a, e on day 2) by id; undated b, f last by id
            ("date", False, ["d", "a", "e", "c", "b", "f"]),
            ("date", True, ["c", "a", "e", "d", "b", "f"]),
            # best first; ties (a, e at 50) by id; d, f without quality last
            ("quality", False, ["b", "a", "e", "c", "d", "f"]),
            ("quality", True, ["c", "a", "e", "b", "d", "f"]),
            ("heat", False, ["f", "b", "d", "a", "c", "e"]),
            ("heat", True, ["a", "b", "d", "f", "c", "e"]),
            # A to Z ignoring case; apple/Apple tie broken by id; untitled a, f last
            ("title", False, ["c", "d", "e", "b", "a", "f"]),
            ("title", True, ["b", "e", "c", "d", "a", "f"]),
        ],
    )
    def test_orders(self, key, reverse, expected):
        assert ids(sort_entries(SORTABLE, key, reverse)) == expected

    def test_default_is_date_newest_first(self):
        assert ids(sort_entries(SORTABLE)) == ["d", "a", "e", "c", "b", "f"]

    @pytest.mark.parametrize("reverse", [False, True])
    def test_input_order_does_not_matter(self, reverse):
        for key in ("date", "quality", "heat", "title"):
            forward = ids(sort_entries(SORTABLE, key, reverse))
            backward = ids(sort_entries(list(reversed(SORTABLE)), key, reverse))
            assert forward == backward

    def test_title_is_case_insensitive(self):
        titles = [entry(str(i), title=t) for i, t in enumerate(["b", "C", "a", "B2", "A1"])]
        assert [e.title for e in sort_entries(titles, "title")] == ["a", "A1", "b", "B2", "C"]

    def test_does_not_change_its_input(self):
        given = list(SORTABLE)
        sort_entries(given, "quality")
        assert given == SORTABLE

    def test_accepts_any_iterable(self):
        assert ids(sort_entries(iter(SORTABLE), "quality"))[0] == "b"

    def test_unknown_key_raises(self):
        with pytest.raises(QueryError) as caught:
            sort_entries(SORTABLE, "popularity")
        assert caught.value.option == "--sort"


# --- dates counted back from today ----------------------------------------------------------

NOW = dt.datetime(2026, 3, 31, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("today", dt.date(2026, 3, 31)),
        ("Today", dt.date(2026, 3, 31)),
        ("yesterday", dt.date(2026, 3, 30)),
        ("7d", dt.date(2026, 3, 24)),
        ("2w", dt.date(2026, 3, 17)),
        ("1m", dt.date(2026, 2, 28)),  # no 31 February: the month's last day
        ("3m", dt.date(2025, 12, 31)),
        ("1y", dt.date(2025, 3, 31)),
        ("3 days ago", dt.date(2026, 3, 28)),
        ("1 day ago", dt.date(2026, 3, 30)),
        ("1 week ago", dt.date(2026, 3, 24)),
        ("2 months ago", dt.date(2026, 1, 31)),
        ("10 years ago", dt.date(2016, 3, 31)),
        ("0d", dt.date(2026, 3, 31)),
    ],
)
def test_days_counted_back(written, day):
    assert days_back(written, NOW) == day
    assert date_bound(written, "--since", end=False, now=NOW) == dt.datetime.combine(
        day, dt.time.min, tzinfo=UTC
    )
    assert date_bound(written, "--until", end=True, now=NOW) == dt.datetime.combine(
        day, dt.time.max, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "written", ["2020-06-11", "June 2020", "7", "d7", "7 fortnights ago", "3 days"]
)
def test_other_text_is_not_counted_back(written):
    assert days_back(written, NOW) is None


def test_a_count_back_past_the_calendar_is_before_every_date():
    assert days_back("99999y", NOW) == dt.date.min


def test_cli_dates_counted_back_from_the_clock(cli, monkeypatch):
    monkeypatch.setattr(model, "clock", lambda: dt.datetime(2020, 6, 13, 9, tzinfo=UTC))
    ids = lambda *args: [r["id"] for r in json.loads(cli("list", "--json", *args).stdout)]  # noqa: E731
    assert ids("--since", "yesterday") == [ID3, ID2]  # from 2020-06-12 on
    assert ids("--since", "2d") == NEWEST_FIRST  # from 2020-06-11 on
    assert ids("--until", "2 days ago") == [ID4, ID0, ID1]
    result = cli("list", "--since", "3 fortnights ago")
    assert result.exit_code == 2
    assert "'3 fortnights ago'" in result.stderr
