"""Character padding that never leaves a token shorter than the widest character-CNN filter.

A CNN over a token's characters needs at least as many (padded) characters as its widest filter;
a batch whose tokens are all shorter (e.g. `a`, `,`, `I`) crashed the original. The minimum
padding belongs on the indexer, but the width is a property of the model, so whoever assembles
the config reads it from the model with `widest_character_filter` and sets it on the readers'
indexers with `set_min_character_padding`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allennlp.common import Params
from allennlp.data import TokenIndexer
from allennlp.data.token_indexers import TokenCharactersIndexer

# AllenNLP's CnnEncoder default, used when a config leaves `ngram_filter_sizes` out.
_DEFAULT_NGRAM_FILTER_SIZES = (2, 3, 4, 5)


def set_min_character_padding(token_indexers: Mapping[str, TokenIndexer], min_length: int) -> None:
    """Raise the minimum padding of every `TokenCharactersIndexer` in `token_indexers` to at
    least `min_length` (a larger minimum already set is kept)."""
    for indexer in token_indexers.values():
        if isinstance(indexer, TokenCharactersIndexer):
            indexer._min_padding_length = max(indexer._min_padding_length, min_length)


def _as_dict(params: Any) -> Any:
    return params.as_dict(quiet=True) if isinstance(params, Params) else params


def _encoder_width(encoder: Mapping[str, Any]) -> int:
    kind = encoder.get("type")
    if kind == "cnn":
        sizes = encoder.get("ngram_filter_sizes", _DEFAULT_NGRAM_FILTER_SIZES)
        return max(sizes, default=0)
    if kind == "cnn-highway":
        return max((int(width) for width, _ in encoder.get("filters", [])), default=0)
    return 0


def widest_character_filter(text_field_embedder_params: Mapping[str, Any] | Params) -> int:
    """The widest filter of the character CNNs of a `text_field_embedder` config block: the
    maximum `ngram_filter_sizes` of each `character_encoding` embedder whose encoder is a `cnn`
    (0 when there is none, or when the encoder is not a CNN). Accepts the 2.x form with
    `token_embedders` and the older form with the embedders directly in the block."""
    block = _as_dict(text_field_embedder_params) or {}
    embedders = block.get("token_embedders", block)
    widest = 0
    for embedder in embedders.values():
        embedder = _as_dict(embedder)
        if isinstance(embedder, Mapping) and embedder.get("type") == "character_encoding":
            encoder = _as_dict(embedder.get("encoder")) or {}
            widest = max(widest, _encoder_width(encoder))
    return widest
