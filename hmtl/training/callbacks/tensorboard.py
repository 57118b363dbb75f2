"""The TensorBoard callback: the original's tags (see ``hmtl.training.tensorboard_writer``) and
the loss weighting's learned values (``loss_weighting/<task>/<name>``), written through the run's
one writer, ``trainer.tensorboard`` (a disabled one outside the main process)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hmtl.training.callbacks.callback import BatchReport, TrainerCallback, ValidationReport

if TYPE_CHECKING:
    from hmtl.training.trainer import SamplerMultiTaskTrainer


@TrainerCallback.register("tensorboard")
class TensorboardCallback(TrainerCallback):
    """Writes ``<serialization_dir>/log/{train,validation}``."""

    def on_batch(self, trainer: SamplerMultiTaskTrainer, report: BatchReport) -> None:
        if report.summary_step:
            trainer.tensorboard.training_details(report.task, report.metrics, report.global_step)
            trainer.tensorboard.scalars(
                "loss_weighting", trainer.weighting.statistics(), report.global_step
            )

    def on_epoch_end(
        self, trainer: SamplerMultiTaskTrainer, epoch: int, batches: dict[str, int]
    ) -> None:
        for task_name, count in batches.items():
            trainer.tensorboard.training_proportion(task_name, count, epoch)

    def on_validation(self, trainer: SamplerMultiTaskTrainer, report: ValidationReport) -> None:
        for name, metrics in report.training.items():
            trainer.tensorboard.task_metrics(name, metrics, report.index, validation=False)
        for name, metrics in report.validation.items():
            trainer.tensorboard.task_metrics(name, metrics, report.index, validation=True)
