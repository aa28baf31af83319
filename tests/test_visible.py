"""HTML bodies (and excerpts) are indexed as the text a reader sees (`newsq.store.visible`):
markup is never a word, never in a passage; for search and for stories alike."""

from __future__ import annotations

import json
import time

import pytest

import newsq
from newsq.store import stories
from newsq.store.visible import is_html, visible_text


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("a<br>b", "a\nb"),
        ("<ul><li>first</li><li>second</li></ul>", "first\n\nsecond"),
        ("<span style='x'>in</span><span>line</span>", "inline"),  # inline tags join nothing
        (
            "<p>Tom&nbsp;&amp;&nbsp;Jerry &#8217;s &quot;show&quot;</p>",
            'Tom & Jerry \u2019s "show"',
        ),
        ('<a href="https://x.example/noopener" rel="noopener">the link</a>', "the link"),
        ('<p>see <img src="i.png" alt="a chart"> here</p>', "see  a chart  here"),
        ("<script>var span = 1;</script><style>p {}</style><p>kept</p>", "kept"),
        ("<h2>Title</h2>text", "Title\ntext"),
        ("<p>unclosed <b>bold", "unclosed bold"),
    ],
)
def test_visible_text(text, seen):
    assert is_html(text)
    assert visible_text(text) == seen


@pytest.mark.parametrize(
    "text",
    [
        "Plain text, a < b and c > d & e.",
        "# Markdown\n\n**bold** and `code`, <3 and << or a <- b\n",
        "AT&T; and R&D",
        "",
    ],
)
def test_text_without_html_is_as_written(text):
    assert not is_html(text)
    assert visible_text(text) == text


def test_deep_nesting_and_size_cost_linear_time():
    nested = "<div>" * 5_000 + "deep" + "</div>" * 5_000
    assert visible_text(nested) == "deep"
    big = "<p>word &amp; word</p>" * 200_000  # 4 MB
    started = time.perf_counter()
    assert visible_text(big).count("word & word") == 200_000
    assert time.perf_counter() - started < 20  # (linear: about a second; quadratic: hours)


def doc(title: str, body: str = "", **fields: object) -> str:
    lines = ["---", f"title: {json.dumps(title)}", "publishedDateTime: 2021-01-01T00:00:00Z"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join([*lines, "---", body])


HTML_BODY = (
    '<p><span style="font-size: 12pt;">A&nbsp;calendar <strong>component</strong></span></p>'
    '<ul><li><a href="https://example.com/x" target="_blank" rel="noopener">download it</a>'
    "</li></ul>"
)


@pytest.fixture
def html_index(write_corpus):
    root = write_corpus(
        {
            "html.md": doc("Sample", body=HTML_BODY),
            "excerpt.md": doc("Other", excerpt="<p>An <em>excerpt</em> in&nbsp;HTML</p>"),
            "plain.md": doc("Plain", body="A span of time; nbsp is a word here.\n"),
        }
    )
    with newsq.load([root]) as index:
        yield index


@pytest.mark.parametrize("markup", ["nbsp", "span", "noopener", "strong", "href", "blank", "li"])
def test_markup_is_not_a_word(html_index, markup):
    found = [hit.id for hit in html_index.search(markup, exact=True)]
    assert "html" not in found and "excerpt" not in found


def test_the_plain_document_keeps_its_words(html_index):
    assert [hit.id for hit in html_index.search("span nbsp", exact=True)] == ["plain"]


def test_passages_are_the_visible_text(html_index):
    (hit,) = html_index.search("calendar")
    assert hit.snippet == "A calendar component download it"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["calendar"]
    (hit,) = html_index.search("excerpt")
    assert hit.snippet == "An excerpt in HTML"


def test_the_record_keeps_the_body_as_written(html_index):
    assert html_index["html"]["body"] == HTML_BODY


def test_stories_read_the_visible_excerpt(html_index):
    conn = html_index.snapshot.conn
    (doc,) = conn.execute("SELECT doc FROM docs WHERE id = 'excerpt'").fetchone()
    (words,) = [words for row, words, _, _ in stories.Features(conn).rows() if row == doc]
    assert words.split() == ["other", "excerpt", "html"]


@pytest.mark.parametrize("markup", ["nbsp", "noopener", "span"])
def test_the_real_samples_markup_is_gone(real_corpus, markup):
    with newsq.load([real_corpus]) as index:
        assert index.count(query=markup, exact=True) == 0
