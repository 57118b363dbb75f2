"""Trainer callbacks: TensorBoard, the terminal, parameter statistics, and users' own."""

from hmtl.training.callbacks.callback import BatchReport, TrainerCallback, ValidationReport
from hmtl.training.callbacks.progress import ProgressCallback
from hmtl.training.callbacks.statistics import ParameterStatisticsCallback
from hmtl.training.callbacks.tensorboard import TensorboardCallback

__all__ = [
    "BatchReport",
    "ParameterStatisticsCallback",
    "ProgressCallback",
    "TensorboardCallback",
    "TrainerCallback",
    "ValidationReport",
]
