"""Time newsq against ripgrep and a naive PyYAML script on generated corpora.

    python benchmarks/run.py [--sizes 1000,10000,20000,100000] [--work /tmp/newsq-bench]
                             [--repeat 5] [--repeat-slow 1] [--only ROWS]

Run it with the Python that has newsq installed (its `newsq` script is looked
for beside that Python, then on PATH). Corpora are generated once into --work
and reused while the generator and its settings are unchanged. Each size has
rows for rg, naive.py and newsq: `list` cold (an empty snapshot folder for
every run), warm and after 10 files changed, `search` warm, and `list
--no-cache`. A command runs once untimed (to warm the page cache and write
bytecode), then --repeat times, or --repeat-slow times when that first run
took over 10 s; cold rows have no untimed run. The table shows the median and
range of the wall times, the peak RSS, the ratio to each row's baseline and
whether the targets set for newsq are met; checks that the outputs agree
follow it. See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

from generate import BENCH_TOPIC, SEARCH_QUERY, generate

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
NAIVE = HERE / "naive.py"
RG_MISSING = "ripgrep missing (Debian package ripgrep)"
NO_CACHE_MISSING = "skipped: `newsq list --help` does not mention --no-cache"

#: A command whose untimed first run takes longer than this is timed --repeat-slow times.
SLOW_SECONDS = 10.0
#: How many files the incremental row changes before each run.
EDITED_FILES = 10
#: The line the incremental row appends to a document's Markdown body, and takes off again.
EDIT_LINE = b"\nEdited by benchmarks/run.py, which takes this line off again.\n"
#: Seconds between two samples of the memory of a command's whole process tree.
TREE_INTERVAL = 0.05
#: The rows --only can pick.
ROW_KINDS = (
    "rg", "naive", "cold", "warm", "search", "exact", "typo", "question", "stories", "all",
    "incremental", "nocache", "startup",
)  # fmt: skip
#: The size the issue sets most targets at, and the one it sets the cold target at.
TARGET_SIZE = 100_000
COLD_TARGET_SIZE = 20_000

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
EnvSetup = Callable[[], contextlib.AbstractContextManager[dict[str, str]]]


@dataclass
class Row:
    """One measured command: its runs, and the output of its first run."""

    size: str
    label: str
    kind: str = ""
    n: int | None = None
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    tree_kib: list[int] = field(default_factory=list)
    written: list[int] = field(default_factory=list)  # bytes written to disk, per run
    output: bytes = b""
    varied: bool = False  # a run printed something other than the first run did
    unordered: bool = False  # outputs are the same when they have the same lines
    baseline: Row | None = None
    baseline_name: str = ""
    note: str = ""

    @property
    def measured(self) -> bool:
        return bool(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mib(self) -> float:
        return max(self.rss_kib) / 1024

    @property
    def tree_mib(self) -> float:
        return max(self.tree_kib) / 1024

    @property
    def ratio(self) -> float | None:
        if not self.measured or self.baseline is None or not self.baseline.measured:
            return None
        return self.median / self.baseline.median


@dataclass(frozen=True)
class Target:
    """A limit the issue sets for one kind of row: a ratio to its baseline, or memory."""

    kind: str
    what: str
    size: int | None  # the corpus size it is set at; None for start-up
    limit: float
    rss: bool = False  # the limit is MiB of peak memory (whole process tree), not a ratio

    def applies(self, row: Row) -> bool:
        return row.kind == self.kind and (self.size is None or row.n == self.size)

    def value(self, row: Row) -> float | None:
        if not row.measured:
            return None
        return row.tree_mib if self.rss else row.ratio

    def cell(self, row: Row) -> str:
        """The target column's text for `row`, e.g. `<= 1.0x rg: met`."""
        value = self.value(row)
        limit = f"<= {self.limit:,.0f} MiB" if self.rss else f"<= {self.limit}x {row.baseline_name}"
        if value is None:
            return f"{limit}: no baseline"
        return f"{limit}: {'met' if value <= self.limit else 'NOT met'}"

    def summary(self, rows: Sequence[Row]) -> str:
        """One line for the list of targets under the table."""
        at = "" if self.size is None else f" at {self.size:,} documents"
        found = [row for row in rows if self.applies(row)]
        if not found:
            why = "size not in --sizes, or row not in --only" if self.size else "not in --only"
            return f"{self.what}{at}: not measured ({why})"
        values = [self.value(row) for row in found]
        if None in values:
            return f"{self.what}{at}: not measured (no baseline)"
        value = max(v for v in values if v is not None)  # (rows of one kind: the worst)
        shown = f"{value:,.1f} MiB" if self.rss else f"{value:,.2f}x"
        return f"{self.what}{at}: {shown}, {'met' if value <= self.limit else 'NOT met'}"


