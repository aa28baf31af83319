"""Time `newsq export` and `newsq sql`, and DuckDB on the Parquet export against newsq on its
snapshot, on a generated corpus.

    python benchmarks/export.py [--size 100000] [--work /tmp/newsq-bench] [--corpus DIR]
                                [--repeat 3] [--only ROWS]

Run it with the Python that has newsq installed with its Parquet extra and duckdb
(`pip install '.[test]'` has both). The corpus is generated into --work as
`benchmarks/run.py` does (or --corpus names one, read only); its snapshot, the
exports and the DuckDB runs go under --work. Every command runs as a process of
its own, timed whole (interpreter start-up included), with its peak resident
memory as `/usr/bin/time -v` reports it (GNU time; blank without it). An export's
target is removed before each run, untimed. A command runs once untimed, then
--repeat times; the table gives the median and range of the wall times. After the
table, checks that DuckDB's answer over the export is newsq's own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

HAS_TIME = Path("/usr/bin/time").exists()
#: The rows --only can pick.
ROWS = ("export", "partitions", "bounded", "jsonl", "sqlite", "groupby", "sql")
#: The DuckDB query of the README: documents per provider, over the partitioned export.
GROUP_BY = "SELECT provider.name, count(*) FROM '{path}' GROUP BY 1 ORDER BY 2 DESC, 1"


@dataclass
class Row:
    label: str
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    note: str = ""

    def cells(self) -> list[str]:
        if not self.seconds:
            return [self.label, "", "", self.note]
        median = statistics.median(self.seconds)
        spread = f"{min(self.seconds):.2f}-{max(self.seconds):.2f}"
        return [
            self.label,
            f"{median:.2f} s ({spread})",
            f"{max(self.rss_kib) / 1024:,.0f} MiB" if any(self.rss_kib) else "",
            self.note,
        ]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
    """Run `command`; its wall time, peak RSS (KiB) and stdout. Fails loudly on an error.

    The peak is GNU time's (`/usr/bin/time -f %M`, the figure `/usr/bin/time -v` calls
    "Maximum resident set size"): a child forked from this runner would count the
    runner's own memory until it execs, and this runner holds pyarrow and DuckDB.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        prefix = ["/usr/bin/time", "-f", "%M", "-o", rss.name] if HAS_TIME else []
        started = time.perf_counter()
        process = subprocess.run(prefix + command, capture_output=True, env=env)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(
                f"{' '.join(command)} failed ({process.returncode}):\n{process.stderr.decode()}"
            )
        peak = int(rss.read().strip().splitlines()[-1]) if HAS_TIME else 0
    return seconds, peak, process.stdout


