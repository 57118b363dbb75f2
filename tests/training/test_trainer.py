"""The multi-task trainer on the toy tasks: epochs, patience, stops, freezing, clipping,
checkpoints and a recovery that continues exactly like an uninterrupted run."""

import math

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from hmtl.experiment.config import apply_overrides, trainer_params
from hmtl.experiment.model import build_model
from hmtl.experiment.task import build_tasks
from hmtl.experiment.vocabulary import build_vocabulary
from hmtl.experiment.weights import load_torch_file
from hmtl.training.callbacks import TrainerCallback
from hmtl.training.checkpointer import TIMED, VALIDATION, Checkpointer
from hmtl.training.seeding import set_seeds
from hmtl.training.step import OptimisationStep
from hmtl.training.trainer import MultiTaskTrainer, SamplerMultiTaskTrainer

# The toy tasks: pos has 12 training sentences in batches of 4 (3 batches), ent 6 in batches
# of 3 (2 batches), so one epoch is 3 + 2 = 5 steps.
STEPS_PER_EPOCH = 5


def make_trainer(config, directory, **trainer_settings) -> SamplerMultiTaskTrainer:
    overrides = {f"multi_task_trainer.{key}": value for key, value in trainer_settings.items()}
    params = Params(apply_overrides(config, overrides))
    set_seeds(1)
    tasks = build_tasks(params)
    vocab = build_vocabulary(tasks)
    for task in tasks:
        task.index_with(vocab)
    model = build_model(params, vocab)
    return MultiTaskTrainer.from_params(
        params=trainer_params(params), model=model, tasks=tasks, serialization_dir=str(directory)
    )


def steps_and_epochs(summary):
    return [r["global_step"] for r in summary["history"]], [r["epoch"] for r in summary["history"]]


def test_an_epoch_is_the_total_number_of_training_batches(toy_config, tmp_path):
    summary = make_trainer(toy_config, tmp_path, num_epochs=2).train()
    assert steps_and_epochs(summary) == ([5, 10], [0, 1])
    assert summary["pos"]["nb_batches_trained"] + summary["ent"]["nb_batches_trained"] == 10
    assert summary["stop_reason"] == "num_epochs (2) reached"
    assert summary["nb_epoch_trained"] == 2
    for name in ("model_state.th", "training_state.th", "best.th", "best_pos.th", "best_ent.th"):
        assert (tmp_path / name).is_file()


def test_validation_runs_without_gradients_in_eval_mode(toy_config, tmp_path):
    trainer = make_trainer(toy_config, tmp_path, num_epochs=1)
    trainer.train()
    calls = trainer.model.calls
    training = [c for c in calls if c[1]]
    evaluation = [c for c in calls if not c[1]]
    assert len(training) == STEPS_PER_EPOCH
    assert all(grad for _, _, grad in training)
    # one validation batch per task, then the test matrix is not part of train()
    assert sorted(task for task, _, _ in evaluation) == ["ent", "pos"]
    assert not any(grad for _, _, grad in evaluation)
    assert trainer.model.training


def test_metrics_in_the_checkpoint_are_python_floats(toy_config, tmp_path):
    make_trainer(toy_config, tmp_path, num_epochs=1).train()
    state = load_torch_file(tmp_path / "training_state.th", "training state")
    record = state["records"][0]
    assert type(record["validation"]["pos"]["accuracy"]) is float
    assert state["global_step"] == 5 and state["epoch"] == 1 and state["step_in_epoch"] == 0
    assert set(state["optimizers"]) == {"pos", "ent"}
    assert {"python", "numpy", "torch"} <= set(state["rng"])


def test_patience_counts_validations_without_improvement(toy_config, tmp_path):
    # lr 0: the metrics never change, so after the first (best) validation every validation
    # is one more without improvement; patience 2 -> out after validation 2 (the third).
    summary = make_trainer(
        toy_config, tmp_path, num_epochs=10, patience=2, min_lr=0.0,
        optimizer={"type": "sgd", "lr": 0.0},
    ).train()
    assert steps_and_epochs(summary) == ([5, 10, 15], [0, 1, 2])
    assert summary["stop_reason"] == "every task is out of patience"
    assert summary["pos"]["best_epoch"] == 0 and summary["pos"]["out_of_patience"]


