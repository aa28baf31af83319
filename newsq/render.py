"""Drawing results for people: rich tables, panels and charts.

Every string that comes from the data reaches rich as a `Text` (never parsed as
markup) after `safe_text` has made its control characters visible, so a title
cannot restyle, hyperlink or repaint the terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.style import Style
from rich.table import Table
from rich.text import Text

from newsq import query
from newsq.formats import (
    display_value,
    field_value,
    linkable,
    relative_age,
    safe_line,
    safe_text,
)
from newsq.model import Entry, Problem, article_ref

if TYPE_CHECKING:
    from newsq.index import Hit


def data_text(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A rich `Text` of data: never read as markup, controls escaped."""
    return Text(safe_text(value, multiline=multiline), style=style)


# --- tables for people -------------------------------------------------------------


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
            "Quality": _number(e.quality),
            "Heat": _number(e.heat, none_below_zero=True),
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
    table = _table(plain=width is None)
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
    table = _table(plain)
    for name in fields:
        table.add_column(safe_text(name), overflow="fold" if plain else "ellipsis")
    for row in rows:
        table.add_row(*(data_text(display_value(field_value(row, f))) for f in fields))
    return table


def problems_text(problems: Iterable[Problem]) -> str:
    return "".join(safe_line(p.format()) + "\n" for p in problems)


def article_view(
    record: Mapping[str, Any],
    entry: Entry,
    *,
    related: Sequence[Entry] = (),
    now: dt.datetime | None = None,
    boxed: bool = True,
    story: Mapping[str, Any] | None = None,
    story_ref: str = "",
) -> RenderableType:
    """`show`: a panel of the essentials (title, outlet, date and age, topics as tags,
    quality and heat, the story it is part of, the excerpt, links, images), the related
    coverage by date, every other field, and the body as Markdown.

    `story` is the story to name (`Index.story_of`), as `story_ref` (its id, or a
    short form of it).

    Links are terminal hyperlinks where the console draws styles; `now` is what the
    age counts back from (default: the clock). Not `boxed` (for a pipe), the panel's
    lines come without its frame, after a line with the id."""
    from rich.panel import Panel

    parts: list[RenderableType] = [data_text(entry.title or entry.id, "bold")]
    outlet = Text()
    if entry.provider_name or entry.provider_domain:
        outlet.append_text(data_text(entry.provider_name or entry.provider_domain or "", "green"))
        if entry.provider_name and entry.provider_domain:
            outlet.append_text(data_text(f" · {entry.provider_domain}", "dim"))
    if entry.date:
        if outlet:
            outlet.append(" · ")
        outlet.append(entry.date.strftime("%Y-%m-%d %H:%M UTC"))
        outlet.append(f" ({relative_age(entry.date, now or query.clock())})", style="dim")
    if outlet:
        parts.append(outlet)
    # A related article's own values: its entry borrows its document's, for filters.
    own = record if "parent" in record else None
    quality = entry.quality if own is None else own.get("quality")
    heat = entry.heat if own is None else own.get("heat")
    facts = [
        f"{label} {_number(value)}"
        for label, value in (("quality", quality), ("heat", heat))
        if _number(value, none_below_zero=True)
    ]
    kinds = (entry.type, entry.category) if own is None else (own.get("type"), own.get("category"))
    facts += [safe_text(v) for v in kinds if isinstance(v, str) and v]
    published = entry.published if own is None else own.get("published")
    if isinstance(published, bool):
        facts.append("published" if published else "unpublished")
    if facts:
        parts.append(Text(" · ".join(facts), style="dim"))
    if entry.topics and own is None:
        parts.append(tags(entry.topics))
    if isinstance(record.get("parent"), str):  # a related article (`newsq show PARENT_ID#N`)
        parts.append(data_text(f"related coverage listed in {record['parent']}", "dim"))
    if story is not None:
        parts.append(data_text(f"story {story_ref}: {story_size(story)}", "dim"))
    if isinstance(record.get("excerpt"), str):
        parts += [Text(), data_text(record["excerpt"], multiline=True)]
    if _links(record, cut=False).row_count:
        # Where links are drawn each is one line, cut (the link holds the whole address);
        # where not, whole, so it can be copied.
        parts += [
            Text(),
            WhenStyled(lambda: _links(record, cut=True), lambda: _links(record, cut=False)),
        ]
    panel: RenderableType = Group(data_text(entry.id), *parts)
    if boxed:
        title = data_text(entry.id, "cyan")
        panel = Panel(Group(*parts), title=title, title_align="left", padding=(0, 1))
    view: list[RenderableType] = [panel]
    if related:
        heading = Text(f"Related coverage ({len(related)}), by date", style="bold")
        view += [Text(), heading, related_table(related, plain=not boxed)]
    more = [(k, v) for k, v in _flatten(record) if not _shown_above(k)]
    if more:
        fields = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
        fields.add_column("field", style="bold", no_wrap=True)
        fields.add_column("value", overflow="fold")
        for key, value in more:
            fields.add_row(data_text(key), data_text(display_value(value)))
        view += [Text(), Text("More fields", style="bold"), fields]
    body = record.get("body")
    if isinstance(body, str) and body.strip():
        view += [Text(), Text("Body", style="bold"), *body_view(body, entry.id)]
    return Group(*view)


