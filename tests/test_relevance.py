"""Known-item search: queries a person who remembers an article might type, and the
article that must come back first. The mean reciprocal rank (MRR) of each set is
printed at the end of the test run.

Every rank is asserted exactly, including the misses, so a change to the ranking
shows up here either way. Beside the first sets (keywords), the four kinds of
`benchmarks/known_items.py` (questions, misspellings, excerpt wording, partial), by
hand over the real sample and derived from a generated corpus, with their MRR@10 and
how many queries found nothing, searched as newsq reads them and exactly
(`exact=True`: as every query was read before plain words forgave).
"""

# ruff: noqa: E501 (the real corpus's ids are long; one case per line reads best)
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import ID0, ID1, ID2, ID3, ID4, REAL_CORPUS, ROOT, SEEDS

import newsq

sys.path.insert(0, str(ROOT / "benchmarks"))
try:
    import generate
    import known_items
    from known_items import EXCERPTS, MISSPELLINGS, PARTIAL, QUESTIONS
finally:
    sys.path.remove(str(ROOT / "benchmarks"))

# (query, the id that should rank first, search related coverage too, its rank today)
SEED_CASES = [
    ("microsoft won't sell to cops", ID0, False, 1),
    ("washington post microsoft police", ID1, False, 1),
    ("fast company banning police", ID2, False, 1),
    ("still big business", ID3, False, 1),
    ("amazon microsoft pause regulation", ID4, False, 1),
    ("rekognition moratorium", ID4, False, 1),
    ("amazon banned police for a year", f"{ID0}#1", True, 1),
    ("john oliver", f"{ID4}#2", True, 1),
    ("portland council facial recognition", f"{ID2}#2", True, 1),
    ("hotnewhiphop", f"{ID0}#1", True, 1),
]

