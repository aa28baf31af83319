"""The `newsq` command's entry point: the corpus's files are looked at before Typer loads.

Importing Typer and the commands takes a tenth of a second, and checking a
large corpus's files for changes several. When the command line plainly names
a command that loads a corpus, that corpus's scan starts first (its listing,
and child processes that stat every file) and the command takes it over
(`newsq.corpus.prefetch`). A guess that proves wrong costs nothing but the
work: the command checks its files as it always does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from newsq.cli.loading import DATA_OPTIONS, LOADING


def main() -> None:
    """The console script."""
    from newsq.signals import end_on_signals

    end_on_signals()
    roots = named_corpus(sys.argv[1:])
    if roots is not None:
        from newsq.corpus import prefetch

        prefetch(roots)
    from newsq.cli.app import main as run

    run()


def named_corpus(args: Sequence[str]) -> list[str] | None:
    """The data roots `args` load, read only where that is plain; else None.

    The command comes first; `--data X`, `--data=X`, `-d X` and `-dX` name the
    roots, else `NEWSQ_DATA`, the config file's `data` or the bundled seeds do; `--`
    ends the options. Help, completion or anything else: None, and nothing starts early.
    """
    if not args or args[0] not in LOADING or os.environ.get("_NEWSQ_COMPLETE"):
        return None
    paths: list[str] = []
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            break
        if arg in ("-h", "--help"):
            return None
        long, short = DATA_OPTIONS
        if arg in DATA_OPTIONS:
            if not rest:
                return None
            paths.append(rest.pop(0))
        elif arg.startswith(long + "="):
            paths.append(arg.removeprefix(long + "="))
        elif arg.startswith(short) and not arg.startswith("--"):
            paths.append(arg.removeprefix(short))
    from newsq.corpus import DataPathError, data_roots

    if not paths:
        from newsq.cli.config import configured_data

        paths = configured_data() or []
    try:
        return data_roots(paths)
    except DataPathError:  # no seeds installed: the command says so
        return None
