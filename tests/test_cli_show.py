"""`newsq show ID`: resolving ids, the lossless JSON record, --fields, the table view."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from conftest import ALL_IDS, ID0, ID1, ID2, ID3, ID4

from newsq.corpus import bundled_seeds
from newsq.render.panels import is_opaque

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def iso_utc(value: object) -> object:
    """YAML values as JSON would hold them: datetimes as ISO 8601 UTC with Z."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ"
        return value.strftime(fmt)
    if isinstance(value, dict):
        return {key: iso_utc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso_utc(item) for item in value]
    return value


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:].split("\n---\n", 1)[0])


def shown_id(cli, ref: str, *options: str) -> str:
    result = cli("show", ref, "--fields", "id", "--json", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["id"]


# --- resolving an id ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (ID0, ID0),  # exact
        (ID4, ID4),
        ("000_bc1330c7", ID0),  # prefix of the id
        ("000", ID0),
        ("003", ID3),
        ("bc1330c7", ID0),  # prefix of the hex part
        ("bc1330c771dbc5b0", ID0),  # the whole hex part
        ("bc", ID0),
        ("218d", ID1),
        ("f5098144", ID2),
        ("0dfa", ID3),  # hex part starting with 0, not a prefix of any id
        ("52b4546", ID4),
        ("5", ID4),
    ],
)
def test_show_resolves_ids_prefixes_and_hex_parts(cli, ref, expected):
    assert shown_id(cli, ref) == expected


@pytest.fixture
def nested(write_corpus) -> Path:
    body = "---\ntitle: {}\npublishedDateTime: 2021-01-01T00:00:00Z\n---\n"
    return write_corpus(
        {
            "2020/06/story_deadbeef01.md": body.format("June"),
            "2020/07/story_deadbeef02.md": body.format("July"),
            "other_cafe1234.md": body.format("Other"),
            "abc.md": body.format("Short"),
            "abcd.md": body.format("Longer"),
        }
    )


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("2020/06/story_deadbeef01", "2020/06/story_deadbeef01"),  # exact, with folders
        ("2020/06", "2020/06/story_deadbeef01"),  # prefix of the whole id
        ("story_deadbeef02", "2020/07/story_deadbeef02"),  # prefix of the last part
        ("deadbeef01", "2020/06/story_deadbeef01"),  # prefix of the hex part
        ("cafe", "other_cafe1234"),
        ("abc", "abc"),  # an exact id wins over being a prefix of another
        ("abcd", "abcd"),
    ],
)
def test_show_resolves_nested_ids(cli, nested, ref, expected):
    assert shown_id(cli, ref, "--data", str(nested)) == expected


def test_ambiguous_prefix_exits_1_and_lists_every_candidate(cli):
    result = cli("show", "0")
    assert result.exit_code == 1
    assert result.stdout == ""
    for doc_id in ALL_IDS:
        assert doc_id in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("ref", "candidates"),
    [
        ("deadbeef", ["2020/06/story_deadbeef01", "2020/07/story_deadbeef02"]),
        ("story", ["2020/06/story_deadbeef01", "2020/07/story_deadbeef02"]),
        ("2020", ["2020/06/story_deadbeef01", "2020/07/story_deadbeef02"]),
    ],
)
def test_ambiguous_ref_lists_only_its_candidates(cli, nested, ref, candidates):
    result = cli("show", ref, "--data", str(nested))
    assert result.exit_code == 1
    assert result.stdout == ""
    for candidate in candidates:
        assert candidate in result.stderr
    assert "other_cafe1234" not in result.stderr
    assert "abcd" not in result.stderr


@pytest.mark.parametrize("ref", ["zzz", "999", "bc1330c7x", "000_bc1330c771dbc5b0.txt"])
def test_unknown_id_exits_1_with_a_message_naming_it(cli, ref):
    result = cli("show", ref)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert ref in result.stderr
    assert "no document" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_show_without_an_id_is_a_usage_error(cli):
    result = cli("show")
    assert result.exit_code == 2
    assert result.stdout == ""


# --- JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", ALL_IDS)
def test_show_json_is_the_front_matter_plus_id_and_path(cli, seeds, doc_id):
    path = seeds / f"{doc_id}.txt"
    result = cli("show", doc_id, "--json")
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert isinstance(shown, dict)
    bundled = bundled_seeds() / path.name  # no --data: the installed copy of the seeds
    expected = {"id": doc_id, **iso_utc(front_matter(path)), "path": str(bundled)}
    assert shown == expected
    assert "body" not in shown