#: The characters of a body `show` renders; the rest is one command away. rich takes
#: about a second per 100,000 characters of Markdown, and nobody reads more in a panel.
BODY_SHOWN = 50_000


def body_view(body: str, doc_id: str) -> list[RenderableType]:
    """A body rendered as Markdown (its HTML turned into Markdown first), cut at
    `BODY_SHOWN` characters with a line saying how to get the rest."""
    from rich.markdown import Markdown

    from newsq.markup import has_html, html_to_markdown

    shown = body[:BODY_SHOWN]
    if has_html(shown):
        shown = html_to_markdown(shown)
    shown = safe_text(shown, multiline=True)
    # Where links cannot be clicked, rich writes their address after their text.
    parts: list[RenderableType] = [
        WhenStyled(
            lambda: Markdown(shown, hyperlinks=True), lambda: Markdown(shown, hyperlinks=False)
        )
    ]
    if len(body) > BODY_SHOWN:
        rest = len(body) - BODY_SHOWN
        hint = f"… {rest:,} more characters: newsq show {doc_id} --fields body"
        parts.append(data_text(hint, "dim"))
    return parts


#: The links a panel shows, by label, in this order.
_LINK_FIELDS = (
    ("web", "webUrl"),
    ("original", "originalUrl"),
    ("amp", "ampWebUrl"),
    ("cdn amp", "cdnAmpWebUrl"),
)
#: Fields the panel shows (besides images' url, width and height): not repeated below it.
_SHOWN_IN_PANEL = frozenset(
    {"id", "parent", "title", "excerpt", "publishedDateTime", "provider.name"}
    | {"provider.domain", "topics", "quality", "heat", "type", "category", "published"}
    | {field for _, field in _LINK_FIELDS}
)


def _shown_above(key: str) -> bool:
    """A field the panel, the related table or the body shows: not repeated in More fields."""
    parts = key.split(".")
    if parts[0] in ("related", "body") or key in _SHOWN_IN_PANEL:
        return True
    # images.N.url, .width and .height: the panel's image lines
    return len(parts) == 3 and parts[0] == "images" and parts[2] in ("url", "width", "height")


def _links(record: Mapping[str, Any], *, cut: bool) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    table.add_column(style="dim", no_wrap=True, min_width=len("original"))
    # Not a no_wrap column: rich would crop it, not shorten it; each line says no_wrap.
    table.add_column(overflow="fold")
    lines: list[tuple[str, Text]] = [
        (label, link_text(record[field]))
        for label, field in _LINK_FIELDS
        if isinstance(record.get(field), str)
    ]
    images = record.get("images")
    for image in images if isinstance(images, list) else []:
        if isinstance(image, Mapping) and isinstance(image.get("url"), str):
            line = Text()
            width, height = _number(image.get("width")), _number(image.get("height"))
            if width and height:
                line.append(f"{width}×{height} ", style="dim")  # noqa: RUF001 (pixels)
            lines.append(("image", line.append_text(link_text(image["url"]))))
    for label, line in lines:
        if cut:
            line.no_wrap, line.overflow = True, "ellipsis"
        table.add_row(label, line)
    return table


