"""What a user asks for of the documents: filters over the light columns and sort orders,
as SQL over the snapshot's tables (`where_sql`, `order_sql`) and, as their specification,
in Python over `Entry` values (`Filter.matches`, `sort_entries`; a property test holds
the two to the same answers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from newsq.model import Entry, QueryError, to_microseconds
from newsq.query.dates import date_bound
from newsq.store.rows import domain_keys
from newsq.store.schema import DOMAIN_KEY, KEY_SEPARATOR, NAME_KEY, TITLE_KEY

SORT_KEYS = ("date", "quality", "heat", "title")
#: The largest integer SQLite holds; a `--limit` past it (or near it) means no limit.
SQL_INT_MAX = 2**63 - 1


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
            params.append(to_microseconds(bound))
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
        return f"d.title = '', {TITLE_KEY}(d.title) {'DESC' if reverse else 'ASC'}, d.id"
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


def condition(where: Filter, *extra: str) -> tuple[str, list[Any]]:
    """The WHERE clause (or nothing) for a filter over `docs d` and `extra` conditions
    (SQL without parameters), and its parameters."""
    clauses, params = where_sql(where)
    clauses.extend(extra)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def combine(where: Filter | None, criteria: dict[str, Any]) -> Filter:
    """The filter of an API call that takes a `Filter` or the criteria as keywords."""
    if where is not None and criteria:
        raise TypeError("pass a Filter or keyword criteria, not both")
    return where if where is not None else Filter.build(**criteria)
