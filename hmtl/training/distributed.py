"""Data-parallel training over several processes with torch.distributed, launched by torchrun.

How a distributed run keeps the numbers of a single-process run with the same config and seed:

- **Launch.** ``torchrun`` sets ``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
  ``MASTER_PORT``; with ``WORLD_SIZE`` > 1 the process group is initialised (``env://``) with
  the backend of ``multi_task_trainer.distributed.backend`` (``auto``: NCCL when the run uses
  CUDA, gloo otherwise). Each rank uses GPU ``LOCAL_RANK``. Without torchrun, or with one
  process, nothing here changes what a training step computes.
- **Same data, same draws.** Every rank reads every instance (the process group is initialised
  only after the data is read, so the readers do not shard instances by rank), seeds the task
  sampler and the batch order identically, so all ranks draw the same task and build the same
  *global* batch at every step. ``batch_size`` in the config is this global batch.
- **Shards.** Rank ``r`` takes the ``r``-th of ``N`` contiguous, near-equal slices of the global
  batch (``shard_bounds``); slices keep the global batch's padding, so padding-dependent layers
  (character CNNs, span pruning) compute what one process computes.
- **DistributedDataParallel.** Training steps call the model through
  ``torch.nn.parallel.DistributedDataParallel`` (``find_unused_parameters=True``: a step runs
  one task's path only) around ``WeightedTaskLoss``, a module whose forward computes the whole
  loss of the step, regulariser included, and returns only that tensor, so DDP finds exactly
  the parameters that get a gradient. DDP averages the gradients over the ranks during
  backward; a parameter that no rank used keeps ``grad=None``, as in one process, so per-task
  optimizers, Adam's state and frozen layers behave the same. Everything else (metrics,
  validation, checkpoints, best weights) uses the model itself, so saved weights load in one
  process. DDP's constructor gives every rank rank 0's parameters.
- **Exact gradients.** The loss of each shard is weighted so that the sum over ranks of the
  weighted shard losses is the global batch's loss (``shard_weights``): weight 1 for heads whose
  loss is a sum over the batch (CRF taggers, coreference), the shard's share of the normalising
  units for heads whose loss is a mean (instances; real token pairs for the relation head), as
  each head declares in its ``loss_reduction``. Because DDP averages, every weight is then
  multiplied by ``N``; rank 0 alone adds the regularisation penalty, also times ``N``. The
  averaged gradient is then exactly the global batch's, and clipping and optimizer steps run on
  identical gradients on every rank.
- **Empty shards.** A global batch smaller than ``N`` leaves some ranks without instances, but
  DDP needs a forward and backward pass on every rank. Such a rank runs a stand-in: the global
  batch's first instance with weight 0, so it joins DDP's reduction with exact zeros; its
  metrics are restored afterwards (``metrics_unchanged``), so the stand-in is never counted.
- **Metrics** sum their counts across ranks when read (``hmtl.metrics``), so validation scores
  are those of the whole validation set; a model holding a metric that all-reduces on every
  call (most of AllenNLP's) is refused (``check_metrics_reduce_when_read``). Validation runs
  without DDP and skips empty shards; the validation loss is rebuilt per global batch
  (``evaluate_shards``).
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import inspect
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from allennlp.common import FromParams
from allennlp.common.checks import ConfigurationError
from allennlp.nn.util import get_text_field_mask
from allennlp.training.metrics import Metric
from torch.nn.parallel import DistributedDataParallel

from hmtl.training.evaluation import batch_on

logger = logging.getLogger(__name__)

BACKENDS = ("auto", "gloo", "nccl")
LAUNCH_VARIABLES = ("WORLD_SIZE", "RANK", "LOCAL_RANK")
TEXT_FIELDS = ("tokens", "text")
# How a head's loss is reduced over a batch (``Head.loss_reduction``; see ``shard_weights``).
SUM = "sum"
MEAN_INSTANCES = "mean_instances"
MEAN_TOKEN_PAIRS = "mean_token_pairs"


class DistributedSettings(FromParams):
    """``multi_task_trainer.distributed``: ``backend`` (``auto``, ``gloo`` or ``nccl``) and
    ``timeout_minutes`` of collective calls. Only read when the run is launched by torchrun
    with more than one process."""

    def __init__(self, backend: str = "auto", timeout_minutes: int = 30) -> None:
        if backend not in BACKENDS:
            raise ConfigurationError(
                f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}"
            )
        if timeout_minutes < 1:
            raise ConfigurationError(f"timeout_minutes must be >= 1; got {timeout_minutes}")
        self.backend = backend
        self.timeout_minutes = timeout_minutes


@dataclass(frozen=True)
class ProcessContext:
    """Where this process stands in the run (one process: world size 1, rank 0)."""

    world_size: int = 1
    rank: int = 0
    local_rank: int = 0

    @property
    def is_distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0 writes the files of the run."""
        return self.rank == 0


