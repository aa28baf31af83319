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


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        # around nothing, spaces or line breaks: no markers (they would show as `**`)
        ("<p>a<strong><br></strong>b</p>", "a  \nb\n"),
        ("<p><em> </em>x</p>", "x\n"),
        ("<p>x<b></b>y</p>", "xy\n"),
        ("<p><b>&nbsp;</b>z</p>", "z\n"),
        ("<p><b><i> <br> </i></b>z</p>", "  \nz\n"),
        # spaces inside go outside: Markdown reads `**word**`, not `** word **`
        ("<p>a<b> word </b>c</p>", "a **word** c\n"),
        ("<p>a <em>one two </em>c</p>", "a *one two* c\n"),
        ("<p><b>x <i> </i></b>y</p>", "**x**  y\n"),
        ("<p><b>a<br>b</b></p>", "**a  \nb**\n"),
        (
            '<p><strong><font size="5"><br>There had to be a better way! </font></strong>'
            "(Spoiler)</p>",
            "  \n**There had to be a better way!** (Spoiler)\n",
        ),
        ("<blockquote><b>x<br></b>y</blockquote>", "> **x**  \n> y\n"),
        # nested, crossed, closed by the other tag of the marker, or never opened
        ("<p><b><i>x</i></b></p>", "***x***\n"),
        ("<p><b><i>x</b> y</i></p>", "***x*** y\n"),
        ("<p><b>x</strong></p>", "**x**\n"),
        ("<p>a</b>b</p>", "ab\n"),
        ("<p><i><a href='https://x.example'>t</a></i></p>", "*[t](<https://x.example>)*\n"),
        ("<pre><b> x </b></pre>", "```\n x \n```\n"),
        # the Markdown of a block goes outside the markers, code never inside them
        ("<b><h2>x</h2></b>", "## **x**\n"),
        ("<ul><li><b>a</b></li></ul>", "- **a**\n"),
        ("<b><blockquote>q</blockquote></b>", "> **q**\n"),
        ("<b><pre>x</pre></b>", "```\nx\n```\n"),
        ("<b>y<pre>x</pre></b>", "**y**\n\n```\nx\n```\n"),
        ("<b>x<hr></b>", "**x**\n\n---\n"),
    ],
)
def test_emphasis_around_text_only(html, markdown):
    assert html_to_markdown(html) == markdown


def test_emphasis_closed_many_times_over_is_one_pass():
    """Closing tags of a kind none is open of, or that close thousands at once."""
    assert html_to_markdown("<b>" * 50_000 + "x" + "</i>" * 50_000) == "**" * 50_000 + "x\n"
    nested = "<i>" + "<b>" * 50_000 + "x" + "</i>" * 50_000
    assert html_to_markdown(nested) == "*" + "**" * 50_000 + "x" + "**" * 50_000 + "*\n"


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
