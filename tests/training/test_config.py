"""Config loading, checks and the translation of the original iterators."""

import json

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.config import (
    DataLoaderSpecs,
    apply_overrides,
    load_config,
    task_keys,
    trainer_params,
    translate_loader_entry,
)


def _write(tmp_path, config, name="c.json"):
    path = tmp_path / name
    path.write_text(json.dumps(config) if not isinstance(config, str) else config)
    return path


def test_the_toy_config_loads_in_its_own_key_order(tmp_path, toy_config):
    params = load_config(_write(tmp_path, toy_config))
    # jsonnet would sort the keys (task_ent first); plain JSON keeps the author's order
    assert task_keys(params) == ["task_pos", "task_ent"]


def test_overrides_are_merged_with_dotted_keys(tmp_path, toy_config):
    path = _write(tmp_path, toy_config)
    params = load_config(path, '{"multi_task_trainer.num_epochs": 7}')
    assert params["multi_task_trainer"]["num_epochs"] == 7
    assert params["multi_task_trainer"]["patience"] == 10


@pytest.mark.parametrize(
    ("overrides", "message"),
    [("{num_epochs: 1", "must be a JSON object such as"), ("[1]", "must be a JSON object")],
)
def test_bad_overrides_are_configuration_errors(overrides, message):
    with pytest.raises(ConfigurationError, match=message):
        apply_overrides({"a": 1}, overrides)


def test_an_override_of_a_missing_branch_is_an_error():
    with pytest.raises(ConfigurationError, match="-o/--overrides"):
        apply_overrides({"a": 1}, '{"a.b": 2}')


def test_jsonnet_configs_are_read_too(tmp_path, toy_config):
    text = "local epochs = 2;\n" + json.dumps(toy_config).replace(
        '"num_epochs": 3', '"num_epochs": epochs'
    )
    params = load_config(_write(tmp_path, text, "c.jsonnet"))
    assert params["multi_task_trainer"]["num_epochs"] == 2


def test_missing_and_invalid_files_are_clear_errors(tmp_path):
    with pytest.raises(ConfigurationError, match="nope.json: the config file does not exist"):
        load_config(tmp_path / "nope.json")
    with pytest.raises(ConfigurationError, match="not a valid JSON/Jsonnet config"):
        load_config(_write(tmp_path, "{oops", "bad.json"))


def test_unknown_top_level_keys_and_missing_blocks_are_errors(tmp_path, toy_config):
    toy_config["trainer"] = {}
    with pytest.raises(ConfigurationError, match="unknown top-level key.*'trainer'"):
        load_config(_write(tmp_path, toy_config))
    del toy_config["trainer"]
    del toy_config["model"]
    with pytest.raises(ConfigurationError, match="missing top-level block.*model"):
        load_config(_write(tmp_path, toy_config))


def test_trainer_block_accepts_the_original_misspelling_and_string_numbers():
    params = Params({"multi_task_trainer": {"sumarry_interval": 7, "min_lr": "1e-7"}})
    block = trainer_params(params)
    assert block["summary_interval"] == 7
    assert block["min_lr"] == 1e-7
    both = Params({"multi_task_trainer": {"sumarry_interval": 7, "summary_interval": 3}})
    with pytest.raises(ConfigurationError, match="both 'summary_interval'"):
        trainer_params(both)
    with pytest.raises(ConfigurationError, match="min_lr must be a number"):
        trainer_params(Params({"multi_task_trainer": {"min_lr": "tiny"}}))


def test_a_basic_iterator_becomes_a_batch_size_loader():
    entry = {"type": "basic", "batch_size": 32}
    assert translate_loader_entry(entry, "it", training=True) == {"batch_size": 32, "shuffle": True}
    assert translate_loader_entry(entry, "it", training=False) == {
        "batch_size": 32,
        "shuffle": False,
    }


def test_a_bucket_iterator_becomes_a_bucket_sampler_on_field_names():
    entry = {
        "type": "bucket",
        "sorting_keys": [["text", "num_tokens"]],
        "padding_noise": 0.1,
        "batch_size": 1,
    }
    assert translate_loader_entry(entry, "it", training=True) == {
        "batch_sampler": {
            "type": "bucket",
            "batch_size": 1,
            "shuffle": True,
            "sorting_keys": ["text"],
            "padding_noise": 0.1,
        }
    }
    evaluation = translate_loader_entry(entry, "it", training=False)["batch_sampler"]
    assert (evaluation["shuffle"], evaluation["padding_noise"]) == (False, 0.0)


def test_the_2x_data_loader_form_is_accepted_and_made_deterministic_for_evaluation():
    entry = {"batch_sampler": {"type": "bucket", "batch_size": 4}}
    assert translate_loader_entry(entry, "it", training=True) == entry
    assert translate_loader_entry(entry, "it", training=False) == {
        "batch_sampler": {"type": "bucket", "batch_size": 4, "shuffle": False, "padding_noise": 0.0}
    }
    assert translate_loader_entry({"batch_size": 8, "shuffle": True}, "it", False) == {
        "batch_size": 8,
        "shuffle": False,
    }


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"type": "basic", "batch_size": 4, "instances_per_epoch": 10}, "unsupported key"),
        ({"type": "basic", "batch_size": 0}, "expected a positive integer"),
        ({"type": "bucket", "padding_noise": "lots"}, "padding_noise: expected a number"),
        ({"type": "homogeneous"}, "unknown type 'homogeneous'"),
        ({"batch_size": 4, "max_instances_in_memory": 10}, "not supported"),
        ({"shuffle": True}, "give 'batch_size' or 'batch_sampler'"),
    ],
)
def test_bad_iterator_entries_are_errors_that_name_the_entry(entry, message):
    with pytest.raises(ConfigurationError, match=message) as caught:
        translate_loader_entry(entry, "iterators.iterator_x", training=True)
    assert "iterators.iterator_x" in str(caught.value)


def test_per_task_iterators_override_the_default():
    params = Params(
        {
            "iterators": {
                "iterator": {"type": "basic", "batch_size": 32},
                "iterator_relation": {"type": "basic", "batch_size": 4},
            }
        }
    )
    specs = DataLoaderSpecs.from_config(params, ["ner", "relation"])
    assert specs.for_task("ner", True)["batch_size"] == 32
    assert specs.for_task("relation", True)["batch_size"] == 4


def test_an_iterator_for_an_unknown_task_is_an_error():
    loaders = {"iterator": {"batch_size": 2}, "iterator_nre": {"batch_size": 1}}
    params = Params({"iterators": loaders})
    with pytest.raises(ConfigurationError, match="iterators.iterator_nre: there is no task named"):
        DataLoaderSpecs.from_config(params, ["ner"])


def test_a_task_without_any_iterator_is_an_error():
    params = Params({"iterators": {"iterator_ner": {"batch_size": 2}}})
    with pytest.raises(ConfigurationError, match="no default 'iterator'"):
        DataLoaderSpecs.from_config(params, ["ner", "coref"])


def test_a_top_level_data_loader_is_the_default():
    params = Params({"data_loader": {"batch_size": 5, "shuffle": True}})
    specs = DataLoaderSpecs.from_config(params, ["ner"])
    assert specs.for_task("ner", True) == {"batch_size": 5, "shuffle": True}
