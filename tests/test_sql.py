"""`Index.sql`: the documented views with exact rows on the seeds, filters, and the
read-only guard (every refused statement, and the ways around it that must not work)."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import ID0, ID1, ID2, ID3, ID4

import newsq
from newsq.index.sql import SqlError, SqlRefused, SqlTimeout
from newsq.store.views import TABLE_VIEWS, describe, views

RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def rows(index: newsq.Index, query: str, *params: object, **criteria: object) -> list[tuple]:
    with index.sql(query, params=params, **criteria) as result:
        return list(result)


# --- the views are an API ----------------------------------------------------------------


def test_the_views_and_their_columns_are_pinned():
    from newsq.index.ranking import WEIGHTS

    found = {v.name: list(v.column_names) for v in views(WEIGHTS)}
    assert found == {
        "documents": [
            "id", "path", "title", "excerpt", "date", "epoch", "provider_name",
            "provider_domain", "type", "category", "quality", "heat", "published", "url",
            "topics", "related_count", "body", "record",
        ],
        "topics": ["document", "position", "topic"],
        "related": [
            "document", "position", "id", "title", "excerpt", "url", "date", "epoch",
            "provider_name", "provider_domain", "type", "category", "quality", "heat",
            "published", "record",
        ],
        "images": ["document", "position", "url", "width", "height", "title", "record"],
        "search": ["search", "kind", "id", "document", "score", "snippet"],
    }  # fmt: skip
    described = describe(views(WEIGHTS))
    assert len(described) == sum(len(c) for c in found.values())
    assert all(row["description"] and row["type"] for row in described)


def test_each_view_answers_with_the_columns_it_documents(seed_index):
    for view in TABLE_VIEWS:
        with seed_index.sql(f"SELECT * FROM {view.name}") as result:
            assert result.columns == view.column_names
            assert list(result)


# --- exact rows on the seeds -------------------------------------------------------------


def test_documents_on_the_seeds(seed_index):
    found = rows(
        seed_index,
        "SELECT id, date, epoch, provider_name, provider_domain, type, category, quality, "
        "heat, published, topics, related_count, body FROM documents ORDER BY epoch",
    )
    assert found == [
        (ID1, "2020-06-11T16:42:00Z", 1591893720, "Washington Post", "washingtonpost.com",
         "article", "news", 27, -1, 0, '["Computer Vision", "AI"]', 2, None),
        (ID0, "2020-06-11T20:54:00Z", 1591908840, "Forbes", "forbes.com",
         "article", "news", 89, 99, 1, '["Computer Vision", "AI"]', 1, None),
        (ID4, "2020-06-11T21:57:00Z", 1591912620, "Quartz", "qz.com",
         "article", "news", 87, -1, 0, '["Computer Vision", "AI"]', 16, None),
        (ID2, "2020-06-12T11:06:00Z", 1591959960, "Fast Company", "fastcompany.com",
         "article", "news", 37, -1, 0, '["Computer Vision", "AI"]', 2, None),
        (ID3, "2020-07-03T05:43:00Z", 1593754980, "Local News 8", "localnews8.com",
         "article", "news", 6, -1, 0, '["Natural Language Processing", "AI"]', 2, None),
    ]  # fmt: skip


def test_documents_title_url_excerpt_and_record_of_one_seed(seed_index, seeds):
    import json

    (row,) = rows(
        seed_index, "SELECT title, url, excerpt, path, record FROM documents WHERE id = ?", ID0
    )
    title, url, excerpt, path, record = row
    assert title == "Microsoft Won\u2019t Sell Facial Recognition To American Cops After Protests"
    assert url == (
        "https://www.forbes.com/sites/thomasbrewster/2020/06/11/"
        "microsoft-wont-sell-facial-recognition-to-american-cops-after-protests/"
    )
    assert excerpt.startswith("Following pressure from civil rights groups, Microsoft")
    assert path == str(seeds / f"{ID0}.txt")
    assert json.loads(record) == seed_index[ID0]


def test_topics_on_the_seeds(seed_index):
    found = rows(seed_index, "SELECT document, position, topic FROM topics ORDER BY 1, 2")
    assert found == [
        (ID0, 1, "Computer Vision"), (ID0, 2, "AI"),
        (ID1, 1, "Computer Vision"), (ID1, 2, "AI"),
        (ID2, 1, "Computer Vision"), (ID2, 2, "AI"),
        (ID3, 1, "Natural Language Processing"), (ID3, 2, "AI"),
        (ID4, 1, "Computer Vision"), (ID4, 2, "AI"),
    ]  # fmt: skip
    assert rows(seed_index, "SELECT topic, count(*) FROM topics GROUP BY 1 ORDER BY 2 DESC, 1") == [
        ("AI", 5),
        ("Computer Vision", 4),
        ("Natural Language Processing", 1),
    ]


def test_related_on_the_seeds(seed_index):
    assert rows(seed_index, "SELECT document, count(*) FROM related GROUP BY 1 ORDER BY 1") == [
        (ID0, 1), (ID1, 2), (ID2, 2), (ID3, 2), (ID4, 16),
    ]  # fmt: skip
    found = rows(
        seed_index,
        "SELECT id, title, date, provider_name, provider_domain, quality, heat, published, "
        "type, url FROM related WHERE document IN (?, ?) ORDER BY document, position",
        ID0,
        ID1,
    )
    assert found == [
        (f"{ID0}#1", "Police Banned From Using Amazon's Facial Recognition Technology For A Year",
         "2020-06-11T14:12:00Z", "HotNewHipHop", "hotnewhiphop.com", 42, 99, 1, "article",
         "https://www.hotnewhiphop.com/police-banned-from-using-amazons-facial-recognition"
         "-technology-for-a-year-news.112270.html"),
        (f"{ID1}#1", "Microsoft won\u2019t sell police facial recognition until there\u2019s "
         "\u2018a national law in place\u2019", "2020-06-11T17:30:00Z", "VentureBeat",
         "venturebeat.com", 81, -1, 0, "article",
         "https://venturebeat.com/2020/06/11/microsoft-wont-sell-police-facial-recognition"
         "-until-theres-a-national-law-in-place/"),
        (f"{ID1}#2", "House police reform bill includes face recognition provisions",
         "2020-06-09T03:34:00Z", "SC Media", "scmagazine.com", 41, -1, 0, "article",
         "https://www.scmagazine.com/home/security-news/house-police-reform-bill-includes"
         "-face-recognition-provisions/"),
    ]  # fmt: skip
    # Each article's record is its item in the document's related list, as written.
    import json

    (record,) = rows(seed_index, f"SELECT record FROM related WHERE id = '{ID4}#16'")[0]
    assert json.loads(record) == seed_index[ID4]["related"][15]
    assert (
        rows(seed_index, f"SELECT url FROM related WHERE id = '{ID1}#2'")[0][0]
        == (seed_index[ID1]["related"][1]["webUrl"])
    )


def test_related_dates_and_outlets_match_stats(seed_index):
    stats = seed_index.stats(related=True)
    assert rows(seed_index, "SELECT count(*) FROM related") == [(stats.related,)]
    (first,) = rows(
        seed_index,
        "SELECT min(date) FROM (SELECT date FROM documents UNION ALL SELECT date FROM related)",
    )[0]
    assert first == "2020-06-09T03:34:00Z" == stats.to_json()["first"]


def test_images_on_the_seeds(seed_index):
    found = rows(seed_index, "SELECT document, position, width, height FROM images ORDER BY 1")
    assert found == [
        (ID0, 1, 1199, 784),
        (ID1, 1, 1440, 960),
        (ID2, 1, 1280, 720),
        (ID3, 1, 860, 484),
        (ID4, 1, 727, 409),
    ]
    (url,) = rows(seed_index, f"SELECT url FROM images WHERE document = '{ID3}'")[0]
    assert url == "https://localnews8.b-cdn.net/2019/11/Money-logo-new-860x484.jpg"


def test_search_ranks_as_newsq_search(seed_index):
    query = "SELECT kind, id, document, score FROM search WHERE search MATCH ? ORDER BY score DESC"
    found = rows(seed_index, query, "rekognition")
    assert [(kind, i, doc) for kind, i, doc, _ in found] == [
        ("related", f"{ID0}#1", ID0),
        ("document", ID4, ID4),
    ]
    hits = seed_index.search("rekognition", related=True)
    assert [(i, score) for _, i, _, score in found] == [(h.id, h.score) for h in hits]
    # Over documents only, the scores are `newsq search`'s too.
    found = rows(
        seed_index,
        "SELECT id, score FROM search WHERE search MATCH 'amazon ibm' AND kind = 'document'",
    )
    hits = seed_index.search("amazon ibm")
    assert dict(found) == {h.id: h.score for h in hits}
    assert len(found) == 4


def test_search_snippet_is_the_matching_passage(seed_index):
    (snippet,) = rows(
        seed_index, f"SELECT snippet FROM search WHERE search MATCH 'rekognition' AND id = '{ID4}'"
    )[0]
    assert snippet == (
        "…Amazon sells its product, Rekognition, directly to several law enforcement agencies;"
    )


# --- filters --------------------------------------------------------------------------


def test_filters_restrict_every_view(seed_index):
    nlp = {"topic": "Natural Language Processing"}
    assert rows(seed_index, "SELECT id FROM documents", **nlp) == [(ID3,)]
    assert rows(seed_index, "SELECT DISTINCT document FROM topics", **nlp) == [(ID3,)]
    assert rows(seed_index, "SELECT count(*) FROM topics", **nlp) == [(2,)]
    assert rows(seed_index, "SELECT DISTINCT document FROM related", **nlp) == [(ID3,)]
    assert rows(seed_index, "SELECT count(*) FROM related", **nlp) == [(2,)]
    assert rows(seed_index, "SELECT document FROM images", **nlp) == [(ID3,)]
    found = rows(
        seed_index, "SELECT DISTINCT document FROM search WHERE search MATCH 'amazon'", **nlp
    )
    assert found == [(ID3,)]
    since = rows(seed_index, "SELECT id FROM documents ORDER BY id", since="2020-06-12")
    assert since == [(ID2,), (ID3,)]
    where = newsq.Filter.build(provider="forbes")
    assert rows(seed_index, "SELECT count(*) FROM related", where=where) == [(1,)]


def test_no_filter_sees_every_document(seed_index):
    assert rows(seed_index, "SELECT count(*) FROM documents") == [(5,)]


def test_a_filter_matching_nothing_leaves_the_views_empty(seed_index):
    assert rows(seed_index, "SELECT count(*) FROM documents", topic="no such topic") == [(0,)]
    assert rows(seed_index, "SELECT count(*) FROM related", topic="no such topic") == [(0,)]


# --- values newsq reads --------------------------------------------------------------------


def test_dates_before_1970_with_microseconds_and_odd_values(write_corpus):
    root = write_corpus(
        {
            "a.md": "---\ntitle: A\npublishedDateTime: 1969-12-31T23:59:59.5Z\nquality: 2.5\n"
            "topics: one topic\nimages: [just-a-url.png]\n"
            "related: [not a mapping, {title: R}]\n---\nBody text.\n",
            "b.md": "---\nname: Only a name\ndate: 2021-03-04\nprovider: Bare Name\n---\n",
        }
    )
    with newsq.load([root]) as index:
        assert rows(
            index,
            "SELECT id, title, date, epoch, quality, topics, body, provider_name FROM documents "
            "ORDER BY id",
        ) == [
            ("a", "A", "1969-12-31T23:59:59.500000Z", -1, 2.5, '["one topic"]', "Body text.\n",
             None),
            ("b", "Only a name", "2021-03-04T00:00:00Z", 1614816000, None, "[]", None,
             "Bare Name"),
        ]  # fmt: skip
        assert rows(index, "SELECT document, position, url, record FROM images") == [
            ("a", 1, "just-a-url.png", '"just-a-url.png"')
        ]
        # The item that is not a mapping is no article (as `show a#1` says), the second is #2.
        assert rows(index, "SELECT id, title FROM related") == [("a#2", "R")]


# --- results ----------------------------------------------------------------------------


def test_columns_are_made_unique_and_rows_typed(seed_index):
    with seed_index.sql("SELECT 1 AS n, 2.5 AS n, 'x' AS n, NULL, x'00ff'") as result:
        assert result.columns == ("n", "n_2", "n_3", "NULL", "x'00ff'")
        assert list(result) == [(1, 2.5, "x", None, b"\x00\xff")]


def test_a_query_over_no_view_answers(seed_index):
    assert rows(seed_index, "SELECT 1 + 1") == [(2,)]
    assert rows(seed_index, "VALUES (1), (2)") == [(1,), (2,)]


@pytest.mark.parametrize(
    "query",
    [
        "PRAGMA table_info(documents)",
        "SELECT * FROM json_each('[1, 2]')",
        "EXPLAIN QUERY PLAN SELECT * FROM documents",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3) SELECT x FROM c",
        "SELECT name FROM sqlite_temp_master WHERE type = 'view' ORDER BY name",
        "PRAGMA data_version",
        "SELECT count(*) FROM documents d JOIN related r ON r.document = d.id",
    ],
)
def test_reading_statements_are_allowed(seed_index, query):
    assert rows(seed_index, query)


def test_pragma_table_info_lists_a_views_columns(seed_index):
    found = rows(seed_index, "PRAGMA table_info(topics)")
    assert [row[1] for row in found] == ["document", "position", "topic"]


# --- the guard ------------------------------------------------------------------------------


def _fingerprint(index: newsq.Index) -> str:
    (path,) = [
        f for _, name, f in index.snapshot.conn.execute("PRAGMA database_list") if name == "main"
    ]
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


REFUSED = [
    ("DELETE FROM documents", "read-only"),
    ("INSERT INTO topics VALUES ('x', 1, 'y')", "read-only"),
    ("UPDATE related SET title = 'x'", "read-only"),
    ("DELETE FROM docs", "DELETE is refused"),
    ("UPDATE docs SET title = 'x'", "UPDATE is refused"),
    ("INSERT INTO meta VALUES ('a', 'b')", "INSERT is refused"),
    ("WITH x AS (SELECT 1) DELETE FROM docs", "DELETE is refused"),
    ("WITH x AS (SELECT 1) INSERT INTO docs SELECT * FROM docs", "INSERT is refused"),
    ("CREATE TABLE t (x)", "changing the schema"),
    ("CREATE TEMP TABLE t (x)", "changing the schema"),
    ("CREATE TEMP VIEW v AS SELECT 1", "changing the schema"),
    ("CREATE INDEX i ON docs (title)", "changing the schema"),
    ("CREATE TRIGGER t AFTER INSERT ON docs BEGIN SELECT 1; END", "changing the schema"),
    ("CREATE VIRTUAL TABLE temp.f USING fts5(x)", "changing the schema"),
    ("DROP VIEW documents", "changing the schema"),
    ("DROP TABLE docs", "changing the schema"),
    ("ALTER TABLE docs RENAME TO gone", "ALTER TABLE is refused"),
    ("ATTACH DATABASE ':memory:' AS other", "ATTACH"),
    ("ATTACH (WITH f(p) AS (SELECT ':memory:') SELECT p FROM f) AS other", "ATTACH"),
    ("DETACH DATABASE temp", "DETACH"),
    ("VACUUM", "VACUUM"),
    ("PRAGMA journal_mode = DELETE", "PRAGMA journal_mode = DELETE is refused"),
    ("PRAGMA user_version = 7", "PRAGMA user_version = 7 is refused"),
    ("PRAGMA query_only = 0", "PRAGMA query_only = 0 is refused"),
    ("PRAGMA writable_schema = 1", "refused"),
    ("PRAGMA wal_checkpoint", "PRAGMA wal_checkpoint is refused"),
    ("PRAGMA optimize", "PRAGMA optimize is refused"),
    ("PRAGMA incremental_vacuum", "refused"),
    ("SELECT * FROM pragma_journal_mode", "refused"),
    ("SELECT load_extension('/tmp/x.so')", "load_extension is refused"),
    ("SELECT count(*) FROM documents WHERE load_extension('x') IS NULL", "load_extension"),
    ("BEGIN", "transaction"),
    ("COMMIT", "transaction"),
    ("SAVEPOINT a", "SAVEPOINT is refused"),
    ("REINDEX", "REINDEX is refused"),
    ("ANALYZE", "refused"),
    ("SELECT 1; DROP TABLE docs", "one statement at a time"),
    ("SELECT 1; SELECT 2", "one statement at a time"),
    ("SELECT * FROM docs", "docs is one of the snapshot's own tables"),
    ("SELECT packed FROM records", "records is one of the snapshot's own tables"),
    ("SELECT * FROM meta", "meta is one of"),
    ("SELECT * FROM main.search", "search is one of"),
    ("SELECT path FROM files", "files is one of"),
    # A CTE named like a view reads no more than the view does.
    ("WITH documents AS (SELECT hex FROM docs) SELECT * FROM documents", "docs is one of"),
    ("WITH related AS (SELECT * FROM files) SELECT * FROM related", "files is one of"),
    ("SELECT (SELECT value FROM meta LIMIT 1)", "meta is one of"),
]


@pytest.mark.parametrize(("query", "reason"), REFUSED, ids=[q for q, _ in REFUSED])
def test_everything_but_reading_is_refused(seed_index, query, reason):
    before = _fingerprint(seed_index)
    with pytest.raises(SqlRefused) as refused:
        rows(seed_index, query)
    assert reason in refused.value.reason
    assert refused.value.option == "QUERY"
    assert _fingerprint(seed_index) == before
    assert len(seed_index) == 5


def test_vacuum_into_writes_no_file(seed_index, tmp_path):
    target = tmp_path / "copy.sqlite"
    with pytest.raises(SqlRefused, match="VACUUM"):
        rows(seed_index, f"VACUUM INTO '{target}'")
    assert not target.exists()


def test_attach_writes_no_file(seed_index, tmp_path):
    target = tmp_path / "other.sqlite"
    for query in (
        f"ATTACH DATABASE '{target}' AS other",
        f"ATTACH (WITH f(p) AS (SELECT '{target}') SELECT p FROM f) AS other",
        f"ATTACH 'file:{target}?mode=rwc' AS other",
    ):
        with pytest.raises(SqlRefused):
            rows(seed_index, query)
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_the_guard_holds_inside_views_subqueries_and_ctes(seed_index):
    for query in (
        "SELECT * FROM documents WHERE id IN (SELECT id FROM docs)",
        "WITH x AS (SELECT * FROM documents), y AS (SELECT * FROM records) SELECT * FROM x, y",
        "SELECT * FROM (SELECT * FROM doc_topics)",
    ):
        with pytest.raises(SqlRefused):
            rows(seed_index, query)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELEC 1", 'near "SELEC": syntax error'),
        ("SELECT nope FROM documents", "no such column: nope; the views are documents, topics"),
        ("SELECT * FROM nonesuch", "no such table: nonesuch; the views are"),
        ("SELECT * FROM search WHERE search MATCH 'AND'", "fts5: syntax error"),
        ("   ", "the query is empty"),
    ],
)
def test_sql_that_cannot_run_says_why(seed_index, query, reason):
    with pytest.raises(SqlError) as error:
        rows(seed_index, query)
    assert not isinstance(error.value, SqlRefused)
    assert reason in error.value.reason


# --- runaway queries ---------------------------------------------------------------------------


def test_a_runaway_query_stops_at_its_timeout(seed_index):
    with pytest.raises(SqlTimeout) as stopped:
        rows(seed_index, RUNAWAY, timeout=0.2)
    assert stopped.value.seconds == 0.2
    # The index is as usable as before.
    assert rows(seed_index, "SELECT count(*) FROM documents") == [(5,)]


def test_a_timeout_also_stops_a_query_whose_rows_are_being_read(seed_index):
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    with seed_index.sql(endless, timeout=0.2) as result, pytest.raises(SqlTimeout):
        for _ in result:
            pass


def test_a_query_stops_on_ctrl_c(seed_index):
    """SIGINT during the query (as Ctrl-C sends it) stops it with KeyboardInterrupt."""
    import signal

    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            rows(seed_index, RUNAWAY)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 30
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_query_in_another_thread_stops_at_its_timeout(seeds):
    """Only the main thread hears signals: elsewhere the timeout alone stops a query."""
    found: list[BaseException] = []

    def work() -> None:
        try:
            with newsq.load([seeds]) as index:
                rows(index, RUNAWAY, timeout=0.2)
        except BaseException as exc:
            found.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert [type(e) for e in found] == [SqlTimeout]


def test_a_result_holds_its_own_connection_until_closed(seed_index):
    result = seed_index.sql("SELECT id FROM documents ORDER BY id")
    assert next(iter(result)) == (ID0,)
    result.close()
    # The index's own connection was never the one reading.
    assert len(seed_index) == 5


def test_median_is_the_middle_number(seed_index):
    assert rows(seed_index, "SELECT median(quality) FROM documents") == [(37,)]
    assert rows(seed_index, "SELECT median(quality) FROM documents", since="2020-06-12") == [
        (21.5,)
    ]
    assert rows(seed_index, "SELECT median(column1) FROM (VALUES ('a'), (NULL), (3), (1.5))") == [
        (2.25,)
    ]
    assert rows(seed_index, "SELECT median(quality) FROM documents WHERE 0") == [(None,)]


def test_the_errors_are_newsqs():
    assert newsq.SqlError is SqlError and newsq.SqlRefused is SqlRefused
    assert newsq.SqlTimeout is SqlTimeout
    assert issubclass(SqlRefused, SqlError) and issubclass(SqlError, newsq.QueryError)
