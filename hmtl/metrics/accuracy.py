"""Categorical accuracy whose counts are summed over processes when read, not on every call.

AllenNLP's `CategoricalAccuracy` all-reduces its counts inside `__call__`, so in a distributed
run every process must call it on every batch. Distributed validation gives each process a shard
of each global batch, and a shard can be empty (a batch smaller than the number of processes):
that process skips the forward pass, and the others would wait forever in the all-reduce. This
version counts locally and sums the counts in `get_metric`, which every process calls together
(like the other hmtl metrics); outside a distributed run it gives the parent's numbers. Models
trained by hmtl's distributed trainer use it (the CRF tagger head does).
"""

from __future__ import annotations

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.training.metrics import CategoricalAccuracy, Metric

from hmtl.metrics.distributed import sum_across_processes


@Metric.register("distributed_categorical_accuracy")
class DistributedCategoricalAccuracy(CategoricalAccuracy):
    """`CategoricalAccuracy` (same `top_k` and `tie_break`) that reduces only when read."""

    supports_distributed = True

    def __call__(  # type: ignore[override]
        self,
        predictions: torch.Tensor,
        gold_labels: torch.Tensor,
        mask: torch.BoolTensor | None = None,
    ) -> None:
        predictions, gold_labels, mask = self.detach_tensors(predictions, gold_labels, mask)
        num_classes = predictions.size(-1)
        if gold_labels.dim() != predictions.dim() - 1:
            raise ConfigurationError(
                f"gold labels of shape {tuple(gold_labels.shape)} do not fit predictions of "
                f"shape {tuple(predictions.shape)}: expected one label per prediction row"
            )
        if (gold_labels >= num_classes).any():
            raise ConfigurationError(
                f"a gold label is >= the number of classes ({num_classes})"
            )
        scores = predictions.reshape(-1, num_classes)
        gold = gold_labels.reshape(-1).long()
        if self._tie_break:
            best = scores.max(-1, keepdim=True).values
            ties = scores.eq(best)
            correct = ties.gather(1, gold.unsqueeze(-1)).squeeze(-1).float()
            correct = correct / ties.sum(-1).float()
        elif self._top_k == 1:
            correct = scores.max(-1).indices.eq(gold).float()
        else:
            top = scores.topk(min(self._top_k, num_classes), -1).indices
            correct = top.eq(gold.unsqueeze(-1)).any(-1).float()
        if mask is not None:
            weights = mask.reshape(-1).float()
            correct = correct * weights
            total = float(weights.sum().item())
        else:
            total = float(gold.numel())
        self.correct_count += float(correct.sum().item())
        self.total_count += total

    def get_metric(self, reset: bool = False) -> float:
        counts = sum_across_processes({"correct": self.correct_count, "total": self.total_count})
        accuracy = counts["correct"] / counts["total"] if counts["total"] > 1e-12 else 0.0
        if reset:
            self.reset()
        return float(accuracy)
