"""The three plugins of the README's "Extend hmtl" (examples/plugins): each trains the tiny demo
for one epoch through ``--include-package`` and visibly does what it says."""

import json

import pytest

from hmtl.commands.main import main
from hmtl.data.demo_corpus import write_demo_corpus
from hmtl.experiment.weights import load_torch_file
from tests.training.tiny_demo import demo_config

pytestmark = pytest.mark.slow

TASKS = ("ner", "emd", "relation", "coref")


@pytest.fixture(scope="module")
def config_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("plugins")
    config = demo_config(write_demo_corpus(root / "data", num_documents=20))
    config["multi_task_trainer"].update({"num_epochs": 1, "no_tqdm": True})
    path = root / "config.json"
    path.write_text(json.dumps(config))
    return path


def train(config_file, run, package, overrides):
    code = main(["train", "-c", str(config_file), "-s", str(run), "--include-package",
                 f"examples.plugins.{package}", "-o", json.dumps(overrides)])
    assert code == 0
    return json.loads((run / "metrics.json").read_text())


def test_the_round_robin_sampler_gives_every_task_its_turn(config_file, tmp_path):
    metrics = train(config_file, tmp_path / "run", "round_robin",
                    {"multi_task_trainer.sampling_method": "round_robin"})
    batches = [metrics[task]["nb_batches_trained"] for task in TASKS]
    # turns in config order: the counts differ by at most one, the earlier tasks first
    assert max(batches) - min(batches) <= 1 and batches == sorted(batches, reverse=True)
    state = load_torch_file(tmp_path / "run" / "training_state.th", "training state")
    assert state["sampler"] == {"position": sum(batches)}


def test_the_loss_ratio_weighting_keeps_each_first_loss(config_file, tmp_path):
    train(config_file, tmp_path / "run", "loss_ratio",
          {"multi_task_trainer.loss_weighting": {"type": "loss_ratio"}})
    state = load_torch_file(tmp_path / "run" / "training_state.th", "training state")
    first = state["loss_weighting"]
    assert sorted(first) == [f"first_loss_{i}" for i in range(4)]
    assert all(float(value) > 0 for value in first.values())  # every task trained


def test_the_softmax_tagger_head_trains_ner(config_file, tmp_path):
    metrics = train(config_file, tmp_path / "run", "softmax_tagger", {
        "model.tasks.ner.head": {"type": "softmax_tagger",
                                 "label_namespace": "ontonotes_ner_labels"},
        "task_ner.data_params.dataset_reader.coding_scheme": "IOB1",
    })
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["model"]["tasks"]["ner"]["head"]["type"] == "softmax_tagger"
    ner = metrics["ner"]["best_epoch_val_metrics"]["ner"]
    assert set(ner) == {"accuracy", "precision-overall", "recall-overall",
                        "f1-measure-overall", "loss"}
    assert "f1-measure-overall" in metrics["ner"]["test"]["ner"]
