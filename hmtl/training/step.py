"""The optimisation step: one task's batch from loss to updated parameters.

Zero the gradients of the task's optimizer, compute the loss (under autocast with AMP), stop on
a loss that is not finite, backpropagate (scaled with AMP, then unscaled), clamp every gradient
element to ``grad_clipping``, rescale all gradients to a global norm of at most ``grad_norm``,
step the optimizer (through the AMP scaler) and the task's learning-rate scheduler.

There is one optimizer (and scheduler) per task over all parameters, as in the original, or one
shared by every task (``optimizer_per_task: false``; its plateau metric is then the average
validation score). The step also follows the learning rates: ``all_below_min_lr`` stops a run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import torch
from allennlp.common import Lazy, Registrable
from allennlp.common.checks import ConfigurationError
from allennlp.training.learning_rate_schedulers import LearningRateScheduler
from allennlp.training.optimizers import Optimizer
from torch.nn.utils import clip_grad_norm_

logger = logging.getLogger(__name__)

SHARED = "__shared__"  # key of the one optimizer when ``optimizer_per_task`` is false


class OptimisationStep(Registrable):
    """Optimizers, schedulers, AMP scaler and clipping for ``parameters`` (name, tensor).

    ``steps_per_epoch`` gives each optimizer key's expected steps per epoch (for schedulers that
    need it) and ``decreases`` whether each key's plateau metric decreases.

    Registrable (``multi_task_trainer.step``, default ``"default"``, this class): a subclass
    changes how a batch's loss becomes a parameter update (e.g. gradient surgery between tasks)
    and takes its own keys from that block; the trainer passes every argument above, built from
    the original keys of ``multi_task_trainer`` (``optimizer``, ``scheduler``, ``grad_norm``,
    ``grad_clipping``, ``use_amp``, ``min_lr``).
    """

    default_implementation = "default"

    def __init__(
        self,
        parameters: list[tuple[str, torch.nn.Parameter]],
        optimizer: Lazy[Optimizer],
        keys: list[str],
        steps_per_epoch: Mapping[str, int],
        decreases: Mapping[str, bool],
        num_epochs: int,
        scheduler: Lazy[LearningRateScheduler] | None = None,
        grad_norm: float | None = None,
        grad_clipping: float | None = None,
        use_amp: bool = False,
        min_lr: float = 1e-5,
    ) -> None:
        self.parameters = [parameter for _, parameter in parameters]
        self.optimizers: dict[str, Optimizer] = {}
        self.schedulers: dict[str, LearningRateScheduler] = {}
        for key in keys:
            try:
                self.optimizers[key] = optimizer.construct(model_parameters=parameters)
            except (TypeError, ValueError) as error:
                raise ConfigurationError(f"multi_task_trainer.optimizer: {error}") from error
            if scheduler is None:
                continue
            try:
                self.schedulers[key] = scheduler.construct(
                    optimizer=self.optimizers[key],
                    num_epochs=num_epochs,
                    num_steps_per_epoch=steps_per_epoch[key],
                    validation_metric_decreases=decreases[key],
                )
            except (TypeError, ValueError) as error:
                raise ConfigurationError(f"multi_task_trainer.scheduler: {error}") from error
        self.per_task = keys != [SHARED]
        self.grad_norm = grad_norm
        self.grad_clipping = grad_clipping
        self.use_amp = use_amp
        self.scaler = torch.amp.GradScaler("cuda") if use_amp else None
        self.min_lr = min_lr
        self.optimizer_steps = dict.fromkeys(self.optimizers, 0)
        self.min_lr_hit = dict.fromkeys(self.optimizers, False)

    def key(self, task_name: str) -> str:
        """The optimizer of a task."""
        return task_name if self.per_task else SHARED

    def __call__(
        self,
        task_name: str,
        compute_loss: Callable[[], torch.Tensor],
        global_loss: Callable[[torch.Tensor], torch.Tensor],
        device: torch.device,
        global_step: int,
    ) -> float:
        """Train one batch of ``task_name``; returns the global batch's loss.

        ``compute_loss`` gives the loss to backpropagate, ``global_loss`` turns it into the
        whole batch's loss (the same on every process), checked to be finite."""
        key = self.key(task_name)
        optimizer = self.optimizers[key]
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, enabled=self.use_amp):
            loss = compute_loss()
        value = global_loss(loss)
        if not torch.isfinite(value):
            raise ValueError(
                f"task {task_name!r}: the loss is {value.item()} at step {global_step}"
            )
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(optimizer)
        else:
            loss.backward()
        self.clip()
        if self.scaler is not None:
            self.scaler.step(optimizer)
            self.scaler.update()
        else:
            optimizer.step()
        self.optimizer_steps[key] += 1
        if key in self.schedulers:
            self.schedulers[key].step_batch(self.optimizer_steps[key])
        return float(value.item())

    def clip(self) -> None:
        """Clamp each gradient element to +-``grad_clipping``, then rescale the gradients to a
        global norm of at most ``grad_norm``."""
        if self.grad_clipping is not None:
            for parameter in self.parameters:
                grad = parameter.grad
                if grad is not None:
                    (grad._values() if grad.is_sparse else grad).clamp_(
                        -self.grad_clipping, self.grad_clipping
                    )
        if self.grad_norm:
            clip_grad_norm_([p for p in self.parameters if p.grad is not None], self.grad_norm)

    def after_validation(self, task_scores: Mapping[str, float], combined: float) -> None:
        """Step the plateau schedulers (each task's on its score, the shared one on the
        average) and note the optimizers whose learning rate fell below ``min_lr``."""
        for key, scheduler in self.schedulers.items():
            scheduler.step(combined if key == SHARED else task_scores[key])
        for key, optimizer in self.optimizers.items():
            lr = min(group["lr"] for group in optimizer.param_groups)
            if lr < self.min_lr and not self.min_lr_hit[key]:
                self.min_lr_hit[key] = True
                logger.info("Learning rate of %s is %g < min_lr %g", key, lr, self.min_lr)

    @property
    def all_below_min_lr(self) -> bool:
        return all(self.min_lr_hit.values())

    def state_dict(self) -> dict[str, Any]:
        """Optimizers, schedulers, scaler and counters (top-level keys of the training state)."""
        return {
            "optimizer_keys": list(self.optimizers),
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
            "schedulers": {k: s.state_dict() for k, s in self.schedulers.items()},
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "optimizer_steps": dict(self.optimizer_steps),
            "min_lr_hit": dict(self.min_lr_hit),
        }

    def load_state_dict(self, saved: Mapping[str, Any], source: str) -> None:
        """Continue from ``state_dict``'s output, read from the file ``source``."""
        if list(saved["optimizer_keys"]) != list(self.optimizers):
            raise ConfigurationError(
                f"{source}: the checkpoint has optimizers for "
                f"{', '.join(saved['optimizer_keys'])} but the config builds "
                f"{', '.join(self.optimizers)} (multi_task_trainer.optimizer_per_task changed?)"
            )
        if set(saved["schedulers"]) != set(self.schedulers):
            raise ConfigurationError(
                f"{source}: the checkpoint's learning-rate schedulers do not match the config's "
                "multi_task_trainer.scheduler"
            )
        try:
            for key, optimizer in self.optimizers.items():
                optimizer.load_state_dict(saved["optimizers"][key])
            for key, scheduler in self.schedulers.items():
                scheduler.load_state_dict(saved["schedulers"][key])
        except (ValueError, KeyError, RuntimeError) as error:
            raise ConfigurationError(
                f"{source}: the optimizer or scheduler state does not fit the config ({error})"
            ) from error
        if self.scaler is not None and saved.get("scaler"):
            self.scaler.load_state_dict(saved["scaler"])
        self.optimizer_steps = dict(saved["optimizer_steps"])
        self.min_lr_hit = dict(saved["min_lr_hit"])


OptimisationStep.register("default")(OptimisationStep)
