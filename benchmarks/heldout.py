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

Each document is written as a user's folder holds it, without `related`, its date
its publication (or crawl) time. Standard library and the benchmark's writer only.
"""

from __future__ import annotations

import csv
import json
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
