"""The columns of a corpus's records, typed: what a Parquet export's schema is made of.

A snapshot keeps every distinct shape of record once (`newsq.ingest.shape`: each
field's dotted path and JSON type), so the fields of a whole corpus, nested ones
too, and the types each takes are known without reading a single record. A field
whose values are all of one type gets that type (numbers where integers and
fractions meet; a mapping, a struct of its fields; a list, a list of its items);
one whose values vary (text here, a list there) is kept as JSON text, so nothing is
lost and every column still has one type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: The kinds of column: one per JSON type a field may have throughout, and `json` (JSON
#: text of a value whose type varies), `timestamp` (microseconds since 1970, UTC).
STRING, INTEGER, NUMBER, BOOLEAN, TIMESTAMP, STRUCT, LIST, JSON = (
    "string", "integer", "number", "boolean", "timestamp", "struct", "list", "json"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Column:
    """A field's column: its name, kind, and for a struct its fields, for a list its item."""

    name: str
    kind: str
    fields: tuple[Column, ...] = ()
    item: Column | None = None

    def child(self, name: str) -> Column | None:
        return next((f for f in self.fields if f.name == name), None)

    def with_fields(self, fields: Iterable[Column]) -> Column:
        return Column(self.name, self.kind, tuple(fields), self.item)

    @property
    def has_json(self) -> bool:
        """Whether any part of it is JSON text (values must then be converted one by one)."""
        if self.kind == JSON:
            return True
        return any(f.has_json for f in self.fields) or bool(self.item and self.item.has_json)


@dataclass
class _Node:
    types: set[str] = field(default_factory=set)
    children: dict[str, _Node] = field(default_factory=dict)


def columns(shapes: Iterable[Iterable[tuple[str, str]]]) -> list[Column]:
    """The top-level columns of records of these shapes (`(path, JSON type)` pairs), by name."""
    paths: dict[str, set[str]] = {}
    for shape in shapes:
        for path, kind in shape:
            paths.setdefault(path, set()).add(kind)
    root = _Node()
    nodes: dict[str, _Node] = {}
    # Parents first: a key with a dot in it (`a.b` in one mapping) is a child of the longest
    # path before one of its dots that holds mappings, else a key of its own.
    for path in sorted(paths, key=lambda p: (p.count("."), p)):
        parent, name = root, path
        dots = [i for i, c in enumerate(path) if c == "."]
        for i in reversed(dots):
            prefix = path[:i]
            if prefix in nodes and _holds_mappings(paths[prefix]):
                parent, name = nodes[prefix], path[i + 1 :]
                break
        node = parent.children.setdefault(name, _Node())
        node.types |= paths[path]
        nodes[path] = node
    return [column(name, node) for name, node in sorted(root.children.items())]


def _holds_mappings(types: set[str]) -> bool:
    return any(t == "object" or (t.startswith("list of") and "object" in t) for t in types)


def column(name: str, node: _Node) -> Column:
    """The column of a field that has taken the JSON types `node.types`."""
    kinds = node.types - {"null"}
    lists = {k for k in kinds if k.startswith("list")}
    scalars = kinds - lists
    if not kinds:
        return Column(name, STRING)  # only ever null: text, the type any engine reads
    if lists and scalars:
        return Column(name, JSON)
    if lists:
        items: set[str] = set()
        for kind in lists:
            if kind != "list":  # an empty list says nothing of its items
                items.update(kind.removeprefix("list of ").split(" or "))
        if "list" in items:  # lists in lists: what the inner ones hold is not recorded
            return Column(name, JSON)
        item = column("item", _Node(items, node.children))
        return Column(name, JSON) if item.kind == JSON else Column(name, LIST, item=item)
    if scalars == {"object"}:
        fields = tuple(column(k, child) for k, child in sorted(node.children.items()))
        return Column(name, STRUCT, fields) if fields else Column(name, JSON)
    single = {
        frozenset({"string"}): STRING,
        frozenset({"boolean"}): BOOLEAN,
        frozenset({"integer"}): INTEGER,
        frozenset({"number"}): NUMBER,
        frozenset({"integer", "number"}): NUMBER,
    }
    return Column(name, single.get(frozenset(scalars), JSON))
