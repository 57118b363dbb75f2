"""The state of a training run as typed dataclasses: where the loop is, what each task has done,
and each task's patience and best validation.

``RunState.to_dict`` is the layout stored in ``training_state.th`` (plain ints, floats, strings,
lists and dicts, so it loads with ``weights_only=True``); ``RunState.from_dict`` reads it back,
including the version-1 layout that the trainer wrote before these classes existed (the same
keys, without ``checkpoint_kind``). Any other version is a one-line error naming it.

The per-task tracker is registrable (``TaskTracker``, key ``multi_task_trainer.tracker``,
default ``"patience"``): the trainer builds one per task and ``RunState.from_dict`` loads a
checkpoint's per-task state into trackers of the configured type.

No ``from __future__ import annotations``: ``FromParams`` reads the registered tracker's
constructor annotations as types.
"""

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Optional

from allennlp.common import Registrable
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.config import construct_registered, registered_setting

STATE_VERSION = 2
READABLE_VERSIONS = (1, 2)

Metrics = dict[str, dict[str, float]]


def improves(value: float, best: float, decreases: bool) -> bool:
    """Whether ``value`` is strictly better than ``best``."""
    return value < best if decreases else value > best


@dataclass
class BestTracker:
    """The history of one validation score and where its best value was reached."""

    history: list[float] = field(default_factory=list)
    best_index: int = -1
    best_epoch: int = -1
    best_step: int = -1
    best_validation_metrics: Metrics = field(default_factory=dict)

    def record(
        self, value: float, decreases: bool, epoch: int, step: int, validation: Metrics
    ) -> bool:
        """Add a validation's score; True when it is the best so far (the first always is)."""
        return self.add(value, lambda new, best: improves(new, best, decreases), epoch, step,
                        validation)

    def add(
        self, value: float, beats: Callable[[float, float], bool], epoch: int, step: int,
        validation: Metrics,
    ) -> bool:
        """Append a validation's score; it is the best when it is the first or ``beats(value,
        best so far)``. True when it is."""
        best = self.best_value
        is_best = best is None or beats(value, best)
        self.history.append(float(value))
        if is_best:
            self.best_index = len(self.history) - 1
            self.best_epoch = epoch
            self.best_step = step
            self.best_validation_metrics = copy.deepcopy(validation)
        return is_best

    @property
    def best_value(self) -> float | None:
        """The best score so far (None before the first validation)."""
        return self.history[self.best_index] if self.history else None

    @property
    def validations_without_improvement(self) -> int:
        """Validations since the best one."""
        return len(self.history) - 1 - self.best_index

    def to_dict(self) -> dict[str, Any]:
        return {
            "history": list(self.history),
            "best_index": self.best_index,
            "best_epoch": self.best_epoch,
            "best_step": self.best_step,
            "best_validation_metrics": copy.deepcopy(self.best_validation_metrics),
        }

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any]) -> "BestTracker":
        return cls(**_fields_of(cls, saved))


@dataclass(init=False)
class TaskTracker(BestTracker, Registrable):
    """A task's best validation plus its patience: out of patience after ``patience``
    validations without improvement (never when ``patience`` is None), and frozen out of
    sampling when the trainer says so (``freeze_converged_tasks``).

    Registrable (``multi_task_trainer.tracker``, default ``"patience"``, this class): the
    trainer builds one per task, passing ``decreases`` (the task's
    ``validation_metric_decreases``) and ``patience`` (``multi_task_trainer.patience``); a
    subclass takes its own keys from that block and may change what counts as an improvement
    (``is_improvement``) or when patience runs out (``check_patience``). Its state is its
    dataclass fields: a subclass declared ``@dataclass(init=False)`` has its own fields saved in
    the checkpoint and restored by ``load_state_dict`` (a field absent from an older checkpoint
    keeps its initial value).
    """

    default_implementation = "patience"

    out_of_patience: bool = False
    frozen: bool = False

    def __init__(self, decreases: bool = False, patience: Optional[int] = None) -> None:  # noqa: UP045
        BestTracker.__init__(self)
        self.decreases = decreases
        self.patience = patience
        self.out_of_patience = False
        self.frozen = False

    def is_improvement(self, value: float, best: float) -> bool:
        """Whether ``value`` beats the best so far: strictly better in the task's direction."""
        return improves(value, best, self.decreases)

    def update(self, value: float, epoch: int, step: int, validation: Metrics) -> bool:
        """Add a validation's score; True when it is the task's new best (the first always
        is)."""
        return self.add(value, self.is_improvement, epoch, step, validation)

    def check_patience(self) -> bool:
        """Mark the task out of patience when it has waited ``patience`` validations; True the
        first time."""
        if self.patience is None or self.out_of_patience:
            return False
        if self.validations_without_improvement >= self.patience:
            self.out_of_patience = True
            return True
        return False

    def to_dict(self) -> dict[str, Any]:
        """Every dataclass field (a subclass's own included), as ``training_state.th`` holds
        them."""
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}

    def load_state_dict(self, saved: Mapping[str, Any]) -> None:
        """Continue from ``to_dict``'s output (fields it lacks keep their current value)."""
        for name, value in _fields_of(type(self), saved).items():
            setattr(self, name, value)