def launch_context(environ: Mapping[str, str] | None = None) -> ProcessContext:
    """The process's place from torchrun's environment variables (none: a single process)."""
    environ = os.environ if environ is None else environ
    if "WORLD_SIZE" not in environ:
        return ProcessContext()
    values = {}
    for name in LAUNCH_VARIABLES:
        raw = environ.get(name, "0" if name == "LOCAL_RANK" else None)
        try:
            values[name] = int(raw) if raw is not None else None
        except ValueError:
            values[name] = None
        if values[name] is None or values[name] < 0:
            raise ConfigurationError(
                f"environment variable {name}={raw!r}: expected a non-negative integer (set by "
                "torchrun; launch with 'torchrun --nproc_per_node N train.py ...')"
            )
    world_size, rank = values["WORLD_SIZE"], values["RANK"]
    if world_size < 1 or rank >= world_size:
        raise ConfigurationError(
            f"environment variables WORLD_SIZE={world_size}, RANK={rank}: expected "
            "0 <= RANK < WORLD_SIZE"
        )
    return ProcessContext(world_size, rank, values["LOCAL_RANK"])


def current_context() -> ProcessContext:
    """The context of the initialised process group (a single process when there is none)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return ProcessContext()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    return ProcessContext(dist.get_world_size(), dist.get_rank(), local_rank)


def resolve_backend(backend: str, use_cuda: bool) -> str:
    """``auto`` is NCCL on GPUs and gloo on CPUs; NCCL without GPUs is a configuration error."""
    if backend == "auto":
        return "nccl" if use_cuda else "gloo"
    if backend == "nccl" and not use_cuda:
        raise ConfigurationError(
            "multi_task_trainer.distributed.backend 'nccl' needs GPUs (cuda_device >= 0); use "
            "'gloo' or 'auto' to train on CPUs"
        )
    return backend


def init_process_group(
    context: ProcessContext, settings: DistributedSettings, use_cuda: bool
) -> str:
    """Join the run's process group (``env://``: torchrun's rendezvous); returns the backend."""
    backend = resolve_backend(settings.backend, use_cuda)
    if use_cuda:
        if context.local_rank >= torch.cuda.device_count():
            raise ConfigurationError(
                f"LOCAL_RANK {context.local_rank} has no GPU: this machine has "
                f"{torch.cuda.device_count()}; use --nproc_per_node <= the number of GPUs"
            )
        torch.cuda.set_device(context.local_rank)
    dist.init_process_group(
        backend,
        init_method="env://",
        rank=context.rank,
        world_size=context.world_size,
        timeout=datetime.timedelta(minutes=settings.timeout_minutes),
    )
    logger.info(
        "Process %d of %d joined the process group (backend %s, local rank %d)",
        context.rank, context.world_size, backend, context.local_rank,
    )
    return backend


def leave_process_group(wait: bool = True) -> None:
    """Leave the process group (no-op without one), after every rank got here when ``wait``
    (not after an error: the other ranks may be inside another collective call)."""
    if dist.is_available() and dist.is_initialized():
        if wait:
            dist.barrier()
        dist.destroy_process_group()


def barrier() -> None:
    """Wait for every rank (no-op in a single process)."""
    if current_context().is_distributed:
        dist.barrier()


def gather_objects(value: Any) -> list[Any]:
    """Every rank's ``value``, in rank order (``[value]`` in a single process)."""
    context = current_context()
    if not context.is_distributed:
        return [value]
    gathered: list[Any] = [None] * context.world_size
    dist.all_gather_object(gathered, value)
    return gathered


def check_same_everywhere(value: Any, what: str) -> None:
    """Fail on every rank when ranks disagree on ``value`` (e.g. their vocabularies)."""
    values = gather_objects(value)
    if any(other != values[0] for other in values[1:]):
        different = [rank for rank, other in enumerate(values) if other != values[0]]
        raise ConfigurationError(
            f"the processes built different {what} (ranks {different} differ from rank 0); "
            "every process must read the same data and config"
        )


