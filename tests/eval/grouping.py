"""How the staff's unanswered list groups paraphrases: the held-out FAQ questions as if unanswered.

Every held-out FAQ paraphrase is recorded, in a fixed shuffled order, into a real SQLite
``UnansweredStore`` — once grouped by exact key only, once with ``Resemblance`` weighted by the
FAQ entries of ``data/faq`` and the nearest entry the index finds — and the groups are scored:
rows (fewer is better: one row per thing asked is ideal) and purity (the share of questions in a
group whose most common topic is their own; a group mixing two questions misleads staff).
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.db import make_engine, run_migrations
from bot.faq import FaqIndex
from bot.unanswered import Resemblance, UnansweredStore
from tests.eval.data import Example
from tests.eval.metrics import faq_index

ORDER_SEED = 7


def _rows(
    questions: Sequence[Tuple[str, str]], resemblance: Optional[Resemblance], index: FaqIndex, folder: Path
) -> Tuple[int, float]:
    url = f"sqlite:///{folder / ('grouped.db' if resemblance else 'exact.db')}"
    run_migrations(url)
    store = UnansweredStore(make_engine(url), resemblance)
    topics_of: Dict[int, List[str]] = defaultdict(list)
    for text, topic in questions:
        nearest = index.search(text, 1)
        group = store.record(text, best_match=nearest[0].entry.id if nearest else None)
        if group is not None:
            topics_of[group].append(topic)
    pure = sum(Counter(topics).most_common(1)[0][1] for topics in topics_of.values())
    return len(topics_of), pure / max(1, sum(len(t) for t in topics_of.values()))


def unanswered_grouping(held: Dict[str, Sequence[Example]]) -> Dict[str, Any]:
    """Rows and purity of the unanswered list for every held-out FAQ paraphrase (see module)."""
    index = faq_index()
    entries = index.entries
    questions = [(e.text, e.topic) for items in held.values() for e in items if e.topic]
    random.Random(ORDER_SEED).shuffle(questions)
    resemblance = Resemblance([[e.title, *e.questions] for e in entries])
    with tempfile.TemporaryDirectory() as folder:
        exact_rows, exact_purity = _rows(questions, None, index, Path(folder))
        rows, purity = _rows(questions, resemblance, index, Path(folder))
    return {
        "questions": len(questions),
        "topics": len({topic for _, topic in questions}),
        "exact_rows": exact_rows,
        "exact_purity": exact_purity,
        "rows": rows,
        "purity": purity,
    }
