"""A head of a kind no part of hmtl knows, for ``--include-package tests.predicting.plugin_head``:
a per-token softmax tagger whose ``output_kind`` is ``token_labels``."""

from typing import Any

import torch
from allennlp.data import Vocabulary
from allennlp.nn.util import sequence_cross_entropy_with_logits
from allennlp.training.metrics import CategoricalAccuracy

from hmtl.modules.heads.head import Head

KIND = "token_labels"


@Head.register("test_token_labels", exist_ok=True)
class TokenLabelsHead(Head):
    """One label per token, chosen independently (no CRF)."""

    gold_fields = ("tags",)
    output_kind = KIND

    def __init__(self, vocab: Vocabulary, encoder_input_dim: int, encoder_output_dim: int,
                 label_namespace: str) -> None:
        super().__init__(vocab, encoder_input_dim, encoder_output_dim)
        self.label_namespace = label_namespace
        self.scorer = torch.nn.Linear(encoder_output_dim, vocab.get_vocab_size(label_namespace))
        self._accuracy = CategoricalAccuracy()

    def forward(self, encoder_input: torch.Tensor, encoded: torch.Tensor,
                mask: torch.BoolTensor, tags: torch.LongTensor | None = None,
                **fields: Any) -> dict[str, Any]:
        logits = self.scorer(encoded)
        output: dict[str, Any] = {"logits": logits, "mask": mask}
        if tags is not None:
            output["loss"] = sequence_cross_entropy_with_logits(logits, tags, mask)
            self._accuracy(logits, tags, mask)
        return output

    def get_metrics(self, reset: bool = False) -> dict[str, float]:
        return {"accuracy": float(self._accuracy.get_metric(reset))}

    def make_output_human_readable(self, output_dict: dict[str, Any]) -> dict[str, Any]:
        """``labels``: each instance's labels, cut to its tokens."""
        best = output_dict["logits"].argmax(-1).tolist()
        lengths = output_dict["mask"].sum(-1).tolist()
        return {"labels": [
            [self.vocab.get_token_from_index(index, self.label_namespace) for index in row[:n]]
            for row, n in zip(best, lengths)
        ]}
