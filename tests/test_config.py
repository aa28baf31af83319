"""The config file: what it sets, the order with the environment and the command line,
`newsq config`, and a broken file (exit 2 naming the file and the line)."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
import typer.main
from conftest import ID0, ID2, ID3, NEWEST_FIRST, SEEDS, newsq_executable

from newsq.cli.app import app
from newsq.cli.config import Config, ConfigError, config_path, default_map, read_config
from newsq.cli.launch import named_corpus
from newsq.corpus import bundled_seeds

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An XDG config folder of the test's own; returns where its config.toml goes."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    (home / "newsq").mkdir(parents=True)
    return home / "newsq" / "config.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def ids(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.split()


# --- where it is --------------------------------------------------------------------------


def test_the_file_is_in_xdg_config_home(config_home):
    assert config_path() == config_home


def test_newsq_config_names_another_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSQ_CONFIG", str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"


def test_without_xdg_config_home_it_is_under_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_path() == tmp_path / ".config" / "newsq" / "config.toml"


def test_no_file_is_an_empty_config(config_home):
    config = read_config()
    assert (config.exists, config.values, config.commands) == (False, {}, {})


# --- what it says ---------------------------------------------------------------------------


def test_the_top_level_and_the_tables_are_read_with_their_lines(config_home):
    write(
        config_home,
        """\
        # mine
        limit = 3
        pager = false

        [search]
        sort = "date"
        """,
    )
    config = read_config()
    assert config.values == {"limit": 3, "pager": False}
    assert config.commands == {"search": {"sort": "date"}}
    assert config.where("", "limit") == f"{config_home}:2"
    assert config.where("search", "sort") == f"{config_home}:6"


def test_data_paths_are_read_from_the_files_folder_and_home(config_home, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write(config_home, 'data = ["news", "~/more", "/srv/corpus"]\n')
    assert read_config().data == [
        str(config_home.parent / "news"),
        str(tmp_path / "home" / "more"),
        "/srv/corpus",
    ]


def test_a_single_data_path_is_a_list_of_one(config_home):
    write(config_home, 'data = "/srv/corpus"\n')
    assert read_config().data == ["/srv/corpus"]


def test_default_map_gives_each_command_its_settings(config_home):
    write(
        config_home,
        """\
        limit = 7
        color = "never"
        [list]
        sort = "heat"
        limit = 3
        [search]
        topic = ["AI", "Computer Vision"]
        published = true
        """,
    )
    defaults = default_map(read_config(), COMMANDS)
    assert defaults["list"] == {"limit": 3, "color": "never", "sort": "heat"}
    assert defaults["search"] == {
        "limit": 7,
        "color": "never",
        "topic": ["AI", "Computer Vision"],
        "published": True,
    }
    assert defaults["stories"] == {"limit": 7, "color": "never"}
    assert defaults["show"] == {"color": "never"}  # (show has no --limit)


def test_color_from_the_file_gives_way_to_no_color_and_force_color(config_home, monkeypatch):
    write(config_home, 'color = "always"\n')
    assert default_map(read_config(), COMMANDS)["list"] == {"color": "always"}
    monkeypatch.setenv("NO_COLOR", "1")
    assert default_map(read_config(), COMMANDS)["list"] == {}


def test_data_from_the_file_gives_way_to_newsq_data(config_home, monkeypatch):
    write(config_home, 'data = "/srv/corpus"\n')
    assert default_map(read_config(), COMMANDS)["list"] == {"data": ["/srv/corpus"]}
    monkeypatch.setenv("NEWSQ_DATA", "/elsewhere")
    assert default_map(read_config(), COMMANDS)["list"] == {}


# --- a broken file ---------------------------------------------------------------------------

SORTS = "'relevance', 'date', 'quality', 'heat', 'title'"
LIST_SETTINGS = (
    "sort, limit, format, fields, topic, provider, category, type, since, until, "
    "min-quality, min-heat, published"
)
ONE_WAY = "reverse is a switch the command line cannot turn off again, so it cannot be a default"
BROKEN = [
    ("limit = 0\n", 1, "limit: a whole number of at least 1, not 0"),
    ("limit = true\n", 1, "limit: a whole number of at least 1, not true"),
    ("limt = 3\n", 1, "no setting 'limt'; did you mean 'limit'?"),
    ('color = "blue"\n', 1, 'color: auto, always or never, not "blue"'),
    ("pager = 3\n", 1, "pager: a command, or false for none, not 3"),
    ("data = []\n", 1, "data: a path or a list of paths, not []"),
    ("a = 1\nb = = 2\n", 2, "not valid TOML: invalid value"),
    ("x = [\n", 1, "not valid TOML: invalid value"),
    ("[list]\nsort = 'hot'\n", 2, f"sort: 'hot' is not one of {SORTS}."),
    ('[list]\nlimit = "x"\n', 2, 'limit: a whole number, not "x"'),
    ("[list]\nlimit = 0\n", 2, "limit: 0 is not in the range x>=1."),
    ("[stats]\nmin-quality = true\n", 2, "min-quality: a number, not true"),
    ("[list]\npublished = 3\n", 2, "published: true or false, not 3"),
    ("[list]\nsort = ['date']\n", 2, 'sort: one value, not ["date"]'),
    ("\n[lsit]\nlimit = 3\n", 2, "no setting or command 'lsit'; did you mean 'list'?"),
    ('[list]\ncolor = "never"\n', 2, "color is set at the top of the file, for every command"),
    ("[list]\nnope = 1\n", 2, f"no setting 'nope' (known: {LIST_SETTINGS})"),
    ("[list]\nreverse = true\n", 2, ONE_WAY),
]


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN)
def test_a_broken_file_is_an_error_naming_its_line(config_home, text, line, reason):
    write(config_home, text)
    with pytest.raises(ConfigError) as raised:
        default_map(read_config(), COMMANDS)
    assert (raised.value.line, raised.value.reason) == (line, reason)
    assert str(raised.value) == f"{config_home}:{line}: {reason}"


def test_a_file_that_is_not_utf8_is_an_error(config_home):
    config_home.write_bytes(b"limit = 3\n# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"config.toml:2: not UTF-8 text$"):
        read_config()


def test_a_broken_file_stops_every_command_with_exit_2(config_home, tmp_path):
    write(config_home, "[list]\nlimit = 0\n")
    result = subprocess.run(
        [newsq_executable(), "search", "police"], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"newsq: {config_home}:2: limit: 0 is not in the range x>=1.\n"


def test_version_still_answers_with_a_broken_file(config_home):
    write(config_home, "limit = [\n")
    result = subprocess.run(
        [newsq_executable(), "--version"], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout) == (0, "newsq 0.1.0\n")


# --- the order: command line > environment > config > built-in --------------------------------


def test_limit_from_the_file_and_from_a_commands_table(cli, config_home):
    write(config_home, "limit = 2\n[search]\nlimit = 1\n")
    assert ids(cli("list", "--format", "ids")) == NEWEST_FIRST[:2]
    assert len(ids(cli("search", "facial", "--format", "ids"))) == 1
    assert ids(cli("list", "--format", "ids", "--limit", "4")) == NEWEST_FIRST[:4]
    assert ids(cli("list", "--format", "ids", "--all")) == NEWEST_FIRST


def test_a_commands_table_sets_any_of_its_options(cli, config_home):
    write(config_home, '[list]\nsort = "heat"\nformat = "ids"\npublished = false\n')
    unpublished = ids(cli("list", "--sort", "heat", "--unpublished", "--format", "ids"))
    assert ids(cli("list")) == unpublished
    assert ids(cli("list", "--sort", "date", "--published")) != unpublished


def test_data_from_the_file_then_newsq_data_then_the_command_line(
    cli, config_home, write_corpus, monkeypatch
):
    one = write_corpus({"only.md": "---\ntitle: Only\npublishedDateTime: 2021-01-01\n---\n"})
    write(config_home, f"data = {json.dumps(str(one))}\n")
    assert ids(cli("list", "--format", "ids")) == ["only"]
    assert ids(cli("list", "--format", "ids", "--data", str(SEEDS))) == NEWEST_FIRST
    monkeypatch.setenv("NEWSQ_DATA", str(SEEDS))
    assert ids(cli("list", "--format", "ids")) == NEWEST_FIRST


def test_verbose_says_the_corpus_came_from_the_file(cli, config_home, write_corpus):
    one = write_corpus({"only.md": "---\ntitle: Only\n---\n"})
    write(config_home, f"\ndata = {json.dumps(str(one))}\n")
    result = cli("list", "-v")
    assert f"newsq: corpus ({config_home}:2): {one}\n" in result.stderr


def test_color_from_the_file_and_what_overrides_it(cli, config_home, monkeypatch):
    write(config_home, 'color = "always"\n')
    assert "\x1b[" in cli("list").stdout
    assert "\x1b[" not in cli("list", "--color", "never").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("list").stdout


def test_the_launcher_scans_the_files_corpus_early(config_home, write_corpus):
    one = write_corpus({"only.md": "---\ntitle: Only\n---\n"})
    write(config_home, f"data = {json.dumps(str(one))}\n")
    assert named_corpus(["list"]) == [str(one)]
    assert named_corpus(["list", "--data", str(SEEDS)]) == [str(SEEDS)]


def test_the_launcher_ignores_a_broken_file(config_home):
    write(config_home, "data = [\n")
    assert named_corpus(["list"]) == [str(bundled_seeds())]


# --- newsq config ------------------------------------------------------------------------------


def test_config_without_a_file_shows_the_built_in_settings(cli, config_home):
    result = cli("config", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"name": "data", "value": [str(bundled_seeds())], "source": "built-in (the bundled seeds)"},
        {"name": "color", "value": "auto", "source": "built-in"},
        {"name": "pager", "value": "less -FRX", "source": "built-in"},
        {"name": "limit", "value": 20, "source": "built-in"},
    ]
    assert cli("config").stdout.splitlines()[0] == (
        f"config file: {config_home} (not found: every setting is the built-in one)"
    )


def test_config_says_where_each_setting_comes_from(cli, config_home, monkeypatch):
    write(
        config_home,
        """\
        data = "/srv/corpus"
        color = "never"
        pager = "less -S"
        limit = 5
        [search]
        sort = "date"
        """,
    )
    monkeypatch.setenv("PAGER", "more")
    result = cli("config", "--json")
    assert json.loads(result.stdout) == [
        {"name": "data", "value": ["/srv/corpus"], "source": f"{config_home}:1"},
        {"name": "color", "value": "never", "source": f"{config_home}:2"},
        {"name": "pager", "value": "more", "source": "$PAGER"},
        {"name": "limit", "value": 5, "source": f"{config_home}:4"},
        {"name": "search.sort", "value": "date", "source": f"{config_home}:6"},
    ]
    monkeypatch.setenv("NEWSQ_DATA", str(SEEDS))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("NEWSQ_PAGER", "")
    table = cli("config").stdout.splitlines()
    assert table[0] == f"config file: {config_home}"
    assert [line.split()[:3] for line in table[3:6]] == [
        ["data", str(SEEDS), "$NEWSQ_DATA"],
        ["color", "never", "$NO_COLOR"],
        ["pager", "none", "$NEWSQ_PAGER"],
    ]


def test_help_shows_the_files_defaults(cli, config_home):
    write(config_home, "limit = 7\n")
    assert "[default: 7]" in cli("list", "--help").stdout


def test_config_dataclass_without_a_file():
    config = Config(Path("/nowhere/config.toml"))
    assert (config.data, config.pager, config.where("", "limit")) == (
        None,
        None,
        "/nowhere/config.toml",
    )


def test_a_setting_is_shown_escaped_on_a_terminal(cli, config_home):
    write(config_home, '[search]\nfields = "id,\\u001b[31mtitle"\n')
    result = cli("config", "--color", "always")
    assert "\x1b[31mtitle" not in result.stdout
    assert "\\x1b[31mtitle" in result.stdout


@pytest.mark.parametrize("value", [ID0, ID2, ID3])
def test_show_ignores_a_limit_it_does_not_have(cli, config_home, value):
    write(config_home, "limit = 1\n")
    result = cli("show", value, "--json")
    assert json.loads(result.stdout)["id"] == value


def test_the_config_file_is_never_written(cli, config_home):
    write(config_home, "limit = 2\n")
    before = (config_home.read_bytes(), config_home.stat().st_mtime_ns)
    cli("list")
    cli("config")
    assert (config_home.read_bytes(), config_home.stat().st_mtime_ns) == before
    assert sorted(os.listdir(config_home.parent)) == ["config.toml"]


def test_help_paragraphs_wrap_as_one_and_keep_brackets(cli):
    # A docstring's paragraph is written over several source lines: help joins them, so
    # the terminal wraps it, and "[search]" is text, not a rich style.
    wide = cli("config", "--help", env={"COLUMNS": "300"}).stdout
    assert (
        "The file is $NEWSQ_CONFIG, else $XDG_CONFIG_HOME/newsq/config.toml (TOML): data, "
        "color, pager and limit at the top, and a table per command of its options' defaults "
        '([search] sort = "date"). The command line wins over the environment, the '
        "environment over the file."
    ) in wide
    narrow = cli("stories", "--help", env={"COLUMNS": "80"}).stdout
    lines = [line.strip() for line in narrow.splitlines()]
    first = next(n for n, line in enumerate(lines) if line.startswith("Documents belong"))
    # (Typer 0.28 alone: "... in its related coverage,", then "both", then "list the ...")
    assert lines[first : first + 2] == [
        "Documents belong together when one lists the other in its related coverage,",
        "both list the same article, or their titles and excerpts are alike in wording",
    ]


def test_help_text_puts_a_paragraph_on_one_line():
    from newsq.cli.app import help_text

    assert help_text("One.\n\n    Two\n    lines [b]here[/b].\n    \n\n    Three.\n    ") == (
        "One.\n\nTwo lines \\[b]here\\[/b].\n\nThree."
    )
