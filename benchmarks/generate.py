"""Write a synthetic newsq corpus in the format of the seeds: one article per file.

    python benchmarks/generate.py OUT_DIR -n 100000 [--seed S] [--bad K] [--bodies 0.1]

Each file is `NNNNNN_<16 hex>.txt` in one flat folder: a `---` line, YAML front
matter with the seeds' fields (title, excerpt, dates, URLs, provider, topics,
quality, heat, images, related coverage, `secured`), a closing `---` line and,
for a fraction of the files, a Markdown body. The same arguments always write
byte-identical files. `--bad K` adds K broken files among them (unclosed front
matter, a YAML syntax error, front matter that is not a mapping, text that is
not UTF-8), which newsq skips and reports.

Standard library only. Also importable:
`generate(out_dir, n, seed=0, bad=0, bodies=0.1, jobs=None) -> list[Path]`.
"""

from __future__ import annotations

import argparse
import base64
import collections
import itertools
import json
import multiprocessing
import os
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

#: Two words `newsq search` finds in a few percent of the generated documents.
SEARCH_QUERY = "facial recognition"
#: The topic the benchmarks filter on.
BENCH_TOPIC = "Computer Vision"

T = TypeVar("T")

_EPOCH_START = 1514764800  # 2018-01-01T00:00:00Z
_EPOCH_END = 1735689600  # 2025-01-01T00:00:00Z
_DENSE_START = 1704067200  # 2024-01-01T00:00:00Z

