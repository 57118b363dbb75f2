"""The pieces of distributed training: launch environment, shards of a global batch, loss weights,
the stand-in for an empty shard, and DistributedDataParallel's gradients (two CPU processes,
gloo)."""

import copy

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.training.metrics import CategoricalAccuracy, Metric

from hmtl.metrics.accuracy import DistributedCategoricalAccuracy
from hmtl.modules.heads.head import Head
from hmtl.testing.processes import run_in_processes
from hmtl.training.distributed import (
    MEAN_INSTANCES,
    MEAN_TOKEN_PAIRS,
    SUM,
    DistributedSettings,
    ProcessContext,
    WeightedTaskLoss,
    all_reduce_sum,
    batch_size_of,
    check_metrics_reduce_when_read,
    current_context,
    data_parallel,
    head_loss_reduction,
    launch_context,
    metrics_unchanged,
    resolve_backend,
    shard_bounds,
    shard_loss,
    shard_of,
    shard_weights,
    slice_batch,
    training_shard,
)
from hmtl.training.experiment import distributed_settings


def test_without_torchrun_the_process_is_alone():
    assert launch_context({}) == ProcessContext(1, 0, 0)
    assert not ProcessContext().is_distributed
    assert ProcessContext().is_main


def test_torchrun_variables_give_the_rank():
    context = launch_context({"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1"})
    assert context == ProcessContext(4, 3, 1)
    assert context.is_distributed and not context.is_main


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"WORLD_SIZE": "2"}, "RANK=None"),
        ({"WORLD_SIZE": "two", "RANK": "0"}, "WORLD_SIZE='two'"),
        ({"WORLD_SIZE": "2", "RANK": "2"}, "0 <= RANK < WORLD_SIZE"),
    ],
)
def test_a_broken_launch_environment_is_a_clear_error(environ, message):
    with pytest.raises(ConfigurationError, match=message):
        launch_context(environ)


def test_backends():
    assert resolve_backend("auto", use_cuda=False) == "gloo"
    assert resolve_backend("auto", use_cuda=True) == "nccl"
    assert resolve_backend("gloo", use_cuda=True) == "gloo"
    with pytest.raises(ConfigurationError, match="'nccl' needs GPUs"):
        resolve_backend("nccl", use_cuda=False)


def test_the_distributed_block_is_typed_and_the_flag_overrides_it():
    trainer = Params({"num_epochs": 1, "distributed": {"backend": "gloo"}})
    assert distributed_settings(trainer).backend == "gloo"
    assert "distributed" not in trainer  # the trainer itself never sees the block
    assert distributed_settings(Params({}), backend="nccl").backend == "nccl"
    assert distributed_settings(Params({})).backend == "auto"
    with pytest.raises(ConfigurationError, match="distributed: backend must be one of auto"):
        distributed_settings(Params({"distributed": {"backend": "mpi"}}))
    with pytest.raises(ConfigurationError, match="multi_task_trainer.distributed"):
        distributed_settings(Params({"distributed": {"bakend": "gloo"}}))
    with pytest.raises(ConfigurationError, match="timeout_minutes must be >= 1"):
        DistributedSettings(timeout_minutes=0)


@pytest.mark.parametrize(
    "size, world, expected",
    [
        (5, 2, [(0, 3), (3, 5)]),  # 3 + 2: the larger shard first
        (4, 2, [(0, 2), (2, 4)]),
        (1, 2, [(0, 1), (1, 1)]),  # rank 1 gets an empty shard
        (7, 3, [(0, 3), (3, 5), (5, 7)]),  # 3 + 2 + 2
    ],
)
def test_shards_are_contiguous_and_nearly_equal(size, world, expected):
    assert [shard_bounds(size, world, rank) for rank in range(world)] == expected


def _batch() -> dict:
    # three sentences of 3, 1 and 2 tokens, padded to 3; a metadata list
    ids = torch.tensor([[4, 5, 6], [7, 0, 0], [8, 9, 0]])
    return {
        "text": {"tokens": {"tokens": ids}},
        "spans": torch.arange(3 * 2 * 2).reshape(3, 2, 2),
        "metadata": [{"words": "a b c"}, {"words": "d"}, {"words": "e f"}],
    }


def test_a_shard_keeps_the_global_padding():
    batch = _batch()
    assert batch_size_of(batch) == 3
    shard = slice_batch(batch, 2, 3)
    assert shard["text"]["tokens"]["tokens"].tolist() == [[8, 9, 0]]  # still 3 wide
    assert shard["spans"].shape == (1, 2, 2)
    assert shard["metadata"] == [{"words": "e f"}]


