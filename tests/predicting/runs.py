"""Tiny trained runs shared by the prediction tests (trained once per test session)."""

from collections.abc import Sequence
from pathlib import Path

import pytest

from hmtl.testing.trained_run import train_tiny_run

ALL_TASKS = ("ner", "emd", "relation", "coref")
_RUNS: dict[tuple[str, ...], Path] = {}


def tiny_run(factory: pytest.TempPathFactory, tasks: Sequence[str] = ALL_TASKS) -> Path:
    """The run directory of a tiny model with ``tasks`` (trained on first use)."""
    key = tuple(tasks)
    if key not in _RUNS:
        _RUNS[key] = train_tiny_run(factory.mktemp("tiny_run"), key)
    return _RUNS[key]
