"""The tiny trained run: a real run directory with exactly the requested heads."""

import json

import pytest
import torch

from hmtl.testing.trained_run import (
    CHARACTER_FILTERS,
    HIDDEN,
    WORD_DIM,
    tiny_config,
    train_tiny_run,
)


def test_a_run_with_two_heads_has_its_weights_and_the_reduced_hierarchy(tmp_path):
    run = train_tiny_run(tmp_path, tasks=("ner", "coref"))
    assert run == tmp_path / "run"
    for name in ("config.json", "best_ner.th", "best_coref.th", "best.th"):
        assert (run / name).is_file(), name
    assert not (run / "best_emd.th").exists()
    assert (run / "vocabulary" / "ontonotes_ner_labels.txt").is_file()
    config = json.loads((run / "config.json").read_text())
    tasks = config["model"]["tasks"]
    assert sorted(tasks) == ["coref", "ner"]
    # coref normally sits on emd; without emd it sits on ner, whose BiLSTM adds 2 x HIDDEN
    assert tasks["coref"]["below"] == "ner"
    assert tasks["coref"]["encoder"]["input_size"] == WORD_DIM + CHARACTER_FILTERS + 2 * HIDDEN
    state = torch.load(run / "best_coref.th", weights_only=True)
    assert any(name.startswith("heads.coref.") for name in state)


def test_unknown_or_no_tasks_are_refused():
    with pytest.raises(ValueError, match="subset"):
        tiny_config({}, ("pos",))
    with pytest.raises(ValueError, match="subset"):
        tiny_config({}, ())
