"""newsq: query a corpus of news articles stored as YAML front matter files.

    >>> import newsq
    >>> index = newsq.load()                      # the bundled seeds
    >>> [e.id for e in index.filter(provider="forbes")]
    ['000_bc1330c771dbc5b0']

The names below are imported on first use, so `newsq --version` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsq.lazy import exports

__version__ = "0.1.0"

__all__ = [
    "AmbiguousIdError",
    "Changes",
    "DataPathError",
    "Entry",
    "Filter",
    "Hit",
    "Index",
    "Problem",
    "QueryError",
    "SearchSyntaxError",
    "SqlError",
    "SqlRefused",
    "SqlTimeout",
    "Stats",
    "Story",
    "UnknownIdError",
    "__version__",
    "load",
    "load_and_run",
    "parse_file",
]

_HOMES = {
    "load": "newsq.corpus",
    "load_and_run": "newsq.corpus",
    "DataPathError": "newsq.corpus",
    "Index": "newsq.index.facade",
    "Hit": "newsq.index.results",
    "Story": "newsq.index.results",
    "Stats": "newsq.index.results",
    "UnknownIdError": "newsq.index.ids",
    "AmbiguousIdError": "newsq.index.ids",
    "Changes": "newsq.model",
    "Entry": "newsq.model",
    "Problem": "newsq.model",
    "Filter": "newsq.query.filters",
    "QueryError": "newsq.model",
    "SearchSyntaxError": "newsq.query.language",
    "parse_file": "newsq.ingest.parse",
    "SqlError": "newsq.index.sql",
    "SqlRefused": "newsq.index.sql",
    "SqlTimeout": "newsq.index.sql",
}

if TYPE_CHECKING:
    from newsq.corpus import DataPathError, load, load_and_run
    from newsq.index.facade import Index
    from newsq.index.ids import AmbiguousIdError, UnknownIdError
    from newsq.index.results import Hit, Stats, Story
    from newsq.index.sql import SqlError, SqlRefused, SqlTimeout
    from newsq.ingest.parse import parse_file
    from newsq.model import Changes, Entry, Problem, QueryError
    from newsq.query.filters import Filter
    from newsq.query.language import SearchSyntaxError


__getattr__ = exports("newsq", _HOMES, globals())
