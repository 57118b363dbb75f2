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

pytestmark = pytest.mark.slow

HIDDEN = 4
WORDS, FILTERS = 6, 3
EMBEDDING = WORDS + FILTERS  # word embedding + character CNN
UPPER = EMBEDDING + 2 * HIDDEN  # base embedding + the lower BiLSTM's output
# No min_padding_length: the trainer sets it to the widest filter (5) from the model config.
INDEXERS = {"tokens": {"type": "single_id", "lowercase_tokens": True},
            "token_characters": {"type": "characters"}}


def _lstm(input_size: int) -> dict:
    return {"type": "lstm", "input_size": input_size, "hidden_size": HIDDEN, "bidirectional": True}


def _task(name: str, reader: str, paths: dict, corpus: str, **options) -> dict:
    metric = "coref_f1" if reader == "coref" else "f1-measure-overall"
    return {
        "task_description": {
            "task_name": name,
            "validation_metric_name": metric,
            "validation_metric_decreases": False,
            "evaluate_on_test": True,
        },
        "data_params": {
            "dataset_reader": {"type": reader, "token_indexers": INDEXERS, **options},
            "train_data_path": str(paths[f"{corpus}_train"]),
            "validation_data_path": str(paths[f"{corpus}_dev"]),
            "test_data_path": str(paths[f"{corpus}_test"]),
            "datasets_for_vocab_creation": ["train"],
        },
    }


def _coref_head() -> dict:
    span = 2 * 2 * HIDDEN + 3 + UPPER  # both ends, width feature, attended encoder input
    return {
        "type": "coreference",
        "mention_feedforward": {"input_dim": span, "num_layers": 1, "hidden_dims": 5,
                                "activations": "relu"},
        "antecedent_feedforward": {"input_dim": 3 * span + 3, "num_layers": 1,
                                   "hidden_dims": 5, "activations": "relu"},
        "feature_size": 3,
        "max_span_width": 3,
        "spans_per_word": 0.4,
        "max_antecedents": 5,
    }


def _config(paths: dict) -> dict:
    crf = {"type": "crf_tagger", "label_encoding": "BIOUL"}
    return {
        "task_ner": _task("ner", "ner_ontonotes", paths, "conll2012"),
        "task_emd": _task("emd", "mention_ace", paths, "ace2005"),
        "task_relation": _task("relation", "relation_ace", paths, "ace2005"),
        "task_coref": _task("coref", "coref", paths, "conll2012_single_file", max_span_width=3),
        "model": {
            "type": "hierarchical",
            "text_field_embedder": {
                "token_embedders": {
                    "tokens": {"type": "embedding", "embedding_dim": WORDS},
                    "token_characters": {
                        "type": "character_encoding",
                        "embedding": {"embedding_dim": 2, "vocab_namespace": "token_characters"},
                        "encoder": {"type": "cnn", "embedding_dim": 2, "num_filters": FILTERS,
                                    "ngram_filter_sizes": [5]},
                    },
                }
            },
            "tasks": {
                "ner": {"encoder": _lstm(EMBEDDING),
                        "head": {**crf, "label_namespace": "ontonotes_ner_labels"}},
                "emd": {"encoder": _lstm(UPPER), "below": "ner",
                        "head": {**crf, "label_namespace": "ace_mention_labels"}},
                "relation": {"encoder": _lstm(UPPER), "below": "emd",
                             "head": {"type": "relation", "l": 5}},
                "coref": {"encoder": _lstm(UPPER), "below": "emd", "head": _coref_head()},
            },
        },
        "iterators": {
            "iterator": {"type": "basic", "batch_size": 16},
            "iterator_relation": {"type": "bucket", "batch_size": 8,
                                  "sorting_keys": [["text", "num_tokens"]]},
            "iterator_coref": {"type": "bucket", "batch_size": 1,
                               "sorting_keys": [["text", "num_tokens"]], "padding_noise": 0.0},
        },
        "multi_task_trainer": {
            "type": "sampler_multi_task_trainer",
            "sampling_method": "proportional",
            "num_epochs": 2,
            "patience": 10,
            "min_lr": "1e-7",
            "grad_norm": 5.0,
            "grad_clipping": 10.0,
            "sumarry_interval": 5,
            "optimizer": {"type": "adam", "lr": 0.01},
            "scheduler": {"type": "reduce_on_plateau", "mode": "min", "factor": 0.5,
                          "patience": 5, "verbose": True},
        },
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    paths = write_demo_corpus(root / "data", num_documents=20)
    config = root / "config.json"
    config.write_text(json.dumps(_config(paths)))
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
