"""How well search finds what a person means: known-item queries of four kinds (questions,
misspellings, excerpt wording, partial; `known_items.py`) over the real sample and over
generated corpora, each searched exactly (`exact=True`: the meaning every query had
before plain words forgave) and as newsq reads it now. Prints, as Markdown, the MRR@10
of each kind and the queries that found nothing, for both.

    .venv/bin/python benchmarks/relevance.py [--sizes 2000,20000] [--per-kind 50]
                                              [--work DIR] [--real ../shared/corpus/real]

The generated corpora are made by `generate.py` into `DIR/corpus-N-seed0` (reused
when there); their snapshots go to a cache folder under DIR. A run at 2,000 and
20,000 documents takes about a minute once the corpora exist (the first run
indexes them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import known_items  # noqa: E402

import newsq  # noqa: E402

DEFAULT_REAL = HERE.parent.parent / "shared" / "corpus" / "real"


def documents(index: newsq.Index) -> list[tuple[str, str, str]]:
    """(id, title, excerpt) of every document of an index."""
    found = []
    for entries in _batches(list(index), 500):
        for entry, record in zip(entries, index.records(entries), strict=True):
            excerpt = record.get("excerpt")
            found.append((entry.id, entry.title, excerpt if isinstance(excerpt, str) else ""))
    return found


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def score(index: newsq.Index, cases: dict[str, list[tuple[str, str]]]) -> list[dict]:
    """A row per kind: its queries, and the MRR@10 and queries that found nothing of the
    exact and the forgiving search; and the time each took, in all."""
    rows = []
    for kind in known_items.KINDS:
        row: dict = {"kind": kind, "queries": len(cases[kind])}
        for mode, exact in (("exact", True), ("forgiving", False)):
            started = time.perf_counter()
            found = known_items.measure(
                lambda q, exact=exact: [h.id for h in index.search(q, limit=10, exact=exact)],
                cases[kind],
            )
            row[mode] = {
                "mrr": found.mrr,
                "empty": found.empty,
                "ranks": found.ranks,
                "seconds": time.perf_counter() - started,
            }
        rows.append(row)
    return rows


def table(title: str, rows: Sequence[dict]) -> str:
    lines = [
        f"**{title}**",
        "",
        "| kind | queries | MRR@10 exact | MRR@10 now | found nothing, exact "
        "| found nothing, now |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = sum(r["queries"] for r in rows)
    for row in rows:
        lines.append(
            f"| {row['kind']} | {row['queries']} | {row['exact']['mrr']:.3f} | "
            f"{row['forgiving']['mrr']:.3f} | {row['exact']['empty']} | "
            f"{row['forgiving']['empty']} |"
        )

    def overall(mode: str) -> tuple[float, int]:
        ranks = [r for row in rows for r in row[mode]["ranks"]]
        mrr = sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0
        return mrr, sum(row[mode]["empty"] for row in rows)

    (exact_mrr, exact_empty), (now_mrr, now_empty) = overall("exact"), overall("forgiving")
    lines.append(
        f"| all | {total} | {exact_mrr:.3f} | {now_mrr:.3f} | {exact_empty} | {now_empty} |"
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--per-kind", type=int, default=50)
    parser.add_argument("--work", default="/tmp/newsq-relevance")
    parser.add_argument("--real", default=str(DEFAULT_REAL))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write every rank here")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    results = {}
    if Path(args.real).is_dir():
        with newsq.load([args.real]) as index:
            rows = score(index, known_items.REAL)
            title = f"The real sample ({len(index)} documents), queries by hand"
        print(table(title, rows))
        results["real"] = rows
    else:
        print(f"(no real sample at {args.real})\n", file=sys.stderr)
    import generate

    for size in (int(s) for s in args.sizes.split(",") if s):
        corpus = work / f"corpus-{size}-seed{args.seed}"
        if not corpus.is_dir():
            print(f"generating {size:,} documents…", file=sys.stderr)
            generate.generate(corpus, size, seed=args.seed)
        started = time.perf_counter()
        with newsq.load([corpus]) as index:
            print(f"loaded {size:,} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            cases = known_items.generated_cases(documents(index), args.per_kind, seed=args.seed)
            rows = score(index, cases)
        print(table(f"Generated, {size:,} documents ({args.per_kind} queries a kind)", rows))
        results[f"generated-{size}"] = rows
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=list))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
