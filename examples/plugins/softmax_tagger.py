"""A head plugin: a per-token softmax tagger (no CRF), with span F1, for NER or EMD.

Each token's tag is chosen on its own, so the output may break the rules of BIOUL (an L- with no
B- before it); the task's reader then writes IOB1 tags, whose spans are read from any sequence.

    python train.py -c configs/demo.json -s runs/softmax_ner \
        --include-package examples.plugins.softmax_tagger \
        -o '{"model.tasks.ner.head": {"type": "softmax_tagger",
                                      "label_namespace": "ontonotes_ner_labels"},
             "task_ner.data_params.dataset_reader.coding_scheme": "IOB1"}'
"""

from typing import Any, Optional

import torch
from allennlp.data import Vocabulary
from allennlp.nn.util import sequence_cross_entropy_with_logits

from hmtl.metrics.accuracy import DistributedCategoricalAccuracy
from hmtl.metrics.span_f1 import DistributedSpanBasedF1Measure
from hmtl.modules.heads.head import Head


@Head.register("softmax_tagger")
class SoftmaxTaggerHead(Head):
    """A linear layer and a softmax per token; loss: mean cross-entropy per sentence."""

    gold_fields = ("tags",)
    loss_reduction = "mean_instances"
    output_kind = "spans"

    def __init__(self, vocab: Vocabulary, encoder_input_dim: int, encoder_output_dim: int,
                 label_namespace: str = "labels", label_encoding: str = "IOB1",
                 dropout: Optional[float] = None) -> None:  # noqa: UP045 - FromParams
        super().__init__(vocab, encoder_input_dim, encoder_output_dim)
        self.label_namespace = label_namespace
        self.dropout = torch.nn.Dropout(dropout or 0.0)
        self.projection = torch.nn.Linear(encoder_output_dim,
                                          vocab.get_vocab_size(label_namespace))
        self.accuracy = DistributedCategoricalAccuracy()
        self.span_f1 = DistributedSpanBasedF1Measure(vocab, tag_namespace=label_namespace,
                                                     label_encoding=label_encoding)

    def forward(self, encoder_input: torch.Tensor, encoded: torch.Tensor,  # type: ignore[override]
                mask: torch.BoolTensor, tags: Optional[torch.LongTensor] = None,  # noqa: UP045
                **fields: Any) -> dict[str, Any]:
        logits = self.projection(self.dropout(encoded))
        lengths = mask.sum(-1).tolist()
        best = logits.argmax(-1).tolist()
        output: dict[str, Any] = {"logits": logits, "mask": mask,
                                  "tags": [row[:n] for row, n in zip(best, lengths)]}
        if tags is not None:
            output["loss"] = sequence_cross_entropy_with_logits(logits, tags, mask)
            self.accuracy(logits, tags, mask)
            self.span_f1(logits, tags, mask)
        return output

    def get_metrics(self, reset: bool = False) -> dict[str, float]:
        metrics = {"accuracy": float(self.accuracy.get_metric(reset))}
        for name, value in self.span_f1.get_metric(reset).items():
            if "overall" in name:
                metrics[name] = float(value)
        return metrics

    def make_output_human_readable(self, output_dict: dict[str, Any]) -> dict[str, Any]:
        output_dict["tags"] = [
            [self.vocab.get_token_from_index(t, namespace=self.label_namespace) for t in row]
            for row in output_dict["tags"]
        ]
        return output_dict
