"""TensorBoard event files of a run, with the original's tags.

``<dir>/log/train`` receives ``training_details/<task>/<metric>`` every ``summary_interval``
steps, ``training_proportions/<task>`` (batches of the task in the epoch) and the period's
training metrics ``task_<task>/<metric>``; ``<dir>/log/validation`` receives the validation metrics
under the same ``task_<task>/<metric>`` tags, so TensorBoard draws training and validation of a
metric on one chart. ``tensorboard --logdir <dir>/log`` shows the run. In a distributed run only
rank 0 writes: the other ranks hold a disabled writer whose methods do nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import torch
from tensorboardX import SummaryWriter


class TensorboardWriter:
    """The two writers of a run (none when not ``enabled``)."""

    def __init__(self, serialization_dir: str | os.PathLike, enabled: bool = True) -> None:
        log_dir = Path(serialization_dir) / "log"
        self.enabled = enabled
        if enabled:
            self._train = SummaryWriter(os.fspath(log_dir / "train"))
            self._validation = SummaryWriter(os.fspath(log_dir / "validation"))

    def training_details(self, task: str, metrics: Mapping[str, float], step: int) -> None:
        """Running training metrics of the task being trained, at a global step."""
        if not self.enabled:
            return
        for name, value in metrics.items():
            self._train.add_scalar(f"training_details/{task}/{name}", float(value), step)

    def training_proportion(self, task: str, batches: int, epoch: int) -> None:
        """How many batches of the task the epoch trained on."""
        if not self.enabled:
            return
        self._train.add_scalar(f"training_proportions/{task}", float(batches), epoch)

    def scalars(self, prefix: str, values: Mapping[str, float], step: int) -> None:
        """``<prefix>/<name>`` for each value (nothing when there are none)."""
        if not self.enabled:
            return
        for name, value in values.items():
            self._train.add_scalar(f"{prefix}/{name}", float(value), step)

    def task_metrics(
        self, task: str, metrics: Mapping[str, float], index: int, validation: bool
    ) -> None:
        """Metrics of a whole period (an epoch, or the steps between two validations)."""
        if not self.enabled:
            return
        writer = self._validation if validation else self._train
        for name, value in metrics.items():
            writer.add_scalar(f"task_{task}/{name}", float(value), index)

    def parameter_statistics(
        self, model: torch.nn.Module, step: int, parameters: bool, gradients: bool
    ) -> None:
        """Mean and standard deviation of every parameter and/or its gradient."""
        if not self.enabled:
            return
        for name, parameter in model.named_parameters():
            if parameters and parameter.numel() > 1:
                data = parameter.detach().float()
                self._train.add_scalar(f"parameter_mean/{name}", data.mean().item(), step)
                self._train.add_scalar(f"parameter_std/{name}", data.std().item(), step)
            if gradients and parameter.grad is not None and parameter.grad.numel() > 1:
                grad = parameter.grad.detach()
                grad = (grad.coalesce().values() if grad.is_sparse else grad).float()
                self._train.add_scalar(f"grad_mean/{name}", grad.mean().item(), step)
                self._train.add_scalar(f"grad_std/{name}", grad.std().item(), step)

    def flush(self) -> None:
        """Push buffered events to disk (before a checkpoint, so both tell the same story)."""
        if not self.enabled:
            return
        self._train.flush()
        self._validation.flush()

    def close(self) -> None:
        """Flush and close both writers."""
        if not self.enabled:
            return
        self._train.close()
        self._validation.close()
