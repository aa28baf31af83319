"""Drawing results for people: rich tables, panels and charts.

Every string that comes from the data reaches rich as a `Text` (never parsed as
markup) after `safe_text` has made its control characters visible, so a title
cannot restyle, hyperlink or repaint the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from newsq.formats import display_value, field_value, safe_line, safe_text
from newsq.model import Entry, Problem

if TYPE_CHECKING:
    from newsq.index import Hit


def data_text(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A rich `Text` of data: never read as markup, controls escaped."""
    return Text(safe_text(value, multiline=multiline), style=style)


# --- tables for people -------------------------------------------------------------


def entries_table(entries: Sequence[Entry], *, width: int | None = None) -> Table:
    """The list table: one row per document, from its light columns only.

    With a `width` (a terminal), columns are sized to fit it: ids and dates are
    never cut, the title gives way first (with an ellipsis), and topics, then the
    provider, are dropped when even a short title would not fit. Without one
    (a pipe), nothing is cut.
    """
    return _entries_table(entries, width, None)


def hits_table(hits: Sequence[Hit], *, width: int | None = None) -> Table:
    """The search table: id, date, provider, title and each hit's passage, in order of
    relevance (or the sort asked for). On a terminal the passage goes under the title,
    matched words in bold; on a pipe it is a last column of plain text."""
    return _entries_table([h.entry for h in hits], width, hits)


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
    entries: Sequence[Entry], width: int | None, hits: Sequence[Hit] | None
) -> Table:
    rows = [
        {
            "ID": safe_text(e.id),
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
        for optional in ("Topics", "Provider"):
            if _title_room(width, widths, names) >= 20:
                break
            if optional in names:
                names.remove(optional)
        widths["Title"] = max(10, min(widths["Title"], _title_room(width, widths, names)))
    table = _table(plain=width is None)
    for name in names:
        justify = "right" if name in ("Quality", "Heat") else "left"
        table.add_column(
            name,
            style=_ENTRY_STYLES.get(name, ""),  # the snippet: plain
            justify=justify,
            width=widths[name] if width is not None else None,
            no_wrap=True,
            overflow="ellipsis",
        )
    for number, row in enumerate(rows):
        cells: list[RenderableType] = [Text(row[n]) for n in names]
        if hits is not None and width is not None:  # the passage under the title, wrapped
            passage = snippet_text(hits[number])
            passage.no_wrap = False
            cells[names.index("Title")] = Group(cells[names.index("Title")], passage)
        table.add_row(*cells)
    return table


def _title_room(width: int, widths: Mapping[str, int], names: Sequence[str]) -> int:
    """Columns left for the title: the width less the others and 3 between each pair."""
    others = sum(widths[n] for n in names if n != "Title")
    return width - others - _GAP * (len(names) - 1)


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


def article_view(record: Mapping[str, Any], entry: Entry) -> RenderableType:
    """`show`: the title and the essentials, every field, related coverage, the body."""
    parts: list[RenderableType] = [data_text(entry.title or entry.id, "bold")]
    line = Text()
    if entry.provider_name or entry.provider_domain:
        line.append_text(data_text(entry.provider_name or entry.provider_domain or "", "green"))
        if entry.provider_name and entry.provider_domain:
            line.append_text(data_text(f" ({entry.provider_domain})", "dim"))
        line.append(" · ")
    if entry.date:
        line.append(entry.date.strftime("%Y-%m-%d %H:%M UTC"))
    parts.append(line)
    if isinstance(record.get("parent"), str):  # a related article (`newsq show PARENT_ID#N`)
        parts.append(data_text(f"related coverage listed in {record['parent']}", "dim"))
    if isinstance(record.get("excerpt"), str):
        parts += [Text(), data_text(record["excerpt"], multiline=True)]

    fields = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    fields.add_column("field", style="bold", no_wrap=True)
    fields.add_column("value", overflow="fold")
    for key, value in _flatten(record):
        if key in ("related", "body") or key.startswith("related."):
            continue
        fields.add_row(data_text(key), data_text(display_value(value)))
    parts += [Text(), fields]

    related = record.get("related")
    if isinstance(related, list) and related:
        parts += [Text(), Text(f"Related coverage ({len(related)})", style="bold")]
        parts.append(related_table(related))
    body = record.get("body")
    if isinstance(body, str):
        parts += [Text(), Text("Body", style="bold"), data_text(body.strip("\n"), multiline=True)]
    return Group(*parts)


def related_table(related: Sequence[Any]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Date", no_wrap=True)
    table.add_column("Outlet", style="green")
    table.add_column("Title", ratio=1)
    table.add_column("Quality", justify="right")
    for number, item in enumerate(related, 1):
        item = item if isinstance(item, Mapping) else {"title": item}
        date = item.get("publishedDateTime")
        table.add_row(
            str(number),
            data_text(str(date)[:10] if date else ""),
            data_text(field_value(item, "provider.name") or ""),
            data_text(item.get("title") or ""),
            _number(item.get("quality")),
        )
    return table


def stats_view(stats: Mapping[str, Any]) -> RenderableType:
    """`stats` for people: counts, date range, top topics and providers as bar charts, and
    documents per month (or week, or year: whichever `per_…` key `stats` holds)."""
    summary = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("Documents", f"{stats['documents']:,}")
    summary.add_row("Related coverage", f"{stats['related']:,}")
    if stats["first"]:
        span = f"{stats['first'][:10]} → {stats['last'][:10]} ({stats['dated']:,} dated)"
        summary.add_row("Dates", span)
    for label, key in (("Types", "types"), ("Categories", "categories")):
        if stats[key]:
            summary.add_row(
                label, data_text(", ".join(f"{k} {v:,}" for k, v in stats[key].items()))
            )
    parts: list[RenderableType] = [summary]
    by = next(key.removeprefix("per_") for key in stats if key.startswith("per_"))
    for title, rows, label in (
        ("Top topics", stats["topics"], "topic"),
        ("Top providers", stats["providers"], "name"),
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
