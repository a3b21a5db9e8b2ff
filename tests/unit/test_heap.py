"""The servers' objects from start-up leave the collector's walks; a swapped-out structure is still collected.

Each case runs in a fresh interpreter: freezing is once per process, and this one must stay unfrozen.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bot.settings import PROJECT_ROOT

PRELUDE = """
import gc, weakref
from bot import heap

class Node:
    pass

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a
"""


def run(body: str) -> str:
    script = PRELUDE + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_freezing_moves_startup_objects_out_of_the_walks_once() -> None:
    out = run(
        """
        kept = [cycle() for _ in range(1000)]
        heap.freeze_startup_objects()
        frozen = gc.get_freeze_count()
        heap.freeze_startup_objects()  # a second server start in the same process changes nothing
        print(frozen >= 2000, gc.get_freeze_count() == frozen, len(gc.get_objects(2)) < frozen)
        """
    )
    assert out == "True True True"


def test_a_replaced_structure_with_cycles_is_collected_after_the_swap() -> None:
    out = run(
        """
        old = cycle()
        gone = weakref.ref(old)
        heap.freeze_startup_objects()
        old = None
        gc.collect()
        leaked_without = gone() is not None  # frozen cycles are skipped by an ordinary collection
        heap.collect_replaced()
        print(leaked_without, gone() is None, gc.get_freeze_count() > 0)
        """
    )
    assert out == "True True True"


def test_a_process_that_never_froze_is_left_alone() -> None:
    out = run(
        """
        heap.collect_replaced()
        print(gc.get_freeze_count())
        """
    )
    assert out == "0"
