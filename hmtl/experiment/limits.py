"""What a config's model cannot take, read from its ``model`` block without building it.

``hmtl check-data`` compares the data with these limits (``hmtl.data.check``): a transformer's
length in wordpieces and the ``max_span_width`` of each head whose declared output kind is
``clusters`` (``Head.output_kind``; the type is looked up, the head is not built).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hmtl.data.check import ModelLimits, TransformerLimit
from hmtl.models.original import HEAD_TYPES
from hmtl.modules.embedding_files import TRANSFORMER_TYPES
from hmtl.modules.heads.head import Head


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


def _heads(model: dict[str, Any]) -> Iterable[tuple[str, str | None, dict[str, Any]]]:
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


def model_limits(model: dict[str, Any]) -> ModelLimits:
    """The limits in a config's ``model`` block (either form of DESIGN.md §4), without building
    the model: transformer embedders of ``text_field_embedder`` and the ``max_span_width`` of
    the heads that predict clusters."""
    limits = ModelLimits()
    for block in _transformer_blocks(model.get("text_field_embedder")):
        limits.transformers.append(TransformerLimit(
            str(block.get("model_name")), block.get("max_length"), block.get("tokenizer_kwargs")))
    for name, kind, head in _heads(model):
        width = head.get("max_span_width")
        if kind == "clusters" and isinstance(width, int):
            limits.span_widths[name] = width
    return limits
