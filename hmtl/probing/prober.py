"""The built-in prober: SentEval's probing protocol with scikit-learn's logistic regression.

Protocol (SentEval's ``SplitClassifier`` with ``usepytorch`` off, which it uses for every probing
task): fit a logistic regression on the training vectors for each inverse L2 strength ``C`` in
the grid 2^-2 .. 2^3 = (0.25, 0.5, 1, 2, 4, 8); score each on the validation split as a
percentage rounded to two decimals; keep the first ``C`` with the best validation score; report
that score and the test accuracy of the same classifier. The features are used as they come (no
scaling), the seed is SentEval's default 1111. (With ``usepytorch`` on, SentEval instead trains a
linear layer with weight decay in 10^-5 .. 10^-2 on a GPU; that is the SentEval backend's job.)
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

SENTEVAL_C_GRID: tuple[float, ...] = tuple(2.0**t for t in range(-2, 4))
SENTEVAL_SEED = 1111


@dataclass(frozen=True)
class ProbeResult:
    """Accuracies in percent (two decimals, as SentEval reports them) and split sizes.

    ``C`` is the chosen inverse regularisation strength (``None`` when SentEval chose it).
    """

    devacc: float
    acc: float
    ntrain: int
    ndev: int
    ntest: int
    C: float | None = None  # noqa: N815  (scikit-learn's name for it)

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


class LogisticRegressionProber:
    """Fits one logistic regression per ``C``, picks ``C`` on dev, reports dev and test accuracy."""

    def __init__(
        self,
        c_grid: Sequence[float] = SENTEVAL_C_GRID,
        seed: int = SENTEVAL_SEED,
        max_iter: int = 100,
    ) -> None:
        if not c_grid or any(c <= 0 for c in c_grid):
            raise ValueError(f"the C grid must be non-empty and positive, got {list(c_grid)}")
        self.c_grid = tuple(float(c) for c in c_grid)
        self.seed = seed
        self.max_iter = max_iter

    def fit_evaluate(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_dev: np.ndarray,
        y_dev: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
    ) -> ProbeResult:
        splits = {
            "train": (x_train, y_train), "dev": (x_dev, y_dev), "test": (x_test, y_test)
        }
        width = None
        for name, (x, y) in splits.items():
            if x.ndim != 2 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
                raise ValueError(
                    f"{name}: expected a non-empty (examples, features) matrix and one label per "
                    f"example, got shapes {x.shape} and {y.shape}"
                )
            if width is not None and x.shape[1] != width:
                raise ValueError(f"{name} has {x.shape[1]} features, train has {width}")
            width = x.shape[1]
            if not np.isfinite(x).all():
                raise ValueError(f"{name} vectors contain NaN or infinite values")
        if len(np.unique(y_train)) < 2:
            raise ValueError("the training labels have a single class: nothing to probe")

        best: tuple[float, float, LogisticRegression] | None = None
        scores = []
        for c in self.c_grid:
            classifier = self._fit(c, x_train, y_train)
            score = round(100 * classifier.score(x_dev, y_dev), 2)
            scores.append((c, score))
            if best is None or score > best[1]:
                best = (c, score, classifier)
        assert best is not None
        c, devacc, classifier = best
        logger.info("dev accuracy per C: %s; chose C=%g", scores, c)
        acc = round(100 * classifier.score(x_test, y_test), 2)
        return ProbeResult(
            devacc=float(devacc), acc=float(acc), ntrain=len(y_train), ndev=len(y_dev),
            ntest=len(y_test), C=c,
        )

    def _fit(self, c: float, x: np.ndarray, y: np.ndarray) -> LogisticRegression:
        classifier = LogisticRegression(C=c, max_iter=self.max_iter, random_state=self.seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            classifier.fit(x, y)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            logger.warning(
                "logistic regression (C=%g) stopped at max_iter=%d before converging",
                c, self.max_iter,
            )
        return classifier
