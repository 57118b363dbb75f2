"""Building the model of a config: what training, fine-tuning, evaluation, prediction and
probing all do the same way.

Embedding files are checked before anything is built, so a missing GloVe or ELMo file is one
clear error instead of a traceback from inside AllenNLP; weights that are about to be loaded
from a run need no ``pretrained_file``.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models import Model
from allennlp.models.model import remove_weights_related_keys_from_params
from allennlp.nn import RegularizerApplicator

import hmtl.models  # noqa: F401  (registers the model types and their heads, which configs name)
from hmtl.data.char_padding import widest_character_filter


def device_for(cuda_device: int) -> torch.device:
    """The torch device of a ``cuda_device`` setting (-1: CPU), checked to exist."""
    if cuda_device < 0:
        return torch.device("cpu")
    available = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if cuda_device >= available:
        raise ConfigurationError(
            f"cuda_device {cuda_device} was asked for (--cuda-device or "
            f"multi_task_trainer.cuda_device) but this machine has {available} GPU(s); "
            "use -1 for the CPU"
        )
    return torch.device("cuda", cuda_device)


def widest_filter(model_params: Params) -> int | None:
    """The widest character-CNN filter of the config's text field embedder, if any."""
    embedder = model_params.get("text_field_embedder", None)
    if embedder is None:
        return None
    return widest_character_filter(embedder) or None


def check_embedding_files(model_params: Params | dict[str, Any]) -> None:
    """Fail before reading any data when an embedding file the model needs is missing."""
    from hmtl.modules.embedding_files import check_embedding_files as check

    check(model_params.as_dict(quiet=True) if isinstance(model_params, Params) else model_params)


def build_model(params: Params, vocab: Vocabulary, for_loading_weights: bool = False) -> Model:
    """The ``model`` block as a Model. ``for_loading_weights`` drops ``pretrained_file`` keys:
    the weights will be overwritten, so GloVe files need not be read again."""
    model_params = Params(copy.deepcopy(params.get("model").as_dict(quiet=True)))
    if for_loading_weights:
        remove_weights_related_keys_from_params(model_params, ["pretrained_file"])
    check_embedding_files(model_params)
    regularizer = None
    if "regularizer" in params:
        try:
            regularizer = RegularizerApplicator.from_params(
                Params(copy.deepcopy(params.get("regularizer").as_dict(quiet=True)))
            )
        except (TypeError, ValueError) as error:
            raise ConfigurationError(f"regularizer: {error}") from error
    try:
        return Model.from_params(params=model_params, vocab=vocab, regularizer=regularizer)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"model: cannot build the model: {error}") from error


def use_gold_mentions(model: torch.nn.Module) -> int:
    """Make every coreference head of ``model`` evaluate on gold mentions; returns how many.

    The heads expose ``eval_on_gold_mentions`` as a plain attribute (the original's ``-g`` flag
    was parsed and then ignored)."""
    heads = [m for m in model.modules() if hasattr(m, "eval_on_gold_mentions")]
    for head in heads:
        head.eval_on_gold_mentions = True
    return len(heads)
