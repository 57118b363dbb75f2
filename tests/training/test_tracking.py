"""The run state's dataclasses: best values, patience, the checkpoint layout and its versions."""

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.training.tracking import (
    STATE_VERSION,
    BestTracker,
    RunState,
    TaskTracker,
    tracker_factory,
)


def test_the_best_value_and_where_it_was_reached():
    tracker = BestTracker()
    assert tracker.best_value is None
    assert tracker.record(0.5, False, epoch=0, step=5, validation={"a": {"f1": 0.5}})
    assert not tracker.record(0.5, False, epoch=1, step=10, validation={})  # not strictly better
    assert tracker.record(0.7, False, epoch=2, step=15, validation={"a": {"f1": 0.7}})
    assert (tracker.best_index, tracker.best_epoch, tracker.best_step) == (2, 2, 15)
    assert tracker.best_value == 0.7
    assert tracker.best_validation_metrics == {"a": {"f1": 0.7}}


def test_a_decreasing_metric_is_best_when_lower():
    tracker = BestTracker()
    tracker.record(3.0, True, 0, 1, {})
    assert tracker.record(2.0, True, 1, 2, {}) and not tracker.record(2.5, True, 2, 3, {})


def test_the_default_tracker_is_registered_as_patience_and_counts_validations_since_the_best():
    tracker = TaskTracker.by_name("patience")(decreases=True, patience=2)
    assert TaskTracker.by_name(TaskTracker.default_implementation) is TaskTracker
    # a decreasing metric: 3.0 best, 2.0 better, 2.0 not strictly better (1 without
    # improvement), 2.5 worse (2 without improvement = patience: out of patience)
    assert tracker.update(3.0, epoch=0, step=5, validation={"t": {"loss": 3.0}})
    assert tracker.update(2.0, epoch=1, step=10, validation={"t": {"loss": 2.0}})
    assert not tracker.check_patience()
    assert not tracker.update(2.0, epoch=2, step=15, validation={})
    assert not tracker.check_patience() and not tracker.out_of_patience
    assert not tracker.update(2.5, epoch=3, step=20, validation={})
    assert tracker.validations_without_improvement == 2
    assert tracker.check_patience() and tracker.out_of_patience
    assert not tracker.check_patience()  # only the first time
    assert (tracker.best_index, tracker.best_epoch, tracker.best_step) == (1, 1, 10)
    assert tracker.best_value == 2.0 and tracker.best_validation_metrics == {"t": {"loss": 2.0}}
    assert not tracker.frozen


def test_without_patience_a_task_never_runs_out_of_it():
    tracker = TaskTracker(patience=None)
    for value in (0.5, 0.4, 0.3, 0.2):
        tracker.update(value, 0, 0, {})
    assert tracker.validations_without_improvement == 3
    assert not tracker.check_patience() and not tracker.out_of_patience


def test_the_tracker_setting_is_checked_and_built_per_task():
    make = tracker_factory(None, {"ner": False, "loss": True}, 4)
    ner, loss = make("ner"), make("loss")
    assert type(ner) is TaskTracker and (ner.decreases, ner.patience) == (False, 4)
    assert (loss.decreases, loss.patience) == (True, 4)
    assert type(tracker_factory({"type": "patience"}, {"ner": False}, None)("ner")) is TaskTracker


def test_an_unknown_tracker_type_is_a_one_line_error_listing_the_registered_ones():
    with pytest.raises(ConfigurationError) as caught:
        tracker_factory({"type": "not_a_tracker"}, {"ner": False}, 2)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("multi_task_trainer.tracker.type must be one of ")
    assert "patience" in message.split(";")[0] and message.endswith("got 'not_a_tracker'")


def test_a_tracker_key_its_type_does_not_take_is_an_error_naming_the_setting():
    make = tracker_factory({"type": "patience", "min_delta": 1.0}, {"ner": False}, 2)
    with pytest.raises(ConfigurationError, match="^multi_task_trainer.tracker: .*min_delta"):
        make("ner")


def test_the_state_round_trips_through_the_checkpoint_layout():
    state = RunState.start(["ner", "coref"], seed=13)
    state.count_batch("ner", 2.0)
    state.count_batch("ner", 4.0)
    state.global_step = state.step_in_epoch = 2
    state.tasks["coref"].record(0.3, False, 0, 2, {"coref": {"f1": 0.3}})
    state.tasks["coref"].frozen = True
    saved = state.to_dict()
    assert saved["version"] == STATE_VERSION == 2
    assert saved["period_loss"] == {"ner": [6.0, 2], "coref": [0.0, 0]}
    assert saved["tasks"]["coref"]["frozen"] is True
    assert RunState.from_dict(saved, "x.th") == state
    assert state.period_loss["ner"].mean == 3.0 and state.frozen() == {"coref"}


def test_the_version_1_layout_is_read():
    saved = RunState.start(["ner"], seed=1).to_dict()
    saved["version"] = 1
    assert RunState.from_dict(saved, "x.th").task_names == ["ner"]


@pytest.mark.parametrize("version", [0, 3, None])
def test_another_version_is_a_one_line_error_naming_it(version):
    saved = RunState.start(["ner"], seed=1).to_dict()
    saved["version"] = version
    with pytest.raises(ConfigurationError) as caught:
        RunState.from_dict(saved, "run/training_state.th")
    assert str(caught.value) == (
        f"run/training_state.th: training state version {version!r} cannot be recovered by "
        "this hmtl (it reads version 1 or 2)"
    )
