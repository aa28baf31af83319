"""The search query language: what each form becomes in FTS5, and each error's position.

The exact reading of each form (`exact=True`, the meaning every query had before
plain words forgave) is pinned first; then what the forgiving reading keeps strict
and what it lets forgive. The expressions are checked against SQLite too: every one
must be accepted by FTS5 and select exactly the rows expected from a small table.
"""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsq.index.matching import expression
from newsq.query.language import (
    MAX_DEPTH,
    WORD,
    SearchSyntaxError,
    parse_query,
)
from newsq.store.schema import TOPIC_BREAK

# --- what each form becomes ---------------------------------------------------------------

FORMS = [
    ("facial recognition", '("facial" AND "recognition")', None),
    ("facial AND recognition", '("facial" AND "recognition")', None),
    ("amazon OR ibm", '("amazon" OR "ibm")', None),
    ("amazon OR ibm police", '("amazon" OR ("ibm" AND "police"))', None),
    ("(amazon OR ibm) police", '(("amazon" OR "ibm") AND "police")', None),
    ("police -amazon", '(("police") NOT ("amazon"))', None),
    ("police NOT amazon", '(("police") NOT ("amazon"))', None),
    ("police -amazon -ibm", '(("police") NOT ("amazon" OR "ibm"))', None),
    ("a (b -c)", '(("a" AND "b") NOT ("c"))', None),  # the same as `a b -c`
    ("a (-b) OR c", '((("a") NOT ("b")) OR "c")', None),  # AND binds tighter than OR
    ("a (b OR c -d)", '("a" AND ("b" OR (("c") NOT ("d"))))', None),
    ("a (-b -c) d", '(("a" AND "d") NOT ("b" OR "c"))', None),
    ("NOT NOT a", '"a"', None),
    ('"facial recognition"', '"facial recognition"', None),
    ('"facial recog"*', '"facial recog" *', None),
    ("recogni*", '"recogni" *', None),
    ("title:amazon", 'title : "amazon"', None),
    ("Title:amazon", 'title : "amazon"', None),
    ("title: amazon", 'title : "amazon"', None),
    ("excerpt:amazon", 'excerpt : "amazon"', None),
    ("provider:forbes", 'provider : "forbes"', None),
    ("body:zebra", 'body : "zebra"', None),
    ('topic:"Computer Vision"', 'topics : "Computer Vision"', None),
    ("topics:ai", 'topics : "ai"', None),
    ("title:(amazon OR ibm)", '(title : "amazon" OR title : "ibm")', None),
    ("title:recog*", 'title : "recog" *', None),
    ("-title:amazon police", '(("police") NOT (title : "amazon"))', None),
    # punctuation: inside a word it makes a phrase of the parts; alone it is nothing
    ("covid-19", '"covid-19"', None),
    ("Microsoft - IBM", '("Microsoft" AND "IBM")', None),
    ("Breaking: news", '("Breaking:" AND "news")', None),
    ("3:30", '"3:30"', None),
    ("!!! OR amazon", '"amazon"', None),
    ("amazon's", '"amazon\'s"', None),
    # lower-case operators are words
    ("this or that", '("this" AND "or" AND "that")', None),
    # only exclusions: everything but
    ("-amazon", None, '("amazon")'),
    ("NOT amazon -ibm", None, '("amazon" OR "ibm")'),
    ("-(amazon OR ibm)", None, '(("amazon" OR "ibm"))'),
]


@pytest.mark.parametrize(("text", "match", "exclude"), FORMS)
def test_form(text, match, exclude):
    query = parse_query(text, exact=True)
    assert (query.text, query.match, query.exclude, query.words) == (text, match, exclude, ())
    assert query.exact and not query.forgiving


def test_a_double_quote_cannot_be_typed_into_a_string():
    # a word cannot hold `"` (it starts a phrase), but the quoting doubles it all the same
    assert parse_query('a"b"', exact=True).match == '("a" AND "b")'


# --- errors point at the problem ------------------------------------------------------------

ERRORS = [
    ("", 0, "nothing to search for: the query has no words"),
    ("   ", 0, "nothing to search for: the query has no words"),
    ("-", 0, "nothing to search for: the query has no words"),
    ("!!!", 0, "nothing to search for: the query has no words"),
    ("(amazon", 0, "this ( is never closed: add a )"),
    ("a (b (c)", 2, "this ( is never closed: add a )"),
    ("amazon)", 6, "this ) has no ( before it"),
    (")", 0, "this ) has no ( before it"),
    ('say "facial recognition', 4, 'this quote is never closed: add a closing "'),
    ('""', 0, "these quotes hold nothing"),
    ("()", 0, "these brackets hold nothing"),
    ("OR amazon", 0, "OR needs something to search for before it"),
    ("amazon OR", 7, "OR needs something to search for after it"),
    ("amazon OR OR ibm", 7, "OR needs something to search for after it"),
    ("(amazon OR) ibm", 8, "OR needs something to search for after it"),
    ("AND amazon", 0, "AND needs something to search for on each side"),
    ("amazon AND", 7, "AND needs something to search for on each side"),
    ("amazon NOT", 7, "NOT needs something to exclude after it"),
    ("amazon -)", 8, "this ) has no ( before it"),  # a dash before ) is punctuation
    ("*", 0, "* must follow the start of a word"),
    ("title:", 0, "title: needs a word, a phrase or a (group) after it"),
    ("amazon title:-ibm", 7, "title: needs a word, a phrase or a (group) after it"),
    ("title:(excerpt:amazon)", 7, "a field cannot be scoped inside another field"),
    (
        "titel:amazon",
        0,
        "unknown field 'titel' (fields: body, excerpt, provider, title, topic); "
        "put the text in quotes to search for it as words",
    ),
    (
        "see https://forbes.com",
        4,
        "unknown field 'https' (fields: body, excerpt, provider, title, topic); "
        "put the text in quotes to search for it as words",
    ),
    (
        "amazon OR -ibm",
        10,
        "an exclusion needs something to search for beside it, in the same group "
        "(write 'a -b', not 'a OR -b')",
    ),
    (
        "(-b) OR c",
        1,
        "an exclusion needs something to search for beside it, in the same "
        "group (write 'a -b', not 'a OR -b')",
    ),
]


