"""The built-in prober: SentEval's grid, choice of C on dev, accuracies in percent."""

import numpy as np
import pytest

from hmtl.probing.data import read_probing_file
from hmtl.probing.prober import SENTEVAL_C_GRID, LogisticRegressionProber
from tests.probing.probing_files import length_examples, random_examples, write_examples


def hand_made_vectors(examples, seed=0):
    """[sentence length, three noise features]: keeps the length and nothing else."""
    rng = np.random.default_rng(seed)
    lengths = np.array([[len(tokens)] for _, _, tokens in examples], dtype=float)
    return np.hstack([lengths, rng.normal(size=(len(examples), 3))])


def probe_file(tmp_path, examples):
    data = read_probing_file(write_examples(tmp_path / "task.txt", examples))
    x = hand_made_vectors(examples)
    n_train, n_dev = len(data.splits["train"]), len(data.splits["dev"])
    parts = [x[:n_train], x[n_train:n_train + n_dev], x[n_train + n_dev:]]
    labels = [data.label_ids(s) for s in ("train", "dev", "test")]
    return LogisticRegressionProber().fit_evaluate(
        parts[0], labels[0], parts[1], labels[1], parts[2], labels[2]
    )


def test_the_grid_is_senteval_sklearn_grid():
    # 2^-2 .. 2^3
    assert SENTEVAL_C_GRID == (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def test_beats_chance_on_the_learnable_length_task(tmp_path):
    result = probe_file(tmp_path, length_examples())
    # lengths 2-4 vs 8-10 are separated by the first feature: anything short of perfect is a bug
    assert result.devacc == 100.0 and result.acc == 100.0
    assert (result.ntrain, result.ndev, result.ntest) == (60, 20, 20)
    assert result.C in SENTEVAL_C_GRID


def test_stays_near_chance_on_the_random_task(tmp_path):
    result = probe_file(tmp_path, random_examples())
    # two classes -> chance is 50 %; with 20 test examples one standard deviation is
    # 100 * sqrt(0.25 / 20) = 11.2 points, so 2.5 sigma allows [22, 78]
    assert 22.0 <= result.acc <= 78.0


def test_accuracies_are_percentages_rounded_to_two_decimals():
    # 1-D, separable on train: x < 0 -> class 0, x > 0 -> class 1
    x_train = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y_train = np.array([0, 0, 1, 1])
    # dev: 2 of 3 follow the rule -> 66.67; test: 2 of 4 follow it -> 50.0
    x_dev, y_dev = np.array([[-1.0], [1.0], [1.5]]), np.array([0, 1, 0])
    x_test, y_test = np.array([[-1.0], [-1.0], [1.0], [1.0]]), np.array([0, 1, 1, 0])
    result = LogisticRegressionProber().fit_evaluate(x_train, y_train, x_dev, y_dev, x_test, y_test)
    assert (result.devacc, result.acc) == (66.67, 50.0)
    # every C scores the same on dev, so the first of the grid is kept
    assert result.C == 0.25
    assert result.as_dict() == {
        "devacc": 66.67, "acc": 50.0, "ntrain": 4, "ndev": 3, "ntest": 4, "C": 0.25
    }


def test_c_is_chosen_on_the_dev_split():
    # train: x = -1 -> 0 (3 times), x = +1 -> 1 (5 times). With a tiny C the weight is ~0 and
    # the (unpenalised) intercept predicts the majority class 1 everywhere; with a large C the
    # classifier follows the sign of x.
    x_train = np.array([[-1.0]] * 3 + [[1.0]] * 5)
    y_train = np.array([0] * 3 + [1] * 5)
    x_test, y_test = np.array([[-1.0], [1.0]]), np.array([0, 1])
    prober = LogisticRegressionProber(c_grid=[1e-6, 100.0])
    # dev follows the sign: large C right 3/3, tiny C right 1/3
    signed = prober.fit_evaluate(
        x_train, y_train, np.array([[-1.0], [-1.0], [1.0]]), np.array([0, 0, 1]), x_test, y_test
    )
    assert (signed.C, signed.devacc, signed.acc) == (100.0, 100.0, 100.0)
    # dev is all class 1: tiny C right 2/2, large C right 1/2
    majority = prober.fit_evaluate(
        x_train, y_train, np.array([[-1.0], [1.0]]), np.array([1, 1]), x_test, y_test
    )
    # the majority classifier gets only the class-1 test example right: 1/2
    assert (majority.C, majority.devacc, majority.acc) == (1e-6, 100.0, 50.0)


def test_bad_inputs_are_clear_errors():
    prober = LogisticRegressionProber()
    x, y = np.array([[0.0], [1.0]]), np.array([0, 1])
    with pytest.raises(ValueError, match="dev has 2 features, train has 1"):
        prober.fit_evaluate(x, y, np.zeros((2, 2)), y, x, y)
    with pytest.raises(ValueError, match="one label per example"):
        prober.fit_evaluate(x, np.array([0, 1, 1]), x, y, x, y)
    with pytest.raises(ValueError, match="NaN"):
        prober.fit_evaluate(x, y, x, y, np.array([[np.nan], [0.0]]), y)
    with pytest.raises(ValueError, match="single class"):
        prober.fit_evaluate(x, np.array([1, 1]), x, y, x, y)
    with pytest.raises(ValueError, match="C grid"):
        LogisticRegressionProber(c_grid=[0.0, 1.0])
