"""``hmtl probe`` / ``hmtl_senteval.py`` end to end on a tiny trained model, and its errors."""

import json
import re
import sys

import pytest
import torch
from allennlp.common import Params
from allennlp.data import Batch, Instance, Token, Vocabulary
from allennlp.data.fields import SequenceLabelField, TextField
from allennlp.data.token_indexers import SingleIdTokenIndexer
from allennlp.models import Model

import hmtl_senteval
from hmtl.commands.main import main
from tests.probing.probing_files import SPLIT_SIZES, write_probing_data
from tests.probing.tiny_model import WORDS, write_run_dir

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


def real_model_run_dir(path):
    """A run directory of the project's ``hierarchical`` model (ner -> emd), trained 3 steps."""
    def lstm(input_size, hidden_size):
        return {"type": "lstm", "input_size": input_size, "hidden_size": hidden_size,
                "bidirectional": True}

    config = {
        "task_ner": {"task_description": {"task_name": "ner"}, "data_params": {
            "dataset_reader": {"type": "ner_ontonotes", "token_indexers": {
                "tokens": {"type": "single_id", "lowercase_tokens": True}}}}},
        "model": {
            "type": "hierarchical",
            "text_field_embedder": {"token_embedders": {
                "tokens": {"type": "embedding", "embedding_dim": 4}}},
            "tasks": {
                "ner": {"encoder": lstm(4, 3),
                        "head": {"type": "crf_tagger", "label_namespace": "ner_labels"}},
                # shortcut: the base embedding (4) and the NER states (2 x 3)
                "emd": {"encoder": lstm(4 + 6, 2), "below": "ner",
                        "head": {"type": "crf_tagger", "label_namespace": "emd_labels"}},
            },
        },
    }
    torch.manual_seed(0)
    vocab = Vocabulary(tokens_to_add={
        "tokens": WORDS, "ner_labels": ["O", "U-PER"], "emd_labels": ["O", "U-PER"]
    })
    model = Model.from_params(vocab=vocab, params=Params(json.loads(json.dumps(config["model"]))))
    indexers = {"tokens": SingleIdTokenIndexer(lowercase_tokens=True)}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for task in ("ner", "emd", "ner"):
        instances = []
        for words in (["alpha", "beta"], ["gamma", "alpha", "delta"]):
            text = TextField([Token(w) for w in words], indexers)
            tags = ["U-PER" if w == "alpha" else "O" for w in words]
            instances.append(Instance({
                "tokens": text, "tags": SequenceLabelField(tags, text, f"{task}_labels")
            }))
        batch = Batch(instances)
        batch.index_instances(vocab)
        optimizer.zero_grad()
        model(task_name=task, **batch.as_tensor_dict())["loss"].backward()
        optimizer.step()
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps(config))
    vocab.save_to_files(str(path / "vocabulary"))
    torch.save(model.state_dict(), path / "best_emd.th")


def test_probes_every_layer_of_the_hierarchical_model(tmp_path, workspace):
    real_model_run_dir(tmp_path / "run")
    output = tmp_path / "probe.json"
    code = main([
        "probe", "-s", str(tmp_path / "run"), "-t", "emd", "--all-layers", "--tasks", "Length",
        "--data-dir", str(workspace / "SentEval" / "data"), "--output", str(output),
    ])
    assert code == 0
    document = json.loads(output.read_text())
    assert document["layers"] == ["text_field_embedder", "encoder_ner", "encoder_emd"]
    assert document["weights"] == "best_emd.th"
    assert all(document["results"][layer]["Length"]["ntest"] == 20 for layer in document["layers"])
    assert output.with_suffix(".png").is_file()


def test_a_file_of_ones_own_is_probed_and_reported_like_the_built_in_tasks(workspace, capsys):
    """The same examples under a name of one's own give exactly the built-in task's results."""
    own = workspace / "own" / "my_length.tsv"
    own.parent.mkdir(exist_ok=True)
    own.write_bytes((workspace / "SentEval" / "data" / "probing" / "sentence_length.txt")
                    .read_bytes())
    output = workspace / "out" / "mixed.json"
    code = main([
        "probe", "-s", str(workspace / "run"), "-l", "encoder_ner",
        "--tasks", "Length", f"MyLength={own}", "--data-dir", str(workspace / "SentEval" / "data"),
        "--output", str(output),
    ])
    assert code == 0
    document = json.loads(output.read_text())
    assert document["tasks"] == ["Length", "MyLength"]
    assert document["task_files"]["MyLength"] == str(own)
    cells = document["results"]["encoder_ner"]
    assert cells["MyLength"] == cells["Length"]
    assert (cells["MyLength"]["ntrain"], cells["MyLength"]["ndev"]) == (60, 20)
    assert "| layer | Length | MyLength |" in capsys.readouterr().out


def test_files_of_ones_own_need_no_senteval_data_folder(workspace, tmp_path):
    own = tmp_path / "task.txt"
    own.write_bytes((workspace / "SentEval" / "data" / "probing" / "bigram_shift.txt")
                    .read_bytes())
    code = main([
        "probe", "-s", str(workspace / "run"), "--tasks", f"Mine={own}",
        "--data-dir", str(tmp_path / "nowhere"), "--output", str(tmp_path / "p.json"),
    ])
    assert code == 0
    assert json.loads((tmp_path / "p.json").read_text())["tasks"] == ["Mine"]


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        (["Mine={own}"],
         r"^error: {own}, line 3: the first field must be tr, va or te, found 'dev'$"),
        (["Mine={root}/missing.txt"], r"--tasks 'Mine=.*missing.txt': .*missing.txt is not a file"),
        (["=x"], r"--tasks '=x': expected a SentEval task name or NAME=PATH"),
        (["Length={own}"], r"Length is one of SentEval's tasks; give your file another name"),
        (["Lenght"], r"--tasks 'Lenght': unknown probing task; expected one of Length, "),
        (["Length", "Length"], r"task 'Length' is given twice"),
    ],
)
def test_bad_probing_tasks_are_one_line_errors(workspace, capsys, tasks, message):
    own = workspace / "bad" / "own.tsv"
    own.parent.mkdir(exist_ok=True)
    own.write_text("tr\tx\ta b\ntr\ty\tc\ndev\tx\ta\nte\ty\tc\n", encoding="utf-8")
    tasks = [task.format(own=own, root=workspace) for task in tasks]
    code = main([
        "probe", "-s", str(workspace / "run"), "--tasks", *tasks,
        "--data-dir", str(workspace / "SentEval" / "data"), "--output", str(workspace / "e.json"),
    ])
    assert code == 1
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1, error
    assert re.search(message.format(own=re.escape(str(own))), error.strip()), error
    assert not (workspace / "e.json").exists()
