"""The pure-Python maximum-weight assignment behind CEAF, against hand-solved tables and
scipy's ``linear_sum_assignment`` (an independent implementation) on random sparse tables."""

import random

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from hmtl.metrics.assignment import max_weight_matching


def test_a_greedy_choice_is_not_taken_when_the_sum_is_lower():
    # greedy takes (0, 0) = 0.9 and then (1, 1) = 0.1: 1.0; the best is 0.8 + 0.7 = 1.5
    weights = {(0, 0): 0.9, (0, 1): 0.8, (1, 0): 0.7, (1, 1): 0.1}
    assert max_weight_matching(weights) == [(0, 1), (1, 0)]


def test_absent_pairs_weigh_nothing_and_are_never_returned():
    # three rows want column 5; only one can have it, the others have no other weighted pair
    weights = {(0, 5): 0.5, (1, 5): 0.6, (2, 5): 0.4, (3, 7): 1.0}
    assert max_weight_matching(weights) == [(1, 5), (3, 7)]
    assert max_weight_matching({}) == []


def test_more_rows_than_columns():
    weights = {(0, 0): 1.0, (1, 0): 2.0, (2, 0): 3.0, (2, 1): 2.5, (1, 1): 0.5}
    # (2, 0) + (1, 1) = 3.5 < (1, 0) + (2, 1) = 4.5
    assert max_weight_matching(weights) == [(1, 0), (2, 1)]


@pytest.mark.parametrize("seed", range(40))
def test_the_total_equals_scipys_on_random_sparse_tables(seed):
    rng = random.Random(seed)
    rows, columns = rng.randint(1, 9), rng.randint(1, 9)
    weights = {
        (row, column): rng.choice([0.25, 0.5, rng.random()])
        for row in range(rows) for column in range(columns) if rng.random() < 0.4
    }
    dense = np.zeros((rows, columns))
    for (row, column), weight in weights.items():
        dense[row, column] = weight
    best_rows, best_columns = linear_sum_assignment(dense, maximize=True)
    expected = dense[best_rows, best_columns].sum()
    matched = max_weight_matching(weights)
    assert len({row for row, _ in matched}) == len(matched) == len({c for _, c in matched})
    assert sum(weights[pair] for pair in matched) == pytest.approx(expected, abs=1e-12)