# --------------------------------------------------------------------------------------------
# shards of a global batch


def shard_bounds(size: int, world_size: int, rank: int) -> tuple[int, int]:
    """``[start, end)`` of rank's slice of ``size`` items: contiguous, sizes differing by at
    most one, the larger ones first (so rank 0 is never empty when ``size`` > 0)."""
    base, extra = divmod(size, world_size)
    start = rank * base + min(rank, extra)
    return start, start + base + (1 if rank < extra else 0)


def batch_size_of(batch: Mapping[str, Any]) -> int:
    """Instances in a collated batch (the first dimension of its first tensor or list)."""
    for value in batch.values():
        if isinstance(value, torch.Tensor):
            return int(value.shape[0])
        if isinstance(value, Mapping):
            return batch_size_of(value)
        if isinstance(value, Sequence) and not isinstance(value, str):
            return len(value)
    raise ValueError(f"cannot tell the size of a batch with fields {sorted(batch)}")


def slice_batch(batch: Any, start: int, end: int) -> Any:
    """Instances ``start:end`` of a collated batch; padding is the global batch's."""
    if isinstance(batch, torch.Tensor):
        return batch[start:end]
    if isinstance(batch, Mapping):
        return {key: slice_batch(value, start, end) for key, value in batch.items()}
    if isinstance(batch, Sequence) and not isinstance(batch, str):
        return batch[start:end]
    return batch


def head_loss_reduction(model: torch.nn.Module, task_name: str) -> str:
    """How the loss of ``task_name`` is reduced over a batch: its head's ``loss_reduction``, or
    ``mean_instances`` (AllenNLP's convention) for a model without heads or a task it does not
    know."""
    heads = getattr(model, "heads", None)
    if not isinstance(heads, Mapping | torch.nn.ModuleDict) or task_name not in heads:
        return MEAN_INSTANCES
    return str(getattr(heads[task_name], "loss_reduction", MEAN_INSTANCES))


def _lengths(batch: Mapping[str, Any]) -> torch.Tensor:
    present = [name for name in TEXT_FIELDS if name in batch]
    if not present:
        raise ValueError(f"a batch without a text field ({', '.join(TEXT_FIELDS)})")
    return get_text_field_mask(batch[present[0]]).sum(-1)


def shard_weights(
    batch: Mapping[str, Any], reduction: str, world_size: int
) -> list[float]:
    """Per rank, the factor of its shard's loss so that the weighted shard losses add up to the
    global batch's loss (and so do their gradients)."""
    size = batch_size_of(batch)
    bounds = [shard_bounds(size, world_size, rank) for rank in range(world_size)]
    if reduction == SUM:
        return [1.0] * world_size
    if reduction == MEAN_INSTANCES:
        units = [float(end - start) for start, end in bounds]
    elif reduction == MEAN_TOKEN_PAIRS:
        squares = _lengths(batch).double() ** 2
        units = [float(squares[start:end].sum()) for start, end in bounds]
    else:
        raise ConfigurationError(
            f"unknown loss reduction {reduction!r}; expected {SUM}, {MEAN_INSTANCES} or "
            f"{MEAN_TOKEN_PAIRS}"
        )
    total = sum(units)
    return [unit / total if total > 0 else 0.0 for unit in units]


@dataclass
class Shard:
    """This rank's part of one global batch and the weight of its loss."""

    index: int  # position of the global batch in its pass
    batch: Mapping[str, Any] | None  # None when the shard is empty
    weight: float
    stand_in: bool = False  # ``batch`` only stands in for an empty shard (``training_shard``)


def shard_of(
    batch: Mapping[str, Any], index: int, reduction: str, context: ProcessContext
) -> Shard:
    """This rank's shard of the ``index``-th global batch."""
    start, end = shard_bounds(batch_size_of(batch), context.world_size, context.rank)
    weight = shard_weights(batch, reduction, context.world_size)[context.rank]
    return Shard(index, slice_batch(batch, start, end) if end > start else None, weight)


