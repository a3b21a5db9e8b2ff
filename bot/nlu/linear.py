"""Fitting the multinomial logistic regressions of the intent model and the FAQ index.

Both fit ``LogisticRegression`` on a few thousand TF-IDF n-gram rows with tens of thousands of
columns and dozens of classes. scikit-learn's default solver (L-BFGS) keeps ten correction pairs
of the whole weight matrix and needed 96 iterations and 47 s for the intent model here; Newton-CG
minimises the same L2-regularised loss (the optimum is unique, so the probabilities agree to
within the solvers' tolerance, 3e-4 on the training data) in 21 iterations and 25 s, without
L-BFGS's history (the FAQ index's transient peak fell from +185 MiB to +30 MiB). One BLAS thread:
on two cores the second thread only spins (28 s with two, 22 s with one). Measured by timing both
solvers on the features ``rasa train`` builds; the table is in ``docs/benchmarks.md``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

#: scikit-learn's ``tol`` for Newton-CG (its default)
TOLERANCE = 1e-4


def fit_logistic_regression(
    features: sp.spmatrix, labels: Sequence[object], c: float, class_weight: Optional[str] = None
) -> LogisticRegression:
    """A multinomial logistic regression of ``labels`` on ``features`` (rows × columns, sparse).

    ``c`` is the inverse L2 strength (scikit-learn's ``C``); ``class_weight`` ``"balanced"`` or
    ``None``. Raises scikit-learn's ``ValueError`` for fewer than two classes.
    """
    model = LogisticRegression(
        C=c, class_weight=class_weight, solver="newton-cg", tol=TOLERANCE, max_iter=3000, random_state=42
    )
    with threadpool_limits(limits=1):
        return model.fit(features, list(labels))
