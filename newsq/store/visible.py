"""The text a reader sees of an HTML body: what search indexes, and stories read.

Some corpora write their bodies (and now and then an excerpt) in HTML. Indexed as
written, their markup is words: `nbsp`, `noopener`, `span` were found in 102, 58
and 90 documents of a 759-document corpus that shows none of them, and passages
read `</span></span></p><ul><li>`. `show` draws such a body as Markdown
(`newsq.render.markup`); search reads the same text without the Markdown: tags
gone (their text kept, an image's alternative text too), entities decoded,
scripts and styles dropped, blocks and line breaks apart so that words of two
paragraphs never run together.

The standard library's `html.parser` streams, in linear time and never recursing,
so a hostile body (megabytes, thousands of nested tags) costs no more than a plain
one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A tag, as opposed to Markdown's `<`, `>` and `&` (the test `show` uses).
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SKIPPED = frozenset({"script", "style", "template", "head", "title", "noscript"})
# Tags after which text starts a new line: blocks, items, cells, breaks.
_BREAKS = frozenset((
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure",
    "figcaption", "table", "tr", "td", "th", "thead", "tbody", "tfoot", "dl", "dt", "dd",
    "form", "fieldset", "address", "details", "summary", "ul", "ol", "li", "br", "hr", "h1",
    "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
))  # fmt: skip
_BLANK_LINES = re.compile(r"\n[ \t\n]*\n")


def is_html(text: str) -> bool:
    """Whether `text` holds an HTML tag or entity (else it is plain text or Markdown)."""
    if "<" not in text and "&" not in text:
        return False  # most text, told apart without a regular expression: each needs one
    return _TAG.search(text) is not None or _ENTITY.search(text) is not None


def visible_text(text: str) -> str:
    """`text` as a reader sees it when it holds HTML (see the module); else as it is."""
    if not is_html(text):
        return text
    reader = _Reader()
    reader.feed(text)
    reader.close()
    visible = "".join(reader.out).replace("\xa0", " ")
    return _BLANK_LINES.sub("\n\n", visible).strip()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0  # inside <script> and the like

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in _BREAKS:
            self.out.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self.out.append(f" {alt.strip()} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif not self.skipping and tag in _BREAKS:
            self.out.append("\n")
