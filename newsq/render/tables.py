"""Tables drawn for people: documents, search hits, stories, related coverage, counts.

Every string that comes from the data reaches rich as a `Text` (never parsed as
markup) after `safe_text` has made its control characters visible, so a title
cannot restyle, hyperlink or repaint the terminal. On a terminal a table fits
its width (the title gives way, an id never); on a pipe nothing is cut.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from newsq.model import Entry, article_ref
from newsq.render.escape import display_value, safe_text
from newsq.render.formats import field_value

if TYPE_CHECKING:
    from newsq.index.results import Hit


def data_text(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A rich `Text` of data: never read as markup, controls escaped."""
    return Text(safe_text(value, multiline=multiline), style=style)


def entries_table(
    entries: Sequence[Entry],
    *,
    width: int | None = None,
    short_ids: Mapping[str, str] | None = None,
) -> Table:
    """The list table: one row per document, from its light columns only.

    With a `width` (a terminal), columns are sized to fit it: ids and dates are
    never cut, the title gives way first (with an ellipsis), and topics, then the
    provider, are dropped when even a short title would not fit. Without one
    (a pipe), nothing is cut. `short_ids` maps ids to what the ID column shows
    (`Index.short_ids`); ids not in it show whole.
    """
    return _entries_table(entries, width, None, short_ids or {})


def hits_table(
    hits: Sequence[Hit],
    *,
    width: int | None = None,
    short_ids: Mapping[str, str] | None = None,
) -> Table:
    """The search table: id, date, provider, title and each hit's passage, in order of
    relevance (or the sort asked for). On a terminal the passage goes under the title,
    matched words in bold; on a pipe it is a last column of plain text."""
    return _entries_table([h.entry for h in hits], width, hits, short_ids or {})


def snippet_text(hit: Hit, style: str = "dim") -> Text:
    """A hit's passage with its matched words in bold; data text made safe."""
    text = Text(style=style)
    at = 0
    for start, end in hit.highlights:
        text.append(safe_text(hit.snippet[at:start]))
        text.append(safe_text(hit.snippet[start:end]), style="bold")
        at = end
    text.append(safe_text(hit.snippet[at:]))
    return text


def _entries_table(
    entries: Sequence[Entry],
    width: int | None,
    hits: Sequence[Hit] | None,
    short_ids: Mapping[str, str],
) -> Table:
    rows = [
        {
            "ID": safe_text(short_ids.get(e.id, e.id)),
            "Date": e.date.strftime("%Y-%m-%d") if e.date else "",
            "Provider": safe_text(e.provider_name or ""),
            "Title": safe_text(e.title),
            "Topics": safe_text(", ".join(e.topics)),
            "Quality": format_number(e.quality),
            "Heat": format_number(e.heat, none_below_zero=True),
        }
        for e in entries
    ]
    names = list(_ENTRY_STYLES)
    if hits is not None:  # the order says how well each matched; the passage says where
        names = ["ID", "Date", "Provider", "Title"] + (["Snippet"] if width is None else [])
        for row, hit in zip(rows, hits, strict=True):
            row["Snippet"] = safe_text(hit.snippet)
    widths = {n: max([len(n), *(len(r[n]) for r in rows)]) for n in _ENTRY_STYLES}
    if hits is not None and width is not None:  # the passage goes under the title
        widths["Title"] = max([widths["Title"], *(len(r["Snippet"]) for r in rows)])
    if width is not None:
        widths["Provider"] = min(widths["Provider"], 18)
        widths["Topics"] = min(widths["Topics"], 24)
        optional = ("Topics", "Heat", "Quality", "Provider")
        _fit_title(width, widths, names, TITLE_ROOM, optional, ("Date",))
    table = new_table(plain=width is None)
    for name in names:
        justify = "right" if name in ("Quality", "Heat") else "left"
        table.add_column(
            name,
            style=_ENTRY_STYLES.get(name, ""),  # the snippet: plain
            justify=justify,
            width=widths[name] if width is not None else None,
            **_COLUMN_FIT[name == "ID"],
        )
    for number, row in enumerate(rows):
        cells: list[RenderableType] = [Text(row[n]) for n in names]
        if hits is not None and width is not None and hits[number].snippet:
            passage = snippet_text(hits[number])  # under the title, wrapped
            passage.no_wrap = False
            cells[names.index("Title")] = Group(cells[names.index("Title")], passage)
        table.add_row(*cells)
    return table


def _fit_title(
    width: int,
    widths: dict[str, int],
    names: list[str],
    room: int,
    optional: Sequence[str],
    last_resort: Sequence[str] = (),
) -> None:
    """Fit a table's columns (`names`, in place) to `width`: drop the `optional` ones in
    order until the title has `room` columns (or all it needs), and the `last_resort`
    ones while it would have fewer than `MIN_TITLE` (long ids, which are never cut); then
    give the title what is left, never under `MIN_TITLE`."""
    wanted = min(widths["Title"], room)
    for name in optional:
        if _title_room(width, widths, names) >= wanted:
            break
        if name in names:
            names.remove(name)
    for name in last_resort:
        if _title_room(width, widths, names) >= MIN_TITLE:
            break
        if name in names:
            names.remove(name)
    widths["Title"] = max(MIN_TITLE, min(widths["Title"], _title_room(width, widths, names)))


