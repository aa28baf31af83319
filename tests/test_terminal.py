"""The terminal experience: tables fitted to 80 and 160 columns, short ids, the `show`
panel, colours and hyperlinks only where asked for, -q and -v, ages, completion."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from conftest import ID0, ID1, ID3, ID4, NOW
from rich.console import Console

import newsq
from newsq.corpus import bundled_seeds
from newsq.index.results import PeriodCount
from newsq.query.language import parse_query
from newsq.render import panels, tables
from newsq.render.escape import linkable
from newsq.render.panels import relative_age

ESCAPE = re.compile(r"\x1b[\[\]]")
HYPERLINK = "\x1b]8;"


def draw(renderable: object, width: int, *, color: bool = False) -> str:
    """What a terminal `width` columns wide shows (with escape codes when `color`)."""
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system="truecolor" if color else None,
        highlight=False,
    )
    console.print(renderable)
    return console.file.getvalue()


def list_table(index: newsq.Index, width: int) -> list[str]:
    entries = index.filter()
    shorts = index.short_ids(e.id for e in entries)
    return draw(tables.entries_table(entries, width=width, short_ids=shorts), width).splitlines()


# --- list and search tables at 80 and 160 columns -------------------------------------------


def test_list_table_at_80_columns(seed_index):
    """Short ids, dates as days, the title cut with an ellipsis; topics, heat and quality
    give way before the title does."""
    assert list_table(seed_index, 80) == [
        "ID     Date         Provider          Title                                     ",
        "─" * 80,
        "0dfa   2020-07-03   Local News 8      Amazon and Microsoft stopped working with…",
        "f509   2020-06-12   Fast Company      Now Microsoft is banning police from usin…",
        "52b4   2020-06-11   Quartz            Amazon and Microsoft pause police facial …",
        "bc13   2020-06-11   Forbes            Microsoft Won’t Sell Facial Recognition T…",  # noqa: RUF001
        "218d   2020-06-11   Washington Post   Microsoft won’t sell police its facial-re…",  # noqa: RUF001
    ]


def test_list_table_at_160_columns(seed_index):
    lines = list_table(seed_index, 160)
    assert [len(line) for line in lines] == [160] * 7
    assert lines[0].split() == ["ID", "Date", "Provider", "Title", "Topics", "Quality", "Heat"]
    assert lines[5].rstrip() == (
        "bc13   2020-06-11   Forbes            Microsoft Won’t Sell Facial Recognition To "  # noqa: RUF001
        "American Cops After Protests          Computer Vision, AI             89     99"
    )
    assert lines[2].startswith(
        "0dfa   2020-07-03   Local News 8      Amazon and Microsoft stopped working with "
        "police on facial recognition. For o…   Natural Language Proces…"
    )


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 160, 200])
def test_no_line_is_wider_than_the_terminal(seed_index, width):
    for line in list_table(seed_index, width):
        assert len(line) <= width


def test_search_table_at_80_columns_puts_the_passage_under_the_title(seed_index):
    hits = seed_index.search(parse_query("facial recognition"), related=True, limit=2)
    shorts = seed_index.short_ids(h.id for h in hits)
    lines = draw(tables.hits_table(hits, width=80, short_ids=shorts), 80).splitlines()
    assert [line.rstrip() for line in lines] == [
        "ID       Date         Provider       Title",
        "─" * 80,
        "52b4#2   2020-06-15   Mashable       John Oliver dives into the shady uses of f…",
        '                                     "There are currently serious concerns that',
        "                                     facial recognition is being used to",
        '                                     identify Black Lives Matter protesters."',
        "bc13#1   2020-06-11   HotNewHipHop   Police Banned From Using Amazon's Facial R…",
        "                                     Amazon has officially banned all police",
        "                                     officers from using their controversial",
        "                                     facial recognition technology, Rekognition,",
        "                                     for a whole year. Amazon…",
    ]


# --- short ids ----------------------------------------------------------------------------


def test_short_ids_of_the_seeds_are_four_hex_characters(seed_index):
    assert seed_index.short_ids([ID0, ID1, f"{ID4}#15"]) == {
        ID0: "bc13",
        ID1: "218d",
        f"{ID4}#15": "52b4#15",
    }


def test_a_short_id_is_the_shortest_unique_prefix_and_resolves(write_corpus):
    root = write_corpus(
        {
            "a_abcd1234.md": "---\ntitle: A\n---\n",
            "b_abcd1299.md": "---\ntitle: B\n---\n",
            "c_abcf0000.md": "---\ntitle: C\n---\n",
            "d_0123.md": "---\ntitle: D\n---\n",
            "sub/e_0123.md": "---\ntitle: E\n---\n",  # the same hex part twice
            "abcd12_x.md": "---\ntitle: F\n---\n",  # an id starting as a hex part does
            "2021-05-26-microsoft-announces.md": "---\ntitle: G\n---\n",
            "2021-05-26-microsoft-buys.md": "---\ntitle: H\n---\n",
            "2021-06-01-other.md": "---\ntitle: I\n---\n",
        }
    )
    with newsq.load([root], cache=False) as index:
        shorts = index.short_ids(sorted(e.id for e in index))
        assert shorts == {
            "2021-05-26-microsoft-announces": "2021-05-26-microsoft-announces",
            "2021-05-26-microsoft-buys": "2021-05-26-microsoft-buys",
            "2021-06-01-other": "2021-06",
            "a_abcd1234": "abcd123",  # abcd12 is b_abcd1299's too, and abcd12_x's start
            "abcd12_x": "abcd12_x",  # a hex part "x" is shorter than any short id
            "b_abcd1299": "abcd129",
            "c_abcf0000": "abcf",
            "d_0123": "d_0123",  # its hex part is e_0123's too: the whole id
            "sub/e_0123": "sub/e_0123",
        }
        for doc_id, short in shorts.items():
            assert index.resolve(short) == doc_id


def test_short_id_of_a_one_letter_hex_part_is_the_whole_id(write_corpus):
    root = write_corpus({"a_1.md": "---\ntitle: A\n---\n", "b_2.md": "---\ntitle: B\n---\n"})
    with newsq.load([root], cache=False) as index:
        assert index.short_ids(["a_1", "b_2"]) == {"a_1": "a_1", "b_2": "b_2"}


def test_pipes_get_whole_ids_and_terminals_short_ones(cli):
    piped = cli("list", "--limit", "1").stdout.splitlines()
    assert piped[1].split()[0] == ID3
    drawn = cli("list", "--limit", "1", env={"FORCE_COLOR": "1", "COLUMNS": "80"}).stdout
    assert ESCAPE.sub("", drawn).count("0dfa") == 1
    assert ID3 not in drawn


# --- show ---------------------------------------------------------------------------------


def show_view(index: newsq.Index, doc_id: str, width: int, *, color: bool = False) -> str:
    view = panels.article_view(index[doc_id], index.entry(doc_id), related=index.related(doc_id))
    return draw(view, width, color=color)


def test_show_panel_at_80_columns(seed_index):
    lines = show_view(seed_index, ID1, 80).splitlines()
    assert lines[:17] == [
        "╭─ 001_218d50f45779ca55 ───────────────────────────────────────────────────────╮",
        "│ Microsoft won’t sell police its facial-recognition technology, following     │",  # noqa: RUF001
        "│ similar moves by Amazon and IBM                                              │",
        "│ Washington Post · washingtonpost.com · 2020-06-11 16:42 UTC (6 years ago)    │",
        "│ quality 27 · article · news · unpublished                                    │",
        "│ Computer Vision · AI                                                         │",
        "│                                                                              │",
        "│ Microsoft will ban police use of its controversial facial-recognition        │",
        "│ systems, as the company awaits regulatory rules for how law-enforcement      │",
        "│ agencies deploy the technology.                                              │",
        "│                                                                              │",
        "│ web      https://www.washingtonpost.com/technology/2020/06/11/microsoft-fac  │",
        "│          ial-recognition/                                                    │",
        "│ amp      https://www.washingtonpost.com/technology/2020/06/11/microsoft-fac  │",
        "│          ial-recognition/?outputType=amp                                     │",
        "│ cdn amp  https://www-washingtonpost-com.cdn.ampproject.org/c/s/www.washingt  │",
        "│          onpost.com/technology/2020/06/11/microsoft-facial-recognition/?out  │",
    ]
    related = lines[lines.index("Related coverage (2), by date") :]
    assert [line.rstrip() for line in related[:6]] == [
        "Related coverage (2), by date",
        "Date         Outlet        Title                                               #",
        "─" * 80,
        "2020-06-09   SC Media      House police reform bill includes face              2",
        "                           recognition provisions",
        "2020-06-11   VentureBeat   Microsoft won’t sell police facial recognition      1",  # noqa: RUF001
    ]


def test_show_panel_at_160_columns_in_colour(seed_index):
    """Where styles are drawn: addresses are hyperlinks cut to one line, topics are chips."""
    out = show_view(seed_index, ID0, 160, color=True)
    plain = ESCAPE.sub(
        "", re.sub(r"\x1b\]8;[^\x1b]*\x1b\\", "", re.sub(r"\x1b\[[0-9;]*m", "", out))
    )
    lines = plain.splitlines()
    assert lines[2].rstrip(" │") == ("│ Forbes · forbes.com · 2020-06-11 20:54 UTC (6 years ago)")
    assert lines[4].rstrip(" │") == "│  Computer Vision   AI"
    web = "https://www.forbes.com/sites/thomasbrewster/2020/06/11/"
    web += "microsoft-wont-sell-facial-recognition-to-american-cops-after-protests/"
    assert "\x1b]8;id=" in out and f";{web}\x1b\\" in out
    image_line = next(line for line in lines if "│ image" in line)
    assert image_line.startswith("│ image    1199×784 https://thumbor.forbes.com/thumbor/")  # noqa: RUF001
    assert image_line.rstrip(" │").endswith("…")
    assert "\x1b[30;45m Computer Vision \x1b[0m" in out


def test_show_body_links_are_hyperlinks_in_colour_and_spelled_out_without(write_corpus):
    root = write_corpus(
        {"a_1111.md": "---\ntitle: T\n---\nSee [the source](https://example.com/s).\n"}
    )
    with newsq.load([root], cache=False) as index:
        coloured = show_view(index, "a_1111", 80, color=True)
        plain = show_view(index, "a_1111", 80)
    assert "https://example.com/s\x1b\\" in coloured
    assert "(https://example.com/s)" not in coloured
    assert "See the source (https://example.com/s)." in plain
    assert HYPERLINK not in plain


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.com/a?b=c&d=e#f", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("https://example.com/\x1b]8;;https://evil.example\x1b\\", False),
        ("https://example.com/a b", False),
        ("https://example.com/\u202eevil", False),
        ("/relative/path.jpg", False),
    ],
)
def test_only_plain_web_addresses_become_hyperlinks(url, linked):
    assert (linkable(url) == url) is linked
    out = draw(panels.link_text(url), 200, color=True)
    assert (HYPERLINK in out) is linked
    assert "\x1b]8;;https://evil" not in out


def test_data_in_the_panel_cannot_style_or_link(write_corpus):
    title = "[bold red]Fake[/] [link=http://evil.example]click[/link] \x1b[2J"
    root = write_corpus({"a_1111.md": f"---\ntitle: {json.dumps(title)}\n---\n"})
    with newsq.load([root], cache=False) as index:
        out = show_view(index, "a_1111", 120, color=True)
    assert "[bold red]Fake[/] [link=http://evil.example]click[/link] \\x1b[2J" in out
    assert "evil.example\x1b" not in out and "\x1b[2J" not in out


def test_more_fields_link_web_addresses_only(write_corpus):
    root = write_corpus(
        {
            "a_1111.md": "---\ntitle: T\nactions:\n  - url: https://example.com/a\n"
            "    file: /assets/x.png\n---\n"
        }
    )
    with newsq.load([root], cache=False) as index:
        out = show_view(index, "a_1111", 120, color=True)
    assert ";https://example.com/a\x1b\\" in out  # the end of an OSC 8 hyperlink's start
    assert ";/assets/x.png" not in out
    assert "/assets/x.png" in out


def test_data_in_the_body_cannot_style_or_link(write_corpus):
    body = "[bold red]Fake[/] \x1b[31mred\x1b[0m [link=http://evil.example]x[/link] <b>ok</b>\n"
    root = write_corpus({"a_1111.md": f"---\ntitle: T\n---\n{body}"})
    with newsq.load([root], cache=False) as index:
        out = show_view(index, "a_1111", 120, color=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "[bold red]Fake[/] \\x1b[31mred\\x1b[0m [link=http://evil.example]x[/link] ok" in plain
    assert "\x1b[31mred" not in out and "evil.example\x1b" not in out


# --- stats --------------------------------------------------------------------------------


def test_stats_view_at_80_columns(seed_index):
    lines = [
        line.rstrip()
        for line in draw(panels.stats_view(seed_index.stats(by="week")), 80).splitlines()
    ]
    assert lines[:4] == [
        "Documents         5",
        "Related coverage  23",
        "Dates             2020-06-11 → 2020-07-03 (5 dated)",
        "Busiest week      2020-W24 (4 documents)",
    ]
    assert lines[lines.index("Per week") + 1 :] == [
        "2020-W24 4 " + "█" * 30,
        "2020-W25 0",
        "2020-W26 0",
        "2020-W27 1 " + "█" * 8,
    ]


@pytest.mark.parametrize(
    "asked",
    [{}, {"related": True}, {"by": "day"}, {"where": newsq.Filter.build(provider="nobody")}],
)
def test_stats_lines_are_what_the_view_draws_besides_its_periods(seed_index, asked):
    stats = seed_index.stats(**asked)
    drawn = draw(panels.stats_view(stats), 200).splitlines()
    periods = draw(panels.timeline_bars(stats.periods, stats.by), 200) if stats.periods else ""
    assert len(drawn) == panels.stats_lines(stats) + len(periods.splitlines())


def _periods(*counts: int, by: str = "week") -> list[PeriodCount]:
    return [PeriodCount(f"{by}-{n:02d}", count) for n, count in enumerate(counts, 1)]


def test_a_timeline_folds_three_empty_periods_or_more_into_a_line():
    drawn = draw(panels.timeline_bars(_periods(4, 0, 0, 2, 0, 0, 0, 1, 10), "week"), 80)
    assert [line.rstrip() for line in drawn.splitlines()] == [
        "week-01  4 ████████████",
        "week-02  0",
        "week-03  0",
        "week-04  2 ██████",
        "… 3 weeks with none …",
        "week-08  1 ███",
        "week-09 10 ██████████████████████████████",
    ]


def test_a_timeline_folds_runs_at_its_ends_too_and_says_the_period():
    drawn = draw(panels.timeline_bars(_periods(0, 0, 0, 0, 5, 0, 0, 0, by="month"), "month"), 80)
    assert [line.rstrip() for line in drawn.splitlines()] == [
        "… 4 months with none …",
        "month-05 5 ██████████████████████████████",
        "… 3 months with none …",
    ]
    drawn = draw(panels.timeline_bars(_periods(0, 0, 0, by="year"), "year"), 80)
    assert drawn == "… 3 years with none …\n"
    assert draw(panels.timeline_bars([], "day"), 80) == ""


def test_the_story_view_folds_its_empty_days(cli):
    out = cli("story", "218d").stdout.splitlines()
    days = out[out.index("Articles per day") + 1 :]
    assert days[-4:] == [
        "2020-06-16  1 ███",
        "… 15 days with none …",
        "2020-07-02  2 ██████",
        "2020-07-03  1 ███",
    ]


# --- colour: --color, NO_COLOR, FORCE_COLOR ---------------------------------------------------


@pytest.mark.parametrize(
    ("env", "options", "styled", "drawn"),
    [
        ({}, [], False, False),  # a pipe: plain
        ({"FORCE_COLOR": "1"}, [], True, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False, True),
        ({}, ["--color", "always"], True, True),
        ({"NO_COLOR": "1"}, ["--color", "always"], True, True),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False, False),
        ({}, ["--color", "auto"], False, False),
    ],
)
def test_colour_settings(cli, env, options, styled, drawn):
    result = cli("show", "bc13", *options, env={"COLUMNS": "100", **env})
    assert result.exit_code == 0
    assert bool(ESCAPE.search(result.stdout)) is styled
    assert (HYPERLINK in result.stdout) is styled
    assert result.stdout.startswith("╭─") is drawn
    listed = cli("list", *options, env={"COLUMNS": "100", **env}).stdout
    assert (ID0 in listed) is not drawn  # whole ids on a pipe, short ones drawn


def test_terminal_width_is_respected(cli):
    for width in (60, 80, 123):
        env = {"FORCE_COLOR": "1", "COLUMNS": str(width)}
        for command in (["list"], ["show", "bc13"], ["search", "police"], ["stats"]):
            out = cli(*command, "--color", "never", env=env).stdout
            # --color never with FORCE_COLOR: plain layout, lines whole; with always: fitted
            fitted = cli(*command, "--color", "always", env=env).stdout
            plain = re.sub(r"\x1b\]8;[^\x1b]*\x1b\\", "", re.sub(r"\x1b\[[0-9;]*m", "", fitted))
            assert max(len(line) for line in plain.splitlines()) <= width, command
            assert "\x1b" not in out


def test_unknown_colour_is_a_usage_error(cli):
    result = cli("list", "--color", "sometimes")
    assert result.exit_code == 2
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in " ".join(
        result.stderr.replace("│", " ").split()
    )


# --- -q and -v ------------------------------------------------------------------------------


def test_quiet_says_nothing_but_errors(cli):
    assert cli("list", "--limit", "1", "-q").stderr == ""
    assert cli("list", "--topic", "computer visoin", "-q").stderr == ""
    assert cli("search", "nothingatall", "-q").stderr == ""
    failed = cli("show", "nosuchid", "-q")
    assert failed.exit_code == 1
    assert failed.stderr == "newsq: no document matches 'nosuchid'\n"


def test_without_quiet_the_notes_are_there(cli):
    assert cli("list", "--limit", "1").stderr == "newsq: 1 of 5 shown; --all for every one\n"


def test_verbose_says_what_was_loaded_from_where(cli, seeds):
    result = cli("list", "--limit", "1", "-v", "--no-cache")
    lines = result.stderr.splitlines()
    assert lines[0] == f"newsq: corpus (bundled seeds): {bundled_seeds()}"
    assert lines[1] == "newsq: no snapshot (in memory): parsed 5 files, forgot 0"
    assert re.fullmatch(r"newsq: 5 documents loaded in \d+\.\d{3} s; 0 files skipped", lines[2])
    assert lines[3] == "newsq: 1 of 5 shown; --all for every one"
    cli("list", "--data", str(seeds))  # the snapshot is up to date now
    again = cli("list", "-v", "--data", str(seeds)).stderr.splitlines()
    assert again[0] == f"newsq: corpus (--data): {seeds}"
    assert re.fullmatch(r"newsq: snapshot .+\.sqlite: up to date, nothing parsed", again[1])


def test_quiet_and_verbose_together_is_a_usage_error(cli):
    assert cli("list", "-q", "-v").exit_code == 2


# --- ages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (dt.timedelta(seconds=30), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (dt.timedelta(hours=5), "5 hours ago"),
        (dt.timedelta(days=1, hours=2), "1 day ago"),
        (dt.timedelta(days=6), "6 days ago"),
        (dt.timedelta(days=7), "1 week ago"),
        (dt.timedelta(days=27), "3 weeks ago"),
        (dt.timedelta(days=31), "1 month ago"),
        (dt.timedelta(days=364), "11 months ago"),
        (dt.timedelta(days=366), "1 year ago"),
        (NOW - dt.datetime(2020, 6, 11, 20, 54, tzinfo=dt.timezone.utc), "6 years ago"),
        (-dt.timedelta(days=3), "in 3 days"),
        (-dt.timedelta(days=400), "in 1 year"),
    ],
)
def test_relative_age(before, said):
    assert relative_age(NOW - before, NOW) == said


# --- completion -----------------------------------------------------------------------------


def complete(cli, *words: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash completion offers after `newsq WORDS` (the last word being typed)."""
    line = ["newsq", *words]
    result = cli(
        env={
            "_NEWSQ_COMPLETE": "complete_bash",
            "COMP_WORDS": " ".join(line),
            "COMP_CWORD": str(len(line) - 1),
            **(env or {}),
        }
    )
    return [word for word in result.stdout.splitlines() if word]


