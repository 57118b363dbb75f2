"""One vocabulary shared by every task, saved with the run.

All tasks share the embedder, so their tokens and characters must map to the same ids; label
namespaces stay separate because each reader names its own. The vocabulary is built from each
task's ``datasets_for_vocab_creation`` (the original's rule) and then reused as is by
``--recover``, ``fine-tune`` and ``evaluate``.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from hmtl.experiment.task import Task

logger = logging.getLogger(__name__)

VOCABULARY_DIR = "vocabulary"


def build_vocabulary(tasks: Sequence[Task], params: Params | None = None) -> Vocabulary:
    """Fit a vocabulary on the instances of every task's ``datasets_for_vocab_creation``."""
    for task in tasks:
        logger.info(
            "Vocabulary: using %s data of task %s", ", ".join(task.datasets_for_vocab_creation),
            task.name,
        )
    instances = itertools.chain.from_iterable(task.instances_for_vocab() for task in tasks)
    try:
        return Vocabulary.from_params(params or Params({}), instances=instances)
    except TypeError as error:
        raise ConfigurationError(f"vocabulary: {error}") from error


def save_vocabulary(vocab: Vocabulary, serialization_dir: str | os.PathLike) -> Path:
    """Write the vocabulary to ``<serialization_dir>/vocabulary``."""
    directory = Path(serialization_dir) / VOCABULARY_DIR
    vocab.save_to_files(os.fspath(directory))
    return directory


def load_vocabulary(run_dir: str | os.PathLike) -> Vocabulary:
    """The vocabulary saved by an earlier run, with a clear error when it is not there."""
    directory = Path(run_dir) / VOCABULARY_DIR
    if not (directory / "non_padded_namespaces.txt").is_file():
        raise ConfigurationError(
            f"{directory}: no saved vocabulary (non_padded_namespaces.txt is missing); is "
            f"{run_dir} the serialization directory of a training run?"
        )
    return Vocabulary.from_files(os.fspath(directory))