def training_shard(batch: Mapping[str, Any], reduction: str, context: ProcessContext) -> Shard:
    """This rank's shard of a training batch. One process trains on the whole batch; an empty
    shard becomes a stand-in, the batch's first instance with weight 0 (DDP needs a forward and
    a backward pass on every rank)."""
    if not context.is_distributed:
        return Shard(0, batch, 1.0)
    shard = shard_of(batch, 0, reduction, context)
    if shard.batch is None:
        return Shard(0, slice_batch(batch, 0, 1), 0.0, stand_in=True)
    return shard


def shards(
    batches: Iterable[Mapping[str, Any]], reduction: str, context: ProcessContext
) -> Iterator[Shard]:
    """This rank's shard of each global batch, empty ones included."""
    for index, batch in enumerate(batches):
        yield shard_of(batch, index, reduction, context)


# --------------------------------------------------------------------------------------------
# gradients


class WeightedTaskLoss(torch.nn.Module):
    """The loss one training step backpropagates: the task's loss times ``weight``, weighted by
    ``weighting`` (``hmtl.training.weighting``, whose batch-independent terms are also scaled by
    ``penalty_weight``), plus the model's regularisation penalty times ``penalty_weight``.

    It is the module DDP wraps: DDP looks for the parameters that get a gradient from what
    forward returns, so forward returns this loss alone (outputs such as decoded tags may use
    parameters the loss does not), and the penalty is computed inside forward (a parameter
    reached only after forward would be marked ready twice). Weights of 1 leave the loss as the
    model computed it."""

    def __init__(
        self, model: torch.nn.Module, weighting: torch.nn.Module | None = None
    ) -> None:
        super().__init__()
        self.model = model
        # the loss weighting sits inside, so that DDP also averages its learned weights'
        # gradients
        self.weighting = weighting

    def forward(
        self,
        task_name: str,
        batch: Mapping[str, Any],
        weight: float = 1.0,
        penalty_weight: float = 1.0,
    ) -> torch.Tensor:
        output = self.model(task_name=task_name, **batch)
        loss = output.get("loss") if isinstance(output, Mapping) else None
        if loss is None:
            raise RuntimeError(
                f"task {task_name!r}: the model's forward returned no 'loss' for a training batch"
            )
        if weight != 1.0:
            loss = loss * weight
        if self.weighting is not None:
            loss = self.weighting(task_name, loss, penalty_weight)
        penalty = getattr(self.model, "get_regularization_penalty", None)
        if callable(penalty) and penalty_weight != 0.0:
            extra = penalty()
            if extra is not None:
                loss = loss + (extra * penalty_weight if penalty_weight != 1.0 else extra)
        return loss


def data_parallel(
    module: torch.nn.Module, context: ProcessContext, device: torch.device
) -> torch.nn.Module:
    """``module`` wrapped in DDP in a distributed run (every rank then holds rank 0's
    parameters and buffers), ``module`` itself in one process."""
    if not context.is_distributed:
        return module
    wrapped = DistributedDataParallel(
        module,
        device_ids=[device.index] if device.type == "cuda" else None,
        find_unused_parameters=True,
    )
    logger.info("Training with DistributedDataParallel over %d processes", context.world_size)
    return wrapped


def shard_loss(
    step: torch.nn.Module, task_name: str, shard: Shard, context: ProcessContext
) -> torch.Tensor:
    """This rank's loss for ``shard`` through ``step`` (a ``WeightedTaskLoss``, DDP-wrapped in
    a distributed run), scaled so that DDP's average of the gradients is the global batch's
    gradient: the shard weight and, on rank 0 only, the penalty times the number of ranks. A
    stand-in shard leaves the metrics as they were. Divided by the number of ranks and summed
    over them, the values are the global batch's loss."""
    scale = float(context.world_size)
    penalty_weight = scale if context.is_main else 0.0
    frozen = metrics_unchanged(step) if shard.stand_in else contextlib.nullcontext()
    with frozen:
        return step(task_name, shard.batch, shard.weight * scale, penalty_weight)


def metrics_of(module: torch.nn.Module) -> dict[str, Metric]:
    """Every AllenNLP metric held by ``module`` or its submodules, directly or in a dict, list or
    tuple attribute, by where it is held (``heads.ner._accuracy``, ``accuracy[pos]``)."""
    found: dict[int, tuple[str, Metric]] = {}
    for prefix, submodule in module.named_modules():
        for attribute, value in vars(submodule).items():
            place = f"{prefix}.{attribute}" if prefix else attribute
            if isinstance(value, Mapping):
                items: Iterable[tuple[str, Any]] = [
                    (f"{place}[{key}]", item) for key, item in value.items()
                ]
            elif isinstance(value, list | tuple):
                items = [(f"{place}[{index}]", item) for index, item in enumerate(value)]
            else:
                items = [(place, value)]
            for name, item in items:
                if isinstance(item, Metric):
                    found.setdefault(id(item), (name, item))
    return dict(found.values())


