"""Per-label and overall precision/recall/F1 under SpanBasedF1Measure's names."""

import pytest

from hmtl.metrics.labelled_prf import exact_prf, labelled_prf


def test_exact_prf_and_zero_denominators():
    # tp 2, fp 2, fn 1: P 2/4, R 2/3, F1 2 * (1/2) * (2/3) / (7/6) = 4/7.
    assert exact_prf(2, 2, 1) == pytest.approx((1 / 2, 2 / 3, 4 / 7))
    assert exact_prf(0, 0, 0) == (0.0, 0.0, 0.0)
    assert exact_prf(0, 3, 0) == (0.0, 0.0, 0.0)


def test_labels_from_any_counter_and_overall_sums():
    scores = labelled_prf({"PER": 2}, {"PER": 2, "ORG": 1}, {"PER": 1, "LOC": 2})
    assert scores["precision-PER"] == pytest.approx(1 / 2)
    assert scores["recall-PER"] == pytest.approx(2 / 3)
    assert scores["precision-ORG"] == 0.0 and scores["recall-LOC"] == 0.0
    # Overall: tp 2, fp 3, fn 3 -> P 2/5, R 2/5, F1 2/5.
    assert scores["precision-overall"] == pytest.approx(2 / 5)
    assert scores["recall-overall"] == pytest.approx(2 / 5)
    assert scores["f1-measure-overall"] == pytest.approx(2 / 5)
    assert len(scores) == 3 * 4
