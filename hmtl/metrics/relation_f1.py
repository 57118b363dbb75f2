"""Relation extraction precision/recall/F1 over (ARG1 token, ARG2 token, type) triples.

A predicted triple is correct iff the gold of the same sentence has it, as in the original HMTL:
arguments are identified by their last tokens, as the relation head predicts them.

Call signature (once per batch)::

    metric(predicted_relations, gold_relations)

both sequences with one entry per sentence, each entry an iterable of
`(arg1_token, arg2_token, type)` triples (a set, list or tuple; repeats count once).
`get_metric(reset)` returns `precision-overall`, `recall-overall`, `f1-measure-overall` and the
same three per relation type (`precision-PHYS`, ...), as Python floats; a ratio with a zero
denominator is 0. Counts are summed over processes in a distributed run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from allennlp.training.metrics import Metric

from hmtl.metrics.distributed import sum_counters_across_processes
from hmtl.metrics.labelled_prf import labelled_prf

Triple = tuple[int, int, str]
_KINDS = ("tp", "fp", "fn")


def _triples(relations: Iterable[Sequence[object]], side: str, index: int) -> set[Triple]:
    triples = set()
    for relation in relations:
        if len(relation) != 3 or not isinstance(relation[2], str):
            raise ValueError(
                f"relation_f1: {side} relation {relation!r} of sentence {index} is not an "
                "(arg1_token, arg2_token, type) triple with a string type"
            )
        triples.add((int(relation[0]), int(relation[1]), relation[2]))
    return triples


@Metric.register("relation_f1")
class RelationF1Measure(Metric):
    """Micro precision/recall/F1 of relation triples, overall and per relation type."""

    supports_distributed = True

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = {kind: Counter() for kind in _KINDS}

    def __call__(  # type: ignore[override]
        self,
        predicted_relations: Sequence[Iterable[Sequence[object]]],
        gold_relations: Sequence[Iterable[Sequence[object]]],
    ) -> None:
        if len(predicted_relations) != len(gold_relations):
            raise ValueError(
                f"relation_f1: {len(predicted_relations)} predicted sentences but "
                f"{len(gold_relations)} gold sentences; pass one entry per sentence to both"
            )
        for index, (predicted, gold) in enumerate(zip(predicted_relations, gold_relations)):
            predicted_set = _triples(predicted, "predicted", index)
            gold_set = _triples(gold, "gold", index)
            for kind, triples in (
                ("tp", predicted_set & gold_set),
                ("fp", predicted_set - gold_set),
                ("fn", gold_set - predicted_set),
            ):
                self._counts[kind].update(relation_type for _, _, relation_type in triples)

    def get_metric(self, reset: bool = False) -> dict[str, float]:
        total = sum_counters_across_processes(self._counts)
        scores = labelled_prf(total["tp"], total["fp"], total["fn"])
        if reset:
            self.reset()
        return scores

    def reset(self) -> None:
        self._counts = {kind: Counter() for kind in _KINDS}
