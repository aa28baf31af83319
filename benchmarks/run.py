"""Time newsq against ripgrep and a naive PyYAML script on generated corpora.

    python benchmarks/run.py --sizes 1000,10000 [--work /tmp/newsq-bench] [--repeat 5]

Run it with the Python that has newsq installed (its `newsq` script is looked
for beside that Python, then on PATH). Corpora are generated once into --work
and reused while the generator and its settings are unchanged. Every command
runs once untimed (to warm the page cache and write bytecode), then --repeat
times; the table shows the median and range of the wall times and the largest
peak RSS.
See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from generate import BENCH_TOPIC, SEARCH_QUERY, generate

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
NAIVE = HERE / "naive.py"
RG_MISSING = "ripgrep missing (Debian package ripgrep)"


@dataclass
class Row:
    """One measured command: its runs, and the output of the untimed first run."""

    size: str
    label: str
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    output: bytes = b""
    baseline: Row | None = None
    baseline_name: str = ""
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mib(self) -> float:
        return max(self.rss_kib) / 1024


# --- running one command -------------------------------------------------------


class Runner:
    """Runs a command and measures its wall time and its peak resident memory."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.gnu_time = _gnu_time()

    def once(
        self, command: Sequence[str], ok_codes: tuple[int, ...] = (0,)
    ) -> tuple[float, int, bytes]:
        """Run `command` once: (seconds, peak RSS in KiB, stdout)."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            if self.gnu_time:
                seconds, code, rss = self._with_gnu_time(command, out, err)
            else:
                seconds, code, rss = self._with_wait4(command, out, err)
            if code not in ok_codes:
                err.seek(0)
                message = err.read().decode("utf-8", "replace")[-2000:]
                raise RuntimeError(f"{' '.join(command)} exited {code}:\n{message}")
            out.seek(0)
            return seconds, rss, out.read()

    def _with_gnu_time(
        self, command: Sequence[str], out: IO[bytes], err: IO[bytes]
    ) -> tuple[float, int, int]:
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
            wrapped = ["/usr/bin/time", "-f", "%M", "-o", report.name, *command]
            started = time.perf_counter()
            done = subprocess.run(wrapped, stdout=out, stderr=err, env=self.env, check=False)
            seconds = time.perf_counter() - started
            lines = [line for line in report.read().splitlines() if line.strip()]
        # GNU time writes "Command exited with non-zero status N" before the number.
        return seconds, done.returncode, int(lines[-1])

    def _with_wait4(
        self, command: Sequence[str], out: IO[bytes], err: IO[bytes]
    ) -> tuple[float, int, int]:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=self.env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)  # bytes on macOS
        return seconds, code, rss

    def measure(
        self,
        row: Row,
        command: Sequence[str],
        repeat: int,
        ok_codes: tuple[int, ...] = (0,),
    ) -> Row:
        print(f"  {row.size:>7}  {row.label}", end="", file=sys.stderr, flush=True)
        _, _, row.output = self.once(command, ok_codes)  # warm-up, untimed
        for _ in range(repeat):
            seconds, rss, _ = self.once(command, ok_codes)
            row.seconds.append(seconds)
            row.rss_kib.append(rss)
            print(".", end="", file=sys.stderr, flush=True)
        print(f" {row.median:.3f} s", file=sys.stderr)
        return row


def _gnu_time() -> bool:
    """Whether /usr/bin/time is GNU time (it takes `-f %M`); else os.wait4 is used."""
    if not os.access("/usr/bin/time", os.X_OK):
        return False
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "true"], capture_output=True, text=True, check=False
        )
    except OSError:
        return False
    return done.returncode == 0 and done.stderr.strip().isdigit()


def child_env(work: Path) -> dict[str, str]:
    """The environment commands run in: bytecode cached (outside the source tree), no NEWSQ_DATA.

    Installed packages come with their bytecode; an editable checkout run with
    PYTHONDONTWRITEBYTECODE would recompile newsq on every start, which is not
    what users see.
    """
    env = {
        k: v for k, v in os.environ.items() if k not in ("NEWSQ_DATA", "PYTHONDONTWRITEBYTECODE")
    }
    env.setdefault("PYTHONPYCACHEPREFIX", str(work / "pycache"))
    return env


# --- corpora ----------------------------------------------------------------------


def corpus(work: Path, size: int, seed: int) -> Path:
    """The generated corpus of `size` documents, reused while it matches the generator."""
    settings = {
        "n": size,
        "seed": seed,
        "bad": max(1, size // 1000),
        "bodies": 0.1,
        "generator": hashlib.sha256(GENERATOR.read_bytes()).hexdigest(),
    }
    folder = work / f"corpus-{size}-seed{seed}"
    stamp = folder.with_suffix(".json")
    if folder.is_dir() and stamp.is_file() and json.loads(stamp.read_text()) == settings:
        return folder
    print(f"generating {size:,} documents in {folder} ...", file=sys.stderr, flush=True)
    for stale in (folder, folder.with_suffix(".tmp")):
        if stale.exists():
            shutil.rmtree(stale)
    stamp.unlink(missing_ok=True)
    started = time.perf_counter()
    generate(
        folder.with_suffix(".tmp"),
        size,
        seed=seed,
        bad=settings["bad"],
        bodies=settings["bodies"],
    )
    folder.with_suffix(".tmp").rename(folder)
    stamp.write_text(json.dumps(settings, indent=2) + "\n")
    print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder


# --- the benchmark ------------------------------------------------------------------


def naive_ids(output: bytes) -> list[str]:
    return [Path(doc["path"]).stem for doc in json.loads(output)]


def newsq_ids(output: bytes) -> list[str]:
    return [doc["id"] for doc in json.loads(output)]


def bench_size(
    runner: Runner, folder: Path, size: int, newsq: str, python: str, repeat: int
) -> tuple[list[Row], str]:
    label = f"{size:,}"
    rows: list[Row] = []
    rg = shutil.which("rg")
    baseline: Row | None = None
    if rg is None:
        rows.append(Row(label, f'`rg -l -F -- "- {BENCH_TOPIC}" DIR`', note=RG_MISSING))
    else:
        baseline = Row(label, f'`rg -l -F -- "- {BENCH_TOPIC}" DIR`')
        rows.append(
            runner.measure(
                baseline, [rg, "-l", "-F", "--", f"- {BENCH_TOPIC}", str(folder)], repeat, (0, 1)
            )
        )

    naive = Row(label, f'`python naive.py DIR "{BENCH_TOPIC}"`')
    runner.measure(naive, [python, str(NAIVE), str(folder), BENCH_TOPIC], repeat)
    listing = Row(label, f'`newsq list --topic "{BENCH_TOPIC}" --limit 20 --format json`')
    runner.measure(
        listing,
        [
            newsq,
            "list",
            "--data",
            str(folder),
            "--topic",
            BENCH_TOPIC,
            "--limit",
            "20",
            "--format",
            "json",
        ],
        repeat,
    )
    search = Row(label, f'`newsq search "{SEARCH_QUERY}" --limit 20 --format json`')
    runner.measure(
        search,
        [newsq, "search", SEARCH_QUERY, "--data", str(folder), "--limit", "20", "--format", "json"],
        repeat,
    )
    for row in (naive, listing, search):
        row.baseline, row.baseline_name = baseline, "rg"
        rows.append(row)

    expected, got = naive_ids(naive.output), newsq_ids(listing.output)
    if expected == got:
        check = f"{label}: newsq list ids equal the naive script's ({len(got)} ids, same order)"
    else:
        check = f"{label}: MISMATCH: naive {expected} vs newsq {got}"
    return rows, check


def bench_startup(runner: Runner, newsq: str, python: str, repeat: int) -> list[Row]:
    typer_import = runner.measure(
        Row("-", '`python -c "import typer"`'), [python, "-c", "import typer"], repeat
    )
    bare = runner.measure(Row("-", "`python -c pass`"), [python, "-c", "pass"], repeat)
    version = runner.measure(Row("-", "`newsq --version`"), [newsq, "--version"], repeat)
    version.baseline, version.baseline_name = typer_import, "typer import"
    return [bare, typer_import, version]


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| size | command | median s | range s | peak RSS MiB | ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row.note:
            lines.append(f"| {row.size} | {row.label} | {row.note} | | | |")
            continue
        ratio = "-"
        if row.baseline is not None:
            ratio = f"{row.median / row.baseline.median:,.1f}x {row.baseline_name}"
        lines.append(
            f"| {row.size} | {row.label} | {row.median:.3f} "
            f"| {min(row.seconds):.3f}..{max(row.seconds):.3f} | {row.peak_mib:.1f} | {ratio} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {os.cpu_count()} CPUs ({cpu}); "
        f"{platform.system()} {platform.release()}; load average {load}"
    )


def find_newsq(python: str) -> str | None:
    beside = Path(python).parent / "newsq"
    return str(beside) if beside.is_file() else shutil.which("newsq")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsq-bench"), help="cache folder")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--python", default=sys.executable, help="Python for naive.py and typer")
    parser.add_argument(
        "--newsq", default=None, help="the newsq command (default: beside --python)"
    )
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: not a list of numbers: {args.sizes!r}")
    if args.repeat < 1 or not sizes or min(sizes) < 1:
        parser.error("--repeat and every size must be at least 1")
    newsq = args.newsq or find_newsq(args.python)
    if newsq is None:
        parser.error("newsq not found; install it or pass --newsq")

    args.work.mkdir(parents=True, exist_ok=True)
    runner = Runner(child_env(args.work))
    started = machine()
    python_version = subprocess.run(
        [args.python, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    memory = "GNU time %M" if runner.gnu_time else "os.wait4 ru_maxrss"

    rows: list[Row] = []
    checks: list[str] = []
    for size in sizes:
        folder = corpus(args.work, size, args.seed)
        size_rows, check = bench_size(runner, folder, size, newsq, args.python, args.repeat)
        rows.extend(size_rows)
        checks.append(check)
    rows.extend(bench_startup(runner, newsq, args.python, args.repeat))

    print(f"Started {started}")
    print(f"Finished {machine()}")
    print(
        f"{python_version}; newsq at {newsq}; peak RSS from {memory}; "
        f"median of {args.repeat} runs after one warm-up."
    )
    print()
    print(table(rows))
    print()
    for check in checks:
        print(f"- {check}")
    return 0 if all("MISMATCH" not in c for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
