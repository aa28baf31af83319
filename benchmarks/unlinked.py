"""Corpora whose documents share no link: stories told in each outlet's own words.

A folder of articles saved from feeds has no `related` lists: only the wording
says that two articles report one event. This writes such folders for
`stories_eval.py` and the tests:

- `write_paraphrased(folder, filler, stories)`: events (a company does something to
  a subject, for or against someone, somewhere, for a reason, said by a person)
  each reported by 3 to 10 outlets over up to 5 days. Every report picks its own
  angle (the news, the reaction, the explainer, the rival, the local view, the
  quote) and its own synonyms (`halts`, `pauses`, `suspends`; `police`, `law
  enforcement`, `cops`; `facial recognition`, `facial recognition technology`),
  so two reports of one event may share only two or three words. No coined names:
  the filler documents are events of the same companies, subjects, people and
  places told with the same templates, once each, so the words a story shares are
  ones unrelated documents share too, only not all together.
- `write_filler(folder, n, span, subjects)`: filler alone, of some subjects (a
  corpus about one product: `subjects=("Power Apps", …)`).

Standard library only; the same arguments write the same files.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generate import COMPANIES, FIRST_NAMES, OUTLETS, PLACES, WEEKDAYS, quote

#: What a company does: the verbs a title says it with, and the nouns for the deed.
ACTIONS = {
    "halt": (
        ("halts", "pauses", "suspends", "stops selling", "puts a freeze on"),
        ("halt", "pause", "moratorium", "freeze"),
    ),
    "launch": (
        ("launches", "unveils", "rolls out", "debuts", "introduces"),
        ("launch", "debut", "rollout", "unveiling"),
    ),
    "ban": (("bans", "prohibits", "blocks"), ("ban", "prohibition", "block")),
    "buy": (
        ("buys", "acquires", "snaps up", "agrees to buy a maker of"),
        ("deal", "acquisition", "takeover", "purchase"),
    ),
    "sue": (
        ("is sued over", "faces lawsuit over", "is taken to court over"),
        ("lawsuit", "legal challenge", "court case"),
    ),
    "expand": (
        ("expands", "widens", "extends", "scales up"),
        ("expansion", "wider rollout", "push"),
    ),
    "cut": (
        ("cuts jobs in", "lays off staff working on", "shrinks its unit for"),
        ("job cuts", "layoffs", "cutbacks"),
    ),
    "fine": (
        ("is fined over", "is hit with a fine over", "is penalised over"),
        ("fine", "penalty", "sanction"),
    ),
    "invest": (("invests in", "pours money into", "bets on"), ("investment", "bet", "funding")),
    "test": (("tests", "trials", "pilots"), ("trial", "pilot", "test")),
}
#: How each of these is also said; any other is said one way.
ACTOR_FORMS = {
    "police": ("police", "law enforcement", "police departments", "cops"),
    "regulators": ("regulators", "watchdogs", "authorities"),
    "hospitals": ("hospitals", "health systems", "clinics"),
    "schools": ("schools", "teachers", "classrooms"),
    "banks": ("banks", "lenders"),
    "developers": ("developers", "coders", "programmers"),
    "makers": ("makers", "citizen developers", "app makers"),
}
SUBJECTS = (
    "facial recognition", "self-driving cars", "chatbots", "medical imaging", "deepfakes",
    "speech recognition", "drones", "predictive policing", "smart cameras", "AI chips",
)  # fmt: skip
ACTORS = ("police", "regulators", "hospitals", "schools", "banks", "retailers", "lawmakers")
POWER_APPS = (
    "Power Apps", "Power Apps portals", "canvas apps", "model-driven apps", "Dataverse",
    "Power Automate flows", "AI Builder", "Power Apps components", "Power Fx",
)  # fmt: skip
POWER_APPS_ACTORS = ("developers", "makers", "IT admins", "partners", "customers")
REASONS = (
    "after protests", "amid a privacy backlash", "following a lawsuit",
    "under pressure from regulators", "citing safety concerns", "as costs rise",
    "after a damning audit", "ahead of new rules",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Okafor", "Nakamura", "Fischer", "Ramos", "Kowalski", "Haddad", "Lindqvist",
    "Mensah", "Dubois", "Chen", "Patel", "Novak", "García", "Brennan", "Sato",
)  # fmt: skip
ROLES = ("chief executive", "president", "spokesperson", "head of policy", "chief scientist")
#: Background any article of the subject may carry, story or not.
BACKGROUND = (
    "Studies have shown the technology misidentifies people more often than its makers admit.",
    "The market for the technology is expected to double within five years.",
    "Few people understand how such systems make decisions, a survey found.",
    "Lawmakers have debated rules for the industry for years without result.",
    "Civil rights groups have long warned about the risks.",
    "Rivals have been racing to catch up.",
)
#: A story's reports appear over at most this many days from its first.
STORY_DAYS = 5


@dataclass(frozen=True)
class Event:
    company: str
    rival: str
    action: str
    subject: str
    actor: str
    place: str
    person: str
    role: str
    reason: str
    figure: str


def _event(rng: random.Random, subjects: Sequence[str], actors: Sequence[str]) -> Event:
    company, rival = rng.sample(COMPANIES, 2)
    return Event(
        company=company,
        rival=rival,
        action=rng.choice(sorted(ACTIONS)),
        subject=rng.choice(subjects),
        actor=rng.choice(actors),
        place=rng.choice(PLACES),
        person=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        role=rng.choice(ROLES),
        reason=rng.choice(REASONS),
        figure=rng.choice(("$1.2bn", "€300m", "one-year", "two-year", "1,500-job", "$40m")),
    )


def _report(rng: random.Random, e: Event, angle: int, weekday: str) -> tuple[str, str]:
    """One outlet's title and excerpt of the event, from `angle`, in words of its own."""
    verb = rng.choice(ACTIONS[e.action][0])
    noun = rng.choice(ACTIONS[e.action][1])
    subject = rng.choice((e.subject, e.subject, f"{e.subject} technology", f"{e.subject} tools"))
    actor = rng.choice(ACTOR_FORMS.get(e.actor, (e.actor,)))
    owner = f"{e.company}’s"  # noqa: RUF001
    titles = (
        f"{e.company} {verb} {subject} for {actor}",
        f"{e.company} {verb} {subject} {e.reason}",
        f"{actor.capitalize()} react as {e.company} {verb} {subject}",
        f"Why {owner} {subject} {noun} matters",
        f"{owner} {noun} of {subject}: what it means for {actor}",
        f"{e.person}: {e.company} {verb} {subject} {e.reason}",
        f"{e.rival} under pressure after {owner} {subject} {noun}",
        f"In {e.place}, {actor} weigh {owner} {noun}",
        f"{e.company} {verb} {subject}; {actor} call for rules",
        f"The {e.figure} {subject} {noun} by {e.company}, explained",
    )
    sentences = (
        f"{e.company} {verb} {subject} for {actor}, {e.person}, its {e.role}, said on {weekday}.",
        f"The {noun}, announced {e.reason}, affects {actor} in {e.place} and beyond.",
        f"Critics in {e.place} said the {noun} does not go far enough.",
        f"It follows a similar move by {e.rival} earlier this year.",
        f"The {e.figure} {noun} is {owner} biggest step on {e.subject} yet.",
        f"{actor.capitalize()} had pressed {e.company} for months, {e.person} said.",
    )
    first, second = rng.sample(range(len(sentences)), 2)
    excerpt = sentences[first]
    x = rng.random()
    if x < 0.5:
        excerpt += " " + sentences[second]
    elif x < 0.8:
        excerpt += " " + rng.choice(BACKGROUND)
    return titles[angle % len(titles)], excerpt