def measure(
    label: str,
    command: list[str],
    env: dict[str, str],
    repeat: int,
    before: object = None,
) -> tuple[Row, bytes]:
    """`command` run once untimed, then `repeat` times; `before()` runs before each run."""
    row = Row(label)
    output = b""
    for run in range(repeat + 1):
        if callable(before):
            before()
        seconds, rss, out = timed(command, env)
        if run == 0:
            output = out
            continue
        row.seconds.append(seconds)
        row.rss_kib.append(rss)
    print(f"  {label}: {statistics.median(row.seconds):.2f} s", file=sys.stderr, flush=True)
    return row, output


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mb(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


def clear(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="documents (default 100,000)")
    parser.add_argument("--work", default="/tmp/newsq-bench", help="working folder")
    parser.add_argument("--corpus", help="an existing corpus folder to read instead")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command")
    parser.add_argument("--only", default=",".join(ROWS), help=f"rows: {','.join(ROWS)}")
    parser.add_argument("--newsq", help="the newsq command (default: beside this Python)")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.corpus:
        data = Path(args.corpus)
    else:
        from run import corpus

        data = corpus(work, args.size, 0)
    newsq = args.newsq or str(Path(sys.executable).parent / "newsq")
    out = work / "export"
    out.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "NEWSQ_DATA"}
    env["XDG_CACHE_HOME"] = str(work / "export-cache")
    corpus_bytes = size_of(data)
    documents = sum(1 for _ in data.iterdir())

    def cmd(name: str, *rest: str) -> list[str]:
        return [newsq, name, "--data", str(data), *rest]

    print(f"priming the snapshot of {data} ...", file=sys.stderr, flush=True)
    timed(cmd("stats", "--json"), env)
    rows: list[Row] = []
    notes: list[str] = []
    parquet = out / "news.parquet"
    parts = out / "news"

    if "export" in only:
        row, _ = measure(
            "`newsq export news.parquet`",
            cmd("export", str(parquet), "-q"),
            env,
            args.repeat,
            before=lambda: clear(parquet),
        )
        row.note = f"{mb(size_of(parquet))} ({size_of(parquet) / corpus_bytes:.1%} of the corpus)"
        rows.append(row)
    if "partitions" in only:
        row, _ = measure(
            "`newsq export news --format parquet --partition-by month`",
            cmd("export", str(parts), "-f", "parquet", "--partition-by", "month", "-q"),
            env,
            args.repeat,
            before=lambda: clear(parts),
        )
        files = sum(1 for _ in parts.rglob("*.parquet"))
        row.note = f"{mb(size_of(parts))} in {files} files"
        rows.append(row)
    if "bounded" in only:
        # A tenth of the corpus, by date: memory should be the same as the whole (bounded by a
        # row group), time a tenth.
        subset = out / "subset.parquet"
        row, _ = measure(
            "`newsq export subset.parquet --since 2024-05-01` (a tenth, by date)",
            cmd("export", str(subset), "--since", "2024-05-01", "-q"),
            env,
            args.repeat,
            before=lambda: clear(subset),
        )
        import pyarrow.parquet as pq

        row.note = f"{pq.ParquetFile(subset).metadata.num_rows:,} documents, {mb(size_of(subset))}"
        rows.append(row)
    if "jsonl" in only:
        jsonl = out / "news.jsonl"
        row, _ = measure(
            "`newsq export news.jsonl`",
            cmd("export", str(jsonl), "-q"),
            env,
            args.repeat,
            before=lambda: clear(jsonl),
        )
        row.note = mb(size_of(jsonl))
        rows.append(row)
    if "sqlite" in only:
        database = out / "news.sqlite"
        row, _ = measure(
            "`newsq export news.sqlite`",
            cmd("export", str(database), "-q"),
            env,
            args.repeat,
            before=lambda: clear(database),
        )
        row.note = mb(size_of(database))
        rows.append(row)
    if "groupby" in only:
        if not parts.exists():
            timed(cmd("export", str(parts), "-f", "parquet", "--partition-by", "month"), env)
        if not parquet.exists():
            timed(cmd("export", str(parquet)), env)
        stats_row, stats_out = measure(
            "`newsq stats --json` (the snapshot, warm)", cmd("stats", "--json"), env, args.repeat
        )
        rows.append(stats_row)
        for label, path in (
            ("partitioned export", f"{parts}/*/*.parquet"),
            ("one-file export", str(parquet)),
        ):
            script = (
                "import duckdb, json, sys; "
                f"print(json.dumps(duckdb.sql({GROUP_BY.format(path=path)!r}).fetchall()))"
            )
            row, duck_out = measure(
                f"DuckDB `SELECT provider.name, count(*) … GROUP BY 1` ({label}, whole process)",
                [sys.executable, "-c", script],
                env,
                args.repeat,
            )
            rows.append(row)
            ducked = {name: count for name, count in json.loads(duck_out)}
            top = json.loads(stats_out)["providers"]
            agree = all(ducked.get(p["name"]) == p["count"] for p in top)
            notes.append(
                f"DuckDB over the {label}: {len(ducked):,} providers; newsq stats' top "
                f"{len(top)} {'all' if agree else 'NOT all'} equal ({top[0]['name']} "
                f"{top[0]['count']:,}, DuckDB {ducked.get(top[0]['name']):,})"
            )
            import duckdb

            connection = duckdb.connect()
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                connection.sql(GROUP_BY.format(path=path)).fetchall()
                runs.append(time.perf_counter() - started)
            notes.append(
                f"the same query inside one DuckDB session ({label}): "
                f"{statistics.median(runs) * 1000:.0f} ms median of 5"
            )
    if "sql" in only:
        query = "SELECT provider_name, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1"
        row, _ = measure(
            f"`newsq sql '{query}'` (warm)", cmd("sql", query, "--format", "csv"), env, args.repeat
        )
        rows.append(row)

    header = ["command", "time", "peak RSS", "output"]
    snapshot = max(Path(env["XDG_CACHE_HOME"], "newsq").glob("*.sqlite"), key=size_of)
    print(
        f"{documents:,} files, {mb(corpus_bytes)} ({data}); snapshot {mb(size_of(snapshot))}; "
        f"{args.repeat} timed runs each\n"
    )
    print("| " + " | ".join(header) + " |")
    print("| --- | ---: | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")
    if notes:
        print()
        for note in notes:
            print(f"- {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
