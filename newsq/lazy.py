"""Names a package exports, imported on first use: `import newsq` stays as fast as the
command line needs, whatever the API holds."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name of `homes` taken from the module
    named there the first time it is asked for (and kept in `namespace`, the package's
    globals, so it is asked for once)."""

    def get(name: str) -> Any:
        if name in homes:
            value = getattr(importlib.import_module(homes[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return get