def _reduces_on_every_call(metric: Metric) -> bool:
    try:
        source = inspect.getsource(type(metric).__call__)
    except (OSError, TypeError):  # no source to read: assume it does not
        return False
    return "dist_reduce" in source or "dist.all_reduce" in source


def check_metrics_reduce_when_read(model: torch.nn.Module) -> None:
    """Refuse a model with a metric that sums across processes inside ``__call__`` (most of
    AllenNLP's): distributed validation skips the forward pass of a process whose shard is
    empty, so the others would wait for it forever. hmtl's metrics sum when read."""
    calling = [
        f"{name} ({type(metric).__name__})"
        for name, metric in metrics_of(model).items()
        if _reduces_on_every_call(metric)
    ]
    if calling:
        raise ConfigurationError(
            f"the model's metrics {', '.join(calling)} sum their counts across processes on "
            "every call, which hangs distributed training; use metrics that sum when read "
            "(hmtl.metrics: distributed_categorical_accuracy, distributed_span_f1, ...)"
        )


@contextlib.contextmanager
def metrics_unchanged(module: torch.nn.Module) -> Iterator[None]:
    """Restore the state of every AllenNLP metric held by ``module`` or its submodules (directly
    or in a dict, list or tuple attribute) on exit: a forward pass inside is not counted."""
    saved = [(metric, copy.deepcopy(vars(metric))) for metric in metrics_of(module).values()]
    try:
        yield
    finally:
        for metric, state in saved:
            vars(metric).clear()
            vars(metric).update(state)


def all_reduce_sum(values: torch.Tensor) -> torch.Tensor:
    """The element-wise sum of ``values`` over the ranks (unchanged in a single process)."""
    if not current_context().is_distributed:
        return values
    summed = values.clone()
    dist.all_reduce(summed)
    return summed


def evaluate_shards(
    model: torch.nn.Module,
    task_name: str,
    batches: Iterable[Mapping[str, Any]],
    device: torch.device,
    description: str,
) -> dict[str, float]:
    """``hmtl.training.evaluation.evaluate`` on this rank's shard of every global batch: metrics
    are summed over the ranks by the metrics themselves, and ``loss`` is the mean over global
    batches of the global batch's loss (the weighted shard losses summed over ranks), as one
    process would report it."""
    from hmtl.training.evaluation import evaluate

    context = current_context()
    reduction = head_loss_reduction(model, task_name)
    losses: list[float] = []
    has_loss: list[float] = []
    current: list[Shard] = []

    def local_batches() -> Iterator[Mapping[str, Any]]:
        for shard in shards(batches, reduction, context):
            losses.append(0.0)
            has_loss.append(0.0)
            if shard.batch is not None:
                current[:] = [shard]
                yield shard.batch

    def record(_: Mapping[str, Any], output: Mapping[str, Any]) -> None:
        loss = output.get("loss")
        if loss is not None:
            shard = current[0]
            losses[shard.index] += shard.weight * float(loss.item())
            has_loss[shard.index] = 1.0

    metrics = evaluate(
        model, task_name, local_batches(), device, on_batch=record, description=description,
        warn_if_empty=False,
    )
    metrics.pop("loss", None)
    count = len(losses)
    if count == 0:
        logger.warning("Task %s: the evaluation data is empty", task_name)
    totals = all_reduce_sum(
        torch.tensor(losses + has_loss, dtype=torch.float64, device=device)
    ).tolist()
    with_loss = [total for total, seen in zip(totals[:count], totals[count:]) if seen > 0]
    if with_loss:
        metrics["loss"] = sum(with_loss) / len(with_loss)
    return metrics


# --------------------------------------------------------------------------------------------
# the trainer's view: one strategy object


