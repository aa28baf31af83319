"""Views drawn for people: a document whole (`show`), a story told (`story`), statistics
(`stats`), the cache folder (`cache info`), the settings in effect (`config`).

Data text reaches rich only as escaped `Text` (see `newsq.render.tables`);
addresses are hyperlinks only where the console draws styles, and only web ones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.style import Style
from rich.table import Table
from rich.text import Text

from newsq import model
from newsq.model import Entry
from newsq.render.escape import display_value, linkable, safe_text
from newsq.render.formats import field_value
from newsq.render.tables import data_text, format_number, new_table, related_table

if TYPE_CHECKING:
    from newsq.index.results import PeriodCount, Stats, Story
    from newsq.store.cache import SnapshotInfo


def article_view(
    record: Mapping[str, Any],
    entry: Entry,
    *,
    related: Sequence[Entry] = (),
    now: dt.datetime | None = None,
    boxed: bool = True,
    story: Story | None = None,
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
        outlet.append(f" ({relative_age(entry.date, now or model.clock())})", style="dim")
    if outlet:
        parts.append(outlet)
    # A related article's own values: its entry borrows its document's, for filters.
    own = record if "parent" in record else None
    quality = entry.quality if own is None else own.get("quality")
    heat = entry.heat if own is None else own.get("heat")
    facts = [
        f"{label} {format_number(value)}"
        for label, value in (("quality", quality), ("heat", heat))
        if format_number(value, none_below_zero=True)
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
            fields.add_row(data_text(key), _field_text(record, key, value))
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

    from newsq.render.markup import has_html, html_to_markdown

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


#: The length from which a string with no spaces, not a web address, is opaque (see
#: `is_opaque`): a line of a terminal 80 columns wide, more than a hash (SHA-256 in hex is
#: 64) or an id (a UUID is 36), which one may read or compare by eye.
OPAQUE_AT = 80
#: What an opaque value has and words do not: letters and digits run on without a break.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9]{24,}")


def is_opaque(value: object) -> bool:
    """Whether `value` is a string no one reads (a signature, a key, base64 data, such
    as the seeds' `secured`, of 345 to 561 characters): at least `OPAQUE_AT` characters,
    none a space, not a web address, and with a run of 24 letters and digits or more. A
    path or a slug, as long and as unbroken, has words between its separators, and stays
    as it is; so does an address, which is a link."""
    return (
        isinstance(value, str)
        and len(value) >= OPAQUE_AT
        and not any(c.isspace() for c in value)
        and linkable(value) is None
        and _TOKEN_RUN.search(value) is not None
    )


def _field_text(record: Mapping[str, Any], key: str, value: Any) -> Text:
    """A value of "More fields": an opaque one by its size, with how to see it (it took
    lines for nothing: 10 of `newsq show bc13` at 80 columns); a web address as a link;
    anything else as text."""
    if is_opaque(value):
        # The name `--fields` takes back to this value (`actions.0.token`); else --json.
        named = field_value(record, key) is value and safe_text(key) == key
        named = named and "," not in key and key.strip() == key
        how = f"--fields {key}" if named else "--json"
        return Text(f"({len(value):,} characters; {how} to see it)", style="dim")
    if isinstance(value, str) and linkable(value):
        return link_text(value)
    return data_text(display_value(value))


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
            width, height = format_number(image.get("width")), format_number(image.get("height"))
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


def story_size(story: Story) -> str:
    """`5 documents, 28 articles, 24 outlets`."""
    counts = (len(story.documents), story.articles, len(story.outlets))
    return ", ".join(
        f"{n:,} {noun}{'' if n == 1 else 's'}"
        for n, noun in zip(counts, ("document", "article", "outlet"), strict=True)
    )


def story_view(
    story: Story,
    per_day: Sequence[PeriodCount],
    *,
    short_ids: Mapping[str, str] | None = None,
    plain: bool = False,
) -> RenderableType:
    """`story`: the headline and counts, who reported first, every article in date order
    (date, outlet, title, and its id: the document it is, or `DOCUMENT#N` for the Nth of
    that document's coverage), and coverage per day as bars."""
    shorts = short_ids or {}
    articles = story.timeline or ()
    head = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    head.add_row("Story", data_text(shorts.get(story.id, story.id), "cyan"))
    head.add_row("Size", story_size(story))
    if story.first_seen and story.last_seen:
        head.add_row("Dates", f"{story.first_seen[:10]} → {story.last_seen[:10]}")
    first = next((t for t in articles if t.published), None)
    if first is not None and first.published:
        when = first.published[:16].replace("T", " ")
        head.add_row("First", data_text(f"{first.outlet or '?'}, {when} UTC"))
    if story.topics:
        topics = ", ".join(f"{name} {count:,}" for name, count in story.topics)
        head.add_row("Topics", data_text(topics))
    timeline = new_table(plain)
    timeline.add_column("Date", no_wrap=True)
    timeline.add_column("Outlet", style="green", max_width=18, overflow="ellipsis")
    timeline.add_column("Title", ratio=1, overflow="fold")
    timeline.add_column("ID", style="cyan", no_wrap=True)
    for item in articles:
        when = (item.published or "")[:16].replace("T", " ")
        timeline.add_row(
            when,
            data_text(item.outlet or ""),
            data_text(item.title),
            data_text(shorts.get(item.id, item.id)),
        )
    parts: list[RenderableType] = [
        data_text(story.headline, "bold"),
        head,
        Text(),
        Text("Timeline", style="bold"),
        timeline,
    ]
    if per_day:
        parts += [Text(), Text("Articles per day", style="bold"), timeline_bars(per_day, "day")]
    if story.reasons is not None:
        parts += [Text(), Text("Why each document is in it", style="bold")]
        parts.append(_reasons_table(story, shorts, plain))
    return Group(*parts)


def _reasons_table(story: Story, shorts: Mapping[str, str], plain: bool) -> Table:
    """A row per document: the link that joined it, or the document it is most alike,
    how alike and the words they share (stemmed)."""
    table = new_table(plain)
    table.add_column("ID", style="cyan", no_wrap=True)
    table.add_column("Why", ratio=1, overflow="fold")
    for reason in story.reasons or ():
        partner = shorts.get(reason.partner or "", reason.partner or "")
        if reason.kind == "link":
            why = f"linked to {partner}: {reason.address or ''}"
        elif reason.kind == "wording":
            words = ", ".join(reason.words)
            nearest = ", each the other's nearest" if reason.nearest else ""  # (below the bar)
            why = f"alike {partner} at {reason.similarity:.2f}{nearest}: {words}"
            if reason.meaning is not None:
                why += f" (meaning {reason.meaning:.2f})"
        else:
            why = "alone"
        table.add_row(data_text(shorts.get(reason.document, reason.document)), data_text(why))
    return table


def stats_view(stats: Stats) -> RenderableType:
    """`stats` for people: counts, date range, top topics and providers as bar charts, and
    documents per month (or day, week, year: `stats.by`)."""
    summary = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("Documents", f"{stats.documents:,}")
    summary.add_row("Related coverage", f"{stats.related:,}")
    noun = "document"
    if stats.articles is not None:  # --related: coverage counted in what follows
        summary.add_row("Articles", f"{stats.articles:,} (documents and their coverage)")
        noun = "article"
    if stats.first and stats.last:
        span = f"{stats.first[:10]} → {stats.last[:10]} ({stats.dated:,} dated)"
        summary.add_row("Dates", span)
    by = stats.by
    if stats.peak is not None:
        count = stats.peak.count
        busiest = f"{stats.peak.period} ({count:,} {noun}{'' if count == 1 else 's'})"
        summary.add_row(f"Busiest {by}", busiest)
    for label, counts in (("Types", stats.types), ("Categories", stats.categories)):
        if counts:
            summary.add_row(label, data_text(", ".join(f"{k} {v:,}" for k, v in counts)))
    parts: list[RenderableType] = [summary]
    providers = "Top outlets" if noun == "article" else "Top providers"
    for title, rows in (
        ("Top topics", [(t.topic, t.count) for t in stats.topics]),
        (providers, [(p.name, p.count) for p in stats.providers]),
    ):
        if rows:
            parts += [Text(), Text(title, style="bold"), _bars(rows)]
    if stats.periods:
        parts += [Text(), Text(f"Per {by}", style="bold"), timeline_bars(stats.periods, by)]
    return Group(*parts)


def stats_lines(stats: Stats) -> int:
    """The lines `stats_view(stats)` draws besides its periods (where none wraps): the
    summary, the top topics and providers, the timeline's heading. Its periods need not
    be there (a summary waiting for the period that fits: `Index.stats(by="auto")`)."""
    dated = bool(stats.dated)  # the dates, the busiest period and the timeline
    rows = 2 + (stats.articles is not None) + 2 * dated + bool(stats.types)
    rows += bool(stats.categories)
    sections = sum(2 + len(top) for top in (stats.topics, stats.providers) if top)
    return rows + sections + 2 * dated


#: Empty periods in a row from which a timeline folds them into one line (`… 22 days
#: with none …`). Two are kept: two days without news is a weekend, which a reader
#: expects to see as days, and one line for two would save one line. From three, the
#: one line says what a line each would. `stats --by day` on the 73 real documents was
#: 1,159 lines, 1,076 of them empty days; it is 141.
FOLD_EMPTY = 3


def timeline_bars(periods: Sequence[PeriodCount], by: str) -> RenderableType:
    """A timeline as a bar chart (`_bars`), each run of at least `FOLD_EMPTY` empty periods
    `by` day, week, month or year folded into one line that says how many: the bars on
    either side line up as in one chart."""
    rows = [(p.period, p.count) for p in periods]
    if not rows:
        return Group()
    label_width = max(cell_len(safe_text(label)) for label, _ in rows)
    count_width = max(len(f"{count:,}") for _, count in rows)
    peak = max(count for _, count in rows) or 1
    parts: list[RenderableType] = []
    start = 0
    for end, empty in _empty_runs(rows):
        if end - empty > start:
            parts.append(_bars(rows[start : end - empty], peak, (label_width, count_width)))
        parts.append(Text(f"… {empty:,} {by}s with none …", style="dim"))
        start = end
    if start < len(rows) or not parts:
        parts.append(_bars(rows[start:], peak, (label_width, count_width)))
    return Group(*parts)


def _empty_runs(rows: Sequence[tuple[str, int]]) -> Iterable[tuple[int, int]]:
    """(where it ends, its length) of each run of `FOLD_EMPTY` or more empty rows."""
    run = 0
    for number, (_, count) in enumerate([*rows, ("", 1)]):
        if count:
            if run >= FOLD_EMPTY:
                yield number, run
            run = 0
        else:
            run += 1


def _bars(
    rows: Sequence[tuple[str | None, int]],
    peak: int | None = None,
    widths: tuple[int, int] | None = None,
) -> Table:
    """A bar chart: a row per (label, count), bars scaled to `peak` (the largest count),
    the labels and counts as wide as `widths` when given (one chart in pieces)."""
    chart = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    label_width, count_width = widths or (None, None)
    chart.add_column(no_wrap=True, width=label_width)
    chart.add_column(justify="right", width=count_width)
    chart.add_column(style="blue")
    peak = peak or max((count for _, count in rows), default=0) or 1
    for label, count in rows:
        bar = "█" * max(1 if count else 0, round(30 * count / peak))
        chart.add_row(data_text(label or ""), f"{count:,}", bar)
    return chart


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


def settings_view(heading: str, settings: Iterable[tuple[str, Any, str]]) -> RenderableType:
    """`newsq config`: the file looked at, then each setting (name, value, where it
    comes from)."""
    rows = new_table(plain=False)
    for name in ("Setting", "Value", "From"):
        rows.add_column(name)
    for name, value, source in settings:
        rows.add_row(data_text(name), data_text(value), data_text(source))
    return Group(data_text(f"config file: {heading}"), rows)


def snapshots_view(folder: str, snapshots: Sequence[SnapshotInfo]) -> RenderableType:
    """`newsq cache info`: the cache folder and one row per snapshot."""
    rows = new_table(plain=False)
    for name in ("Documents", "Size", "Updated", "Corpus"):
        rows.add_column(name, justify="right" if name in ("Documents", "Size") else "left")
    for snapshot in snapshots:
        if snapshot.error is not None:
            rows.add_row("", "", "", data_text(f"{snapshot.path}: {snapshot.error}"))
            continue
        rows.add_row(
            f"{snapshot.documents:,}",
            _size(snapshot.bytes),
            data_text(snapshot.updated or ""),
            data_text(", ".join(snapshot.roots)),
        )
    heading = data_text(f"cache folder: {folder}")
    if not snapshots:
        return Group(heading, Text("no snapshots"))
    return Group(heading, rows)


def _size(count: int | None) -> str:
    if count is None:
        return ""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def relative_age(date: dt.datetime, now: dt.datetime) -> str:
    """How long before `now` `date` was, as people say it: `just now`, `5 minutes ago`,
    `1 day ago`, `3 weeks ago`, `6 years ago` (or `in 2 days` for a date still to come).
    Whole units, rounded down, in calendar months and years."""
    from dateutil.relativedelta import relativedelta

    later, earlier = (now, date) if date <= now else (date, now)
    gap = relativedelta(later, earlier)
    seconds = (later - earlier).total_seconds()
    if gap.years:
        amount, unit = gap.years, "year"
    elif gap.months:
        amount, unit = gap.months, "month"
    elif seconds >= 7 * 86_400:
        amount, unit = int(seconds // (7 * 86_400)), "week"
    elif seconds >= 86_400:
        amount, unit = int(seconds // 86_400), "day"
    elif seconds >= 3_600:
        amount, unit = int(seconds // 3_600), "hour"
    elif seconds >= 60:
        amount, unit = int(seconds // 60), "minute"
    else:
        return "just now"
    phrase = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"{phrase} ago" if date <= now else f"in {phrase}"
