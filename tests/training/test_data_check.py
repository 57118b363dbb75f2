"""Reading every split before training: ``check_tasks`` counts and warnings on hand-written files,
and ``train`` stopping on a malformed test file before any checkpoint is written."""

import copy
from pathlib import Path
from typing import Any

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.data.formats.errors import FormatError
from hmtl.training.data_check import check_tasks, format_report
from hmtl.training.experiment import build_tasks, train
from tests.training.conftest import toy_config_dict

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "data_check"


def check_config(validation: str = "dev.txt") -> dict[str, Any]:
    """A conll2003 task (train.txt, a dev file) and a toy task whose validation file is empty."""
    return {
        "task_ner": {
            "task_description": {"task_name": "ner"},
            "data_params": {
                "dataset_reader": {"type": "ner_conll2003"},
                "train_data_path": str(DATA / "train.txt"),
                "validation_data_path": str(DATA / validation),
            },
        },
        "task_toy": {
            "task_description": {"task_name": "toy"},
            "data_params": {
                "dataset_reader": {"type": "toy_tagging"},
                "train_data_path": str(DATA / "toy_train.txt"),
                "validation_data_path": str(DATA / "empty.txt"),
            },
        },
        "iterators": {"iterator": {"type": "basic", "batch_size": 2}},
    }


@pytest.fixture(scope="module")
def report():
    return check_tasks(build_tasks(Params(check_config())))


def test_counts_of_the_conll_task_match_the_files(report):
    ner = report.tasks[0]
    assert ner.name == "ner" and list(ner.splits) == ["train", "validation"]
    train_stats = ner.splits["train"]
    # train.txt: "Anna sings ." (3 tokens) and "Paris is big today ." (5 tokens); BIOUL tags.
    assert (train_stats.files, train_stats.instances) == (1, 2)
    assert (train_stats.tokens, train_stats.longest) == (3 + 5, 5)
    assert dict(train_stats.labels) == {"U-PER": 1, "U-LOC": 1, "O": 2 + 4}
    dev = ner.splits["validation"]
    # dev.txt: "Bob visits UN" with Bob a PER and UN an ORG.
    assert (dev.instances, dev.tokens, dev.longest) == (1, 3, 3)
    assert dict(dev.labels) == {"U-PER": 1, "O": 1, "U-ORG": 1}
    assert (dev.relations, dev.clusters, dev.mentions) == (0, 0, 0)


def test_unseen_labels_and_empty_splits_are_warnings(report):
    assert report.warnings == [
        "task ner: validation has labels never seen in train: U-ORG (1)",
        f"task toy: validation split {DATA / 'empty.txt'} is empty",
    ]


def test_the_table_has_a_row_per_split_and_the_warnings(report):
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].split() == [
        "task", "split", "files", "instances", "tokens", "longest", "relations", "clusters",
        "mentions",
    ]
    assert lines[1].split() == ["ner", "train", "1", "2", "8", "5", "0", "0", "0"]
    assert lines[4].split() == ["toy", "validation", "1", "0", "0", "0", "0", "0", "0"]
    assert "ner validation labels: O=1, U-ORG=1, U-PER=1" in lines
    assert "U-ORG (1)" in text and "is empty" in text


def test_a_malformed_file_is_the_readers_format_error():
    tasks = build_tasks(Params(check_config(validation="bad_dev.txt")))
    with pytest.raises(FormatError, match=r"bad_dev\.txt, line 4: found 1 column"):
        check_tasks(tasks)


def test_train_stops_on_a_malformed_test_file_before_any_checkpoint(tmp_path):
    config = copy.deepcopy(toy_config_dict())
    data = config["task_ent"]["data_params"]
    data["dataset_reader"] = {"type": "ner_conll2003", "label_namespace": "ent_labels"}
    data["train_data_path"] = str(DATA / "train.txt")
    data["validation_data_path"] = str(DATA / "train.txt")
    data["test_data_path"] = str(DATA / "bad_dev.txt")
    with pytest.raises(FormatError, match=r"bad_dev\.txt, line 4"):
        train(Params(config), tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").glob("*.th")) == []
    assert not (tmp_path / "run" / "metrics.json").exists()


def test_train_stops_on_a_validation_label_missing_from_the_vocabulary(tmp_path):
    config = copy.deepcopy(toy_config_dict())
    data = config["task_ent"]["data_params"]
    data["dataset_reader"] = {"type": "ner_conll2003", "label_namespace": "ent_labels"}
    data["train_data_path"] = str(DATA / "train.txt")
    data["validation_data_path"] = str(DATA / "dev.txt")  # U-ORG is not in train.txt
    data["test_data_path"] = str(DATA / "train.txt")
    with pytest.raises(ConfigurationError, match=r"dev\.txt \(validation\).*U-ORG"):
        train(Params(config), tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").glob("*.th")) == []
