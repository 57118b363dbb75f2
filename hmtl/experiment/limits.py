"""What a config's model cannot take, read from its ``model`` block without building it.

``hmtl check-data`` compares the data with these limits (``hmtl.data.check``), and training
checks the lengths before its first step: a transformer's length in wordpieces, the
``max_span_width`` of each head whose declared ``output_kind`` is ``clusters``, and how long a
sentence or document may be (``data_limits``).

Length limits come from a memory budget (``data_limits.memory_budget_gib``, default 8 GiB), for
the heads whose tensors grow faster than the input:

- the relation head scores every ordered token pair of a sentence: its pair representation and
  its activation (each ``l`` floats per pair) and its scores (one float per pair and relation
  type) take ``tokens² × (2 × l + relation types) × 4`` bytes;
- the coreference head embeds every candidate span of a document (``span_dim`` floats, the
  ``input_dim`` of its ``mention_feedforward``) and, for each span it keeps (``spans_per_word``
  per token, so at least ``spans_per_word / max_span_width`` per candidate span), pairs it with
  ``max_antecedents`` antecedents, each pair holding the antecedent's embedding, their product
  (``2 × span_dim`` floats) and the first hidden layer of ``antecedent_feedforward``.

These count only the largest tensors of one instance, so they are a lower bound of what training
needs: an input beyond them cannot train within the budget, whatever else the device holds.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from typing import Any

from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.data.check import (
    DEFAULT_MAX_SENTENCE_TOKENS,
    SPANS,
    TOKENS,
    LengthLimit,
    LengthLimits,
    ModelLimits,
    TransformerLimit,
    sentence_limit,
)
from hmtl.models.original import HEAD_TYPES
from hmtl.modules.embedding_files import TRANSFORMER_TYPES
from hmtl.modules.heads.head import Head

#: The memory one instance's largest head tensors may take (``data_limits.memory_budget_gib``).
DEFAULT_MEMORY_BUDGET_GIB = 8.0
#: Bytes of one float32, the precision the heads compute in.
FLOAT_BYTES = 4
#: The relation head's default ``l`` (its pair representation size).
_DEFAULT_PAIR_SIZE = 64
DATA_LIMITS_KEYS = ("memory_budget_gib", "max_sentence_tokens", "max_tokens", "max_spans")
_BUDGET_SETTING = "data_limits.memory_budget_gib"


def _transformer_blocks(embedder: Any) -> Iterable[dict[str, Any]]:
    if not isinstance(embedder, dict):
        return
    embedders = embedder.get("token_embedders", embedder)
    if isinstance(embedders, dict):
        for block in embedders.values():
            if isinstance(block, dict) and block.get("type") in TRANSFORMER_TYPES:
                yield block


def head_kind(head_type: Any) -> str | None:
    """The ``output_kind`` a registered head type declares; None for an unknown type."""
    if not isinstance(head_type, str) or head_type not in Head.list_available():
        return None
    head_class, _ = Head.resolve_class_name(head_type)
    return getattr(head_class, "output_kind", None)


def _heads_with_kinds(model: dict[str, Any]) -> Iterable[tuple[str, str | None, dict[str, Any]]]:
    """(task, declared output kind, head parameters) of each head of either config form."""
    tasks = model.get("tasks")
    if isinstance(tasks, dict):  # the hierarchical form: tasks.<name>.head
        for name, block in tasks.items():
            head = block.get("head") if isinstance(block, dict) else None
            if isinstance(head, dict):
                yield name, head_kind(head.get("type")), head
    for name, head_type in HEAD_TYPES.items():  # the original form: <task>.tagger
        original = model.get(name)
        if isinstance(original, dict) and isinstance(original.get("tagger"), dict):
            yield name, head_kind(head_type), original["tagger"]


def _heads(model: dict[str, Any], task: str) -> Iterable[tuple[str, dict[str, Any]]]:
    """``(task name, head block)`` of every head of the type the original ``task`` block builds
    (``HEAD_TYPES``; the memory estimates are of these heads' own tensors, so they go by type,
    not by output kind): ``tasks.<name>.head`` in the hierarchical form, ``<task>.tagger`` in the
    original form."""
    tasks = model.get("tasks")
    if isinstance(tasks, dict):
        for name, block in tasks.items():
            head = block.get("head") if isinstance(block, dict) else None
            if isinstance(head, dict) and head.get("type") == HEAD_TYPES[task]:
                yield name, head
    original = model.get(task)
    if isinstance(original, dict) and isinstance(original.get("tagger"), dict):
        yield task, original["tagger"]


def model_limits(model: dict[str, Any], data_limits: Any = None,
                 task_names: Collection[str] | None = None) -> ModelLimits:
    """The limits in a config's ``model`` block (either form of DESIGN.md §4), without building
    the model: transformer embedders of ``text_field_embedder``, the ``max_span_width`` of the
    heads whose declared ``output_kind`` is ``clusters``, and the ``length_limits`` with the
    config's ``data_limits`` block."""
    limits = ModelLimits(lengths=length_limits(model, data_limits, task_names))
    for block in _transformer_blocks(model.get("text_field_embedder")):
        limits.transformers.append(TransformerLimit(
            str(block.get("model_name")), block.get("max_length"), block.get("tokenizer_kwargs")))
    for name, kind, head in _heads_with_kinds(model):
        width = head.get("max_span_width")
        if kind == "clusters" and isinstance(width, int):
            limits.span_widths[name] = width
    return limits


