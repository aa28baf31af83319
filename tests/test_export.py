"""`newsq export`: JSON lines, Parquet (read back by pyarrow and DuckDB, whose answers must be
newsq's own, on the seeds and on the real corpus sample), partitions, SQLite, and where an
export may and may not go."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from conftest import ALL_IDS, ID0, ID1, ID2, ID3, ID4

import newsq
from newsq.export import ExportError, export

duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra: pip install '.[test]'")
pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra: pip install '.[test]'")
import pyarrow.dataset as ds  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

UTC = dt.timezone.utc


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def said(result: object) -> str:
    """stderr as one line, without the box a usage error is drawn in."""
    return " ".join(result.stderr.replace("│", " ").split())  # type: ignore[attr-defined]


def query(sql: str, *params: object) -> list[tuple]:
    return duckdb.connect().execute(sql, list(params)).fetchall()


# --- JSON lines ---------------------------------------------------------------------------


def test_jsonl_is_the_lossless_records_in_id_order(seed_index, tmp_path):
    done = export(seed_index, tmp_path / "news.jsonl")
    assert (done.format, done.documents, done.files) == ("jsonl", 5, 1)
    lines = (tmp_path / "news.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == seed_index.records(ALL_IDS)
    assert done.bytes == (tmp_path / "news.jsonl").stat().st_size


def test_jsonl_under_a_filter(seed_index, tmp_path):
    where = newsq.Filter.build(since="2020-06-12")
    export(seed_index, tmp_path / "some.jsonl", where=where)
    lines = (tmp_path / "some.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [ID2, ID3]


def test_jsonl_escapes_what_line_tools_split_on(write_corpus, tmp_path):
    root = write_corpus({"a.md": '---\ntitle: "one\\u2028two \\x85 three"\n---\n'})
    with newsq.load([root]) as index:
        export(index, tmp_path / "a.jsonl")
    text = (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    assert "\u2028" not in text and "\x85" not in text
    assert len(text.splitlines()) == 1
    assert json.loads(text)["title"] == "one\u2028two \x85 three"


# --- Parquet: the schema ---------------------------------------------------------------------


def test_parquet_schema_of_the_seeds(seed_index, tmp_path):
    export(seed_index, tmp_path / "news.parquet")
    schema = pq.read_schema(tmp_path / "news.parquet")
    assert schema.names[:15] == [
        "id", "path", "title", "excerpt", "publishedDateTime", "provider", "topics", "quality",
        "heat", "type", "category", "published", "webUrl", "related", "body",
    ]  # fmt: skip
    assert schema.names[15:] == ["ampWebUrl", "cdnAmpWebUrl", "images", "secured"]
    field = schema.field
    assert field("publishedDateTime").type == pa.timestamp("us", tz="UTC")
    assert field("quality").type == pa.int64() and field("heat").type == pa.int64()
    assert field("published").type == pa.bool_()
    assert field("topics").type == pa.list_(pa.string())
    assert field("provider").type == pa.struct(
        [
            ("name", pa.string()),
            ("domain", pa.string()),
            ("images", pa.list_(pa.struct([("height", pa.int64()), ("url", pa.string()),
                                           ("width", pa.int64())]))),
        ]
    )  # fmt: skip
    item = field("related").type.value_type
    assert [item.field(i).name for i in range(item.num_fields)] == [
        "title", "publishedDateTime", "provider", "type", "quality",
        "ampWebUrl", "cdnAmpWebUrl", "excerpt", "images", "webUrl",
    ]  # fmt: skip
    assert item.field("publishedDateTime").type == pa.timestamp("us", tz="UTC")
    assert field("images").type.value_type.field("isCached").type == pa.bool_()
    assert field("body").type == pa.string()
    assert json.loads(schema.metadata[b"newsq.json_columns"]) == []


def test_parquet_values_of_one_seed(seed_index, tmp_path):
    export(seed_index, tmp_path / "news.parquet")
    table = pq.read_table(tmp_path / "news.parquet")
    assert table.column("id").to_pylist() == ALL_IDS
    row = table.slice(0, 1).to_pylist()[0]
    record = seed_index[ID0]
    assert row["publishedDateTime"] == dt.datetime(2020, 6, 11, 20, 54, tzinfo=UTC)
    assert row["provider"] == record["provider"]
    assert (row["quality"], row["heat"], row["published"]) == (89, 99, True)
    assert row["topics"] == ["Computer Vision", "AI"]
    assert row["images"] == record["images"]
    assert row["secured"] == record["secured"]
    assert row["body"] is None
    (article,) = row["related"]
    assert article["publishedDateTime"] == dt.datetime(2020, 6, 11, 14, 12, tzinfo=UTC)
    assert article["provider"] == {"name": "HotNewHipHop", "domain": "hotnewhiphop.com"}
    item = record["related"][0]
    assert {k: article[k] for k in item if k != "publishedDateTime"} == {
        k: v for k, v in item.items() if k != "publishedDateTime"
    }


def test_fields_whose_types_vary_are_json_text(write_corpus, tmp_path):
    root = write_corpus(
        {
            "a.md": "---\ntitle: A\nextra: 1\nmeta: {a: 1, b: [x]}\nrank: 3\nhuge: 1\n"
            "quality: 2.5\n---\n",
            "b.md": "---\ntitle: B\nextra: text\nmeta: {a: two}\nrank: 4.5\n"
            "huge: 99999999999999999999\nquality: 3\n---\n",
        }
    )
    with newsq.load([root]) as index:
        export(index, tmp_path / "odd.parquet")
    table = pq.read_table(tmp_path / "odd.parquet")
    schema = table.schema
    assert schema.field("extra").type == pa.string()
    assert schema.field("meta").type == pa.struct(
        [("a", pa.string()), ("b", pa.list_(pa.string()))]
    )
    assert schema.field("rank").type == pa.float64()
    assert schema.field("quality").type == pa.float64()
    assert json.loads(schema.metadata[b"newsq.json_columns"]) == ["extra", "meta.a"]
    rows = table.select(["id", "extra", "meta", "rank", "huge", "quality"]).to_pylist()
    assert rows == [
        {"id": "a", "extra": "1", "meta": {"a": "1", "b": ["x"]}, "rank": 3.0, "huge": 1,
         "quality": 2.5},
        # An integer past int64 does not fit its column: null there (JSON lines keep it).
        {"id": "b", "extra": '"text"', "meta": {"a": '"two"', "b": None}, "rank": 4.5,
         "huge": None, "quality": 3.0},
    ]  # fmt: skip


def test_an_export_of_no_document_has_the_schema_and_no_rows(seed_index, tmp_path):
    where = newsq.Filter.build(topic="no such topic")
    done = export(seed_index, tmp_path / "none.parquet", where=where)
    assert (done.documents, done.files) == (0, 1)
    table = pq.read_table(tmp_path / "none.parquet")
    assert table.num_rows == 0
    assert table.schema.field("publishedDateTime").type == pa.timestamp("us", tz="UTC")


def test_row_groups_are_bounded(seed_index, tmp_path, monkeypatch):
    from newsq.export import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP", 2)
    monkeypatch.setattr(parquet, "BATCH", 1)
    export(seed_index, tmp_path / "news.parquet")
    metadata = pq.ParquetFile(tmp_path / "news.parquet").metadata
    groups = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert groups == [2, 2, 1]
    assert pq.read_table(tmp_path / "news.parquet").column("id").to_pylist() == ALL_IDS


# --- DuckDB reads it as newsq counts ---------------------------------------------------------


def _duckdb_agrees_with_newsq(index: newsq.Index, path: str) -> None:
    """DuckDB's counts, dates, topics, providers and related coverage over the export at `path`
    equal the index's own."""
    entries = {e.id: e for e in index}
    assert query(f"SELECT count(*) FROM {path}") == [(len(entries),)]
    dates = dict(query(f"SELECT id, publishedDateTime FROM {path}"))
    assert dates == {i: e.date for i, e in entries.items()}
    topics = dict(query(f"SELECT id, topics FROM {path}"))
    assert topics == {i: list(e.topics) for i, e in entries.items()}
    # (a document without a provider has a null struct: newsq counts no provider for it)
    providers = query(
        f"SELECT provider.name, provider.domain, count(*) FROM {path} "
        "WHERE provider IS NOT NULL GROUP BY ALL"
    )
    assert sorted(providers, key=repr) == sorted(
        ((p.name, p.domain, p.count) for p in index.providers()), key=repr
    )
    # (no related list is a null list: none of it)
    related = query(f"SELECT id, coalesce(len(related), 0) FROM {path}")
    assert dict(related) == {i: e.related for i, e in entries.items()}
    articles = query(
        f"SELECT id || '#' || n, r.publishedDateTime, r.title, r.provider.name, r.quality "
        f"FROM (SELECT id, unnest(related) AS r, generate_subscripts(related, 1) AS n FROM {path}) "
        "WHERE r IS NOT NULL"
    )
    expected = [
        (a.id, a.date, a.title or None, a.provider_name, a.quality)
        for i in entries
        for a in index.related(i)
    ]
    assert sorted(articles, key=repr) == sorted(expected, key=repr)
    stats = index.stats().to_json()
    first, last, dated = query(
        f"SELECT min(publishedDateTime), max(publishedDateTime), count(publishedDateTime) "
        f"FROM {path}"
    )[0]
    assert dated == stats["dated"]
    if dated:
        assert first.strftime("%Y-%m-%dT%H:%M:%SZ") == stats["first"]
        assert last.strftime("%Y-%m-%dT%H:%M:%SZ") == stats["last"]


