"""The `conll_coref_scores` metric: micro-averages over batches, mention recall, plain floats."""

import io

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.training.metrics import Metric

from hmtl.metrics.coreference import ConllCorefScores

A, B, C, D, E, X = (0, 0), (2, 3), (5, 5), (7, 8), (10, 10), (12, 12)
GOLD_1 = [[A, B, C], [D, E]]
PREDICTED_1 = [[A, B], [C, D], [X]]
# Document 1 counts (see tests/metrics/test_coref_scores.py for the arithmetic):
#   MUC (1, 3, 1, 2); B3 (13/6, 5, 3, 5); CEAF-e (1.3, 2, 1.3, 3).
GOLD_2 = [[[0, 1], [3, 3]]]  # lists, as metadata may hold them after a round trip
PREDICTED_2 = [[(0, 1), (3, 3)]]
# Document 2 is perfect: MUC (1, 1, 1, 1); B3 (2, 2, 2, 2); CEAF-e (1, 1, 1, 1).


def filled_metric() -> ConllCorefScores:
    metric = ConllCorefScores()
    # Mention recall, document 1: kept spans A, B, D, X and one more -> 3 of the 5 gold mentions.
    metric([PREDICTED_1], [GOLD_1], top_spans=[[A, B, D, X, (20, 20)]])
    # Document 2: kept spans from a (batch, k, 2) tensor; (3, 3) is masked out -> 1 of 2.
    metric(
        [PREDICTED_2],
        [GOLD_2],
        top_spans=torch.tensor([[[0, 1], [3, 3], [5, 6]]]),
        top_span_mask=torch.tensor([[True, False, True]]),
    )
    return metric


def test_scores_are_micro_averages_over_documents_and_batches():
    scores = filled_metric().get_metric()
    # MUC: recall (1 + 1) / (3 + 1) = 1/2, precision (1 + 1) / (2 + 1) = 2/3.
    assert scores["muc_recall"] == pytest.approx(2 / 4)
    assert scores["muc_precision"] == pytest.approx(2 / 3)
    assert scores["muc_f1"] == pytest.approx(2 * (1 / 2) * (2 / 3) / (1 / 2 + 2 / 3))
    # B3: recall (13/6 + 2) / (5 + 2) = 25/42, precision (3 + 2) / (5 + 2) = 5/7.
    assert scores["b3_recall"] == pytest.approx(25 / 42)
    assert scores["b3_precision"] == pytest.approx(5 / 7)
    # CEAF-e: recall (1.3 + 1) / (2 + 1), precision (1.3 + 1) / (3 + 1).
    assert scores["ceafe_recall"] == pytest.approx(2.3 / 3)
    assert scores["ceafe_precision"] == pytest.approx(2.3 / 4)
    for quantity in ("precision", "recall", "f1"):
        mean = sum(scores[f"{name}_{quantity}"] for name in ("muc", "b3", "ceafe")) / 3
        assert scores[f"coref_{quantity}"] == pytest.approx(mean)
    # Mention recall: (3 + 1) / (5 + 2).
    assert scores["mention_recall"] == pytest.approx(4 / 7)


def test_values_are_python_floats_that_load_with_weights_only():
    scores = filled_metric().get_metric()
    assert all(type(value) is float for value in scores.values())
    buffer = io.BytesIO()
    torch.save(scores, buffer)
    buffer.seek(0)
    assert torch.load(buffer, weights_only=True) == scores


def test_reset_and_empty_metric_report_zeros():
    metric = filled_metric()
    assert metric.get_metric(reset=True)["coref_f1"] > 0
    assert set(metric.get_metric().values()) == {0.0}


def test_explicit_gold_mentions_and_no_top_spans():
    metric = ConllCorefScores()
    metric([PREDICTED_1], [GOLD_1])  # no top spans: mention recall untouched
    assert metric.get_metric()["mention_recall"] == 0.0
    # Gold mentions given explicitly: A, X of which the kept spans hold A -> 1/2.
    metric([[]], [[]], top_spans=[[A]], gold_mentions=[[A, X]])
    assert metric.get_metric()["mention_recall"] == pytest.approx(1 / 2)


def test_mismatched_documents_are_rejected():
    with pytest.raises(ValueError, match="one entry per document"):
        ConllCorefScores()([PREDICTED_1], [GOLD_1, GOLD_1])


def test_built_from_config_and_strict_about_keys():
    metric = Metric.from_params(Params({"type": "conll_coref_scores"}))
    assert isinstance(metric, ConllCorefScores)
    with pytest.raises(ConfigurationError):
        Metric.from_params(Params({"type": "conll_coref_scores", "typo": 1}))