def test_loss_weights_add_the_shard_losses_up_to_the_global_one():
    batch = _batch()
    # shards: sentences {0, 1} and {2}
    assert shard_weights(batch, SUM, 2) == [1.0, 1.0]
    assert shard_weights(batch, MEAN_INSTANCES, 2) == pytest.approx([2 / 3, 1 / 3])
    # token pairs: 3*3 + 1*1 = 10 and 2*2 = 4, of 14
    assert shard_weights(batch, MEAN_TOKEN_PAIRS, 2) == pytest.approx([10 / 14, 4 / 14])
    shard = shard_of(batch, 5, MEAN_TOKEN_PAIRS, ProcessContext(2, 1, 1))
    assert (shard.index, shard.weight) == (5, pytest.approx(4 / 14))
    assert shard.batch["metadata"] == [{"words": "e f"}]
    lonely = {"text": {"tokens": {"tokens": torch.tensor([[1, 2]])}}}
    empty = shard_of(lonely, 0, MEAN_INSTANCES, ProcessContext(2, 1, 1))
    assert empty.batch is None and empty.weight == 0.0


def test_weighted_shard_gradients_sum_to_the_global_gradient():
    """A mean-over-instances loss: sum_r w_r * grad(L_r) == grad(L) for shards of 2 and 1."""
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(3))
    inputs = torch.randn(3, 3)

    def mean_loss(rows: torch.Tensor) -> torch.Tensor:
        return ((rows @ weight) ** 2).mean()

    (full,) = torch.autograd.grad(mean_loss(inputs), weight)
    weights = shard_weights({"x": inputs}, MEAN_INSTANCES, 2)
    parts = [torch.autograd.grad(w * mean_loss(inputs[s:e]), weight)[0]
             for w, (s, e) in zip(weights, [shard_bounds(3, 2, r) for r in range(2)])]
    assert torch.allclose(parts[0] + parts[1], full, atol=1e-6)


class _PlainHead(Head):
    def forward(self, *args, **kwargs):  # pragma: no cover - never run
        raise NotImplementedError


class _DeclaringHead(_PlainHead):
    loss_reduction = MEAN_TOKEN_PAIRS


def test_the_loss_reduction_comes_from_the_head():
    model = torch.nn.Module()
    heads = {"ner": _PlainHead(Vocabulary(), 1, 1), "rel": _DeclaringHead(Vocabulary(), 1, 1)}
    model.heads = torch.nn.ModuleDict(heads)
    assert head_loss_reduction(model, "rel") == MEAN_TOKEN_PAIRS
    # the base class's default, a model without heads, a task it does not know: AllenNLP's
    # mean over instances
    assert head_loss_reduction(model, "ner") == MEAN_INSTANCES
    assert head_loss_reduction(torch.nn.Linear(1, 1), "ner") == MEAN_INSTANCES
    assert head_loss_reduction(model, "coref") == MEAN_INSTANCES
    with pytest.raises(ConfigurationError, match="unknown loss reduction 'median'"):
        shard_weights(_batch(), "median", 2)


def test_an_empty_training_shard_becomes_a_weightless_stand_in():
    batch = _batch()
    alone = training_shard(batch, MEAN_INSTANCES, ProcessContext())
    assert alone.batch is batch and alone.weight == 1.0 and not alone.stand_in
    lonely = slice_batch(batch, 1, 2)  # one sentence: rank 1 of 2 has nothing
    first = training_shard(lonely, MEAN_INSTANCES, ProcessContext(2, 0, 0))
    assert first.batch["metadata"] == [{"words": "d"}] and first.weight == 1.0
    second = training_shard(lonely, MEAN_INSTANCES, ProcessContext(2, 1, 1))
    assert second.stand_in and second.weight == 0.0
    assert second.batch["metadata"] == [{"words": "d"}]  # the batch's first instance


class _Count(Metric):
    """Counts the instances it sees."""

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, size: int) -> None:  # type: ignore[override]
        self.seen += size

    def get_metric(self, reset: bool = False) -> float:
        return float(self.seen)

    def reset(self) -> None:
        self.seen = 0


