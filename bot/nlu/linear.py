"""The TF-IDF features and multinomial logistic regressions of the intent model and the FAQ index.

Both fit ``LogisticRegression`` on a few thousand TF-IDF n-gram rows with tens of thousands of
columns and dozens of classes. scikit-learn's default solver (L-BFGS) keeps ten correction pairs
of the whole weight matrix and needed 96 iterations and 47 s for the intent model here; Newton-CG
minimises the same L2-regularised loss (the optimum is unique, so the probabilities agree to
within the solvers' tolerance, 3e-4 on the training data) in 21 iterations and 25 s, without
L-BFGS's history (the FAQ index's transient peak fell from +185 MiB to +30 MiB). One BLAS thread:
on two cores the second thread only spins (28 s with two, 22 s with one). Measured by timing both
solvers on the features ``rasa train`` builds; the table is in ``docs/benchmarks.md``.

The fit runs in single precision. Newton-CG's time goes to sparse × dense products and to vectors
the size of the whole weight matrix (68 classes × 58,605 columns for the intent model since the FAQ
is learned by topic), and float32 halves the memory each of them moves: the intent model's fit took
49.5 s in double and 29.5 s in single precision on the same features, its probabilities on the
training data within 2.2e-4 and every argmax the same. Near the optimum a step too small for
single precision makes the line search give up, which ends the fit there (19 iterations instead of
24); SciPy's and scikit-learn's warnings saying so are filtered out by their messages (the process's
filters, set once on import: the FAQ index is refitted in a thread of the action server, and a
``warnings.catch_warnings`` around the fit would change the filters of every thread meanwhile).
The fitted weights are returned in double precision, so a parse multiplies float64 by float64 as
before, with no conversion per message.
"""

from __future__ import annotations

import warnings
from typing import Any, Iterable, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

# SciPy's and scikit-learn's warnings when Newton-CG's line search gives up (module docstring)
warnings.filterwarnings("ignore", message="The line search algorithm did not converge", module="scipy")
warnings.filterwarnings("ignore", message="Line Search failed", module="sklearn")

#: scikit-learn's ``tol`` for Newton-CG (its default)
TOLERANCE = 1e-4


def fit_logistic_regression(
    features: sp.spmatrix, labels: Sequence[object], c: float, class_weight: Optional[str] = None
) -> LogisticRegression:
    """A multinomial logistic regression of ``labels`` on ``features`` (rows × columns, sparse).

    ``c`` is the inverse L2 strength (scikit-learn's ``C``); ``class_weight`` ``"balanced"`` or
    ``None``. Fitted in single precision (module docstring); ``coef_`` and ``intercept_`` are float64.
    Raises scikit-learn's ``ValueError`` for fewer than two classes.
    """
    model = LogisticRegression(
        C=c, class_weight=class_weight, solver="newton-cg", tol=TOLERANCE, max_iter=3000, random_state=42
    )
    with threadpool_limits(limits=1):
        model.fit(features.astype(np.float32), list(labels))
    model.coef_ = model.coef_.astype(np.float64)
    model.intercept_ = model.intercept_.astype(np.float64)
    return model


class TfidfFeatures(TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer`` (same parameters, same numbers), quicker on one message.

    scikit-learn 1.1, the version Rasa 3.6 pins, checks and applies the fitted idf weights on every
    ``transform`` by summing and multiplying an ``n_features × n_features`` diagonal matrix: 0.9 ms
    of a 1.0 ms transform of one message with 40,000 character n-grams, paid on every parse. Here
    the weights are read off that matrix once after each fit or load and applied to the counts'
    non-zeros only. ``tests/unit/test_intent_classifier.py`` checks that both give the same matrix.
    """

    _idf_of: Optional[Tuple[Any, np.ndarray]] = None  # (the fitted diagonal matrix, its diagonal)

    def _idf(self) -> np.ndarray:
        diagonal = self._tfidf._idf_diag
        if self._idf_of is None or self._idf_of[0] is not diagonal:
            self._idf_of = (diagonal, diagonal.diagonal())
        return self._idf_of[1]

    def transform(self, raw_documents: Iterable[Any]) -> sp.csr_matrix:
        """TF-IDF rows of ``raw_documents``, shape ``(len(raw_documents), n_features)``."""
        counts = CountVectorizer.transform(self, raw_documents).astype(np.float64)
        if self.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1
        if self.use_idf:
            counts.data *= self._idf()[counts.indices]
        return normalize(counts, norm=self.norm, copy=False) if self.norm else counts
