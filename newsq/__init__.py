"""newsq: query a corpus of news articles stored as YAML front matter files.

    >>> import newsq
    >>> index = newsq.load()                      # the bundled seeds
    >>> [e.id for e in index.filter(provider="forbes")]
    ['000_bc1330c771dbc5b0']

The names below are imported on first use, so `newsq --version` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    "Index": "newsq.index",
    "Hit": "newsq.index",
    "UnknownIdError": "newsq.index",
    "AmbiguousIdError": "newsq.index",
    "Changes": "newsq.model",
    "Entry": "newsq.model",
    "Problem": "newsq.model",
    "Filter": "newsq.query",
    "QueryError": "newsq.query",
    "SearchSyntaxError": "newsq.search",
    "parse_file": "newsq.parser",
}

if TYPE_CHECKING:
    from newsq.corpus import DataPathError, load, load_and_run
    from newsq.index import AmbiguousIdError, Hit, Index, UnknownIdError
    from newsq.model import Changes, Entry, Problem
    from newsq.parser import parse_file
    from newsq.query import Filter, QueryError
    from newsq.search import SearchSyntaxError


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'newsq' has no attribute {name!r}")