NEWS = "_news/"
VIDEOS = "_learning/videos/"
REAL_CASES = [
    ("geospatial features", NEWS + "2021-01-20-announcing-the-general-availability-of-geospatial-features-in-power-apps", False, 1),
    ("barcode scanner", VIDEOS + "powerapps911-powerapps-barcode-scanner-app", False, 1),
    ("roulette", "_samples/power-apps-community-simple-roulette-app", False, 1),
    ("people picker azure", VIDEOS + "microsoft-how-to-build-a-people-picker-in-powerapps-with-azure-ad", False, 1),
    ("oxford", NEWS + "2021-05-07-microsoft-power-apps-popular-in-oxford", False, 1),
    ("nurses vaccine", NEWS + "2020-12-17-seattle-visiting-nurses-association-transforms-vaccine-delivery-process-using-microsoft-power-platform", False, 1),
    ("timer control", VIDEOS + "april-dunnam-3-uses-for-power-apps-timer-controls", False, 1),
    ("low code competition github", NEWS + "2020-09-23-as-low-code-competition-grows-microsoft-integrates-power-apps-with-github-and-teams", False, 1),
    ("rich text editor", NEWS + "2020-11-12-announcing-the-rich-text-editor-rte-control", False, 1),
    ("sap connector", NEWS + "2021-05-18-general-availability-of-the-sap-erp-connector", False, 1),
    ("push notifications", NEWS + "2021-01-12-now-available-model-driven-app-push-notifications", False, 1),
    ("google maps", "_samples/power-apps-community-google-maps-component", False, 1),
    ("save outlook attachments", VIDEOS + "henry-ouang-automatically-save-outlook-attachments-to-onedrive-with-microsoft-power-automate", False, 1),
    ("calendar", "_samples/power-apps-community-custom-calendar-component", False, 1),
    ("levtech", NEWS + "2021-05-25-microsoft-announces-levtech-as-power-apps-partner", False, 1),
    ("kudos vancouver", NEWS + "2021-03-20-march-2021-vancouver-power-apps-group-11-year-old-nisha-sinha-walks-through-creating-a-kudos-solution-with-power-apps", False, 1),
    ("slider increments", "_samples/power-apps-community-using-slider-value-increments", False, 1),
    ("dataverse permissions", "_learning/collections/microsoft-learn-manage-permissions-and-administration-for-dataverse", False, 1),
    ("ecolab", NEWS + "2021-02-08-ecolab-uses-microsoft-power-platform-to-create-a-unified-hub-for-sales-and-service-teams", False, 1),
    ("april dunnam", "_people/april-dunnam", False, 1),  # her profile's title beats her videos
    ("excel auto increment", VIDEOS + "powerapps911-powerapps-excel-auto-increment-column", False, 1),
    ("hackathons", VIDEOS + "progmatic-works-learn-power-platform-with-pragmatic-works-hackathons", False, 1),
    ("fluent ui controls", NEWS + "2020-09-29-modern-fluent-ui-controls-in-power-apps-preview", False, 1),
    ("cascading merge", NEWS + "2020-08-18-improvements-to-cascading-merge-transactions", False, 1),
    ("object detection", VIDEOS + "april-dunnam-powerapps-ai-object-detection-how-to", False, 1),
    ("portals code components", NEWS + "2021-04-06-power-apps-portals-start-using-code-components-with-portals-preview", False, 1),
    ("portals web api", NEWS + "2021-03-30-announcing-general-availability-ga-of-power-apps-portals-web-api-support", False, 1),
    ("community call adaptive cards", NEWS + "2021-02-15-february-17th-power-apps-community-call-building-responsive-applications-with-adaptive-cards-approvals-and-more", False, 1),
    ("powerapps for beginners", VIDEOS + "daves-tech-tips-microsoft-powerapps-for-beginners-build-your-first-app-tutorial", False, 1),
    ("sharepoint list tutorial", VIDEOS + "progmatic-works-powerapps-with-a-sharepoint-list-tutorial", False, 1),
    ("large sharepoint list", VIDEOS + "powerapps911-create-a-large-sharepoint-online-list-for-power-apps-and-power-automate", False, 1),
    ("release wave 2", NEWS + "2019-08-19-microsoft-power-apps-2019-release-wave-2-overview", False, 1),
    ("dataverse for teams", NEWS + "2020-11-17-microsoft-announces-general-availability-of-new-power-apps-and-dataverse-for-teams", False, 1),
    ("ignite", NEWS + "2020-09-15-power-apps-at-microsoft-ignite-virtual-conference", False, 1),
    ("custom pages", NEWS + "2021-05-04-better-together-introducing-custom-pages-and-the-modern-app-designer", False, 1),
    ("performance", NEWS + "2020-12-03-considerations-for-optimized-performance-in-power-apps", False, 1),
    ("collection", VIDEOS + "dhruvin-shah-collection-in-power-apps", False, 1),
    ("what is power apps", VIDEOS + "dhruvin-shah-introduction-to-power-apps-what-is-power-apps", False, 1),
    ("model-driven application", "_learning/collections/microsoft-learn-create-a-model-driven-application-in-power-apps", False, 1),
    ("portals metadata", "_learning/courses/microsoft-learn-portals-metadata", False, 1),
    # "PowerTwitter" is one word to the tokenizer, so "twitter" finds the sample only
    # through its excerpt; the roulette app's excerpt says it too, and its HTML body said
    # it more, in the addresses of its links, until bodies were read as a reader sees
    # them (it ranked 2nd then).
    ("twitter", "_samples/power-apps-community-powertwitter", False, 1),
]  # fmt: skip


def _rank(index: newsq.Index, query: str, wanted: str, related: bool) -> int | None:
    found = [hit.id for hit in index.search(query, related=related)]
    return found.index(wanted) + 1 if wanted in found else None


def _report(request: pytest.FixtureRequest, name: str, ranks: list[int | None]) -> None:
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    firsts = sum(r == 1 for r in ranks)
    line = f"relevance, {name}: MRR {mrr:.3f} over {len(ranks)} queries, {firsts} ranked first"
    request.config.newsq_relevance = [*getattr(request.config, "newsq_relevance", []), line]


def _check(request, root: Path, name: str, cases) -> None:
    with newsq.load([root]) as index:
        ranks = [_rank(index, query, wanted, related) for query, wanted, related, _ in cases]
    _report(request, name, ranks)
    expected = [(query, rank) for query, _, _, rank in cases]
    assert list(zip([q for q, *_ in cases], ranks, strict=True)) == expected


def test_known_items_in_the_seeds(request):
    _check(request, SEEDS, "seeds", SEED_CASES)


def test_known_items_in_the_real_corpus(request, real_corpus):
    _check(request, real_corpus, "real corpus sample", REAL_CASES)


