"""Mean and standard deviation of every parameter and/or gradient in TensorBoard
(``parameter_mean/<name>``, ``grad_std/<name>``...), every ``summary_interval`` steps: the
original's ``log_parameter_statistics`` and ``log_gradient_statistics``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hmtl.training.callbacks.callback import BatchReport, TrainerCallback

if TYPE_CHECKING:
    from hmtl.training.trainer import SamplerMultiTaskTrainer


@TrainerCallback.register("parameter_statistics")
class ParameterStatisticsCallback(TrainerCallback):
    """Writes the statistics of ``parameters`` and/or ``gradients`` at summary steps."""

    def __init__(self, parameters: bool = True, gradients: bool = True) -> None:
        self.parameters = parameters
        self.gradients = gradients

    def on_batch(self, trainer: SamplerMultiTaskTrainer, report: BatchReport) -> None:
        if report.summary_step:
            trainer.tensorboard.parameter_statistics(
                trainer.model, report.global_step, self.parameters, self.gradients
            )