def _document(rng: random.Random, title: str, excerpt: str, ts: int, topics: Sequence[str]) -> str:
    name, domain = rng.choice(OUTLETS)
    stamp = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(ts))
    slug = "-".join("".join(c for c in w if c.isalnum()) for w in title.lower().split())[:80]
    path = f"{stamp[:10].replace('-', '/')}/{slug}-{rng.getrandbits(32):08x}"
    return "".join(
        [
            "---\ncategory: news\n",
            f"title: {quote(title)}\nexcerpt: {quote(excerpt)}\n",
            f"publishedDateTime: {stamp}\n",
            f'webUrl: "https://www.{domain}/{path}/"\n',
            "type: article\n",
            f"provider:\n  name: {quote(name)}\n  domain: {domain}\n",
            "topics:\n" + "".join(f"  - {t}\n" for t in topics),
            "---\n",
        ]
    )


def _weekday(ts: int) -> str:
    return WEEKDAYS[time.gmtime(ts).tm_wday]


def write_filler(
    folder: Path,
    n: int,
    *,
    seed: int = 0,
    span: tuple[int, int],
    subjects: Sequence[str] | None = None,
    avoid: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """`n` documents, each an event of its own, dated over `span` (seconds); their ids.
    `subjects` replaces the default subjects (with their own actors for Power Apps);
    `avoid` are (subject, action) pairs no filler event has."""
    rng = random.Random(f"newsq-unlinked:{seed}:filler")
    folder.mkdir(parents=True, exist_ok=True)
    actors = POWER_APPS_ACTORS if subjects and set(subjects) & set(POWER_APPS) else ACTORS
    subjects = subjects or SUBJECTS
    names = []
    for i in range(n):
        event = _event(rng, subjects, actors)
        while (event.subject, event.action) in avoid:
            event = _event(rng, subjects, actors)
        ts = span[0] + int(rng.random() * (span[1] - span[0]))
        title, excerpt = _report(rng, event, rng.randrange(10), _weekday(ts))
        name = f"filler-{i:05d}"
        text = _document(rng, title, excerpt, ts, ("AI",) if subjects is SUBJECTS else subjects[:1])
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        names.append(name)
    return names


def write_paraphrased(
    folder: Path,
    filler: int,
    *,
    stories: int,
    seed: int = 0,
    days: int = 60,
    subjects: Sequence[str] = SUBJECTS[:6],
) -> list[list[str]]:
    """`stories` events of 3 to 10 reports among `filler` one-off events of the same
    `subjects` over `days` days from 2024-01-01; the ids of each story's reports."""
    rng = random.Random(f"newsq-unlinked:{seed}:stories")
    start = 1704067200
    span = (start, start + days * 86400)
    write_filler(folder, filler, seed=seed, span=span, subjects=subjects)
    truth = []
    for story in range(stories):
        event = _event(rng, subjects, ACTORS)
        first = span[0] + int(rng.random() * (span[1] - span[0] - STORY_DAYS * 86400))
        size = rng.randint(3, 10)
        angles = rng.sample(range(10), min(size, 10))
        names = []
        for part in range(size):
            ts = first + (0 if part == 0 else int(rng.random() * STORY_DAYS * 86400))
            title, excerpt = _report(rng, event, angles[part % len(angles)], _weekday(ts))
            name = f"story-{story:03d}-{part}"
            text = _document(rng, title, excerpt, ts, ("AI",))
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
            names.append(name)
        truth.append(names)
    return truth
