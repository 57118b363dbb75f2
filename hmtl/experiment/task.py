"""A task of a multi-task run: its name, data, readers, loaders and validation metric.

Built from one ``task_<name>`` block of the config: ``task_description`` (name, validation metric
and its direction, whether to evaluate on test) and ``data_params`` (readers, split paths,
``datasets_for_vocab_creation``). Loaders are created on demand, so that ``evaluate`` reads only
the test files and training never reads them unless a task is evaluated on test.
"""

import copy
import logging
import os
import warnings
from collections.abc import Iterator
from typing import Any, Optional

from allennlp.common import FromParams, Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance, Vocabulary
from allennlp.data.data_loaders import MultiProcessDataLoader

import hmtl.data.readers  # noqa: F401  (registers the dataset readers, which configs name)
from hmtl.data.char_padding import set_min_character_padding
from hmtl.data.formats.errors import FormatError
from hmtl.data.splits import SPLITS
from hmtl.experiment.config import DataLoaderSpecs, task_keys

logger = logging.getLogger(__name__)

# Keys that metrics.json uses beside the task names.
RESERVED_TASK_NAMES = frozenset(
    {
        "history",
        "training_duration",
        "training_duration_seconds",
        "nb_epoch_trained",
        "best_average",
        "stop_reason",
    }
)


class TaskDescription(FromParams):
    """The ``task_description`` block; defaults are the original's."""

    def __init__(
        self,
        task_name: str = "ner",
        validation_metric_name: str = "f1-measure-overall",
        validation_metric_decreases: bool = False,
        evaluate_on_test: bool = False,
    ) -> None:
        self.task_name = task_name
        self.validation_metric_name = validation_metric_name
        self.validation_metric_decreases = validation_metric_decreases
        self.evaluate_on_test = evaluate_on_test


class DataParams(FromParams):
    """The ``data_params`` block. ``validation_dataset_reader`` reads validation and test."""

    def __init__(
        self,
        dataset_reader: DatasetReader,
        validation_dataset_reader: Optional[DatasetReader] = None,  # noqa: UP045 - FromParams
        train_data_path: Optional[str] = None,  # noqa: UP045
        validation_data_path: Optional[str] = None,  # noqa: UP045
        test_data_path: Optional[str] = None,  # noqa: UP045
        datasets_for_vocab_creation: Optional[list[str]] = None,  # noqa: UP045
    ) -> None:
        self.dataset_reader = dataset_reader
        self.validation_dataset_reader = validation_dataset_reader
        self.paths = {
            "train": train_data_path,
            "validation": validation_data_path,
            "test": test_data_path,
        }
        self.datasets_for_vocab_creation = datasets_for_vocab_creation


