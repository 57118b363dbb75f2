"""Optimizers that AllenNLP 2.10.1 does not register.

``fused_adam`` is PyTorch's Adam with ``fused=True``: each parameter's whole update (moments,
bias correction, step) is one kernel instead of about ten tensor operations, on the CPU as on
the GPU. Its updates equal ``adam``'s up to floating-point rounding, so switching a config from
one to the other does not reproduce a run's last digits; the two save the same state, so a run
can be continued with either.
"""

from typing import Any, Optional

import torch
from allennlp.training.optimizers import Optimizer, make_parameter_groups


@Optimizer.register("fused_adam")
class FusedAdamOptimizer(Optimizer, torch.optim.Adam):
    """``adam``'s arguments, computed by PyTorch's fused Adam kernel."""

    def __init__(
        self,
        model_parameters: list[tuple[str, torch.nn.Parameter]],
        parameter_groups: Optional[list[tuple[list[str], dict[str, Any]]]] = None,  # noqa: UP045
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-08,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(
            params=make_parameter_groups(model_parameters, parameter_groups),
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, fused=True,
        )
