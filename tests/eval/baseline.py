"""The ten-line baseline every pipeline must beat: character n-gram TF-IDF + logistic regression.

``python -m tests.eval.baseline MESSAGES.json OUT.json [--folds K]`` fits it on ``data/nlu`` and
writes its fit time, the intents it predicts for the held-out messages (``MESSAGES.json``: file
name → texts) and those of K-fold cross-validation (`tests.eval.candidate.folds`; 5 unless told).
``make eval`` runs it as a job beside the Rasa candidates'; it takes seconds a fit.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence

from rasa.shared.nlu.training_data.message import Message
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from threadpoolctl import threadpool_limits


class TfidfBaseline:
    """``char_wb`` 1–3-gram TF-IDF (sublinear) and ``LogisticRegression(C=10)``, nothing else.

    Fitted with Newton-CG on one BLAS thread, as the project's model is (``bot.nlu.linear``): the
    same L2-regularised loss, whose optimum is unique, reached in fewer passes than L-BFGS's.
    """

    def __init__(self) -> None:
        self.pipeline: Pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
            LogisticRegression(C=10, solver="newton-cg", max_iter=3000),
        )

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TfidfBaseline:
        """Fit on texts and their intents."""
        with threadpool_limits(limits=1):
            self.pipeline.fit(list(texts), list(labels))
        return self

    def fit_examples(self, examples: Iterable[Message]) -> TfidfBaseline:
        """Fit on Rasa training examples (their ``text`` and ``intent``)."""
        pairs = [(e.get("text"), e.get("intent")) for e in examples]
        return self.fit([t for t, _ in pairs], [i for _, i in pairs])

    def predict(self, texts: Sequence[str]) -> List[str]:
        """The most likely intent of each text."""
        return [str(p) for p in self.pipeline.predict(list(texts))]


def main() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.settings import PROJECT_ROOT
    from tests.eval.candidate import folds
    from tests.eval.data import TRAINING_DATA

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("messages", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    data = load_data(str(PROJECT_ROOT / TRAINING_DATA))
    start = time.perf_counter()
    model = TfidfBaseline().fit_examples(data.intent_examples)
    report: Dict[str, Any] = {"train_s": time.perf_counter() - start, "heldout": {}, "cv": []}
    messages: Dict[str, List[str]] = json.loads(args.messages.read_text(encoding="utf-8"))
    for name, texts in messages.items():
        report["heldout"][name] = [
            {"intent": p, "confidence": 1.0, "entities": []} for p in model.predict(texts)
        ]
    for subset, tested in folds(data, args.folds):
        fold_model = TfidfBaseline().fit_examples(subset.intent_examples)
        predicted = fold_model.predict([e.get("text") for e in tested])
        report["cv"] += [
            {"gold": e.get("intent"), "intent": p} for e, p in zip(tested, predicted, strict=True)
        ]
    args.out.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
