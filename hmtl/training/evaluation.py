"""Scoring a model on one task's data, and the test matrix of a finished run.

Evaluation always runs under ``torch.no_grad()`` with the model in ``eval()`` mode (the original
validated with gradients on), on the run's device, and returns Python floats.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from allennlp.common.tqdm import Tqdm
from allennlp.common.util import int_to_device
from allennlp.nn.util import move_to_device

from hmtl.experiment.task import Task
from hmtl.experiment.weights import load_model_weights, load_torch_file

logger = logging.getLogger(__name__)


def batch_on(device: torch.device | int, batch: Any) -> Any:
    """``batch`` with its tensors on ``device`` (a device, or AllenNLP's int: -1 is the CPU).
    The loaders build batches on the CPU, so for the CPU it is the batch itself: AllenNLP's
    ``move_to_device`` would walk every object of it (the metadata's word lists too) to copy
    nothing."""
    if int_to_device(device).type == "cpu":
        return batch
    return move_to_device(batch, device)


BatchCallback = Callable[[Mapping[str, Any], Mapping[str, Any]], None]
# (task whose best weights are loaded, task evaluated, batch, output)
MatrixCallback = Callable[[str, str, Mapping[str, Any], Mapping[str, Any]], None]


def as_float_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Metrics as plain floats (numpy or tensor scalars do not load with ``weights_only``)."""
    result = {}
    for name, value in metrics.items():
        if isinstance(value, torch.Tensor):
            value = value.item()
        result[name] = float(value)
    return result


def evaluate(
    model: torch.nn.Module,
    task_name: str,
    batches: Iterable[Mapping[str, Any]],
    device: torch.device | int = -1,
    on_batch: BatchCallback | None = None,
    description: str | None = None,
    warn_if_empty: bool = True,
) -> dict[str, float]:
    """The task's metrics over ``batches`` plus ``loss`` (mean per batch) when the model gives it.

    ``on_batch(batch, output)`` sees every batch with the model's output (prediction writers).
    The model's training mode is restored afterwards. No batch at all is logged as a warning
    unless ``warn_if_empty`` is false (a process's share of a distributed evaluation may be
    empty while the data is not).
    """
    was_training = model.training
    model.eval()
    model.get_metrics(reset=True, task_name=task_name)
    total_loss, batches_with_loss, seen = 0.0, 0, 0
    # Shown only on a terminal, and gone when done (leave=False): a run's output keeps only the
    # training bar and its one line per task, also when it is piped to a file.
    progress = Tqdm.tqdm(batches, desc=description or f"evaluating {task_name}", leave=False,
                         disable=not sys.stderr.isatty())
    try:
        with torch.no_grad():
            for batch in progress:
                batch = batch_on(device, batch)
                output = model(task_name=task_name, **batch)
                seen += 1
                loss = output.get("loss")
                if loss is not None:
                    total_loss += float(loss.item())
                    batches_with_loss += 1
                if on_batch is not None:
                    on_batch(batch, output)
    finally:
        model.train(was_training)
    metrics = as_float_metrics(model.get_metrics(reset=True, task_name=task_name))
    if batches_with_loss:
        metrics["loss"] = total_loss / batches_with_loss
    if seen == 0 and warn_if_empty:
        logger.warning("Task %s: the evaluation data is empty", task_name)
    return metrics


def compute_test_matrix(
    model: torch.nn.Module,
    tasks: Sequence[Task],
    weights_dir: str | os.PathLike,
    device: torch.device | int = -1,
    test_batches: Mapping[str, Callable[[], Iterable[Mapping[str, Any]]]] | None = None,
    on_batch: MatrixCallback | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Each evaluated task's best checkpoint (``best_<task>.th``) scored on every test set.

    The best epoch of one task is not the best of another, so every row loads its own weights;
    ``result[row][column]`` is the metrics of task ``column`` with the weights best for ``row``.
    ``test_batches`` maps a task to a function giving its test batches (default: its test split);
    ``on_batch(row, column, batch, output)`` sees every batch (prediction writers).
    """
    test_batches = test_batches or {}
    evaluated = [task for task in tasks if task.evaluate_on_test or task.name in test_batches]
    matrix: dict[str, dict[str, dict[str, float]]] = {}
    for row in evaluated:
        path = Path(weights_dir) / f"best_{row.name}.th"
        load_model_weights(model, load_torch_file(path, f"best weights of task {row.name}"), path)
        logger.info("Test matrix: weights best for %s (%s)", row.name, path)
        matrix[row.name] = {}
        for column in evaluated:
            source = test_batches.get(column.name)
            batches = source() if source is not None else column.loader("test")
            label = f"test {column.name} ({row.name} weights)"
            hook = None
            if on_batch is not None:
                hook = functools.partial(on_batch, row.name, column.name)
            matrix[row.name][column.name] = evaluate(
                model, column.name, batches, device, on_batch=hook, description=label
            )
    return matrix
