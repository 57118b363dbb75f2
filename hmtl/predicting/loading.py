"""The one loader of trained models, from a run directory or a model archive.

Prediction, serving and probing all need the same things: the model of the saved config with
the saved vocabulary and chosen weights, and the token indexers its readers used, so that text
is indexed as in training. Embedding files the weights overwrite (GloVe ``pretrained_file``) are
dropped from the config, so they need not exist. ELMo is different: AllenNLP's ELMo embedder
reads its ``options_file`` and ``weight_file`` while it is being built (the options fix its
shape), so a model with ELMo needs both files at their configured paths (relative paths are
taken from the working directory); a missing one is a ``ConfigurationError`` naming it. A
transformer embedder likewise needs its local ``model_name`` directory.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import TokenIndexer, Vocabulary
from allennlp.data.token_indexers import SingleIdTokenIndexer
from allennlp.models import Model

from hmtl.data.char_padding import set_min_character_padding
from hmtl.experiment.weights import choose_weights
from hmtl.predicting.archive import check_run_directory, extracted_archive, is_archive

logger = logging.getLogger(__name__)


@dataclass
class TrainedRun:
    """A loaded model and what is needed to feed it. ``weights`` names the weights file (for an
    archive: ``<archive>/<member>``); ``config`` is the saved config as a dict."""

    model: Model
    vocab: Vocabulary
    token_indexers: dict[str, TokenIndexer]
    weights: Path
    config: dict[str, Any]


@contextmanager
def run_directory(path: str | os.PathLike) -> Iterator[Path]:
    """A run directory for ``path``: itself, or an archive extracted for the duration."""
    path = Path(path)
    if not path.exists():
        raise ConfigurationError(f"{path} does not exist (expected a run directory or a model "
                                 "archive written by hmtl archive).")
    if is_archive(path):
        with extracted_archive(path) as directory:
            yield directory
    else:
        yield check_run_directory(path)


def load_trained_run(
    path: str | os.PathLike, weights: str | None = None, cuda_device: int = -1
) -> TrainedRun:
    """Load a run directory or archive with the weights ``weights`` selects (None: ``best.th``,
    or a run's only ``best_<task>.th``; ``"best"``; or a task name), on ``cuda_device``."""
    # Imported here: the training package is only needed once a model is actually loaded.
    from hmtl.experiment.model import build_model, device_for, widest_filter
    from hmtl.experiment.run_dir import read_saved_config
    from hmtl.experiment.vocabulary import load_vocabulary
    from hmtl.experiment.weights import load_model_weights, load_torch_file

    source = Path(path)
    with run_directory(source) as directory:
        try:
            weights_file = choose_weights(directory, weights)
            config = read_saved_config(directory)
            if "model" not in config:
                raise ConfigurationError(f"{directory / 'config.json'} has no 'model' block.")
            token_indexers = reader_token_indexers(config, weights)
            width = widest_filter(config.get("model"))
            if width:
                set_min_character_padding(token_indexers, width)
            vocab = load_vocabulary(directory)
            model = build_model(config, vocab, for_loading_weights=True)
            load_model_weights(model, load_torch_file(weights_file, "weights"), weights_file)
        except ConfigurationError as error:
            if directory == source:
                raise
            # Name the archive, not the temporary directory it was extracted to.
            raise ConfigurationError(error.message.replace(str(directory), str(source))) from None
        shown = weights_file if directory == source else source / weights_file.name
    model.eval()
    model.to(device_for(cuda_device))
    logger.info("Loaded %s with weights %s", type(model).__name__, shown)
    return TrainedRun(model, vocab, token_indexers, shown, config.as_dict(quiet=True))


def reader_token_indexers(config: Params, task: str | None = None) -> dict[str, TokenIndexer]:
    """The token indexers of ``task``'s dataset reader (or of the first task's).

    All tasks of one model share its text field embedder, so their readers index tokens the same
    way; the chosen task's reader is preferred in case a config differs anyway. A reader that
    names no indexers uses AllenNLP's default, a single-id indexer called ``tokens``.
    """
    blocks = task_blocks(config)
    if not blocks:
        raise ConfigurationError("the run's config.json has no task_<name> block.")
    chosen = blocks.get(task) if task is not None else None
    reader = (chosen or next(iter(blocks.values()))).get("data_params", {}).get(
        "dataset_reader", {})
    indexer_params = reader.get("token_indexers")
    if not indexer_params:
        return {"tokens": SingleIdTokenIndexer()}
    with warnings.catch_warnings():
        # AllenNLP warns about character indexers without a minimum padding; the loader sets it
        # from the model's widest filter.
        warnings.filterwarnings("ignore", message="You are using the default value .0. of `min_p")
        return {
            name: TokenIndexer.from_params(Params(dict(params)))
            for name, params in indexer_params.items()
        }


def task_blocks(config: Params | dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``task_<key>`` blocks of a config as dicts, by task name (``task_description.
    task_name``, else the key without ``task_``)."""
    raw = config.as_dict(quiet=True) if isinstance(config, Params) else config
    blocks = {}
    for key, block in raw.items():
        if key.startswith("task_") and isinstance(block, dict):
            name = block.get("task_description", {}).get("task_name", key[len("task_"):])
            blocks[name] = block
    return blocks


def inference_device(model: Model) -> torch.device:
    """The device the model's parameters are on (where batches must go)."""
    return next(model.parameters()).device