TARGETS = (
    Target("warm", "warm `newsq list` <= 1.0x rg", TARGET_SIZE, 1.0),
    Target("search", "warm `newsq search` <= 1.0x rg", TARGET_SIZE, 1.0),
    Target("exact", "warm `newsq search --exact` <= 1.0x rg", TARGET_SIZE, 1.0),
    Target("typo", "a misspelt `newsq search` <= 1.5x the one spelt right", TARGET_SIZE, 1.5),
    Target("stories", "warm `newsq stories` <= 1.0x rg", TARGET_SIZE, 1.0),
    Target("cold", "cold `newsq list` <= 0.5x naive.py", COLD_TARGET_SIZE, 0.5),
    Target("incremental", "`newsq list` after 10 files changed <= 1.5x warm", TARGET_SIZE, 1.5),
    Target("version", "`newsq --version` <= 1.3x `import typer`", None, 1.3),
    Target("warm", "warm `newsq list` peak RSS <= 300 MiB", TARGET_SIZE, 300, rss=True),
    Target("search", "warm `newsq search` peak RSS <= 300 MiB", TARGET_SIZE, 300, rss=True),
    Target("typo", "a misspelt `newsq search` peak RSS <= 300 MiB", TARGET_SIZE, 300, rss=True),
    Target("stories", "warm `newsq stories` peak RSS <= 300 MiB", TARGET_SIZE, 300, rss=True),
    Target("all", "every result, written as read: peak RSS <= 300 MiB", TARGET_SIZE, 300, rss=True),
    Target(
        "incremental", "`newsq list` after 10 changes: RSS <= 300 MiB", TARGET_SIZE, 300, rss=True
    ),
    Target("cold", "cold `newsq list` peak RSS <= 1 GiB", TARGET_SIZE, 1024, rss=True),
)


# --- running one command -------------------------------------------------------


class Run(NamedTuple):
    seconds: float
    rss_kib: int  # the largest single process, as GNU time or wait4 reports it
    tree_kib: int  # the process and all its descendants together, sampled
    output: bytes
    written: int = 0  # bytes the process and the children it waited for wrote to disk


class TreeMemory:
    """Samples the summed RSS of a session's processes every TREE_INTERVAL seconds.

    The command runs in a session of its own, so every process it starts (worker
    processes too) has the session id of the first. Only processes with a pid at
    least that of the first are read: later ones get higher pids. Pages that
    processes share count once per process, so the sum errs high; a peak shorter
    than the interval can be missed. Without /proc nothing is sampled.
    """

    def __init__(self, session: int, skip_leader: bool) -> None:
        self.session = session
        self.skip_leader = skip_leader  # GNU time leads the session; count only its child
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeMemory:
        if os.path.isdir("/proc"):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, self.sample())
            if self._stop.wait(TREE_INTERVAL):
                return

    def sample(self) -> int:
        """The KiB resident in the session's processes right now."""
        pages = 0
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) < self.session:
                continue
            if self.skip_leader and int(name) == self.session:
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:  # gone already
                continue
            fields = stat[stat.rindex(b")") + 2 :].split()  # after "pid (comm) "
            if int(fields[3]) == self.session:  # field 6, the session id
                pages += int(fields[21])  # field 24, rss in pages
        return pages * PAGE_KIB


