"""Which task trains at each step: the sampling distributions and a resumable sampler.

The original drew the task of each step proportionally to the number of training batches of the
task (so batch sizes shape the mixture) or uniformly. We add ``proportional_instances`` (to the
number of training instances, independent of batch sizes) and ``temperature`` (probabilities
proportional to ``instances ** (1 / T)``: T = 1 is ``proportional_instances``, T -> infinity
tends to ``uniform``), the usual way to up-sample small tasks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
from allennlp.common.checks import ConfigurationError

SAMPLING_METHODS = ("proportional", "proportional_instances", "uniform", "temperature")


def sampling_probabilities(
    method: str,
    num_batches: Mapping[str, int],
    num_instances: Mapping[str, int],
    temperature: float = 1.0,
) -> dict[str, float]:
    """The probability of drawing each task, in the order of ``num_batches``.

    Tasks with no training data get probability 0; at least one task must have data.
    """
    names = list(num_batches)
    if method == "proportional":
        weights = [float(num_batches[name]) for name in names]
    elif method == "proportional_instances":
        weights = [float(num_instances[name]) for name in names]
    elif method == "uniform":
        weights = [1.0 if num_batches[name] > 0 else 0.0 for name in names]
    elif method == "temperature":
        if temperature <= 0:
            raise ConfigurationError(f"temperature must be > 0, got {temperature}")
        weights = [float(num_instances[name]) ** (1.0 / temperature) for name in names]
    else:
        raise ConfigurationError(
            f"sampling_method must be one of {', '.join(SAMPLING_METHODS)}; got {method!r}"
        )
    total = sum(weights)
    if not names or total <= 0:
        raise ConfigurationError("no task has training data, so no task can be sampled")
    return {name: weight / total for name, weight in zip(names, weights)}


class TaskSampler:
    """Draws task names from fixed probabilities with its own random generator.

    Its state is part of the checkpoint, so a recovered run draws the same tasks as an
    uninterrupted one would have. ``exclude`` removes tasks (frozen ones) and renormalises.
    """

    def __init__(self, probabilities: Mapping[str, float], seed: int | None = None) -> None:
        self.probabilities = dict(probabilities)
        self._generator = np.random.default_rng(seed)

    def active_probabilities(self, exclude: Collection[str] = frozenset()) -> dict[str, float]:
        """The distribution over the tasks not excluded (renormalised)."""
        kept = {n: p for n, p in self.probabilities.items() if n not in exclude and p > 0}
        total = sum(kept.values())
        if total <= 0:
            raise ValueError("every task is excluded from sampling")
        return {name: p / total for name, p in kept.items()}

    def draw(self, exclude: Collection[str] = frozenset()) -> str:
        """One task name."""
        active = self.active_probabilities(exclude)
        names = list(active)
        index = int(self._generator.choice(len(names), p=np.array(list(active.values()))))
        return names[index]

    def state_dict(self) -> dict[str, Any]:
        """The generator state (plain Python ints and strings, safe for ``weights_only``)."""
        return {"bit_generator": self._generator.bit_generator.state}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Continue the sequence of draws saved by ``state_dict``."""
        self._generator.bit_generator.state = dict(state["bit_generator"])