def test_completion_of_topics_providers_and_ids(cli, seeds):
    cli("list")  # the snapshot that completion reads
    assert complete(cli, "list", "--topic", "") == [
        "AI",
        "Computer Vision",
        "Natural Language Processing",
    ]
    assert complete(cli, "stats", "-t", "Comp") == ["Computer Vision"]
    assert complete(cli, "list", "--provider", "F") == ["Fast Company", "Forbes"]
    assert complete(cli, "search", "x", "-p", "f") == ["fastcompany.com", "forbes.com"]
    assert complete(cli, "show", "00") == [ID0, ID1, "002_f5098144ecc78018", ID3, ID4]
    assert complete(cli, "show", "bc") == ["bc1330c771dbc5b0"]


def test_completion_of_fields_completes_the_last_name_of_a_list(cli):
    cli("list")  # the snapshot that completion reads
    assert complete(cli, "list", "--fields", "id,prov") == [
        "id,provider",
        "id,provider.domain",
        "id,provider.images",
        "id,provider.images.height",
        "id,provider.images.url",
        "id,provider.images.width",
        "id,provider.name",
    ]
    assert complete(cli, "show", "bc13", "--fields", "related.prov") == [
        "related.provider",
        "related.provider.domain",
        "related.provider.name",
    ]
    assert complete(cli, "list", "--fields", "id,title,ti") == []  # (title is given)
    assert complete(cli, "search", "x", "--fields", "id,s") == [
        "id,score",
        "id,secured",
        "id,snippet",
    ]
    assert complete(cli, "search", "x", "--related", "--fields", "par") == ["parent"]
    assert complete(cli, "search", "x", "--fields", "par") == []
    assert complete(cli, "topics", "--fields", "") == ["count", "topic"]
    assert complete(cli, "fields", "--fields", "field,") == [
        "field,documents",
        "field,example",
        "field,types",
    ]


def test_completion_reads_the_corpus_given_by_data(cli, write_corpus):
    root = write_corpus({"x_ab12.md": "---\ntitle: X\ntopics: [Robotics]\n---\n"})
    cli("list", "--data", str(root))
    assert complete(cli, "list", "--data", str(root), "--topic", "") == ["Robotics"]
    assert complete(cli, "show", "--data", str(root), "") == ["x_ab12"]


def test_completion_of_a_corpus_never_loaded_offers_nothing_and_writes_nothing(
    cli, write_corpus, tmp_path
):
    root = write_corpus({"x_ab12.md": "---\ntitle: X\ntopics: [Robotics]\n---\n"})
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache)}
    assert complete(cli, "list", "--data", str(root), "--topic", "", env=env) == []
    assert complete(cli, "show", "--data", str(root), "x", env=env) == []
    assert complete(cli, "list", "--data", str(root), "--fields", "ti", env=env) == []
    assert not cache.exists()
