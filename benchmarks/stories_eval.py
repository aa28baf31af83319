"""How well `newsq stories` finds stories by wording alone: precision, recall and F1.

    python benchmarks/stories_eval.py [--work DIR] [--suites a,b] [--real PATH] [--meaning]

Each suite is a folder of documents, none of which lists another in `related`, with
the stories it holds known (the truth). newsq groups the folder (`Index.stories`),
and the stories found are scored against the truth:

- pairwise: of the pairs of documents put in one story, how many are in one true
  story (precision), and of the true pairs, how many were put together (recall);
- B-cubed: for each document of a true story, the share of its found story that is
  of its true story (precision) and the share of its true story found with it
  (recall), averaged over those documents.

Documents outside the true stories (distractors) count against precision whenever
a story's document is grouped with one; how they group among themselves is not
scored (a real corpus has stories of its own that nobody marked), but the largest
story made of distractors only is reported, for runaway stories.

The suites (`--suites`, default all):

- `seed-story`: the bundled seeds' story as a user's folder would hold it: the 5
  documents and the 23 articles of their coverage, 28 documents without `related`,
  among the real sample's documents (`--real`, default ../shared/corpus/real, all
  about one product, dated over 2018-2021) moved into the weeks of the story
  (keeping their order), and 1,500 generated documents of the same subjects, some
  also about facial recognition and the police, dated over the same weeks.
- `paraphrased`: stories whose reports share no link and no coined name, each in
  its own outlet's words and angle, a few days apart, among 2,000 documents of the
  same companies and subjects over 60 days (`generate.write_paraphrased`).
- `one-subject`: the real sample alone and with 1,000 generated documents about
  Power Apps over the same months: no true story, only the largest one found.
- `planted`: the generator's planted stories (coined names, a third linked), as
  `tests/test_stories.py` measures them.
- `held-out`: real articles never looked at while the rule was chosen, grouped by a
  news aggregator or by annotators (`heldout.py`; not shipped: `--gnews FILE`,
  `--uci FILE`, `--ecbplus DIR`, or `gnews.json`, `uci.csv` and `ecbplus/` in
  `--heldout DIR`, default ../shared/corpus/heldout): one day of world news (Google
  News' stories, a lead and up to three other outlets each), the same among the
  real sample moved into those days, 36 hours of the UCI News Aggregator's titles,
  and ECB+'s 86 events (43 topics of two events of one kind), each day's 43 at once
  and then all on one day. Google News' stories
  are loose (a story of a strike in the West Bank holds three reports of one in
  Gaza; one of the anniversary of 9/11, a local car crash), so the day is also scored
  against each story's lead event as a reader judged it (`gnews_events.json`: for each
  article but the lead, "same" event as the lead's or "other", judged from titles and
  excerpts by a reader who saw nothing newsq found); the articles judged "other" are
  left out of that score, neither in a true story nor counted against one.

Standard library and newsq only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import generate
import unlinked

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "seeds"
REAL = ROOT.parent / "shared" / "corpus" / "real"
HELDOUT = ROOT.parent / "shared" / "corpus" / "heldout"
SUITES = ("seed-story", "paraphrased", "one-subject", "planted", "held-out")
#: Where the held-out data sets are (`--gnews`, `--uci`, `--ecbplus`, `--heldout`).
HELD_OUT: dict[str, Path] = {}
#: Which of the Google News day's articles report their story's lead event (above).
EVENTS = HERE / "gnews_events.json"


# --- scores -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """Pairwise and B-cubed precision, recall and F1 of stories found against the truth."""

    pair_precision: float
    pair_recall: float
    bcubed_precision: float
    bcubed_recall: float
    true_pairs: int
    found_pairs: int
    largest_distractor_story: int  # documents in the largest story of distractors only
    stories_hit: list[tuple[int, int]]  # per true story: (its size, most found in one story)

    @property
    def pair_f1(self) -> float:
        return _f1(self.pair_precision, self.pair_recall)

    @property
    def bcubed_f1(self) -> float:
        return _f1(self.bcubed_precision, self.bcubed_recall)

    def row(self) -> str:
        return (
            f"{self.pair_precision:.3f} | {self.pair_recall:.3f} | {self.pair_f1:.3f} | "
            f"{self.bcubed_precision:.3f} | {self.bcubed_recall:.3f} | {self.bcubed_f1:.3f}"
        )


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def score(found: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]) -> Scores:
    """Score stories found (lists of ids; every document in one) against true stories."""
    true_of = {doc: n for n, story in enumerate(truth) for doc in story}
    found_of = {doc: n for n, story in enumerate(found) for doc in story}
    # Counted a found story at a time, not a pair or a document at a time: a runaway
    # story of 6,000 documents makes 18 million pairs.
    true_pairs = sum(_pairs(len(story)) for story in truth)
    found_pairs = both = 0
    precision = recall = 0.0  # B-cubed, summed over the documents of true stories
    lone = [[doc] for doc in true_of if doc not in found_of]  # (each its own story)
    for story in itertools.chain(found, lone):
        of_truth = Counter(true_of[d] for d in story if d in true_of)
        # (a pair of two distractors is not judged)
        found_pairs += _pairs(len(story)) - _pairs(len(story) - sum(of_truth.values()))
        for n, same in of_truth.items():
            both += _pairs(same)
            precision += same * same / len(story)  # `same` documents, each `same / len`
            recall += same * same / len(truth[n])
    distractor_only = [len(s) for s in found if not any(d in true_of for d in s)]
    hit = []
    for story in truth:
        counts: dict[int, int] = {}
        for doc in story:
            counts[found_of.get(doc, -1)] = counts.get(found_of.get(doc, -1), 0) + 1
        hit.append((len(story), max(counts.values())))
    return Scores(
        pair_precision=both / found_pairs if found_pairs else 1.0,
        pair_recall=both / true_pairs if true_pairs else 1.0,
        bcubed_precision=precision / len(true_of) if true_of else 1.0,
        bcubed_recall=recall / len(true_of) if true_of else 1.0,
        true_pairs=true_pairs,
        found_pairs=found_pairs,
        largest_distractor_story=max(distractor_only, default=0),
        stories_hit=hit,
    )


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


# --- writing documents ---------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """What a user's folder holds of one article: no `related` list."""

    title: str
    excerpt: str
    published: str  # ISO 8601
    url: str
    outlet: str
    domain: str


