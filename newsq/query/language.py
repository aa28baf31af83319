"""The search query language: what a user types, read into SQLite FTS5 expressions.

    facial recognition          both words (in any field)
    amazon OR ibm               either; OR binds looser than the implicit AND
    police -amazon              police, but not amazon (also: police NOT amazon)
    "facial recognition"        the words next to each other, in this order
    recogni*                    any word starting so
    title:amazon                amazon in the title; fields: title, excerpt, provider,
                                topic (or topics), body; the scope takes a word,
                                a phrase or a (group)
    (amazon OR ibm) police      brackets group

Words match whole words, ignoring case and accents, and other forms of the same
word (`banned` finds "banning"): that is the FTS5 tokenizer the snapshot uses.
Only upper-case OR, AND and NOT are operators; in lower case they are words.
Punctuation inside a word splits it into a phrase of its parts (`covid-19`).

Bare words forgive. A query's plain words (not quoted, not scoped to a field, not a
`prefix*`, in a query without `AND` or `OR`) are its `words`: no one of them is
required; the index ranks hits by how much of them they match, and corrects a
word the corpus lacks (`newsq.index.matching`). Words that carry no meaning
(`STOP_WORDS`: "how", "do", "the"…) are left out of them, unless the query has
nothing else. Everything else keeps its exact meaning and is required, and
`exact=True` reads the whole query so: every word required, as typed.

Nothing the user types reaches SQLite unquoted: every word becomes an FTS5
string, so a query is either read here, or refused with the position of the
problem (`SearchSyntaxError`). Never a raw SQL error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

#: Field names a query may scope a word to, and the full-text column each reads
#: (`newsq.store.schema.FTS_COLUMNS`).
FIELDS = {
    "title": "title",
    "excerpt": "excerpt",
    "provider": "provider",
    "topic": "topics",
    "topics": "topics",
    "body": "body",
}
OPERATORS = ("OR", "AND", "NOT")
#: Brackets inside brackets, at most (the parser recurses once per level).
MAX_DEPTH = 32

#: Words that carry no meaning in a query: English function words, and what a question
#: wraps its subject in ("how do I use …", "what is the best way to …"). They never
#: decide whether a document matches a forgiving query; a query of nothing else searches
#: them as ordinary words. (Compared after case and accents are folded; a word with
#: punctuation, `don't`, carries no meaning when none of its parts does.)
STOP_WORDS = frozenset((
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "best",
    "but", "by", "can", "could", "d", "did", "do", "does", "doing", "don", "for", "from",
    "get", "getting", "had", "has", "have", "having", "he", "her", "here", "his", "how",
    "i", "if", "in", "into", "is", "isn", "it", "its", "just", "ll", "m", "me", "my",
    "of", "on", "or", "our", "please", "re", "s", "she", "should", "so", "some", "t",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "to", "use", "used", "uses", "using", "ve", "want", "was", "way", "ways",
    "we", "were", "what", "whats", "when", "where", "which", "while", "who", "why",
    "will", "with", "would", "you", "your",
))  # fmt: skip

# What FTS5's unicode61 tokenizer keeps as word characters, near enough: letters,
# digits and private-use characters. A term without one has nothing to match.
_WORD_CHAR = re.compile(r"[^\W_]|[\ue000-\uf8ff]")
_WORD_PARTS = re.compile(r"[^\W_]+")
# Punctuation at a word's ends (`sharepoint?`, `(sap)`): not part of the word to correct.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_ACCENTS = re.compile("[\u0300-\u036f]")
_FIELD = re.compile(r"([A-Za-z]+):")


class SearchSyntaxError(ValueError):
    """A query that cannot be read; `position` is the offset of the problem in `query`."""

    def __init__(self, query: str, position: int, reason: str) -> None:
        super().__init__(f"{reason} (at column {position + 1})")
        self.query = query
        self.position = position
        self.reason = reason


#: The roles of a query's terms: a bare word that forgives; a strict term every hit
#: has (of the query's top-level conjunction); a strict term a hit may lack (inside an
#: OR).
WORD, REQUIRED, OPTIONAL = "word", "required", "optional"


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One positive term of a query (not one it excludes): `text` as the user typed it
    (`sharepoint`, `"canvas app"`, `title:amazon`, `recogni*`), `fts` its FTS5 string,
    and its `role`: `WORD`, `REQUIRED` or `OPTIONAL`."""

    text: str
    fts: str
    role: str


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: what a document must match, and what it must not.

    A hit matches `match` (an FTS5 expression) unless it is None, never matches
    `exclude` unless it is None, and, when the query has `words` (it forgives),
    matches at least one of them or a correction of one. A query with neither
    `match` nor `words` only excludes (`-amazon`): every other document is a hit,
    all equally relevant.

    Read exactly (`exact`, or a query with AND or OR), `match` is the whole query and
    `exclude` is set only when the query only excludes. Read forgivingly, `match` is
    its strict parts (phrases, fields, prefixes, groups), `exclude` its exclusions
    and `words` its bare words that carry meaning; `dropped` are those that carry
    none, left out. `terms` are every positive term, for saying what a hit matched.
    """

    text: str
    match: str | None
    exclude: str | None = None
    words: tuple[str, ...] = ()
    terms: tuple[QueryTerm, ...] = ()
    dropped: tuple[str, ...] = ()
    exact: bool = False

    @property
    def forgiving(self) -> bool:
        """Whether the query has bare words, which rank rather than decide."""
        return bool(self.words)


def parse_query(text: str, *, exact: bool = False) -> SearchQuery:
    """Read a query, or raise `SearchSyntaxError` pointing at the problem. With `exact`,
    every word is required as typed (no word forgives)."""
    tokens = _tokenize(text)
    parser = _Parser(text, tokens)
    tree = parser.parse()
    if tree is None:
        raise SearchSyntaxError(text, 0, "nothing to search for: the query has no words")
    match, exclude = _compile_top(text, tree)
    terms = tuple(_terms(tree, REQUIRED))
    boolean = any(token.kind in ("AND", "OR") for token in tokens)
    if exact or boolean:
        return SearchQuery(text, match, exclude, terms=terms, exact=exact)
    return _forgiving(text, tree) or SearchQuery(text, match, exclude, terms=terms)


def carries_meaning(word: str) -> bool:
    """Whether a word says what a query is about: not one of `STOP_WORDS` (nor made only
    of them, `don't`), and not punctuation alone."""
    folded = _ACCENTS.sub("", unicodedata.normalize("NFKD", word.casefold()))
    parts = _WORD_PARTS.findall(folded)
    return any(part not in STOP_WORDS for part in parts)


# --- tokens ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # WORD, PHRASE, FIELD, LPAREN, RPAREN, MINUS, OR, AND, NOT
    position: int
    text: str = ""
    prefix: bool = False  # WORD or PHRASE followed by `*`


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token("LPAREN" if char == "(" else "RPAREN", i))
            i += 1
        elif char == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise SearchSyntaxError(text, i, 'this quote is never closed: add a closing "')
            prefix = close + 1 < end and text[close + 1] == "*"
            tokens.append(_Token("PHRASE", i, text[i + 1 : close], prefix))
            i = close + 2 if prefix else close + 1
        elif char == "-":
            # `-word` excludes; a dash standing alone (`Microsoft - IBM`) is punctuation.
            if i + 1 < end and not text[i + 1].isspace() and text[i + 1] not in ")-":
                tokens.append(_Token("MINUS", i))
            i += 1
        else:
            start = i
            while i < end and not text[i].isspace() and text[i] not in '()"':
                i += 1
            word = text[start:i]
            field = _FIELD.match(word)
            if field and field.group(1).lower() in FIELDS:
                tokens.append(_Token("FIELD", start, FIELDS[field.group(1).lower()]))
                i = start + field.end()  # what follows the colon is read as its own token
            elif field and len(word) > field.end():
                name = field.group(1)
                known = ", ".join(sorted(set(FIELDS) - {"topics"}))
                raise SearchSyntaxError(
                    text,
                    start,
                    f"unknown field {name!r} (fields: {known}); "
                    "put the text in quotes to search for it as words",
                )
            elif word in OPERATORS:
                tokens.append(_Token(word, start))
            elif word.endswith("*"):
                stem = word.rstrip("*")
                if not stem:
                    raise SearchSyntaxError(text, start, "* must follow the start of a word")
                tokens.append(_Token("WORD", start, stem, True))
            else:
                tokens.append(_Token("WORD", start, word))
    return tokens


# --- the tree ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    prefix: bool
    position: int
    column: str | None = None
    quoted: bool = False

    @property
    def bare(self) -> bool:
        """A plain word: not quoted, not a prefix, not scoped to a field."""
        return not (self.quoted or self.prefix or self.column)

    def typed(self) -> str:
        """The term as the user wrote it (near enough: a field's name as newsq spells it)."""
        text = f'"{self.text}"' if self.quoted else self.text
        text += "*" if self.prefix else ""
        column = "topic" if self.column == "topics" else self.column
        return f"{column}:{text}" if column else text


@dataclass(frozen=True, slots=True)
class _Not:
    child: _Node
    position: int


@dataclass(frozen=True, slots=True)
class _Group:
    op: str  # AND or OR
    children: tuple[_Node, ...]
    position: int


_Node = _Term | _Not | _Group


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary ([AND] unary)*;
    unary := (- | NOT) unary | primary; primary := FIELD primary | ( or ) | word | phrase."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.at = 0

    def parse(self) -> _Node | None:
        if not self.tokens:
            return None
        node = self._or()
        if self.at < len(self.tokens):
            token = self.tokens[self.at]
            raise self._error(token, "this ) has no ( before it")
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _error(self, token: _Token | None, reason: str) -> SearchSyntaxError:
        position = len(self.text) if token is None else token.position
        return SearchSyntaxError(self.text, position, reason)

    def _or(self) -> _Node | None:
        first = self._peek()
        if first is not None and first.kind == "OR":
            raise self._error(first, "OR needs something to search for before it")
        children = [self._and()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.at += 1
            following = self._peek()
            if following is None or following.kind in ("OR", "RPAREN"):
                raise self._error(token, "OR needs something to search for after it")
            children.append(self._and())
        return _group("OR", children, first.position if first else 0)

    def _and(self) -> _Node | None:
        children: list[_Node | None] = []
        start = self._peek()
        while (token := self._peek()) is not None and token.kind not in ("OR", "RPAREN"):
            if token.kind == "AND":
                self.at += 1
                following = self._peek()
                if not children or following is None or following.kind in ("OR", "RPAREN", "AND"):
                    raise self._error(token, "AND needs something to search for on each side")
                continue
            children.append(self._unary())
        if not children:
            raise self._error(start, "this ) has no ( before it" if start else "empty query")
        return _group("AND", children, start.position if start else 0)

    def _unary(self) -> _Node | None:
        token = self._peek()
        assert token is not None
        if token.kind in ("MINUS", "NOT"):
            self.at += 1
            following = self._peek()
            if following is None or following.kind in ("OR", "AND", "RPAREN"):
                what = "NOT" if token.kind == "NOT" else "-"
                raise self._error(token, f"{what} needs something to exclude after it")
            child = self._unary()
            return None if child is None else _Not(child, token.position)
        return self._primary()

    def _primary(self, column: str | None = None) -> _Node | None:
        token = self._peek()
        if token is None:
            raise self._error(None, "the query ends where a word was expected")
        self.at += 1
        if token.kind == "FIELD":
            scope = column or self.column
            if scope is not None and scope != token.text:
                raise self._error(token, "a field cannot be scoped inside another field")
            following = self._peek()
            if following is None or following.kind not in ("WORD", "PHRASE", "LPAREN", "FIELD"):
                field = self.text[token.position :].split(":", 1)[0]
                raise self._error(token, f"{field}: needs a word, a phrase or a (group) after it")
            return self._primary(token.text)
        if token.kind == "LPAREN":
            following = self._peek()
            if following is None:
                raise self._error(token, "this ( is never closed: add a )")
            if following.kind == "RPAREN":
                raise self._error(token, "these brackets hold nothing")
            if self.depth >= MAX_DEPTH:
                raise self._error(token, f"brackets nest more than {MAX_DEPTH} deep")
            outer = self.column
            self.column, self.depth = column or outer, self.depth + 1
            try:
                node = self._or()
            finally:
                self.column, self.depth = outer, self.depth - 1
            closing = self._peek()
            if closing is None or closing.kind != "RPAREN":
                raise self._error(token, "this ( is never closed: add a )")
            self.at += 1
            return node
        if token.kind in ("WORD", "PHRASE"):
            if not _WORD_CHAR.search(token.text):
                if token.kind == "PHRASE" and not token.text.strip():
                    raise self._error(token, "these quotes hold nothing")
                return None  # punctuation alone: nothing to match, as if not typed
            return _Term(
                token.text,
                token.prefix,
                token.position,
                column or self.column,
                quoted=token.kind == "PHRASE",
            )
        if token.kind == "RPAREN":
            raise self._error(token, "this ) has no ( before it")
        raise self._error(token, f"{token.kind} needs something to search for before it")

    column: str | None = None  # the field scoping the group being read
    depth = 0  # brackets open around the token being read


def _group(op: str, children: list[_Node | None], position: int) -> _Node | None:
    kept: list[_Node] = []
    for child in children:  # `a (b c)` is `a b c`: so exclusions in brackets meet their words
        if isinstance(child, _Group) and child.op == op:
            kept.extend(child.children)
        elif child is not None:
            kept.append(child)
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return _Group(op, tuple(kept), position)


# --- forgiving ---------------------------------------------------------------------------


def _terms(node: _Node, role: str) -> Iterator[QueryTerm]:
    """The positive terms under a node (none under an exclusion), each with its role: the
    terms of a top-level conjunction are required, those under an OR optional."""
    if isinstance(node, _Term):
        yield QueryTerm(node.typed(), _string(node), role)
    elif isinstance(node, _Group):
        inner = role if node.op == "AND" else OPTIONAL
        for child in node.children:
            yield from _terms(child, inner)
    # (a _Not: what it excludes is no term of the query)


def _forgiving(text: str, tree: _Node) -> SearchQuery | None:
    """The query read forgivingly: its bare words ranked and corrected, the rest strict;
    None when it has no bare word (it reads as it always did)."""
    positive, negative = _split(tree)
    bare = [node for node in positive if isinstance(node, _Term) and node.bare]
    if not bare:
        return None
    strict = [node for node in positive if not (isinstance(node, _Term) and node.bare)]
    meaningful = [node for node in bare if carries_meaning(node.text)]
    if not meaningful and not strict:
        meaningful = bare  # `the who`: nothing else to search for, so they are words
    kept = {id(node) for node in meaningful}  # (by identity: a query may have 10,000 words)
    dropped = tuple(node.text for node in bare if id(node) not in kept)
    words: dict[str, str] = {}  # folded: as typed, without punctuation at its ends
    terms: list[QueryTerm] = []
    for node in positive:
        if id(node) in kept:
            assert isinstance(node, _Term)
            word = _EDGES.sub("", node.text)
            if word.casefold() not in words:
                words[word.casefold()] = word
                terms.append(QueryTerm(word, _string(_Term(word, False, node.position)), WORD))
        elif not (isinstance(node, _Term) and node.bare):
            terms.extend(_terms(node, REQUIRED))
    match = None
    if strict:
        match = "(" + " AND ".join(_compile(text, node) for node in strict) + ")"
    exclude = _either(text, negative) if negative else None
    return SearchQuery(
        text, match, exclude, tuple(words.values()), terms=tuple(terms), dropped=dropped
    )


# --- to FTS5 ----------------------------------------------------------------------------


def _compile_top(text: str, node: _Node) -> tuple[str | None, str | None]:
    """(match, exclude): a query of exclusions only becomes "everything but"."""
    positive, negative = _split(node)
    if positive:
        return _compile(text, node), None
    return None, _either(text, negative)


def _split(node: _Node) -> tuple[list[_Node], list[_Node]]:
    """An AND's children as (to match, to exclude); any other node is one to match."""
    children = node.children if isinstance(node, _Group) and node.op == "AND" else (node,)
    positive: list[_Node] = []
    negative: list[_Node] = []
    for child in children:
        inner, negated = _unwrap(child)
        (negative if negated else positive).append(inner)
    return positive, negative


def _unwrap(node: _Node) -> tuple[_Node, bool]:
    negated = False
    while isinstance(node, _Not):
        node, negated = node.child, not negated
    return node, negated


def _compile(text: str, node: _Node) -> str:
    """An FTS5 expression for a node that matches something (not a bare exclusion)."""
    if isinstance(node, _Term):
        return _string(node)
    if isinstance(node, _Not):
        inner, negated = _unwrap(node)
        if not negated:
            return _compile(text, inner)
        raise SearchSyntaxError(
            text,
            node.position,
            "an exclusion needs something to search for beside it, in the same group "
            "(write 'a -b', not 'a OR -b')",
        )
    if node.op == "OR":
        return "(" + " OR ".join(_compile(text, c) for c in node.children) + ")"
    positive, negative = _split(node)
    if not positive:
        raise SearchSyntaxError(
            text, node.position, "a group of exclusions only needs something to search for"
        )
    expression = "(" + " AND ".join(_compile(text, c) for c in positive) + ")"
    if negative:
        expression = f"({expression} NOT {_either(text, negative)})"
    return expression


def _either(text: str, nodes: list[_Node]) -> str:
    return "(" + " OR ".join(_compile(text, n) for n in nodes) + ")"


def _string(term: _Term) -> str:
    """An FTS5 string: quoted, so nothing in it is syntax; scoped to a column, maybe prefix."""
    # A NUL would end the string for SQLite's C code; for the tokenizer it is a space anyway.
    quoted = '"' + term.text.replace('"', '""').replace("\0", " ") + '"'
    if term.prefix:
        quoted += " *"
    return f"{term.column} : {quoted}" if term.column else quoted