def length_limits(model: Any, data_limits: Any = None,
                  task_names: Collection[str] | None = None) -> LengthLimits:
    """How long a sentence (every task) and an instance of a relation or coreference head may be:
    from the heads' largest tensors against the memory budget, unless ``data_limits`` sets a
    task's limit (``max_tokens.<task>``, ``max_spans.<task>``; null for none). With
    ``task_names``, a limit set for another name is an error."""
    if isinstance(model, Params):
        model = model.as_dict(quiet=True)
    settings = _data_limits(data_limits)
    for key in ("max_tokens", "max_spans"):
        unknown = sorted(set(settings.get(key, {})) - set(task_names or ()))
        if task_names is not None and unknown:
            raise ConfigurationError(
                f"data_limits.{key}: there is no task named {', '.join(unknown)}; tasks are "
                f"{', '.join(task_names)}")
    budget = settings.get("memory_budget_gib", DEFAULT_MEMORY_BUDGET_GIB)
    lengths = LengthLimits(sentence_limit(settings.get("max_sentence_tokens",
                                                       DEFAULT_MAX_SENTENCE_TOKENS)))
    derived: dict[tuple[str, str], LengthLimit] = {}
    if isinstance(model, dict):
        for name, head in _heads(model, "relation"):
            limit = _relation_limit(name, head, budget)
            derived[(name, TOKENS)] = limit
        for name, head in _heads(model, "coref"):
            limit = _coreference_limit(name, head, budget)
            if limit is not None:
                derived[(name, SPANS)] = limit
    for key, measure in (("max_tokens", TOKENS), ("max_spans", SPANS)):
        for name, value in settings.get(key, {}).items():
            derived.pop((name, measure), None)
            if value is not None:
                derived[(name, measure)] = LengthLimit(
                    measure, value, f"data_limits.{key}.{name}", "the limit the config sets")
    for (name, _), limit in derived.items():
        lengths.tasks.setdefault(name, []).append(limit)
    return lengths


