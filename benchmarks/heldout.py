"""Held-out real articles for `stories_eval.py`: stories someone else grouped, as a folder.

newsq's grouping rule was chosen on the seeds' story, the real sample and generated
folders. These are other real articles, never looked at while choosing it, whose
stories a news aggregator grouped (Google News): they measure the rule on text it was
not tuned to. Neither data set is shipped with newsq (they are other people's
articles); give their paths:

- `--gnews FILE`: a response of a Google News headlines API (a JSON object, alone
  or inside a source file, with `data`: stories, each a lead article with `title`,
  `link`, `snippet`, `published_datetime_utc`, `source_name`, `source_url` and
  `sub_articles`, the same story in other outlets, without snippets). Each lead and
  sub-article becomes a document (the lead's snippet its excerpt); a story of two
  or more is a true story, a lead alone a distractor. One day of world news: many
  stories at once, some of one war or one election.
- `--uci FILE`: the UCI News Aggregator data set's CSV (ID, TITLE, URL, PUBLISHER,
  CATEGORY, STORY, HOSTNAME, TIMESTAMP in ms), or its first rows: titles only,
  every row of a STORY a true story (Google News' own clusters, some loose).
- `--ecbplus DIR`: the ECB+ corpus (Cybulska and Vossen, LREC 2014; CC BY 3.0) as
  one JSON file per article (`title`, `text`, `url`, as the GitHub repository
  anastasia-zhukova/Diverse_CDCR_datasets holds it in
  `ECBplus-prep/output_data/test_parsing/`, files named `<topic>_<n>ecb.json` or
  `<topic>_<n>ecbplus.json`, in any folders under DIR; the folder's other files,
  annotations and MEANTIME's, are not read).
  982 articles of 43 topics, each topic two events of one kind (Tara Reid enters
  rehab / Lindsay Lohan enters rehab; an earthquake in California / one in
  Indonesia): each event's articles a true story, so a story that mixes a topic's
  two events loses precision. Its articles carry no reliable date. The events of
  ECB (2008-09) are written on one day and those ECB+ added (2012-13) on another,
  as they were years apart: 43 events at once each day, as in a day of news. With
  `together`, all on one day: each topic's twin events at once too, which wording
  alone has to tell apart.

Each document is written as a user's folder holds it, without `related`, its date
its publication (or crawl) time. Standard library and the benchmark's writer only.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from stories_eval import Article, document_text


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _domain(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return host.removeprefix("www.")


def gnews_stories(path: Path) -> list[list[Article]]:
    """Every story of a Google News headlines response, lead article first."""
    text = path.read_text(encoding="utf-8")
    found = _object_with_data(text)
    stories = []
    seen: set[str] = set()
    for item in found["data"]:
        story = []
        for n, part in enumerate([item, *(item.get("sub_articles") or [])]):
            url = part.get("link") or ""
            if not part.get("title") or not url or url in seen:
                continue
            seen.add(url)
            published = part.get("published_datetime_utc") or ""
            story.append(
                Article(
                    title=part["title"],
                    excerpt=(part.get("snippet") or "") if n == 0 else "",
                    published=published[:19] + "Z" if published else "",
                    url=url,
                    outlet=part.get("source_name") or _domain(url),
                    domain=_domain(part.get("source_url") or url),
                )
            )
        if story:
            stories.append(story)
    return stories


def _object_with_data(text: str) -> dict[str, Any]:
    """The JSON object with a `data` list: the whole text, or the first such object in it
    (a response pasted into a source file)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start >= 0:
        try:
            found, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            found = None
        if isinstance(found, dict) and isinstance(found.get("data"), list):
            return found
        start = text.find("{", start + 1)
    raise ValueError("no JSON object with a 'data' list")


def uci_stories(path: Path, limit: int | None = None) -> list[list[Article]]:
    """The UCI News Aggregator rows, by STORY (in the order first seen)."""
    stories: dict[str, list[Article]] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            if limit is not None and n >= limit:
                break
            stamp = row.get("TIMESTAMP") or ""
            if not stamp.isdigit() or not row.get("TITLE") or not row.get("STORY"):
                continue  # (a cut last row)
            url = (row.get("URL") or "").replace("\\?", "?")
            stories.setdefault(row["STORY"], []).append(
                Article(
                    title=row["TITLE"],
                    excerpt="",
                    published=_iso(int(stamp) / 1000),
                    url=url,
                    outlet=(row.get("PUBLISHER") or "").replace("\\(", "(").replace("\\)", ")"),
                    domain=_domain(row.get("HOSTNAME") or url),
                )
            )
    return list(stories.values())


