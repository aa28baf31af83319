"""Tables drawn for people: documents, search hits, stories, related coverage, counts.

Every string that comes from the data reaches rich as a `Text` (never parsed as
markup) after `safe_text` has made its control characters visible, so a title
cannot restyle, hyperlink or repaint the terminal. On a terminal a table fits
its width (the title gives way, an id never); on a pipe nothing is cut.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from newsq.model import Entry, article_ref
from newsq.render.escape import display_value, safe_text
from newsq.render.formats import field_value

if TYPE_CHECKING:
    from newsq.index.results import FieldInfo, Hit, Story


def data_text(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A rich `Text` of data: never read as markup, controls escaped."""
    return Text(safe_text(value, multiline=multiline), style=style)


class Frame(NamedTuple):
    """What every page of one table shares: the columns it shows and each one's width
    (None: as wide as its widest cell, as rich sizes a table on a pipe)."""

    names: tuple[str, ...]
    widths: Mapping[str, int] | None


def natural_widths(rows: Iterable[Mapping[str, str]], names: Sequence[str]) -> dict[str, int]:
    """Each column's widest cell (or heading), in terminal cells: what rich gives it."""
    widths = {name: cell_len(name) for name in names}
    for row in rows:
        for name in names:
            widths[name] = max(widths[name], cell_len(row[name]))
    return widths


