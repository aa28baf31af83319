"""The filters' two forms agree: `Filter.matches` and `sort_entries` (the specification, in
Python) keep and order any set of documents as the SQL the product runs does
(`where_sql` and `order_sql`, through `Index.select`)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsq.index import listing
from newsq.model import Entry
from newsq.query.filters import SORT_KEYS, Filter, sort_entries
from newsq.store.rows import FileRows, RecordCodec, doc_row, provider_keys
from newsq.store.snapshot import Snapshot

UTC = dt.timezone.utc
TOPICS = ["AI", "ai", "Computer Vision", "Robots"]
PROVIDERS = [
    (None, None),
    ("Forbes", "forbes.com"),
    ("forbes", None),
    ("Microsoft", "microsoft.com"),
    ("Microsoft Learn", "microsoft.com"),
    (None, "www.bbc.co.uk"),
]
DATES = [None, *(dt.datetime(2020, 6, d, h, tzinfo=UTC) for d in (10, 11, 12) for h in (0, 12))]
NUMBERS = st.none() | st.sampled_from([-1, 0, 5, 5.5, 50, 99])
WORDS = st.sampled_from(["news", "News", "video", None])


@st.composite
def entries(draw: st.DrawFn) -> list[Entry]:
    count = draw(st.integers(0, 16))
    found = []
    for number in range(count):
        name, domain = draw(st.sampled_from(PROVIDERS))
        found.append(
            Entry(
                id=f"doc{number:02d}",
                path=f"/corpus/doc{number:02d}.md",
                title=draw(st.sampled_from(["", "alpha", "Alpha", "beta", "Gamma"])),
                date=draw(st.sampled_from(DATES)),
                category=draw(WORDS),
                type=draw(WORDS),
                quality=draw(NUMBERS),
                heat=draw(NUMBERS),
                published=draw(st.none() | st.booleans()),
                provider_name=name,
                provider_domain=domain,
                topics=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))),
                related=0,
            )
        )
    return found


FILTERS = st.builds(
    Filter.build,
    topic=st.lists(st.sampled_from([*TOPICS, "none"]), max_size=2),
    provider=st.lists(
        st.sampled_from(["forbes", "Forbes", "forbes.com", "microsoft", "microsoft.com", "bbc"]),
        max_size=2,
    ),
    category=st.lists(st.sampled_from(["news", "video"]), max_size=1),
    type=st.lists(st.sampled_from(["NEWS", "video"]), max_size=1),
    since=st.none() | st.sampled_from(["2020-06-11", "2020-06-12T00:00:00Z"]),
    until=st.none() | st.sampled_from(["2020-06-11", "2020-06-10"]),
    min_quality=st.none() | st.sampled_from([0, 5.5, 50]),
    min_heat=st.none() | st.sampled_from([0, 50]),
    published=st.none() | st.booleans(),
)


def snapshot_of(documents: list[Entry]) -> Snapshot:
    snapshot = Snapshot.temporary(["/corpus"])
    rows = []
    for entry in documents:
        doc, topic_keys, keys = doc_row(entry, provider_keys(entry))
        record = RecordCodec(b"").pack({"id": entry.id, "title": entry.title})
        words = (entry.title, "", "", "", "")
        source = (entry.path, 1, 1, entry.id, entry.path)
        rows.append(FileRows(*source, doc, record, topic_keys, keys, words, []))
    with snapshot.writing() as conn:
        snapshot.add(conn, rows)
    return snapshot


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries(), FILTERS, st.sampled_from(SORT_KEYS), st.booleans())
def test_the_sql_keeps_and_orders_as_the_specification(documents, where, sort, reverse):
    names = {e.provider_name.casefold() for e in documents if e.provider_name}
    expected = sort_entries([e for e in documents if where.matches(e, names)], sort, reverse)
    snapshot = snapshot_of(documents)
    try:
        found = listing.select(snapshot.conn, where, sort=sort, reverse=reverse)
        assert [e.id for e in found] == [e.id for e in expected]
        assert listing.count(snapshot.conn, where) == len(expected)
    finally:
        snapshot.close()
