"""The config file: the defaults a person sets once instead of typing them every time.

`$NEWSQ_CONFIG`, else `$XDG_CONFIG_HOME/newsq/config.toml` (`~/.config/newsq/config.toml`
when XDG_CONFIG_HOME is unset), in TOML:

    data = "~/news"            # the corpus (a path, or a list of them)
    color = "auto"             # auto, always, never
    pager = "less -FRXS"       # a command, or false for none
    limit = 50                 # results of list, search and stories

    [search]                   # a command's own defaults: its options, named
    sort = "date"              # as on its command line without the dashes
    fields = "id,title,provider.name"

The command line wins over the environment (`NEWSQ_DATA`, `NO_COLOR`, `FORCE_COLOR`,
`NEWSQ_PAGER`, `PAGER`), the environment over this file, and this file over newsq's
own defaults. Relative paths in `data` are read from the file's folder, so that they
mean the same wherever newsq runs. A switch the command line cannot turn off again
(`--reverse`, `--all`) cannot be a default: it would hold for good. Every value is
checked as its option checks it; a file that is not TOML, or a setting newsq does not
have, is an error naming the file and the line (exit 2), never silently ignored.

Settings reach the commands as Click's `default_map` (an option's value when it is not
on the command line), so `--help` shows them as the defaults.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

#: The environment variable naming the config file (instead of the XDG location).
CONFIG_ENV = "NEWSQ_CONFIG"
#: Settings of the top level, for every command that has the option.
TOP_LEVEL = ("data", "color", "pager", "limit")
#: Options a command's table cannot set: the top level's (their order with the
#: environment must hold for every command), and what ends a command at once.
NOT_PER_COMMAND = frozenset(("data", "color", "help", "version"))
#: Built-in values, as `newsq config` shows them.
BUILT_IN_LIMIT = 20


class ConfigError(Exception):
    """The config file cannot be used: `path`, the `line` (0: the whole file) and why."""

    exit_code = 2

    def __init__(self, path: Path, line: int, reason: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class Setting(NamedTuple):
    """One effective setting as `newsq config` shows it: its name (`limit`,
    `search.sort`), its value, and where it came from (`built-in`, `$NEWSQ_DATA`,
    `config.toml:3`)."""

    name: str
    value: Any
    source: str

    def to_json(self) -> dict[str, Any]:
        return self._asdict()


@dataclass
class Config:
    """What the config file says (nothing, when there is none)."""

    path: Path
    exists: bool = False
    values: dict[str, Any] = field(default_factory=dict)  # top-level settings
    commands: dict[str, dict[str, Any]] = field(default_factory=dict)  # [command] tables
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, key) → line

    def where(self, table: str, key: str) -> str:
        """Where a setting is written: `path:line`."""
        line = self.lines.get((table, key), 0)
        return f"{self.path}:{line}" if line else str(self.path)

    @property
    def data(self) -> list[str] | None:
        """The `data` roots, with `~` expanded and relative ones read from the file's folder."""
        value = self.values.get("data")
        if value is None:
            return None
        paths = [value] if isinstance(value, str) else value
        return [str(self.path.parent / os.path.expanduser(p)) for p in paths]

    @property
    def pager(self) -> str | bool | None:
        return self.values.get("pager")


