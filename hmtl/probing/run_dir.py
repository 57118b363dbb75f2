"""Rebuild a trained model, and the token indexers it was trained with, from a run directory.

A run directory written by ``hmtl train`` holds ``config.json``, ``vocabulary/`` and one
``best_<task>.th`` state dict per task. The probe needs the model with one of those state dicts
loaded, and the token indexers of the task's dataset reader so that sentences are indexed the way
the model saw them in training.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import TokenIndexer, Vocabulary
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenCharactersIndexer
from allennlp.models import Model
from allennlp.models.model import remove_weights_related_keys_from_params
from allennlp.modules.seq2vec_encoders import CnnEncoder

logger = logging.getLogger(__name__)


@dataclass
class TrainedRun:
    model: Model
    vocab: Vocabulary
    token_indexers: dict[str, TokenIndexer]
    weights: Path


def weight_files(serialization_dir: str | os.PathLike) -> dict[str, Path]:
    """The ``best_<task>.th`` files of a run, by task name."""
    return {
        path.name[len("best_"):-len(".th")]: path
        for path in sorted(Path(serialization_dir).glob("best_*.th"))
    }


def load_trained_run(serialization_dir: str | os.PathLike, task: str) -> TrainedRun:
    """Build the model of ``config.json`` with the saved vocabulary and ``best_<task>.th``.

    Pretrained-embedding files and initializers are dropped from the model config first (the
    state dict overwrites those weights), so the probe does not need the training-time GloVe file.
    """
    run = Path(serialization_dir)
    if not run.is_dir():
        raise ConfigurationError(f"Run directory {run} does not exist.")
    config_path = run / "config.json"
    vocabulary_dir = run / "vocabulary"
    for required in (config_path, vocabulary_dir):
        if not required.exists():
            raise ConfigurationError(
                f"{run} is not a training run directory: {required.name} is missing "
                "(expected config.json, vocabulary/ and best_<task>.th, as written by hmtl train)."
            )
    weights = weight_files(run)
    if not weights:
        raise ConfigurationError(
            f"Run directory {run} has no weights: no best_<task>.th file (has training saved a "
            "best checkpoint yet?)."
        )
    if task not in weights:
        raise ConfigurationError(
            f"Run directory {run} has no best_{task}.th; weights exist for task(s): "
            f"{', '.join(weights)} (choose one with -t/--task)."
        )
    try:
        config = Params(json.loads(config_path.read_text(encoding="utf-8")))
    except ValueError as error:
        raise ConfigurationError(f"{config_path}: not valid JSON ({error})") from None
    if "model" not in config:
        raise ConfigurationError(f"{config_path} has no 'model' block.")
    token_indexers = _token_indexers(config, task, config_path)
    vocab = Vocabulary.from_files(str(vocabulary_dir))
    model_params = config.pop("model")
    remove_weights_related_keys_from_params(model_params)
    try:
        model = Model.from_params(vocab=vocab, params=model_params)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"{config_path}: cannot build the model: {error}") from None
    pad_characters_to_filters(model, token_indexers)
    try:
        state = torch.load(weights[task], map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001  (any unreadable file gets the same message)
        raise ConfigurationError(
            f"{weights[task]}: cannot read the weights ({type(error).__name__}: {error})"
        ) from None
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise ConfigurationError(
            f"{weights[task]} does not fit the model built from {config_path}: {error}"
        ) from None
    logger.info("Loaded %s with weights %s", type(model).__name__, weights[task])
    return TrainedRun(model, vocab, token_indexers, weights[task])


def pad_characters_to_filters(model: Model, token_indexers: dict[str, TokenIndexer]) -> None:
    """Pad character ids to the widest character-CNN filter of the model.

    A batch whose words are all shorter than a convolution's width would crash it (AllenNLP
    issue 1954); the trainer pads them to the same width.
    """
    widest = max(
        (max(module._ngram_filter_sizes) for module in model.modules()
         if isinstance(module, CnnEncoder)),
        default=0,
    )
    for indexer in token_indexers.values():
        if isinstance(indexer, TokenCharactersIndexer):
            indexer._min_padding_length = max(indexer._min_padding_length, widest)


def _token_indexers(config: Params, task: str, config_path: Path) -> dict[str, TokenIndexer]:
    """The token indexers of the chosen task's dataset reader (or of the first task's).

    All tasks of one model share its text field embedder, so their readers index tokens the same
    way; the chosen task's reader is preferred in case a config differs anyway. A reader that
    names no indexers uses AllenNLP's default, a single-id indexer called ``tokens``.
    """
    blocks = {
        key: config.get(key).as_dict(quiet=True)
        for key in config.keys()
        if key.startswith("task_") and isinstance(config.get(key), Params)
    }
    if not blocks:
        raise ConfigurationError(f"{config_path} has no task_<name> block.")
    chosen = next(
        (
            block for key, block in blocks.items()
            if key == f"task_{task}"
            or block.get("task_description", {}).get("task_name") == task
        ),
        next(iter(blocks.values())),
    )
    reader = chosen.get("data_params", {}).get("dataset_reader", {})
    indexer_params = reader.get("token_indexers")
    if not indexer_params:
        return {"tokens": SingleIdTokenIndexer()}
    return {
        name: TokenIndexer.from_params(Params(params))
        for name, params in indexer_params.items()
    }