class _SumHead(torch.nn.Module):
    loss_reduction = SUM

    def __init__(self) -> None:
        super().__init__()
        self.out = torch.nn.Linear(2, 1)

    def forward(self, hidden: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return ((self.out(hidden).squeeze(-1) - y) ** 2).sum()


class _MeanHead(_SumHead):
    loss_reduction = MEAN_INSTANCES

    def forward(self, hidden: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return ((self.out(hidden).squeeze(-1) - y) ** 2).mean()


class _TwoTasks(torch.nn.Module):
    """A shared layer, a summed-loss head ``a`` and a mean-loss head ``b``; an L2 penalty on the
    shared weight; a per-task instance counter (in a dict, like the toy model's metrics)."""

    def __init__(self) -> None:
        super().__init__()
        self.shared = torch.nn.Linear(2, 2)
        self.heads = torch.nn.ModuleDict({"a": _SumHead(), "b": _MeanHead()})
        self.counts = {"a": _Count(), "b": _Count()}

    def forward(self, task_name: str, x: torch.Tensor, y: torch.Tensor) -> dict:
        self.counts[task_name](x.size(0))
        return {"loss": self.heads[task_name](torch.tanh(self.shared(x)), y)}

    def get_regularization_penalty(self) -> torch.Tensor:
        return 0.5 * (self.shared.weight ** 2).sum()


class _NoLoss(torch.nn.Module):
    def forward(self, task_name: str) -> dict:
        return {}


def test_the_step_loss_weights_the_task_loss_and_the_penalty():
    model = _TwoTasks()
    with torch.no_grad():
        model.shared.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 2.0]]))  # penalty 0.5 * 5
    batch = {"x": torch.zeros(2, 2), "y": torch.tensor([1.0, 3.0])}
    task = model(task_name="b", **batch)["loss"].item()
    step = WeightedTaskLoss(model)
    assert step("b", batch).item() == pytest.approx(task + 2.5)
    assert step("b", batch, weight=0.25, penalty_weight=0.0).item() == pytest.approx(task / 4)
    assert step("b", batch, weight=2.0, penalty_weight=2.0).item() == pytest.approx(
        2 * task + 5.0)
    with pytest.raises(RuntimeError, match="task 'a': the model's forward returned no 'loss'"):
        WeightedTaskLoss(_NoLoss())("a", {})


def test_metrics_are_restored_after_a_stand_in():
    model = _TwoTasks()
    batch = {"x": torch.zeros(3, 2), "y": torch.zeros(3)}
    model(task_name="a", **batch)
    with metrics_unchanged(WeightedTaskLoss(model)):
        model(task_name="a", **batch)
        model(task_name="b", **batch)
        assert model.counts["a"].seen == 6
    assert (model.counts["a"].seen, model.counts["b"].seen) == (3, 0)


def test_a_metric_that_reduces_on_every_call_is_refused():
    model = _TwoTasks()
    model.heads["a"].accuracy = DistributedCategoricalAccuracy()
    check_metrics_reduce_when_read(model)  # counts locally, sums when read
    model.per_task = [CategoricalAccuracy()]  # AllenNLP's all-reduces inside __call__
    with pytest.raises(ConfigurationError,
                       match=r"metrics per_task\[0\] \(CategoricalAccuracy\) sum"):
        check_metrics_reduce_when_read(model)


# Global batches of the DDP test: task a (summed loss) with one instance, so rank 1's shard is
# empty; task b (mean loss) with three instances, shards of 2 and 1.
X = torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]])
Y = torch.tensor([1.0, -2.0, 0.5])
STEPS = [("a", {"x": X[:1], "y": Y[:1]}), ("b", {"x": X, "y": Y})]


def _ddp_steps(rank: int) -> dict:
    context = current_context()
    torch.manual_seed(rank)  # different initial weights: DDP gives every rank rank 0's
    model = _TwoTasks()
    step = data_parallel(WeightedTaskLoss(model), context, torch.device("cpu"))
    reference = copy.deepcopy(model)  # rank 0's weights now, trained in one process
    report = {}
    for task, batch in STEPS:
        for module in (model, reference):
            module.zero_grad(set_to_none=True)
        shard = training_shard(batch, head_loss_reduction(model, task), context)
        loss = shard_loss(step, task, shard, context)
        loss.backward()
        expected = WeightedTaskLoss(reference)(task, batch)
        expected.backward()
        grads = dict(model.named_parameters())
        report[task] = {
            "loss": (all_reduce_sum(loss.detach()) / 2).item(),
            "expected_loss": expected.item(),
            "stand_in": shard.stand_in,
            "counted": model.counts[task].seen,
            "grads": {name: None if p.grad is None else p.grad.tolist()
                      for name, p in grads.items()},
            "expected_grads": {name: None if p.grad is None else p.grad.tolist()
                               for name, p in reference.named_parameters()},
        }
    return report


def test_ddp_gives_the_global_gradient_and_leaves_other_tasks_without_one(tmp_path):
    reports = run_in_processes(_ddp_steps, tmp_path)
    for report in reports:
        for task, other in (("a", "heads.b"), ("b", "heads.a")):
            step = report[task]
            assert step["loss"] == pytest.approx(step["expected_loss"], rel=1e-6)
            for name, grad in step["grads"].items():
                expected = step["expected_grads"][name]
                if name.startswith(other):
                    assert grad is None and expected is None, name  # untouched by this step
                else:
                    assert torch.allclose(torch.tensor(grad), torch.tensor(expected),
                                          atol=1e-6), (task, name)
    # task a: rank 1 ran the stand-in, its counter untouched; task b: shards of 2 and 1
    assert [r["a"]["stand_in"] for r in reports] == [False, True]
    assert [r["a"]["counted"] for r in reports] == [1, 0]
    assert [r["b"]["counted"] for r in reports] == [2, 1]