class Task:
    """One task: what the trainer samples, validates and checkpoints separately."""

    def __init__(
        self,
        name: str,
        validation_metric_name: str,
        validation_metric_decreases: bool,
        evaluate_on_test: bool,
        reader: DatasetReader,
        validation_reader: DatasetReader | None,
        paths: dict[str, str | None],
        datasets_for_vocab_creation: list[str],
        train_loader_params: dict[str, Any],
        eval_loader_params: dict[str, Any],
        config_key: str | None = None,
    ) -> None:
        self.name = name
        self.validation_metric_name = validation_metric_name
        self.validation_metric_decreases = validation_metric_decreases
        self.evaluate_on_test = evaluate_on_test
        self.reader = reader
        self.validation_reader = validation_reader or reader
        self.paths = dict(paths)
        self.datasets_for_vocab_creation = list(datasets_for_vocab_creation)
        self.train_loader_params = train_loader_params
        self.eval_loader_params = eval_loader_params
        self.config_key = config_key or f"task_{name}"
        self._loaders: dict[str, MultiProcessDataLoader] = {}
        self._vocab: Vocabulary | None = None
        for split in self.datasets_for_vocab_creation:
            if split not in SPLITS:
                raise ConfigurationError(
                    f"{self.config_key}.data_params.datasets_for_vocab_creation: unknown split "
                    f"{split!r}; expected some of {', '.join(SPLITS)}"
                )
            if not self.paths.get(split):
                raise ConfigurationError(
                    f"{self.config_key}.data_params.datasets_for_vocab_creation names {split!r} "
                    f"but {split}_data_path is not set"
                )

    def require(self, splits: tuple[str, ...], purpose: str) -> None:
        """Fail early, naming the config key, when a split needed for ``purpose`` is missing."""
        for split in splits:
            path = self.paths.get(split)
            key = f"{self.config_key}.data_params.{split}_data_path"
            if not path:
                raise ConfigurationError(f"{key} is required to {purpose}")
            if not os.path.exists(path):
                raise ConfigurationError(f"{key}: {path} does not exist (needed to {purpose})")

    def loader(self, split: str) -> MultiProcessDataLoader:
        """The loader of one split: shuffled for training, in a fixed order otherwise."""
        if split not in self._loaders:
            path = self.paths.get(split)
            if not path:
                raise ConfigurationError(
                    f"{self.config_key}.data_params.{split}_data_path is not set"
                )
            self._loaders[split] = self._make_loader(path, training=split == "train")
        return self._loaders[split]

    def loader_for_file(self, path: str) -> MultiProcessDataLoader:
        """An evaluation loader over another file (``evaluate --test-data task=path``)."""
        if not os.path.exists(path):
            raise ConfigurationError(f"--test-data {self.name}={path}: {path} does not exist")
        return self._make_loader(path, training=False)

    def _make_loader(self, path: str, training: bool) -> MultiProcessDataLoader:
        params = self.train_loader_params if training else self.eval_loader_params
        reader = self.reader if training else self.validation_reader
        try:
            # quiet: no "loading instances" bar (the trainer's progress bar is the one shown)
            loader = MultiProcessDataLoader.from_params(
                Params({"quiet": True, **copy.deepcopy(params)}), reader=reader, data_path=path
            )
        except FormatError:
            raise  # a malformed data file: its own message names the file and line
        except (ConfigurationError, TypeError, ValueError) as error:
            raise ConfigurationError(
                f"iterators (task {self.name!r}): cannot build the data loader: {error}"
            ) from error
        if self._vocab is not None:
            loader.index_with(self._vocab)
        return loader

    def instances_for_vocab(self) -> Iterator[Instance]:
        """The instances of ``datasets_for_vocab_creation`` (read once, then cached)."""
        for split in self.datasets_for_vocab_creation:
            logger.info("Task %s: reading %s data for the vocabulary", self.name, split)
            yield from self.loader(split).iter_instances()

    def index_with(self, vocab: Vocabulary) -> None:
        """Index every loader, present and future, with the shared vocabulary."""
        self._vocab = vocab
        for loader in self._loaders.values():
            loader.index_with(vocab)

    def num_batches(self, split: str) -> int:
        """Batches in one pass over a split (reads and caches it)."""
        return len(self.loader(split))

    def num_instances(self, split: str) -> int:
        """Instances in a split (reads and caches it)."""
        return sum(1 for _ in self.loader(split).iter_instances())

    @classmethod
    def from_config(
        cls, key: str, block: Params | dict[str, Any], loader_specs: DataLoaderSpecs | None = None
    ) -> "Task":
        """Build a task from its ``task_<name>`` block; ``loader_specs`` from the whole config."""
        raw = block.as_dict(quiet=True) if isinstance(block, Params) else block
        block = Params(copy.deepcopy(raw))
        unknown = [k for k in block.keys() if k not in ("task_description", "data_params")]
        if unknown:
            raise ConfigurationError(
                f"{key}: unknown key(s) {', '.join(unknown)}; expected task_description, "
                "data_params"
            )
        for needed in ("task_description", "data_params"):
            if needed not in block:
                raise ConfigurationError(f"{key}: missing {needed!r}")
        try:
            description = TaskDescription.from_params(block.pop("task_description"))
        except (ConfigurationError, TypeError) as error:
            raise ConfigurationError(f"{key}.task_description: {error}") from error
        if description.task_name in RESERVED_TASK_NAMES:
            raise ConfigurationError(
                f"{key}.task_description.task_name: {description.task_name!r} is reserved; "
                "choose another name"
            )
        try:
            data = DataParams.from_params(block.pop("data_params"))
        except (ConfigurationError, TypeError) as error:
            raise ConfigurationError(f"{key}.data_params: {error}") from error
        except OSError as error:
            # A transformer token indexer whose model directory or files are missing.
            raise ConfigurationError(
                f"{key}.data_params.dataset_reader: cannot load a file it names: {error}"
            ) from None
        vocab_splits = data.datasets_for_vocab_creation
        if vocab_splits is None:
            vocab_splits = [split for split in SPLITS if data.paths.get(split)]
        if loader_specs is None:
            train_loader: dict[str, Any] = {"batch_size": 32, "shuffle": True}
            eval_loader: dict[str, Any] = {"batch_size": 32, "shuffle": False}
        else:
            train_loader = loader_specs.for_task(description.task_name, training=True)
            eval_loader = loader_specs.for_task(description.task_name, training=False)
        return cls(
            name=description.task_name,
            validation_metric_name=description.validation_metric_name,
            validation_metric_decreases=description.validation_metric_decreases,
            evaluate_on_test=description.evaluate_on_test,
            reader=data.dataset_reader,
            validation_reader=data.validation_dataset_reader,
            paths=data.paths,
            datasets_for_vocab_creation=vocab_splits,
            train_loader_params=train_loader,
            eval_loader_params=eval_loader,
            config_key=key,
        )


def task_names(params: Params) -> list[str]:
    """Task names of a config, without building anything (the original default name: ner)."""
    names = []
    for key in task_keys(params):
        block = params.get(key)
        block = block.as_dict(quiet=True) if isinstance(block, Params) else block
        description = block.get("task_description", {}) if isinstance(block, dict) else {}
        names.append(description.get("task_name", "ner") if isinstance(description, dict) else "")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigurationError(
            f"task names must be unique; {', '.join(duplicates)} is used by several task_ blocks"
        )
    return names


def build_tasks(params: Params, character_width: int | None = None) -> list[Task]:
    """Every ``task_<name>`` block as a Task, with its loaders' batching from ``iterators``."""
    specs = DataLoaderSpecs.from_config(params, task_names(params))
    with warnings.catch_warnings():
        # AllenNLP warns about character indexers without a minimum padding; it is set just
        # below from the model's widest filter.
        warnings.filterwarnings("ignore", message="You are using the default value .0. of `min_p")
        tasks = [Task.from_config(key, params.get(key), specs) for key in task_keys(params)]
    if character_width:
        for task in tasks:
            pad_character_indexers(task, character_width)
    return tasks


def pad_character_indexers(task: Task, width: int) -> None:
    """Make character indexers pad words to the widest character-CNN filter (short words would
    otherwise be narrower than the filter and crash the CNN)."""
    readers = {id(task.reader): task.reader, id(task.validation_reader): task.validation_reader}
    for reader in readers.values():
        indexers = getattr(reader, "_token_indexers", None)
        if indexers:
            set_min_character_padding(indexers, width)
