"""Loss weightings: constant weights, the uncertainty weighting's exact loss and gradient, and
one-line errors for bad settings."""

import math

import pytest
import torch
from allennlp.common.checks import ConfigurationError

from hmtl.training.weighting import LossWeighting, UncertaintyWeighting, build_weighting

TASKS = ["ner", "coref"]


def build(setting) -> LossWeighting:
    return build_weighting(setting, TASKS)


def test_the_default_counts_every_loss_once():
    weighting = build(None)
    loss = torch.tensor(2.5)
    assert weighting("ner", loss) is loss
    assert list(weighting.parameters()) == []


def test_constant_weights_scale_the_named_tasks():
    weighting = build({"type": "constant", "weights": {"coref": 0.5}})
    assert float(weighting("coref", torch.tensor(3.0))) == 1.5
    assert float(weighting("ner", torch.tensor(3.0))) == 3.0


def test_uncertainty_is_exp_minus_s_times_the_loss_plus_s():
    weighting = build({"type": "uncertainty"})
    assert isinstance(weighting, UncertaintyWeighting)
    with torch.no_grad():
        weighting.log_variances["ner"].fill_(math.log(2.0))
    total = weighting("ner", torch.tensor(4.0))
    # exp(-log 2) * 4 + log 2 = 2 + 0.6931
    assert float(total.detach()) == pytest.approx(2.0 + math.log(2.0))
    total.backward()
    # d/ds [exp(-s) L + s] = 1 - exp(-s) L = 1 - 4 / 2 = -1
    assert float(weighting.log_variances["ner"].grad) == pytest.approx(-1.0)
    assert weighting.log_variances["coref"].grad is None
    assert weighting.statistics()["ner/weight"] == pytest.approx(0.5)


def test_the_uncertainty_constant_term_is_scaled_for_several_processes():
    weighting = build({"type": "uncertainty", "initial_log_variance": 1.0})
    # rank 0 of two adds the s term twice, the other rank not at all: the average is s once
    assert float(weighting("ner", torch.tensor(1.0), 2.0)) == pytest.approx(math.exp(-1) + 2)
    assert float(weighting("ner", torch.tensor(1.0), 0.0)) == pytest.approx(math.exp(-1))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"type": "learned"}, "loss_weighting.type must be one of constant, uncertainty"),
        ({"type": "constant", "weights": {"pos": 1.0}},
         "loss_weighting.weights: no task named 'pos'; tasks are ner, coref"),
        ({"type": "constant", "weights": {"ner": -1.0}},
         "loss_weighting.weights.ner must be a number >= 0; got -1.0"),
        ({"type": "constant", "weights": {"ner": "high"}},
         "multi_task_trainer.loss_weighting: Expected weights.ner to be numeric"),
        ([1, 2], "loss_weighting must be an object"),
    ],
)
def test_bad_settings_are_one_line_errors(setting, message):
    with pytest.raises(ConfigurationError) as caught:
        build(setting)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
