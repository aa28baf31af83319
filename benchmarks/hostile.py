"""Time and memory of newsq on hostile files, each alone beside one good document.

Every case must finish quickly in bounded memory: refused past a documented limit,
or handled. Prints a Markdown table; nothing is asserted (see README.md).

    python benchmarks/hostile.py [--work DIR] [--newsq PATH] [--cases topics,deep,...]

Needs GNU time (`/usr/bin/time`) for the peak memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

GOOD = "---\ntitle: Good neighbour\npublishedDateTime: 2020-06-11T20:54:00Z\n---\n"


def alias_bomb() -> str:
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(8):
        previous = "a" if level == 0 else f"b{level - 1}"
        lines.append(f"b{level}: &b{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join([*lines, "---"]) + "\n"


# name: (what the file holds, how to make it, the commands to time)
CASES: dict[str, tuple[str, Callable[[], str], list[list[str]]]] = {
    "flood": (
        "a 10 MB body of one word, 2,000,000 times",
        lambda: "---\ntitle: Flood\n---\n" + "word " * 2_000_000,
        [["check"], ["search", "word"], ["search", "word", "--json"]],
    ),
    "long-title": (
        "a 15 MB title",
        lambda: "---\ntitle: '" + "B" * 15_000_000 + "'\n---\n",
        [["check"], ["list"], ["search", "good"]],
    ),
    "many-keys": (
        "1,000,000 keys (11 MB): over the 200,000-value limit",
        lambda: "---\n" + "".join(f"k{i}: v\n" for i in range(1_000_000)) + "---\n",
        [["check"]],
    ),
    "alias-bomb": ("9^9 values once YAML aliases are expanded", alias_bomb, [["check"]]),
    "deep": (
        "brackets nested 5,000 deep",
        lambda: "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n",
        [["check"]],
    ),
    "huge": (
        "16 MiB and one byte: over the size limit",
        lambda: "---\ntitle: big\n---\n" + "x" * (16 * 1024 * 1024 + 1),
        [["check"]],
    ),
    "topics": (
        "50,000 topics (1.1 MB)",
        lambda: (
            "---\ntitle: Many\npublishedDateTime: 2020-01-01T00:00:00Z\ntopics:\n"
            + "".join(f"  - topic {n:05d}\n" for n in range(50_000))
            + "---\n"
        ),
        [["topics"], ["stats"], ["list", "--topic", "topik 00042"], ["list", "--topic", "topic 1"]],
    ),
}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one run. The peak is GNU time's `%M`: a
    child's own high-water mark from `wait4` starts at this runner's size."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        seconds = time.perf_counter() - start
        return seconds, int(report.read().split()[-1]), done.returncode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work", type=Path, help="where the files are written (default: a temporary folder)"
    )
    parser.add_argument(
        "--newsq", default=shutil.which("newsq") or str(Path(sys.executable).parent / "newsq")
    )
    parser.add_argument("--cases", help=f"the cases to run, comma-separated, of {','.join(CASES)}")
    args = parser.parse_args(argv)
    chosen = args.cases.split(",") if args.cases else list(CASES)
    work = args.work or Path(tempfile.mkdtemp(prefix="newsq-hostile-"))
    print("| case | the file | command | cold s | cold MiB | warm s | warm MiB | exit |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in chosen:
        what, make, commands = CASES[name]
        folder = work / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "good.md").write_text(GOOD, encoding="utf-8")
        (folder / f"{name}.md").write_text(make(), encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": str(work / f"cache-{name}")}
        shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
        for number, command in enumerate(commands):
            argv_ = [args.newsq, *command, "--data", str(folder)]
            cold = ["", ""]
            if number == 0:  # the first command builds the snapshot
                seconds, peak, _ = timed(argv_, env)
                cold = [f"{seconds:.2f}", f"{peak / 1024:.0f}"]
            seconds, peak, code = timed(argv_, env)
            shown = "`newsq " + " ".join(command) + "`"
            cells = [name, what, shown, *cold, f"{seconds:.2f}", f"{peak / 1024:.0f}", code]
            print("| " + " | ".join(map(str, cells)) + " |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
