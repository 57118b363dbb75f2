"""Seeds and snapshots of every random number generator a training run uses.

The original never seeded anything and its ``--recover`` did not restore random states, so a
resumed run diverged from an uninterrupted one. The snapshot holds only Python ints, tuples,
lists and torch tensors, so a checkpoint that contains it loads with ``weights_only=True``.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import torch


def set_seeds(seed: int) -> None:
    """Seed Python's ``random``, numpy's global generator and torch (CPU and every GPU)."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def capture_rng_state() -> dict[str, Any]:
    """The current state of every generator, in a form ``torch.load(weights_only=True)`` reads."""
    name, keys, position, has_gauss, cached_gaussian = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {
            "name": str(name),
            "keys": [int(k) for k in keys],
            "position": int(position),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached_gaussian),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: Mapping[str, Any]) -> None:
    """Put every generator back where ``capture_rng_state`` found it."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    saved = state["numpy"]
    np.random.set_state(
        (
            saved["name"],
            np.array(saved["keys"], dtype=np.uint32),
            saved["position"],
            saved["has_gauss"],
            saved["cached_gaussian"],
        )
    )
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


@contextlib.contextmanager
def python_random_seeded(seed: int) -> Iterator[None]:
    """Run a block with Python's ``random`` seeded to ``seed``, then restore the previous state.

    AllenNLP's data loaders shuffle with the global ``random`` module when an iteration starts;
    seeding each pass of each task independently makes batch orders reproducible after a
    ``--recover`` and keeps validation from disturbing the training sequence.
    """
    saved = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved)
