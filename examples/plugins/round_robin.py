"""A task sampler plugin: the tasks take turns, in config order (frozen tasks are skipped).

    python train.py -c configs/demo.json -s runs/round_robin \
        --include-package examples.plugins.round_robin \
        -o '{"multi_task_trainer.sampling_method": "round_robin"}'
"""

from collections.abc import Collection, Mapping
from typing import Any

from hmtl.training.samplers import TaskSampler


@TaskSampler.register("round_robin")
class RoundRobinSampler(TaskSampler):
    """Draws every task with training data in turn; its position is checkpointed."""

    def __init__(self, num_batches: dict[str, int], num_instances: dict[str, int],
                 num_epochs: int = 1, seed: int = 0) -> None:
        super().__init__(num_batches, num_instances, num_epochs, seed)
        self.position = 0

    def epoch_probabilities(self, epoch: int) -> dict[str, float]:
        with_data = [name for name, count in self.num_batches.items() if count > 0]
        return {name: (1 / len(with_data) if name in with_data else 0.0)
                for name in self.num_batches}

    def draw(self, exclude: Collection[str] = frozenset()) -> str:
        names = list(self.active_probabilities(exclude))
        name = names[self.position % len(names)]
        self.position += 1
        return name

    def state_dict(self) -> dict[str, Any]:
        return {"position": self.position}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.position = int(state["position"])
