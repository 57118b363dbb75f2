"""Rebuilding a trained model from a run directory, and the errors for incomplete ones."""

import json

import pytest
import torch
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.weights import task_weight_files
from hmtl.predicting.loading import load_trained_run
from hmtl.probing.encoder import SentenceEncoder
from tests.probing.tiny_model import tiny_config, write_run_dir


def test_loads_the_chosen_weights_and_the_readers_token_indexers(tmp_path):
    trained = write_run_dir(tmp_path / "run", task="ner", train_steps=3)
    shifted = {name: value + 1 for name, value in trained.state_dict().items()}
    torch.save(shifted, tmp_path / "run" / "best_emd.th")
    loaded = load_trained_run(tmp_path / "run", "ner")
    assert loaded.weights.name == "best_ner.th"
    for name, value in trained.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[name], value), name
    assert list(loaded.token_indexers) == ["tokens"]
    assert loaded.token_indexers["tokens"].lowercase_tokens is True  # from the config's reader
    other = load_trained_run(tmp_path / "run", "emd")
    name = "encoder_ner._module.weight_ih_l0"
    assert torch.equal(other.model.state_dict()[name], trained.state_dict()[name] + 1)


def test_a_pretrained_embedding_file_is_not_needed(tmp_path):
    write_run_dir(tmp_path / "run", train_steps=0, pretrained_file="/nonexistent/glove.txt.gz")
    assert "pretrained_file" in (tmp_path / "run" / "config.json").read_text()
    assert load_trained_run(tmp_path / "run", "ner").weights.name == "best_ner.th"


def test_reader_without_token_indexers_gets_allennlps_default(tmp_path):
    write_run_dir(tmp_path / "run", train_steps=0)
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    del config["task_ner"]["data_params"]["dataset_reader"]["token_indexers"]
    (tmp_path / "run" / "config.json").write_text(json.dumps(config))
    indexer = load_trained_run(tmp_path / "run", "ner").token_indexers["tokens"]
    assert indexer.lowercase_tokens is False and indexer.namespace == "tokens"


def test_missing_weights_list_what_exists(tmp_path):
    write_run_dir(tmp_path / "run", task="emd", train_steps=0)
    assert list(task_weight_files(tmp_path / "run")) == ["emd"]
    with pytest.raises(ConfigurationError, match="no best_ner.th.*task\\(s\\): emd"):
        load_trained_run(tmp_path / "run", "ner")
    (tmp_path / "run" / "best_emd.th").unlink()
    with pytest.raises(ConfigurationError, match="has no weights"):
        load_trained_run(tmp_path / "run", "emd")


def test_not_a_run_directory(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_trained_run(tmp_path / "nowhere", "ner")
    (tmp_path / "run").mkdir()
    with pytest.raises(ConfigurationError, match="config.json is missing"):
        load_trained_run(tmp_path / "run", "ner")


def test_weights_of_another_model_are_a_clear_error(tmp_path):
    write_run_dir(tmp_path / "run", train_steps=0)
    torch.save({"something.else": torch.zeros(1)}, tmp_path / "run" / "best_ner.th")
    with pytest.raises(ConfigurationError, match="best_ner.th: the weights do not fit the model"):
        load_trained_run(tmp_path / "run", "ner")


@pytest.mark.filterwarnings("ignore:You are using the default value")
def test_character_ids_are_padded_to_the_widest_filter(tmp_path):
    config = tiny_config()
    config["task_ner"]["data_params"]["dataset_reader"]["token_indexers"]["token_characters"] = {
        "type": "characters"  # no min_padding_length, as in the original configs
    }
    config["model"]["text_field_embedder"]["token_embedders"]["token_characters"] = {
        "type": "character_encoding",
        "embedding": {"embedding_dim": 3, "vocab_namespace": "token_characters"},
        "encoder": {"type": "cnn", "embedding_dim": 3, "num_filters": 2,
                    "ngram_filter_sizes": [2, 3]},
    }
    write_run_dir(tmp_path / "run", train_steps=0, config=config)
    loaded = load_trained_run(tmp_path / "run", "ner")
    assert loaded.token_indexers["token_characters"]._min_padding_length == 3
    # one-character words only: without the padding the width-3 convolution would fail
    encoder = SentenceEncoder(loaded.model, loaded.vocab, loaded.token_indexers)
    vectors = encoder.encode([["a", "e"], ["."]], ["text_field_embedder"])
    assert vectors["text_field_embedder"].shape == (2, 4 + 2 * 2)  # word 4 + 2 filters x 2


def test_unreadable_weights_and_config_are_clear_errors(tmp_path):
    write_run_dir(tmp_path / "run", train_steps=0)
    (tmp_path / "run" / "best_ner.th").write_bytes(b"not a torch file")
    with pytest.raises(ConfigurationError, match="best_ner.th: cannot read the weights"):
        load_trained_run(tmp_path / "run", "ner")
    (tmp_path / "run" / "config.json").write_text("{")
    with pytest.raises(ConfigurationError, match="config.json: not valid JSON"):
        load_trained_run(tmp_path / "run", "ner")


def test_an_archive_of_the_run_loads_the_same_weights(tmp_path):
    from hmtl.predicting.archive import create_archive

    trained = write_run_dir(tmp_path / "run", task="ner", train_steps=2)
    create_archive(tmp_path / "run", tmp_path / "model.tar.gz", "ner")
    loaded = load_trained_run(tmp_path / "model.tar.gz", "ner")
    assert loaded.weights == tmp_path / "model.tar.gz" / "best_ner.th"
    for name, value in trained.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[name], value), name
