"""``hmtl demo``: corpus generation, path rebasing, idempotent training, clear errors."""

import json

import pytest
import torch
from allennlp.data import DatasetReader

from hmtl.commands import demo
from hmtl.commands.main import main

TOY = "tests.training.toy_components"


def test_rebase_paths_moves_only_paths_under_the_prefix():
    config = {
        "a": "data/demo/conll-2012/v4/data/train",
        "b": ["./data/demo/x.txt", "data/demos/y.txt", "data/demo"],
        "c": {"d": 3, "e": "data/glove.txt"},
    }
    assert demo.rebase_paths(config, "data/demo", "/tmp/corpus") == {
        "a": "/tmp/corpus/conll-2012/v4/data/train",
        "b": ["/tmp/corpus/x.txt", "data/demos/y.txt", "/tmp/corpus"],
        "c": {"d": 3, "e": "data/glove.txt"},
    }


def test_a_missing_config_is_a_one_line_error(tmp_path, capsys):
    code = main(["demo", "--config", str(tmp_path / "none.json"), "--data-dir",
                 str(tmp_path / "data"), "--serialization-dir", str(tmp_path / "run")])
    assert code == 1
    assert "none.json: no such file" in capsys.readouterr().err


def test_without_configs_demo_json_the_error_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(demo, "REPO_ROOT", tmp_path)
    assert main(["demo", "--data-dir", str(tmp_path / "d")]) == 1
    assert "configs/demo.json is missing" in capsys.readouterr().err


def _config() -> dict:
    root = "data/demo/conll-2012/v4/data"
    return {
        "task_ner": {
            "task_description": {"task_name": "ner", "validation_metric_name": "accuracy",
                                 "evaluate_on_test": True},
            "data_params": {
                "dataset_reader": {"type": "ner_ontonotes"},
                "train_data_path": f"{root}/train",
                "validation_data_path": f"{root}/development",
                "test_data_path": f"{root}/test",
                "datasets_for_vocab_creation": ["train"],
            },
        },
        "model": {"type": "toy_multi_task", "tasks": {"ner": "ontonotes_ner_labels"}},
        "iterators": {"iterator": {"type": "basic", "batch_size": 16}},
        "multi_task_trainer": {"num_epochs": 1, "optimizer": {"type": "adam"}},
    }


@pytest.mark.skipif(
    "ner_ontonotes" not in DatasetReader.list_available(), reason="ner_ontonotes not registered"
)
def test_the_demo_generates_trains_and_then_leaves_the_run_alone(tmp_path, capsys):
    config = tmp_path / "demo.json"
    config.write_text(json.dumps(_config()))
    arguments = ["demo", "--config", str(config), "--data-dir", str(tmp_path / "corpus"),
                 "--serialization-dir", str(tmp_path / "run"), "--num-documents", "20",
                 "--include-package", TOY]
    assert main(arguments) == 0
    assert (tmp_path / "corpus" / "README.txt").is_file()
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    train_path = saved["task_ner"]["data_params"]["train_data_path"]
    assert train_path == f"{tmp_path / 'corpus'}/conll-2012/v4/data/train"
    assert (tmp_path / "run" / "metrics.json").is_file()
    capsys.readouterr()
    assert main(arguments) == 0
    assert "already trained" in capsys.readouterr().out


def test_the_demo_trains_with_only_its_word_embedding_size_changed(tmp_path):
    """No encoder or head size has to follow by hand: they are inferred from the hierarchy."""
    words = 20
    overrides = {"model.text_field_embedder.token_embedders.tokens.embedding_dim": words,
                 "multi_task_trainer.num_epochs": 1}
    run = tmp_path / "run"
    assert main(["demo", "--data-dir", str(tmp_path / "corpus"), "--serialization-dir", str(run),
                 "--num-documents", "20", "-o", json.dumps(overrides)]) == 0
    weights = torch.load(run / "best.th", map_location="cpu")
    base = words + 32  # + the character CNN's 32 filters
    upper = base + 2 * 64  # + the NER or EMD BiLSTM's output
    assert weights["encoders.encoders.ner._module.weight_ih_l0"].shape == (4 * 64, base)
    for task in ("emd", "relation", "coref"):
        assert weights[f"encoders.encoders.{task}._module.weight_ih_l0"].shape == (4 * 64, upper)
    span = 2 * 128 + 10 + upper  # both ends, width feature, attended encoder input
    mention = weights["heads.coref._mention_feedforward._module._linear_layers.0.weight"]
    assert mention.shape == (64, span)
    antecedent = weights["heads.coref._antecedent_feedforward._linear_layers.0.weight"]
    assert antecedent.shape == (64, 3 * span + 10)