def test_duckdb_reads_the_seeds_export_as_newsq_counts(seed_index, tmp_path):
    export(seed_index, tmp_path / "news.parquet")
    _duckdb_agrees_with_newsq(seed_index, f"'{tmp_path / 'news.parquet'}'")
    per_month = query(
        f"SELECT strftime(publishedDateTime, '%Y-%m'), count(*) FROM '{tmp_path / 'news.parquet'}'"
        " GROUP BY 1 ORDER BY 1"
    )
    assert per_month == [("2020-06", 4), ("2020-07", 1)]


def test_duckdb_reads_the_real_corpus_export_as_newsq_counts(real_corpus, tmp_path):
    with newsq.load([real_corpus]) as index:
        done = export(index, tmp_path / "real.parquet")
        assert done.documents == len(index) == 73
        _duckdb_agrees_with_newsq(index, f"'{tmp_path / 'real.parquet'}'")
        # Fields only some documents have are typed from theirs: a struct, a list of text.
        records = {r["id"]: r for r in index.records(e.id for e in index)}
    path = tmp_path / "real.parquet"
    schema = pq.read_schema(path)
    assert schema.field("ratings").type == pa.struct(
        [("average", pa.float64()), ("count", pa.int64())]
    )
    assert schema.field("levels").type == pa.list_(pa.string())
    ratings = query(
        f"SELECT id, ratings.average, ratings.count FROM '{path}' WHERE ratings IS NOT NULL"
    )
    assert sorted(ratings) == sorted(
        (i, float(r["ratings"]["average"]), r["ratings"]["count"])
        for i, r in records.items()
        if "ratings" in r
    )
    assert len(ratings) == 7
    levels = dict(query(f"SELECT id, levels FROM '{path}' WHERE levels IS NOT NULL"))
    assert levels == {i: r["levels"] for i, r in records.items() if "levels" in r}