class Runner:
    """Runs commands and measures their wall time and peak resident memory."""

    def __init__(self, env: dict[str, str], repeat: int, repeat_slow: int) -> None:
        self.env = env
        self.repeat = repeat
        self.repeat_slow = repeat_slow
        self.gnu_time = _gnu_time()

    def once(
        self,
        command: Sequence[str],
        ok_codes: tuple[int, ...] = (0,),
        env: dict[str, str] | None = None,
    ) -> Run:
        """Run `command` once, with `env` added to the environment."""
        full_env = {**self.env, **(env or {})}
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            if self.gnu_time:
                seconds, code, rss, tree, written = self._with_gnu_time(command, out, err, full_env)
            else:
                seconds, code, rss, tree, written = self._with_wait4(command, out, err, full_env)
            if code not in ok_codes:
                err.seek(0)
                message = err.read().decode("utf-8", "replace")[-2000:]
                raise RuntimeError(f"{' '.join(command)} exited {code}:\n{message}")
            out.seek(0)
            return Run(seconds, rss, max(tree, rss), out.read(), written)

    def _start(
        self, command: Sequence[str], out: IO[bytes], err: IO[bytes], env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,  # for TreeMemory, and to stop it whole on Ctrl-C
        )

    def _with_gnu_time(
        self, command: Sequence[str], out: IO[bytes], err: IO[bytes], env: dict[str, str]
    ) -> tuple[float, int, int, int, int]:
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
            # %O: file system outputs, in 512-byte blocks, of the command and its children.
            wrapped = ["/usr/bin/time", "-f", "%M %O", "-o", report.name, *command]
            started = time.perf_counter()
            child = self._start(wrapped, out, err, env)
            with _stopped_on_error(child), TreeMemory(child.pid, skip_leader=True) as tree:
                code = child.wait()
                seconds = time.perf_counter() - started
            lines = [line for line in report.read().splitlines() if line.strip()]
        # GNU time writes "Command exited with non-zero status N" before the numbers.
        rss, outputs = lines[-1].split()
        return seconds, code, int(rss), tree.peak_kib, int(outputs) * 512

    def _with_wait4(
        self, command: Sequence[str], out: IO[bytes], err: IO[bytes], env: dict[str, str]
    ) -> tuple[float, int, int, int, int]:
        started = time.perf_counter()
        child = self._start(command, out, err, env)
        with _stopped_on_error(child), TreeMemory(child.pid, skip_leader=False) as tree:
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)  # bytes on macOS
        return seconds, code, rss, tree.peak_kib, usage.ru_oublock * 512

    def measure(
        self,
        row: Row,
        command: Sequence[str],
        ok_codes: tuple[int, ...] = (0,),
        setup: EnvSetup | None = None,
        warm_up: bool = True,
    ) -> Row:
        """Time `command` into `row`; `setup` prepares each run and gives its environment.

        With `warm_up`, one untimed run comes first; without, the first timed run
        decides whether the command is slow. A slow command is timed
        --repeat-slow times rather than --repeat times.
        """
        setup = setup or _no_setup
        print(f"  {row.size:>7}  {row.label}", end=" ", file=sys.stderr, flush=True)
        runs = self.repeat
        if warm_up:
            with setup() as env:
                first = self.once(command, ok_codes, env)
            row.output = first.output
            if first.seconds > SLOW_SECONDS:
                runs = min(runs, self.repeat_slow)
            print(f"(warm-up {first.seconds:.1f} s)", end=" ", file=sys.stderr, flush=True)
        while len(row.seconds) < runs:
            with setup() as env:
                run = self.once(command, ok_codes, env)
            if not warm_up and not row.seconds:
                row.output = run.output
                if run.seconds > SLOW_SECONDS:
                    runs = min(runs, self.repeat_slow)
            elif not same_lines(run.output, row.output, ordered=not row.unordered):
                row.varied = True
            row.seconds.append(run.seconds)
            row.rss_kib.append(run.rss_kib)
            row.tree_kib.append(run.tree_kib)
            row.written.append(run.written)
            print(".", end="", file=sys.stderr, flush=True)
        print(f" {row.median:.3f} s", file=sys.stderr)
        return row


def same_lines(one: bytes, other: bytes, ordered: bool = True) -> bool:
    """Whether two outputs are the same, or with `ordered=False`, have the same lines."""
    if ordered:
        return one == other
    return sorted(one.splitlines()) == sorted(other.splitlines())


@contextlib.contextmanager
def _stopped_on_error(child: subprocess.Popen[bytes]) -> Iterator[None]:
    """Kill the child's whole session if waiting for it fails (Ctrl-C, SIGTERM)."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise


@contextlib.contextmanager
def _no_setup() -> Iterator[dict[str, str]]:
    yield {}


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
    what users see. XDG_CACHE_HOME points into --work, so no run reads or
    writes a snapshot in the user's own cache; the newsq rows set their own.
    """
    env = {
        k: v for k, v in os.environ.items() if k not in ("NEWSQ_DATA", "PYTHONDONTWRITEBYTECODE")
    }
    env.setdefault("PYTHONPYCACHEPREFIX", str(work / "pycache"))
    env["XDG_CACHE_HOME"] = str(work / "xdg")
    return env


# --- snapshot folders ---------------------------------------------------------------


def fresh_cache(
    work: Path, written: list[Path] | None = None, sizes: list[int] | None = None
) -> EnvSetup:
    """A new, empty XDG_CACHE_HOME under `work` for each run, removed after it.

    When `written` is given, a run that left anything in its folder adds the
    folder to it (for `--no-cache`, which must write nothing). When `sizes` is
    given, each run adds the bytes it left in its folder (the snapshot it built).
    """

    @contextlib.contextmanager
    def setup() -> Iterator[dict[str, str]]:
        folder = Path(tempfile.mkdtemp(prefix="xdg-", dir=work))
        try:
            yield {"XDG_CACHE_HOME": str(folder)}
        finally:
            if written is not None and any(folder.iterdir()):
                written.append(folder)
            if sizes is not None:
                sizes.append(folder_bytes(folder))
            shutil.rmtree(folder, ignore_errors=True)

    return setup


def cache_at(folder: Path) -> EnvSetup:
    """The same XDG_CACHE_HOME, `folder`, for every run."""
    return lambda: contextlib.nullcontext({"XDG_CACHE_HOME": str(folder)})


