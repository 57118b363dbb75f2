"""The shared loader: a run directory or an archive gives the same model, GloVe is not needed,
ELMo files are, and errors name the archive rather than its temporary directory."""

import json
import shutil

import pytest
import torch
from allennlp.common.checks import ConfigurationError

from hmtl.predicting.archive import create_archive
from hmtl.predicting.loading import load_trained_run, reader_token_indexers
from tests.predicting.runs import tiny_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


def _copy(run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    return copy


def test_a_run_and_its_archive_load_the_same_weights(run, tmp_path):
    from_run = load_trained_run(run, "emd")
    create_archive(run, tmp_path / "m.tar.gz", "emd")
    from_archive = load_trained_run(tmp_path / "m.tar.gz")
    assert from_archive.weights == tmp_path / "m.tar.gz" / "best_emd.th"
    saved = torch.load(run / "best_emd.th", weights_only=True)
    for state in (from_run.model.state_dict(), from_archive.model.state_dict()):
        assert all(torch.equal(state[name], value) for name, value in saved.items())
    assert not from_run.model.training  # ready to predict
    # character ids padded to the width-3 filter of the tiny model
    assert from_archive.token_indexers["token_characters"]._min_padding_length == 3


def test_a_missing_glove_file_is_not_needed(run, tmp_path):
    copy = _copy(run, tmp_path)
    config = json.loads((copy / "config.json").read_text())
    embedders = config["model"]["text_field_embedder"]["token_embedders"]
    embedders["tokens"]["pretrained_file"] = "/nonexistent/glove.txt.gz"
    (copy / "config.json").write_text(json.dumps(config))
    assert load_trained_run(copy).weights.name == "best.th"


def test_a_missing_elmo_file_is_a_clear_error(run, tmp_path):
    copy = _copy(run, tmp_path)
    config = json.loads((copy / "config.json").read_text())
    config["model"]["text_field_embedder"]["token_embedders"]["elmo"] = {
        "type": "elmo_token_embedder", "options_file": "/nonexistent/options.json",
        "weight_file": "/nonexistent/weights.hdf5"}
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigurationError, match="options_file: the embedding file "
                       "/nonexistent/options.json does not exist"):
        load_trained_run(copy)


def test_errors_inside_an_archive_name_the_archive(run, tmp_path):
    copy = _copy(run, tmp_path)
    torch.save({"other": torch.zeros(1)}, copy / "best.th")
    create_archive(copy, tmp_path / "bad.tar.gz")
    with pytest.raises(ConfigurationError) as error:
        load_trained_run(tmp_path / "bad.tar.gz")
    assert f"{tmp_path / 'bad.tar.gz'}/best.th: the weights do not fit" in error.value.message
    assert "hmtl-archive-" not in error.value.message
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_trained_run(tmp_path / "nowhere")


def test_token_indexers_come_from_the_tasks_reader():
    config = {
        "task_a": {"data_params": {"dataset_reader": {"token_indexers": {
            "words": {"type": "single_id", "lowercase_tokens": True}}}}},
        "task_b": {"task_description": {"task_name": "bee"}, "data_params": {
            "dataset_reader": {}}},
    }
    assert list(reader_token_indexers(config)) == ["words"]
    assert reader_token_indexers(config, "a")["words"].lowercase_tokens is True
    # a reader naming none gets AllenNLP's default single-id indexer called "tokens"
    assert list(reader_token_indexers(config, "bee")) == ["tokens"]
    with pytest.raises(ConfigurationError, match="no task_<name> block"):
        reader_token_indexers({"model": {}})
