"""Precision, recall and F1 per label and overall, under AllenNLP's SpanBasedF1Measure names.

Taggers and the relation head report the same keys (`precision-overall`, `recall-overall`,
`f1-measure-overall`, and `precision-<LABEL>` etc.), so that configs can name
`f1-measure-overall` as the validation metric whatever the task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

PRFFunction = Callable[[int, int, int], tuple[float, float, float]]


def exact_prf(
    true_positives: float, false_positives: float, false_negatives: float
) -> tuple[float, float, float]:
    """(precision, recall, F1) from counts; a ratio with a zero denominator is 0."""
    predicted = true_positives + false_positives
    expected = true_positives + false_negatives
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(precision), float(recall), float(f1)


def labelled_prf(
    true_positives: Mapping[str, float],
    false_positives: Mapping[str, float],
    false_negatives: Mapping[str, float],
    prf: PRFFunction = exact_prf,
) -> dict[str, float]:
    """Scores of every label seen in any of the three counters, and of all labels together."""
    scores: dict[str, float] = {}
    labels = set(true_positives) | set(false_positives) | set(false_negatives)
    for label in sorted(labels):
        precision, recall, f1 = prf(
            true_positives.get(label, 0),
            false_positives.get(label, 0),
            false_negatives.get(label, 0),
        )
        scores[f"precision-{label}"] = float(precision)
        scores[f"recall-{label}"] = float(recall)
        scores[f"f1-measure-{label}"] = float(f1)
    precision, recall, f1 = prf(
        sum(true_positives.values()), sum(false_positives.values()), sum(false_negatives.values())
    )
    scores["precision-overall"] = float(precision)
    scores["recall-overall"] = float(recall)
    scores["f1-measure-overall"] = float(f1)
    return scores