def folder_bytes(folder: Path) -> int:
    """The bytes of the files under `folder` (a corpus, a snapshot folder)."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def cold_build_note(label: str, cold: Row, snapshots: Sequence[int], folder: Path) -> str:
    """What the cold build wrote against the snapshot it left, and the snapshot against
    the corpus: a new snapshot is built aside without a write-ahead log, so it should be
    written about once (full-text merges rewrite some of it)."""
    mib = 2**20
    written, snapshot = statistics.median(cold.written), statistics.median(snapshots)
    corpus_bytes = folder_bytes(folder)
    return (
        f"{label}: the cold build wrote {written / mib:,.0f} MiB "
        f"({written / max(snapshot, 1):.2f}x its snapshot of {snapshot / mib:,.0f} MiB; "
        f"median of {len(cold.written)} runs); the snapshot is "
        f"{snapshot / max(corpus_bytes, 1):.2f}x the corpus "
        f"({corpus_bytes / mib:,.0f} MiB of files)"
    )


def snapshot_note(folder: Path) -> str:
    """How much the snapshot in `folder` takes on disk."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    if not files:
        return f"no snapshot written in {folder}"
    size = sum(p.stat().st_size for p in files) / 2**20
    return f"snapshot {size:,.1f} MiB in {folder} ({len(files)} files)"


# --- changing files for the incremental row -----------------------------------------


def _journal(folder: Path) -> Path:
    return folder.parent / f"{folder.name}.edited.json"


def restore_corpus(folder: Path) -> bool:
    """Undo the incremental row's changes to `folder`, as its journal records; True if any.

    The changes only ever append EDIT_LINE, so truncating each file to its
    recorded size gives back its bytes; its times are set back too.
    """
    journal = _journal(folder)
    if not journal.is_file():
        return False
    for name, (size, atime_ns, mtime_ns) in json.loads(journal.read_text()).items():
        path = folder / name
        with contextlib.suppress(FileNotFoundError):
            with open(path, "r+b") as handle:
                handle.truncate(size)
            os.utime(path, ns=(atime_ns, mtime_ns))
    journal.unlink()
    return True


_PLAIN_KEY = re.compile(r"[A-Za-z]\w*: ")
_TWO_KEYS = re.compile(r"^\w+: [^\"'\n]*: ", re.MULTILINE)  # `type: article: x`, a YAML error