def test_the_real_corpus_is_where_the_cases_say(real_corpus):
    for _, wanted, _, _ in REAL_CASES:
        assert any((real_corpus / f"{wanted}{ext}").exists() for ext in (".md", ".txt"))


# --- the four kinds: questions, misspellings, excerpt wording, partial ------------------------

# The rank of each query's article in `known_items.REAL`, in order (None: not in the first 10).
REAL_RANKS = {
    # "how can I improve the performance of my power apps?": "improve" matches
    # "improvements" (cascading merge) and "improved performance" (on-premise update)
    QUESTIONS: (1,) * 17 + (3,) + (1,) * 6,
    MISSPELLINGS: (1,) * 20,
    EXCERPTS: (1,) * 15,
    PARTIAL: (1,) * 10,
}
# Exactly, as before: the excerpt wording is found, nearly nothing else.
REAL_EXACT_EMPTY = {QUESTIONS: 22, MISSPELLINGS: 20, EXCERPTS: 1, PARTIAL: 10}


def _say(request: pytest.FixtureRequest, name: str, kind: str, found, exact) -> None:
    line = (
        f"relevance, {name}, {kind}: MRR@10 {found.mrr:.3f} over {len(found.ranks)} queries, "
        f"{found.empty} found nothing (exactly: MRR@10 {exact.mrr:.3f}, {exact.empty} found "
        "nothing)"
    )
    request.config.newsq_relevance = [*getattr(request.config, "newsq_relevance", []), line]


def _measure(index: newsq.Index, cases, *, exact: bool = False):
    return known_items.measure(
        lambda query: [hit.id for hit in index.search(query, limit=10, exact=exact)], cases
    )


@pytest.fixture(scope="module")
def real_index():
    if not REAL_CORPUS.is_dir():
        pytest.skip("the real corpus sample (../shared/corpus/real) is not here")
    with newsq.load([REAL_CORPUS]) as index:
        yield index


@pytest.mark.parametrize("kind", known_items.KINDS)
def test_each_kind_in_the_real_corpus(request, real_index, kind):
    cases = known_items.REAL[kind]
    found, exact = _measure(real_index, cases), _measure(real_index, cases, exact=True)
    _say(request, "real corpus sample", kind, found, exact)
    assert list(zip([q for q, _ in cases], found.ranks, strict=True)) == list(
        zip([q for q, _ in cases], REAL_RANKS[kind], strict=True)
    )
    assert found.empty == 0
    assert exact.empty == REAL_EXACT_EMPTY[kind]


def test_the_real_corpus_holds_the_articles_of_each_kind(real_corpus):
    for cases in known_items.REAL.values():
        for _, wanted in cases:
            assert (real_corpus / f"{wanted}.md").exists(), wanted


# A generated corpus of 2,000 documents (seed 3), 25 queries of each kind.
GENERATED_RANKS = {
    QUESTIONS: (1,) * 22 + (2, 1, 1),
    MISSPELLINGS: (1,) * 19 + (3,) + (1,) * 5,
    EXCERPTS: (1,) * 13 + (3,) + (1,) * 11,
    PARTIAL: (1,) * 7 + (2,) + (1,) * 17,
}
GENERATED_EXACT_EMPTY = {QUESTIONS: 24, MISSPELLINGS: 25, EXCERPTS: 0, PARTIAL: 25}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated") / "corpus"
    generate.generate(folder, 2000, seed=3, jobs=1)
    with newsq.load([folder]) as index:
        documents = []
        for entry, record in zip(list(index), index.records(list(index)), strict=True):
            excerpt = record.get("excerpt")
            documents.append((entry.id, entry.title, excerpt if isinstance(excerpt, str) else ""))
        yield index, known_items.generated_cases(documents, 25, seed=3)


@pytest.mark.parametrize("kind", known_items.KINDS)
def test_each_kind_in_a_generated_corpus(request, generated, kind):
    index, cases = generated
    found, exact = _measure(index, cases[kind]), _measure(index, cases[kind], exact=True)
    _say(request, "2,000 generated documents", kind, found, exact)
    assert found.ranks == GENERATED_RANKS[kind]
    assert found.empty == 0
    assert exact.empty == GENERATED_EXACT_EMPTY[kind]