def test_training_stops_when_every_learning_rate_is_below_min_lr(toy_config, tmp_path):
    summary = make_trainer(
        toy_config, tmp_path, num_epochs=10, min_lr=1e-7, optimizer={"type": "sgd", "lr": 1e-8}
    ).train()
    assert steps_and_epochs(summary) == ([5], [0])
    assert summary["stop_reason"] == "every learning rate < min_lr"


@pytest.mark.parametrize(("freeze", "steps"), [(True, [5, 10, 12, 14]), (False, [5, 10, 15, 20])])
def test_a_converged_task_can_be_frozen_out_of_sampling(toy_config, tmp_path, freeze, steps):
    # pos (accuracy, lr 0) is out of patience at validation 1; ent's metric grows with every
    # training call, so it never is. Frozen, pos leaves the epochs: they shrink to ent's 2
    # batches.
    toy_config["task_ent"]["task_description"]["validation_metric_name"] = "training_calls"
    summary = make_trainer(
        toy_config, tmp_path, num_epochs=4, patience=1, min_lr=0.0,
        optimizer={"type": "sgd", "lr": 0.0}, freeze_converged_tasks=freeze,
    ).train()
    assert steps_and_epochs(summary)[0] == steps
    assert summary["pos"]["out_of_patience"] and not summary["ent"]["out_of_patience"]
    total = summary["pos"]["nb_batches_trained"] + summary["ent"]["nb_batches_trained"]
    assert total == steps[-1]
    if freeze:
        state = load_torch_file(tmp_path / "training_state.th", "training state")
        assert state["tasks"]["pos"]["frozen"]
        assert summary["pos"]["nb_batches_trained"] <= 2 * STEPS_PER_EPOCH


def test_validation_every_n_steps(toy_config, tmp_path):
    # every 3 steps, plus the end of the last epoch: steps 3 (epoch 0), 6, 9, 10 (epoch 1)
    summary = make_trainer(toy_config, tmp_path, num_epochs=2, validation_interval=3).train()
    assert steps_and_epochs(summary) == ([3, 6, 9, 10], [0, 1, 1, 1])


@pytest.mark.parametrize(("per_task", "keys"), [(True, {"pos", "ent"}), (False, {"__shared__"})])
def test_one_optimizer_per_task_or_one_shared(toy_config, tmp_path, per_task, keys):
    make_trainer(toy_config, tmp_path, num_epochs=1, optimizer_per_task=per_task).train()
    state = load_torch_file(tmp_path / "training_state.th", "training state")
    assert set(state["optimizers"]) == keys == set(state["schedulers"])


@pytest.mark.parametrize(
    ("clipping", "norm", "per_step"),
    [
        (None, None, (100.0, 1.0)),
        (10.0, None, (10.0, 1.0)),  # element-wise clamp of (100, 1) to +-10
        (10.0, 5.0, (10.0 * 5 / math.sqrt(101), 1.0 * 5 / math.sqrt(101))),  # then norm 5
        (None, 5.0, (100.0 * 5 / math.sqrt(10001), 1.0 * 5 / math.sqrt(10001))),
    ],
)
def test_gradient_clipping_then_norm(toy_config, tmp_path, clipping, norm, per_step):
    # loss = 100 w0 + w1, SGD lr 1: each of the 5 steps moves w by minus the clipped gradient
    toy_config["model"] = {"type": "toy_scaled_loss"}
    trainer = make_trainer(
        toy_config, tmp_path, num_epochs=1, grad_clipping=clipping, grad_norm=norm,
        optimizer={"type": "sgd", "lr": 1.0}, scheduler=None,
    )
    trainer.train()
    expected = torch.tensor([-5 * per_step[0], -5 * per_step[1]])
    assert torch.allclose(trainer.model.w.detach(), expected, rtol=1e-5)


