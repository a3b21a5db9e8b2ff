"""The servers' objects from start-up leave the collector's walks; a swapped-out structure is still collected.

Each case runs in a fresh interpreter: freezing is once per process, and this one must stay unfrozen.
"""

from __future__ import annotations

import os
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


def run(body: str, allowed: bool = True) -> str:
    script = PRELUDE + textwrap.dedent(body)
    env = {k: v for k, v in os.environ.items() if k != "GXX_FREEZE_HEAP"}
    if allowed:
        env["GXX_FREEZE_HEAP"] = "1"  # as bot.launcher sets it for the servers
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
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
        walked = {id(o) for o in gc.get_objects()}
        print(frozen >= 2000, gc.get_freeze_count() == frozen, id(kept[0]) in walked, id(kept) in walked)
        """
    )
    assert out == "True True False False"


def test_a_process_the_launcher_did_not_start_never_freezes() -> None:
    out = run(
        """
        heap.freeze_startup_objects()
        print(gc.get_freeze_count())
        """,
        allowed=False,
    )
    assert out == "0"


def test_a_new_faq_index_swapped_in_is_followed_by_a_collection_and_a_freeze() -> None:
    out = run(
        """
        import os, shutil, tempfile
        from pathlib import Path
        from bot.faq import FaqStore
        from bot.settings import PROJECT_ROOT
        folder = Path(tempfile.mkdtemp())
        for path in (PROJECT_ROOT / "data" / "faq").glob("*.yml"):
            shutil.copy(path, folder)
        store = FaqStore(folder)
        store.current()
        heap.freeze_startup_objects()
        old = store.current()
        frozen = gc.get_freeze_count()
        later = [cycle() for _ in range(1000)]  # made after the freeze: walked until the next one
        first = sorted(folder.glob("*.yml"))[0]
        first.write_text(first.read_text(encoding="utf-8") + "\\n", encoding="utf-8")
        store._checked = 0.0  # look at the files now rather than in a few seconds
        print(store.current() is not old, gc.get_freeze_count() >= frozen + 2000)
        """
    )
    assert out == "True True"


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
