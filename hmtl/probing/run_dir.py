"""The probe's model: a run directory (or archive) loaded with one task's best weights.

Loading itself is shared with prediction (``hmtl.predicting.loading``); the probe differs only in
always naming the task whose ``best_<task>.th`` it probes.
"""

from __future__ import annotations

import os

from hmtl.predicting.loading import TrainedRun
from hmtl.predicting.loading import load_trained_run as load_run
from hmtl.predicting.weights import task_weight_files as weight_files

__all__ = ["TrainedRun", "load_trained_run", "weight_files"]


def load_trained_run(serialization_dir: str | os.PathLike, task: str) -> TrainedRun:
    """The run's model with ``best_<task>.th``, on the CPU, and its readers' token indexers."""
    return load_run(serialization_dir, weights=task)