def document_text(article: Article, topics: Sequence[str] = ()) -> str:
    q = generate.quote
    lines = [
        "---",
        "category: news",
        f"title: {q(article.title)}",
        f"excerpt: {q(article.excerpt)}",
        f"publishedDateTime: {article.published}",
        f"webUrl: {q(article.url)}",
        "type: article",
        "provider:",
        f"  name: {q(article.outlet)}",
        f"  domain: {q(article.domain)}",
    ]
    if topics:
        lines += ["topics:", *(f"  - {q(t)}" for t in topics)]
    return "\n".join([*lines, "---", ""])


def seed_articles(seeds: Path = SEEDS) -> list[Article]:
    """Every article of the seeds' story, documents and coverage, once each (by address)."""
    import yaml

    from newsq.ingest.features import url_key

    found: dict[str, Article] = {}
    for path in sorted(seeds.glob("*.txt")):
        record = yaml.safe_load(path.read_text(encoding="utf-8").split("\n---", 1)[0])
        for item in [record, *record.get("related", [])]:
            key = url_key(item.get("webUrl"))
            if key is None or key in found:
                continue
            published = item["publishedDateTime"]
            found[key] = Article(
                item["title"],
                item.get("excerpt") or "",
                published.strftime("%Y-%m-%dT%H:%M:%SZ")
                if hasattr(published, "strftime")
                else str(published),
                item["webUrl"],
                item["provider"]["name"],
                item["provider"]["domain"],
            )
    return list(found.values())


