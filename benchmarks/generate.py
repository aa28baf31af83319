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
        self.sentence_templates: tuple[Callable[[], str], ...] = (
            lambda: (
                f"{ch(COMPANIES)} has confirmed it {ch(VERBS)} its {ch(ADJECTIVES)} "
                f"{ch(SUBJECTS)} until laws guarantee protections for {ch(ACTORS)}."
            ),
            lambda: (
                f"Following pressure from {ch(ACTORS)}, {ch(COMPANIES)} said it would review "
                f"how {ch(SUBJECTS)} are sold to {ch(ACTORS)} in {ch(PLACES)}."
            ),
            lambda: (
                f"Studies have shown the technology misidentifies people more often than "
                f"its makers admit, and {ch(ACTORS)} in {ch(PLACES)} have restricted its use."
            ),
            lambda: (
                f"The move follows similar steps by {ch(COMPANIES)} and {ch(COMPANIES)}, "
                f"which halted sales of {ch(SUBJECTS)} last year."
            ),
            lambda: (
                f"Critics call it “a {ch(ADJECTIVES)} experiment on the public”; "
                f"supporters say {ch(SUBJECTS)} will cut costs for {ch(ACTORS)}."
            ),
            lambda: (
                f"In {ch(PLACES)}, a pilot of {ch(SUBJECTS)} run with {ch(COMPANIES)} "
                f"reached {int(r() * 900) + 100} {ch(ACTORS)} in its first month."
            ),
        )

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

    def excerpt(self) -> str:
        ch = self.ch
        sentences = self.sentence_templates
        if self.r() < 0.6:
            return ch(sentences)() + " " + ch(sentences)()
        return ch(sentences)()

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
        sentences = self.sentence_templates
        paragraphs = [
            " ".join(ch(sentences)() for _ in range(2 + int(self.r() * 3)))
            for _ in range(2 + int(self.r() * 4))
        ]
        points = "".join(f"- {ch(SUBJECTS)} in {ch(PLACES)}\n" for _ in range(3))
        return (
            f"\n## What happened\n\n{paragraphs[0]}\n\n"
            f"> {ch(sentences)()}\n\n{points}\n"
            + "\n\n".join(paragraphs[1:])
            + "\n\n---\n\n*Reporting from "
            + ch(PLACES)
            + ".* "
            + (ch(EMOJI) if self.r() < 0.2 else "")
            + "\n"
        )

    # --- a whole document --------------------------------------------------------

    def document(self) -> str:
        r = self.r
        outlet = self.outlet()
        title = self.title()
        ts = _EPOCH_START + int(r() * (_EPOCH_END - _EPOCH_START))
        if r() < 0.7:
            ts -= ts % 60  # most timestamps are to the minute
        parts = ["---\n"]
        x = r()
        if x < 0.72:
            parts.append("category: news\n")
        elif x < 0.85:
            parts.append(f"category: {self.ch(('blog', 'research', 'opinion', 'video'))}\n")
        parts.append(f"title: {quote(title)}\nexcerpt: {quote(self.excerpt())}\n")
        x = r()
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
        if r() < 0.8:
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
        parts.append(self.related(ts))
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


def _render_chunk(chunk: _Chunk) -> list[tuple[str, bytes]]:
    """The names and bytes of one chunk's files; each file has its own random stream."""
    rng = random.Random()
    writer = _Writer(rng, chunk.bodies)
    files = []
    for i in range(chunk.start, chunk.stop):
        rng.seed(f"newsq-bench:{chunk.seed}:{i}")
        name = f"{i:0{chunk.width}d}_{rng.getrandbits(64):016x}.txt"
        kind = chunk.broken.get(i)
        data = writer.document().encode("utf-8") if kind is None else writer.broken(kind)
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
) -> list[Path]:
    """Write `n` documents and `bad` broken files to `out_dir`; return their paths in order.

    The folder is created if needed and must be empty. The same `n`, `seed`,
    `bad` and `bodies` always produce byte-identical files, whatever `jobs`
    (worker processes; default one per CPU).
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
    broken_at = sorted(random.Random(f"newsq-bench:{seed}:broken").sample(range(total), bad))
    kinds = {i: rank % 4 for rank, i in enumerate(broken_at)}  # the four kinds in turn
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
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        paths = generate(
            args.out_dir, args.n, seed=args.seed, bad=args.bad, bodies=args.bodies, jobs=args.jobs
        )
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
