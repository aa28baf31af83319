"""Terminal safety, CSV formula neutralisation, --fields paths, and fitting a terminal's width."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from newsq.model import Entry
from newsq.render import escape, formats
from newsq.render import tables as render

MARKUP = "[bold red]x[/] markup"
LINK_MARKUP = "[link=http://evil]y[/link] linked"
SGR = "red \x1b[31mEVIL\x1b[0m text"
CLEAR = "wipe \x1b[2Jscreen"
OSC8 = "osc \x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\ end"
BELL_CR = "bell\x07 and cr\roverwrite"

HOSTILE = {
    "h1_aaaa0001": MARKUP,
    "h2_aaaa0002": LINK_MARKUP,
    "h3_aaaa0003": SGR,
    "h4_aaaa0004": CLEAR,
    "h5_aaaa0005": OSC8,
    "h6_aaaa0006": BELL_CR,
}
RAW_SEQUENCES = ["\x1b[31mEVIL", "\x1b[0m text", "\x1b[2J", "\x1b]8;;", "\x1b\\", "\x07", "\r"]
HOSTILE_TOPICS = ["\x1b[2Jtopic", "[bold]loud[/bold]", "bel\x07l"]
HOSTILE_PROVIDER = "\x1b[31mProv[/]"

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def visible(text: str) -> str:
    """How data text should look once escaped: each control character as `\\xNN`."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)


def document(title: str, day: int, **fields: object) -> str:
    lines = [
        "---",
        f"title: {json.dumps(title)}",
        f"publishedDateTime: 2021-01-{day:02d}T00:00:00Z",
    ]
    lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join([*lines, "---"]) + "\n"


@pytest.fixture
def hostile(write_corpus) -> Path:
    files = {
        f"{doc_id}.md": document(
            title,
            day,
            topics=HOSTILE_TOPICS,
            provider={"name": HOSTILE_PROVIDER, "domain": "evil.example"},
            excerpt=f"excerpt of {title}",
        )
        for day, (doc_id, title) in enumerate(HOSTILE.items(), 1)
    }
    return write_corpus(files)


def assert_no_raw_data_sequences(out: str) -> None:
    for sequence in RAW_SEQUENCES:
        assert sequence not in out, repr(sequence)


# --- the command line, in-process (a pipe) ---------------------------------------------


def test_list_prints_hostile_titles_escaped(cli, hostile):
    result = cli("list", "--data", hostile)
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out
    assert "\x07" not in out
    assert b"\r" not in result.stdout_bytes
    assert_no_raw_data_sequences(out)
    for title in HOSTILE.values():
        assert visible(title) in out, visible(title)
    assert MARKUP in out
    assert LINK_MARKUP in out
    assert "\\x1b[31mEVIL\\x1b[0m" in out
    assert "\\x1b]8;;http://evil\\x1b\\click" in out
    assert "bell\\x07 and cr\\x0doverwrite" in out
    assert visible(HOSTILE_PROVIDER) in out


def test_list_hostile_row_stays_on_its_id_line(cli, hostile):
    out = cli("list", "--data", hostile).stdout
    rows = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip()}
    assert set(rows) == set(HOSTILE)
    for doc_id, title in HOSTILE.items():
        assert visible(title) in rows[doc_id]


def test_ids_from_hostile_file_names_are_escaped_in_tables(cli, write_corpus):
    root = write_corpus(
        {"evil\x1b[2J.md": document("Clear", 1), "new\nline.md": document("Line", 2)}
    )
    for command in (["list"], ["search", "clear OR line"]):
        out = cli(*command, "--data", root).stdout
        assert "\x1b" not in out
        rows = [line.split()[0] for line in out.splitlines()[1:]]
        assert sorted(rows) == ["evil\\x1b[2J", "new"], command  # the newline, a space


@pytest.mark.parametrize("doc_id", list(HOSTILE))
def test_show_prints_hostile_text_escaped(cli, hostile, doc_id):
    result = cli("show", doc_id, "--data", hostile)
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out
    assert "\x07" not in out
    assert b"\r" not in result.stdout_bytes
    assert visible(HOSTILE[doc_id]) in out
    assert visible(HOSTILE_TOPICS[0]) in out
    assert "[bold]loud[/bold]" in out
    assert visible(HOSTILE_PROVIDER) in out