def _editable(path: Path) -> bool:
    """Whether `path` is a readable document with a body and without the benchmark topic."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    front, closed, body = text.removeprefix("---\n").partition("\n---\n")
    return (
        text.startswith("---\n")
        and bool(closed and body.strip())
        and _PLAIN_KEY.match(front) is not None
        and _TWO_KEYS.search(front) is None
        and f"- {BENCH_TOPIC}\n" not in front
    )


def files_to_edit(folder: Path, count: int = EDITED_FILES) -> list[Path]:
    """`count` documents spread over the corpus that have a Markdown body, not of the topic.

    Not of the benchmark topic, so changing them cannot change what `newsq
    list --topic` prints; each is the first such document at or after an
    evenly spaced position in the sorted file names.
    """
    paths = sorted(folder.glob("*.txt"))
    chosen: list[Path] = []
    for i in range(count):
        start = i * len(paths) // count
        for path in paths[start:] + paths[:start]:
            if path not in chosen and _editable(path):
                chosen.append(path)
                break
    if len(chosen) < count:
        raise RuntimeError(f"{folder}: fewer than {count} documents with a body to change")
    return chosen


class Edits:
    """Changes files of a corpus before each run, and puts them back as generated on exit.

    Each change appends EDIT_LINE to every file's Markdown body, or takes it off
    again, so size, mtime and content all change, but no front matter. Before
    the first change a journal beside the corpus records each file's size and
    times; leaving the `with` block (also on an error or Ctrl-C) restores them,
    and `corpus()` restores them from the journal if the runner was killed.
    """

    def __init__(self, folder: Path, files: Sequence[Path]) -> None:
        self.folder = folder
        self.files = list(files)
        self.appended = False

    def __enter__(self) -> Edits:
        restore_corpus(self.folder)
        record = {}
        for path in self.files:
            stat = path.stat()
            record[path.name] = [stat.st_size, stat.st_atime_ns, stat.st_mtime_ns]
        journal = _journal(self.folder)
        journal.with_suffix(".tmp").write_text(json.dumps(record, indent=2) + "\n")
        journal.with_suffix(".tmp").replace(journal)
        return self

    def __exit__(self, *exc: object) -> None:
        restore_corpus(self.folder)

    def toggle(self) -> None:
        """Append the line to every file, or take it off every file again."""
        for path in self.files:
            if self.appended:
                with open(path, "r+b") as handle:
                    handle.truncate(path.stat().st_size - len(EDIT_LINE))
            else:
                with open(path, "ab") as handle:
                    handle.write(EDIT_LINE)
        self.appended = not self.appended

    def setup(self, cache: Path) -> EnvSetup:
        """Change the files before each run, which uses the snapshot in `cache`."""

        @contextlib.contextmanager
        def changed() -> Iterator[dict[str, str]]:
            self.toggle()
            yield {"XDG_CACHE_HOME": str(cache)}

        return changed


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
    if restore_corpus(folder):
        print(f"restored the files a killed run had changed in {folder}", file=sys.stderr)
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

LIST_LABEL = f'`newsq list --topic "{BENCH_TOPIC}" --limit 20 --format json`'
SEARCH_LABEL = f'`newsq search "{SEARCH_QUERY}" --limit 20 --format json`'
#: The same words read exactly (both required, as every query was before words forgave),
#: one of them misspelt, and asked as a question.
EXACT_LABEL = SEARCH_LABEL.replace("json`", "json --exact`")
TYPO_QUERY = SEARCH_QUERY[:-3] + SEARCH_QUERY[-2] + SEARCH_QUERY[-3] + SEARCH_QUERY[-1]
QUESTION_QUERY = f"how do police use {SEARCH_QUERY}?"
STORIES_LABEL = "`newsq stories --limit 20 --format json`"
#: Answers of every document, and of every hit of a common word with the related
#: coverage: what memory must not grow with (streamed a batch at a time).
ALL_LIST_LABEL = "`newsq list --all --format jsonl`"
ALL_SEARCH_WORD = "police"
ALL_SEARCH_LABEL = f"`newsq search {ALL_SEARCH_WORD} --related --all --json`"


@dataclass
class Bench:
    """What the rows of every size share."""

    runner: Runner
    work: Path
    newsq: str
    python: str
    only: frozenset[str]
    no_cache: bool  # whether this newsq has --no-cache

    def list_command(self, folder: Path, *extra: str) -> list[str]:
        return [
            self.newsq, "list", "--data", str(folder), "--topic", BENCH_TOPIC,
            "--limit", "20", "--format", "json", *extra,
        ]  # fmt: skip

    def search_command(self, folder: Path, *extra: str, query: str = SEARCH_QUERY) -> list[str]:
        return [
            self.newsq, "search", query, "--data", str(folder),
            "--limit", "20", "--format", "json", *extra,
        ]  # fmt: skip

    def all_list_command(self, folder: Path) -> list[str]:
        return [self.newsq, "list", "--data", str(folder), "--all", "--format", "jsonl"]

    def all_search_command(self, folder: Path) -> list[str]:
        return [
            self.newsq, "search", ALL_SEARCH_WORD, "--related", "--all", "--json",
            "--data", str(folder),
        ]  # fmt: skip

    def stories_command(self, folder: Path) -> list[str]:
        return [
            self.newsq, "stories", "--data", str(folder), "--limit", "20", "--format", "json",
        ]  # fmt: skip


Check = tuple[str, str]  # ("ok" | "MISMATCH" | "not checked" | "note", text)


def naive_ids(output: bytes) -> list[str]:
    return [Path(doc["path"]).stem for doc in json.loads(output)]


def newsq_ids(output: bytes) -> list[str]:
    return [doc["id"] for doc in json.loads(output)]


def same_output(label: str, row: Row | None, other: Row | None, what: str) -> Check | None:
    """Whether two rows printed the same bytes; None when either was not run."""
    if row is None or other is None or not row.measured or not other.measured:
        return None
    if row.output == other.output:
        return "ok", f"{label}: {what} ({len(row.output):,} bytes)"
    return "MISMATCH", (
        f"{label}: {what} fails: {len(row.output):,} bytes against {len(other.output):,}"
    )


def has_no_cache(runner: Runner, newsq: str) -> bool:
    """Whether `newsq list --help` mentions --no-cache."""
    done = subprocess.run(
        [newsq, "list", "--help"],
        capture_output=True,
        env={**runner.env, "COLUMNS": "200"},
        check=False,
    )
    return b"--no-cache" in done.stdout


@dataclass
class SizeRows:
    """The rows of one corpus size, those --only picked, with their baselines."""

    rg: Row | None = None
    naive: Row | None = None
    cold: Row | None = None
    warm: Row | None = None
    search: Row | None = None
    exact: Row | None = None
    typo: Row | None = None
    question: Row | None = None
    stories: Row | None = None
    all_list: Row | None = None
    all_search: Row | None = None
    incremental: Row | None = None
    incremental_stories: Row | None = None
    nocache: Row | None = None
    search_nocache: Row | None = None  # one untimed run, for a check; not in the table

    def table(self) -> list[Row]:
        rows = (self.rg, self.naive, self.cold, self.warm, self.search, self.exact, self.typo)
        rows += (self.question, self.stories, self.all_list, self.all_search, self.incremental)
        return [row for row in (*rows, self.incremental_stories, self.nocache) if row is not None]

    def newsq(self) -> list[Row]:
        rows = (self.cold, self.warm, self.search, self.exact, self.typo, self.question)
        rows += (self.stories, self.all_list, self.all_search, self.incremental)
        return [row for row in (*rows, self.incremental_stories, self.nocache) if row is not None]


def size_rows(only: frozenset[str], size: int) -> SizeRows:
    """The rows of a size, in the order of the table, each linked to its baseline."""
    label = f"{size:,}"
    rows = SizeRows()

    def row(kind: str, text: str, base: Row | None = None, base_name: str = "") -> Row | None:
        if kind not in only:
            return None
        return Row(label, text, kind, size, baseline=base, baseline_name=base_name)

    rows.rg = row("rg", f'`rg -l -F -- "- {BENCH_TOPIC}" DIR`')
    if rows.rg is not None:
        rows.rg.unordered = True  # rg prints the files in the order its threads find them
    rows.naive = row("naive", f'`python naive.py DIR "{BENCH_TOPIC}"`', rows.rg, "rg")
    rows.cold = row("cold", f"{LIST_LABEL}, cold", rows.naive, "naive")
    rows.warm = row("warm", f"{LIST_LABEL}, warm", rows.rg, "rg")
    rows.search = row("search", f"{SEARCH_LABEL}, warm", rows.rg, "rg")
    rows.exact = row("exact", f"{EXACT_LABEL}, warm", rows.rg, "rg")
    typo = SEARCH_LABEL.replace(SEARCH_QUERY, TYPO_QUERY)
    rows.typo = row("typo", f"{typo}, warm", rows.search, "search")
    question = SEARCH_LABEL.replace(SEARCH_QUERY, QUESTION_QUERY)
    rows.question = row("question", f"{question}, warm", rows.search, "search")
    rows.stories = row("stories", f"{STORIES_LABEL}, warm", rows.rg, "rg")
    rows.all_list = row("all", f"{ALL_LIST_LABEL}, warm")
    rows.all_search = row("all", f"{ALL_SEARCH_LABEL}, warm")
    changed = f"{LIST_LABEL}, {EDITED_FILES} files changed"
    rows.incremental = row("incremental", changed, rows.warm, "warm")
    stories_changed = f"{STORIES_LABEL}, {EDITED_FILES} files changed"
    rows.incremental_stories = row("incremental", stories_changed, rows.stories, "warm stories")
    if rows.incremental_stories is not None:
        rows.incremental_stories.kind = "incremental stories"  # run with `incremental`; no target
    no_cache = LIST_LABEL.replace("json`", "json --no-cache`")
    rows.nocache = row("nocache", no_cache, rows.naive, "naive")
    return rows


def bench_size(bench: Bench, folder: Path, size: int) -> tuple[list[Row], list[Check]]:
    """Run the rows of one corpus size; return them and the checks of their outputs.

    The order: naive.py (which also fills the page cache), one untimed cold
    `newsq list` that primes the warm snapshot (and writes the bytecode of
    everything newsq loads to index), rg, the warm rows, then the cold rows.
    rg comes right before the warm rows because it is their baseline: priming
    takes minutes at 100,000 documents, and this machine's speed drifts.
    """
    label = f"{size:,}"
    runner = bench.runner
    rows = size_rows(bench.only, size)
    checks: list[Check] = []
    if rows.naive is not None:
        runner.measure(rows.naive, [bench.python, str(NAIVE), str(folder), BENCH_TOPIC])
    cache = None
    if rows.newsq():
        cache = prime_snapshot(bench, folder, size)
        checks.append(("note", f"{label}: {snapshot_note(cache)}"))
        if rows.stories is not None:
            checks.append(("note", f"{label}: {first_stories(bench, folder, cache, size)}"))
    if rows.rg is not None:  # right before the warm rows it is the baseline of: the same minutes
        rg = shutil.which("rg")
        if rg is None:
            rows.rg.note = RG_MISSING
        else:
            command = [rg, "-l", "-F", "--", f"- {BENCH_TOPIC}", str(folder)]
            runner.measure(rows.rg, command, ok_codes=(0, 1))
    if cache is not None:
        warm_rows(bench, rows, folder, cache)
    if rows.cold is not None:
        snapshots: list[int] = []
        setup = fresh_cache(bench.work, sizes=snapshots)
        runner.measure(rows.cold, bench.list_command(folder), setup=setup, warm_up=False)
        checks.append(("note", cold_build_note(label, rows.cold, snapshots, folder)))
    if rows.nocache is not None:
        checks.append(no_cache_rows(bench, rows, rows.nocache, folder))

    checks.extend(output_checks(label, rows))
    checks.extend(
        ("MISMATCH", f"{label}: {row.label} printed different outputs in different runs")
        for row in rows.table()
        if row.varied
    )
    return rows.table(), [check for check in checks if check is not None]


def prime_snapshot(bench: Bench, folder: Path, size: int) -> Path:
    """Empty `WORK/cache-N` and build the snapshot of `folder` in it, untimed."""
    cache = bench.work / f"cache-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    print(f"  {size:>7,}  priming the snapshot in {cache}", end=" ", file=sys.stderr, flush=True)
    primed = bench.runner.once(bench.list_command(folder), env={"XDG_CACHE_HOME": str(cache)})
    print(f"{primed.seconds:.1f} s", file=sys.stderr)
    return cache


def first_stories(bench: Bench, folder: Path, cache: Path, size: int) -> str:
    """Compute the stories of the primed snapshot, untimed by the table: the first
    `newsq stories` after a change groups every document; the warm row reads the result."""
    print(f"  {size:>7,}  computing the stories", end=" ", file=sys.stderr, flush=True)
    done = bench.runner.once(bench.stories_command(folder), env={"XDG_CACHE_HOME": str(cache)})
    print(f"{done.seconds:.1f} s", file=sys.stderr)
    return (
        f"stories computed in {done.seconds:.1f} s, peak RSS {done.rss_kib / 1024:,.0f} MiB "
        "(the first `newsq stories` after the snapshot changed)"
    )


def warm_rows(bench: Bench, rows: SizeRows, folder: Path, cache: Path) -> None:
    """Time the rows that use the snapshot in `cache`: warm list, search and stories, and
    list and stories after changes."""
    if rows.warm is not None:
        bench.runner.measure(rows.warm, bench.list_command(folder), setup=cache_at(cache))
    if rows.search is not None:
        bench.runner.measure(rows.search, bench.search_command(folder), setup=cache_at(cache))
    for searched, command in (
        (rows.exact, bench.search_command(folder, "--exact")),
        # (its untimed first run keeps the list of terms corrections look in)
        (rows.typo, bench.search_command(folder, query=TYPO_QUERY)),
        (rows.question, bench.search_command(folder, query=QUESTION_QUERY)),
    ):
        if searched is not None:
            bench.runner.measure(searched, command, setup=cache_at(cache))
    if rows.stories is not None:
        bench.runner.measure(rows.stories, bench.stories_command(folder), setup=cache_at(cache))
    for every, command in (
        (rows.all_list, bench.all_list_command(folder)),
        (rows.all_search, bench.all_search_command(folder)),
    ):
        if every is not None:
            bench.runner.measure(every, command, setup=cache_at(cache))
    if rows.incremental is not None:
        with Edits(folder, files_to_edit(folder)) as edits:
            setup = edits.setup(cache)
            bench.runner.measure(rows.incremental, bench.list_command(folder), setup=setup)
            if rows.incremental_stories is not None:
                # Each run regroups after the change: only the stories the files touch.
                command = bench.stories_command(folder)
                bench.runner.measure(rows.incremental_stories, command, setup=setup)


def no_cache_rows(bench: Bench, rows: SizeRows, nocache: Row, folder: Path) -> Check:
    """Time `list --no-cache` into `nocache`, run `search --no-cache` once, untimed.

    Both get an empty XDG_CACHE_HOME, which they must leave empty.
    """
    label = nocache.size
    if not bench.no_cache:
        nocache.note = NO_CACHE_MISSING
        return "not checked", f"{label}: --no-cache outputs ({NO_CACHE_MISSING})"
    written: list[Path] = []
    setup = fresh_cache(bench.work, written)
    bench.runner.measure(nocache, bench.list_command(folder, "--no-cache"), setup=setup)
    if rows.search is not None:
        print(f"  {label:>7}  search --no-cache, for the check", file=sys.stderr, flush=True)
        with setup() as env:
            run = bench.runner.once(bench.search_command(folder, "--no-cache"), env=env)
        rows.search_nocache = Row(label, "search --no-cache", seconds=[run.seconds])
        rows.search_nocache.output = run.output
    if written:
        return "MISMATCH", f"{label}: --no-cache wrote into its XDG_CACHE_HOME"
    return "ok", f"{label}: --no-cache left its XDG_CACHE_HOME empty"


def output_checks(label: str, rows: SizeRows) -> list[Check | None]:
    """Whether newsq's rows agree with the naive script and with each other."""
    checks: list[Check | None] = []
    listing = next((r for r in (rows.warm, rows.cold, rows.nocache) if r and r.measured), None)
    if rows.naive is not None and rows.naive.measured and listing is not None:
        expected, got = naive_ids(rows.naive.output), newsq_ids(listing.output)
        if expected == got:
            checks.append(
                ("ok", f"{label}: newsq list ids equal the naive script's ({len(got)} ids)")
            )
        else:
            checks.append(("MISMATCH", f"{label}: naive {expected} vs newsq {got}"))
    checks.append(same_output(label, rows.warm, rows.nocache, "list warm == --no-cache"))
    checks.append(same_output(label, rows.cold, rows.warm, "list cold == warm"))
    checks.append(same_output(label, rows.incremental, rows.warm, "list after changes == warm"))
    search_check = same_output(
        label, rows.search, rows.search_nocache, "search warm == search --no-cache"
    )
    checks.append(search_check)
    return checks


