"""HTML in a document's body, turned into the Markdown `show` renders.

Bodies are Markdown, and Markdown allows HTML; some corpora's bodies are HTML
through and through (`<p>…</p><img …>`). rich's Markdown renderer drops HTML,
so without this such a body would show as nothing. The conversion streams
through the standard library's `html.parser`: linear in the size of the text and
never recursive, so a hostile body (megabytes, thousands of nested tags) costs
no more than a plain one. (markdownify, the library for this, took 54 s on a
9.6 MB body and overflowed the stack on 5,000 nested `<div>`s.)
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_SPACES = re.compile(r"[ \t\r\n\f]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#<>|])")
_BLANK_LINES = re.compile(r"\n{3,}")
_NO_BRACKETS = str.maketrans("", "", "[]\\")

_BLOCK_TAGS = """p div section article header footer main aside nav figure figcaption
table tr thead tbody tfoot dl dt dd form fieldset address details summary"""
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_SKIPPED = frozenset({"script", "style", "template", "head", "title", "noscript"})
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`", "del": "~~", "s": "~~"}


def has_html(text: str) -> bool:
    """Whether `text` holds an HTML tag (as opposed to Markdown's `<`, `>` and `&`)."""
    return _TAG.search(text) is not None


def html_to_markdown(text: str) -> str:
    """`text` with its HTML turned into Markdown: paragraphs, line breaks, headings,
    lists, links, images, emphasis, code and quotes; other tags dropped, their text
    kept; scripts and styles dropped whole.

    A body that starts with a tag is HTML through and through: its text is
    whitespace-collapsed and escaped, so `mofumofu_dance` stays as written. A body
    that is Markdown with some tags keeps its text as written, Markdown and all.
    """
    converter = _Converter(html=text.lstrip().startswith("<"))
    converter.feed(text)
    converter.close()
    return _BLANK_LINES.sub("\n\n", "".join(converter.out)).strip("\n") + "\n"


class _Converter(HTMLParser):
    def __init__(self, *, html: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.out: list[str] = []
        self.skipping = 0  # inside <script> and the like
        self.pre = 0  # inside <pre>: text as written
        self.links: list[str | None] = []  # the href of each open <a>, None when not a link
        self.lists: list[str] = []  # "ul" or "ol" for each open list
        self.quotes = 0
        # The open emphasis tags. A marker waits for the first text after it, and a
        # closing one goes before the spaces that end what it closes: Markdown reads
        # `**word**` as bold, but not `** word **`, and `**` around nothing (`<b><br></b>`)
        # is two stars on a line of their own.
        self.emphasis: list[_Emphasis] = []
        self.waiting = 0  # how many of them wait for text (the last ones)
        self.open_markers: Counter[str] = Counter()  # how many are open, by marker
        self.text_end = 0  # the length of `out` up to its last piece not all spaces

    # --- text -------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:  # code as written: an emphasis around it opens on the text after it
            self._append(data)
            return
        if self.html:
            data = _MARKDOWN_SPECIAL.sub(r"\\\1", _SPACES.sub(" ", data.replace("\xa0", " ")))
            if self._at_line_start():
                data = data.lstrip(" ")
        self._write(data)

    def _write(self, text: str) -> None:
        """Text: the emphasis waiting for it opens before it."""
        core = text.strip()
        if not core:  # spaces and line breaks: they end what an emphasis closes, or not
            self._append(text)
            return
        start = text.index(core[0])
        self._append(text[:start])
        if self.waiting:  # the opening markers go right before the text
            for opened in self.emphasis[len(self.emphasis) - self.waiting :]:
                self.out.append(opened.marker)
                opened.written = True
            self.waiting = 0
        self._append(text[start : start + len(core)])
        self.text_end = len(self.out)
        self._append(text[start + len(core) :])

    def _append(self, text: str) -> None:
        """Spaces, line breaks, or the Markdown of a block (`## `, `- `, a fence): an
        emphasis opens after them, and closes before them."""
        if self.quotes and "\n" in text:
            text = text.replace("\n", "\n" + "> " * self.quotes)
        if text:
            self.out.append(text)

    def _open_emphasis(self, tag: str) -> None:
        self.emphasis.append(_Emphasis(_EMPHASIS[tag]))
        self.open_markers[_EMPHASIS[tag]] += 1
        self.waiting += 1

    def _close_emphasis(self, tag: str) -> None:
        """Close the last emphasis of `tag`'s marker (`</b>` closes a `<strong>` too), and
        any opened inside it and left open. A marker written goes before the spaces that
        end the text (the pieces after `text_end`, joined into one so that the next
        closing marker does not walk them again); one still waiting for text was around
        nothing, and is dropped. (The search for it ends at most where the tags it closes
        start: linear in the body, however its tags are nested.)"""
        marker = _EMPHASIS[tag]
        if not self.open_markers[marker]:  # nothing of the kind is open: no marker
            return
        at = len(self.emphasis) - 1
        while self.emphasis[at].marker != marker:
            at -= 1
        for closed in reversed(self.emphasis[at:]):
            self.open_markers[closed.marker] -= 1
            if not closed.written:
                self.waiting -= 1
                continue
            spaces = "".join(self.out[self.text_end :])
            del self.out[self.text_end :]
            self.out.append(closed.marker)
            self.text_end = len(self.out)
            if spaces:
                self.out.append(spaces)
        del self.emphasis[at:]

    def _at_line_start(self) -> bool:
        for piece in reversed(self.out):
            if piece:
                return piece.endswith(("\n", "> "))
        return True

    def _block(self) -> None:
        self._append("\n\n")

    # --- tags -------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        found = dict(attrs)
        if tag in _BLOCKS:
            self._block()
        elif tag == "br":
            self._append("  \n")
        elif tag == "hr":
            self._append("\n\n---\n\n")
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in ("ul", "ol"):
            if not self.lists:  # a nested list starts on its item's next line
                self._append("\n")
            self.lists.append(tag)
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            marker = "1." if self.lists and self.lists[-1] == "ol" else "-"
            self._append("\n" + "  " * depth + marker + " ")
        elif tag == "blockquote":
            self._append("\n\n")
            self.quotes += 1
            self._append("> ")
        elif tag == "pre":
            self.pre += 1
            self._append("\n\n```\n")
        elif tag in _EMPHASIS and not self.pre:
            self._open_emphasis(tag)
        elif tag == "a":
            href = (found.get("href") or "").strip()
            self.links.append(href or None)
            if href:
                self._write("[")
        elif tag == "img":
            # A link, not a Markdown image: rich draws those on a line of their own,
            # out of order, and without the address.
            alt = _SPACES.sub(" ", found.get("alt") or "").strip().translate(_NO_BRACKETS)
            src = (found.get("src") or "").strip()
            if src:
                self._write(f"[{f'image: {alt}' if alt else 'image'}]({_destination(src)})")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping:
            return
        if tag in _BLOCKS or (len(tag) == 2 and tag[0] == "h" and tag[1] in "123456"):
            self._block()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._block()
        elif tag == "blockquote":
            self.quotes = max(self.quotes - 1, 0)
            self._block()
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
            self._append("\n```\n\n")
        elif tag in _EMPHASIS and not self.pre:
            self._close_emphasis(tag)
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self._write(f"]({_destination(href)})")


class _Emphasis:
    """An open emphasis tag: its Markdown marker, and whether that is written yet."""

    __slots__ = ("marker", "written")

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.written = False


def _destination(url: str) -> str:
    """A link destination Markdown reads whole, spaces and brackets and all."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"