def test_pyarrow_datasets_read_the_same_rows(seed_index, tmp_path):
    export(seed_index, tmp_path / "news.parquet")
    table = ds.dataset(tmp_path / "news.parquet").to_table(columns=["id", "quality"])
    assert dict(zip(*table.to_pydict().values(), strict=True)) == {
        ID0: 89, ID1: 27, ID2: 37, ID3: 6, ID4: 87
    }  # fmt: skip


# --- partitions --------------------------------------------------------------------------


def test_partitioned_by_month_round_trips(seed_index, tmp_path):
    done = export(seed_index, tmp_path / "news", format="parquet", partition_by="month")
    assert (done.documents, done.files) == (5, 2)
    assert files_under(tmp_path / "news") == [
        "date_month=2020-06",
        "date_month=2020-06/part-0.parquet",
        "date_month=2020-07",
        "date_month=2020-07/part-0.parquet",
    ]
    glob = f"'{tmp_path / 'news'}/*/*.parquet'"
    assert query(f"SELECT date_month, count(*) FROM {glob} GROUP BY 1 ORDER BY 1") == [
        ("2020-06", 4),
        ("2020-07", 1),
    ]
    stats = seed_index.stats(by="month")
    assert [(p.period, p.count) for p in stats.periods] == [("2020-06", 4), ("2020-07", 1)]
    _duckdb_agrees_with_newsq(seed_index, glob)
    # pyarrow reads the partition back as a column too.
    table = ds.dataset(tmp_path / "news", format="parquet", partitioning="hive").to_table()
    assert sorted(zip(*table.select(["id", "date_month"]).to_pydict().values(), strict=True)) == [
        (ID0, "2020-06"), (ID1, "2020-06"), (ID2, "2020-06"), (ID3, "2020-07"), (ID4, "2020-06"),
    ]  # fmt: skip
    # DuckDB reads only the partition a query asks for.
    plan = query(f"EXPLAIN ANALYZE SELECT count(*) FROM {glob} WHERE date_month = '2020-07'")
    assert "Scanning Files: 1/2" in plan[0][1]


