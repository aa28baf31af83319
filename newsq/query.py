"""What a user asks for: filters over the light columns, date bounds, sort orders, words.

Everything here works on `Entry` values only, so a query never touches the full
records; the index hands the matching entries to the renderer, which fetches
full records for the rows it prints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from newsq.model import Entry, TextZones

SORT_KEYS = ("date", "quality", "heat", "title")
_UTC = dt.timezone.utc
#: Separates a related article's provider keys in its `provider_keys` column.
KEY_SEPARATOR = "\x1f"
#: What a stored provider key starts with: a name's, or a domain form's.
NAME_KEY, DOMAIN_KEY = "n:", "d:"
#: The largest integer SQLite holds; a `--limit` past it (or near it) means no limit.
SQL_INT_MAX = 2**63 - 1
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)


class QueryError(ValueError):
    """A value the user gave that cannot be understood; `option` names where it came from."""

    def __init__(self, option: str, value: str, reason: str) -> None:
        super().__init__(f"{option}: {reason}: {value!r}")
        self.option = option
        self.value = value
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Filter:
    """Conditions on a document. Empty fields match everything.

    `topics` must all be present; any one of `providers`, `categories` or `types`
    is enough. Text comparisons ignore case. `since` and `until` are inclusive
    and leave out documents without a date; `min_quality` and `min_heat` leave
    out documents without that number.
    """

    topics: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    min_quality: float | None = None
    min_heat: float | None = None
    published: bool | None = None

    @classmethod
    def build(
        cls,
        *,
        topic: str | Iterable[str] | None = None,
        provider: str | Iterable[str] | None = None,
        category: str | Iterable[str] | None = None,
        type: str | Iterable[str] | None = None,
        since: str | dt.datetime | dt.date | None = None,
        until: str | dt.datetime | dt.date | None = None,
        min_quality: float | None = None,
        min_heat: float | None = None,
        published: bool | None = None,
    ) -> Filter:
        """A filter from loose values: single strings or lists, dates as text or objects."""
        for option, number in (("--min-quality", min_quality), ("--min-heat", min_heat)):
            if number is not None and number != number:
                raise QueryError(option, str(number), "not a number")
        return cls(
            topics=_folded(topic),
            providers=_folded(provider),
            categories=_folded(category),
            types=_folded(type),
            since=date_bound(since, "--since", end=False),
            until=date_bound(until, "--until", end=True),
            min_quality=min_quality,
            min_heat=min_heat,
            published=published,
        )

    def matches(self, entry: Entry, provider_names: Iterable[str] = ()) -> bool:
        """Whether `entry` passes, as the SQL of `where_sql` decides it. `provider_names`
        are the corpus's provider names (casefolded): a `--provider` value among them
        matches names only (see `provider_matches`)."""
        if self.topics:
            have = {t.casefold() for t in entry.topics}
            if not all(t in have for t in self.topics):
                return False
        names = frozenset(provider_names)
        if self.providers and not any(provider_matches(entry, p, names) for p in self.providers):
            return False
        if self.categories and (entry.category or "").casefold() not in self.categories:
            return False
        if self.types and (entry.type or "").casefold() not in self.types:
            return False
        if self.since is not None and (entry.date is None or entry.date < self.since):
            return False
        if self.until is not None and (entry.date is None or entry.date > self.until):
            return False
        if self.min_quality is not None and (
            entry.quality is None or entry.quality < self.min_quality
        ):
            return False
        if self.min_heat is not None and (entry.heat is None or entry.heat < self.min_heat):
            return False
        return self.published is None or entry.published is self.published


def provider_matches(entry: Entry, value: str, names: frozenset[str]) -> bool:
    """Whether `--provider value` (casefolded) keeps `entry`: its provider's name, or a
    value that is none of the corpus's provider `names` (casefolded) and is a form of its
    domain (`forbes.com`, `forbes`). So with Microsoft, Microsoft Learn and Power Apps Community
    all on microsoft.com, `Microsoft` is Microsoft's, and `microsoft.com` all three."""
    if (entry.provider_name or "").casefold() == value:
        return True
    return value not in names and value in domain_keys(entry.provider_domain)


def provider_keys(entry: Entry) -> set[str]:
    """The names a provider answers to: `Forbes`, `forbes.com` and `forbes` alike."""
    keys = domain_keys(entry.provider_domain)
    if entry.provider_name:
        keys.add(entry.provider_name.casefold())
    return keys


