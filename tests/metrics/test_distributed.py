"""Counts are summed over the processes of a distributed run (two CPU processes, gloo)."""

import pytest

from hmtl.metrics.coreference import ConllCorefScores
from hmtl.metrics.distributed import sum_across_processes, sum_counters_across_processes
from hmtl.metrics.relation_f1 import RelationF1Measure
from hmtl.testing.processes import run_in_processes

A, B, C, D, E, X = (0, 0), (2, 3), (5, 5), (7, 8), (10, 10), (12, 12)


def test_outside_a_run_the_counts_come_back_unchanged():
    counts = {"a": 1, ("b", "PER"): 2.5}
    assert sum_across_processes(counts) == counts
    assert sum_across_processes(counts) is not counts
    assert sum_counters_across_processes({"tp": {"PER": 1}, "fp": {}}) == {
        "tp": {"PER": 1},
        "fp": {},
    }


def _scores(rank: int) -> tuple[dict, dict, dict]:
    coref = ConllCorefScores()
    relations = RelationF1Measure()
    if rank == 0:
        coref([[[A, B], [C, D], [X]]], [[[A, B, C], [D, E]]])
        relations([[(0, 1, "PHYS")]], [[(0, 1, "PHYS")]])
        labels = {"tp": {"PER": 1}}
    else:
        coref([[[(0, 1), (3, 3)]]], [[[(0, 1), (3, 3)]]])
        relations([[(0, 2, "ART")]], [[]])  # a type rank 0 never saw
        labels = {"tp": {"ORG": 2}, "fn": {"ORG": 1}}
    return coref.get_metric(), relations.get_metric(), sum_counters_across_processes(labels)


def test_two_processes_report_the_scores_of_all_their_documents(tmp_path):
    reports = run_in_processes(_scores, tmp_path)
    for coref, relations, labels in reports:
        assert isinstance(coref, dict), coref
        # Rank 0's document: MUC (1, 3, 1, 2); rank 1's: (1, 1, 1, 1) -> 2/4 and 2/3 on both.
        assert coref["muc_recall"] == pytest.approx(2 / 4)
        assert coref["muc_precision"] == pytest.approx(2 / 3)
        # CEAF-e: (1.3 + 1) / (2 + 1) recall.
        assert coref["ceafe_recall"] == pytest.approx(2.3 / 3)
        # Relations: PHYS tp 1 (rank 0), ART fp 1 (rank 1) -> precision 1/2, recall 1.
        assert relations["precision-overall"] == pytest.approx(1 / 2)
        assert relations["recall-overall"] == pytest.approx(1)
        assert relations["precision-ART"] == 0.0
        assert labels == {"tp": {"PER": 1, "ORG": 2}, "fn": {"ORG": 1}}
