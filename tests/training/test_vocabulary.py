"""The shared vocabulary: built from datasets_for_vocab_creation only, saved and reloaded."""

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.config import DataLoaderSpecs
from hmtl.experiment.task import Task
from hmtl.experiment.vocabulary import build_vocabulary, load_vocabulary, save_vocabulary


def _tasks(toy_config):
    specs = DataLoaderSpecs.from_config(Params(toy_config), ["pos", "ent"])
    return [Task.from_config(k, toy_config[k], specs) for k in ("task_pos", "task_ent")]


def test_tokens_come_from_every_task_and_only_from_the_training_splits(toy_config):
    vocab = build_vocabulary(_tasks(toy_config))
    tokens = set(vocab.get_token_to_index_vocabulary("tokens"))
    assert {"cat", "Alice", "Paris"} <= tokens  # pos train and ent train
    assert "leaves" in tokens  # ent train ("Carol leaves Oslo")
    assert set(vocab.get_token_to_index_vocabulary("pos_labels")) == {"DET", "NOUN", "VERB"}
    assert set(vocab.get_token_to_index_vocabulary("ent_labels")) == {"PER", "O", "LOC"}


def test_a_word_seen_only_in_validation_is_not_in_the_vocabulary(toy_config, tmp_path):
    dev = tmp_path / "dev.txt"
    dev.write_text("the/DET zebra/NOUN runs/VERB\n")
    toy_config["task_pos"]["data_params"]["validation_data_path"] = str(dev)
    vocab = build_vocabulary(_tasks(toy_config))
    assert "zebra" not in vocab.get_token_to_index_vocabulary("tokens")
    toy_config["task_pos"]["data_params"]["datasets_for_vocab_creation"] = ["train", "validation"]
    vocab = build_vocabulary(_tasks(toy_config))
    assert "zebra" in vocab.get_token_to_index_vocabulary("tokens")


def test_save_and_load_round_trip(toy_config, tmp_path):
    vocab = build_vocabulary(_tasks(toy_config))
    save_vocabulary(vocab, tmp_path)
    loaded = load_vocabulary(tmp_path)
    assert loaded.get_token_to_index_vocabulary("tokens") == vocab.get_token_to_index_vocabulary(
        "tokens"
    )


def test_loading_from_a_directory_without_vocabulary_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="no saved vocabulary"):
        load_vocabulary(tmp_path)
