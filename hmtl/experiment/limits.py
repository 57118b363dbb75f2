"""What a config's model cannot take, read from its ``model`` block without building it.

``hmtl check-data`` compares the data with these limits (``hmtl.data.check``): a transformer's
length in wordpieces and each coreference head's ``max_span_width``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hmtl.data.check import ModelLimits, TransformerLimit
from hmtl.models.original import HEAD_TYPES
from hmtl.modules.embedding_files import TRANSFORMER_TYPES


def _transformer_blocks(embedder: Any) -> Iterable[dict[str, Any]]:
    if not isinstance(embedder, dict):
        return
    embedders = embedder.get("token_embedders", embedder)
    if isinstance(embedders, dict):
        for block in embedders.values():
            if isinstance(block, dict) and block.get("type") in TRANSFORMER_TYPES:
                yield block


def _coreference_heads(model: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    tasks = model.get("tasks")
    if isinstance(tasks, dict):  # the hierarchical form: tasks.<name>.head
        for name, block in tasks.items():
            head = block.get("head") if isinstance(block, dict) else None
            if isinstance(head, dict) and head.get("type") == HEAD_TYPES["coref"]:
                yield name, head
    original = model.get("coref")  # the original form: coref.tagger
    if isinstance(original, dict) and isinstance(original.get("tagger"), dict):
        yield "coref", original["tagger"]


def model_limits(model: dict[str, Any]) -> ModelLimits:
    """The limits in a config's ``model`` block (either form of DESIGN.md §4), without building
    the model: transformer embedders of ``text_field_embedder`` and coreference heads'
    ``max_span_width``."""
    limits = ModelLimits()
    for block in _transformer_blocks(model.get("text_field_embedder")):
        limits.transformers.append(TransformerLimit(
            str(block.get("model_name")), block.get("max_length"), block.get("tokenizer_kwargs")))
    for name, head in _coreference_heads(model):
        width = head.get("max_span_width")
        if isinstance(width, int):
            limits.span_widths[name] = width
    return limits
