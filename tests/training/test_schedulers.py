"""reduce_on_plateau works on torch 2.x and follows the direction of the validation metric."""

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.training.learning_rate_schedulers import LearningRateScheduler

from hmtl.training.schedulers import ReduceOnPlateauScheduler

ORIGINAL = {
    "type": "reduce_on_plateau",
    "mode": "min",
    "factor": 0.5,
    "patience": 1,
    "threshold": 0.0001,
    "threshold_mode": "abs",
    "verbose": True,
}


def _optimizer() -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)


def test_the_original_block_builds_and_takes_the_metric_direction():
    optimizer = _optimizer()
    scheduler = LearningRateScheduler.from_params(
        Params(dict(ORIGINAL)), optimizer=optimizer, validation_metric_decreases=False
    )
    assert isinstance(scheduler, ReduceOnPlateauScheduler)
    assert scheduler.mode == "max"  # the config's "min" on an F1 would be the original's bug
    for f1 in (0.5, 0.6, 0.7):  # improving F1: the rate stays
        scheduler.step(f1)
    assert optimizer.param_groups[0]["lr"] == 1.0
    # best 0.7; two validations without improvement > patience 1 -> lr * 0.5
    scheduler.step(0.7)
    assert optimizer.param_groups[0]["lr"] == 1.0
    scheduler.step(0.65)
    assert optimizer.param_groups[0]["lr"] == 0.5


def test_a_decreasing_metric_gets_mode_min():
    scheduler = LearningRateScheduler.from_params(
        Params({"type": "reduce_on_plateau"}), optimizer=_optimizer(),
        validation_metric_decreases=True,
    )
    assert scheduler.mode == "min"


def test_state_round_trips():
    optimizer = _optimizer()
    scheduler = ReduceOnPlateauScheduler(optimizer, factor=0.5, patience=0)
    scheduler.step(1.0)
    scheduler.step(2.0)
    restored = ReduceOnPlateauScheduler(_optimizer(), factor=0.5, patience=0)
    restored.load_state_dict(scheduler.state_dict())
    assert restored.lr_scheduler.best == 1.0


def test_a_bad_mode_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="mode must be 'min' or 'max'"):
        ReduceOnPlateauScheduler(_optimizer(), mode="down")