def link_text(url: str, label: str | None = None, style: str = "blue") -> Text:
    """`label` (default: the url) that opens `url` when clicked, in terminals that draw
    hyperlinks (OSC 8) and only there; escaped like any data. Only web addresses link."""
    target = linkable(url)
    text = data_text(url if label is None else label, style if target else "")
    if target:
        text.stylize(Style(link=target))
    return text


class WhenStyled:
    """One renderable where the console draws styles (colours, links), another where not;
    each made only when drawn."""

    def __init__(
        self, styled: Callable[[], RenderableType], plain: Callable[[], RenderableType]
    ) -> None:
        self.styled = styled
        self.plain = plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.plain() if console.color_system is None else self.styled()


def tags(names: Sequence[str]) -> RenderableType:
    """Topics as tags: coloured chips where styles are drawn, `Computer Vision · AI`
    where they are not (a chip without colour would be only spaces)."""
    chips, plain = Text(), Text()
    for number, name in enumerate(names):
        chips.append(" " if number else "")
        chips.append(f" {safe_text(name)} ", style="black on magenta")
        plain.append(" · " if number else "")
        plain.append(safe_text(name))
    return WhenStyled(lambda: chips, lambda: plain)


def related_table(related: Sequence[Entry], *, plain: bool = False) -> Table:
    """Related coverage, oldest first (undated last): outlet, date and title, and the number
    N that `newsq show PARENT_ID#N` takes."""
    table = _table(plain)
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


def story_size(story: Mapping[str, Any]) -> str:
    """`5 documents, 28 articles, 24 outlets`."""
    counts = (len(story["documents"]), story["articles"], len(story["outlets"]))
    return ", ".join(
        f"{n:,} {noun}{'' if n == 1 else 's'}"
        for n, noun in zip(counts, ("document", "article", "outlet"), strict=True)
    )


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
    table = _table(plain=width is None)
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


def story_view(
    story: Mapping[str, Any],
    per_day: Sequence[Mapping[str, Any]],
    *,
    short_ids: Mapping[str, str] | None = None,
    plain: bool = False,
) -> RenderableType:
    """`story`: the headline and counts, who reported first, every article in date order
    (date, outlet, title, and its id: the document it is, or `DOCUMENT#N` for the Nth of
    that document's coverage), and coverage per day as bars."""
    shorts = short_ids or {}
    head = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    head.add_row("Story", data_text(shorts.get(story["id"], story["id"]), "cyan"))
    head.add_row("Size", story_size(story))
    if story["first_seen"]:
        head.add_row("Dates", f"{story['first_seen'][:10]} → {story['last_seen'][:10]}")
    first = next((t for t in story["timeline"] if t["publishedDateTime"]), None)
    if first is not None:
        when = first["publishedDateTime"][:16].replace("T", " ")
        head.add_row("First", data_text(f"{first['outlet'] or '?'}, {when} UTC"))
    if story["topics"]:
        topics = ", ".join(f"{name} {count:,}" for name, count in story["topics"].items())
        head.add_row("Topics", data_text(topics))
    timeline = _table(plain)
    timeline.add_column("Date", no_wrap=True)
    timeline.add_column("Outlet", style="green", max_width=18, overflow="ellipsis")
    timeline.add_column("Title", ratio=1, overflow="fold")
    timeline.add_column("ID", style="cyan", no_wrap=True)
    for item in story["timeline"]:
        when = (item["publishedDateTime"] or "")[:16].replace("T", " ")
        timeline.add_row(
            when,
            data_text(item["outlet"] or ""),
            data_text(item["title"]),
            data_text(shorts.get(item["id"], item["id"])),
        )
    parts: list[RenderableType] = [
        data_text(story["headline"], "bold"),
        head,
        Text(),
        Text("Timeline", style="bold"),
        timeline,
    ]
    if per_day:
        parts += [Text(), Text("Articles per day", style="bold"), _bars(per_day, "day")]
    return Group(*parts)


