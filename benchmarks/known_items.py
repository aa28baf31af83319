"""Known-item queries: what a person who remembers one article types to find it again,
and that article. Four kinds:

- questions, typed as people type them (`how do I build a people picker with azure ad?`);
- misspellings of the word that says most (`sharepiont list tutorial`);
- excerpt wording: words only the excerpt has, not the title;
- partial: words of the article with one it lacks (`roulette game`).

`REAL` are written by hand for the 73 documents of the real sample (a Power Apps news
and learning site, `../shared/corpus/real`), before their ranks were looked at;
`generated_cases` derives queries of each kind from a generated corpus
(`generate.py`), from the words of each chosen document that are rarest in the
corpus, as a person recalls an article by its names. `tests/test_relevance.py`
asserts the rank of each; `relevance.py` reports MRR@10 and the queries that found
nothing, for the forgiving search and the exact one (the meaning every query had
before plain words forgave).

Standard library only (and newsq, to measure).
"""

# ruff: noqa: E501 (the real corpus's ids are long; one case per line reads best)
from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

QUESTIONS, MISSPELLINGS, EXCERPTS, PARTIAL = (
    "questions",
    "misspellings",
    "excerpt wording",
    "partial",
)
KINDS = (QUESTIONS, MISSPELLINGS, EXCERPTS, PARTIAL)
#: Ranks past this count as not found (MRR@10).
CUTOFF = 10

NEWS = "_news/"
VIDEOS = "_learning/videos/"
COURSES = "_learning/courses/"
COLLECTIONS = "_learning/collections/"
SAMPLES = "_samples/"

