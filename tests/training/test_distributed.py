"""The pieces of distributed training: launch environment, shards of a global batch, loss weights
and the gradient all-reduce (two CPU processes, gloo)."""

import multiprocessing
import traceback

import pytest
import torch
import torch.distributed as dist
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from hmtl.modules.heads.head import Head
from hmtl.training import distributed
from hmtl.training.distributed import (
    MEAN_INSTANCES,
    MEAN_TOKEN_PAIRS,
    SUM,
    DistributedSettings,
    ProcessContext,
    all_reduce_gradients,
    batch_size_of,
    head_loss_reduction,
    launch_context,
    resolve_backend,
    shard_bounds,
    shard_of,
    shard_weights,
    slice_batch,
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


@Head.register("test_summed_head", exist_ok=True)
class _SummedHead(Head):
    def forward(self, *args, **kwargs):  # pragma: no cover - never run
        raise NotImplementedError


class _DeclaringHead(_SummedHead):
    loss_reduction = MEAN_TOKEN_PAIRS


def test_the_loss_reduction_comes_from_the_head(monkeypatch):
    monkeypatch.setitem(distributed.HEAD_LOSS_REDUCTIONS, "test_summed_head", SUM)
    model = torch.nn.Module()
    heads = {"ner": _SummedHead(Vocabulary(), 1, 1), "rel": _DeclaringHead(Vocabulary(), 1, 1)}
    model.heads = torch.nn.ModuleDict(heads)
    assert head_loss_reduction(model, "ner") == SUM
    assert head_loss_reduction(model, "rel") == MEAN_TOKEN_PAIRS
    # a model without heads, or a task it does not know: AllenNLP's mean over instances
    assert head_loss_reduction(torch.nn.Linear(1, 1), "ner") == MEAN_INSTANCES
    assert head_loss_reduction(model, "coref") == MEAN_INSTANCES


def _reduce_worker(rank: int, store: str, results) -> None:
    try:
        torch.set_num_threads(1)
        dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=2)
        a, b, c = (torch.nn.Parameter(torch.zeros(n)) for n in (2, 1, 1))
        if rank == 0:
            a.grad = torch.tensor([1.0, 2.0])
            values = torch.tensor([0.5])
        else:
            a.grad, b.grad = torch.tensor([10.0, 20.0]), torch.tensor([3.0])
            values = torch.tensor([0.25])
        summed = all_reduce_gradients([a, b, c], values)
        results.put((rank, a.grad.tolist(), None if b.grad is None else b.grad.tolist(),
                     c.grad, summed.tolist()))
        dist.destroy_process_group()
    except Exception:  # noqa: BLE001 - report any failure to the parent test
        results.put((rank, traceback.format_exc(), None, None, None))


def test_gradients_are_summed_and_untouched_parameters_keep_no_gradient(tmp_path):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_reduce_worker, args=(rank, str(tmp_path / "store"), results))
        for rank in range(2)
    ]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    for _, a, b, c, summed in reports:
        assert a == [11.0, 22.0], a  # 1 + 10, 2 + 20
        assert b == [3.0]  # only rank 1 had one: rank 0 gets it too
        assert c is None  # no rank touched it
        assert summed == [0.75]  # 0.5 + 0.25
