"""Shell completion of option values: topics, providers, ids and fields, from the snapshot.

Typer's `--install-completion` completes commands and options; these callbacks
complete what comes after `--topic`, `--provider`, `--fields` and `show`. They read the
snapshot the last run left (`corpus.last_loaded`), never the files, so a
keypress is answered at once; a corpus no run has loaded completes nothing.
Completion must never fail loudly: any error completes nothing. No
`from __future__ import annotations` here: Typer reads these annotations at run time.
"""

from collections.abc import Callable, Iterable, Sequence
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


def fields(ctx: typer.Context, incomplete: str) -> list[str]:
    """Field names after `--fields`: the paths the documents have (`provider.name`, as
    `newsq fields` lists them), or the keys of what the command prints (`topics`: topic,
    count). A list completes its last name: `id,prov` offers `id,provider.domain`,
    `id,provider.name`, …, and not the names it already has."""
    done, _, last = incomplete.rpartition(",")
    given = {name.strip() for name in done.split(",")}
    head = f"{done}," if done else ""
    static = _command_fields(ctx)
    if static is not None:
        names: Iterable[str] = static
    else:
        names = _from_index(ctx, lambda index: sorted(_paths(ctx, index)))
    from newsq.index.fields import tree_order

    wanted = last.strip().casefold()
    offered = [n for n in names if n.casefold().startswith(wanted) and n not in given]
    return [head + name for name in sorted(offered, key=tree_order)]


def _command_fields(ctx: typer.Context) -> Sequence[str] | None:
    """The keys of what a command prints when they are not the documents' fields."""
    from newsq.cli.run import STORY_KEYS
    from newsq.render import formats

    return {
        "fields": formats.FIELD_INFO_FIELDS,
        "topics": ("topic", "count"),
        "providers": ("name", "domain", "count"),
        "stories": STORY_KEYS,
        "story": (*STORY_KEYS, "timeline", "explain"),
    }.get(ctx.info_name or "")


def _paths(ctx: typer.Context, index: "Index") -> set[str]:
    """The documents' field paths; a search's also its hits' own fields, and with
    `--related` those of the related articles too."""
    if ctx.info_name != "search":
        return index.field_paths()
    from newsq.cli.run import HIT_FIELDS

    return index.field_paths(related=bool(ctx.params.get("related"))) | set(HIT_FIELDS)


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