def test_show_json_keeps_every_front_matter_key(cli, seeds):
    shown = json.loads(cli("show", "bc1330c7", "--format", "json").stdout)
    keys = list(front_matter(seeds / f"{ID0}.txt"))
    assert set(shown) == {"id", "path", *keys}
    assert shown["related"][0]["publishedDateTime"] == "2020-06-11T14:12:00Z"
    assert shown["secured"].startswith("WJ9MtXKxne2Ym+urDkZPZ6qVURcMC012pMh84QtXiVuE3g1kFs6")


def test_show_jsonl_is_one_line(cli, seeds):
    result = cli("show", "218d", "--format", "jsonl")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    path = seeds / f"{ID1}.txt"
    bundled = str(bundled_seeds() / path.name)
    assert json.loads(lines[0]) == {"id": ID1, **iso_utc(front_matter(path)), "path": bundled}


def test_show_json_path_is_absolute_for_a_relative_data_path(cli, seeds, monkeypatch):
    monkeypatch.chdir(seeds.parent)
    shown = json.loads(cli("show", "000", "--data", "seeds", "--json").stdout)
    assert shown["path"] == str(seeds / f"{ID0}.txt")


def test_show_json_body_timestamps_and_values_as_written(cli, write_corpus):
    root = write_corpus(
        {
            "x_0123abcd.md": (
                "---\n"
                "title: '  spaced  title  '\n"
                "publishedDateTime: 2020-06-11T22:54:00+02:00\n"
                "updated: 2020-06-11 08:00:00\n"
                "day: 2020-06-11\n"
                "quoted: '2020-06-11T22:54:00+02:00'\n"
                "count: 7\n"
                "ratio: 0.5\n"
                "flag: false\n"
                "nothing: null\n"
                "nested: {a: [1, {b: 2020-01-02T03:04:05Z}]}\n"
                "---\n"
                "Hello body\n"
                "\n"
                "Second paragraph\n"
            )
        }
    )
    shown = json.loads(cli("show", "0123", "--data", str(root), "--json").stdout)
    assert shown == {
        "id": "x_0123abcd",
        "title": "  spaced  title  ",
        "publishedDateTime": "2020-06-11T20:54:00Z",
        "updated": "2020-06-11T08:00:00Z",
        "day": "2020-06-11",
        "quoted": "2020-06-11T22:54:00+02:00",
        "count": 7,
        "ratio": 0.5,
        "flag": False,
        "nothing": None,
        "nested": {"a": [1, {"b": "2020-01-02T03:04:05Z"}]},
        "path": str(root / "x_0123abcd.md"),
        "body": "Hello body\n\nSecond paragraph\n",
    }


# --- --fields -----------------------------------------------------------------------------


def test_show_fields_json(cli):
    result = cli("show", "bc1330c7", "--fields", "id,provider.domain,related.0.title", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "id": ID0,
        "provider.domain": "forbes.com",
        "related.0.title": (
            "Police Banned From Using Amazon's Facial Recognition Technology For A Year"
        ),
    }


def test_show_fields_keep_the_order_written_and_missing_ones_are_null(cli):
    fields = "title,provider.images.1.url,id,provider.images.0.width,related.6.title,quality"
    result = cli("show", ID4, "--fields", fields, "--json")
    shown = json.loads(result.stdout)
    assert list(shown) == fields.split(",")
    assert shown == {
        "title": "Amazon and Microsoft pause police facial recognition and demand regulation",
        "provider.images.1.url": None,
        "id": ID4,
        "provider.images.0.width": 50,
        "related.6.title": "Activists want to ban police from using facial recognition — "
        "Amazon and Microsoft just opened the door",
        "quality": 87,
    }


def test_show_fields_table(cli):
    result = cli("show", "52b4", "--fields", "id,provider.name,heat")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert rows == [["id", "provider.name", "heat"], [ID4, "Quartz", "-1"]]


