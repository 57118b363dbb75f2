"""``hmtl fine-tune`` / ``fine_tune.py``: start from a trained run's weights and vocabulary."""

import json
import runpy
import sys
from pathlib import Path

import pytest
import torch

from hmtl.commands.main import main
from hmtl.experiment.weights import load_torch_file
from tests.training.conftest import toy_config_dict

ROOT = Path(__file__).resolve().parents[2]
TOY = "tests.training.toy_components"


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pretrained")
    config = directory / "toy.json"
    config.write_text(json.dumps(toy_config_dict()))
    assert main(["train", "-c", str(config), "-s", str(directory / "run"),
                 "--include-package", TOY, "-o", '{"multi_task_trainer.num_epochs": 1}']) == 0
    return directory


def test_fine_tuning_loads_the_chosen_weights(pretrained, tmp_path):
    frozen = json.dumps({"multi_task_trainer.num_epochs": 1, "multi_task_trainer.min_lr": 0.0,
                         "multi_task_trainer.optimizer": {"type": "sgd", "lr": 0.0}})
    code = main(["fine-tune", "-c", str(pretrained / "toy.json"), "-s", str(tmp_path / "ft"),
                 "-p", str(pretrained / "run"), "-m", "best_ent.th", "-o", frozen,
                 "--include-package", TOY])
    assert code == 0
    start = load_torch_file(pretrained / "run" / "best_ent.th", "start")
    end = load_torch_file(tmp_path / "ft" / "model_state.th", "end")
    # lr 0: nothing moved from best_ent.th (the call counter is not a weight)
    assert all(torch.equal(start[k], end[k]) for k in start if k != "training_call_count")
    assert (tmp_path / "ft" / "metrics.json").is_file()


def test_a_missing_weights_file_is_a_one_line_error(pretrained, tmp_path, capsys):
    code = main(["fine-tune", "-c", str(pretrained / "toy.json"), "-s", str(tmp_path / "ft"),
                 "-p", str(pretrained / "run"), "-m", "best_nothing.th", "--include-package", TOY])
    assert code == 1
    assert "best_nothing.th does not exist" in capsys.readouterr().err


def test_an_incompatible_model_names_the_parameters(pretrained, tmp_path, capsys):
    code = main(["fine-tune", "-c", str(pretrained / "toy.json"), "-s", str(tmp_path / "ft"),
                 "-p", str(pretrained / "run"), "-m", "best.th", "--include-package", TOY,
                 "-o", '{"model.embedding_dim": 5}'])
    assert code == 1
    err = capsys.readouterr().err
    assert "embedding.weight" in err and "!= (" in err and "Traceback" not in err


def test_the_top_level_script_has_the_original_flags(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["fine_tune.py", "--help"])
    with pytest.raises(SystemExit):
        runpy.run_path(str(ROOT / "fine_tune.py"), run_name="__main__")
    out = capsys.readouterr().out
    for flag in ("--config_file_path", "--serialization_dir", "--pretrained_dir",
                 "--pretrained_model_name", "--overrides"):
        assert flag in out