def test_topics_prints_hostile_topics_escaped(cli, hostile):
    result = cli("topics", "--data", hostile)
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\\x1b[2Jtopic" in out
    assert "[bold]loud[/bold]" in out
    assert "bel\\x07l" in out


def test_providers_prints_hostile_names_escaped(cli, hostile):
    out = cli("providers", "--data", hostile).stdout
    assert "\x1b" not in out
    assert "\\x1b[31mProv[/]" in out


def test_json_keeps_the_exact_text(cli, hostile):
    records = json.loads(cli("list", "--data", hostile, "--all", "--json").stdout)
    assert {r["id"]: r["title"] for r in records} == HOSTILE
    assert all(r["topics"] == HOSTILE_TOPICS for r in records)
    assert all(r["provider"]["name"] == HOSTILE_PROVIDER for r in records)
    shown = json.loads(cli("show", "h5", "--data", hostile, "--json").stdout)
    assert shown["title"] == OSC8
    topics = json.loads(cli("topics", "--data", hostile, "--json").stdout)
    assert sorted(t["topic"] for t in topics) == sorted(HOSTILE_TOPICS)


def test_jsonl_keeps_the_exact_text(cli, hostile):
    out = cli("list", "--data", hostile, "--format", "jsonl").stdout
    assert "\x1b" not in out  # JSON escapes control characters itself
    titles = {json.loads(line)["id"]: json.loads(line)["title"] for line in out.splitlines()}
    assert titles == HOSTILE


# --- render.entries_table on a colour terminal ------------------------------------------------


def entry(doc_id: str, title: str, **overrides: object) -> Entry:
    values = {
        "id": doc_id,
        "path": f"/corpus/{doc_id}.md",
        "title": title,
        "date": dt.datetime(2021, 1, 2, 3, 4, tzinfo=dt.timezone.utc),
        "category": "news",
        "type": "article",
        "quality": 50,
        "heat": 10,
        "published": True,
        "provider_name": "Outlet",
        "provider_domain": "outlet.com",
        "topics": ("Topic",),
        "related": 0,
    }
    values.update(overrides)
    return Entry(**values)


def draw(table, width: int = 80) -> str:
    buffer = io.StringIO()
    console = Console(width=width, force_terminal=True, color_system="truecolor", file=buffer)
    console.print(table)
    return buffer.getvalue()


def test_entries_table_on_a_terminal_escapes_data_sequences():
    entries = [
        entry(doc_id, title[:20], provider_name=HOSTILE_PROVIDER, topics=(HOSTILE_TOPICS[0],))
        for doc_id, title in HOSTILE.items()
    ]
    out = draw(render.entries_table(entries, width=80))
    assert "\x1b[" in out  # rich's own styles are there: this is a colour terminal
    assert_no_raw_data_sequences(out)
    assert "\x1b[2Jtopic" not in out
    assert "\x1b[31mProv" not in out
    plain = ANSI.sub("", out)
    assert MARKUP[:20] in plain
    assert "\\x1b[31mEVIL" in plain
    assert "\\x1b]8;;http://" in plain


def test_entries_table_on_a_terminal_prints_markup_literally():
    entries = [entry("m1", MARKUP), entry("m2", LINK_MARKUP)]
    out = draw(render.entries_table(entries, width=120), width=120)
    plain = ANSI.sub("", out)
    assert MARKUP in plain
    assert LINK_MARKUP in plain
    assert "\x1b]8;" not in out  # no hyperlink was made from the data


def test_entries_table_on_a_pipe_escapes_data_sequences():
    entries = [entry(doc_id, title) for doc_id, title in HOSTILE.items()]
    buffer = io.StringIO()
    Console(file=buffer, width=100_000, color_system=None).print(render.entries_table(entries))
    out = buffer.getvalue()
    assert "\x1b" not in out
    for title in HOSTILE.values():
        assert visible(title) in out


def test_safe_text_makes_controls_visible():
    assert escape.safe_text("a\x1b[31mb") == "a\\x1b[31mb"
    assert escape.safe_text("bell\x07") == "bell\\x07"
    assert escape.safe_text("cr\rlf") == "cr\\x0dlf"
    assert escape.safe_text("[bold]x[/]") == "[bold]x[/]"


def test_safe_line_escapes_line_breaks_and_tabs_too():
    assert escape.safe_line("new\nline\tx\x1b[2J.md") == "new\\x0aline\\x09x\\x1b[2J.md"
    assert escape.safe_text("new\nline\tx.md") == "new line x.md"


def test_check_shows_a_file_name_with_controls_exactly(cli, write_corpus):
    root = write_corpus({"new\nline.md": "---\ntitle: T\n---\n", "esc\x1b[2J.md": "no fence\n"})
    result = cli("check", "--data", root)
    assert result.stdout == (
        f"{root}/esc\\x1b[2J.md: notice: no front matter; not a document\n"
        f"{root}/new\\x0aline.md: warning: no publishedDateTime (nor date)\n"
    )


# --- fitting 80 columns -------------------------------------------------------------------


def test_entries_table_fits_80_columns_and_keeps_full_ids(seed_index):
    entries = list(seed_index)
    out = draw(render.entries_table(entries, width=80))
    lines = ANSI.sub("", out).splitlines()
    assert lines
    for line in lines:
        assert cell_len(line) <= 80, line
    for e in entries:
        assert any(e.id in line for line in lines), e.id
        assert any(e.date.strftime("%Y-%m-%d") in line for line in lines)


def test_entries_table_fits_80_columns_with_wide_text():
    entries = [
        entry(
            f"{n:03d}_0123456789abcdef",
            "界" * 60 + " 標題 " + "x" * 80,
            provider_name="A Very Long Provider Name Incorporated " * 2,
            topics=("Natural Language Processing", "Computer Vision", "Robotics"),
        )
        for n in range(3)
    ]
    out = draw(render.entries_table(entries, width=80))
    lines = ANSI.sub("", out).splitlines()
    for line in lines:
        assert cell_len(line) <= 80, line
    for e in entries:
        assert any(e.id in line for line in lines), e.id


@pytest.mark.parametrize("width", [100, 120, 200])
def test_entries_table_fits_other_widths(seed_index, width):
    out = draw(render.entries_table(list(seed_index), width=width), width=width)
    lines = ANSI.sub("", out).splitlines()
    for line in lines:
        assert cell_len(line) <= width, line
    for e in seed_index:
        assert any(e.id in line for line in lines), e.id


# --- CSV formula neutralisation -------------------------------------------------------------


@pytest.fixture
def formulas(write_corpus) -> Path:
    return write_corpus(
        {
            "f1.md": document(
                '=HYPERLINK("http://evil","x")',
                3,
                provider={"name": "@SUM(A1)", "domain": "evil.example"},
                topics=["+cmd", "safe"],
                excerpt="-5",
                quality=-3,
                heat=-1,
            ),
            "f2.md": document(
                "a=b is fine",
                2,
                provider={"name": "Plain", "domain": "plain.example"},
                topics=["-minus"],
                excerpt="+44 20 7946 0000",
                quality=7.5,
                heat=0,
            ),
        }
    )


def test_csv_cells_from_text_that_a_spreadsheet_would_run_get_a_quote(cli, formulas):
    fields = "id,title,provider.name,topics,excerpt,quality,heat"
    result = cli("list", "--data", formulas, "--format", "csv", "--fields", fields)
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [
        fields.split(","),
        ["f1", '\'=HYPERLINK("http://evil","x")', "'@SUM(A1)", "'+cmd, safe", "'-5", "-3", "-1"],
        ["f2", "a=b is fine", "Plain", "'-minus", "'+44 20 7946 0000", "7.5", "0"],
    ]


def test_csv_default_columns_are_neutralised_too(cli, formulas):
    result = cli("list", "--data", formulas, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in rows] == ["f1", "f2"]
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil","x")'
    assert rows[1]["title"] == "a=b is fine"


def test_json_keeps_formula_text_as_is(cli, formulas):
    records = json.loads(cli("list", "--data", formulas, "--json").stdout)
    assert records[0]["title"] == '=HYPERLINK("http://evil","x")'
    assert records[0]["quality"] == -3
    assert records[1]["topics"] == ["-minus"]


def test_csv_cell_keeps_numbers_and_quotes_text():
    assert formats.csv_cell(-3) == "-3"
    assert formats.csv_cell(-0.5) == "-0.5"
    assert formats.csv_cell("-3") == "'-3"
    assert formats.csv_cell("=1+1") == "'=1+1"
    assert formats.csv_cell("@x") == "'@x"
    assert formats.csv_cell("+x") == "'+x"
    assert formats.csv_cell("x=1") == "x=1"


# --- --fields dotted paths --------------------------------------------------------------------


ID0 = "000_bc1330c771dbc5b0"
ID4 = "004_52b454640659c184"
# Paths some seed has (so --fields takes them) but the Forbes seed lacks (null, or empty).
DOTTED = (
    "id,provider.name,provider.images.0.width,related.0.provider.domain,"
    "images.0.isCached,provider.images.1.url,related.99.title"
)


def test_fields_dotted_paths_json(cli):
    result = cli("list", "--provider", "forbes", "--fields", DOTTED, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows == [
        {
            "id": ID0,
            "provider.name": "Forbes",
            "provider.images.0.width": 50,
            "related.0.provider.domain": "hotnewhiphop.com",
            "images.0.isCached": True,
            "provider.images.1.url": None,
            "related.99.title": None,
        }
    ]
    assert list(rows[0]) == DOTTED.split(",")


def test_fields_dotted_paths_jsonl(cli):
    result = cli(
        "list",
        "--provider",
        "forbes",
        "--provider",
        "qz",
        "--fields",
        "id,related.1.provider.name",
        "--format",
        "jsonl",
    )
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"id": ID4, "related.1.provider.name": "Mashable"},
        {"id": ID0, "related.1.provider.name": None},
    ]


