"""Sentence vectors from any layer of a model: pooled token states of that layer's output.

The model must offer ``layer_outputs(text) -> ({layer_name: (batch, tokens, dim)}, mask)`` with
its layers from the bottom (``text_field_embedder``) to the top (``encoder_<task>``), each
computed once. A sentence vector is the masked mean of its tokens' states (the original HMTL
probe) or their masked maximum. The model runs in ``eval()`` (no dropout) under ``no_grad``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Instance, Token, TokenIndexer, Vocabulary
from allennlp.data.batch import Batch
from allennlp.data.fields import TextField
from allennlp.nn import util

POOLINGS = ("mean", "max")


def torch_device(cuda_device: int) -> torch.device:
    """``-1`` is the CPU, ``n >= 0`` the n-th GPU (which must exist)."""
    if cuda_device < 0:
        return torch.device("cpu")
    if not torch.cuda.is_available() or cuda_device >= torch.cuda.device_count():
        raise ConfigurationError(
            f"CUDA device {cuda_device} was asked for, but this machine has "
            f"{torch.cuda.device_count() if torch.cuda.is_available() else 'no usable'} GPU(s); "
            "use --cuda-device -1 for the CPU."
        )
    return torch.device("cuda", cuda_device)


class SentenceEncoder:
    """Turns tokenised sentences into one vector per sentence for each requested layer."""

    def __init__(
        self,
        model: torch.nn.Module,
        vocab: Vocabulary,
        token_indexers: dict[str, TokenIndexer],
        pooling: str = "mean",
        batch_size: int = 128,
        cuda_device: int = -1,
    ) -> None:
        if not callable(getattr(model, "layer_outputs", None)):
            raise ConfigurationError(
                f"{type(model).__name__} has no layer_outputs(text) method: the probe needs the "
                "output of every layer (see docs/DESIGN.md, section 4)."
            )
        if pooling not in POOLINGS:
            raise ConfigurationError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        if batch_size < 1:
            raise ConfigurationError(f"batch size must be positive, got {batch_size}")
        self.device = torch_device(cuda_device)
        self.model = model.to(self.device)
        self.model.eval()
        self.vocab = vocab
        self.token_indexers = token_indexers
        self.pooling = pooling
        self.batch_size = batch_size
        self._layers: list[str] | None = None

    @property
    def layers(self) -> list[str]:
        """The model's layer names, bottom to top (found by encoding one sentence)."""
        if self._layers is None:
            outputs, _ = self._layer_outputs([["."]])
            self._layers = list(outputs)
        return self._layers

    def check_layers(self, names: Sequence[str]) -> None:
        unknown = [name for name in names if name not in self.layers]
        if unknown:
            raise ConfigurationError(
                f"The model has no layer {', '.join(map(repr, unknown))}; its layers are: "
                f"{', '.join(self.layers)}."
            )

    def encode(
        self, sentences: Sequence[Sequence[str]], layers: Sequence[str]
    ) -> dict[str, np.ndarray]:
        """One float32 matrix (sentences, dim) per layer, rows in the order of ``sentences``.

        Sentences are batched by length to limit padding. An empty sentence is encoded as ``.``,
        as SentEval's own examples do, since a text field cannot be empty.
        """
        self.check_layers(layers)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        chunks: dict[str, list[np.ndarray]] = {layer: [] for layer in layers}
        for start in range(0, len(order), self.batch_size):
            batch = [list(sentences[i]) or ["."] for i in order[start:start + self.batch_size]]
            outputs, mask = self._layer_outputs(batch)
            for layer in layers:
                chunks[layer].append(self._pool(outputs[layer], mask))
        inverse = np.empty(len(order), dtype=np.int64)
        inverse[order] = np.arange(len(order))
        vectors = {}
        for layer in layers:
            if chunks[layer]:
                vectors[layer] = np.concatenate(chunks[layer])[inverse]
            else:
                vectors[layer] = np.zeros((0, 0), dtype=np.float32)
        return vectors

    def _layer_outputs(
        self, sentences: list[list[str]]
    ) -> tuple[dict[str, torch.Tensor], torch.BoolTensor]:
        instances = [
            Instance({"tokens": TextField([Token(w) for w in words], self.token_indexers)})
            for words in sentences
        ]
        batch = Batch(instances)
        batch.index_instances(self.vocab)
        text = util.move_to_device(batch.as_tensor_dict()["tokens"], self.device)
        self.model.eval()
        with torch.no_grad():
            return self.model.layer_outputs(text)

    def _pool(self, states: torch.Tensor, mask: torch.BoolTensor) -> np.ndarray:
        token_mask = mask.unsqueeze(-1)
        if self.pooling == "mean":
            pooled = util.masked_mean(states, token_mask, dim=1)
        else:
            pooled = util.masked_max(states, token_mask, dim=1)
        return pooled.float().cpu().numpy()
