"""Relation triples scored overall and per type."""

import pytest
from allennlp.training.metrics import Metric

from hmtl.metrics.relation_f1 import RelationF1Measure


def test_counts_triples_per_sentence_and_per_type():
    metric = RelationF1Measure()
    metric(
        # Sentence 0: (1, 4, ORG-AFF) right, (1, 7, PHYS) right, (2, 7, PHYS) wrong.
        # Sentence 1: nothing predicted, (0, 3, PHYS) missed. Sentence 2: repeat counts once.
        [[(1, 4, "ORG-AFF"), (1, 7, "PHYS"), (2, 7, "PHYS")], [], [(5, 6, "ART")] * 2],
        [[(1, 4, "ORG-AFF"), (1, 7, "PHYS")], [(0, 3, "PHYS")], {(5, 6, "ART")}],
    )
    # The same triple in another sentence is another relation: (1, 4, ORG-AFF) of sentence 0
    # predicted for sentence 1 is a false positive there.
    metric([[(1, 4, "ORG-AFF")]], [[]])
    scores = metric.get_metric()
    # PHYS: tp 1, fp 1, fn 1 -> P 1/2, R 1/2, F1 1/2.
    assert scores["precision-PHYS"] == pytest.approx(1 / 2)
    assert scores["recall-PHYS"] == pytest.approx(1 / 2)
    assert scores["f1-measure-PHYS"] == pytest.approx(1 / 2)
    # ORG-AFF: tp 1, fp 1, fn 0 -> P 1/2, R 1, F1 2/3.
    assert scores["precision-ORG-AFF"] == pytest.approx(1 / 2)
    assert scores["recall-ORG-AFF"] == pytest.approx(1)
    assert scores["f1-measure-ORG-AFF"] == pytest.approx(2 / 3)
    # ART: tp 1. Overall: tp 3, fp 2, fn 1 -> P 3/5, R 3/4, F1 2 * 0.6 * 0.75 / 1.35 = 2/3.
    assert scores["precision-overall"] == pytest.approx(3 / 5)
    assert scores["recall-overall"] == pytest.approx(3 / 4)
    assert scores["f1-measure-overall"] == pytest.approx(2 / 3)
    assert all(type(value) is float for value in scores.values())


def test_reset_and_empty_metric():
    metric = RelationF1Measure()
    assert metric.get_metric() == {
        "precision-overall": 0.0,
        "recall-overall": 0.0,
        "f1-measure-overall": 0.0,
    }
    metric([[(0, 1, "PHYS")]], [[(0, 1, "PHYS")]])
    assert metric.get_metric(reset=True)["f1-measure-overall"] == 1.0
    assert metric.get_metric()["f1-measure-overall"] == 0.0


def test_bad_calls_are_explained():
    metric = RelationF1Measure()
    with pytest.raises(ValueError, match="one entry per sentence"):
        metric([[]], [[], []])
    with pytest.raises(ValueError, match="triple with a string type"):
        metric([[(0, 1)]], [[]])


def test_registered_name():
    assert Metric.by_name("relation_f1") is RelationF1Measure
