"""AllenNLP's span-based F1 (taggers: NER, EMD), usable in a distributed run.

`SpanBasedF1Measure` refuses to report under torch.distributed (STACK.md); its counts are plain
per-label dictionaries, so this subclass sums them over the processes and scores the sums with
the parent's own formula, which keeps single-process numbers identical to the parent's.
"""

from __future__ import annotations

from allennlp.training.metrics import Metric, SpanBasedF1Measure

from hmtl.metrics.distributed import sum_counters_across_processes
from hmtl.metrics.labelled_prf import labelled_prf


@Metric.register("distributed_span_f1")
class DistributedSpanBasedF1Measure(SpanBasedF1Measure):
    """`SpanBasedF1Measure` whose counts are summed over processes; values are Python floats."""

    supports_distributed = True

    def get_metric(self, reset: bool = False) -> dict[str, float]:
        total = sum_counters_across_processes(
            {"tp": self._true_positives, "fp": self._false_positives, "fn": self._false_negatives}
        )
        scores = labelled_prf(total["tp"], total["fp"], total["fn"], prf=self._compute_metrics)
        if reset:
            self.reset()
        return scores
