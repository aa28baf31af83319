"""Did you mean: the known values closest to one a user mistyped."""

from __future__ import annotations

from collections.abc import Iterable


def closest(value: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known values most like `value` (any case), best first: for "did you mean …?"."""
    import difflib

    spelling = {k.casefold(): k for k in known if k}
    found = difflib.get_close_matches(value.casefold(), list(spelling), n=n, cutoff=0.6)
    return [spelling[k] for k in found]
