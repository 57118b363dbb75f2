"""Which weights file of a run directory a prediction (or an archive) uses.

A run holds one ``best_<task>.th`` per task (each task's best validation) and ``best.th`` (the
best average over tasks). Predicting runs every head, so the default is ``best.th``; a run that
has no ``best.th`` but a single task's weights uses those. Anything else must be chosen.
"""

from __future__ import annotations

import os
from pathlib import Path

from allennlp.common.checks import ConfigurationError

BEST = "best"
BEST_FILE = "best.th"


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