class Crash(Exception):
    """Stands for a kill right after a checkpoint was written."""


def _crash_after_checkpoints(monkeypatch, count, kind=None):
    """Raise ``Crash`` right after the ``count``-th checkpoint (of ``kind``, or of any kind)."""
    original = SamplerMultiTaskTrainer._checkpoint
    calls = []

    def checkpoint_then_crash(self, best_files, written_kind):
        original(self, best_files, written_kind)
        if kind is None or written_kind == kind:
            calls.append(1)
        if len(calls) == count:
            raise Crash

    monkeypatch.setattr(SamplerMultiTaskTrainer, "_checkpoint", checkpoint_then_crash)


@pytest.mark.parametrize(
    "settings",
    [{}, {"validation_interval": 3}, {"loss_weighting": {"type": "uncertainty"}},
     {"sampling_method": "annealed"}],
)
def test_a_recovered_run_ends_exactly_like_an_uninterrupted_one(
    toy_config, tmp_path, monkeypatch, settings
):
    reference = make_trainer(toy_config, tmp_path / "a", num_epochs=3, **settings).train()

    with monkeypatch.context() as patch:
        _crash_after_checkpoints(patch, 2)
        with pytest.raises(Crash):
            make_trainer(toy_config, tmp_path / "b", num_epochs=3, **settings).train()
    partial = load_torch_file(tmp_path / "b" / "training_state.th", "training state")
    assert len(partial["records"]) == 2
    resumed = make_trainer(toy_config, tmp_path / "b", num_epochs=3, **settings).train(
        recover=True
    )

    assert resumed["history"] == reference["history"]
    weights_a = load_torch_file(tmp_path / "a" / "model_state.th", "a")
    weights_b = load_torch_file(tmp_path / "b" / "model_state.th", "b")
    assert all(torch.equal(weights_a[name], weights_b[name]) for name in weights_a)


def test_recovering_a_finished_run_trains_no_more(toy_config, tmp_path):
    first = make_trainer(toy_config, tmp_path, num_epochs=1).train()
    again = make_trainer(toy_config, tmp_path, num_epochs=1).train(recover=True)
    assert again["history"] == first["history"]


def test_recovering_with_other_tasks_is_a_clear_error(toy_config, tmp_path):
    make_trainer(toy_config, tmp_path, num_epochs=1).train()
    del toy_config["task_ent"]
    toy_config["model"]["tasks"] = {"pos": "pos_labels"}
    toy_config["iterators"].pop("iterator_ent")
    with pytest.raises(ConfigurationError, match="for tasks pos, ent but the config has pos"):
        make_trainer(toy_config, tmp_path, num_epochs=1).train(recover=True)


def test_recovering_with_a_shared_optimizer_instead_is_a_clear_error(toy_config, tmp_path):
    make_trainer(toy_config, tmp_path, num_epochs=1).train()
    with pytest.raises(ConfigurationError, match="optimizer_per_task changed"):
        make_trainer(toy_config, tmp_path, num_epochs=1, optimizer_per_task=False).train(
            recover=True
        )


