"""The serialization directory: never reused by accident, recover checks the config."""

import logging

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.run_dir import (
    add_log_file,
    check_recover_config,
    config_differences,
    prepare_serialization_dir,
    read_saved_config,
    remove_log_file,
    write_config,
)


def test_a_new_directory_is_created(tmp_path):
    directory = prepare_serialization_dir(tmp_path / "a" / "run", recover=False, force=False)
    assert directory.is_dir()


def test_an_existing_run_is_refused_without_recover_or_force(tmp_path):
    (tmp_path / "model_state.th").write_text("x")
    with pytest.raises(ConfigurationError, match="already exists and is not empty. Use --recover"):
        prepare_serialization_dir(tmp_path, recover=False, force=False)


def test_force_starts_over(tmp_path):
    (tmp_path / "model_state.th").write_text("x")
    prepare_serialization_dir(tmp_path, recover=False, force=True)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_existing_directory_is_fine(tmp_path):
    assert prepare_serialization_dir(tmp_path, recover=False, force=False) == tmp_path


def test_recover_needs_a_run_and_excludes_force(tmp_path):
    with pytest.raises(ConfigurationError, match="holds no run to recover"):
        prepare_serialization_dir(tmp_path, recover=True, force=False)
    with pytest.raises(ConfigurationError, match="contradict"):
        prepare_serialization_dir(tmp_path, recover=True, force=True)


def test_config_round_trip_and_recover_check(tmp_path):
    config = {"model": {"type": "x", "dim": 3}, "multi_task_trainer": {"cuda_device": -1}}
    write_config(Params(config), tmp_path)
    assert read_saved_config(tmp_path).as_dict() == config
    check_recover_config(Params({**config, "multi_task_trainer": {"cuda_device": 0}}), tmp_path)
    changed = {**config, "model": {"type": "x", "dim": 4}}
    with pytest.raises(ConfigurationError, match="differs from .* at model.dim"):
        check_recover_config(Params(changed), tmp_path)


def test_config_differences_are_dotted_paths():
    saved = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    given = {"a": {"b": 2, "c": [1, 2]}, "e": 1}
    assert config_differences(saved, given) == ["a.b", "d", "e"]


def test_the_log_file_receives_info_records(tmp_path):
    handler = add_log_file(tmp_path)
    try:
        logging.getLogger("hmtl.test").info("hello from the run")
    finally:
        remove_log_file(handler)
    assert "hello from the run" in (tmp_path / "out.log").read_text()
