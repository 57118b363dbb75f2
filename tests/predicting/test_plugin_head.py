"""A head of a kind of its own, registered by a plugin module, trains and appears in
``hmtl predict`` JSON with nothing else changed: one object per window (here per sentence, as
the model was trained), holding the head's decoded per-instance fields."""

import copy
import json
import sys

import torch
from allennlp.data import Batch, Instance, Token
from allennlp.data.fields import TextField

from hmtl.commands.main import main
from hmtl.data.demo_corpus import MIN_DOCUMENTS, write_demo_corpus
from hmtl.predicting.loading import load_trained_run
from hmtl.testing.trained_run import tiny_config
from tests.predicting.contract import check_contract

PLUGIN = "tests.predicting.plugin_head"
TEXT = "Maria Lopez joined Acme Corp in Paris . She likes it ."


def test_a_plugin_heads_output_appears_in_predict_json(tmp_path):
    assert PLUGIN not in sys.modules  # registered by --include-package only
    data = write_demo_corpus(tmp_path / "data", seed=7, num_documents=MIN_DOCUMENTS)
    config = tiny_config(data, ["ner"])
    config["task_tagger"] = copy.deepcopy(config["task_ner"])
    config["task_tagger"]["task_description"].update(task_name="tagger",
                                                     validation_metric_name="accuracy")
    config["model"]["tasks"]["tagger"] = {
        "encoder": {"type": "lstm", "bidirectional": True, "hidden_size": 3},  # size inferred
        "below": "ner",
        "head": {"type": "test_token_labels", "label_namespace": "ontonotes_ner_labels"},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    run = tmp_path / "run"
    assert main(["train", "-c", str(tmp_path / "config.json"), "-s", str(run),
                 "--include-package", PLUGIN]) == 0

    (tmp_path / "input.txt").write_text(TEXT + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["predict", str(run), str(tmp_path / "input.txt"), "--input-format", "lines",
                 "-o", str(out), "--include-package", PLUGIN, "--quiet"]) == 0
    [result] = [json.loads(line) for line in out.read_text().splitlines()]
    check_contract(result)
    assert result["tasks"] == {"ner": "spans", "tagger": "token_labels"}
    words = [token["text"] for token in result["tokens"]]
    assert words == TEXT.split()
    # the model was trained on sentences (no window in its config): one object per sentence
    windows = result["tagger"]
    assert [(window["start"], window["end"]) for window in windows] == [(0, 8), (8, 12)]
    assert all(set(window["output"]) == {"labels"} for window in windows)
    assert [len(window["output"]["labels"]) for window in windows] == [8, 4]

    # the same labels as the task's own forward pass on each sentence, decoded by the head
    trained = load_trained_run(run, None, -1)
    model = trained.model.eval()
    for window in windows:
        sentence = words[window["start"]:window["end"]]
        instance = Instance({"text": TextField([Token(word) for word in sentence],
                                               trained.token_indexers)})
        batch = Batch([instance])
        batch.index_instances(trained.vocab)
        with torch.no_grad():
            output = model(task_name="tagger", **batch.as_tensor_dict())
        decoded = model.heads["tagger"].make_output_human_readable(output)["labels"]
        assert decoded == [window["output"]["labels"]]