def test_partitioned_by_year_and_by_provider(seed_index, tmp_path):
    export(seed_index, tmp_path / "years", format="parquet", partition_by="year")
    assert [p for p in files_under(tmp_path / "years") if "/" not in p] == ["date_year=2020"]
    export(seed_index, tmp_path / "outlets", format="parquet", partition_by="provider")
    folders = [p for p in files_under(tmp_path / "outlets") if "/" not in p]
    assert folders == [
        "provider_domain=fastcompany.com",
        "provider_domain=forbes.com",
        "provider_domain=localnews8.com",
        "provider_domain=qz.com",
        "provider_domain=washingtonpost.com",
    ]
    glob = f"'{tmp_path / 'outlets'}/*/*.parquet'"
    assert query(f"SELECT id FROM {glob} WHERE provider_domain = 'qz.com'") == [(ID4,)]


def test_documents_without_the_value_go_to_the_default_partition(write_corpus, tmp_path):
    root = write_corpus(
        {
            "dated.md": "---\ntitle: Dated\npublishedDateTime: 2021-05-01\n"
            "provider: {name: A/B, domain: 'a b/c.example'}\n---\n",
            "undated.md": "---\ntitle: Undated\n---\n",
        }
    )
    with newsq.load([root]) as index:
        export(index, tmp_path / "m", format="parquet", partition_by="month")
        export(index, tmp_path / "p", format="parquet", partition_by="provider")
    assert [p for p in files_under(tmp_path / "m") if "/" not in p] == [
        "date_month=2021-05",
        "date_month=__HIVE_DEFAULT_PARTITION__",
    ]
    assert query(f"SELECT id, date_month FROM '{tmp_path / 'm'}/*/*.parquet' ORDER BY id") == [
        ("dated", "2021-05"),
        ("undated", None),
    ]
    # A value that is no safe folder name is percent-encoded, and read back as it was.
    assert [p for p in files_under(tmp_path / "p") if "/" not in p] == [
        "provider_domain=__HIVE_DEFAULT_PARTITION__",
        "provider_domain=a%20b%2Fc.example",
    ]
    found = query(f"SELECT id, provider_domain FROM '{tmp_path / 'p'}/*/*.parquet' ORDER BY id")
    assert found == [("dated", "a b/c.example"), ("undated", None)]


# --- SQLite -----------------------------------------------------------------------------


SAME_SQL = [
    "SELECT * FROM documents ORDER BY id",
    "SELECT * FROM topics ORDER BY document, position",
    "SELECT * FROM related ORDER BY document, position",
    "SELECT * FROM images ORDER BY document, position",
    "SELECT kind, id, document, score, snippet FROM search WHERE search MATCH 'police' "
    "ORDER BY score DESC, id",
    "SELECT provider_name, count(*), avg(quality) FROM documents GROUP BY 1 ORDER BY 1",
]


def test_the_sqlite_export_answers_the_same_sql(seed_index, tmp_path):
    done = export(seed_index, tmp_path / "news.sqlite")
    assert (done.format, done.documents, done.files) == ("sqlite", 5, 1)
    exported = sqlite3.connect(tmp_path / "news.sqlite")
    for sql in SAME_SQL:
        with seed_index.sql(sql) as result:
            assert exported.execute(sql).fetchall() == list(result), sql
    tables = exported.execute(
        "SELECT name, type FROM sqlite_master WHERE name IN "
        "('documents', 'topics', 'related', 'images', 'search', 'search_words') ORDER BY name"
    ).fetchall()
    assert tables == [
        ("documents", "table"), ("images", "table"), ("related", "table"),
        ("search", "view"), ("search_words", "table"), ("topics", "table"),
    ]  # fmt: skip


def test_the_sqlite_export_under_a_filter(seed_index, tmp_path):
    where = newsq.Filter.build(topic="Natural Language Processing")
    export(seed_index, tmp_path / "nlp.sqlite", where=where)
    exported = sqlite3.connect(tmp_path / "nlp.sqlite")
    for sql in SAME_SQL[:4]:
        with seed_index.sql(sql, where) as result:
            assert exported.execute(sql).fetchall() == list(result), sql
    found = exported.execute("SELECT DISTINCT document FROM search WHERE search MATCH 'amazon'")
    assert found.fetchall() == [(ID3,)]


# --- where an export may go -------------------------------------------------------------------


def test_cli_exports_and_says_what(cli, tmp_path):
    target = tmp_path / "news.parquet"
    result = cli("export", target)
    assert result.exit_code == 0, result.stderr
    size = target.stat().st_size / 1000
    assert result.stderr == f"newsq: exported 5 documents to {target} (parquet, {size:.1f} kB)\n"
    assert result.stdout == ""


