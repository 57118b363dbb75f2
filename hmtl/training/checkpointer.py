"""Checkpoints of a training run: what they hold, when they are written, how a run resumes.

A checkpoint is ``model_state.th`` (the weights), ``training_state.th`` (everything else needed
to continue exactly: the run state, optimizers, schedulers, AMP scaler, sampler, data-stream
positions, loss-weighting parameters, the accumulated training metrics and every random
generator of every process) and the ``best_*.th`` copies that changed, written all or nothing
(``hmtl.training.checkpointing``). Only the main process writes.

One is written after every validation and, with ``checkpoint_every_seconds``, also when that
many seconds passed since the last one (without validating, without best copies), so a run
killed before its first validation can still be recovered. ``--recover`` resumes from whichever
was written last.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from allennlp.common import Registrable
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.weights import load_torch_file
from hmtl.training.checkpointing import (
    JOURNAL,
    finish_interrupted_checkpoint,
    save_checkpoint,
)
from hmtl.training.distributed import SingleProcess, metrics_of

logger = logging.getLogger(__name__)

MODEL_STATE = "model_state.th"
TRAINING_STATE = "training_state.th"
VALIDATION = "validation"
TIMED = "timed"
_KIND = "__kind__"


def require_checkpoint(directory: str | Path) -> None:
    """``--recover`` needs a checkpoint (or an interrupted one that can be completed)."""
    directory = Path(directory)
    if not ((directory / TRAINING_STATE).is_file() or (directory / JOURNAL).is_file()):
        raise ConfigurationError(
            f"--recover: nothing was saved in {directory} (the run stopped before its first "
            "checkpoint); use -f/--force to start it over"
        )


class Checkpointer(Registrable):
    """Writes and reads the checkpoints of the run in ``directory``.

    Registrable (``multi_task_trainer.checkpointer``, default ``"default"``, this class): a
    subclass may, e.g., also copy each checkpoint elsewhere; the trainer passes ``directory``,
    ``every_seconds`` (``multi_task_trainer.checkpoint_every_seconds``) and ``strategy``.
    """

    default_implementation = "default"

    def __init__(
        self,
        directory: str | Path,
        every_seconds: float | None = None,
        strategy: SingleProcess | None = None,
    ) -> None:
        if every_seconds is not None and every_seconds <= 0:
            raise ConfigurationError(
                "multi_task_trainer.checkpoint_every_seconds must be > 0 (or null for "
                f"checkpoints at validations only); got {every_seconds}"
            )
        self.directory = Path(directory)
        self.every_seconds = every_seconds
        self.strategy = strategy or SingleProcess()
        self._last = time.monotonic()

    def restart_clock(self) -> None:
        """Count the time to the next timed checkpoint from now."""
        self._last = time.monotonic()

    def due(self) -> bool:
        """Whether a timed checkpoint is due (the main process's clock decides for all)."""
        late = self.every_seconds is not None and (
            time.monotonic() - self._last >= self.every_seconds
        )
        return self.strategy.main_decides(late)

    def save(
        self, model_state: Mapping[str, Any], training_state: Mapping[str, Any],
        best_files: list[str],
    ) -> None:
        """Write a checkpoint (main process only) and restart the clock."""
        self.restart_clock()
        if not self.strategy.is_main:
            return
        files: dict[str, Any] = {MODEL_STATE: model_state, TRAINING_STATE: training_state}
        for name in best_files:
            files[name] = model_state
        save_checkpoint(self.directory, files)

    def load(self) -> tuple[Any, dict[str, Any]]:
        """The last checkpoint's model weights and training state (after completing or dropping
        an interrupted checkpoint)."""
        if self.strategy.is_main:
            finish_interrupted_checkpoint(self.directory)
        self.strategy.barrier()
        require_checkpoint(self.directory)
        path = self.directory / TRAINING_STATE
        training_state = load_torch_file(path, "training state")
        model_state = load_torch_file(self.directory / MODEL_STATE, "model weights")
        return model_state, training_state


def check_same_run(
    saved: Mapping[str, Any], source: str, task_names: list[str], world_size: int
) -> None:
    """A checkpoint continues only the run it was written by: the same tasks, the same number
    of processes."""
    if list(saved["task_names"]) != task_names:
        raise ConfigurationError(
            f"{source}: the checkpoint was written for tasks {', '.join(saved['task_names'])} "
            f"but the config has {', '.join(task_names)}"
        )
    saved_world = int(saved.get("world_size", 1))
    if saved_world != world_size:
        raise ConfigurationError(
            f"{source}: the run was trained by {saved_world} process(es) but this one has "
            f"{world_size}; relaunch with the same number (torchrun --nnodes x "
            "--nproc_per_node) to recover it exactly"
        )


# --------------------------------------------------------------------------------------------
# the training metrics accumulated since the last validation


def metric_states(model: torch.nn.Module) -> dict[str, dict[str, Any]]:
    """The state of every AllenNLP metric the model holds, by where it is held, in a form
    ``torch.load(weights_only=True)`` reads (Counters, defaultdicts and named tuples are tagged
    plain structures). Callables (configuration, not state) are left out."""
    states: dict[str, dict[str, Any]] = {}
    for place, metric in metrics_of(model).items():
        attributes: dict[str, Any] = {}
        for name, value in vars(metric).items():
            if callable(value):
                continue
            try:
                attributes[name] = _encode(value)
            except TypeError as error:
                logger.warning("Metric %s.%s is not checkpointed (%s)", place, name, error)
        states[place] = attributes
    return states


def restore_metric_states(model: torch.nn.Module, saved: Mapping[str, Mapping[str, Any]]) -> None:
    """Put back what ``metric_states`` saved (metrics the model no longer holds are ignored)."""
    for place, metric in metrics_of(model).items():
        for name, value in saved.get(place, {}).items():
            setattr(metric, name, _decode(value, getattr(metric, name, None)))


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | torch.Tensor):
        return value
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {_KIND: "namedtuple", "items": [_encode(item) for item in value]}
    if isinstance(value, Counter | defaultdict | dict):
        kind = ("counter" if isinstance(value, Counter)
                else "defaultdict" if isinstance(value, defaultdict) else "dict")
        return {_KIND: kind, "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple | set | frozenset):
        return {_KIND: type(value).__name__, "items": [_encode(item) for item in value]}
    raise TypeError(f"cannot save a {type(value).__name__}")


def _decode(saved: Any, template: Any) -> Any:
    if not (isinstance(saved, dict) and _KIND in saved):
        return saved
    kind, items = saved[_KIND], saved["items"]
    if kind == "namedtuple":
        templates = list(template) if isinstance(template, tuple) else [None] * len(items)
        values = [_decode(item, t) for item, t in zip(items, templates)]
        return type(template)(*values) if hasattr(template, "_fields") else tuple(values)
    if kind in ("counter", "defaultdict", "dict"):
        inner = template if isinstance(template, Mapping) else {}
        fallback = next(iter(inner.values()), None)
        pairs = [(_decode(k, None), v) for k, v in items]
        decoded = {key: _decode(v, inner.get(key, fallback)) for key, v in pairs}
        if kind == "counter":
            return Counter(decoded)
        if kind == "defaultdict":
            factory = template.default_factory if isinstance(template, defaultdict) else None
            return defaultdict(factory, decoded)
        return decoded
    values = [_decode(item, None) for item in items]
    return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[kind](values)


Checkpointer.register("default")(Checkpointer)
