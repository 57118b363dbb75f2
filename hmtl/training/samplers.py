"""Task samplers: which task trains at each step, as registrable parts.

The original drew the task of each step proportionally to the number of training batches of the
task (so batch sizes shape the mixture) or uniformly. hmtl adds ``proportional_instances`` (to
the number of training instances, independent of batch sizes), ``temperature`` (probabilities
proportional to ``instances ** (1 / T)``: T = 1 is ``proportional_instances``, T -> infinity
tends to ``uniform``) and ``annealed`` (an exponent that falls over the epochs).

``multi_task_trainer.sampling_method`` names one: a string (``"proportional"``, the original's
default; ``"temperature"`` then takes ``multi_task_trainer.temperature``) or an object with a
``type`` and the sampler's own arguments (``{"type": "annealed", "final_alpha": 0.2}``). A plugin
registers its own with ``@TaskSampler.register("name")`` and ``--include-package``.

Every sampler draws from its own numpy generator, seeded by the run's seed; its state is in
the checkpoint, so a recovered run draws the tasks an uninterrupted one would have. The trainer
calls ``start_epoch`` before each epoch, so a sampler may change its distribution over epochs.
"""


from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
from allennlp.common import Params, Registrable
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.config import registered_block

# the distributions with a closed form over the tasks' sizes (``sampling_probabilities``)
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


class TaskSampler(Registrable):
    """Draws task names. ``num_batches`` / ``num_instances`` are the tasks' training sizes (in
    config order) and ``num_epochs`` the run's length; the trainer supplies them."""

    default_implementation = "proportional"

    def __init__(
        self,
        num_batches: dict[str, int],
        num_instances: dict[str, int],
        num_epochs: int = 1,
        seed: int = 0,
    ) -> None:
        self.num_batches = dict(num_batches)
        self.num_instances = dict(num_instances)
        self.num_epochs = num_epochs
        self._generator = np.random.default_rng(seed)
        self.probabilities = self.epoch_probabilities(0)

    def epoch_probabilities(self, epoch: int) -> dict[str, float]:
        """The probability of each task during ``epoch`` (0-based)."""
        raise NotImplementedError

    def start_epoch(self, epoch: int) -> None:
        """Called before each epoch (also the first after a recovery)."""
        self.probabilities = self.epoch_probabilities(epoch)

    def active_probabilities(self, exclude: Collection[str] = frozenset()) -> dict[str, float]:
        """The distribution over the tasks not excluded (frozen ones), renormalised."""
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


@TaskSampler.register("proportional")
class ProportionalSampler(TaskSampler):
    """∝ the number of training batches (the original's default)."""

    def epoch_probabilities(self, epoch: int) -> dict[str, float]:
        return sampling_probabilities("proportional", self.num_batches, self.num_instances)


@TaskSampler.register("proportional_instances")
class ProportionalInstancesSampler(TaskSampler):
    """∝ the number of training instances (independent of batch sizes)."""

    def epoch_probabilities(self, epoch: int) -> dict[str, float]:
        return sampling_probabilities(
            "proportional_instances", self.num_batches, self.num_instances
        )


@TaskSampler.register("uniform")
class UniformSampler(TaskSampler):
    """Every task with training data equally often."""

    def epoch_probabilities(self, epoch: int) -> dict[str, float]:
        return sampling_probabilities("uniform", self.num_batches, self.num_instances)


@TaskSampler.register("temperature")
class TemperatureSampler(TaskSampler):
    """∝ instances ** (1 / ``temperature``): 1 is ``proportional_instances``, larger values
    up-sample small tasks."""

    def __init__(
        self,
        num_batches: dict[str, int],
        num_instances: dict[str, int],
        num_epochs: int = 1,
        seed: int = 0,
        temperature: float = 1.0,
    ) -> None:
        if temperature <= 0:
            raise ConfigurationError(
                f"multi_task_trainer.temperature must be > 0; got {temperature}"
            )
        self.temperature = temperature
        super().__init__(num_batches, num_instances, num_epochs, seed)

    def epoch_probabilities(self, epoch: int) -> dict[str, float]:
        return sampling_probabilities(
            "temperature", self.num_batches, self.num_instances, self.temperature
        )