# fmt: off
REAL: dict[str, list[tuple[str, str]]] = {
    QUESTIONS: [
        ("how do I build a people picker with azure ad?", VIDEOS + "microsoft-how-to-build-a-people-picker-in-powerapps-with-azure-ad"),
        ("how to scan a barcode in powerapps", VIDEOS + "powerapps911-powerapps-barcode-scanner-app"),
        ("how can I save email attachments to onedrive automatically?", VIDEOS + "henry-ouang-automatically-save-outlook-attachments-to-onedrive-with-microsoft-power-automate"),
        ("what is a collection in power apps?", VIDEOS + "dhruvin-shah-collection-in-power-apps"),
        ("how do I filter a gallery by multiple selections?", VIDEOS + "powerapps911-power-apps-filter-multiple-selections-exact-or-all-options-try-again"),
        ("how to make a left navigation menu for my app", VIDEOS + "reza-dorrni-left-navigation-component-power-apps"),
        ("how do I add an auto increment column in excel?", VIDEOS + "powerapps911-powerapps-excel-auto-increment-column"),
        ("how can I get the current user's email in powerapps?", VIDEOS + "powerapps911-powerapps-user-function-and-intro-to-office-365-user-connector"),
        ("what are timers used for in power apps?", VIDEOS + "april-dunnam-3-uses-for-power-apps-timer-controls"),
        ("how do I create a large sharepoint list for testing?", VIDEOS + "powerapps911-create-a-large-sharepoint-online-list-for-power-apps-and-power-automate"),
        ("how do I detect objects with AI in powerapps?", VIDEOS + "april-dunnam-powerapps-ai-object-detection-how-to"),
        ("how can I generate random text in powerapps?", VIDEOS + "powerapps911-powerapps-random-text-function-make-your-own"),
        ("how do I build my first app from an excel spreadsheet?", VIDEOS + "daves-tech-tips-microsoft-powerapps-for-beginners-build-your-first-app-tutorial"),
        ("can I send push notifications to a model-driven app?", NEWS + "2021-01-12-now-available-model-driven-app-push-notifications"),
        ("how do I use code components in power apps portals?", NEWS + "2021-04-06-power-apps-portals-start-using-code-components-with-portals-preview"),
        ("what is the developer plan for power apps?", NEWS + "2021-05-26-microsoft-announces-power-apps-developer-plan"),
        ("how do I edit related records on a main form?", NEWS + "2021-01-05-editing-related-records-on-a-main-form-in-a-model-driven-app"),
        ("how can I improve the performance of my power apps?", NEWS + "2020-12-03-considerations-for-optimized-performance-in-power-apps"),
        ("how do I create a portal form for external users?", VIDEOS + "progmatic-works-building-your-first-powerapps-portal-form-tutorial"),
        ("how do I manage permissions in dataverse?", COLLECTIONS + "microsoft-learn-manage-permissions-and-administration-for-dataverse"),
        ("where can I find the power apps user group forum?", "_communities/powerappsug-power-apps-exchange"),
        ("what is the rich text editor control?", NEWS + "2020-11-12-announcing-the-rich-text-editor-rte-control"),
        ("how do I read and write sharepoint data with powerapps?", VIDEOS + "progmatic-works-powerapps-with-a-sharepoint-list-tutorial"),
        ("is there a google maps component for canvas apps?", SAMPLES + "power-apps-community-google-maps-component"),
    ],
    MISSPELLINGS: [
        ("sharepiont list tutorial", VIDEOS + "progmatic-works-powerapps-with-a-sharepoint-list-tutorial"),
        ("barcode scaner", VIDEOS + "powerapps911-powerapps-barcode-scanner-app"),
        ("geospacial features", NEWS + "2021-01-20-announcing-the-general-availability-of-geospatial-features-in-power-apps"),
        ("roulete app", SAMPLES + "power-apps-community-simple-roulette-app"),
        ("calender component", SAMPLES + "power-apps-community-custom-calendar-component"),
        ("timmer controls", VIDEOS + "april-dunnam-3-uses-for-power-apps-timer-controls"),
        ("dataverce permissions", COLLECTIONS + "microsoft-learn-manage-permissions-and-administration-for-dataverse"),
        ("pragmatic hackatons", VIDEOS + "progmatic-works-learn-power-platform-with-pragmatic-works-hackathons"),
        ("vacine delivery nurses", NEWS + "2020-12-17-seattle-visiting-nurses-association-transforms-vaccine-delivery-process-using-microsoft-power-platform"),
        ("oxfrod", NEWS + "2021-05-07-microsoft-power-apps-popular-in-oxford"),
        ("fluent ui contorls", NEWS + "2020-09-29-modern-fluent-ui-controls-in-power-apps-preview"),
        ("push notifcations", NEWS + "2021-01-12-now-available-model-driven-app-push-notifications"),
        ("rich text editer", NEWS + "2020-11-12-announcing-the-rich-text-editor-rte-control"),
        ("colection power apps", VIDEOS + "dhruvin-shah-collection-in-power-apps"),
        ("outlook atachments onedrive", VIDEOS + "henry-ouang-automatically-save-outlook-attachments-to-onedrive-with-microsoft-power-automate"),
        ("peple picker", VIDEOS + "microsoft-how-to-build-a-people-picker-in-powerapps-with-azure-ad"),
        ("levtec partner", NEWS + "2021-05-25-microsoft-announces-levtech-as-power-apps-partner"),
        ("portals metdata", COURSES + "microsoft-learn-portals-metadata"),
        ("navigaton component", VIDEOS + "reza-dorrni-left-navigation-component-power-apps"),
        ("ecollab", NEWS + "2021-02-08-ecolab-uses-microsoft-power-platform-to-create-a-unified-hub-for-sales-and-service-teams"),
    ],
    EXCERPTS: [
        ("shuffle first table function", VIDEOS + "powerapps911-powerapps-random-text-function-make-your-own"),
        ("hyperbolic tangent", SAMPLES + "power-apps-community-simple-roulette-app"),
        ("out of office message", VIDEOS + "microsoft-how-to-build-a-people-picker-in-powerapps-with-azure-ad"),
        ("powershell script delegation", VIDEOS + "powerapps911-create-a-large-sharepoint-online-list-for-power-apps-and-power-automate"),
        ("animations redirects background refreshes", VIDEOS + "april-dunnam-3-uses-for-power-apps-timer-controls"),
        ("inventory tracker", VIDEOS + "april-dunnam-powerapps-ai-object-detection-how-to"),
        ("twitter text analytics sentiment", SAMPLES + "power-apps-community-powertwitter"),
        ("forall groupby", VIDEOS + "powerapps911-power-apps-filter-multiple-selections-exact-or-all-options-try-again"),
        ("chatbots with minimal code in teams", NEWS + "2020-11-17-microsoft-announces-general-availability-of-new-power-apps-and-dataverse-for-teams"),
        ("t-mobile orbit", NEWS + "2020-09-23-as-low-code-competition-grows-microsoft-integrates-power-apps-with-github-and-teams"),
        ("sox scope evaluation", NEWS + "2020-11-19-transforming-compliance-evaluation-process-with-microsoft-power-platform"),
        ("guest access solution checker", NEWS + "2019-08-19-microsoft-power-apps-2019-release-wave-2-overview"),
        ("todd baginski layout containers", NEWS + "2021-02-15-february-17th-power-apps-community-call-building-responsive-applications-with-adaptive-cards-approvals-and-more"),
        ("canviz charting", NEWS + "2020-10-19-power-apps-community-call-oct-21st-charting-components-custom-apps-in-teams-and-an-enhanced-sharepoint-web-part"),
        ("jake scherf", NEWS + "2020-12-17-seattle-visiting-nurses-association-transforms-vaccine-delivery-process-using-microsoft-power-platform"),
    ],
    PARTIAL: [
        ("barcode scanner inventory app", VIDEOS + "powerapps911-powerapps-barcode-scanner-app"),
        ("google maps directions component", SAMPLES + "power-apps-community-google-maps-component"),
        ("roulette game", SAMPLES + "power-apps-community-simple-roulette-app"),
        ("kudos app school vancouver teacher", NEWS + "2021-03-20-march-2021-vancouver-power-apps-group-11-year-old-nisha-sinha-walks-through-creating-a-kudos-solution-with-power-apps"),
        ("sap erp connector pricing", NEWS + "2021-05-18-general-availability-of-the-sap-erp-connector"),
        ("timer control countdown", VIDEOS + "april-dunnam-3-uses-for-power-apps-timer-controls"),
        ("ecolab sales dashboard", NEWS + "2021-02-08-ecolab-uses-microsoft-power-platform-to-create-a-unified-hub-for-sales-and-service-teams"),
        ("people picker azure ad office 365 groups", VIDEOS + "microsoft-how-to-build-a-people-picker-in-powerapps-with-azure-ad"),
        ("slider increments default value validation", SAMPLES + "power-apps-community-using-slider-value-increments"),
        ("geospatial features map", NEWS + "2021-01-20-announcing-the-general-availability-of-geospatial-features-in-power-apps"),
    ],
}
# fmt: on