def test_show_fields_csv(cli):
    result = cli("show", "52b4", "--fields", "id,provider.name,quality", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == f"id,provider.name,quality\n{ID4},Quartz,87\n"


# --- the table view -----------------------------------------------------------------------


def test_show_plain_view_of_a_seed(cli):
    """On a pipe: the panel's lines without its frame (id, title, outlet and date with its
    age, facts, topics, excerpt, links and images), the related coverage by date, the
    other fields. Whole lines, no escape codes."""
    result = cli("show", "218d")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:21] == [
        ID1,
        "Microsoft won’t sell police its facial-recognition technology, following similar "  # noqa: RUF001
        "moves by Amazon and IBM",
        "Washington Post · washingtonpost.com · 2020-06-11 16:42 UTC (6 years ago)",
        "quality 27 · article · news · unpublished",
        "Computer Vision · AI",
        f"story {ID1}: 5 documents, 28 articles, 24 outlets",
        "",
        "Microsoft will ban police use of its controversial facial-recognition systems, as the "
        "company awaits regulatory rules for how law-enforcement agencies deploy the technology.",
        "",
        "web      https://www.washingtonpost.com/technology/2020/06/11/microsoft-facial-recognition/",
        "amp      https://www.washingtonpost.com/technology/2020/06/11/microsoft-facial-recognition/"
        "?outputType=amp",
        "cdn amp  https://www-washingtonpost-com.cdn.ampproject.org/c/s/www.washingtonpost.com/"
        "technology/2020/06/11/microsoft-facial-recognition/?outputType=amp",
        "image    1440×960 https://www.washingtonpost.com/wp-apps/imrs.php?src=https://"  # noqa: RUF001
        "arc-anglerfish-washpost-prod-washpost.s3.amazonaws.com/public/"
        "CREFEAVB7AI6VPQGV5KRJ3QDQU.jpg&w=1440",
        "",
        "Related coverage (2), by date",
        "Date        Outlet       Title" + " " * 83 + "#",
        "2020-06-09  SC Media     House police reform bill includes face recognition "
        "provisions" + " " * 27 + "2",
        "2020-06-11  VentureBeat  Microsoft won’t sell police facial recognition until there’s "  # noqa: RUF001
        "‘a national law in place’  1",  # noqa: RUF001
        "",
        "More fields",
        "images.0.isCached true",
    ]
    assert "\x1b" not in result.stdout


def test_show_more_fields_are_every_field_the_panel_does_not_show(cli):
    out = cli("show", ID0).stdout.splitlines()
    more = out[out.index("More fields") + 1 :]
    assert [line.split()[0] for line in more if line] == [
        "provider.images.0.url",
        "provider.images.0.width",
        "provider.images.0.height",
        "images.0.isCached",
        "images.0.title",
        "secured",
        "path",
    ]
    assert more[-1] == f"path                     {bundled_seeds() / ID0}.txt"


TOKEN = "h2Fh7Y2V99EEPARitcFFCj07RagehSkIvTIS7573R1Ir/psCSBYtCuq0qd0cEBwg/VMflI723nhj+nhA"  # 80


@pytest.mark.parametrize(
    ("value", "opaque"),
    [
        (TOKEN, True),
        (TOKEN[:79], False),  # shorter than a line: shown
        ("ab12" * 40, True),  # hex, say
        ("a1b2c3d4e5f6a1b2c3d4e5f" + "/x" * 40, False),  # no run of 24
        ("https://example.com/?q=" + TOKEN, False),  # an address: a link
        ("/work/corpus/_samples/power-apps-community-numeric-updown-control-with-persisted"
         "-button.md", False),  # a path
        (TOKEN[:50] + " " + TOKEN[:50], False),  # words
        (12345, False),
    ],
)  # fmt: skip
def test_what_is_opaque(value, opaque):
    assert is_opaque(value) is opaque


def test_show_gives_an_opaque_value_by_its_size_and_the_fields_that_show_it(cli):
    out = cli("show", ID0).stdout.splitlines()
    assert "secured                  (537 characters; --fields secured to see it)" in out
    whole = json.loads(cli("show", ID0, "--fields", "secured", "--json").stdout)["secured"]
    assert len(whole) == 537 and whole.startswith("WJ9MtXKxne2Ym+urDkZPZ6")


def test_an_opaque_value_in_a_list_is_named_as_fields_takes_it(cli, write_corpus):
    root = write_corpus(
        {
            "a_1111.md": (
                "---\ntitle: T\n"
                f"actions:\n  - url: https://example.com/a\n    token: {TOKEN}\n"
                f'"odd, key": {TOKEN}\n---\n'
            )
        }
    )
    out = cli("show", "a_1111", "--data", root).stdout.splitlines()
    more = out[out.index("More fields") + 1 :]
    assert more[:4] == [
        "actions.0.url   https://example.com/a",
        "actions.0.token (80 characters; --fields actions.0.token to see it)",
        "odd, key        (80 characters; --json to see it)",
        f"path            {root / 'a_1111.md'}",
    ]
    picked = cli("show", "a_1111", "--data", root, "--fields", "actions.0.token", "--json")
    assert json.loads(picked.stdout) == {"actions.0.token": TOKEN}


def test_show_related_article_own_values_only(cli):
    """A related article shows what its item says: not its document's heat or topics."""
    out = cli("show", f"{ID0}#1").stdout.splitlines()
    assert out[:5] == [
        f"{ID0}#1",
        "Police Banned From Using Amazon's Facial Recognition Technology For A Year",
        "HotNewHipHop · hotnewhiphop.com · 2020-06-11 14:12 UTC (6 years ago)",
        "quality 42 · article",
        f"related coverage listed in {ID0}",
    ]


