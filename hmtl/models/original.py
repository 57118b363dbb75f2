"""How the original HMTL ``model`` blocks map onto the hierarchical model.

The original configs name one block per task (``ner``, ``emd``, ``relation``, ``coref``), each
``{"encoder": ..., "tagger": {...}}`` where the tagger block has no ``type``: the task name
decides the head. The hierarchy is fixed: NER → EMD → {relation, coreference}; a model with a
subset of these tasks keeps their relative order (e.g. ``emd_relation`` is EMD → relation).
"""

import copy
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy
import torch
from allennlp.common import FromParams, Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.modules import Seq2SeqEncoder, TextFieldEmbedder
from allennlp.nn import InitializerApplicator

from hmtl.modules.heads.head import Head
from hmtl.modules.shortcut import EncoderConfig

#: The head type each original task block builds.
HEAD_TYPES = {
    "ner": "crf_tagger",
    "emd": "crf_tagger",
    "relation": "relation",
    "coref": "coreference",
}

#: The original model type names and the task blocks each takes, lowest first.
ORIGINAL_MODELS: dict[str, tuple[str, ...]] = {
    "ner": ("ner",),
    "relation": ("relation",),
    "coref_custom": ("coref",),
    "ner_emd": ("ner", "emd"),
    "emd_relation": ("emd", "relation"),
    "emd_coref": ("emd", "coref"),
    "ner_emd_relation": ("ner", "emd", "relation"),
    "ner_emd_coref": ("ner", "emd", "coref"),
    "hmtl": ("ner", "emd", "relation", "coref"),
}

#: The original hierarchy, lowest first; relation and coref are siblings on top of EMD.
_LEVELS = {"ner": 0, "emd": 1, "relation": 2, "coref": 2}

#: The original coreference model's default lexical dropout.
_DEFAULT_LEXICAL_DROPOUT = 0.2


def build_text_field_embedder(vocab: Vocabulary, config: dict[str, Any]) -> TextFieldEmbedder:
    """Build the base embedder, restoring AllenNLP 0.7's namespace for character embeddings.

    In AllenNLP 0.7 the ``embedding`` of a ``character_encoding`` embedder read the
    ``token_characters`` namespace by default; in 2.x it reads ``tokens``, so the original
    configs would size the character table by the word vocabulary and index it with character
    ids (an ``IndexError``, or silently shared rows). An explicit ``vocab_namespace`` is kept.
    """
    config = copy.deepcopy(config)
    for embedder in config.get("token_embedders", {}).values():
        if isinstance(embedder, dict) and embedder.get("type") == "character_encoding":
            embedding = embedder.get("embedding")
            if isinstance(embedding, dict):
                embedding.setdefault("vocab_namespace", "token_characters")
    return TextFieldEmbedder.from_params(Params(config), vocab=vocab)


@contextmanager
def _random_state_kept() -> Iterator[None]:
    """Leave the random generators (Python, NumPy, torch on the CPU) as they were found."""
    python_state, numpy_state = random.getstate(), numpy.random.get_state()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            random.setstate(python_state)
            numpy.random.set_state(numpy_state)


def _without_pretrained_files(config: Any) -> Any:
    if isinstance(config, dict):
        return {
            key: _without_pretrained_files(value)
            for key, value in config.items()
            if key != "pretrained_file"
        }
    if isinstance(config, list):
        return [_without_pretrained_files(value) for value in config]
    return config


def embedder_output_dim(vocab: Vocabulary, config: dict[str, Any]) -> int:
    """The output size of the base embedder of ``config``, measured without side effects.

    The encoders are built before the embedder (that order fixes the seeded initialisation), but
    an encoder whose input size the config leaves out needs the embedder's size first. So a
    throwaway copy of the embedder is built, without its ``pretrained_file`` (the size does not
    depend on it) and with the random generators restored afterwards.
    """
    with _random_state_kept():
        return build_text_field_embedder(vocab, _without_pretrained_files(config)).get_output_dim()


def wiring(task_names: list[str]) -> dict[str, str | None]:
    """For each original task, the task it sits on among ``task_names`` (None: the base)."""
    unknown = set(task_names) - set(_LEVELS)
    if unknown:
        raise ConfigurationError(f"unknown original task blocks {sorted(unknown)}")
    below: dict[str, str | None] = {}
    for task in task_names:
        lower = [name for name in task_names if _LEVELS[name] < _LEVELS[task]]
        below[task] = max(lower, key=_LEVELS.__getitem__) if lower else None
    return below


class OriginalTaskBlock(FromParams):
    """An original task block: ``{"encoder": Seq2SeqEncoder, "tagger": {head parameters}}``.

    The encoder's input size may be left out (``EncoderConfig``). The tagger parameters are
    checked when the head is built (``Head.from_params`` rejects unknown keys).
    """

    def __init__(self, encoder: EncoderConfig, tagger: dict[str, Any]) -> None:
        self.encoder = encoder
        self.tagger = tagger

    def input_dropout(self, task: str) -> float:
        """Dropout on the task's encoder input, where the original taggers applied it.

        The CRF taggers dropped out their embeddings with their ``dropout``; the coreference
        model with its ``lexical_dropout``. The relation model had none.
        """
        if HEAD_TYPES[task] == "crf_tagger":
            return float(self.tagger.get("dropout") or 0.0)
        if HEAD_TYPES[task] == "coreference":
            return float(self.tagger.get("lexical_dropout", _DEFAULT_LEXICAL_DROPOUT))
        return 0.0

    def build_head(
        self, task: str, vocab: Vocabulary, encoder_input_dim: int, encoder_output_dim: int
    ) -> Head:
        """The head of this block: its type from the task name, its parameters the tagger's."""
        if "type" in self.tagger and self.tagger["type"] != HEAD_TYPES[task]:
            raise ConfigurationError(
                f"the original '{task}' block builds a '{HEAD_TYPES[task]}' head, "
                f"not '{self.tagger['type']}'"
            )
        params = Params({**copy.deepcopy(self.tagger), "type": HEAD_TYPES[task]})
        return Head.from_params(
            params,
            vocab=vocab,
            encoder_input_dim=encoder_input_dim,
            encoder_output_dim=encoder_output_dim,
        )

    def initialize_encoder(self, encoder: Seq2SeqEncoder) -> None:
        """Apply the coreference tagger's ``_context_layer`` initialisers to ``encoder``.

        In the original the coreference model owned its context LSTM, and its ``initializer``
        rules (``_context_layer._module.weight_ih.*`` …) initialised it. Here the encoder
        belongs to the model, so the rules are applied to it under that same name.
        """
        rules = self.tagger.get("initializer")
        if isinstance(rules, dict):  # the AllenNLP 2.x form {"regexes": [...]}
            rules = rules.get("regexes")
        if not rules:
            return
        holder = torch.nn.Module()
        holder._context_layer = encoder
        context_rules = [rule for rule in rules if str(rule[0]).startswith("_context_layer")]
        if context_rules:
            regexes = copy.deepcopy(context_rules)
            InitializerApplicator.from_params(Params({"regexes": regexes}))(holder)
