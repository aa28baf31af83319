"""Kept for one release, so that `import newsq.stories` goes on working: grouping documents
into stories is `newsq.index.grouping` now, and what parsing keeps for it
`newsq.ingest.features`."""

from newsq.index.grouping import (  # noqa: F401
    MIN_ARTICLES,
    MIN_DOCUMENTS,
    WINDOW_DAYS,
    articles,
    group,
    listed_by_default,
    summary,
)
from newsq.ingest.features import Stemmer, addresses, features, url_key  # noqa: F401
from newsq.model import address  # noqa: F401
from newsq.store.stories import Article, Candidate, Document  # noqa: F401
