"""How each task's loss is weighted before the step backpropagates it, as registrable parts.

``multi_task_trainer.loss_weighting`` names one; without it every task's loss counts once (the
original). A weighting is a ``torch.nn.Module``: learned weightings hold parameters, which the
step's optimizer(s) train with the model's, the checkpoint saves and TensorBoard shows
(``loss_weighting/<task>/<name>``). A plugin is a new class registered with
``@LossWeighting.register("name")``.

``forward(task, loss, constant_scale)`` returns the loss to backpropagate. A term that does not
depend on the batch (the regulariser of the uncertainty weighting) is multiplied by
``constant_scale``: 1 in one process, so that data-parallel ranks add it once between them.
"""


import math
from typing import Any, Optional

import torch
from allennlp.common import Registrable
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.config import build_registered

SETTING = "multi_task_trainer.loss_weighting"


class LossWeighting(torch.nn.Module, Registrable):
    """Scales a task's loss. ``task_names`` (config order) is given by the trainer."""

    default_implementation = "constant"

    def __init__(self, task_names: list[str]) -> None:
        super().__init__()
        self.task_names = list(task_names)

    def forward(  # type: ignore[override]
        self, task_name: str, loss: torch.Tensor, constant_scale: float = 1.0
    ) -> torch.Tensor:
        raise NotImplementedError

    def statistics(self) -> dict[str, float]:
        """Values worth plotting, by ``<task>/<name>`` (nothing for fixed weights)."""
        return {}


@LossWeighting.register("constant")
class ConstantWeighting(LossWeighting):
    """Fixed weights: ``weights`` maps a task to its factor (>= 0); unnamed tasks keep 1."""

    def __init__(
        self,
        task_names: list[str],
        weights: Optional[dict[str, float]] = None,  # noqa: UP045 - FromParams needs Optional
    ) -> None:
        super().__init__(task_names)
        weights = dict(weights or {})
        for name, weight in weights.items():
            if name not in self.task_names:
                raise ConfigurationError(
                    f"multi_task_trainer.loss_weighting.weights: no task named {name!r}; "
                    f"tasks are {', '.join(self.task_names)}"
                )
            if not isinstance(weight, int | float) or isinstance(weight, bool) or not (
                math.isfinite(weight) and weight >= 0
            ):
                raise ConfigurationError(
                    f"multi_task_trainer.loss_weighting.weights.{name} must be a number >= 0; "
                    f"got {weight!r}"
                )
        self.weights = {name: float(weights.get(name, 1.0)) for name in self.task_names}

    def forward(  # type: ignore[override]
        self, task_name: str, loss: torch.Tensor, constant_scale: float = 1.0
    ) -> torch.Tensor:
        weight = self.weights[task_name]
        return loss if weight == 1.0 else loss * weight


@LossWeighting.register("uncertainty")
class UncertaintyWeighting(LossWeighting):
    """Homoscedastic uncertainty weighting (Kendall, Gal & Cipolla, 2018).

    Each task t has a learned log-variance s_t (``initial_log_variance``, 0 by default: weight
    1 at the start) and contributes ``exp(-s_t) * L_t + s_t``: the form without the paper's
    factors of 1/2, whose gradient in s_t vanishes at ``s_t = log L_t``, so a task with a large
    loss gets a small weight. s_t gets a gradient only at the steps of task t.
    """

    def __init__(self, task_names: list[str], initial_log_variance: float = 0.0) -> None:
        super().__init__(task_names)
        self.log_variances = torch.nn.ParameterDict(
            {
                name: torch.nn.Parameter(torch.tensor(float(initial_log_variance)))
                for name in self.task_names
            }
        )

    def forward(  # type: ignore[override]
        self, task_name: str, loss: torch.Tensor, constant_scale: float = 1.0
    ) -> torch.Tensor:
        log_variance = self.log_variances[task_name]
        weighted = torch.exp(-log_variance) * loss
        if constant_scale != 0.0:
            weighted = weighted + log_variance * constant_scale
        return weighted

    def statistics(self) -> dict[str, float]:
        result: dict[str, float] = {}
        for name, value in self.log_variances.items():
            result[f"{name}/log_variance"] = float(value.detach())
            result[f"{name}/weight"] = math.exp(-float(value.detach()))
        return result


def build_weighting(block: Any, task_names: list[str]) -> LossWeighting:
    """The weighting of a ``loss_weighting`` setting, with errors naming the key."""
    return build_registered(LossWeighting, block, SETTING,
                            '{"type": "constant", "weights": {...}}', task_names=task_names)