class SingleProcess:
    """Training in one process: every method is the plain single-process action, so the
    trainer's loop has no distributed branches."""

    world_size = 1
    rank = 0
    is_main = True

    def device(self, cuda_device: int) -> torch.device:
        """The device of the ``cuda_device`` setting."""
        from hmtl.experiment.model import device_for

        return device_for(cuda_device)

    def prepare(self, model: torch.nn.Module) -> None:
        """Check that ``model`` can be trained this way (anything can, in one process)."""

    def shared_seed(self, seed: int) -> int:
        """The seed of the sampler and data order (this process's own)."""
        return seed

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        """What training steps call: ``module`` itself."""
        return module

    def training_loss(
        self, step: torch.nn.Module, task_name: str, batch: Mapping[str, Any],
        device: torch.device,
    ) -> torch.Tensor:
        """The loss to backpropagate for a training batch."""
        return step(task_name, batch_on(device, batch), 1.0, 1.0)

    def global_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """The whole batch's loss: this process's."""
        return loss.detach().float()

    def running_metrics(
        self, model: torch.nn.Module, task_name: str, summary_step: bool
    ) -> Callable[[], dict[str, float]]:
        """What reads the task's training metrics so far: in one process, whenever a callback
        asks for them."""
        from hmtl.training.evaluation import as_float_metrics

        return lambda: as_float_metrics(model.get_metrics(task_name=task_name))

    def evaluate(
        self, model: torch.nn.Module, task_name: str, batches: Iterable[Mapping[str, Any]],
        device: torch.device, description: str,
    ) -> dict[str, float]:
        """Validation metrics of a task."""
        from hmtl.training.evaluation import evaluate

        return evaluate(model, task_name, batches, device, description=description)

    def gather(self, value: Any) -> list[Any]:
        """Every process's ``value``: ``[value]``."""
        return [value]

    def main_decides(self, flag: bool) -> bool:
        """A decision every process must share (the main process's): ``flag``."""
        return flag

    def barrier(self) -> None:
        """Wait for every process: nothing to wait for."""


class DataParallel(SingleProcess):
    """Training on the shards of every global batch in several processes, through DDP (see the
    module's docstring)."""

    def __init__(self, context: ProcessContext) -> None:
        self.context = context
        self.world_size = context.world_size
        self.rank = context.rank
        self.is_main = context.is_main

    def device(self, cuda_device: int) -> torch.device:
        return super().device(self.context.local_rank if cuda_device >= 0 else cuda_device)

    def prepare(self, model: torch.nn.Module) -> None:
        check_metrics_reduce_when_read(model)

    def shared_seed(self, seed: int) -> int:
        # one seed for the sampler and data order everywhere (rank 0's), but each rank its own
        # dropout masks
        seed = gather_objects(seed)[0]
        torch.manual_seed(seed + 7919 * self.rank)
        return seed

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        # wrapping gives every rank rank 0's weights: done after restoring a checkpoint
        return data_parallel(module, self.context, next(module.parameters()).device)

    def training_loss(
        self, step: torch.nn.Module, task_name: str, batch: Mapping[str, Any],
        device: torch.device,
    ) -> torch.Tensor:
        model = step.module.model if isinstance(step, DistributedDataParallel) else step.model
        shard = training_shard(batch, head_loss_reduction(model, task_name), self.context)
        shard.batch = batch_on(device, shard.batch)
        return shard_loss(step, task_name, shard, self.context)

    def global_loss(self, loss: torch.Tensor) -> torch.Tensor:
        # on every rank, so that all of them stop on a bad one
        return all_reduce_sum(loss.detach().float()) / self.world_size

    def running_metrics(
        self, model: torch.nn.Module, task_name: str, summary_step: bool
    ) -> Callable[[], dict[str, float]]:
        # metrics are summed across ranks when read: only at summary steps, on every rank,
        # whether or not a callback looks at them
        if not summary_step:
            return dict
        values = super().running_metrics(model, task_name, summary_step)()
        return lambda: dict(values)

    def evaluate(
        self, model: torch.nn.Module, task_name: str, batches: Iterable[Mapping[str, Any]],
        device: torch.device, description: str,
    ) -> dict[str, float]:
        return evaluate_shards(model, task_name, batches, device, description=description)

    def gather(self, value: Any) -> list[Any]:
        return gather_objects(value)

    def main_decides(self, flag: bool) -> bool:
        decision = [flag]
        dist.broadcast_object_list(decision, src=0)
        return bool(decision[0])

    def barrier(self) -> None:
        dist.barrier()


def strategy_for(context: ProcessContext) -> SingleProcess:
    """The strategy of a process: ``DataParallel`` in a process group of several ranks."""
    return DataParallel(context) if context.is_distributed else SingleProcess()