@pytest.mark.parametrize(("text", "position", "reason"), ERRORS)
def test_error(text, position, reason):
    with pytest.raises(SearchSyntaxError) as caught:
        parse_query(text)
    assert (caught.value.position, caught.value.reason) == (position, reason)
    assert caught.value.query == text
    assert str(caught.value) == f"{reason} (at column {position + 1})"


def test_brackets_nest_only_so_deep():
    deep = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse_query(deep, exact=True).match == '"a"'
    assert parse_query(deep).words == ("a",)  # brackets around one word leave a word
    with pytest.raises(SearchSyntaxError) as caught:
        parse_query("(" + deep + ")")
    assert caught.value.position == MAX_DEPTH
    assert caught.value.reason == f"brackets nest more than {MAX_DEPTH} deep"


# --- the expressions run in FTS5 ----------------------------------------------------------

ROWS = {
    1: ("Amazon bans police", "Facial recognition in Zürich", "Forbes", "Computer Vision", ""),
    2: ("IBM quits", "Recognising faces is hard", "Quartz", "AI", "the zebra crossed"),
    3: ("Police reform", "A banning of the practice", "Forbes", "Computer", "Vision board"),
}


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE search USING fts5 (title, excerpt, provider, topics, body, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    for rowid, (title, excerpt, provider, topics, body) in ROWS.items():
        topics = TOPIC_BREAK.join(topics.split(", "))
        db.execute(
            "INSERT INTO search (rowid, title, excerpt, provider, topics, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (rowid, title, excerpt, provider, topics, body),
        )
    return db


def matching(db: sqlite3.Connection, text: str) -> list[int]:
    query = parse_query(text, exact=True)
    if query.match is None:
        sql = "SELECT rowid FROM search WHERE rowid NOT IN "
        sql += "(SELECT rowid FROM search WHERE search MATCH ?) ORDER BY rowid"
        return [r for (r,) in db.execute(sql, (query.exclude,))]
    sql = "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid"
    return [r for (r,) in db.execute(sql, (query.match,))]


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("police", [1, 3]),
        ("POLICE", [1, 3]),
        ("banned", [1, 3]),  # stemmed: bans, banning
        ("zurich", [1]),  # accents do not count
        ("Zürich", [1]),
        ("recognition", [1]),
        ("recogni*", [1, 2]),  # recognition, recognising
        ('"facial recognition"', [1]),
        ('"recognition facial"', []),
        ("amazon OR ibm", [1, 2]),
        ("police -amazon", [3]),
        ("-forbes", [2]),
        ("title:police", [1, 3]),
        ("excerpt:police", []),
        ("provider:forbes", [1, 3]),
        ('topic:"computer vision"', [1]),
        # topics are separate: no phrase runs from one into the next
        ('topic:"computer vision"', [1]),
        ("topic:vision", [1]),
        ("body:vision", [3]),
        ("zebra", [2]),
        ("title:(amazon OR ibm) -quits", [1]),
    ],
)
def test_expressions_select_in_sqlite(fts, text, rows):
    assert matching(fts, text) == rows


def test_topics_are_not_one_phrase(fts):
    fts.execute(
        "INSERT INTO search (rowid, topics) VALUES (9, ?)", (TOPIC_BREAK.join(["Vision", "AI"]),)
    )
    try:
        assert matching(fts, 'topic:"vision ai"') == []
        assert matching(fts, "topic:vision topic:ai") == [9]
    finally:
        fts.execute("DELETE FROM search WHERE rowid = 9")


def _read_and_run(text: str) -> None:
    """`text` is either refused with a position inside it, or an expression FTS5 runs."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE search USING fts5 (title, excerpt, provider, topics, body)")
    db.execute("INSERT INTO search VALUES ('a', 'b', 'c', 'd', 'e')")
    try:
        exact = parse_query(text, exact=True)
        forgiving = parse_query(text)
    except SearchSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        return
    for query in (exact, forgiving):
        words = [t.fts for t in query.terms if t.role == WORD]
        either = "(" + " OR ".join(words) + ")" if words else None
        run = expression(query.match, either, query.exclude) or query.exclude
        db.execute("SELECT rowid FROM search WHERE search MATCH ?", (run,)).fetchall()


@given(st.text(max_size=60))
def test_any_text_is_a_query_or_a_syntax_error_and_never_an_sql_error(text):
    _read_and_run(text)


@given(
    st.lists(
        st.sampled_from(["a", "b", "-", "OR", "AND", "NOT", "(", ")", '"', "title:", "*", " "]),
        max_size=14,
    )
)
def test_any_mix_of_operators_is_a_query_or_a_syntax_error(parts):
    _read_and_run("".join(parts))
