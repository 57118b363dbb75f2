"""What a trainer callback sees and when it is called.

Callbacks report on a run; they never change what it computes. The trainer calls, in order:
``on_start`` once (after a recovery, too), then for each epoch ``on_epoch_start``, ``on_batch``
after every training step, ``on_validation`` after every validation, ``on_epoch_end``; before a
checkpoint is written ``on_checkpoint``; and ``on_end`` once, also when training fails. Users add
their own with ``@TrainerCallback.register("name")`` and ``multi_task_trainer.callbacks``
(``[{"type": "name", ...}]``, with ``--include-package``); a callback's constructor may take
``serialization_dir: str``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allennlp.common import Registrable

if TYPE_CHECKING:
    from hmtl.training.trainer import SamplerMultiTaskTrainer


@dataclass
class BatchReport:
    """One training step: the task, the step's number (from 0), the global batch's loss,
    whether it is a summary step (every ``summary_interval`` steps), and ``metrics``: the task's
    mean loss and running metrics since the last validation.

    ``metrics`` is read from the model when a callback first asks for it, during ``on_batch``
    (so a step whose callbacks do not look costs nothing); in a distributed run it holds only
    ``loss`` except at summary steps, where every process reads them together."""

    task: str
    global_step: int
    epoch: int
    loss: float
    summary_step: bool
    read_metrics: Callable[[], dict[str, float]] = field(repr=False, compare=False)

    @functools.cached_property
    def metrics(self) -> dict[str, float]:
        return self.read_metrics()


@dataclass
class ValidationReport:
    """One validation: its index (from 0), the epoch and step it follows, every task's training
    metrics of the period and validation metrics, the average signed score, and the tasks
    (``best_<task>.th``/``best.th`` names) whose weights are the best so far."""

    index: int
    epoch: int
    global_step: int
    training: dict[str, dict[str, float]]
    validation: dict[str, dict[str, float]]
    combined_score: float
    best_files: list[str]


class TrainerCallback(Registrable):
    """Does nothing at every event: subclasses override the ones they need."""

    def on_start(self, trainer: SamplerMultiTaskTrainer) -> None:
        """Training (re)starts."""

    def on_epoch_start(self, trainer: SamplerMultiTaskTrainer, epoch: int, steps: int) -> None:
        """An epoch of ``steps`` steps starts (or resumes after ``trainer.state.step_in_epoch``)."""

    def on_batch(self, trainer: SamplerMultiTaskTrainer, report: BatchReport) -> None:
        """A training step is done (its gradients are still there)."""

    def on_validation(self, trainer: SamplerMultiTaskTrainer, report: ValidationReport) -> None:
        """A validation is done (before its checkpoint)."""

    def on_epoch_end(
        self, trainer: SamplerMultiTaskTrainer, epoch: int, batches: dict[str, int]
    ) -> None:
        """An epoch ended (also when training stops within it); ``batches`` per task."""

    def on_checkpoint(self, trainer: SamplerMultiTaskTrainer) -> None:
        """A checkpoint is about to be written (main process)."""

    def on_end(self, trainer: SamplerMultiTaskTrainer, error: Any = None) -> None:
        """Training ended, normally (``error`` None) or by an exception."""
