"""The query stage's answers, from a snapshot: `Index` and what it returns.

    facade.py    Index: one object over the modules below
    records.py   entries and full records by id
    ids.py       resolving ids, short ids, the ids nearest a mistyped one
    listing.py   documents under a filter, a page at a time
    matching.py  a query against the corpus: its words' weights, corrections, the expression
    spelling.py  the corpus's words a misspelt one may mean
    ranking.py   search hits, best first
    snippets.py  the passage of a hit that matches
    facets.py    counts per topic, provider, type; values no document has; field paths
    fields.py    every field the documents have: how many have it, its types, an example
    stats.py     counts, dates and a timeline per period
    stories.py   stories listed and told, kept fresh
    grouping.py  how documents are grouped into stories
    results.py   the typed values these return
    sql.py       a user's own SQL over the views, read-only

The names below are imported on first use: a module of this package can be
imported without the others (the command line reads `grouping`'s defaults as it starts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsq.lazy import exports

_HOMES = {
    "Index": "newsq.index.facade",
    "FieldInfo": "newsq.index.results",
    "Hit": "newsq.index.results",
    "TopicCount": "newsq.index.results",
    "ProviderCount": "newsq.index.results",
    "Suggestion": "newsq.index.results",
    "Story": "newsq.index.results",
    "TimelineEntry": "newsq.index.results",
    "StoryReason": "newsq.index.results",
    "Stats": "newsq.index.results",
    "PeriodCount": "newsq.index.results",
    "UnknownIdError": "newsq.index.ids",
    "NoSuchArticleError": "newsq.index.ids",
    "AmbiguousIdError": "newsq.index.ids",
}

__all__ = [
    "AmbiguousIdError",
    "FieldInfo",
    "Hit",
    "Index",
    "NoSuchArticleError",
    "PeriodCount",
    "ProviderCount",
    "Stats",
    "Story",
    "StoryReason",
    "Suggestion",
    "TimelineEntry",
    "TopicCount",
    "UnknownIdError",
]

if TYPE_CHECKING:
    from newsq.index.facade import Index
    from newsq.index.ids import AmbiguousIdError, NoSuchArticleError, UnknownIdError
    from newsq.index.results import (
        FieldInfo,
        Hit,
        PeriodCount,
        ProviderCount,
        Stats,
        Story,
        StoryReason,
        Suggestion,
        TimelineEntry,
        TopicCount,
    )


__getattr__ = exports("newsq.index", _HOMES, globals())