def test_show_table_related_count_for_the_seed_with_sixteen(cli):
    out = cli("show", ID4).stdout
    assert "Related coverage (16)" in out
    for outlet in ("Wired", "Mashable", "NBC News", "CNET", "CNN", "CNBC", "BBC", "SFGate"):
        assert outlet in out


def test_show_plain_output_keeps_each_value_on_one_line(cli):
    """On a pipe nothing is cut: a long value (a URL, a related title) stays whole on a line."""
    out = cli("show", ID1).stdout
    url = "https://www.washingtonpost.com/technology/2020/06/11/microsoft-facial-recognition/"
    related_title = (
        "Microsoft won’t sell police facial recognition until there’s "  # noqa: RUF001
        "‘a national law in place’"  # noqa: RUF001
    )
    assert any(url in line for line in out.splitlines())
    assert any(related_title in line for line in out.splitlines())


def test_show_renders_the_body_as_markdown(cli, write_corpus):
    body = "# Heading\n\nFirst **bold** line, a [link](https://example.com/a).\n\n- one\n- two\n"
    root = write_corpus({"a_1111.md": f"---\ntitle: With body\n---\n{body}"})
    out = cli("show", "a_1111", "--data", str(root)).stdout.splitlines()
    body_at = out.index("Body")
    assert [line.strip() for line in out[body_at + 1 :] if line.strip()] == [
        "Heading",
        "First bold line, a link (https://example.com/a).",
        "• one",
        "• two",
    ]


def test_show_renders_an_html_body(cli, write_corpus):
    body = (
        '<p>I made it from <a href="https://twitter.com/someone/">a tweet</a>&nbsp;here.</p>'
        '<p>&nbsp;</p><p><img src="https://example.com/x.png" alt="x.png"></p>'
        "<ul><li>first_item</li><li>second</li></ul><script>alert(1)</script>"
    )
    root = write_corpus({"a_1111.md": f"---\ntitle: With HTML\n---\n{body}\n"})
    out = cli("show", "a_1111", "--data", str(root)).stdout.splitlines()
    assert [line.strip() for line in out[out.index("Body") + 1 :] if line.strip()] == [
        "I made it from a tweet (https://twitter.com/someone/) here.",
        "image: x.png (https://example.com/x.png)",
        "• first_item",
        "• second",
    ]


def test_show_renders_emphasis_around_nothing_without_stray_markers(cli, write_corpus):
    body = (
        "<p>Before<strong><br></strong></p><p><strong><br>There had to be a better way! "
        "</strong>(Spoiler)</p><p><em> </em>after <b></b>all</p>"
    )
    root = write_corpus({"a_1111.md": f"---\ntitle: With HTML\n---\n{body}\n"})
    out = cli("show", "a_1111", "--data", str(root)).stdout.splitlines()
    assert [line.strip() for line in out[out.index("Body") + 1 :] if line.strip()] == [
        "Before",
        "There had to be a better way! (Spoiler)",
        "after all",
    ]


def test_show_cuts_a_long_body_and_says_how_to_get_it_whole(cli, write_corpus):
    body = "word " * 20_000  # 100,000 characters
    root = write_corpus({"a_1111.md": f"---\ntitle: Long\n---\n{body}"})
    out = cli("show", "a_1111", "--data", str(root)).stdout.splitlines()
    assert out[-1] == "… 50,000 more characters: newsq show a_1111 --fields body"
    whole = cli("show", "a_1111", "--data", str(root), "--fields", "body", "--json")
    assert json.loads(whole.stdout) == {"body": body}


# --- did you mean ---------------------------------------------------------------------------


def test_an_unknown_id_gets_the_closest(cli):
    result = cli("show", "bc1330c8")
    assert result.exit_code == 1
    assert result.stderr == (
        "newsq: no document matches 'bc1330c8'; did you mean '000_bc1330c771dbc5b0'?\n"
    )


def test_an_id_like_none_gets_no_suggestion(cli):
    assert cli("show", "zzzz").stderr == "newsq: no document matches 'zzzz'\n"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["list", "--topic", "Computer Visoin"],
            "no document has topic 'computer visoin'; did you mean 'Computer Vision'?",
        ),
        (
            ["search", "police", "--provider", "forbs"],
            "no document has provider 'forbs'; did you mean 'Forbes' or 'forbes.com'?",
        ),
        (["topics", "--provider", "nobody"], "no document has provider 'nobody'"),
        (["stats", "--topic", "A.I."], "no document has topic 'a.i.'; did you mean 'AI'?"),
    ],
)
def test_a_topic_or_provider_no_document_has_gets_the_closest(cli, command, message):
    result = cli(*command, "--json")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == f"newsq: {message}"