def test_fields_dotted_paths_csv_missing_is_empty(cli):
    result = cli("list", "--provider", "forbes", "--fields", DOTTED, "--format", "csv")
    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        DOTTED.split(","),
        [ID0, "Forbes", "50", "hotnewhiphop.com", "true", "", ""],
    ]


def test_fields_with_spaces_after_commas(cli):
    result = cli("list", "--provider", "qz", "--fields", "id, provider.domain", "--json")
    assert json.loads(result.stdout) == [{"id": ID4, "provider.domain": "qz.com"}]


def test_fields_dotted_paths_table(cli):
    result = cli("list", "--provider", "forbes", "--fields", "id,provider.domain,related.0.quality")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert rows == [["id", "provider.domain", "related.0.quality"], [ID0, "forbes.com", "42"]]


def test_field_value_reaches_nested_values():
    record = {"a": {"b": [{"c": 1}, {"c": 2}]}, "x.y": "literal"}
    assert formats.field_value(record, "a.b.1.c") == 2
    assert formats.field_value(record, "a.b.2.c") is None
    assert formats.field_value(record, "a.nope") is None
    assert formats.field_value(record, "x.y") == "literal"


def test_field_value_of_a_name_after_a_list_reaches_into_each_item():
    """As field paths name them (`newsq fields`): `images.url` is every image's url."""
    record = {
        "images": [{"url": "a"}, {"width": 1}, {"url": "c"}],
        "related": [{"images": [{"url": "x"}, {"url": "y"}]}, {"title": "t"}],
        "topics": ["AI", "Robotics"],
    }
    assert formats.field_value(record, "images.url") == ["a", None, "c"]
    assert formats.field_value(record, "related.images.url") == [["x", "y"], None]
    assert formats.field_value(record, "related.1.title") == "t"
    assert formats.field_value(record, "topics") == ["AI", "Robotics"]
    assert formats.field_value({"images": []}, "images.url") == []


