"""End to end on the real readers and HierarchicalModel, on a small demo corpus: train a few
steps, inspect the run directory, evaluate (with prediction files) and fine-tune from it."""

import json

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

for _module in ("ner_ontonotes", "mention_ace", "relation_ace", "coreference_conll"):
    pytest.importorskip(f"hmtl.data.readers.{_module}")

from hmtl.commands.main import main  # noqa: E402
from hmtl.data.demo_corpus import write_demo_corpus  # noqa: E402
from hmtl.data.formats.ace_like_conll import read_ace  # noqa: E402
from hmtl.data.formats.conll2012 import read_conll2012  # noqa: E402
from tests.training.tiny_demo import demo_config  # noqa: E402

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    paths = write_demo_corpus(root / "data", num_documents=20)
    config = root / "config.json"
    config.write_text(json.dumps(demo_config(paths)))
    assert main(["train", "-c", str(config), "-s", str(root / "run")]) == 0
    return root


def test_the_run_directory_holds_config_vocabulary_checkpoints_and_metrics(run):
    directory = run / "run"
    for name in ("config.json", "model_state.th", "training_state.th", "best.th", "best_ner.th",
                 "best_emd.th", "best_relation.th", "best_coref.th", "metrics.json", "out.log"):
        assert (directory / name).is_file(), name
    labels = (directory / "vocabulary" / "ace_mention_labels.txt").read_text().split()
    assert "U-PER" in labels or "B-PER" in labels
    metrics = json.loads((directory / "metrics.json").read_text())
    assert [r["epoch"] for r in metrics["history"]] == [0, 1]
    tasks = {"ner", "emd", "relation", "coref"}
    for task in tasks:
        assert set(metrics[task]["test"]) == tasks
    assert "f1-measure-overall" in metrics["relation"]["test"]["relation"]
    assert "coref_f1" in metrics["coref"]["test"]["coref"]


def test_tensorboard_has_the_original_tags(run):
    train = EventAccumulator(str(run / "run" / "log" / "train"))
    train.Reload()
    tags = set(train.Tags()["scalars"])
    for task in ("ner", "emd", "relation", "coref"):
        assert f"training_proportions/{task}" in tags
        assert f"task_{task}/loss" in tags
    # every summary_interval (5) steps, the running metrics of the task just trained
    assert any(t.startswith("training_details/") and t.endswith("/loss") for t in tags)
    validation = EventAccumulator(str(run / "run" / "log" / "validation"))
    validation.Reload()
    steps = [e.step for e in validation.Scalars("task_relation/f1-measure-overall")]
    assert steps == [0, 1]


def test_evaluate_writes_predictions_that_read_back(run, capsys):
    predictions = run / "predictions"
    assert main(["evaluate", "-s", str(run / "run"), "--predictions-dir", str(predictions)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"ner", "emd", "relation", "coref"}
    key_sentences = [s for d in read_conll2012(predictions / "ner.key.gold_conll")
                     for s in d.sentences]
    response = [s for d in read_conll2012(predictions / "ner.response.gold_conll")
                for s in d.sentences]
    assert [s.words for s in key_sentences] == [s.words for s in response]
    relation_key = [s for d in read_ace(predictions / "relation.key.like_conll")
                    for s in d.sentences]
    assert any(s.relations for s in relation_key)  # the demo test set has relations
    coref_key = list(read_conll2012(predictions / "coref.key.gold_conll"))
    coref_response = list(read_conll2012(predictions / "coref.response.gold_conll"))
    assert [d.document_id for d in coref_key] == [d.document_id for d in coref_response]
    assert any(s.coref_mentions for d in coref_key for s in d.sentences)
    # the responses are the test documents as read: same headers, words and other columns
    inputs = {"coref": list(read_conll2012(run / "data" / "conll-2012_single_file" /
                                           "test.english.v4_gold_conll")),
              "relation": [d for path in sorted((run / "data" / "ace2005" / "test").iterdir())
                           for d in read_ace(path)]}
    responses = {"coref": coref_response,
                 "relation": list(read_ace(predictions / "relation.response.like_conll"))}
    for task, documents in inputs.items():
        answered = responses[task]
        assert [d.header for d in answered] == [d.header for d in documents]
        assert [[s.words for s in d.sentences] for d in answered] == [
            [s.words for s in d.sentences] for d in documents]
    assert [[row[:-1] for s in d.sentences for row in s.rows] for d in coref_response] == [
        [row[:-1] for s in d.sentences for row in s.rows] for d in inputs["coref"]]


def test_evaluate_on_gold_mentions_finds_every_mention(run, capsys):
    assert main(["evaluate", "-s", str(run / "run"), "-g"]) == 0
    result = json.loads(capsys.readouterr().out)
    # with the gold mentions as the only candidates, every mention is "found"
    assert result["coref"]["test"]["coref"]["mention_recall"] == 1.0


def test_fine_tune_from_the_run(run):
    code = main([
        "fine-tune", "-c", str(run / "config.json"), "-s", str(run / "fine_tuned"),
        "-p", str(run / "run"), "-m", "best_emd.th",
        "-o", '{"multi_task_trainer.num_epochs": 1}',
    ])
    assert code == 0
    assert (run / "fine_tuned" / "metrics.json").is_file()
