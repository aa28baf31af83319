"""HTML in a body turned into the Markdown `show` renders (`newsq.markup`)."""

from __future__ import annotations

import pytest

from newsq.render.markup import has_html, html_to_markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain Markdown, a < b and c > d & e.", False),
        ("Some <b>bold</b> text", True),
        ("<p>Para</p>", True),
        ("A line<br/>break", True),
        ("Not a tag: <3 and << or a <- b", False),
    ],
)
def test_has_html(text, expected):
    assert has_html(text) is expected


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo\n"),
        ("<p>a<br>b</p>", "a  \nb\n"),
        ("<h2>Title</h2><p>x</p>", "## Title\n\nx\n"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b\n"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n1. b\n"),
        ("<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b\n"),
        (
            '<p><a href="https://x.example/a b">the link</a></p>',
            "[the link](<https://x.example/a b>)\n",
        ),
        ("<p><a>no address</a></p>", "no address\n"),
        (
            '<p><img src="https://x.example/i.png" alt="A [pic]"></p>',
            "[image: A pic](<https://x.example/i.png>)\n",
        ),
        ('<img src="/i.png">', "[image](</i.png>)\n"),
        ("<p><strong>b</strong> <em>i</em> <code>c</code></p>", "**b** *i* `c`\n"),
        ("<pre>  keep\n    this</pre>", "```\n  keep\n    this\n```\n"),
        ("<blockquote>quoted</blockquote>", "> quoted\n"),
        ("<p>a_b *c* [d]</p>", "a\\_b \\*c\\* \\[d\\]\n"),  # HTML text is not Markdown
        ("<p>&amp; &lt;tag&gt; &nbsp;x</p>", "& \\<tag\\> x\n"),
        ("<p>x</p><script>alert(1)</script><style>p{}</style>", "x\n"),
        ("<p>a\n   b\t\tc</p>", "a b c\n"),
        ("<p>&nbsp;</p><p>after</p>", "after\n"),
    ],
)
def test_html_to_markdown(html, markdown):
    assert html_to_markdown(html) == markdown


def test_markdown_with_some_html_keeps_its_markdown():
    text = "# Title\n\nSome *emphasis* and a_name<br>\nnext line\n"
    assert html_to_markdown(text) == "# Title\n\nSome *emphasis* and a_name  \n\nnext line\n"


def test_deep_nesting_and_unclosed_tags_are_fine():
    deep = "<div>" * 5000 + "x" + "</div>" * 5000
    assert html_to_markdown(deep) == "x\n"
    assert html_to_markdown("<p><b>never closed <i>at all") == "**never closed *at all\n"
    assert html_to_markdown("</p></ul></a>text") == "text\n"


def test_a_large_body_is_converted_in_one_pass():
    html = "<p>word <b>bold</b> <a href='https://x.example'>link</a></p>" * 50_000
    markdown = html_to_markdown(html)
    assert markdown.count("[link](<https://x.example>)") == 50_000
