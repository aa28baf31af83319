"""Dates as people write them, read into UTC bounds: `2020-06`, `yesterday`, `3 days ago`, `7d`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from newsq import model
from newsq.model import QueryError, TextZones

_UTC = dt.timezone.utc


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
    now = now or model.clock()
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
