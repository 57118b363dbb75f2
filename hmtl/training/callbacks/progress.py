"""The terminal: a progress bar per epoch (or, with ``no_tqdm``, a log line every
``summary_interval`` steps) and the log lines of every validation."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from allennlp.common.tqdm import Tqdm

from hmtl.experiment.terminal import TERMINAL
from hmtl.training.callbacks.callback import BatchReport, TrainerCallback, ValidationReport

if TYPE_CHECKING:
    from hmtl.training.trainer import SamplerMultiTaskTrainer

logger = logging.getLogger("hmtl.training.trainer")


def format_metrics(metrics: Mapping[str, float]) -> str:
    """``name: value`` pairs for logs and the progress bar. Per-type metrics (``f1-measure-PER``)
    are left out: they are in metrics.json and TensorBoard."""
    shown = [
        f"{key}: {value:.4f}"
        for key, value in metrics.items()
        if "/" not in key and ("-" not in key or key.endswith("-overall"))
    ]
    return ", ".join(shown)


def describe(task_name: str, metrics: Mapping[str, float]) -> str:
    return f"{task_name} | {format_metrics(metrics)}"


@TrainerCallback.register("progress")
class ProgressCallback(TrainerCallback):
    """Progress bar (main process, unless ``no_tqdm``) and log lines."""

    def __init__(self, no_tqdm: bool = False) -> None:
        self.no_tqdm = no_tqdm
        self._bar: Any = None

    def on_epoch_start(self, trainer: SamplerMultiTaskTrainer, epoch: int, steps: int) -> None:
        logger.info("Epoch %d/%d", epoch, trainer.num_epochs - 1)
        self._bar = Tqdm.tqdm(
            total=steps,
            initial=trainer.state.step_in_epoch,
            disable=self.no_tqdm or not trainer.is_main,
            desc=f"epoch {epoch}",
        )

    def on_batch(self, trainer: SamplerMultiTaskTrainer, report: BatchReport) -> None:
        shown = self._bar is not None and not self._bar.disable
        if shown:  # the running metrics are read only when something shows them
            text = describe(report.task, report.metrics)
            self._bar.set_description(f"step {report.global_step} {text}", refresh=False)
            self._bar.update(1)
        if report.summary_step and self.no_tqdm:
            logger.info("step %d: %s", report.global_step, describe(report.task, report.metrics))

    def on_validation(self, trainer: SamplerMultiTaskTrainer, report: ValidationReport) -> None:
        logger.info("Validation %d (epoch %d, step %d)", report.index, report.epoch,
                    report.global_step)
        for name in report.validation:
            logger.info("  %s training:   %s", name, format_metrics(report.training[name]))
            logger.info("  %s validation: %s", name, format_metrics(report.validation[name]))
        for task in trainer.tasks:  # the terminal's one line per task
            tracker = trainer.state.tasks[task.name]
            logger.info("validation %d, %s: %s %.4f (best %.4f at validation %d)", report.index,
                        task.name, task.validation_metric_name, tracker.history[-1],
                        tracker.best_value, tracker.best_index, extra=TERMINAL)

    def on_epoch_end(
        self, trainer: SamplerMultiTaskTrainer, epoch: int, batches: dict[str, int]
    ) -> None:
        self._close()

    def on_end(self, trainer: SamplerMultiTaskTrainer, error: Any = None) -> None:
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