def test_cli_format_option_and_filters(cli, tmp_path):
    result = cli("export", tmp_path / "out.data", "--format", "jsonl", "--topic", "ai", "-q")
    assert (result.exit_code, result.stderr) == (0, "")
    assert len((tmp_path / "out.data").read_text().splitlines()) == 5


def test_an_existing_path_needs_force(cli, tmp_path):
    target = tmp_path / "news.jsonl"
    target.write_text("mine\n")
    result = cli("export", target)
    assert result.exit_code == 2
    assert "exists; --force replaces it" in said(result)
    assert target.read_text() == "mine\n"
    result = cli("export", target, "--force")
    assert result.exit_code == 0, result.stderr
    assert len(target.read_text().splitlines()) == 5
    assert files_under(tmp_path) == ["news.jsonl"]


def test_force_replaces_an_earlier_partitioned_export_only(cli, tmp_path):
    parts = tmp_path / "parts"
    args = ("export", parts, "--format", "parquet", "--partition-by", "year")
    assert cli(*args).exit_code == 0
    assert cli(*args).exit_code == 2
    assert cli(*args, "--force").exit_code == 0
    assert files_under(tmp_path) == [
        "parts",
        "parts/date_year=2020",
        "parts/date_year=2020/part-0.parquet",
    ]
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"meow")
    result = cli("export", other, "--format", "parquet", "--partition-by", "year", "--force")
    assert result.exit_code == 2
    assert "not a partitioned export" in said(result)
    assert (other / "cat.jpg").read_bytes() == b"meow"
    result = cli("export", other, "--format", "jsonl", "--force")
    assert result.exit_code == 2
    assert "is a folder" in said(result)


@pytest.mark.parametrize("inside", ["out.parquet", "sub/out.parquet", "."])
def test_never_inside_the_data_folder(cli, write_corpus, inside):
    root = write_corpus({"a.md": "---\ntitle: A\n---\n", "sub/b.md": "---\ntitle: B\n---\n"})
    before = files_under(root)
    result = cli("export", root / inside, "--data", root, "--format", "parquet", "--force")
    assert result.exit_code == 2
    assert "inside the data folder" in said(result)
    assert files_under(root) == before


def test_never_inside_the_data_folder_through_a_link(cli, write_corpus, tmp_path):
    root = write_corpus({"a.md": "---\ntitle: A\n---\n"})
    link = tmp_path / "link"
    link.symlink_to(root, target_is_directory=True)
    result = cli("export", link / "out.jsonl", "--data", root)
    assert result.exit_code == 2
    assert "inside the data folder" in said(result)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["news.csv"], "say which format"),
        (["news.jsonl", "--partition-by", "month"], "only Parquet exports are partitioned"),
        (["missing/news.jsonl"], "does not exist"),
        (["news.parquet", "--format", "xml"], "xml"),
        (["-", "--format", "jsonl"], "an export is written to a file"),
    ],
)
def test_usage_errors(cli, tmp_path, args, says, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("export", args[0], *args[1:])
    assert result.exit_code == 2
    assert says in said(result)
    assert files_under(tmp_path) == []


def test_a_missing_pyarrow_says_how_to_install_it(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = cli("export", tmp_path / "news.parquet")
    assert result.exit_code == 2
    assert "pip install 'newsq[parquet]'" in said(result)
    assert files_under(tmp_path) == []
    with pytest.raises(ExportError, match="pyarrow"):
        export(newsq.load(), tmp_path / "news.parquet")
    # JSON lines and SQLite need nothing more.
    assert cli("export", tmp_path / "news.jsonl").exit_code == 0


@pytest.mark.parametrize("partition_by", [None, "month"])
def test_an_interrupted_export_leaves_nothing(seed_index, tmp_path, monkeypatch, partition_by):
    from newsq.export import parquet

    calls = []
    batch = parquet._batch

    def interrupted(*args: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return batch(*args)

    monkeypatch.setattr(parquet, "BATCH", 1)
    monkeypatch.setattr(parquet, "_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(seed_index, tmp_path / "news.parquet", partition_by=partition_by)
    assert files_under(tmp_path) == []


def test_a_full_disk_is_one_line_and_exit_1(cli, tmp_path, monkeypatch):
    from newsq.export import jsonl

    def full(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonl, "write", full)
    result = cli("export", tmp_path / "news.jsonl")
    assert result.exit_code == 1
    assert (
        result.stderr == f"newsq: cannot write {tmp_path / 'news.jsonl'}: no space left on device\n"
    )
    assert files_under(tmp_path) == []


def test_the_export_path_may_be_relative(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("export", "news.sqlite", "-q").exit_code == 0
    assert os.listdir(tmp_path) == ["news.sqlite"]
