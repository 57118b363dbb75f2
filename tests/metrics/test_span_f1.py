"""The distributed-safe span F1 gives the parent's numbers, as Python floats."""

import pytest
import torch
from allennlp.data import Vocabulary
from allennlp.training.metrics import Metric, SpanBasedF1Measure

from hmtl.metrics.span_f1 import DistributedSpanBasedF1Measure

TAGS = ["O", "U-PER", "B-ORG", "L-ORG", "U-GPE"]


def one_hot(tags: list[str]) -> torch.Tensor:
    return torch.nn.functional.one_hot(gold(tags), len(TAGS)).float()


def gold(tags: list[str]) -> torch.Tensor:
    return torch.tensor([[TAGS.index(tag) for tag in tags]])


@pytest.fixture
def vocabulary() -> Vocabulary:
    vocabulary = Vocabulary()
    for tag in TAGS:
        vocabulary.add_token_to_namespace(tag, namespace="tags")
    return vocabulary


def test_same_numbers_as_span_based_f1(vocabulary):
    # Gold spans: PER (1), ORG (3-4), GPE (7). Predicted: PER (1) right, ORG (3-4) right,
    # GPE (6) wrong. PER 1/1; ORG 1/1; GPE tp 0, fp 1, fn 1. Overall tp 2, fp 1, fn 1.
    predicted = ["O", "U-PER", "O", "B-ORG", "L-ORG", "O", "U-GPE", "O"]
    expected = ["O", "U-PER", "O", "B-ORG", "L-ORG", "O", "O", "U-GPE"]
    ours = DistributedSpanBasedF1Measure(vocabulary, label_encoding="BIOUL")
    parent = SpanBasedF1Measure(vocabulary, label_encoding="BIOUL")
    for metric in (ours, parent):
        metric(one_hot(predicted), gold(expected))
    scores = ours.get_metric()
    assert scores == pytest.approx(parent.get_metric())
    assert scores["precision-overall"] == pytest.approx(2 / 3)
    assert scores["recall-overall"] == pytest.approx(2 / 3)
    assert scores["f1-measure-GPE"] == pytest.approx(0)
    assert all(type(value) is float for value in scores.values())
    ours.get_metric(reset=True)
    assert ours.get_metric()["f1-measure-overall"] == pytest.approx(0)


def test_registered_name():
    assert Metric.by_name("distributed_span_f1") is DistributedSpanBasedF1Measure
