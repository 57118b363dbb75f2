"""``hmtl probe`` / ``hmtl_senteval.py`` end to end on a tiny trained model, and its errors."""

import json
import re
import sys

import pytest

import hmtl_senteval
from hmtl.commands.main import main
from tests.probing.probing_files import SPLIT_SIZES, write_probing_data
from tests.probing.tiny_model import write_run_dir

LAYERS = ["text_field_embedder", "encoder_ner", "encoder_emd"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("probe")
    write_run_dir(root / "run", task="ner", train_steps=5)
    write_probing_data(root / "SentEval" / "data")
    return root


@pytest.fixture(autouse=True)
def without_senteval(monkeypatch):
    monkeypatch.setitem(sys.modules, "senteval", None)  # `auto` must pick the built-in prober


def test_probes_every_layer_and_writes_json_png_and_a_table(workspace, capsys):
    output = workspace / "out" / "probe.json"
    code = main([
        "probe", "-s", str(workspace / "run"), "--all-layers",
        "--tasks", "Length", "BigramShift", "--data-dir", str(workspace / "SentEval" / "data"),
        "--output", str(output), "--batch-size", "16",
    ])
    assert code == 0
    document = json.loads(output.read_text())
    assert document["layers"] == LAYERS  # bottom to top
    assert document["tasks"] == ["Length", "BigramShift"]
    assert document["backend"] == "builtin" and document["pooling"] == "mean"
    assert document["weights"] == "best_ner.th"
    for layer in LAYERS:
        for task in ("Length", "BigramShift"):
            cell = document["results"][layer][task]
            assert (cell["ntrain"], cell["ndev"], cell["ntest"]) == tuple(SPLIT_SIZES.values())
            # 20 dev / test examples: accuracies are multiples of 100 / 20 = 5 points
            assert 0 <= cell["acc"] <= 100 and cell["acc"] % 5 == 0
    assert (workspace / "out" / "probe.png").read_bytes()[:4] == b"\x89PNG"
    printed = capsys.readouterr().out
    assert "| layer | Length | BigramShift |" in printed
    rows = [line.split(" |")[0] for line in printed.splitlines() if line.startswith("| ")]
    assert rows == ["| layer", *(f"| {layer}" for layer in LAYERS)]


def test_original_flags_probe_one_layer_with_max_pooling(workspace, capsys):
    code = hmtl_senteval.main([
        "-s", str(workspace / "run"), "-t", "ner", "-l", "encoder_emd", "--tasks", "Length",
        "--data-dir", str(workspace / "SentEval" / "data"), "--pooling", "max",
    ])
    assert code == 0
    # default output: in the run directory, named after weights, layer and pooling
    document = json.loads((workspace / "run" / "probing_ner_encoder_emd_max.json").read_text())
    assert document["layers"] == ["encoder_emd"] and list(document["results"]) == ["encoder_emd"]
    assert document["pooling"] == "max"
    assert (workspace / "run" / "probing_ner_encoder_emd_max.png").is_file()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-l", "encoder_coref"], "no layer 'encoder_coref'; its layers are: "
                                  "text_field_embedder, encoder_ner, encoder_emd"),
        (["-t", "relation"], "no best_relation.th; weights exist for task\\(s\\): ner"),
        (["--data-dir", "{root}/nowhere"], "SentEval data folder .*nowhere does not exist"),
        (["--tasks", "Tense"], "Probing file for task Tense not found.*past_present.txt"),
        (["-s", "{root}/SentEval"], "config.json is missing"),
        (["--backend", "senteval"], "cannot import senteval.*github.com/facebookresearch"),
    ],
)
def test_bad_arguments_end_with_a_one_line_error(workspace, capsys, arguments, message):
    base = {
        "-s": str(workspace / "run"), "--data-dir": str(workspace / "SentEval" / "data"),
        "--tasks": "Length",
    }
    arguments = [a.format(root=workspace) for a in arguments]
    for flag, value in base.items():
        if flag not in arguments:
            arguments += [flag, value]
    assert main(["probe", *arguments, "--output", str(workspace / "err.json")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "Traceback" not in error
    assert re.search(message, error), error
    assert not (workspace / "err.json").exists()


def test_a_run_without_weights(tmp_path, workspace, capsys):
    write_run_dir(tmp_path / "run", train_steps=0)
    (tmp_path / "run" / "best_ner.th").unlink()
    code = main([
        "probe", "-s", str(tmp_path / "run"), "--data-dir", str(workspace / "SentEval" / "data"),
        "--tasks", "Length",
    ])
    assert code == 1
    assert "has no weights" in capsys.readouterr().err


def test_layer_and_all_layers_exclude_each_other(workspace):
    with pytest.raises(SystemExit):
        main(["probe", "-s", str(workspace / "run"), "-l", "encoder_ner", "--all-layers"])