#: The days ECB+'s articles are written on (their own dates are mostly absent): one for
#: ECB's events, one for the twins ECB+ added.
ECB_DAY = "2020-01-15T12:00:00Z"
ECBPLUS_DAY = "2020-06-15T12:00:00Z"
#: ECB+ texts are tokenised ("Reid ' s", "Calif .", "`` Pie ''"): spaces before closing
#: marks and after opening ones are taken out again, so titles read as a site prints them.
_TOKEN_SPACE = re.compile(r" (?=[.,;:!?%)\]”]|[\u2019'] ?(?:s|t|re|ve|ll|d|m)\b)|(?<=[(\[“$]) ")
_APOSTROPHE_SPACE = re.compile(r"(?<=[\u2019'])\s(?=(?:s|t|re|ve|ll|d|m)\b)")
#: An excerpt as a feed gives one: the text's first sentences, up to about this long.
EXCERPT_CHARS = 300


def ecbplus_stories(folder: Path, together: bool = False) -> list[list[Article]]:
    """ECB+'s articles by event (topic number and `ecb` or `ecbplus`), in topic order:
    a topic's two events on days apart, or on one day `together`."""
    name = re.compile(r"^(\d+)_(\d+)(ecb|ecbplus)\.json$")
    events: dict[tuple[int, str], list[tuple[int, Article]]] = {}
    for path in folder.rglob("*.json"):
        found = name.match(path.name)
        if found is None:
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            title = _detokenised(record.get("title") or "")
        except (OSError, ValueError, AttributeError) as error:
            print(f"{path}: not an ECB+ article, left out ({error})", file=sys.stderr)
            continue
        if not title:
            continue
        topic, n, half = int(found[1]), int(found[2]), found[3]
        url = _detokenised(record.get("url") or "").replace(" ", "")
        events.setdefault((topic, half), []).append(
            (
                n,
                Article(
                    title=title,
                    excerpt=_excerpt(_detokenised(record.get("text") or "")),
                    published=ECBPLUS_DAY if half == "ecbplus" and not together else ECB_DAY,
                    url=url if "://" in url else f"https://ecbplus.invalid/{path.stem}",
                    outlet=_domain(url) if "://" in url else "ECB+",
                    domain=_domain(url) if "://" in url else "ecbplus.invalid",
                ),
            )
        )
    return [[a for _, a in sorted(events[key])] for key in sorted(events)]


def _detokenised(text: str) -> str:
    text = " ".join(text.split()).replace("`` ", "“").replace(" ''", "”")
    text = _APOSTROPHE_SPACE.sub("", _TOKEN_SPACE.sub("", text))
    return text.replace("“", '"').replace("”", '"')


def _excerpt(text: str) -> str:
    """The first sentences of `text`, whole, within `EXCERPT_CHARS` (one at least)."""
    cut = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if cut and len(cut) + 1 + len(sentence) > EXCERPT_CHARS:
            break
        cut = f"{cut} {sentence}".strip()
    return cut


def write_stories(folder: Path, stories: Iterable[Sequence[Article]]) -> list[list[str]]:
    """Each article as a document in `folder`; the ids of every story of two or more."""
    folder.mkdir(parents=True, exist_ok=True)
    truth = []
    for s, story in enumerate(stories):
        names = []
        for a, article in enumerate(story):
            name = f"held-{s:04d}-{a:03d}"
            (folder / f"{name}.txt").write_text(document_text(article), encoding="utf-8")
            names.append(name)
        if len(names) > 1:
            truth.append(names)
    return truth


def span(stories: Iterable[Sequence[Article]]) -> tuple[int, int]:
    """The first and last publication times (seconds) of these stories' articles."""
    times = [
        time.mktime(time.strptime(a.published, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        for story in stories
        for a in story
        if a.published
    ]
    return int(min(times)), int(max(times))


def describe(stories: Sequence[Sequence[Any]]) -> str:
    sizes = sorted((len(s) for s in stories), reverse=True)
    return f"{sum(sizes)} articles, {sum(1 for n in sizes if n > 1)} stories of 2+"
