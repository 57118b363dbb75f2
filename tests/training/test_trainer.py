"""The multi-task trainer on the toy tasks: epochs, patience, stops, freezing, clipping,
checkpoints and a recovery that continues exactly like an uninterrupted run."""

import math

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.config import apply_overrides, trainer_params
from hmtl.experiment.model import build_model
from hmtl.experiment.task import build_tasks
from hmtl.experiment.vocabulary import build_vocabulary
from hmtl.experiment.weights import load_torch_file
from hmtl.training.seeding import set_seeds
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


def _crash_after_checkpoints(monkeypatch, count):
    original = SamplerMultiTaskTrainer._checkpoint
    calls = []

    def checkpoint_then_crash(self, best_files):
        original(self, best_files)
        calls.append(1)
        if len(calls) == count:
            raise Crash

    monkeypatch.setattr(SamplerMultiTaskTrainer, "_checkpoint", checkpoint_then_crash)


@pytest.mark.parametrize("settings", [{}, {"validation_interval": 3}])
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
    ],
)
def test_bad_trainer_settings_are_configuration_errors(toy_config, tmp_path, settings, message):
    with pytest.raises((ConfigurationError, TypeError), match=message):
        make_trainer(toy_config, tmp_path, **settings)


def test_a_validation_metric_the_model_does_not_report_is_a_clear_error(toy_config, tmp_path):
    toy_config["task_pos"]["task_description"]["validation_metric_name"] = "f1-measure-overall"
    with pytest.raises(ConfigurationError, match="reports no 'f1-measure-overall' for task 'pos'"):
        make_trainer(toy_config, tmp_path, num_epochs=1).train()