def test_fields_naming_a_list_of_items_print_each_items_value(cli):
    """`--fields related.provider.name` lists the outlet of every related article."""
    result = cli("list", "--provider", "qz", "--fields", "id,related.provider.name", "--json")
    (row,) = json.loads(result.stdout)
    assert row["related.provider.name"][:3] == ["Wired", "Mashable", "NBC News"]
    assert len(row["related.provider.name"]) == 16
    table = cli("list", "--provider", "forbes", "--fields", "id,images.width,related.title")
    assert table.stdout.splitlines()[1].split(None, 2) == [
        ID0,
        "1199",
        "Police Banned From Using Amazon's Facial Recognition Technology For A Year",
    ]


# --- JSON and CSV: exact for programs, harmless on a terminal ---------------------------------

RAW_TITLE = "a\x1b[2Jb\x9b31mc\u202ed\x7fe\u2028f\r\ng\té"


@pytest.fixture
def raw_title(write_corpus) -> Path:
    return write_corpus({"raw.md": document(RAW_TITLE, 1)})


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1"}])
def test_json_writes_what_a_terminal_acts_on_as_escapes_and_stays_exact(cli, raw_title, env):
    for args in (["show", "raw", "--json"], ["list", "--format", "jsonl"]):
        result = cli(*args, "--data", raw_title, env=env)
        # (On a terminal, FORCE_COLOR, the JSON is coloured: the same text between colours.)
        text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
        assert ("\x1b[1;34m" in result.stdout) is bool(env)
        escaped = '"a\\u001b[2Jb\\u009b31mc\\u202ed\\u007fe\\u2028f\\r\\ng\\té"'
        assert f'"title": {escaped}' in text, text
        value = json.loads(text.splitlines()[0] if "jsonl" in args else text)
        assert value["title"] == RAW_TITLE


def test_csv_is_exact_on_a_pipe_and_escaped_on_a_terminal(cli, raw_title):
    args = ("list", "--data", raw_title, "--format", "csv", "--fields", "id,title")
    piped = cli(*args)
    assert list(csv.reader(io.StringIO(piped.stdout_bytes.decode(), newline=""))) == [
        ["id", "title"],
        ["raw", RAW_TITLE],
    ]
    shown = cli(*args, env={"FORCE_COLOR": "1"}).stdout
    assert shown == 'id,title\nraw,"a\\x1b[2Jb\\x9b31mc\\u202ed\\x7fe\u2028f\\x0d\ng\té"\n'