TaskTracker.register("patience")(TaskTracker)

TrackerFactory = Callable[[str], TaskTracker]


def default_tracker(task_name: str) -> TaskTracker:
    """A default tracker (increasing metric, no patience): what ``RunState`` uses when not
    given a factory."""
    return TaskTracker()


def tracker_factory(
    block: Any, decreases: Mapping[str, bool], patience: int | None
) -> TrackerFactory:
    """A maker of each task's tracker from the ``tracker`` setting (its type checked now), given
    the tasks' metric directions and the trainer's patience."""
    setting = "multi_task_trainer.tracker"
    params = registered_setting(TaskTracker, block, setting, '{"type": "patience"}')

    def make(task_name: str) -> TaskTracker:
        return construct_registered(
            TaskTracker, params, setting, decreases=decreases[task_name], patience=patience
        )

    return make


@dataclass
class PeriodLoss:
    """The training loss of one task summed since the last validation."""

    total: float = 0.0
    batches: int = 0

    def add(self, loss: float) -> None:
        self.total += loss
        self.batches += 1

    @property
    def mean(self) -> float | None:
        return self.total / self.batches if self.batches else None


@dataclass
class RunState:
    """Where the loop is and what every task has done; everything in a checkpoint that is not
    the model, an optimizer, a scheduler or a random generator."""

    task_names: list[str]
    seed: int
    epoch: int = 0
    step_in_epoch: int = 0
    global_step: int = 0
    validation_count: int = 0
    epoch_batches: dict[str, int] = field(default_factory=dict)
    task_batches: dict[str, int] = field(default_factory=dict)
    period_loss: dict[str, PeriodLoss] = field(default_factory=dict)
    tasks: dict[str, TaskTracker] = field(default_factory=dict)
    combined: BestTracker = field(default_factory=BestTracker)
    records: list[dict[str, Any]] = field(default_factory=list)
    should_stop: bool = False
    stop_reason: str | None = None
    elapsed_seconds: float = 0.0

    @classmethod
    def start(
        cls, task_names: list[str], seed: int, make_tracker: TrackerFactory = default_tracker
    ) -> "RunState":
        """The state before the first step, each task's tracker made by ``make_tracker``."""
        return cls(
            task_names=list(task_names),
            seed=seed,
            epoch_batches=dict.fromkeys(task_names, 0),
            task_batches=dict.fromkeys(task_names, 0),
            period_loss={name: PeriodLoss() for name in task_names},
            tasks={name: make_tracker(name) for name in task_names},
        )

    def frozen(self) -> set[str]:
        """Tasks no longer sampled."""
        return {name for name, tracker in self.tasks.items() if tracker.frozen}

    def count_batch(self, task_name: str, loss: float) -> None:
        """A training step of ``task_name`` with the global batch's ``loss``."""
        self.epoch_batches[task_name] += 1
        self.task_batches[task_name] += 1
        self.period_loss[task_name].add(loss)

    def finish_epoch(self) -> None:
        self.epoch += 1
        self.step_in_epoch = 0
        self.epoch_batches = dict.fromkeys(self.task_names, 0)

    def stop(self, reason: str) -> None:
        self.should_stop, self.stop_reason = True, reason

    def summary(
        self, batches_per_epoch: Mapping[str, int], metric_names: Mapping[str, str],
        elapsed_seconds: float,
    ) -> dict[str, Any]:
        """What metrics.json holds of the run. Per task: best epoch/step, epochs trained (its
        own batches / its batches per epoch), every task's validation metrics at its best
        validation; the best average; the history of validations; the duration."""
        result: dict[str, Any] = {}
        for name, tracker in self.tasks.items():
            batches = self.task_batches[name]
            per_epoch = batches_per_epoch[name]
            result[name] = {
                "best_epoch": tracker.best_epoch,
                "best_step": tracker.best_step,
                "nb_epoch_trained": batches // per_epoch if per_epoch else 0,
                "nb_batches_trained": batches,
                "best_epoch_val_metrics": tracker.best_validation_metrics,
                "validation_metric": metric_names[name],
                "out_of_patience": tracker.out_of_patience,
            }
        result["best_average"] = {
            "best_epoch": self.combined.best_epoch,
            "best_step": self.combined.best_step,
            "score": self.combined.best_value,
            "best_epoch_val_metrics": self.combined.best_validation_metrics,
        }
        result["history"] = self.records
        result["nb_epoch_trained"] = self.epoch
        result["stop_reason"] = self.stop_reason
        result["training_duration"] = format_duration(elapsed_seconds)
        result["training_duration_seconds"] = elapsed_seconds
        return result

    def to_dict(self) -> dict[str, Any]:
        """The checkpoint layout (version ``STATE_VERSION``)."""
        return {
            "version": STATE_VERSION,
            "task_names": list(self.task_names),
            "seed": self.seed,
            "epoch": self.epoch,
            "step_in_epoch": self.step_in_epoch,
            "global_step": self.global_step,
            "validation_count": self.validation_count,
            "epoch_batches": dict(self.epoch_batches),
            "task_batches": dict(self.task_batches),
            "period_loss": {n: [p.total, p.batches] for n, p in self.period_loss.items()},
            "tasks": {name: tracker.to_dict() for name, tracker in self.tasks.items()},
            "combined": self.combined.to_dict(),
            "records": copy.deepcopy(self.records),
            "should_stop": self.should_stop,
            "stop_reason": self.stop_reason,
            "elapsed_seconds": self.elapsed_seconds,
        }

    @classmethod
    def from_dict(
        cls, saved: Mapping[str, Any], source: str, make_tracker: TrackerFactory = default_tracker
    ) -> "RunState":
        """The state saved by ``to_dict`` (or by the version-1 trainer) in the file ``source``;
        each task's saved state is loaded into a fresh tracker of ``make_tracker``."""
        check_version(saved, source)
        try:
            tasks = {}
            for name, tracker_state in saved["tasks"].items():
                tasks[name] = make_tracker(name)
                tasks[name].load_state_dict(tracker_state)
            return cls(
                task_names=list(saved["task_names"]),
                seed=int(saved["seed"]),
                epoch=int(saved["epoch"]),
                step_in_epoch=int(saved["step_in_epoch"]),
                global_step=int(saved["global_step"]),
                validation_count=int(saved["validation_count"]),
                epoch_batches=dict(saved["epoch_batches"]),
                task_batches=dict(saved["task_batches"]),
                period_loss={n: PeriodLoss(float(t), int(b))
                             for n, (t, b) in saved["period_loss"].items()},
                tasks=tasks,
                combined=BestTracker.from_dict(saved["combined"]),
                records=copy.deepcopy(list(saved["records"])),
                should_stop=bool(saved["should_stop"]),
                stop_reason=saved["stop_reason"],
                elapsed_seconds=float(saved["elapsed_seconds"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ConfigurationError(
                f"{source}: the training state (version {saved.get('version')}) lacks or "
                f"garbles {error}; the file is damaged"
            ) from error


def format_duration(seconds: float) -> str:
    """``days:hh:mm:ss`` (the original's format, without its day-of-month off-by-one)."""
    total = int(round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days}:{hours:02d}:{minutes:02d}:{secs:02d}"


def check_version(saved: Any, source: str) -> None:
    """A one-line error unless ``saved`` is a training state of a version this hmtl reads."""
    version = saved.get("version") if isinstance(saved, Mapping) else None
    if version not in READABLE_VERSIONS:
        readable = " or ".join(str(v) for v in READABLE_VERSIONS)
        raise ConfigurationError(
            f"{source}: training state version {version!r} cannot be recovered by this hmtl "
            f"(it reads version {readable})"
        )


def _fields_of(cls: type, saved: Mapping[str, Any]) -> dict[str, Any]:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return {key: copy.deepcopy(value) for key, value in saved.items() if key in names}
