"""An endless, resumable stream of training batches for one task.

The sampler may draw a task more often than it has batches in an epoch, so each task's loader is
iterated pass after pass. Every pass shuffles under its own seed (derived from the run's seed, the
task and the pass number), and the stream's position is (pass, batch): saving that position in a
checkpoint and skipping to it on ``--recover`` gives exactly the batches an uninterrupted run would
have seen.

Each pass starts by freezing every object alive (the loaders' cached instances, the model, the
optimizers) out of Python's cyclic garbage collector, after one collection so that no garbage is
frozen: they live for the whole run, and a full collection no longer walks them (about 2 ms a
step for coreference, whose instances hold one field per candidate span). Nothing computed
changes.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from hmtl.training.seeding import python_random_seeded

logger = logging.getLogger(__name__)


class BatchStream:
    """Batches of ``loader``, one pass after another, from a reproducible position."""

    def __init__(self, loader: Iterable[Any], name: str, seed: int) -> None:
        self._loader = loader
        self._name = name
        self._seed = seed
        self.pass_index = 0
        self.batch_index = 0
        self._iterator: Iterator[Any] | None = None
        self._pending: Any = None

    def _start_pass(self) -> None:
        gc.collect()
        gc.freeze()
        # The loaders shuffle with Python's ``random`` before yielding their first batch, so the
        # first batch is fetched while that generator is seeded for this pass.
        with python_random_seeded(f"{self._seed}:{self._name}:{self.pass_index}"):
            self._iterator = iter(self._loader)
            self._pending = next(self._iterator, None)
        if self._pending is None:
            raise ValueError(f"task {self._name!r}: the training data yields no batch")

    def __next__(self) -> Any:
        if self._iterator is None:
            self._start_pass()
        assert self._iterator is not None
        if self._pending is not None:
            batch, self._pending = self._pending, None
        else:
            batch = next(self._iterator, None)
            if batch is None:
                self.pass_index += 1
                self.batch_index = 0
                self._start_pass()
                batch, self._pending = self._pending, None
        self.batch_index += 1
        return batch

    def __iter__(self) -> BatchStream:
        return self

    def state_dict(self) -> dict[str, int]:
        """The position: batches already taken from the current pass."""
        return {"pass_index": self.pass_index, "batch_index": self.batch_index}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Move to a saved position by replaying the pass up to it."""
        self.pass_index = int(state["pass_index"])
        target = int(state["batch_index"])
        self.batch_index = 0
        self._iterator = None
        self._pending = None
        if target == 0:
            return
        logger.info("Task %s: skipping %d batches to resume the data stream", self._name, target)
        self._start_pass()
        for _ in range(target):
            next(self)