def test_a_damaged_checkpoint_is_a_clear_error(toy_config, tmp_path):
    make_trainer(toy_config, tmp_path, num_epochs=1).train()
    (tmp_path / "training_state.th").write_bytes(b"truncated")
    with pytest.raises(ConfigurationError, match="training_state.th: cannot read the training"):
        make_trainer(toy_config, tmp_path, num_epochs=1).train(recover=True)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"use_amp": True}, "use_amp needs a GPU"),
        ({"cuda_device": 99}, "cuda_device 99 was asked for"),
        ({"patiense": 3}, "patiense"),
        ({"sampling_method": "random"}, "sampling_method must be one of"),
        ({"num_epochs": 0}, "num_epochs must be >= 1"),
        ({"optimizer": {"type": "adam", "lr": "fast"}}, "optimizer"),
        ({"sampling_method": {"type": "annealing"}}, "sampling_method must be one of"),
        ({"loss_weighting": {"type": "nope"}}, "loss_weighting.type must be one of"),
        ({"loss_weighting": {"weights": {"nope": 2.0}}}, "no task named 'nope'; tasks are pos"),
        ({"loss_weighting": {"weights": {"pos": -2.0}}}, "weights.pos must be a number >= 0"),
        ({"checkpoint_every_seconds": 0},
         "^multi_task_trainer.checkpoint_every_seconds must be > 0"),
        ({"step": {"type": "nope"}},
         r"^multi_task_trainer.step.type must be one of default\b.*; got 'nope'$"),
        ({"checkpointer": "nope"},
         r"^multi_task_trainer.checkpointer.type must be one of default\b.*; got 'nope'$"),
        ({"callbacks": [{"type": "tensorboard"}, "nope"]},
         "^multi_task_trainer.callbacks.1.type must be one of .*tensorboard.*; got 'nope'$"),
        ({"callbacks": [{"type": "tensorboard", "colour": 1}]},
         "^multi_task_trainer.callbacks.0: Extra parameters passed to TensorboardCallback"),
        ({"callbacks": 3}, r"^multi_task_trainer.callbacks must be a list like \[\{"),
    ],
)
def test_bad_trainer_settings_are_configuration_errors(toy_config, tmp_path, settings, message):
    with pytest.raises((ConfigurationError, TypeError), match=message):
        make_trainer(toy_config, tmp_path, **settings)


def test_a_validation_metric_the_model_does_not_report_is_a_clear_error(toy_config, tmp_path):
    toy_config["task_pos"]["task_description"]["validation_metric_name"] = "f1-measure-overall"
    with pytest.raises(ConfigurationError, match="reports no 'f1-measure-overall' for task 'pos'"):
        make_trainer(toy_config, tmp_path, num_epochs=1).train()


def _same_weights(one, two) -> bool:
    first = load_torch_file(one / "model_state.th", "one")
    second = load_torch_file(two / "model_state.th", "two")
    return first.keys() == second.keys() and all(torch.equal(first[k], second[k]) for k in first)


def test_a_run_killed_before_its_first_validation_recovers_from_a_timed_checkpoint(
    toy_config, tmp_path, monkeypatch
):
    # a timed checkpoint after every step; the crash comes after the third, at step 3 of 5
    settings = {"num_epochs": 2, "checkpoint_every_seconds": 1e-9}
    reference = make_trainer(toy_config, tmp_path / "a", **settings).train()
    with monkeypatch.context() as patch:
        _crash_after_checkpoints(patch, 3, kind=TIMED)
        with pytest.raises(Crash):
            make_trainer(toy_config, tmp_path / "b", **settings).train()
    partial = load_torch_file(tmp_path / "b" / "training_state.th", "training state")
    assert partial["records"] == [] and partial["global_step"] == 3
    assert partial["checkpoint_kind"] == TIMED
    assert not (tmp_path / "b" / "best.th").exists()  # timed checkpoints write no best copies
    resumed = make_trainer(toy_config, tmp_path / "b", **settings).train(recover=True)
    # the training metrics of the first period (accumulated before and after the crash) too
    assert resumed["history"] == reference["history"]
    assert _same_weights(tmp_path / "a", tmp_path / "b")


def test_timed_checkpoints_wait_for_their_interval(toy_config, tmp_path, monkeypatch):
    kinds = []
    original = SamplerMultiTaskTrainer._checkpoint

    def record(self, best_files, kind):
        kinds.append(kind)
        original(self, best_files, kind)

    monkeypatch.setattr(SamplerMultiTaskTrainer, "_checkpoint", record)
    make_trainer(toy_config, tmp_path / "a", num_epochs=2).train()  # default: 300 s
    assert kinds == [VALIDATION, VALIDATION]
    kinds.clear()
    make_trainer(toy_config, tmp_path / "b", num_epochs=1, checkpoint_every_seconds=1e-9).train()
    assert kinds == [TIMED] * 4 + [VALIDATION]  # steps 1-4, then the validation at step 5