def write_seed_story(folder: Path, real: Path | None, filler: int, seed: int = 0) -> list[str]:
    """The `seed-story` suite into `folder`; the ids of the story's documents."""
    folder.mkdir(parents=True)
    story = []
    for n, article in enumerate(seed_articles()):
        name = f"story-{n:02d}"
        (folder / f"{name}.txt").write_text(document_text(article), encoding="utf-8")
        story.append(name)
    start = 1590969600  # 2020-06-01T00:00:00Z: the story runs 06-09 to 07-03
    days = 40
    if real is not None and real.is_dir():
        _redated_copy(real, folder / "real", start, days)
    if filler:
        _generated(folder / "generated", filler, seed, start, days, subjects=None)
    return story


def _redated_copy(real: Path, out: Path, start: int, days: int) -> None:
    """The real documents, their dates spread over `days` from `start` in their order."""
    import re

    files = sorted(p for p in real.rglob("*.md"))
    dated = re.compile(r"^publishedDateTime: .*$", re.MULTILINE)
    texts = [p.read_text(encoding="utf-8") for p in files]
    order = sorted(range(len(files)), key=lambda i: (dated.search(texts[i]) or [""])[0])
    for rank, i in enumerate(order):
        when = time.gmtime(start + rank * days * 86400 // max(1, len(files)))
        stamp = time.strftime("publishedDateTime: %Y-%m-%dT%H:%M:%SZ", when)
        target = out / files[i].relative_to(real)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dated.sub(stamp, texts[i], count=1), encoding="utf-8")


def _generated(
    out: Path, n: int, seed: int, start: int, days: int, subjects: Sequence[str] | None
) -> None:
    """`n` generated filler documents dated over `days` from `start`, without coverage."""
    # The seeds' event itself (facial recognition halted or banned) is left out of it.
    avoid = [("facial recognition", "halt"), ("facial recognition", "ban")]
    unlinked.write_filler(
        out, n, seed=seed, span=(start, start + days * 86400), subjects=subjects, avoid=avoid
    )


# --- running newsq -------------------------------------------------------------------------


def stories_of(folder: Path, **options: float | bool) -> list[list[str]]:
    """Every story newsq finds in `folder` (one document alone too), as lists of ids."""
    import newsq

    with newsq.load([folder], cache=False) as index:
        found = index.stories(min_documents=None, min_articles=None, **options)
        return [list(story.documents) for story in found]


