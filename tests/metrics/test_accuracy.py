"""Categorical accuracy that counts locally and sums across processes only when read."""

import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.training.metrics import CategoricalAccuracy

from hmtl.metrics.accuracy import DistributedCategoricalAccuracy

# 3 tokens of 3 classes; gold 0, 2, 1
SCORES = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.4, 0.4, 0.2]])
GOLD = torch.tensor([0, 2, 1])


def test_top_one_with_a_mask():
    metric = DistributedCategoricalAccuracy()
    # argmax: 0 (right), 1 (wrong), 0 (first of a tie, wrong); the third token is masked out
    metric(SCORES.unsqueeze(0), GOLD.unsqueeze(0), torch.tensor([[True, True, False]]))
    assert metric.get_metric() == pytest.approx(1 / 2)
    metric(SCORES.unsqueeze(0), GOLD.unsqueeze(0))  # + 1 right of 3
    assert metric.get_metric(reset=True) == pytest.approx(2 / 5)
    assert metric.get_metric() == 0.0


def test_top_two_and_tie_break():
    top_two = DistributedCategoricalAccuracy(top_k=2)
    top_two(SCORES, GOLD)  # top two: {0, 1} right, {1, 2} right, {0, 1} right
    assert top_two.get_metric() == pytest.approx(3 / 3)
    ties = DistributedCategoricalAccuracy(tie_break=True)
    ties(SCORES, GOLD)  # 1 + 0 + 1/2 (gold is one of two tied maxima)
    assert ties.get_metric() == pytest.approx(1.5 / 3)


def test_the_same_numbers_as_allennlp_outside_a_distributed_run():
    torch.manual_seed(3)
    scores, gold = torch.randn(4, 6, 5), torch.randint(0, 5, (4, 6))
    mask = torch.rand(4, 6) > 0.3
    ours, theirs = DistributedCategoricalAccuracy(top_k=3), CategoricalAccuracy(top_k=3)
    ours(scores, gold, mask)
    theirs(scores, gold, mask)
    assert ours.get_metric() == pytest.approx(theirs.get_metric())


def test_a_label_beyond_the_classes_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="number of classes"):
        DistributedCategoricalAccuracy()(SCORES, torch.tensor([0, 3, 1]))