def _as_version_1(path):
    """Rewrite a checkpoint in the layout of the trainer before the parts (STATE_VERSION 1)."""
    state = load_torch_file(path, "training state")
    for key in ("checkpoint_kind", "loss_weighting", "metrics_per_rank", "rng_per_rank",
                "world_size"):
        state.pop(key)
    state["version"] = 1
    torch.save(state, path)


def test_a_checkpoint_of_the_previous_version_still_recovers(toy_config, tmp_path, monkeypatch):
    reference = make_trainer(toy_config, tmp_path / "a", num_epochs=3).train()
    with monkeypatch.context() as patch:
        _crash_after_checkpoints(patch, 1)
        with pytest.raises(Crash):
            make_trainer(toy_config, tmp_path / "b", num_epochs=3).train()
    _as_version_1(tmp_path / "b" / "training_state.th")
    resumed = make_trainer(toy_config, tmp_path / "b", num_epochs=3).train(recover=True)
    assert resumed["history"] == reference["history"]
    assert _same_weights(tmp_path / "a", tmp_path / "b")


def test_a_checkpoint_of_an_unknown_version_is_a_one_line_error(toy_config, tmp_path):
    make_trainer(toy_config, tmp_path, num_epochs=1).train()
    state = load_torch_file(tmp_path / "training_state.th", "training state")
    state["version"] = 7
    torch.save(state, tmp_path / "training_state.th")
    with pytest.raises(ConfigurationError) as caught:
        make_trainer(toy_config, tmp_path, num_epochs=1).train(recover=True)
    assert "training state version 7 cannot be recovered by this hmtl (it reads version 1 or 2)" \
        in str(caught.value)


