"""Seeds and random-state snapshots."""

import io
import random

import numpy as np
import torch

from hmtl.training.seeding import (
    capture_rng_state,
    python_random_seeded,
    restore_rng_state,
    set_seeds,
)


def _draws() -> tuple:
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_the_same_seed_gives_the_same_draws():
    set_seeds(5)
    first = _draws()
    set_seeds(5)
    assert _draws() == first


def test_a_snapshot_survives_a_safe_save_and_load_and_restores_every_generator():
    set_seeds(1)
    _draws()
    buffer = io.BytesIO()
    torch.save(capture_rng_state(), buffer)
    expected = _draws()
    set_seeds(99)
    buffer.seek(0)
    restore_rng_state(torch.load(buffer, weights_only=True))
    assert _draws() == expected


def test_python_random_seeded_restores_the_outer_state():
    random.seed(3)
    state = random.getstate()
    with python_random_seeded("a:b:0"):
        inner = random.random()
    assert random.getstate() == state
    with python_random_seeded("a:b:0"):
        assert random.random() == inner
