"""A corpus summed up: counts, the date range, top topics and outlets, and a timeline of
documents (or articles) per day, week, month or year with its busiest period."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from newsq.index import facets
from newsq.index.results import PeriodCount, Stats
from newsq.model import DAY_US, Entry, QueryError, format_timestamp
from newsq.query.filters import Filter, condition
from newsq.store.rows import stored_day, stored_timestamp

#: What `stats` counts documents per, as `--by` takes it, smallest first; or `auto`.
PERIODS = ("day", "week", "month", "year")
AUTO = "auto"
#: The most periods of an `auto` timeline unless told (`newsq stats --by auto` on a pipe):
#: a screenful, so that days give way to weeks past seven weeks, weeks to months past a
#: year, months to years past four years.
AUTO_PERIODS = 50

#: How many periods an `auto` timeline may have: a number, or a function of the summary
#: without its timeline (what a view of it takes besides the timeline depends on it).
MaxPeriods = int | Callable[[Stats], int]


def stats(
    db: sqlite3.Connection,
    where: Filter,
    *,
    top: int = 10,
    by: str = "month",
    related: bool = False,
    max_periods: MaxPeriods = AUTO_PERIODS,
) -> Stats:
    """`Index.stats`, counted in SQL over the documents matching `where`."""
    _check_period(by)
    clause, params = condition(where)
    documents, listed = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(d.related), 0) FROM docs d {clause}", params
    ).fetchone()
    articles, params = facets.articles_sql(where, related)
    count, dated, first, last = db.execute(
        f"SELECT COUNT(*), COUNT(date_us), MIN(date_us), MAX(date_us) FROM ({articles})",
        params,
    ).fetchone()
    # Days since 1970 as integers (floored, for dates before it too): a third of the
    # time of formatting each row's date in SQL.
    days = db.execute(
        f"SELECT (date_us - ((date_us % {DAY_US}) + {DAY_US}) % {DAY_US}) / {DAY_US} "
        f"AS day, COUNT(*) FROM ({articles}) WHERE date_us IS NOT NULL GROUP BY day",
        params,
    )
    per_day = {stored_day(day): n for day, n in days}
    summary = Stats(
        documents=documents,
        related=listed,
        articles=count if related else None,
        dated=dated,
        first=stored_timestamp(first),
        last=stored_timestamp(last),
        topics=tuple(facets.topics(db, where)[:top]),
        providers=tuple(facets.outlets(db, articles, params)[:top]),
        types=tuple(facets.column_counts(db, "type", where).items()),
        categories=tuple(facets.column_counts(db, "category", where).items()),
        by=by,
        periods=(),
        peak=None,
    )
    return _with_timeline(summary, per_day, max_periods)


def stats_of(
    entries: Iterable[Entry],
    *,
    top: int = 10,
    by: str = "month",
    max_periods: MaxPeriods = AUTO_PERIODS,
) -> Stats:
    """The same summary of the given entries, counted in Python."""
    _check_period(by)
    chosen = list(entries)
    dates = sorted(e.date for e in chosen if e.date is not None)
    summary = Stats(
        documents=len(chosen),
        related=sum(e.related for e in chosen),
        articles=None,
        dated=len(dates),
        first=format_timestamp(dates[0]) if dates else None,
        last=format_timestamp(dates[-1]) if dates else None,
        topics=tuple(facets.topics_of(chosen)[:top]),
        providers=tuple(facets.providers_of(chosen)[:top]),
        types=tuple(_counts(e.type for e in chosen).items()),
        categories=tuple(_counts(e.category for e in chosen).items()),
        by=by,
        periods=(),
        peak=None,
    )
    return _with_timeline(summary, Counter(d.date() for d in dates), max_periods)


def _with_timeline(
    summary: Stats, per_day: Mapping[dt.date, int], max_periods: MaxPeriods
) -> Stats:
    """`summary` with its timeline `by` its period, or for `auto` the one that fits."""
    by = summary.by
    if by == AUTO:
        most = max_periods(summary) if callable(max_periods) else max_periods
        by = fitting_period(min(per_day, default=None), max(per_day, default=None), most)
    periods = timeline(per_day, by)
    return dataclasses.replace(summary, by=by, periods=tuple(periods), peak=peak(periods))


def fitting_period(first: dt.date | None, last: dt.date | None, most: int) -> str:
    """The smallest period (day, week, month, year) of which a timeline from `first` to
    `last` has at most `most`; a year when none has (and a day when there are no dates:
    then there are no periods)."""
    if first is None or last is None:
        return PERIODS[0]
    return next((by for by in PERIODS if period_count(first, last, by) <= most), PERIODS[-1])


def period_count(first: dt.date, last: dt.date, by: str) -> int:
    """How many periods `by` a timeline from `first` to `last` has (as `timeline` makes it)."""
    if by == "day":
        return (last - first).days + 1
    if by == "week":
        return (_period_start(last, by) - _period_start(first, by)).days // 7 + 1
    if by == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def _check_period(by: str) -> None:
    if by not in (*PERIODS, AUTO):
        raise QueryError("--by", by, f"must be one of {', '.join((*PERIODS, AUTO))}")


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    counts = Counter(v for v in values if v is not None)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def timeline(per_day: Mapping[dt.date, int], by: str) -> list[PeriodCount]:
    """Documents per period (`day` `2020-06-11`, ISO `week` `2020-W24`, `month`
    `2020-06`, `year` `2020`) from the first to the last, empty periods included."""
    if not per_day:
        return []
    counts: Counter[dt.date] = Counter()
    for day, count in per_day.items():
        counts[_period_start(day, by)] += count
    period, last = min(counts), max(counts)
    rows = []
    while True:
        rows.append(PeriodCount(_period_label(period, by), counts.get(period, 0)))
        if period == last:  # before stepping on: past the year 9999 there is no date
            return rows
        period = _next_period(period, by)


def peak(rows: Sequence[PeriodCount]) -> PeriodCount | None:
    """The period of a timeline with the most (the earliest of equals); None for none."""
    return max(rows, key=lambda row: row.count) if rows else None


def _period_start(day: dt.date, by: str) -> dt.date:
    if by == "day":
        return day
    if by == "week":
        return day - dt.timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day.replace(day=1) if by == "month" else day.replace(month=1, day=1)


def _next_period(start: dt.date, by: str) -> dt.date:
    if by == "day":
        return start + dt.timedelta(days=1)
    if by == "week":
        return start + dt.timedelta(days=7)
    if by == "year":
        return start.replace(year=start.year + 1)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def _period_label(start: dt.date, by: str) -> str:
    if by == "day":
        return start.isoformat()
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{start.year:04d}-{start.month:02d}" if by == "month" else f"{start.year:04d}"