@TaskSampler.register("annealed")
class AnnealedSampler(TaskSampler):
    """Annealed sampling (Stickland & Murray, 2019): p_i ∝ N_i ** alpha, N_i the task's training
    instances, with alpha going linearly in the epoch index from ``initial_alpha`` (1: as
    ``proportional_instances``) in the first epoch to ``final_alpha`` (0.2: nearly uniform) in
    the last, so that small tasks are seen more as training goes on."""

    def __init__(
        self,
        num_batches: dict[str, int],
        num_instances: dict[str, int],
        num_epochs: int = 1,
        seed: int = 0,
        initial_alpha: float = 1.0,
        final_alpha: float = 0.2,
    ) -> None:
        for name, value in (("initial_alpha", initial_alpha), ("final_alpha", final_alpha)):
            if value < 0:
                raise ConfigurationError(
                    f"multi_task_trainer.sampling_method.{name} must be >= 0; got {value}"
                )
        self.initial_alpha = initial_alpha
        self.final_alpha = final_alpha
        super().__init__(num_batches, num_instances, num_epochs, seed)

    def alpha(self, epoch: int) -> float:
        """The exponent of ``epoch`` (0-based): ``initial_alpha`` at 0, ``final_alpha`` at the
        last epoch (``num_epochs - 1``), linear in between."""
        if self.num_epochs <= 1:
            return self.initial_alpha
        fraction = min(max(epoch, 0), self.num_epochs - 1) / (self.num_epochs - 1)
        return self.initial_alpha + (self.final_alpha - self.initial_alpha) * fraction

    def epoch_probabilities(self, epoch: int) -> dict[str, float]:
        alpha = self.alpha(epoch)
        weights = {
            name: float(count) ** alpha if count > 0 else 0.0
            for name, count in self.num_instances.items()
        }
        total = sum(weights.values())
        if total <= 0:
            raise ConfigurationError("no task has training data, so no task can be sampled")
        return {name: weight / total for name, weight in weights.items()}


def sampler_params(sampling_method: str | Mapping[str, Any], temperature: float) -> dict[str, Any]:
    """The ``sampling_method`` setting as an object with a ``type`` (a bare name of the original
    configs becomes ``{"type": name}``; ``temperature`` goes to the temperature sampler), after
    checking that the name is registered."""
    if isinstance(sampling_method, Params):
        sampling_method = sampling_method.as_dict(quiet=True)
    if isinstance(sampling_method, str):
        block: dict[str, Any] = {"type": sampling_method}
    elif isinstance(sampling_method, Mapping):
        block = dict(sampling_method)
    else:
        raise ConfigurationError(
            "multi_task_trainer.sampling_method must be a name or an object with a \"type\"; "
            f"got {sampling_method!r}"
        )
    block = registered_block(TaskSampler, block, "multi_task_trainer.sampling_method")
    if block["type"] == "temperature" and "temperature" not in block:
        block["temperature"] = temperature
    return block


def build_sampler(
    sampling_method: str | Mapping[str, Any],
    temperature: float,
    num_batches: dict[str, int],
    num_instances: dict[str, int],
    num_epochs: int,
    seed: int,
) -> TaskSampler:
    """The sampler of the ``sampling_method`` setting, with errors naming the key."""
    try:
        return TaskSampler.from_params(
            Params(sampler_params(sampling_method, temperature)),
            num_batches=num_batches, num_instances=num_instances, num_epochs=num_epochs,
            seed=seed,
        )
    except ConfigurationError as error:
        if error.message.startswith("multi_task_trainer."):
            raise
        raise ConfigurationError(f"multi_task_trainer.sampling_method: {error.message}") from error
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"multi_task_trainer.sampling_method: {error}") from error
