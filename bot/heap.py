"""Short pauses of CPython's cyclic garbage collector in the long-running servers.

A full collection (generation 2) walks every object the collector tracks. After start, the Rasa
server holds millions of them that live as long as the process (the model's graph, jieba's and
pypinyin's dictionaries, spaCy, the item linker's index, Rasa's own modules); the action server and
the api hold fewer. Measured under ``make bench``'s 20 citizens (a ``gc.callbacks`` probe in each
process, 2026-12-03): the Rasa server ran a full collection every 2.6 s on average, each stopping
its event loop for about 170 ms (up to 227 ms), so every turn in flight meanwhile waited that long;
the action server's took 80–150 ms and the api's 40–120 ms, less often.

``freeze_startup_objects`` is called once a server is ready: it collects the garbage of start-up
and moves every object left into the collector's permanent generation (``gc.freeze``, Python
3.7+), which later collections skip. Only in a process whose environment sets ``GXX_FREEZE_HEAP``
to 1, as `bot.launcher` does for the servers it starts: a test process that builds the api app
(its lifespan calls it too) is left as it is. Reference counting still frees those objects as usual; only a
reference cycle among them that becomes garbage would never be collected. That happens when a
long-lived structure is replaced (the live catalogue and the FAQ index after a staff edit), so
``collect_replaced`` is called after each such swap: it returns the frozen objects to the collector,
collects once (one pause of the old length), and freezes again. What a turn in flight still holds of
the old structure at that moment is frozen again with the rest, and stays until the next swap.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time

logger = logging.getLogger(__name__)

FREEZE_VARIABLE = "GXX_FREEZE_HEAP"
"""The environment variable that lets a process freeze (``"1"``); `bot.launcher` sets it."""
_lock = threading.Lock()
_frozen = False


def freeze_startup_objects() -> None:
    """Collect start-up's garbage, then freeze every tracked object (once per process, where allowed)."""
    global _frozen
    if os.environ.get(FREEZE_VARIABLE) != "1":
        return
    with _lock:
        if _frozen:
            return
        began = time.perf_counter()
        gc.collect()
        gc.freeze()
        _frozen = True
    logger.info("%d objects frozen in %.0f ms", gc.get_freeze_count(), 1000 * (time.perf_counter() - began))


def collect_replaced() -> None:
    """After a long-lived structure was swapped out: collect its cycles and freeze what is left.

    Does nothing in a process that did not freeze (a test, ``make eval``), so it never freezes
    objects there.
    """
    with _lock:
        if not _frozen:
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