def widest(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    """Column widths wide enough for both (pages measured one at a time)."""
    return {name: max(a.get(name, 0), b.get(name, 0)) for name in {*a, *b}}


def entry_cells(entry: Entry, short_ids: Mapping[str, str]) -> dict[str, str]:
    """A document's cells in the list table, as text made safe."""
    return {
        "ID": safe_text(short_ids.get(entry.id, entry.id)),
        "Date": entry.date.strftime("%Y-%m-%d") if entry.date else "",
        "Provider": safe_text(entry.provider_name or ""),
        "Title": safe_text(entry.title),
        "Topics": safe_text(", ".join(entry.topics)),
        "Quality": format_number(entry.quality),
        "Heat": format_number(entry.heat, none_below_zero=True),
    }


def hit_cells(hit: Hit, short_ids: Mapping[str, str]) -> dict[str, str]:
    """A search hit's cells: its document's, and its passage."""
    return entry_cells(hit.entry, short_ids) | {"Snippet": safe_text(hit.snippet)}


#: The columns of the list table, with their styles, and of the search table's cells.
ENTRY_COLUMNS = ("ID", "Date", "Provider", "Title", "Topics", "Quality", "Heat")
HIT_COLUMNS = (*ENTRY_COLUMNS, "Snippet")


def entries_frame(widths: Mapping[str, int], width: int | None, *, hits: bool = False) -> Frame:
    """The columns of the list (or search) table whose cells are this wide at most: on a
    terminal (`width`), fitted to it; on a pipe, every one whole."""
    names = list(ENTRY_COLUMNS)
    if hits:  # the order says how well each matched; the passage says where
        names = ["ID", "Date", "Provider", "Title"] + (["Snippet"] if width is None else [])
    if width is None:
        return Frame(tuple(names), dict(widths))
    fitted = dict(widths)
    if hits:  # the passage goes under the title
        fitted["Title"] = max(fitted["Title"], fitted.get("Snippet", 0))
    fitted["Provider"] = min(fitted["Provider"], 18)
    fitted["Topics"] = min(fitted["Topics"], 24)
    optional = ("Topics", "Heat", "Quality", "Provider")
    _fit_title(width, fitted, names, TITLE_ROOM, optional, ("Date",))
    return Frame(tuple(names), fitted)


def entries_table(
    entries: Sequence[Entry],
    *,
    width: int | None = None,
    short_ids: Mapping[str, str] | None = None,
    frame: Frame | None = None,
    header: bool = True,
) -> Table:
    """The list table: one row per document, from its light columns only.

    With a `width` (a terminal), columns are sized to fit it: ids and dates are
    never cut, the title gives way first (with an ellipsis), and topics, then the
    provider, are dropped when even a short title would not fit. Without one
    (a pipe), nothing is cut. `short_ids` maps ids to what the ID column shows
    (`Index.short_ids`); ids not in it show whole. A table drawn a page at a time
    gives each page the `frame` measured over all of them, and a `header` to the first.
    """
    shorts = short_ids or {}
    rows = [entry_cells(e, shorts) for e in entries]
    if frame is None:
        frame = entries_frame(natural_widths(rows, ENTRY_COLUMNS), width)
        frame = frame._replace(widths=None) if width is None else frame
    return _page(rows, frame, _ENTRY_STYLES, width is None, header)


def hits_table(
    hits: Sequence[Hit],
    *,
    width: int | None = None,
    short_ids: Mapping[str, str] | None = None,
    frame: Frame | None = None,
    header: bool = True,
) -> Table:
    """The search table: id, date, provider, title and each hit's passage, in order of
    relevance (or the sort asked for). On a terminal the passage goes under the title,
    matched words in bold; on a pipe it is a last column of plain text."""
    shorts = short_ids or {}
    rows = [hit_cells(h, shorts) for h in hits]
    if frame is None:
        frame = entries_frame(natural_widths(rows, HIT_COLUMNS), width, hits=True)
        frame = frame._replace(widths=None) if width is None else frame
    passages = None if width is None else hits
    return _page(rows, frame, _ENTRY_STYLES, width is None, header, passages)


def _page(
    rows: Sequence[Mapping[str, str]],
    frame: Frame,
    styles: Mapping[str, str],
    plain: bool,
    header: bool,
    passages: Sequence[Hit] | None = None,
    *,
    whole: Collection[str] = ("ID",),
) -> Table:
    """A table (or one page of it) of these cells, in these columns; those `whole` are never
    cut (wrapped if they must), the others cut with an ellipsis."""
    table = new_table(plain=plain)
    table.show_header = header
    for name in frame.names:
        table.add_column(
            name,
            style=styles.get(name, ""),  # the snippet: plain
            justify="right" if name in _RIGHT else "left",
            width=None if frame.widths is None else frame.widths[name],
            **_COLUMN_FIT[name in whole],
        )
    for number, row in enumerate(rows):
        cells: list[RenderableType] = [Text(row[n]) for n in frame.names]
        if passages is not None and passages[number].snippet:
            passage = snippet_text(passages[number])  # under the title, wrapped
            passage.no_wrap = False
            title = frame.names.index("Title")
            cells[title] = Group(cells[title], passage)
        table.add_row(*cells)
    return table


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


#: Columns numbers are in, right-justified.
_RIGHT = frozenset({"Quality", "Heat", "Docs", "Articles", "Outlets", "documents"})


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


def field_cells(row: Mapping[str, Any], fields: Sequence[str]) -> dict[str, str]:
    """The cells of a row (a record cut to `--fields`, a count), as text made safe."""
    return {f: safe_text(display_value(field_value(row, f))) for f in fields}


def fields_frame(fields: Sequence[str], widths: Mapping[str, int], width: int | None) -> Frame:
    """The columns of a `--fields` table drawn a page at a time: each as wide as its widest
    cell; on a terminal, the widest narrowed in turn until they fit (cells wrapped),
    none under its heading, and `id` never (an id is never cut)."""
    fitted = {f: widths[f] for f in fields}
    if width is not None:
        floor = {f: fitted[f] if f == "id" else min(fitted[f], max(cell_len(f), 4)) for f in fields}
        while sum(fitted.values()) + _GAP * (len(fields) - 1) > width:
            name = max((f for f in fields if fitted[f] > floor[f]), key=fitted.get, default=None)
            if name is None:
                break
            fitted[name] -= 1
    return Frame(tuple(fields), fitted)


def rows_table(
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    plain: bool = False,
    frame: Frame | None = None,
    header: bool = True,
) -> Table:
    """A table of any rows (records cut to `--fields`, facet counts)."""
    table = new_table(plain)
    table.show_header = header
    for name in fields:
        width = None if frame is None or frame.widths is None else frame.widths[name]
        overflow = "fold" if plain or name == "id" else "ellipsis"  # (an id is never cut)
        table.add_column(safe_text(name), overflow=overflow, width=width)
    for row in rows:
        cells = field_cells(row, fields)
        table.add_row(*(Text(cells[f]) for f in fields))
    return table


#: The characters of an example `newsq fields` shows in its table, a line with the rest of
#: its row on a terminal 120 columns wide; the JSON (and CSV) gives each example whole.
EXAMPLE_SHOWN = 60


def fields_table(
    fields: Sequence[FieldInfo], columns: Sequence[str], *, width: int | None = None
) -> Table:
    """`newsq fields`: a row per field (the `columns` asked for of its path, how many
    documents have it, its types and an example value cut to `EXAMPLE_SHOWN` characters).
    On a terminal (`width`) only the example gives way: a path is never cut (it is what
    `--fields` takes), nor a count or a type."""
    rows = []
    for info in fields:
        example = display_value(info.example).strip()  # (a body starts with a line break)
        if len(example) > EXAMPLE_SHOWN:
            example = example[: EXAMPLE_SHOWN - 1] + "…"
        cells = {
            "field": info.field,
            "documents": str(info.documents),
            "types": ", ".join(info.types),
            "example": example,
        }
        rows.append({name: safe_text(cells[name]) for name in columns})
    widths: dict[str, int] | None = None
    if width is not None:
        widths = natural_widths(rows, columns)
        if "example" in columns:
            others = sum(widths[n] for n in columns if n != "example")
            room = width - others - _GAP * (len(columns) - 1)
            widths["example"] = max(min(widths["example"], room), MIN_TITLE)
    styles = {"field": "cyan", "types": "magenta"}
    whole = ("field", "documents", "types")
    return _page(rows, Frame(tuple(columns), widths), styles, width is None, True, whole=whole)


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


#: The columns of the stories table.
STORY_COLUMNS = ("ID", "Docs", "Articles", "Outlets", "First", "Last", "Headline", "Topics")


def story_cells(story: Story, short_ids: Mapping[str, str]) -> dict[str, str]:
    """A story's cells in the stories table, as text made safe."""
    return {
        "ID": safe_text(short_ids.get(story.id, story.id)),
        "Docs": f"{len(story.documents):,}",
        "Articles": f"{story.articles:,}",
        "Outlets": f"{len(story.outlets):,}",
        "First": (story.first_seen or "")[:10],
        "Last": (story.last_seen or "")[:10],
        "Headline": safe_text(story.headline),
        "Topics": safe_text(", ".join(name for name, _ in story.topics[:3])),
    }


def stories_frame(widths: Mapping[str, int], width: int | None) -> Frame:
    """The columns of the stories table whose cells are this wide at most: on a terminal,
    the headline gets what the counts leave, after the topics, the last date and then
    the outlets are dropped to give it `HEADLINE_ROOM`; on a pipe, every one whole."""
    names = list(_STORY_COLUMNS)
    if width is None:
        return Frame(tuple(names), dict(widths))
    fitted = {("Title" if n == "Headline" else n): w for n, w in widths.items()}
    fitted["Topics"] = min(fitted["Topics"], 24)
    titled = ["Title" if n == "Headline" else n for n in names]
    optional = ("Topics", "Last", "Outlets")
    _fit_title(width, fitted, titled, HEADLINE_ROOM, optional, ("First", "Articles", "Docs"))
    kept = tuple("Headline" if n == "Title" else n for n in titled)
    return Frame(kept, {("Headline" if n == "Title" else n): w for n, w in fitted.items()})


def stories_table(
    stories: Sequence[Story],
    *,
    width: int | None = None,
    short_ids: Mapping[str, str] | None = None,
    frame: Frame | None = None,
    header: bool = True,
) -> Table:
    """`stories`: one row per story, biggest first. With a `width` (a terminal) the
    headline gets what the counts leave; without, every column, nothing cut."""
    shorts = short_ids or {}
    rows = [story_cells(s, shorts) for s in stories]
    if frame is None:
        frame = stories_frame(natural_widths(rows, STORY_COLUMNS), width)
        frame = frame._replace(widths=None) if width is None else frame
    return _page(rows, frame, _STORY_COLUMNS, width is None, header)


#: The columns a headline gets before the topics, last date and outlets give way.
HEADLINE_ROOM = 30
_STORY_COLUMNS = {
    "ID": "cyan",
    "Docs": "",
    "Articles": "",
    "Outlets": "",
    "First": "",
    "Last": "",
    "Headline": "",
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
