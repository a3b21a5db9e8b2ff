"""The ten-line baseline every pipeline must beat: character n-gram TF-IDF + logistic regression."""

from __future__ import annotations

from typing import List, Sequence

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

    def predict(self, texts: Sequence[str]) -> List[str]:
        """The most likely intent of each text."""
        return [str(p) for p in self.pipeline.predict(list(texts))]
