"""Shell completion of option values: topics, providers and ids, from the snapshot.

Typer's `--install-completion` completes commands and options; these callbacks
complete what comes after `--topic`, `--provider` and `show`. They read the
snapshot the last run left (`corpus.last_loaded`), never the files, so a
keypress is answered at once; a corpus no run has loaded completes nothing.
Completion must never fail loudly: any error completes nothing. No
`from __future__ import annotations` here: Typer reads these annotations at run time.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from newsq.index.facade import Index

T = TypeVar("T")

#: The most ids offered at once: more is no help at a prompt.
MAX_IDS = 100


def topics(ctx: typer.Context, incomplete: str) -> list[str]:
    """Topics after `--topic`."""
    return _from_index(ctx, lambda index: index.known_topics(incomplete))


def providers(ctx: typer.Context, incomplete: str) -> list[str]:
    """Provider names and domains after `--provider`."""
    return _from_index(ctx, lambda index: index.known_providers(incomplete))


def ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids (or the hex part or last path part begun) after `show`, each with its title."""
    return _from_index(ctx, lambda index: index.known_ids(incomplete, MAX_IDS))


def _from_index(ctx: typer.Context, ask: Callable[["Index"], list[T]]) -> list[T]:
    from newsq.cli.config import configured_data
    from newsq.corpus import last_loaded

    try:
        index = last_loaded(ctx.params.get("data") or configured_data())
    except Exception:  # an unreadable cache folder: nothing to offer
        return []
    if index is None:
        return []
    try:
        return ask(index)
    except Exception:  # a damaged snapshot, a busy one: nothing to offer
        return []
    finally:
        index.close()
