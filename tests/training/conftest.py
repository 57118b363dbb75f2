"""Fixtures of the training tests: the toy config with absolute data paths."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import tests.training.toy_components  # noqa: F401  (registers toy_tagging and toy_multi_task)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "training"


def toy_config_dict() -> dict[str, Any]:
    """tests/fixtures/training/toy.json with its data paths made absolute."""
    raw = json.loads((FIXTURES / "toy.json").read_text(encoding="utf-8"))
    for key, block in raw.items():
        if key.startswith("task_"):
            data = block["data_params"]
            for split in ("train", "validation", "test"):
                name = f"{split}_data_path"
                data[name] = str(FIXTURES / Path(data[name]).name)
    return raw


@pytest.fixture
def toy_config() -> dict[str, Any]:
    """A fresh copy of the toy config (two tasks: pos with 3 batches, ent with 2)."""
    return copy.deepcopy(toy_config_dict())