COMPANIES = (
    "Microsoft", "Amazon", "IBM", "Google", "Meta", "Apple", "OpenAI", "Nvidia", "Baidu",
    "Tencent", "DeepMind", "Anthropic", "Siemens", "Nestlé", "Samsung", "Intel", "Huawei",
    "Clearview AI", "Palantir", "Tesla", "Waymo", "Uber", "SAP", "Philips", "Spotify",
    "Zalando", "Alibaba", "ByteDance", "Sony", "Škoda", "Renault", "Mistral", "Hugging Face",
)  # fmt: skip
SUBJECTS = (
    "facial recognition", "self-driving cars", "chatbots", "large language models",
    "machine translation", "medical imaging", "deepfakes", "speech recognition", "drones",
    "warehouse robots", "predictive policing", "recommendation engines", "image generators",
    "voice assistants", "fraud detection", "crop-monitoring satellites", "emotion detection",
    "AI chips", "code assistants", "autonomous trucks", "smart cameras", "biometric passports",
    "sentiment analysis", "protein folding", "weather models", "content moderation",
    "license-plate readers", "humanoid robots", "synthetic voices", "open-source models",
)  # fmt: skip
VERBS = (
    "pauses", "expands", "bans", "unveils", "tests", "defends", "scraps", "doubles down on",
    "rethinks", "opens up", "limits", "bets big on", "pulls back from", "rolls out",
    "quietly drops", "demands rules for", "sells off", "invests €2bn in",
)  # fmt: skip
PLACES = (
    "Zürich", "São Paulo", "Montréal", "Köln", "Málaga", "Kraków", "Reykjavík", "Besançon",
    "Tromsø", "Düsseldorf", "Bogotá", "Gdańsk", "Łódź", "Brașov", "Curaçao", "Genève",
    "London", "Detroit", "Portland", "Seoul", "Nairobi", "Lagos", "Austin", "Toronto",
    "Berlin", "Paris", "Tokyo", "Shenzhen", "Bangalore", "Tel Aviv", "Boston", "Oakland",
)  # fmt: skip
ACTORS = (
    "police", "regulators", "hospitals", "schools", "banks", "city councils", "insurers",
    "retailers", "farmers", "airlines", "civil rights groups", "lawmakers", "startups",
    "universities", "newsrooms", "border agencies", "carmakers", "unions",
)  # fmt: skip
ADJECTIVES = (
    "controversial", "powerful", "emerging", "cheap", "unregulated", "experimental",
    "open-source", "biased", "energy-hungry", "long-awaited", "much-hyped", "secretive",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LEAD_ENDINGS = (
    "called it “a turning point”.", "declined to say what it cost.",
    "said more details would follow.", "said the first results were encouraging.",
    "would not comment on the timing.", "said the plan had been years in the making.",
    "expects the work to pay for itself.", "said customers had asked for it.",
)  # fmt: skip
EMOJI = ("🤖", "🚀", "📈", "🔒", "🧠", "⚡", "🚓", "🩺")
TOPICS = (
    "AI", "Computer Vision", "Natural Language Processing", "Machine Learning",
    "Deep Learning", "Robotics", "Autonomous Vehicles", "Facial Recognition", "Ethics",
    "Privacy", "Regulation", "Healthcare", "Cybersecurity", "Big Data", "Cloud Computing",
    "Edge Computing", "Chatbots", "Speech Recognition", "Reinforcement Learning",
    "Generative AI", "Drones", "Fintech", "Smart Cities", "Semiconductors", "Startups",
    "Open Source", "Quantum Computing", "Internet of Things", "Augmented Reality",
    "Virtual Reality", "Climate Tech", "Agriculture", "Education", "Retail", "Surveillance",
    "Labor", "Misinformation", "Data Science", "Neural Networks", "Power Apps",
)  # fmt: skip
OUTLETS = (
    ("Forbes", "forbes.com"), ("Washington Post", "washingtonpost.com"),
    ("Fast Company", "fastcompany.com"), ("Local News 8", "localnews8.com"),
    ("Quartz", "qz.com"), ("VentureBeat", "venturebeat.com"), ("SC Media", "scmagazine.com"),
    ("The Verge", "theverge.com"), ("Portland Press Herald", "pressherald.com"),
    ("Mercury News", "mercurynews.com"), ("The Times of Israel", "timesofisrael.com"),
    ("HotNewHipHop", "hotnewhiphop.com"), ("Mashable", "mashable.com"),
    ("NBC News", "nbcnews.com"), ("CNET", "cnet.com"), ("CNN", "cnn.com"), ("CNBC", "cnbc.com"),
    ("BuzzFeed News", "buzzfeednews.com"), ("ZDNet", "zdnet.com"), ("BBC", "bbc.co.uk"),
    ("The Guardian", "theguardian.com"), ("UPI.com", "upi.com"), ("SFGate", "sfgate.com"),
    ("Wired", "wired.com"), ("TechCrunch", "techcrunch.com"), ("Engadget", "engadget.com"),
    ("Ars Technica", "arstechnica.com"), ("Reuters", "reuters.com"),
    ("Bloomberg", "bloomberg.com"), ("The New York Times", "nytimes.com"),
    ("Financial Times", "ft.com"), ("The Register", "theregister.com"),
    ("MIT Technology Review", "technologyreview.com"), ("Le Monde", "lemonde.fr"),
    ("Der Spiegel", "spiegel.de"), ("Neue Zürcher Zeitung", "nzz.ch"),
    ("El País", "elpais.com"), ("Süddeutsche Zeitung", "sueddeutsche.de"),
    ("Folha de S.Paulo", "folha.uol.com.br"), ("Le Temps", "letemps.ch"),
    ("Heise", "heise.de"), ("Nikkei Asia", "asia.nikkei.com"), ("The Hindu", "thehindu.com"),
    ("Al Jazeera", "aljazeera.com"), ("Axios", "axios.com"), ("Politico", "politico.com"),
    ("The Atlantic", "theatlantic.com"), ("Vox", "vox.com"), ("Gizmodo", "gizmodo.com"),
    ("Business Insider", "businessinsider.com"), ("Fortune", "fortune.com"),
    ("Inc.", "inc.com"), ("Protocol", "protocol.com"), ("Rest of World", "restofworld.org"),
    ("Microsoft", "microsoft.com"), ("Nature", "nature.com"), ("New Scientist", "newscientist.com"),
    ("IEEE Spectrum", "spectrum.ieee.org"), ("Towards Data Science", "towardsdatascience.com"),
    ("The Next Web", "thenextweb.com"), ("Silicon Republic", "siliconrepublic.com"),
)  # fmt: skip
_MASTHEADS = (
    "Courier", "Gazette", "Tribune", "Herald", "Chronicle", "Post", "Times", "Observer",
    "Ledger", "Sentinel", "Daily", "Wire", "Tech Review", "Insider",
)  # fmt: skip
_SUFFIXES = (".com", ".com", ".com", ".co.uk", ".de", ".ch", ".fr", ".news", ".org")
_SECTIONS = ("tech", "business", "news", "science", "world", "money", "innovation")
_IMAGE_SIZES = ((1200, 630), (1200, 800), (1440, 960), (1280, 720), (1024, 576), (800, 534))
_IMAGE_HOSTS = ("images", "cdn", "media", "static", "img", "assets")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _SLUG_JUNK.sub("-", _ascii(text).lower()).strip("-")[:90]


def quote(text: str) -> str:
    """A YAML double-quoted scalar: backslashes and double quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, slots=True)
class _Outlet:
    name: str
    domain: str
    url_style: int
    block: str  # `provider:` as it appears in a related item (4-space indent)
    top_block: str  # `provider:` at the top level, with the logo image


def _name_yaml(name: str) -> str:
    plain = re.fullmatch(r"[A-Za-z][\w .&'-]*[\w.]", name) is not None
    return name if plain else quote(name)


def _outlets() -> tuple[_Outlet, ...]:
    """About 300 outlets: the real ones of the seeds and more, then made-up city papers."""
    pairs = list(OUTLETS)
    for masthead in _MASTHEADS:
        for i, place in enumerate(PLACES):
            if len(pairs) >= 300:
                break
            name = f"The {place} {masthead}"
            suffix = _SUFFIXES[(i + len(masthead)) % len(_SUFFIXES)]
            pairs.append((name, _slug(place + masthead).replace("-", "") + suffix))
    outlets = []
    for i, (name, domain) in enumerate(pairs):
        name_yaml = _name_yaml(name)
        logo = (
            "https://smartableai.github.io/artificial-intelligence/assets/images/"
            f"organizations/{domain}-50x50.jpg"
        )
        block = f"    provider:\n      name: {name_yaml}\n      domain: {domain}\n"
        top = f"provider:\n  name: {name_yaml}\n  domain: {domain}\n"
        if i % 3 != 2:  # most outlets have a logo
            top += f'  images:\n    - url: "{logo}"\n      width: 50\n      height: 50\n'
        outlets.append(_Outlet(name, domain, i % 4, block, top))
    return tuple(outlets)


_OUTLETS = _outlets()


class _Writer:
    """Builds the text of documents from one random stream."""

    def __init__(self, rng: random.Random, bodies: float) -> None:
        self.rng = rng
        self.number = 0  # the file's, for names no other file has
        self.bodies = bodies
        r = rng.random

        def ch(items: Sequence[T]) -> T:  # random.choice, without its overhead
            return items[int(r() * len(items))]

        self.r = r
        self.ch = ch
        self.title_templates: tuple[Callable[[], str], ...] = (
            lambda: f"{ch(COMPANIES)} {ch(VERBS)} {ch(SUBJECTS)} for {ch(ACTORS)}",
            lambda: f"{ch(COMPANIES)} {ch(VERBS)} {ch(SUBJECTS)} after protests in {ch(PLACES)}",
            lambda: f"How {ch(SUBJECTS)} are changing the way {ch(ACTORS)} work",
            lambda: (
                f"{ch(COMPANIES)}’s {ch(ADJECTIVES)} {ch(SUBJECTS)} push meets resistance "  # noqa: RUF001
                f"in {ch(PLACES)}"
            ),
            lambda: f"Why {ch(SUBJECTS)} won’t save {ch(ACTORS)} — yet",  # noqa: RUF001
            lambda: f"“A national law in place”: {ch(COMPANIES)} on {ch(SUBJECTS)}",
            lambda: f"{ch(ACTORS).capitalize()} in {ch(PLACES)} turn to {ch(SUBJECTS)}",
            lambda: f'Is "{ch(SUBJECTS)}" the new {ch(SUBJECTS)}? {ch(COMPANIES)} thinks so',
            lambda: (
                f"{ch(COMPANIES)} and {ch(COMPANIES)} {ch(VERBS)} {ch(SUBJECTS)} "
                "and demand regulation"
            ),
        )
        # Sentences are an opening and a clause, each of many: unrelated documents share
        # common words (companies, subjects, places), seldom a whole sentence's wording.
        self.openings: tuple[Callable[[], str], ...] = (
            lambda: "",
            lambda: "",
            lambda: "",
            lambda: f"On {ch(WEEKDAYS)}, ",
            lambda: f"In {ch(PLACES)}, ",
            lambda: "Meanwhile, ",
            lambda: "After months of debate, ",
            lambda: "Last week, ",
            lambda: "For now, ",
            lambda: f"As {ch(ACTORS)} watch closely, ",
        )
        self.clauses: tuple[Callable[[], str], ...] = (
            lambda: (
                f"{ch(COMPANIES)} has confirmed it {ch(VERBS)} its {ch(ADJECTIVES)} "
                f"{ch(SUBJECTS)} until laws guarantee protections for {ch(ACTORS)}."
            ),
            lambda: (
                f"following pressure from {ch(ACTORS)}, {ch(COMPANIES)} said it would review "
                f"how {ch(SUBJECTS)} are sold to {ch(ACTORS)} in {ch(PLACES)}."
            ),
            lambda: (
                "studies have shown the technology misidentifies people more often than "
                f"its makers admit, and {ch(ACTORS)} in {ch(PLACES)} have restricted its use."
            ),
            lambda: (
                f"the move follows similar steps by {ch(COMPANIES)} and {ch(COMPANIES)}, "
                f"which halted sales of {ch(SUBJECTS)} last year."
            ),
            lambda: (
                f"critics call it “a {ch(ADJECTIVES)} experiment on the public”; "
                f"supporters say {ch(SUBJECTS)} will cut costs for {ch(ACTORS)}."
            ),
            lambda: (
                f"a pilot of {ch(SUBJECTS)} run with {ch(COMPANIES)} "
                f"reached {int(r() * 900) + 100} {ch(ACTORS)} in its first month."
            ),
            lambda: f"{ch(ACTORS)} are spending more on {ch(SUBJECTS)} than on staff.",
            lambda: f"{ch(COMPANIES)} {ch(VERBS)} {ch(SUBJECTS)} to win over {ch(ACTORS)}.",
            lambda: (
                f"shares of {ch(COMPANIES)} rose {int(r() * 9) + 1}% on its {ch(SUBJECTS)} plans."
            ),
            lambda: f"{ch(ACTORS)} warn that {ch(SUBJECTS)} could deepen inequalities.",
            lambda: f"the chief executive of {ch(COMPANIES)} called {ch(SUBJECTS)} a priority.",
            lambda: (
                f"a leaked memo shows {ch(COMPANIES)} weighing a {ch(ADJECTIVES)} bet "
                f"on {ch(SUBJECTS)}."
            ),
            lambda: f"regulators in {ch(PLACES)} opened a consultation on {ch(SUBJECTS)}.",
            lambda: f"{ch(COMPANIES)} hired {int(r() * 900) + 100} engineers for {ch(SUBJECTS)}.",
            lambda: f"the market for {ch(SUBJECTS)} is expected to double within five years.",
            lambda: f"{ch(ACTORS)} in {ch(PLACES)} say {ch(SUBJECTS)} cut their waiting times.",
            lambda: (
                f"few {ch(ACTORS)} understand how {ch(SUBJECTS)} make decisions, a survey found."
            ),
            lambda: f"{ch(COMPANIES)} declined to comment on its plans for {ch(SUBJECTS)}.",
            lambda: f"the {ch(KINDS)} at {ch(COMPANIES)} weighs on its {ch(SUBJECTS)} plans.",
            lambda: f"{ch(ACTORS)} expect a {ch(KINDS)} over {ch(SUBJECTS)} to cost them dearly.",
            lambda: f"an open letter from {ch(ACTORS)} asks for a moratorium on {ch(SUBJECTS)}.",
            lambda: (
                f"an audit found the {ch(SUBJECTS)} of {ch(ACTORS)} {ch(ADJECTIVES)} "
                "and undocumented."
            ),
        )

    def sentence(self) -> str:
        opening = self.ch(self.openings)()
        clause = self.ch(self.clauses)()
        text = opening + clause
        return text[0].upper() + text[1:]

    # --- pieces ---------------------------------------------------------------

    def title(self) -> str:
        text = self.ch(self.title_templates)()
        text = text[0].upper() + text[1:]
        x = self.r()
        if x < 0.04:
            text += " " + self.ch(EMOJI)
        elif x < 0.045:
            text += " (C:\\Models\\v2 leak)"  # a backslash to escape
        return text

    def lead(self) -> tuple[str, str]:
        """A filler document's title and excerpt. Most are about a name of their own (a
        company or product, and a person), as real articles are: unrelated documents
        share common words, not the names that make a story."""
        title, excerpt = self.title(), self.excerpt()
        ch = self.ch
        name, surname = coined(2 * self.number), coined(2 * self.number + 1)
        person = f"{ch(FIRST_NAMES)} {surname}"
        company = next((c for c in COMPANIES if c in title), None)
        title = title.replace(company, name, 1) if company else f"{name}: {title}"
        return title, f"{excerpt} {person} of {name} {ch(_LEAD_ENDINGS)}"

    def excerpt(self) -> str:
        if self.r() < 0.6:
            return self.sentence() + " " + self.sentence()
        return self.sentence()

    def timestamp(self, ts: int) -> str:
        t = time.gmtime(ts)
        return (
            f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
            f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z"
        )

    def outlet(self) -> _Outlet:
        return _OUTLETS[int(len(_OUTLETS) * self.r() ** 2)]  # big outlets are common

    def urls(self, outlet: _Outlet, slug: str, ts: int, indent: str) -> str:
        """webUrl, and ampWebUrl with cdnAmpWebUrl for about half the articles."""
        r = self.r
        t = time.gmtime(ts)
        domain = outlet.domain
        host = domain if domain.count(".") > 1 else "www." + domain
        style = outlet.url_style
        if style == 0:
            path = f"{t.tm_year}/{t.tm_mon:02d}/{t.tm_mday:02d}/{slug}/"
            amp = path + "amp/"
        elif style == 1:
            path = f"{self.ch(_SECTIONS)}/{slug}-{int(r() * 90000000) + 10000000}.html"
            amp = "amp/" + path
        elif style == 2:
            path = f"{int(r() * 9000000) + 1000000}/{slug}/"
            amp = path + "?outputType=amp"
        else:
            path = f"{self.ch(_SECTIONS)}/{t.tm_year}/{slug}"
            amp = path + ".amp"
        web = f"https://{host}/{path}"
        if r() < 0.5:
            return f'{indent}webUrl: "{web}"\n'
        cdn = f"https://{host.replace('.', '-')}.cdn.ampproject.org/c/s/{host}/{amp}"
        return (
            f'{indent}webUrl: "{web}"\n'
            f'{indent}ampWebUrl: "https://{host}/{amp}"\n'
            f'{indent}cdnAmpWebUrl: "{cdn}"\n'
        )

    def image_url(self, outlet: _Outlet, ts: int) -> str:
        t = time.gmtime(ts)
        return (
            f"https://{self.ch(_IMAGE_HOSTS)}.{outlet.domain}/uploads/{t.tm_year}/"
            f"{t.tm_mon:02d}/{self.rng.getrandbits(64):016x}.jpg"
        )

    def doc_type(self) -> str:
        x = self.r()
        if x < 0.86:
            return "article"
        if x < 0.93:
            return "video"
        if x < 0.95:
            return '"video"'  # quoted, as some real files have it
        return self.ch(("slideshow", "podcast", "collection", "download"))

    def topics(self) -> str:
        x = self.r()
        count = 1 + (x < 0.55) + (x < 0.15)
        chosen: list[str] = []
        while len(chosen) < count:
            topic = TOPICS[int(len(TOPICS) * self.r() ** 1.6)]  # the first topics are common
            if topic not in chosen:
                chosen.append(topic)
        if count > 1 and "AI" not in chosen and self.r() < 0.5:
            chosen[-1] = "AI"  # as in the seeds, most articles are also about AI
        return "topics:\n" + "".join(f"  - {t}\n" for t in chosen)

    def related_count(self) -> int:
        x = self.r()
        if x < 0.10:
            return 0
        if x < 0.82:
            return 1 + int(self.r() * 8)  # 1 to 8
        return 7 + int(self.r() * 10)  # 7 to 16

    def related(self, ts: int) -> str:
        count = self.related_count()
        if not count:
            return ""
        r = self.r
        parts = ["related:\n"]
        for _ in range(count):
            outlet = self.outlet()
            title = self.title()
            when = ts + int((r() - 0.6) * 5 * 86400)
            parts.append(f"  - title: {quote(title)}\n    excerpt: {quote(self.excerpt())}\n")
            if r() < 0.97:
                parts.append(f"    publishedDateTime: {self.timestamp(when)}\n")
            parts.append(self.urls(outlet, _slug(title), when, "    "))
            parts.append(f"    type: {self.doc_type()}\n")
            parts.append(outlet.block)
            parts.append(f"    quality: {int(r() * 100)}\n")
            if r() < 0.85:
                width, height = self.ch(_IMAGE_SIZES)
                parts.append(
                    f'    images:\n      - url: "{self.image_url(outlet, when)}"\n'
                    f"        width: {width}\n        height: {height}\n        isCached: true\n"
                )
        return "".join(parts) + "\n"

    def secured(self) -> str:
        rng = self.rng
        main = base64.b64encode(rng.randbytes(405 + int(self.r() * 60))).decode("ascii")
        tail = base64.b64encode(rng.randbytes(16)).decode("ascii")
        return f'secured: "{main};{tail}"\n'

    def body(self) -> str:
        ch = self.ch
        paragraphs = [
            " ".join(self.sentence() for _ in range(2 + int(self.r() * 3)))
            for _ in range(2 + int(self.r() * 4))
        ]
        points = "".join(f"- {ch(SUBJECTS)} in {ch(PLACES)}\n" for _ in range(3))
        return (
            f"\n## What happened\n\n{paragraphs[0]}\n\n"
            f"> {self.sentence()}\n\n{points}\n"
            + "\n\n".join(paragraphs[1:])
            + "\n\n---\n\n*Reporting from "
            + ch(PLACES)
            + ".* "
            + (ch(EMOJI) if self.r() < 0.2 else "")
            + "\n"
        )

    # --- a whole document --------------------------------------------------------

    def document(
        self, span: tuple[int, int] = (_EPOCH_START, _EPOCH_END), member: Member | None = None
    ) -> str:
        """A document: filler, or (`member`) one outlet's report of a planted story."""
        r = self.r
        outlet = self.outlet()
        title, excerpt = self.lead()
        ts = span[0] + int(r() * (span[1] - span[0]))
        if r() < 0.7:
            ts -= ts % 60  # most timestamps are to the minute
        if member is not None:  # the story decides these; the file's own stream the rest
            outlet, title, ts = _OUTLETS[member.outlet], member.title, member.ts
        parts = ["---\n"]
        x = r()
        if x < 0.72:
            parts.append("category: news\n")
        elif x < 0.85:
            parts.append(f"category: {self.ch(('blog', 'research', 'opinion', 'video'))}\n")
        if member is not None:
            excerpt = member.excerpt
        parts.append(f"title: {quote(title)}\nexcerpt: {quote(excerpt)}\n")
        x = r() if member is None else r() * 0.9  # a planted report always has its date
        if x < 0.90:
            parts.append(f"publishedDateTime: {self.timestamp(ts)}\n")
        elif x < 0.94:
            parts.append(f'publishedDateTime: "{self.timestamp(ts)}"\n')
        elif x < 0.96:
            t = time.gmtime(ts + 7200)
            local = (
                f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
                f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}+02:00"
            )
            parts.append(f'publishedDateTime: "{local}"\n')
        # else: no date at all
        slug = _slug(title)
        if member is not None:
            parts.append(f'webUrl: "{member.url}"\n')
        elif r() < 0.8:
            parts.append(self.urls(outlet, slug, ts, ""))
        else:
            url = f"https://{outlet.domain}/blog/{slug}/"
            parts.append(f'originalUrl: "{url}"\nwebUrl: "{url}"\n')
        parts.append(f"type: {self.doc_type()}\n")
        parts.append(f"quality: {int(r() * 101)}\n")
        parts.append(f"heat: {-1 if r() < 0.65 else int(r() * 100) + 1}\n")
        parts.append(f"published: {'true' if r() < 0.35 else 'false'}\n\n")
        parts.append(outlet.top_block)
        parts.append("\n")
        parts.append(self.topics())
        parts.append("\n")
        if r() < 0.92:
            width, height = self.ch(_IMAGE_SIZES)
            parts.append(
                f'images:\n  - url: "{self.image_url(outlet, ts)}"\n'
                f"    width: {width}\n    height: {height}\n    isCached: true\n"
                f"    title: {quote(title)}\n\n"
            )
        parts.append(self.related(ts) if member is None else _coverage(member.related))
        parts.append(self.secured())
        parts.append("---\n")
        if r() < self.bodies:
            parts.append(self.body())
        else:
            parts.append("\n")
        return "".join(parts)

    def broken(self, kind: int) -> bytes:
        """A file newsq must skip: four kinds, in turn."""
        if kind == 0:  # the front matter is never closed
            front = self.document()[4:].partition("\n---\n")[0]
            return f"---\n{front}\n\nThe closing line is missing.\n".encode()
        if kind == 1:  # YAML syntax error: mapping values are not allowed here
            return self.document().replace("\ntype: ", "\ntype: article: ", 1).encode("utf-8")
        if kind == 2:  # valid YAML, but a list rather than a mapping
            return f"---\n- {quote(self.title())}\n- not a mapping\n---\n\n".encode()
        # Latin-1 bytes in a UTF-8 file
        return self.document().encode("utf-8").replace(b'title: "', b'title: "\xe9t\xe9 ', 1)


