"""jieba's default dictionary, read once per process and shared by every word segmenter of ours.

Reading the dictionary takes about 2 s (with the interpreter lock held) and some 65 MiB; jieba's
module-level functions (``jieba.lcut``) use a global tokenizer to which Rasa's ``JiebaTokenizer``
adds the project's user dictionary, so what they return depends on what else the process loaded.
The FAQ index (``bot.faq``) segments with ``default_tokenizer()``, the default dictionary alone,
in the action server as in tests and ``make eval``; the catalogue's search index
(``bot.catalogue.search``) adds its own words to a ``new_tokenizer()``, a copy that shares the
default dictionary's words and counts (copying takes under 10 ms, so a catalogue rebuilt after a
staff edit does not stall the process).
"""

from __future__ import annotations

import threading

import jieba

_default: jieba.Tokenizer | None = None
_lock = threading.Lock()


def default_tokenizer() -> jieba.Tokenizer:
    """The tokenizer of jieba's default dictionary, loaded at the first call. Never add words to it."""
    global _default
    with _lock:
        if _default is None:
            loaded = jieba.Tokenizer()
            loaded.initialize()
            _default = loaded
        return _default


def new_tokenizer() -> jieba.Tokenizer:
    """A tokenizer of its own with the default dictionary, to which words may be added."""
    base = default_tokenizer()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.initialized = True
    return tokenizer
