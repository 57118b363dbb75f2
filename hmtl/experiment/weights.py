"""Weights files of a run: which one a prediction (or an archive) uses, and reading them.

A run holds one ``best_<task>.th`` per task (each task's best validation) and ``best.th`` (the
best average over tasks). Predicting runs every head, so the default is ``best.th``; a run that
has no ``best.th`` but a single task's weights uses those. Anything else must be chosen.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from allennlp.common.checks import ConfigurationError

BEST = "best"
BEST_FILE = "best.th"


def best_weights_name(task_name: str) -> str:
    """File of the weights with the task's best validation metric."""
    return f"best_{task_name}.th"


def task_weight_files(directory: str | os.PathLike) -> dict[str, Path]:
    """The ``best_<task>.th`` files of a run, by task name."""
    return {
        path.name[len("best_"):-len(".th")]: path
        for path in sorted(Path(directory).glob("best_*.th"))
    }


def choose_weights(directory: str | os.PathLike, choice: str | None = None) -> Path:
    """The weights file for ``choice``: None (the default rule above), ``"best"`` (``best.th``)
    or a task name (``best_<task>.th``); a ``ConfigurationError`` lists what exists otherwise."""
    directory = Path(directory)
    per_task = task_weight_files(directory)
    best = directory / BEST_FILE
    available = ([BEST_FILE] if best.is_file() else []) + [path.name for path in per_task.values()]
    if not available:
        raise ConfigurationError(
            f"{directory} has no weights: no best.th or best_<task>.th file (has training saved "
            "a best checkpoint yet?)."
        )
    if choice is None:
        if best.is_file():
            return best
        if len(per_task) == 1:
            return next(iter(per_task.values()))
        raise ConfigurationError(
            f"{directory} has no best.th and weights for several tasks ({', '.join(per_task)}): "
            "choose one with -t/--task."
        )
    if choice == BEST:
        if not best.is_file():
            raise ConfigurationError(
                f"{directory} has no best.th (--best); weights there: {', '.join(available)}."
            )
        return best
    if choice not in per_task:
        tasks = ", ".join(per_task) or "none"
        raise ConfigurationError(
            f"{directory} has no best_{choice}.th; weights exist for task(s): {tasks} "
            "(choose one with -t/--task)."
        )
    return per_task[choice]


def load_torch_file(path: str | os.PathLike, what: str) -> Any:
    """``torch.load`` with ``weights_only=True`` and an error that says which file and why."""
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(f"{path}: the {what} does not exist")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ConfigurationError(
            f"{path}: cannot read the {what} ({type(error).__name__}: {error}). The file is "
            "damaged or was not written by hmtl."
        ) from error


def load_model_weights(
    model: torch.nn.Module, state: Mapping[str, torch.Tensor], source: str | os.PathLike
) -> None:
    """Load ``state`` into ``model``, naming every missing, unexpected or reshaped parameter."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    reshaped = sorted(
        f"{name} {tuple(state[name].shape)} != {tuple(own[name].shape)}"
        for name in set(own) & set(state)
        if hasattr(state[name], "shape") and tuple(state[name].shape) != tuple(own[name].shape)
    )
    if missing or unexpected or reshaped:
        parts = []
        if missing:
            parts.append("missing from the file: " + ", ".join(missing))
        if unexpected:
            parts.append("not in the model: " + ", ".join(unexpected))
        if reshaped:
            parts.append("shape (file != model): " + "; ".join(reshaped))
        raise ConfigurationError(
            f"{source}: the weights do not fit the model built from the config ("
            + " | ".join(parts)
            + "). Check that the encoders, heads and vocabulary match the run that wrote it."
        )
    model.load_state_dict(state)