def stats_view(stats: Mapping[str, Any]) -> RenderableType:
    """`stats` for people: counts, date range, top topics and providers as bar charts, and
    documents per month (or week, or year: whichever `per_…` key `stats` holds)."""
    summary = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("Documents", f"{stats['documents']:,}")
    summary.add_row("Related coverage", f"{stats['related']:,}")
    noun = "document"
    if "articles" in stats:  # --related: coverage counted in what follows
        summary.add_row("Articles", f"{stats['articles']:,} (documents and their coverage)")
        noun = "article"
    if stats["first"]:
        span = f"{stats['first'][:10]} → {stats['last'][:10]} ({stats['dated']:,} dated)"
        summary.add_row("Dates", span)
    by = next(key.removeprefix("per_") for key in stats if key.startswith("per_"))
    if stats.get("peak"):
        count = stats["peak"]["count"]
        busiest = f"{stats['peak'][by]} ({count:,} {noun}{'' if count == 1 else 's'})"
        summary.add_row(f"Busiest {by}", busiest)
    for label, key in (("Types", "types"), ("Categories", "categories")):
        if stats[key]:
            summary.add_row(
                label, data_text(", ".join(f"{k} {v:,}" for k, v in stats[key].items()))
            )
    parts: list[RenderableType] = [summary]
    for title, rows, label in (
        ("Top topics", stats["topics"], "topic"),
        ("Top outlets" if noun == "article" else "Top providers", stats["providers"], "name"),
        (f"Per {by}", stats[f"per_{by}"], by),
    ):
        if rows:
            parts += [Text(), Text(title, style="bold"), _bars(rows, label)]
    return Group(*parts)


def _bars(rows: Sequence[Mapping[str, Any]], label: str) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    table.add_column(style="blue")
    peak = max((r["count"] for r in rows), default=0) or 1
    for row in rows:
        bar = "█" * max(1 if row["count"] else 0, round(30 * row["count"] / peak))
        table.add_row(data_text(row[label] or ""), f"{row['count']:,}", bar)
    return table


# --- helpers ---------------------------------------------------------------------


def _table(plain: bool) -> Table:
    if plain:  # piped: no box drawing, nothing cut, so grep and cut see whole values
        return Table(box=None, pad_edge=False, show_edge=False, header_style="")
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")


def _number(value: Any, *, none_below_zero: bool = False) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    if none_below_zero and value < 0:  # heat -1 means "no heat"
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Leaf fields with dotted names: `provider.images.0.url`. Lists of scalars stay whole."""
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and any(isinstance(v, (list, Mapping)) for v in value):
        for number, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{number}")
    else:
        yield prefix, value


def snapshots_view(folder: str, snapshots: Sequence[Mapping[str, Any]]) -> RenderableType:
    """`newsq cache info`: the cache folder and one row per snapshot."""
    table = _table(plain=False)
    for name in ("Documents", "Size", "Updated", "Corpus"):
        table.add_column(name, justify="right" if name in ("Documents", "Size") else "left")
    for snapshot in snapshots:
        if "error" in snapshot:
            table.add_row("", "", "", data_text(f"{snapshot['path']}: {snapshot['error']}"))
            continue
        table.add_row(
            f"{snapshot['documents']:,}",
            _size(snapshot["bytes"]),
            data_text(snapshot["updated"] or ""),
            data_text(", ".join(snapshot["roots"])),
        )
    heading = data_text(f"cache folder: {folder}")
    if not snapshots:
        return Group(heading, Text("no snapshots"))
    return Group(heading, table)


def _size(count: int | None) -> str:
    if count is None:
        return ""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