def _relation_limit(name: str, head: dict[str, Any], budget: float) -> LengthLimit:
    size = head.get("l", _DEFAULT_PAIR_SIZE)
    types = head.get("n_classes")
    per_pair = 2 * size + (types if isinstance(types, int) else 0)
    floats = (f"2 × l={size} + {types} relation types" if isinstance(types, int)
              else f"2 × l={size}, relation types not counted")
    tokens = math.isqrt(int(budget * 2**30) // (FLOAT_BYTES * per_pair))
    return LengthLimit(
        TOKENS, tokens, f"data_limits.max_tokens.{name}",
        f"{_beyond_budget('relation head', budget)}: tokens² × ({floats}) floats of "
        f"{FLOAT_BYTES} bytes for its token pairs")


def _beyond_budget(head: str, budget: float) -> str:
    return (f"the {head}'s tensors would take more than the {budget:g} GiB memory budget "
            f"({_BUDGET_SETTING}), so the model cannot train on it")


def _first_hidden(feedforward: Any) -> int | None:
    hidden = feedforward.get("hidden_dims") if isinstance(feedforward, dict) else None
    if isinstance(hidden, list):
        hidden = hidden[0] if hidden else None
    return hidden if isinstance(hidden, int) else None


def _coreference_limit(name: str, head: dict[str, Any], budget: float) -> LengthLimit | None:
    """None when the block does not give every size the estimate needs."""
    mention = head.get("mention_feedforward")
    span_dim = mention.get("input_dim") if isinstance(mention, dict) else None
    hidden = _first_hidden(head.get("antecedent_feedforward"))
    width = head.get("max_span_width")
    per_word = head.get("spans_per_word")
    antecedents = head.get("max_antecedents")
    numbers = (span_dim, hidden, width, per_word, antecedents)
    if not all(isinstance(n, int | float) and not isinstance(n, bool) and n > 0
               for n in numbers):
        return None
    per_span = FLOAT_BYTES * (span_dim + per_word / width * antecedents * (2 * span_dim + hidden))
    spans = int(budget * 2**30 // per_span)
    return LengthLimit(
        SPANS, spans, f"data_limits.max_spans.{name}",
        f"{_beyond_budget('coreference head', budget)}: {span_dim} floats per candidate span, "
        f"and for each span it keeps (spans_per_word={per_word:g} per token, at least "
        f"{per_word:g}/{width} of the candidate spans) {antecedents} antecedent pairs of "
        f"2 × {span_dim} + {hidden} floats, {FLOAT_BYTES} bytes each")


def _positive_int(value: Any, key: str, nullable: bool) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a positive integer" + (" or null" if nullable else "")
        raise ConfigurationError(f"{key} must be {allowed}; got {value!r}")
    return value


def _data_limits(block: Any) -> dict[str, Any]:
    """The ``data_limits`` block, checked: what is set, with the config key in every error."""
    if isinstance(block, Params):
        block = block.as_dict(quiet=True)
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise ConfigurationError(
            f"data_limits must be an object like {{\"memory_budget_gib\": 8}}; got {block!r}")
    unknown = sorted(set(block) - set(DATA_LIMITS_KEYS))
    if unknown:
        raise ConfigurationError(f"data_limits: unknown key(s) {', '.join(unknown)}; expected "
                                 f"{', '.join(DATA_LIMITS_KEYS)}")
    settings: dict[str, Any] = {}
    if "memory_budget_gib" in block:
        budget = block["memory_budget_gib"]
        if isinstance(budget, bool) or not isinstance(budget, int | float) or budget <= 0:
            raise ConfigurationError(
                f"data_limits.memory_budget_gib must be a positive number; got {budget!r}")
        settings["memory_budget_gib"] = float(budget)
    if "max_sentence_tokens" in block:
        settings["max_sentence_tokens"] = _positive_int(
            block["max_sentence_tokens"], "data_limits.max_sentence_tokens", nullable=True)
    for key in ("max_tokens", "max_spans"):
        if key not in block:
            continue
        tasks = block[key]
        if not isinstance(tasks, dict):
            raise ConfigurationError(
                f"data_limits.{key} must map task names to limits, like {{\"relation\": 200}}; "
                f"got {tasks!r}")
        settings[key] = {name: _positive_int(value, f"data_limits.{key}.{name}", nullable=True)
                         for name, value in tasks.items()}
    return settings
