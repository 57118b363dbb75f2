"""A plugin per-task tracker chosen by ``multi_task_trainer.tracker``: it changes what counts as
an improvement, keeps a field of its own in the checkpoint, and a run that uses it recovers."""

from dataclasses import dataclass

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.weights import load_torch_file
from hmtl.training.tracking import RunState, TaskTracker, tracker_factory
from tests.training.test_trainer import Crash, _crash_after_checkpoints, make_trainer


@TaskTracker.register("test_min_delta")
@dataclass(init=False)
class MinDeltaTracker(TaskTracker):
    """A validation counts as better only when it beats the best by at least ``min_delta`` (a key
    of its own); ``too_small`` (saved with the tracker) counts the smaller gains."""

    too_small: int = 0

    def __init__(self, min_delta: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.min_delta = min_delta
        self.too_small = 0

    def is_improvement(self, value: float, best: float) -> bool:
        gain = best - value if self.decreases else value - best
        if 0 < gain < self.min_delta:
            self.too_small += 1
        return gain >= self.min_delta


def counting_config(toy_config):
    """Both toy tasks validated on ``training_calls``: every training step of either task adds
    one, and an epoch is 5 steps, so validation k (after epoch k) scores 5 * (k + 1)."""
    for task in ("task_pos", "task_ent"):
        toy_config[task]["task_description"]["validation_metric_name"] = "training_calls"
    return toy_config


def history(summary):
    return [record["global_step"] for record in summary["history"]]


def test_the_default_tracker_sees_every_validation_as_an_improvement(toy_config, tmp_path):
    # scores 5, 10, 15, 20 are strictly increasing: never out of patience, best at step 20
    summary = make_trainer(counting_config(toy_config), tmp_path, num_epochs=4, patience=1).train()
    assert history(summary) == [5, 10, 15, 20]
    assert summary["stop_reason"] == "num_epochs (4) reached"
    assert (summary["pos"]["best_step"], summary["pos"]["best_epoch"]) == (20, 3)
    assert not summary["pos"]["out_of_patience"]


def test_a_plugin_tracker_chosen_by_config_changes_patience_and_the_best_step(
    toy_config, tmp_path
):
    # min_delta 6, patience 1: 5 is the first best; 10 gains only 5 < 6, one validation without
    # improvement = patience, for both tasks: the run stops after the second validation.
    trainer = make_trainer(counting_config(toy_config), tmp_path, num_epochs=4, patience=1,
                           tracker={"type": "test_min_delta", "min_delta": 6})
    assert all(type(t) is MinDeltaTracker for t in trainer.state.tasks.values())
    assert trainer.state.tasks["pos"].min_delta == 6.0
    assert (trainer.state.tasks["pos"].decreases, trainer.state.tasks["pos"].patience) == (False, 1)
    summary = trainer.train()
    assert history(summary) == [5, 10]
    assert summary["stop_reason"] == "every task is out of patience"
    for task in ("pos", "ent"):
        assert (summary[task]["best_step"], summary[task]["best_epoch"]) == (5, 0)
        assert summary[task]["out_of_patience"]
    saved = load_torch_file(tmp_path / "training_state.th", "training state")["tasks"]["pos"]
    assert saved["history"] == [5.0, 10.0] and saved["best_index"] == 0
    assert saved["too_small"] == 1


def test_a_run_with_a_plugin_tracker_recovers_its_own_state(toy_config, tmp_path, monkeypatch):
    # min_delta 6, patience 2: 5 best; 10 (+5) too small; 15 (+10 on 5) best at step 15;
    # 20 (+5) too small: best step 15, two gains too small, never out of patience.
    settings = {"num_epochs": 4, "patience": 2,
                "tracker": {"type": "test_min_delta", "min_delta": 6}}
    config = counting_config(toy_config)
    with monkeypatch.context() as patch:
        _crash_after_checkpoints(patch, 2)
        with pytest.raises(Crash):
            make_trainer(config, tmp_path, **settings).train()
    partial = load_torch_file(tmp_path / "training_state.th", "training state")
    assert partial["tasks"]["pos"]["too_small"] == 1 and partial["tasks"]["pos"]["best_index"] == 0

    resumed = make_trainer(config, tmp_path, **settings)
    summary = resumed.train(recover=True)
    assert history(summary) == [5, 10, 15, 20]
    assert summary["stop_reason"] == "num_epochs (4) reached"
    assert (summary["pos"]["best_step"], summary["pos"]["best_epoch"]) == (15, 2)
    tracker = resumed.state.tasks["pos"]
    assert type(tracker) is MinDeltaTracker and tracker.too_small == 2  # 1 restored + 1 more
    assert not tracker.out_of_patience and tracker.validations_without_improvement == 1


def test_the_run_state_loads_saved_trackers_into_the_configured_type():
    make = tracker_factory({"type": "test_min_delta", "min_delta": 0.5}, {"f1": False}, 3)
    state = RunState.start(["f1"], seed=1, make_tracker=make)
    state.tasks["f1"].update(0.2, 0, 5, {})
    state.tasks["f1"].update(0.3, 1, 10, {})  # +0.1 < 0.5: too small
    saved = state.to_dict()
    assert saved["tasks"]["f1"]["too_small"] == 1
    restored = RunState.from_dict(saved, "x.th", make)
    assert restored == state and restored.tasks["f1"].min_delta == 0.5
    # a state saved by the default tracker (no too_small) loads with the field's initial value
    del saved["tasks"]["f1"]["too_small"]
    assert RunState.from_dict(saved, "x.th", make).tasks["f1"].too_small == 0
    # and the default tracker ignores the plugin's extra field
    assert type(RunState.from_dict(state.to_dict(), "x.th").tasks["f1"]) is TaskTracker


def test_an_unknown_tracker_type_in_the_config_is_a_one_line_error(toy_config, tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        make_trainer(toy_config, tmp_path, tracker={"type": "not_a_tracker"})
    message = str(caught.value)
    assert "\n" not in message and message.endswith("got 'not_a_tracker'")
    assert message.startswith("multi_task_trainer.tracker.type must be one of ")
    assert {"patience", "test_min_delta"} <= set(message.split(" one of ")[1].split("; ")[0]
                                                  .split(", "))