def test_recovering_when_nothing_was_saved_says_so(toy_config, tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        make_trainer(toy_config, tmp_path, num_epochs=1).train(recover=True)
    message = str(caught.value)
    assert "nothing was saved" in message and "-f/--force" in message and "\n" not in message


def test_uncertainty_weighting_learns_checkpoints_and_logs_its_log_variances(toy_config, tmp_path):
    trainer = make_trainer(toy_config, tmp_path, num_epochs=2, sumarry_interval=1,
                           loss_weighting={"type": "uncertainty"})
    trainer.train()
    learned = {name: float(p.detach()) for name, p in trainer.weighting.log_variances.items()}
    assert all(value != 0.0 for value in learned.values())  # trained from 0
    state = load_torch_file(tmp_path / "training_state.th", "training state")
    saved = state["loss_weighting"]
    assert {k: float(v) for k, v in saved.items()} == {
        f"log_variances.{name}": value for name, value in learned.items()
    }
    events = EventAccumulator(str(tmp_path / "log" / "train"))
    events.Reload()
    assert {"loss_weighting/pos/log_variance", "loss_weighting/ent/weight"} <= set(
        events.Tags()["scalars"]
    )


def test_constant_weights_scale_the_gradient(toy_config, tmp_path):
    # loss = 100 w0 + w1, weight 0.5, SGD lr 1: each of the 5 steps moves w by (-50, -0.5)
    toy_config["model"] = {"type": "toy_scaled_loss"}
    trainer = make_trainer(
        toy_config, tmp_path, num_epochs=1, optimizer={"type": "sgd", "lr": 1.0}, scheduler=None,
        grad_clipping=None, grad_norm=None,
        loss_weighting={"type": "constant", "weights": {"pos": 0.5, "ent": 0.5}},
    )
    trainer.train()
    assert torch.allclose(trainer.model.w.detach(), torch.tensor([-250.0, -2.5]))


def test_a_nan_loss_under_uncertainty_weighting_stops_with_the_step_and_task(toy_config, tmp_path):
    trainer = make_trainer(toy_config, tmp_path, num_epochs=1,
                           loss_weighting={"type": "uncertainty",
                                           "initial_log_variance": float("nan")})
    with pytest.raises(ValueError, match=r"task '(pos|ent)': the loss is nan at step 0"):
        trainer.train()


@TrainerCallback.register("recording", exist_ok=True)
class RecordingCallback(TrainerCallback):
    """Notes every event, for the test below."""

    events: list = []

    def __init__(self, serialization_dir: str) -> None:
        self.serialization_dir = serialization_dir

    def on_start(self, trainer):
        self.events.append("start")

    def on_batch(self, trainer, report):
        self.events.append(("batch", report.task, report.global_step))

    def on_validation(self, trainer, report):
        self.events.append(("validation", report.index, report.global_step))

    def on_epoch_end(self, trainer, epoch, batches):
        self.events.append(("epoch", epoch, sum(batches.values())))

    def on_end(self, trainer, error=None):
        self.events.append(("end", error))


def test_a_user_callback_sees_every_event(toy_config, tmp_path):
    RecordingCallback.events = []
    trainer = make_trainer(toy_config, tmp_path, num_epochs=2, callbacks=[{"type": "recording"}])
    trainer.train()
    assert trainer.callbacks[-1].serialization_dir == str(tmp_path)
    events = RecordingCallback.events
    assert events[0] == "start" and events[-1] == ("end", None)
    assert [e[2] for e in events if e[0] == "batch"] == list(range(10))
    assert [e for e in events if e[0] in ("epoch", "validation")] == [
        ("epoch", 0, 5), ("validation", 0, 5), ("epoch", 1, 5), ("validation", 1, 10),
    ]


@OptimisationStep.register("test_scaled_gradients")
class ScaledGradients(OptimisationStep):
    """A plugin step: the default step on gradients scaled by ``factor`` before the optimizer
    sees them, ``factor`` being a key of its own."""

    def __init__(self, factor: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.factor = factor
        for parameter in self.parameters:
            parameter.register_hook(lambda grad: grad * self.factor)


@Checkpointer.register("test_counting")
class CountingCheckpointer(Checkpointer):
    """A plugin checkpointer that counts what it writes."""

    writes: list[list[str]] = []

    def save(self, model_state, training_state, best_files) -> None:
        CountingCheckpointer.writes.append(sorted(best_files))
        super().save(model_state, training_state, best_files)


def test_the_step_and_the_checkpointer_are_chosen_by_config_keys(toy_config, tmp_path):
    sgd = {"optimizer": {"type": "sgd", "lr": 0.1}, "num_epochs": 1, "scheduler": None}
    plain = make_trainer(toy_config, tmp_path / "plain", **sgd)
    initial = {name: p.detach().clone() for name, p in plain.model.named_parameters()}
    plain.train()

    CountingCheckpointer.writes = []
    same = make_trainer(toy_config, tmp_path / "same", **sgd,
                        step={"type": "test_scaled_gradients", "factor": 1.0},
                        checkpointer={"type": "test_counting"})
    assert type(same.step) is ScaledGradients and type(same.checkpointer) is CountingCheckpointer
    assert same.step.grad_norm == plain.step.grad_norm  # the original keys still reach it
    same.train()
    assert CountingCheckpointer.writes == [["best.th", "best_ent.th", "best_pos.th"]]
    for name, parameter in same.model.named_parameters():  # factor 1: the default step exactly
        assert torch.equal(parameter, dict(plain.model.named_parameters())[name]), name

    frozen = make_trainer(toy_config, tmp_path / "frozen", **sgd,
                          step={"type": "test_scaled_gradients", "factor": 0.0})
    frozen.train()
    for name, parameter in frozen.model.named_parameters():  # factor 0: plain SGD never moves
        assert torch.equal(parameter, initial[name]), name


def test_an_unknown_step_type_is_a_configuration_error(toy_config, tmp_path):
    with pytest.raises(ConfigurationError, match="not_a_step"):
        make_trainer(toy_config, tmp_path, step={"type": "not_a_step"})