def _title_room(width: int, widths: Mapping[str, int], names: Sequence[str]) -> int:
    """Columns left for the title: the width less the others and 3 between each pair."""
    others = sum(widths[n] for n in names if n != "Title")
    return width - others - _GAP * (len(names) - 1)


#: The fewest columns a title gets.
MIN_TITLE = 10
#: How a table cell fits its column: cut with an ellipsis, but an id never (a cut id is
#: one `show` cannot take back): it gets its whole width, and wraps if even that is too much.
_COLUMN_FIT: dict[bool, dict[str, Any]] = {
    False: {"no_wrap": True, "overflow": "ellipsis"},
    True: {"no_wrap": False, "overflow": "fold"},
}
#: The columns a title gets before other columns are dropped to make room for it
#: (in order: topics, heat, quality, provider).
TITLE_ROOM = 40
_GAP = 3  # a box separator with a space of padding either side
_ENTRY_STYLES = {
    "ID": "cyan",
    "Date": "",
    "Provider": "green",
    "Title": "",
    "Topics": "magenta",
    "Quality": "",
    "Heat": "",
}


def rows_table(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str], *, plain: bool = False
) -> Table:
    """A table of any rows (records cut to `--fields`, facet counts)."""
    table = new_table(plain)
    for name in fields:
        table.add_column(safe_text(name), overflow="fold" if plain else "ellipsis")
    for row in rows:
        table.add_row(*(data_text(display_value(field_value(row, f))) for f in fields))
    return table


def related_table(related: Sequence[Entry], *, plain: bool = False) -> Table:
    """Related coverage, oldest first (undated last): outlet, date and title, and the number
    N that `newsq show PARENT_ID#N` takes."""
    table = new_table(plain)
    table.add_column("Date", no_wrap=True)
    table.add_column("Outlet", style="green", max_width=24, overflow="ellipsis")
    table.add_column("Title", ratio=1, overflow="fold")
    table.add_column("#", justify="right", style="cyan")
    undated = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    for entry in sorted(related, key=lambda e: (e.date or undated, _related_number(e.id))):
        table.add_row(
            entry.date.strftime("%Y-%m-%d") if entry.date else "",
            data_text(entry.provider_name or entry.provider_domain or ""),
            data_text(entry.title),
            str(_related_number(entry.id)),
        )
    return table


def _related_number(article_id: str) -> int:
    article = article_ref(article_id)
    return 0 if article is None else article.number


def stories_table(
    stories: Sequence[Mapping[str, Any]],
    *,
    width: int | None = None,
    short_ids: Mapping[str, str] | None = None,
) -> Table:
    """`stories`: one row per story, biggest first. With a `width` (a terminal) the
    headline gets what the counts leave, after the topics, the last date and then the
    outlets are dropped to give it `HEADLINE_ROOM`; without, every column, nothing cut."""
    shorts = short_ids or {}
    rows = [
        {
            "ID": safe_text(shorts.get(s["id"], s["id"])),
            "Docs": f"{len(s['documents']):,}",
            "Articles": f"{s['articles']:,}",
            "Outlets": f"{len(s['outlets']):,}",
            "First": (s["first_seen"] or "")[:10],
            "Last": (s["last_seen"] or "")[:10],
            "Title": safe_text(s["headline"]),
            "Topics": safe_text(", ".join(list(s["topics"])[:3])),
        }
        for s in stories
    ]
    names = list(_STORY_COLUMNS)
    widths = {n: max([len(n), *(len(r[n]) for r in rows)]) for n in names}
    if width is not None:
        widths["Topics"] = min(widths["Topics"], 24)
        optional = ("Topics", "Last", "Outlets")
        _fit_title(width, widths, names, HEADLINE_ROOM, optional, ("First", "Articles", "Docs"))
    table = new_table(plain=width is None)
    for name in names:
        table.add_column(
            "Headline" if name == "Title" else name,
            style=_STORY_COLUMNS[name],
            justify="right" if name in ("Docs", "Articles", "Outlets") else "left",
            width=widths[name] if width is not None else None,
            **_COLUMN_FIT[name == "ID"],
        )
    for row in rows:
        table.add_row(*(Text(row[n]) for n in names))
    return table


#: The columns a headline gets before the topics, last date and outlets give way.
HEADLINE_ROOM = 30
_STORY_COLUMNS = {
    "ID": "cyan",
    "Docs": "",
    "Articles": "",
    "Outlets": "",
    "First": "",
    "Last": "",
    "Title": "",
    "Topics": "magenta",
}


def new_table(plain: bool) -> Table:
    if plain:  # piped: no box drawing, nothing cut, so grep and cut see whole values
        return Table(box=None, pad_edge=False, show_edge=False, header_style="")
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")


def format_number(value: Any, *, none_below_zero: bool = False) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    if none_below_zero and value < 0:  # heat -1 means "no heat"
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)