def domain_keys(domain: str | None) -> set[str]:
    """The forms of a domain a `--provider` value may take: the domain itself, less a
    leading `www.`, less its last label, and its first label less a leading `www.` (so
    `www.bbc.co.uk` answers to `bbc.co.uk` and `bbc`)."""
    if not domain:
        return set()
    domain = domain.casefold()
    keys = {domain, domain.removeprefix("www.")}
    labels = domain.removeprefix("www.").split(".")
    if len(labels) > 1:
        keys.add(domain.rsplit(".", 1)[0])
        keys.add(labels[0])
    return keys


def stored_provider_keys(entry: Entry) -> tuple[str, ...]:
    """A provider's keys as the snapshot keeps them: `NAME_KEY` before its name and
    `DOMAIN_KEY` before each form of its domain, sorted (see `where_sql`)."""
    keys = {DOMAIN_KEY + k for k in domain_keys(entry.provider_domain)}
    if entry.provider_name:
        keys.add(NAME_KEY + entry.provider_name.casefold())
    return tuple(sorted(keys))


def closest(value: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known values most like `value` (any case), best first: for "did you mean …?"."""
    import difflib

    spelling = {k.casefold(): k for k in known if k}
    found = difflib.get_close_matches(value.casefold(), list(spelling), n=n, cutoff=0.6)
    return [spelling[k] for k in found]


def date_bound(
    value: Any, option: str, *, end: bool, now: dt.datetime | None = None
) -> dt.datetime | None:
    """A UTC datetime from what a user wrote.

    Any date python-dateutil reads, or a day counted back from today (`now`, by
    default the clock): `today`, `yesterday`, `3 days ago` (`weeks`, `months`,
    `years`), or short `7d`, `2w`, `3m`, `1y`. Parts left out are filled from the
    start of the period for `--since` and its end for `--until`: `2020-06-11` and
    `yesterday` are the whole day, `2020-06` the whole month, `2020` the whole
    year. No zone means UTC.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)
    if isinstance(value, dt.date):
        time = dt.time.max if end else dt.time.min
        return dt.datetime.combine(value, time, tzinfo=_UTC)
    text = str(value).strip()
    if not text:
        raise QueryError(option, str(value), "empty date")
    now = now or clock()
    day = days_back(text, now)
    if day is not None:
        return date_bound(day, option, end=end)
    from dateutil import parser as date_parser  # imported only when a date is given

    if end:
        default = dt.datetime(now.year, 12, 31, 23, 59, 59, 999999)
    else:
        default = dt.datetime(now.year, 1, 1)
    zones = TextZones()
    try:
        parsed = date_parser.parse(text, default=default, tzinfos=zones)
    except (ValueError, OverflowError) as exc:
        raise QueryError(option, text, "not a date newsq can read") from exc
    if zones.unknown:
        reason = f"time zone {zones.unknown[0]!r} is unknown; give an offset such as -04:00, or UTC"
        raise QueryError(option, text, reason)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)


def clock() -> dt.datetime:
    """Now, in UTC: what `today` and `7d` count back from."""
    return dt.datetime.now(_UTC)


_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}
_DAYS_AGO = re.compile(r"(\d+)\s*(?:([dwmy])|(day|week|month|year)s?\s+ago)", re.IGNORECASE)


def days_back(text: str, now: dt.datetime) -> dt.date | None:
    """The day (UTC) that `today`, `yesterday`, `N days|weeks|months|years ago` or
    `Nd`/`Nw`/`Nm`/`Ny` counts back to from `now`; None for any other text. A month
    back from the 31st is the month's last day."""
    today = now.astimezone(_UTC).date()
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - dt.timedelta(days=1)
    found = _DAYS_AGO.fullmatch(word)
    if found is None:
        return None
    from dateutil.relativedelta import relativedelta

    unit = _UNITS[found.group(2).lower()] if found.group(2) else found.group(3).lower() + "s"
    try:
        return today - relativedelta(**{unit: int(found.group(1))})
    except (ValueError, OverflowError):
        return dt.date.min  # further back than any date: every date is after it