def config_path() -> Path:
    """Where the config file is looked for."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / "newsq" / "config.toml"
    return Path.home() / ".config" / "newsq" / "config.toml"


def read_config(path: Path | None = None) -> Config:
    """The config file at `path` (default: `config_path()`), its top level checked; its
    command tables are checked against the commands by `default_map`. Raises
    `ConfigError`. A file that is not there is an empty config."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path)
    except OSError as exc:
        raise ConfigError(
            path, 0, f"cannot read it: {(exc.strerror or str(exc)).lower()}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(path, line, "not UTF-8 text") from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, reason = _decode_error(exc, text)
        raise ConfigError(path, line, f"not valid TOML: {reason}") from None
    config = Config(path, exists=True, lines=_key_lines(text))
    for key, value in document.items():
        if isinstance(value, dict):
            config.commands[key] = value
        elif key in TOP_LEVEL:
            config.values[key] = _top_level(config, key, value)
        else:
            raise ConfigError(path, config.lines.get(("", key), 0), _unknown(key, TOP_LEVEL))
    return config


def _top_level(config: Config, key: str, value: Any) -> Any:
    """A top-level setting's value, checked."""

    def bad(reason: str) -> ConfigError:
        return ConfigError(config.path, config.lines.get(("", key), 0), f"{key}: {reason}")

    if key == "data":
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            return value
        raise bad(f"a path or a list of paths, not {_shown(value)}")
    if key == "color":
        if value in ("auto", "always", "never"):
            return value
        raise bad(f"auto, always or never, not {_shown(value)}")
    if key == "pager":
        if isinstance(value, str) or value is False:
            return value
        raise bad(f"a command, or false for none, not {_shown(value)}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad(f"a whole number of at least 1, not {_shown(value)}")
    return value


def default_map(config: Config, commands: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each command's defaults from `config` (Click's `default_map`), checked against
    `commands` (name → Click command): the top level's `limit`, `color` (unless
    NO_COLOR or FORCE_COLOR is set) and `data` (unless NEWSQ_DATA is), then the
    command's own table. Raises `ConfigError` naming a setting that is not an option
    or a value its option does not take."""
    from newsq.corpus import DATA_ENV

    unknown = [name for name in config.commands if name not in _configurable(commands)]
    if unknown:
        name = unknown[0]
        reason = _unknown(name, [*TOP_LEVEL, *_configurable(commands)], what="setting or command")
        raise ConfigError(config.path, config.lines.get((name, ""), 0), reason)
    inherited: dict[str, Any] = {}
    if "limit" in config.values:
        inherited["limit"] = config.values["limit"]
    if "color" in config.values and not _color_in_environment():
        inherited["color"] = config.values["color"]
    if config.data and not _roots(os.environ.get(DATA_ENV, "")):
        inherited["data"] = config.data
    defaults: dict[str, dict[str, Any]] = {}
    for name, command in _configurable(commands).items():
        options = _options(command)
        own = {options[key].name: value for key, value in inherited.items() if key in options}
        for key, value in config.commands.get(name, {}).items():
            option = options.get(key)
            if option is None or key in NOT_PER_COMMAND or _one_way(option):
                reason = _unknown(key, [k for k, o in options.items() if _settable(k, o)])
                if key in NOT_PER_COMMAND and key in options:
                    reason = f"{key} is set at the top of the file, for every command"
                elif option is not None and _one_way(option):
                    reason = (
                        f"{key} is a switch the command line cannot turn off again, so it "
                        "cannot be a default"
                    )
                raise ConfigError(config.path, config.lines.get((name, key), 0), reason)
            own[option.name] = _checked(config, name, key, option, value)
        defaults[name] = own
    return defaults


def effective(config: Config, commands: Mapping[str, Any]) -> list[Setting]:
    """Every setting in effect, and where it comes from: what `newsq config` prints."""
    from newsq.corpus import DATA_ENV, bundled_seeds
    from newsq.render.pager import choose

    default_map(config, commands)  # (checks the file)
    settings = []
    env_roots = _roots(os.environ.get(DATA_ENV, ""))
    if env_roots:
        settings.append(Setting("data", env_roots, f"${DATA_ENV}"))
    elif config.data:
        settings.append(Setting("data", config.data, config.where("", "data")))
    else:
        settings.append(Setting("data", [str(bundled_seeds())], "built-in (the bundled seeds)"))
    color_env = _color_in_environment()
    if color_env:
        value = "never" if color_env == "NO_COLOR" else "always"
        settings.append(Setting("color", value, f"${color_env}"))
    elif "color" in config.values:
        settings.append(Setting("color", config.values["color"], config.where("", "color")))
    else:
        settings.append(Setting("color", "auto", "built-in"))
    pager = choose(config.pager)
    source = config.where("", "pager") if pager.source == "config" else pager.source
    settings.append(Setting("pager", pager.command or "none", source))
    if "limit" in config.values:
        settings.append(Setting("limit", config.values["limit"], config.where("", "limit")))
    else:
        settings.append(Setting("limit", BUILT_IN_LIMIT, "built-in"))
    for name, table in config.commands.items():
        for key, value in table.items():
            settings.append(Setting(f"{name}.{key}", value, config.where(name, key)))
    return settings


def configured_data() -> list[str] | None:
    """The config file's `data` when NEWSQ_DATA does not override it, for what runs
    without the app's reading of the file (the launcher's early scan, completion); None
    when there is none, or the file is broken (the command itself says so)."""
    from newsq.corpus import DATA_ENV

    if _roots(os.environ.get(DATA_ENV, "")):
        return None
    try:
        return read_config().data
    except ConfigError:
        return None


# --- the parts ----------------------------------------------------------------------------


def _configurable(commands: Mapping[str, Any]) -> dict[str, Any]:
    """The commands a table may name: those with options of their own (not groups)."""
    return {name: c for name, c in commands.items() if not hasattr(c, "commands")}


def _options(command: Any) -> dict[str, Any]:
    """A command's options by the name a config file gives them: the long option less
    its dashes (`--min-quality` → `min-quality`)."""
    options = {}
    for param in command.params:
        names = [o for o in getattr(param, "opts", ()) if o.startswith("--")]
        if names and param.param_type_name == "option":
            options[names[0][2:]] = param
    return options


def _one_way(option: Any) -> bool:
    """A switch with no off switch (`--reverse`, `--all`): as a default it would hold for
    good, so a table cannot set it (`--published/--unpublished` it can)."""
    return bool(option.is_flag and not option.secondary_opts)


def _settable(key: str, option: Any) -> bool:
    return key not in NOT_PER_COMMAND and not _one_way(option)


def _checked(config: Config, table: str, key: str, option: Any, value: Any) -> Any:
    """`value` as `option` takes it from a command line, or ConfigError."""
    line = config.lines.get((table, key), 0)
    if option.multiple:
        values = value if isinstance(value, list) else [value]
    elif isinstance(value, (list, dict)):
        raise ConfigError(config.path, line, f"{key}: one value, not {_shown(value)}")
    else:
        values = [value]
    checked = []
    for one in values:
        if isinstance(one, (list, dict)):
            raise ConfigError(config.path, line, f"{key}: one value a time, not {_shown(one)}")
        if option.is_flag and not isinstance(one, bool):
            raise ConfigError(config.path, line, f"{key}: true or false, not {_shown(one)}")
        kind = getattr(option.type, "name", "")
        if kind.startswith(("int", "float")) and (
            isinstance(one, bool) or not isinstance(one, (int, float))
        ):
            number = "a whole number" if kind.startswith("int") else "a number"
            raise ConfigError(config.path, line, f"{key}: {number}, not {_shown(one)}")
        try:
            checked.append(option.type.convert(one, option, None))
        except Exception as exc:  # Click's BadParameter: its message says why
            reason = getattr(exc, "message", None) or str(exc)
            raise ConfigError(config.path, line, f"{key}: {reason}") from None
    return checked if option.multiple else checked[0]


def _shown(value: Any) -> str:
    """A value as TOML writes it (`true`, `"text"`), for messages."""
    import json

    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # pragma: no cover - tomllib gives JSON-like values
        return repr(value)


def _color_in_environment() -> str | None:
    """The environment variable that decides colour when --color is not given, if set."""
    for name in ("NO_COLOR", "FORCE_COLOR"):
        if os.environ.get(name):
            return name
    return None


def _roots(value: str) -> list[str]:
    return [p for p in value.split(os.pathsep) if p]


def _unknown(key: str, known: Iterable[str], what: str = "setting") -> str:
    from difflib import get_close_matches

    known = list(known)
    near = get_close_matches(key, known, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(known)})"
    return f"no {what} {key!r}{hint}"


_DECODE_AT = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


def _decode_error(exc: Exception, text: str) -> tuple[int, str]:
    """The line a TOML error is on (the last at the end of the file), and its reason
    without the position."""
    message = str(exc)
    found = _DECODE_AT.search(message)
    line = getattr(exc, "lineno", None)
    if not line and found:
        line = int(found.group(1)) if found.group(1) else max(1, len(text.splitlines()))
    reason = _DECODE_AT.sub("", getattr(exc, "msg", None) or message)
    return line or 0, reason[:1].lower() + reason[1:]


_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("([^"]*)"|'([^']*)'|[A-Za-z0-9_-]+)\s*=""")


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """Where each key is written: (table, key) → line, "" being the top level; a table's
    own line under (table, ""). Only to point at a line: the values are tomllib's."""
    lines: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE.match(line)
        if header:
            table = header.group(1).strip().strip("\"'")
            lines.setdefault((table, ""), number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(2) if key.group(2) is not None else key.group(3) or key.group(1)
            lines.setdefault((table, name), number)
    return lines
