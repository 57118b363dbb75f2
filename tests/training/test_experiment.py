"""A whole toy experiment: train, the run directory, evaluate, fine-tune."""

import copy
import json

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from hmtl.experiment.model import use_gold_mentions, widest_filter
from hmtl.experiment.task import build_tasks
from hmtl.experiment.weights import load_torch_file
from hmtl.training.experiment import Pretrained, evaluate_run, train
from tests.training.conftest import toy_config_dict


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("run")
    config = toy_config_dict()
    config["multi_task_trainer"]["num_epochs"] = 2
    metrics = train(Params(copy.deepcopy(config)), directory, force=True)
    return directory, config, metrics


def test_the_run_directory_holds_everything(run):
    directory, config, _ = run
    names = {p.name for p in directory.iterdir()}
    assert {
        "config.json", "vocabulary", "model_state.th", "training_state.th", "best.th",
        "best_pos.th", "best_ent.th", "metrics.json", "log", "out.log",
    } <= names
    assert json.loads((directory / "config.json").read_text()) == config
    assert (directory / "vocabulary" / "pos_labels.txt").is_file()
    assert "Checkpoint written" in (directory / "out.log").read_text()


def test_tensorboard_events_have_the_original_tags(run):
    directory, _, _ = run
    train_events = EventAccumulator(str(directory / "log" / "train"))
    train_events.Reload()
    tags = set(train_events.Tags()["scalars"])
    assert {"training_proportions/pos", "training_proportions/ent", "task_pos/loss",
            "task_ent/accuracy"} <= tags
    assert any(tag.startswith("training_details/pos/") for tag in tags)
    # training proportions of an epoch add up to its 5 steps (3 pos + 2 ent batches)
    epoch0 = sum(train_events.Scalars(f"training_proportions/{t}")[0].value for t in ("pos", "ent"))
    assert epoch0 == 5
    validation = EventAccumulator(str(directory / "log" / "validation"))
    validation.Reload()
    assert [e.step for e in validation.Scalars("task_pos/accuracy")] == [0, 1]


def test_metrics_json_has_the_summary_and_the_test_matrix(run):
    directory, _, metrics = run
    saved = json.loads((directory / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    for task in ("pos", "ent"):
        assert set(saved[task]["test"]) == {"pos", "ent"}
        assert saved[task]["best_epoch"] in (0, 1)
        assert set(saved[task]["best_epoch_val_metrics"]) == {"pos", "ent"}
    assert [r["epoch"] for r in saved["history"]] == [0, 1]
    assert saved["training_duration"].count(":") == 3
    assert saved["nb_epoch_trained"] == 2


def test_evaluate_reproduces_the_test_matrix(run):
    directory, _, metrics = run
    result = evaluate_run(directory)
    for row in ("pos", "ent"):
        for column in ("pos", "ent"):
            assert result[row]["test"][column] == pytest.approx(metrics[row]["test"][column])
    assert json.loads((directory / "evaluate_metrics.json").read_text()) == json.loads(
        json.dumps(result)
    )


def test_evaluate_on_another_file(run, tmp_path):
    directory, _, _ = run
    other = tmp_path / "one.txt"
    other.write_text("the/DET cat/NOUN sleeps/VERB\n")
    result = evaluate_run(directory, test_data={"pos": str(other)})
    # one sentence of three tokens: accuracy is 0, 1/3, 2/3 or 1
    assert result["pos"]["test"]["pos"]["accuracy"] * 3 == pytest.approx(
        round(result["pos"]["test"]["pos"]["accuracy"] * 3)
    )
    with pytest.raises(ConfigurationError, match="--test-data nre=...: no task named 'nre'"):
        evaluate_run(directory, test_data={"nre": str(other)})


def test_gold_mentions_need_a_coreference_setting(run):
    directory, _, _ = run
    with pytest.raises(ConfigurationError, match="no coreference head"):
        evaluate_run(directory, gold_mentions=True)
    model = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Linear(1, 1))
    model[1].eval_on_gold_mentions = False
    assert use_gold_mentions(model) == 1
    assert model[1].eval_on_gold_mentions is True


def test_an_existing_run_directory_is_not_overwritten(run):
    directory, config, _ = run
    with pytest.raises(ConfigurationError, match="already exists and is not empty"):
        train(Params(copy.deepcopy(config)), directory)


def test_fine_tuning_starts_from_the_pretrained_weights(run, tmp_path):
    directory, config, _ = run
    config = copy.deepcopy(config)
    config["multi_task_trainer"].update(
        num_epochs=1, optimizer={"type": "sgd", "lr": 0.0}, min_lr=0.0
    )
    train(Params(config), tmp_path / "ft", pretrained=Pretrained(str(directory), "best_pos.th"))
    # lr 0: the fine-tuned weights are still exactly the pretrained ones
    start = load_torch_file(directory / "best_pos.th", "pretrained")
    end = load_torch_file(tmp_path / "ft" / "model_state.th", "fine-tuned")
    assert all(torch.equal(start[k], end[k]) for k in start if k != "training_call_count")
    for namespace in ("tokens.txt", "pos_labels.txt"):
        assert (tmp_path / "ft" / "vocabulary" / namespace).read_text() == (
            directory / "vocabulary" / namespace
        ).read_text()


def test_fine_tuning_an_incompatible_model_names_the_parameters(run, tmp_path):
    directory, config, _ = run
    config = copy.deepcopy(config)
    config["model"]["embedding_dim"] = 4
    with pytest.raises(ConfigurationError, match=r"embedding.weight \(\d+, 8\) != \(\d+, 4\)"):
        train(Params(config), tmp_path / "ft", pretrained=Pretrained(str(directory), "best.th"))


def test_character_indexers_pad_to_the_widest_cnn_filter():
    config = toy_config_dict()
    config["task_pos"]["data_params"]["dataset_reader"]["token_indexers"] = {
        "tokens": {"type": "single_id"},
        "token_characters": {"type": "characters"},
    }
    config["model"]["text_field_embedder"] = {
        "token_embedders": {
            "token_characters": {
                "type": "character_encoding",
                "embedding": {"embedding_dim": 2},
                "encoder": {"type": "cnn", "embedding_dim": 2, "num_filters": 2,
                            "ngram_filter_sizes": [2, 4]},
            }
        }
    }
    params = Params(config)
    assert widest_filter(params.get("model")) == 4
    tasks = {task.name: task for task in build_tasks(params, widest_filter(params.get("model")))}
    indexer = tasks["pos"].reader._token_indexers["token_characters"]
    assert indexer._min_padding_length == 4
