"""`reduce_on_plateau` that works on torch 2.x and follows the task's metric direction.

AllenNLP 2.10.1 passes ``verbose=`` to ``ReduceLROnPlateau``, which torch 2.x removed, so its
scheduler of that name cannot be built. This module registers a replacement under the same name
(``exist_ok=True``) so that the original configs keep working. The original configs also set
``mode: min`` on an F1 score, which silently shrank the learning rate while the model improved: here
the trainer passes the direction of the task's validation metric, and the mode always follows it.
"""

import logging
from typing import Optional, Union

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.training.learning_rate_schedulers import LearningRateScheduler
from allennlp.training.learning_rate_schedulers.learning_rate_scheduler import (
    _PyTorchLearningRateSchedulerWithMetricsWrapper,
)

logger = logging.getLogger(__name__)


@LearningRateScheduler.register("reduce_on_plateau", exist_ok=True)
class ReduceOnPlateauScheduler(_PyTorchLearningRateSchedulerWithMetricsWrapper):
    """Halve (``factor``) the learning rate when the validation metric stops improving.

    ``validation_metric_decreases`` is filled in by the trainer, not by the config: it decides the
    mode. A configured ``mode`` that contradicts it is overridden with a warning; ``verbose`` is
    accepted for old configs and ignored (torch 2.x logs nothing either way).
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        mode: Optional[str] = None,  # noqa: UP045 - FromParams needs typing.Optional
        factor: float = 0.1,
        patience: int = 10,
        verbose: bool = False,
        threshold_mode: str = "rel",
        threshold: float = 1e-4,
        cooldown: int = 0,
        min_lr: Union[float, list[float]] = 0.0,  # noqa: UP007
        eps: float = 1e-8,
        validation_metric_decreases: Optional[bool] = None,  # noqa: UP045
    ) -> None:
        if mode is not None and mode not in ("min", "max"):
            raise ConfigurationError(
                f"reduce_on_plateau: mode must be 'min' or 'max', got {mode!r}"
            )
        if validation_metric_decreases is not None:
            wanted = "min" if validation_metric_decreases else "max"
            if mode is not None and mode != wanted:
                logger.warning(
                    "reduce_on_plateau: the config says mode=%r but the validation metric %s; "
                    "using mode=%r",
                    mode,
                    "decreases" if validation_metric_decreases else "increases",
                    wanted,
                )
            mode = wanted
        elif mode is None:
            mode = "min"
        if verbose:
            logger.info("reduce_on_plateau: 'verbose' is ignored on torch 2.x")
        self.mode = mode
        lr_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer=optimizer,
            mode=mode,
            factor=factor,
            patience=patience,
            threshold_mode=threshold_mode,
            threshold=threshold,
            cooldown=cooldown,
            min_lr=min_lr,
            eps=eps,
        )
        super().__init__(lr_scheduler)
