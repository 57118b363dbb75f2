"""The coreference head's metric: CoNLL-2012 MUC, B-cubed, CEAF-e, their average, mention recall.

Registered as `conll_coref_scores`. Call it once per batch::

    metric(predicted_clusters, gold_clusters, top_spans=None, gold_mentions=None,
           top_span_mask=None)

- `predicted_clusters`, `gold_clusters`: one entry per document, each a list of clusters, each
  a list of mentions `(start, end)` (inclusive token indices; tuples, lists or tensors of two
  integers are all accepted). The gold clusters are the reader's `metadata["clusters"]`.
- `top_spans` (optional, for `mention_recall`): per document, the candidate spans the model
  kept after pruning, either an iterable of `(start, end)` per document or a
  `(batch, k, 2)` tensor; with a tensor, `top_span_mask` `(batch, k)` marks the real entries.
- `gold_mentions` (optional): per document, the gold mentions for `mention_recall`; by default
  every mention of the gold clusters.

`get_metric(reset)` returns Python floats: `coref_precision`, `coref_recall`, `coref_f1` (means
over MUC, B-cubed and CEAF-e, the CoNLL-2012 score being `coref_f1`), `mention_recall` (share of
gold mentions among the kept candidate spans), and `muc_*`, `b3_*`, `ceafe_*` (`precision`,
`recall`, `f1`). Scores are micro-averages over every document seen since the last reset and
equal the CoNLL reference scorer's; in a distributed run the counts of all processes are summed
first (so every process must call `get_metric` together).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import torch
from allennlp.training.metrics import Metric

from hmtl.metrics.coref_scores import ZERO, Counts, b_cubed, ceaf_e, muc
from hmtl.metrics.distributed import sum_across_processes

Span = tuple[int, int]

_METRICS = (("muc", muc), ("b3", b_cubed), ("ceafe", ceaf_e))
_FIELDS = Counts._fields


def _span(mention: Any) -> Span:
    """A mention as a hashable pair of ints, whatever container it came in."""
    if isinstance(mention, torch.Tensor):
        mention = mention.tolist()
    start, end = mention
    return int(start), int(end)


def _clusters(clusters: Iterable[Iterable[Any]]) -> list[list[Span]]:
    return [[_span(mention) for mention in cluster] for cluster in clusters]


def _top_spans(
    top_spans: Sequence[Iterable[Any]] | torch.Tensor, mask: torch.Tensor | None
) -> list[set[Span]]:
    if isinstance(top_spans, torch.Tensor):
        spans = top_spans.detach().cpu().tolist()
        keep = (
            mask.detach().cpu().bool().tolist()
            if mask is not None
            else [[True] * len(row) for row in spans]
        )
        return [
            {_span(span) for span, kept in zip(row, row_keep) if kept}
            for row, row_keep in zip(spans, keep)
        ]
    return [{_span(span) for span in document} for document in top_spans]


@Metric.register("conll_coref_scores")
class ConllCorefScores(Metric):
    """Accumulates the counts of the three CoNLL metrics and of mention recall over documents."""

    supports_distributed = True

    def __init__(self) -> None:
        self._counts: dict[str, Counts] = {name: ZERO for name, _ in _METRICS}
        self._gold_mentions = 0
        self._recalled_mentions = 0

    def __call__(  # type: ignore[override]
        self,
        predicted_clusters: Sequence[Iterable[Iterable[Any]]],
        gold_clusters: Sequence[Iterable[Iterable[Any]]],
        top_spans: Sequence[Iterable[Any]] | torch.Tensor | None = None,
        gold_mentions: Sequence[Iterable[Any]] | None = None,
        top_span_mask: torch.Tensor | None = None,
    ) -> None:
        if len(predicted_clusters) != len(gold_clusters):
            raise ValueError(
                f"conll_coref_scores: {len(predicted_clusters)} predicted documents but "
                f"{len(gold_clusters)} gold documents; pass one entry per document to both"
            )
        golds = [_clusters(document) for document in gold_clusters]
        for predicted, gold in zip(predicted_clusters, golds):
            predicted = _clusters(predicted)
            for name, metric in _METRICS:
                self._counts[name] = self._counts[name] + metric(gold, predicted)
        if top_spans is None:
            return
        kept = _top_spans(top_spans, top_span_mask)
        if gold_mentions is None:
            mentions = [{span for cluster in gold for span in cluster} for gold in golds]
        else:
            mentions = [{_span(span) for span in document} for document in gold_mentions]
        if len(kept) != len(mentions):
            raise ValueError(
                f"conll_coref_scores: top_spans has {len(kept)} documents but there are "
                f"{len(mentions)} gold documents"
            )
        for document_spans, document_mentions in zip(kept, mentions):
            self._gold_mentions += len(document_mentions)
            self._recalled_mentions += len(document_mentions & document_spans)

    def get_metric(self, reset: bool = False) -> dict[str, float]:
        local: dict[Any, float] = {
            (name, field): value
            for name, counts in self._counts.items()
            for field, value in zip(_FIELDS, counts)
        }
        local["gold_mentions"] = self._gold_mentions
        local["recalled_mentions"] = self._recalled_mentions
        total = sum_across_processes(local)
        scores: dict[str, float] = {}
        for name, _ in _METRICS:
            counts = Counts(*(total[(name, field)] for field in _FIELDS))
            scores[f"{name}_precision"] = float(counts.precision)
            scores[f"{name}_recall"] = float(counts.recall)
            scores[f"{name}_f1"] = float(counts.f1)
        for quantity in ("precision", "recall", "f1"):
            values = [scores[f"{name}_{quantity}"] for name, _ in _METRICS]
            scores[f"coref_{quantity}"] = float(sum(values) / len(values))
        gold_mentions = total["gold_mentions"]
        scores["mention_recall"] = (
            float(total["recalled_mentions"] / gold_mentions) if gold_mentions else 0.0
        )
        if reset:
            self.reset()
        return scores

    def reset(self) -> None:
        self._counts = {name: ZERO for name, _ in _METRICS}
        self._gold_mentions = 0
        self._recalled_mentions = 0