def bench_startup(runner: Runner, newsq: str, python: str) -> list[Row]:
    typer_import = runner.measure(
        Row("-", '`python -c "import typer"`', "typer"), [python, "-c", "import typer"]
    )
    bare = runner.measure(Row("-", "`python -c pass`", "python"), [python, "-c", "pass"])
    version = runner.measure(Row("-", "`newsq --version`", "version"), [newsq, "--version"])
    version.baseline, version.baseline_name = typer_import, "typer import"
    return [bare, typer_import, version]


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| size | command | median s | range s | peak RSS MiB | tree RSS MiB | ratio | target |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        if row.note:
            lines.append(f"| {row.size} | {row.label} | {row.note} | | | | | |")
            continue
        ratio = "-" if row.ratio is None else f"{row.ratio:,.2f}x {row.baseline_name}"
        target = "; ".join(t.cell(row) for t in TARGETS if t.applies(row)) or "-"
        lines.append(
            f"| {row.size} | {row.label} | {row.median:.3f} "
            f"| {min(row.seconds):.3f}..{max(row.seconds):.3f} | {row.peak_mib:.1f} "
            f"| {row.tree_mib:.1f} | {ratio} | {target} |"
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


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM: exit through the `finally` blocks, which put the corpus back."""
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[int], frozenset[str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000,20000,100000", help="corpus sizes, comma-separated"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsq-bench"), help="cache folder")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument(
        "--repeat-slow",
        type=int,
        default=1,
        help=f"timed runs when the first run took over {SLOW_SECONDS:.0f} s (default 1)",
    )
    parser.add_argument(
        "--only", default=",".join(ROW_KINDS), help=f"rows to run, of {','.join(ROW_KINDS)}"
    )
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
    if args.repeat < 1 or args.repeat_slow < 1 or not sizes or min(sizes) < 1:
        parser.error("--repeat, --repeat-slow and every size must be at least 1")
    only = frozenset(k.strip() for k in args.only.split(",") if k.strip())
    if not only or only - set(ROW_KINDS):
        parser.error(f"--only: choose from {','.join(ROW_KINDS)}")
    args.newsq = args.newsq or find_newsq(args.python)
    if args.newsq is None:
        parser.error("newsq not found; install it or pass --newsq")
    return args, sizes, only


def main(argv: list[str] | None = None) -> int:
    args, sizes, only = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    args.work.mkdir(parents=True, exist_ok=True)
    runner = Runner(child_env(args.work), args.repeat, args.repeat_slow)
    bench = Bench(
        runner, args.work, args.newsq, args.python, only, has_no_cache(runner, args.newsq)
    )
    started = machine()
    python_version = subprocess.run(
        [args.python, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    memory = "GNU time %M" if runner.gnu_time else "os.wait4 ru_maxrss"

    rows: list[Row] = []
    checks: list[Check] = []
    for stale in args.work.glob("xdg-*"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    for size in sizes:
        folder = corpus(args.work, size, args.seed)
        size_rows, size_checks = bench_size(bench, folder, size)
        rows.extend(size_rows)
        checks.extend(size_checks)
    if "startup" in only:
        rows.extend(bench_startup(runner, args.newsq, args.python))

    print(f"Started {started}")
    print(f"Finished {machine()}")
    print(
        f"{python_version}; newsq at {args.newsq} "
        f"({'with' if bench.no_cache else 'without'} --no-cache); peak RSS of the largest "
        f"process from {memory}, tree RSS summed over all processes every {TREE_INTERVAL} s."
    )
    print(
        f"Median of {args.repeat} timed runs after an untimed one ({args.repeat_slow} when that "
        f"took over {SLOW_SECONDS:.0f} s); cold rows: no untimed run, an empty snapshot folder "
        "for every run."
    )
    print()
    print(table(rows))
    print()
    print("Targets:")
    for target in TARGETS:
        print(f"- {target.summary(rows)}")
    print()
    print("Checks:")
    for status, text in checks:
        print(f"- {status}: {text}")
    return 1 if any(status == "MISMATCH" for status, _ in checks) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; the corpora are as generated", file=sys.stderr)
        sys.exit(130)