# --- planted stories -------------------------------------------------------------------
#
# A story is one event (a company, a coined name, what happened, a person, a figure)
# reported by several outlets over a few days, each in its own words: the reports
# share the event's names and key phrases and little else. Some reports list an
# earlier one, or coverage another report lists too, in `related`; the rest are
# linked by their wording alone. Filler documents use the same companies, subjects,
# actors and places, so common words are shared across the whole corpus.

#: By default one planted story per this many documents.
STORY_EVERY = 100
#: Coined names from here on are stories'; below, filler documents' (two per file).
_STORY_NAMES = 10**8
#: The days over which a story's reports appear, from its first.
STORY_DAYS = 4

_SYLLABLES = (
    "ka", "lo", "ver", "mi", "dra", "zen", "tor", "qua", "li", "sen", "ob", "ra", "vex",
    "nu", "sta", "phi", "gor", "el", "ian", "mar", "tek", "sol", "rin", "dax", "bel", "cor",
)  # fmt: skip
KINDS = (
    "contract", "lawsuit", "data leak", "recall", "acquisition", "pilot", "ban", "audit",
    "outage", "settlement", "patent fight", "merger", "investigation", "layoffs",
)  # fmt: skip
FIRST_NAMES = (
    "Amara", "Jonas", "Priya", "Mateo", "Ingrid", "Kwame", "Yuki", "Leila", "Tomasz", "Chloé",
    "Rafael", "Sanna", "Dev", "Olga", "Emeka", "Hana",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    company: str
    name: str  # coined: in no other story, nor in filler
    kind: str
    person: str
    place: str
    figure: str
    subject: str
    actor: str
    verb: str
    adjective: str

    # Reports share the event's names and figures; the words around them are the
    # filler's own, so that two stories share only what any two documents share.
    def title(self, variant: int) -> str:
        e = self
        templates = (
            f"{e.company} {e.verb} {e.name} {e.kind} for {e.actor}",
            f"{e.company} {e.verb} {e.name} after protests in {e.place}",
            f"{e.company}’s {e.adjective} {e.name} {e.kind} meets resistance in {e.place}",  # noqa: RUF001
            f"{e.actor.capitalize()} in {e.place} turn to {e.name}",
            f"“A national law in place”: {e.person} on the {e.name} {e.kind}",
            f"How the {e.name} {e.kind} is changing the way {e.actor} work",
            f"Why the {e.figure} {e.name} {e.kind} won’t save {e.actor} — yet",  # noqa: RUF001
            f"{e.company} and {e.name}: {e.person} on {e.subject}",
        )
        return templates[variant % len(templates)]

    def sentence(self, variant: int, weekday: str) -> str:
        e = self
        templates = (
            f"{e.company} has confirmed the {e.name} {e.kind}, worth {e.figure}, until laws "
            f"guarantee protections for {e.actor}.",
            f"Following pressure from {e.actor}, {e.person} said {e.company} would review "
            f"the {e.name} {e.kind} in {e.place}.",
            f"On {weekday}, a pilot of {e.name} run with {e.company} reached {e.actor} "
            f"in {e.place}.",
            f"{e.person} declined to comment on the {e.figure} {e.name} {e.kind}.",
            f"Regulators in {e.place} opened a consultation on {e.name} and {e.subject}.",
            f"The {e.name} {e.kind} follows similar steps by {e.company}, {e.person} said.",
        )
        return templates[variant % len(templates)]


@dataclass(frozen=True, slots=True)
class Article:
    """A report of a planted story, as a document or as an item of related coverage."""

    title: str
    excerpt: str
    ts: int
    outlet: int  # in _OUTLETS
    url: str


@dataclass(frozen=True, slots=True)
class Member(Article):
    """A planted story's report that is a document of the corpus (file `number`)."""

    story: int = 0
    number: int = 0
    related: tuple[Article, ...] = ()  # earlier reports and coverage it lists


def coined(number: int) -> str:
    """A made-up name of three syllables or more, spelling the number in base 26."""
    number += len(_SYLLABLES) ** 2
    syllables = []
    while number:
        number, digit = divmod(number, len(_SYLLABLES))
        syllables.append(_SYLLABLES[digit])
    return "".join(syllables).capitalize()


def _event(rng: random.Random, story: int) -> Event:
    figure = rng.choice(
        (
            f"${rng.randint(2, 98) / 10:.1f}bn",
            f"€{rng.randint(11, 990)}m",
            f"{rng.randint(2, 60)},000 jobs",
        )
    )
    return Event(
        company=rng.choice(COMPANIES),
        name=coined(_STORY_NAMES + 2 * story),
        kind=rng.choice(KINDS),
        person=f"{rng.choice(FIRST_NAMES)} {coined(_STORY_NAMES + 2 * story + 1)}",
        place=rng.choice(PLACES),
        figure=figure,
        subject=rng.choice(SUBJECTS),
        actor=rng.choice(ACTORS),
        verb=rng.choice(VERBS),
        adjective=rng.choice(ADJECTIVES),
    )


def _report(rng: random.Random, event: Event, variant: int, ts: int, outlet: int) -> Article:
    """One outlet's report of the event, in the wording `variant` picks."""
    title = event.title(variant)
    weekday = WEEKDAYS[time.gmtime(ts).tm_wday]
    first, second = rng.sample(range(6), 2)
    excerpt = event.sentence(first, weekday)
    if rng.random() < 0.6:
        excerpt += " " + event.sentence(second, weekday)
    host = _OUTLETS[outlet].domain
    host = host if host.count(".") > 1 else "www." + host
    t = time.gmtime(ts)
    url = f"https://{host}/{t.tm_year}/{t.tm_mon:02d}/{t.tm_mday:02d}/{_slug(title)}-{rng.getrandbits(32):08x}/"
    return Article(title, excerpt, ts, outlet, url)


def plan_stories(
    total: int,
    seed: int,
    stories: int,
    skip: frozenset[int] = frozenset(),
    span: tuple[int, int] = (_EPOCH_START, _EPOCH_END),
) -> dict[int, Member]:
    """The planted stories of a corpus: {file number: its report}, the same for the same
    arguments. `skip` are file numbers that must stay filler (the broken files)."""
    rng = random.Random(f"newsq-bench:{seed}:stories")
    free = [i for i in range(total) if i not in skip]
    sizes = [rng.randint(2, 8) for _ in range(stories)]
    if sum(sizes) > len(free):
        raise ValueError(f"{stories} stories need more than {total} documents")
    numbers = rng.sample(free, sum(sizes))
    members: dict[int, Member] = {}
    start = 0
    for story, size in enumerate(sizes):
        event = _event(rng, story)
        day = span[0] + int(rng.random() * max(1, span[1] - span[0] - STORY_DAYS * 86400))
        day -= day % 60
        times = sorted(day + int(rng.random() * STORY_DAYS * 86400) // 60 * 60 for _ in range(size))
        outlets = rng.sample(range(len(_OUTLETS)), size + 6)
        variants = rng.sample(range(8), min(size, 8)) + [rng.randrange(8) for _ in range(size - 8)]
        pool = [  # coverage that several reports may list
            _report(rng, event, rng.randrange(8), day + int(rng.random() * STORY_DAYS * 86400), o)
            for o in outlets[size:]
        ]
        reports: list[Article] = []
        for part, number in enumerate(sorted(numbers[start : start + size])):
            report = _report(rng, event, variants[part], times[part], outlets[part])
            related: list[Article] = []
            if reports and rng.random() < 0.3:  # lists an earlier report of the story
                related.append(rng.choice(reports))
            if rng.random() < 0.4:  # coverage other reports may list too
                related.extend(rng.sample(pool, rng.randint(1, 3)))
            else:  # coverage only this report lists
                related.extend(
                    _report(
                        rng, event, rng.randrange(8), times[part] + rng.randint(-3600, 86400), o
                    )
                    for o in rng.sample(outlets[size:], rng.randint(0, 3))
                )
            members[number] = Member(
                report.title, report.excerpt, report.ts, report.outlet, report.url,
                story=story, number=number, related=tuple(related),
            )  # fmt: skip
            reports.append(report)
        start += size
    return members


def _coverage(articles: Sequence[Article]) -> str:
    """A `related` list of these reports."""
    if not articles:
        return ""
    parts = ["related:\n"]
    for article in articles:
        t = time.gmtime(article.ts)
        stamp = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:00Z"
        parts.append(
            f"  - title: {quote(article.title)}\n    excerpt: {quote(article.excerpt)}\n"
            f'    publishedDateTime: {stamp}\n    webUrl: "{article.url}"\n    type: article\n'
        )
        parts.append(_OUTLETS[article.outlet].block)
    return "".join(parts) + "\n"


def planted_stories(
    n: int, seed: int = 0, bad: int = 0, stories: int | None = None, days: int | None = None
) -> list[list[str]]:
    """The file names of each planted story's documents, as `generate` with the same
    arguments writes them: the truth to measure recovered stories against."""
    total = n + bad
    plan = plan_stories(
        total, seed, _story_count(n, stories), frozenset(_broken(total, seed, bad)), _span(days)
    )
    width = max(6, len(str(total - 1)))
    rng = random.Random()
    grouped: dict[int, list[str]] = {}
    for number, member in sorted(plan.items()):
        rng.seed(f"newsq-bench:{seed}:{number}")
        grouped.setdefault(member.story, []).append(
            f"{number:0{width}d}_{rng.getrandbits(64):016x}.txt"
        )
    return [grouped[k] for k in sorted(grouped)]


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Files `start` to `stop` (exclusive) of a corpus, for one worker to write."""

    folder: str
    start: int
    stop: int
    width: int
    seed: int
    bodies: float
    broken: dict[int, int]  # file number -> kind of breakage
    span: tuple[int, int]  # the dates of documents, in seconds since 1970
    members: dict[int, Member]  # file number -> its report of a planted story


def _render_chunk(chunk: _Chunk) -> list[tuple[str, bytes]]:
    """The names and bytes of one chunk's files; each file has its own random stream."""
    rng = random.Random()
    writer = _Writer(rng, chunk.bodies)
    files = []
    for i in range(chunk.start, chunk.stop):
        rng.seed(f"newsq-bench:{chunk.seed}:{i}")
        writer.number = i
        name = f"{i:0{chunk.width}d}_{rng.getrandbits(64):016x}.txt"
        kind = chunk.broken.get(i)
        if kind is None:
            data = writer.document(chunk.span, chunk.members.get(i)).encode("utf-8")
        else:
            data = writer.broken(kind)
        files.append((name, data))
    return files


_CHUNK_SIZE = 2000


def generate(
    out_dir: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    bad: int = 0,
    bodies: float = 0.1,
    jobs: int | None = None,
    stories: int | None = None,
    days: int | None = None,
) -> list[Path]:
    """Write `n` documents and `bad` broken files to `out_dir`; return their paths in order.

    The folder is created if needed and must be empty. The same `n`, `seed`,
    `bad`, `bodies`, `stories` and `days` always produce byte-identical files,
    whatever `jobs` (worker processes; default one per CPU). `stories` planted
    stories (default one per `STORY_EVERY` documents; see `planted_stories`) are
    among the documents, which are dated over 2018-2024, or over the `days`
    days from 2024-01-01 (a corpus as dense in time as a larger one).
    """
    if n < 0 or bad < 0:
        raise ValueError("n and bad must not be negative")
    if not 0.0 <= bodies <= 1.0:
        raise ValueError("bodies must be a fraction between 0 and 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")

    total = n + bad
    broken_at = _broken(total, seed, bad)
    kinds = {i: rank % 4 for rank, i in enumerate(broken_at)}  # the four kinds in turn
    span = _span(days)
    members = plan_stories(total, seed, _story_count(n, stories), frozenset(broken_at), span)
    width = max(6, len(str(total - 1)))
    chunks = [
        _Chunk(
            os.fspath(out),
            start,
            min(start + _CHUNK_SIZE, total),
            width,
            seed,
            bodies,
            {i: k for i, k in kinds.items() if start <= i < start + _CHUNK_SIZE},
            span,
            {i: m for i, m in members.items() if start <= i < start + _CHUNK_SIZE},
        )
        for start in range(0, total, _CHUNK_SIZE)
    ]
    # Workers render, this process writes: creating files is mostly kernel time, and
    # one writer keeps the workers from contending for the folder. A few chunks are
    # rendered ahead, no more, so memory stays small however large the corpus.
    jobs = min(jobs or os.cpu_count() or 1, len(chunks))
    paths: list[Path] = []
    if jobs <= 1:
        for chunk in chunks:
            paths.extend(_write(out, _render_chunk(chunk)))
        return paths
    with multiprocessing.Pool(jobs) as pool:
        todo = iter(chunks)
        ahead = collections.deque(
            pool.apply_async(_render_chunk, (chunk,)) for chunk in itertools.islice(todo, 2 * jobs)
        )
        while ahead:
            files = ahead.popleft().get()
            following = next(todo, None)
            if following is not None:
                ahead.append(pool.apply_async(_render_chunk, (following,)))
            paths.extend(_write(out, files))
    return paths


def _broken(total: int, seed: int, bad: int) -> list[int]:
    """The file numbers of the broken files, in order."""
    return sorted(random.Random(f"newsq-bench:{seed}:broken").sample(range(total), bad))


def _span(days: int | None) -> tuple[int, int]:
    if days is None:
        return _EPOCH_START, _EPOCH_END
    if days < 1:
        raise ValueError("days must be at least 1")
    return _DENSE_START, _DENSE_START + days * 86400


def _story_count(n: int, stories: int | None) -> int:
    if stories is None:
        return n // STORY_EVERY
    if stories < 0:
        raise ValueError("stories must not be negative")
    return stories


def _write(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    paths = []
    for name, data in files:
        path = folder / name
        with open(path, "wb") as handle:
            handle.write(data)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "out_dir", metavar="OUT_DIR", help="folder to write (created; must be empty)"
    )
    parser.add_argument("-n", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--bad", type=int, default=0, help="broken files to add (default 0)")
    parser.add_argument(
        "--bodies", type=float, default=0.1, help="fraction with a Markdown body (default 0.1)"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: one per CPU)"
    )
    parser.add_argument(
        "--stories",
        type=int,
        default=None,
        help=f"planted stories (default: one per {STORY_EVERY} documents)",
    )
    parser.add_argument(
        "--days", type=int, default=None, help="date documents over this many days from 2024"
    )
    parser.add_argument(
        "--truth", metavar="FILE", help="write the planted stories' file names here, as JSON"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        paths = generate(
            args.out_dir,
            args.n,
            seed=args.seed,
            bad=args.bad,
            bodies=args.bodies,
            jobs=args.jobs,
            stories=args.stories,
            days=args.days,
        )
        if args.truth:
            truth = planted_stories(args.n, args.seed, args.bad, args.stories, args.days)
            Path(args.truth).write_text(json.dumps(truth, indent=1) + "\n")
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    size = sum(p.stat().st_size for p in paths)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {len(paths):,} files ({args.bad:,} broken), {size / 2**20:,.1f} MiB, "
        f"{size / max(len(paths), 1) / 1024:.1f} KiB each, in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