def _short(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[-1]


@dataclass
class Outcome:
    suite: str
    documents: int
    stories: int
    scores: Scores | None
    largest: int
    seconds: float


#: `Index.stories` options every suite is grouped with (`--threshold`, `--window`,
#: `--meaning`).
OPTIONS: dict[str, float | bool] = {}


def run_suite(name: str, work: Path, real: Path | None, seed: int) -> list[Outcome]:
    folder = work / name
    if folder.exists():
        shutil.rmtree(folder)
    outcomes = []
    if name == "seed-story":
        truth = [write_seed_story(folder, real, filler=0, seed=seed)]
        if real is not None and real.is_dir():
            outcomes.append(_measure("seed-story + real sample", folder, truth))
        _generated(folder / "generated", 1500, seed, 1590969600, 40, subjects=None)
        outcomes.append(_measure("seed-story + real + 1,500 generated", folder, truth))
    elif name == "paraphrased":
        truth = unlinked.write_paraphrased(folder, 2000, stories=25, seed=seed)
        outcomes.append(_measure(name, folder, truth))
    elif name == "one-subject":
        if real is not None and real.is_dir():
            _redated_copy(real, folder / "real", 1590969600, 40)
            outcomes.append(_measure("one-subject (real sample)", folder, []))
        start = 1590969600
        _generated(folder / "generated", 1000, seed, start, 40, subjects=unlinked.POWER_APPS)
        outcomes.append(_measure("one-subject (real + 1,000 generated)", folder, []))
    elif name == "planted":
        size, planted, days = 3000, 40, 77
        generate.generate(folder, size, seed=7, stories=planted, days=days, jobs=1)
        truth = [
            [Path(n).stem for n in names]
            for names in generate.planted_stories(size, seed=7, stories=planted, days=days)
        ]
        outcomes.append(_measure(name, folder, truth))
    elif name == "held-out":
        outcomes.extend(_held_out(folder, real))
    else:
        raise ValueError(f"no suite {name!r}")
    return outcomes


def held_out_files(folder: Path | None = None) -> dict[str, Path]:
    """The held-out data sets found: {"gnews": path, "uci": path, "ecbplus": folder},
    those that exist."""
    folder = folder or HELDOUT
    found = {
        "gnews": folder / "gnews.json",
        "uci": folder / "uci.csv",
        "ecbplus": folder / "ecbplus",
    } | HELD_OUT
    return {
        name: path
        for name, path in found.items()
        if (path.is_dir() if name == "ecbplus" else path.is_file())
    }


def _held_out(folder: Path, real: Path | None) -> list[Outcome]:
    import heldout

    files = held_out_files()
    outcomes = []
    if "gnews" in files:
        stories = heldout.gnews_stories(files["gnews"])
        truth = heldout.write_stories(folder / "gnews", stories)
        outcomes.append(
            _measure(
                f"held-out: one day of Google News ({heldout.describe(stories)})",
                folder / "gnews",
                truth,
            )
        )
        events = lead_events(stories)
        if events is not None:
            leads, other = lead_event_stories(truth, events)
            outcomes.append(
                _measure(
                    f"held-out: the same, each story's lead event as a reader judged it "
                    f"({len(other)} of {len(events)} other articles left out)",
                    folder / "gnews",
                    leads,
                    unscored=other,
                )
            )
        if real is not None and real.is_dir():
            start, end = heldout.span(stories)
            _redated_copy(
                real, folder / "gnews" / "real", start, max(1, (end - start) // 86400 + 1)
            )
            outcomes.append(
                _measure("held-out: the same among the real sample", folder / "gnews", truth)
            )
    if "uci" in files:
        stories = heldout.uci_stories(files["uci"])
        truth = heldout.write_stories(folder / "uci", stories)
        outcomes.append(
            _measure(
                f"held-out: UCI News Aggregator titles ({heldout.describe(stories)})",
                folder / "uci",
                truth,
            )
        )
    if "ecbplus" in files:
        for together, how in ((False, "each day's 43 events"), (True, "twins on one day")):
            stories = heldout.ecbplus_stories(files["ecbplus"], together)
            place = folder / ("ecbplus-together" if together else "ecbplus")
            truth = heldout.write_stories(place, stories)
            outcomes.append(
                _measure(
                    f"held-out: ECB+ events, {how} ({heldout.describe(stories)})", place, truth
                )
            )
    if not outcomes:
        print(
            "held-out: no data set found (--gnews, --uci, --ecbplus or --heldout)",
            file=sys.stderr,
        )
    return outcomes


def lead_events(stories: Sequence[Sequence[Article]]) -> dict[str, bool] | None:
    """For each of the Google News day's articles but the leads (by its name as
    `heldout.write_stories` writes it), whether it reports its story's lead event, as
    `EVENTS` says; None when that file is not about these articles (its titles differ)."""
    if not EVENTS.is_file():
        return None
    judged = json.loads(EVENTS.read_text(encoding="utf-8"))
    titles = {
        f"held-{s:04d}-{a:03d}": article.title
        for s, story in enumerate(stories)
        for a, article in enumerate(story)
        if a > 0
    }
    if {name: told["title"] for name, told in judged.items()} != titles:
        print(f"held-out: {EVENTS.name} is about other articles: not scored", file=sys.stderr)
        return None
    return {name: told["label"] == "same" for name, told in judged.items()}


def lead_event_stories(
    truth: Sequence[Sequence[str]], events: Mapping[str, bool]
) -> tuple[list[list[str]], set[str]]:
    """The true stories of the articles that report their lead's event (`lead_events`),
    those of two or more, and the articles that do not (left out of that score)."""
    other = {name for name, same in events.items() if not same}
    leads = [[d for d in story if d not in other] for story in truth]
    return [story for story in leads if len(story) > 1], other


def left_out(found: Iterable[Sequence[str]], unscored: Iterable[str]) -> list[list[str]]:
    """Stories found, without the documents `unscored` (those left empty dropped)."""
    dropped = set(unscored)
    return [kept for story in found if (kept := [d for d in story if d not in dropped])]


def _measure(
    name: str, folder: Path, truth: Sequence[Sequence[str]], unscored: Iterable[str] = ()
) -> Outcome:
    """Group `folder` and score it against `truth`, the documents `unscored` left out."""
    started = time.perf_counter()
    found = stories_of(folder, **OPTIONS)
    seconds = time.perf_counter() - started
    found = left_out([[_short(d) for d in story] for story in found], unscored)
    scores = score(found, truth) if truth else None
    return Outcome(
        name,
        sum(len(s) for s in found),
        sum(1 for s in found if len(s) > 1),
        scores,
        max((len(s) for s in found), default=0),
        seconds,
    )


def report(outcomes: Iterable[Outcome]) -> str:
    lines = [
        "| suite | documents | stories of 2+ | largest | pairwise P | R | F1 | B-cubed P | R | F1 "
        "| true stories: size/most together |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for o in outcomes:
        s = o.scores
        cells = s.row() if s else "- | - | - | - | - | -"
        hits = " ".join(f"{a}/{b}" for a, b in s.stories_hit[:12]) if s else "-"
        if s and len(s.stories_hit) > 12:
            whole = sum(1 for a, b in s.stories_hit if a == b)
            hits += f" … ({whole}/{len(s.stories_hit)} whole)"
        lines.append(
            f"| {o.suite} | {o.documents:,} | {o.stories:,} | {o.largest} | {cells} | {hits} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=None, help="where suites are written")
    parser.add_argument("--suites", default=",".join(SUITES), help="comma-separated suites")
    parser.add_argument("--real", type=Path, default=REAL, help="the real sample's folder")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--threshold", type=float, help="the stories' --threshold")
    parser.add_argument("--window", type=float, help="the stories' --window, in days")
    parser.add_argument(
        "--meaning", action="store_true", help="the stories' --meaning (the meaning extra)"
    )
    parser.add_argument("--heldout", type=Path, default=HELDOUT, help="the held-out files' folder")
    parser.add_argument("--gnews", type=Path, help="a Google News headlines response (held-out)")
    parser.add_argument("--uci", type=Path, help="the UCI News Aggregator CSV (held-out)")
    parser.add_argument("--ecbplus", type=Path, help="the ECB+ articles' folder (held-out)")
    args = parser.parse_args(argv)
    HELD_OUT.update(held_out_files(args.heldout))
    given = (("gnews", args.gnews), ("uci", args.uci), ("ecbplus", args.ecbplus))
    HELD_OUT.update({k: v for k, v in given if v})
    OPTIONS.update({k: v for k, v in (("threshold", args.threshold), ("window", args.window)) if v})
    if args.meaning:
        OPTIONS["meaning"] = True
    work = args.work or Path(tempfile.mkdtemp(prefix="newsq-stories-"))
    outcomes = []
    for name in args.suites.split(","):
        outcomes.extend(run_suite(name.strip(), work, args.real, args.seed))
        print(report(outcomes[-1:]).splitlines()[-1], file=sys.stderr)
    print(report(outcomes))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
