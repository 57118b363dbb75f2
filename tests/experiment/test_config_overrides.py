"""``-o/--overrides``: nested objects merge key by key (as in AllenNLP 0.7), dotted keys work at
any depth, lists and other values replace whole, and bad overrides are one-line errors."""

import json
from pathlib import Path

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.config import apply_overrides, load_config

ROOT = Path(__file__).resolve().parents[2]
BASE = {
    "model": {"type": "m", "dims": [1, 2, 3], "inner": {"a": 1, "b": {"c": 2, "d": 3}}},
    "multi_task_trainer": {"num_epochs": 5, "optimizer": {"type": "adam", "lr": 0.001}},
}


def test_a_nested_object_changes_only_the_keys_it_names():
    merged = apply_overrides(BASE, '{"multi_task_trainer": {"num_epochs": 1}}')
    assert merged["multi_task_trainer"] == {
        "num_epochs": 1, "optimizer": {"type": "adam", "lr": 0.001}
    }
    merged = apply_overrides(BASE, {"model": {"inner": {"b": {"d": 30}, "e": 4}}})
    assert merged["model"]["inner"] == {"a": 1, "b": {"c": 2, "d": 30}, "e": 4}
    assert merged["model"]["dims"] == [1, 2, 3]


def test_dotted_keys_at_the_top_and_inside_objects():
    merged = apply_overrides(BASE, {"multi_task_trainer.optimizer.lr": 0.1,
                                    "model": {"inner.b.c": 20}})
    assert merged["multi_task_trainer"]["optimizer"] == {"type": "adam", "lr": 0.1}
    assert merged["model"]["inner"]["b"] == {"c": 20, "d": 3}
    # a dotted key creates the objects it goes through when they are missing
    merged = apply_overrides(BASE, {"multi_task_trainer.distributed.backend": "gloo"})
    assert merged["multi_task_trainer"]["distributed"] == {"backend": "gloo"}


def test_an_object_of_another_type_replaces_the_block_and_one_of_the_same_type_merges():
    # the old block's keys are arguments of the old component: "lr" of adam, not of sgd's
    merged = apply_overrides(BASE, {"multi_task_trainer.optimizer": {"type": "sgd",
                                                                     "momentum": 0.9}})
    assert merged["multi_task_trainer"]["optimizer"] == {"type": "sgd", "momentum": 0.9}
    merged = apply_overrides(BASE, {"multi_task_trainer.optimizer": {"type": "adam",
                                                                     "eps": 1e-6}})
    assert merged["multi_task_trainer"]["optimizer"] == {"type": "adam", "lr": 0.001,
                                                         "eps": 1e-6}


def test_lists_and_scalars_replace_whole_and_the_input_is_untouched():
    before = json.dumps(BASE)
    merged = apply_overrides(BASE, {"model": {"dims": [7]}, "model.inner.b": None})
    assert merged["model"]["dims"] == [7]
    assert merged["model"]["inner"]["b"] is None
    # an object over a scalar replaces it
    merged = apply_overrides(BASE, {"model": {"type": {"x": 1}}})
    assert merged["model"]["type"] == {"x": 1}
    assert json.dumps(BASE) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ("{bad", "^-o/--overrides must be a JSON object such as"),
        ("[1, 2]", r"^-o/--overrides must be a JSON object; got '\[1, 2\]'$"),
        ('"text"', "^-o/--overrides must be a JSON object"),
        ('{"model.dims.x": 1}', "^-o/--overrides: key 'model.dims.x' goes inside 'model.dims', "
                                "which is a list in the config, not an object$"),
        ('{"model": {"type.x": 1}}', "key 'model.type.x' goes inside 'model.type', which is a "
                                     "string in the config"),
        ('{"model..inner": 1}', "key 'model..inner' has an empty part"),
    ],
)
def test_bad_overrides_are_one_line_errors_naming_the_key(overrides, message):
    with pytest.raises(ConfigurationError) as caught:
        apply_overrides(BASE, overrides)
    assert "\n" not in caught.value.message
    assert __import__("re").search(message, caught.value.message), caught.value.message


def test_nested_overrides_on_the_real_demo_config():
    """The issue's example: one trainer key by a nested object keeps the optimizer."""
    original = load_config(ROOT / "configs" / "demo.json").as_dict(quiet=True)
    merged = load_config(
        ROOT / "configs" / "demo.json", '{"multi_task_trainer": {"num_epochs": 1}}'
    ).as_dict(quiet=True)
    assert merged["multi_task_trainer"]["num_epochs"] == 1
    assert merged["multi_task_trainer"]["optimizer"] == original["multi_task_trainer"]["optimizer"]
    merged["multi_task_trainer"]["num_epochs"] = original["multi_task_trainer"]["num_epochs"]
    assert merged == original
