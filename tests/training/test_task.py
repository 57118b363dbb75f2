"""Tasks built from task_<name> blocks: readers, splits, loaders, checks."""

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from hmtl.experiment.config import DataLoaderSpecs
from hmtl.experiment.task import Task


def _task(toy_config, key="task_pos"):
    specs = DataLoaderSpecs.from_config(Params(toy_config), ["pos", "ent"])
    return Task.from_config(key, toy_config[key], specs)


def test_the_description_and_data_are_read(toy_config):
    task = _task(toy_config)
    assert (task.name, task.validation_metric_name) == ("pos", "accuracy")
    assert task.validation_metric_decreases is False and task.evaluate_on_test is True
    assert task.datasets_for_vocab_creation == ["train"]
    # 12 training sentences in batches of 4 (the default "basic" iterator of the toy config)
    assert task.num_instances("train") == 12
    assert task.num_batches("train") == 3


def test_the_task_specific_iterator_is_used(toy_config):
    task = _task(toy_config, "task_ent")
    # 6 sentences, bucket iterator of 3 -> 2 batches
    assert task.num_batches("train") == 2
    assert task.eval_loader_params["batch_sampler"]["shuffle"] is False


def test_indexed_loaders_yield_tensor_batches(toy_config):
    task = _task(toy_config)
    vocab = Vocabulary.from_instances(task.loader("train").iter_instances())
    task.index_with(vocab)
    batch = next(iter(task.loader("validation")))
    # pos_dev.txt has 4 sentences of 3 tokens, one batch of 4
    assert batch["tags"].shape == (4, 3)


def test_original_defaults_apply_to_a_sparse_description(toy_config):
    toy_config["task_pos"]["task_description"] = {}
    task = _task(toy_config)
    assert (task.name, task.validation_metric_name) == ("ner", "f1-measure-overall")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.update(extra=1), "task_pos: unknown key"),
        (lambda b: b.pop("data_params"), "task_pos: missing 'data_params'"),
        (
            lambda b: b["task_description"].update(validation_metric="f1"),
            "task_pos.task_description",
        ),
        (lambda b: b["data_params"].update(train_path="x"), "task_pos.data_params"),
        (lambda b: b["task_description"].update(task_name="history"), "is reserved"),
        (
            lambda b: b["data_params"].update(datasets_for_vocab_creation=["dev"]),
            "unknown split 'dev'",
        ),
        (
            lambda b: b["data_params"]["dataset_reader"].update(type="no_such_reader"),
            "task_pos.data_params",
        ),
    ],
)
def test_bad_blocks_are_errors_naming_the_block(toy_config, change, message):
    change(toy_config["task_pos"])
    with pytest.raises(ConfigurationError, match=message):
        _task(toy_config)


def test_required_splits_are_checked_with_the_config_key(toy_config, tmp_path):
    toy_config["task_pos"]["data_params"]["test_data_path"] = str(tmp_path / "absent.txt")
    task = _task(toy_config)
    task.require(("train", "validation"), "train")
    with pytest.raises(ConfigurationError, match=r"task_pos.data_params.test_data_path: .*absent"):
        task.require(("test",), "evaluate")
    del toy_config["task_pos"]["data_params"]["test_data_path"]
    with pytest.raises(ConfigurationError, match="test_data_path is required to evaluate"):
        _task(toy_config).require(("test",), "evaluate")


def test_another_test_file_gets_its_own_loader(toy_config, tmp_path):
    task = _task(toy_config)
    other = tmp_path / "other.txt"
    other.write_text("a/DET dog/NOUN\n")
    assert sum(1 for _ in task.loader_for_file(str(other)).iter_instances()) == 1
    with pytest.raises(ConfigurationError, match="--test-data pos=.*does not exist"):
        task.loader_for_file(str(tmp_path / "none.txt"))


def test_a_transformer_indexer_without_its_model_files_is_a_config_error(toy_config, tmp_path):
    missing = tmp_path / "no-such-transformer"
    toy_config["task_pos"]["data_params"]["dataset_reader"]["token_indexers"] = {
        "tokens": {"type": "pretrained_transformer", "model_name": str(missing)}
    }
    expected = r"task_pos\.data_params\.dataset_reader: cannot load a file it names"
    with pytest.raises(ConfigurationError, match=expected):
        _task(toy_config)