@dataclass(frozen=True, slots=True)
class Score:
    """What one set of queries found: each query's rank of its article (None: not in the
    first `CUTOFF`), and how many found nothing at all."""

    ranks: tuple[int | None, ...]
    empty: int

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank at `CUTOFF`."""
        return sum(1 / r for r in self.ranks if r) / len(self.ranks) if self.ranks else 0.0


def measure(search: Callable[[str], Sequence[str]], cases: Iterable[tuple[str, str]]) -> Score:
    """Run each query (`search` gives the ids found, best first) and score its article."""
    ranks, empty = [], 0
    for query, wanted in cases:
        found = list(search(query))
        empty += not found
        top = found[:CUTOFF]
        ranks.append(top.index(wanted) + 1 if wanted in top else None)
    return Score(tuple(ranks), empty)


# --- queries of a generated corpus ----------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
# What wraps a question around the words a person recalls.
_QUESTIONS = (
    "what did {0} say about {1}?",
    "how is {0} using {1}",
    "why does {0} {1}?",
    "what happened with {0} and {1}",
    "is it true that {0} {1}?",
    "when did {0} {1}",
)
# Words too common to recall an article by (a person remembers its names).
_FUNCTION_WORDS = frozenset((
    "a", "about", "after", "also", "an", "and", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "in",
    "into", "is", "it", "its", "just", "more", "new", "no", "not", "now", "of", "on", "or",
    "our", "out", "over", "said", "say", "says", "so", "than", "that", "the", "their", "them",
    "then", "these", "they", "this", "to", "up", "was", "we", "were", "what", "when", "where",
    "which", "who", "why", "will", "with", "would", "you", "your",
))  # fmt: skip


def generated_cases(
    documents: Sequence[tuple[str, str, str]], per_kind: int, seed: int = 0
) -> dict[str, list[tuple[str, str]]]:
    """Known-item queries of each kind for documents given as (id, title, excerpt):
    `per_kind` of each, for documents chosen at random (`seed`). The words a query is
    made of are each document's rarest in the corpus (of 4 letters or more)."""
    rng = random.Random(seed)
    frequency: Counter[str] = Counter()
    words_of = {}
    for doc_id, title, excerpt in documents:
        title_words = _words(title)
        excerpt_words = _words(excerpt)
        words_of[doc_id] = (title_words, excerpt_words)
        frequency.update(set(title_words) | set(excerpt_words))
    known = set(frequency)
    common = {w for w, n in frequency.items() if n >= len(documents) / 100}

    def rarest(words: Iterable[str], n: int) -> list[str]:
        unique = list(dict.fromkeys(words))
        return sorted(unique, key=lambda w: (frequency[w], unique.index(w)))[:n]

    cases: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KINDS}
    chosen = rng.sample([d[0] for d in documents], min(len(documents), per_kind * 4))
    for number, doc_id in enumerate(chosen):
        kind = KINDS[number % len(KINDS)]
        title_words, excerpt_words = words_of[doc_id]
        if kind == QUESTIONS:
            first, second = rarest(title_words, 1), rarest(title_words, 3)[1:]
            if not first or not second:
                continue
            query = rng.choice(_QUESTIONS).format(first[0], " ".join(second))
        elif kind == MISSPELLINGS:
            long_words = [w for w in title_words if len(w) >= 5]
            if not long_words:
                continue
            target = rarest(long_words, 1)[0]
            typo = _misspelt(target, rng, known)
            others = [w for w in rarest(title_words, 3) if w != target][:1]
            query = " ".join([typo, *others])
        elif kind == EXCERPTS:
            only_excerpt = [w for w in excerpt_words if w not in title_words]
            if len(only_excerpt) < 3:
                continue
            query = " ".join(rarest(only_excerpt, 3))
        else:
            recalled = rarest(title_words, 2)
            # A word of the subject the article does not have, as common as a word a
            # person adds (in 1% of documents or more), not a name only one has.
            absent = sorted(common - set(title_words) - set(excerpt_words))
            if len(recalled) < 2 or not absent:
                continue
            query = " ".join([*recalled, rng.choice(absent)])
        cases[kind].append((query, doc_id))
    return {kind: found[:per_kind] for kind, found in cases.items()}


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if len(w) >= 4 and w not in _FUNCTION_WORDS]


def _misspelt(word: str, rng: random.Random, known: set[str]) -> str:
    """`word` with one slip of the fingers (two letters swapped, one left out, doubled or
    changed) that is no word of the corpus."""
    for _ in range(20):
        at = rng.randrange(1, len(word) - 1)  # (people rarely get the first letter wrong)
        slip = rng.randrange(4)
        if slip == 0:
            typo = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif slip == 1:
            typo = word[:at] + word[at + 1 :]
        elif slip == 2:
            typo = word[:at] + word[at] + word[at:]
        else:
            typo = word[:at] + rng.choice("aeioulnrst".replace(word[at], "")) + word[at + 1 :]
        if typo != word and typo not in known:
            return typo
    return word