def sort_entries(entries: Iterable[Entry], key: str = "date", reverse: bool = False) -> list[Entry]:
    """Sort by `key`: newest, best or hottest first, titles A to Z; `reverse` flips that.

    Ties are broken by id, A to Z, and documents without the value come last,
    whichever the direction.
    """
    if key not in SORT_KEYS:
        raise QueryError("--sort", key, f"must be one of {', '.join(SORT_KEYS)}")
    ordered = sorted(entries, key=lambda e: e.id)
    if key == "title":
        present = [e for e in ordered if e.title]
        missing = [e for e in ordered if not e.title]
        present.sort(key=lambda e: e.title.casefold(), reverse=reverse)
        return present + missing
    value = {
        "date": lambda e: e.date,
        "quality": lambda e: e.quality,
        "heat": lambda e: e.heat,
    }[key]
    present = [e for e in ordered if value(e) is not None]
    missing = [e for e in ordered if value(e) is None]
    present.sort(key=value, reverse=not reverse)  # biggest first unless reversed
    return present + missing


# --- the same, as SQL over the snapshot's `docs` table (aliased `d`) ---------------------------


def where_sql(where: Filter, *, related: bool = False) -> tuple[list[str], list[Any]]:
    """`Filter.matches` as SQL conditions (joined by AND) and their parameters.

    With `related`, over the `related` table (aliased `d`): its articles have the
    topics of the document they are listed in.
    """
    clauses: list[str] = []
    params: list[Any] = []
    owner = "d.parent" if related else "d.doc"
    for topic in where.topics:
        clauses.append(f"{owner} IN (SELECT doc FROM doc_topics WHERE key = ?)")
        params.append(topic)
    if where.providers:
        # A value matches providers of that name; one that is no document's provider name
        # also the forms of a domain (the subquery is constant: SQLite runs it once).
        name = f"'{NAME_KEY}' || ?"
        domain = (
            f"(CASE WHEN EXISTS (SELECT 1 FROM doc_providers WHERE key = '{NAME_KEY}' || ?) "
            f"THEN NULL ELSE '{DOMAIN_KEY}' || ? END)"
        )
        if related:  # the keys are in the row, between separators
            tests = [
                f"instr(d.provider_keys, '{KEY_SEPARATOR}' || {key} || '{KEY_SEPARATOR}') > 0"
                for _ in where.providers
                for key in (name, domain)
            ]
            clauses.append("(" + " OR ".join(tests) + ")")
        else:
            keys = ", ".join(f"{name}, {domain}" for _ in where.providers)
            clauses.append(f"d.doc IN (SELECT doc FROM doc_providers WHERE key IN ({keys}))")
        params.extend(value for p in where.providers for value in (p, p, p))
    for column, values in (("category_key", where.categories), ("type_key", where.types)):
        if values:
            clauses.append(f"d.{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    for column, op, bound in (
        ("date_us", ">=", where.since),
        ("date_us", "<=", where.until),
    ):
        if bound is not None:
            clauses.append(f"d.{column} {op} ?")
            params.append((bound - _EPOCH) // dt.timedelta(microseconds=1))
    for column, least in (("quality", where.min_quality), ("heat", where.min_heat)):
        if least is not None:
            clauses.append(f"d.{column} >= ?")
            params.append(least)
    if where.published is not None:
        clauses.append("d.published = ?")
        params.append(int(where.published))
    return clauses, params


def order_sql(key: str = "date", reverse: bool = False) -> str:
    """`sort_entries` as an ORDER BY: missing values last, ties by id. A search may
    also sort by `relevance`: its `score` column, highest first."""
    if key == "relevance":
        return f"d.score {'ASC' if reverse else 'DESC'}, d.id"
    if key not in SORT_KEYS:
        raise QueryError("--sort", key, f"must be one of {', '.join(SORT_KEYS)}")
    if key == "title":
        # (an empty title has an empty key, and only an empty title has)
        return f"d.title_key = '', d.title_key {'DESC' if reverse else 'ASC'}, d.id"
    column = {"date": "date_us", "quality": "quality", "heat": "heat"}[key]
    return f"d.{column} IS NULL, d.{column} {'ASC' if reverse else 'DESC'}, d.id"


def sql_limit(limit: int | None) -> int | None:
    """A limit SQLite can take: None (no limit) for one past any count it can hold."""
    return None if limit is None or limit >= SQL_INT_MAX // 2 else limit


def sql_int(value: int | None) -> int | None:
    """An integer bound SQLite can take: one past its largest is its largest."""
    return None if value is None else max(-SQL_INT_MAX - 1, min(value, SQL_INT_MAX))


def _folded(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(v.strip().casefold() for v in value if v and v.strip())
