"""The multi-task training loop, registered as the original ``sampler_multi_task_trainer``.

One "epoch" is as many steps as all tasks have training batches together. Each step the sampler
(``samplers``) draws a task, its batch stream gives the next batch, the loss weighting
(``weighting``) scales the task's loss and the optimisation step (``step``) applies it; the
callbacks (``callbacks``) report. Every epoch, or every ``validation_interval`` steps, all tasks
are validated under ``no_grad``/``eval()``; the per-task trackers (``tracking``) follow patience
and best weights, and the checkpointer (``checkpointer``) writes everything needed to continue
identically, also every ``checkpoint_every_seconds`` between validations.

Several processes launched by torchrun train data-parallel behind the strategy object
(``distributed.DataParallel``); in one process the strategy is ``SingleProcess``, whose methods
are the plain single-process actions.
"""


import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional, Union

import torch
from allennlp.common import Lazy, Registrable
from allennlp.common.checks import ConfigurationError
from allennlp.models import Model
from allennlp.training.learning_rate_schedulers import LearningRateScheduler
from allennlp.training.optimizers import Optimizer

from hmtl.experiment.config import build_registered
from hmtl.experiment.task import Task
from hmtl.experiment.weights import best_weights_name, load_model_weights
from hmtl.training.batch_stream import BatchStream
from hmtl.training.callbacks import (
    BatchReport,
    ParameterStatisticsCallback,
    ProgressCallback,
    TensorboardCallback,
    TrainerCallback,
    ValidationReport,
)
from hmtl.training.callbacks.progress import format_metrics
from hmtl.training.checkpointer import (
    MODEL_STATE,
    TIMED,
    TRAINING_STATE,
    VALIDATION,
    Checkpointer,
    check_same_run,
    metric_states,
    restore_metric_states,
)
from hmtl.training.distributed import WeightedTaskLoss, current_context, strategy_for
from hmtl.training.evaluation import as_float_metrics
from hmtl.training.samplers import build_sampler
from hmtl.training.seeding import capture_rng_state, python_random_seeded, restore_rng_state
from hmtl.training.step import SHARED, OptimisationStep
from hmtl.training.tensorboard_writer import TensorboardWriter
from hmtl.training.tracking import (
    STATE_VERSION,
    PeriodLoss,
    RunState,
    check_version,
    format_duration,
    improves,
    tracker_factory,
)
from hmtl.training.weighting import build_weighting

logger = logging.getLogger(__name__)

BEST_AVERAGE = "best.th"
DEFAULT_SEED = 13370
DEFAULT_CHECKPOINT_SECONDS = 300.0

__all__ = [
    "BEST_AVERAGE", "DEFAULT_SEED", "MODEL_STATE", "SHARED", "STATE_VERSION", "TRAINING_STATE",
    "MultiTaskTrainer", "SamplerMultiTaskTrainer", "format_duration", "format_metrics",
    "improves",
]


class MultiTaskTrainer(Registrable):
    """Trains a model on several tasks; ``train`` returns the summary that goes to metrics.json."""

    default_implementation = "sampler_multi_task_trainer"

    def train(self, recover: bool = False) -> dict[str, Any]:
        """Train (or continue the run in the serialization directory when ``recover``)."""
        raise NotImplementedError


@MultiTaskTrainer.register("sampler_multi_task_trainer")
class SamplerMultiTaskTrainer(MultiTaskTrainer):
    """The original trainer with its defects fixed (docs/DESIGN.md, section 5), built from parts.

    ``model``, ``tasks`` and ``serialization_dir`` are given by the caller, and to the parts
    that the block names (``step``, ``checkpointer``, ``callbacks``) when their constructors ask
    for them; everything else comes from the ``multi_task_trainer`` block. ``optimizer`` and
    ``scheduler`` are any registered AllenNLP optimizer / learning-rate scheduler: one of each
    per task over all parameters (the original), or a single one when ``optimizer_per_task`` is
    false (its plateau metric is then the average validation score). ``sampling_method`` names a
    ``TaskSampler``, ``loss_weighting`` a ``LossWeighting`` (default: every loss counts once),
    ``callbacks`` extra ``TrainerCallback``s. ``patience`` counts validations without
    improvement, followed per task by a ``TaskTracker`` (``tracker``, default ``{"type":
    "patience"}``, given the task's ``validation_metric_decreases`` and ``patience``);
    ``freeze_converged_tasks`` stops sampling a task once it is out of patience. ``seed`` seeds
    the task sampler and the data order (the caller seeds the model's initialisation with it).
    ``checkpoint_every_seconds`` (null: only at validations) writes a checkpoint between
    validations. In a distributed run each rank uses GPU ``LOCAL_RANK`` when ``cuda_device``
    >= 0, and batch sizes are global (see ``hmtl.training.distributed``).
    """

    def __init__(
        self,
        model: Model,
        tasks: list[Task],
        serialization_dir: str,
        optimizer: Lazy[Optimizer],
        scheduler: Optional[Lazy[LearningRateScheduler]] = None,  # noqa: UP045
        sampling_method: Union[str, dict[str, Any]] = "proportional",  # noqa: UP007
        temperature: float = 1.0,
        patience: Optional[int] = None,  # noqa: UP045 - FromParams needs typing.Optional
        num_epochs: int = 20,
        min_lr: float = 1e-5,
        grad_norm: Optional[float] = None,  # noqa: UP045
        grad_clipping: Optional[float] = None,  # noqa: UP045
        cuda_device: int = -1,
        summary_interval: int = 50,
        optimizer_per_task: bool = True,
        validation_interval: Optional[int] = None,  # noqa: UP045
        freeze_converged_tasks: bool = False,
        use_amp: bool = False,
        seed: Optional[int] = DEFAULT_SEED,  # noqa: UP045
        log_parameter_statistics: bool = False,
        log_gradient_statistics: bool = False,
        no_tqdm: bool = False,
        loss_weighting: Optional[Union[str, dict[str, Any]]] = None,  # noqa: UP007, UP045
        checkpoint_every_seconds: Optional[float] = DEFAULT_CHECKPOINT_SECONDS,  # noqa: UP045
        callbacks: Optional[list[Union[str, dict[str, Any]]]] = None,  # noqa: UP007, UP045
        step: Optional[Union[str, dict[str, Any]]] = None,  # noqa: UP007, UP045
        checkpointer: Optional[Union[str, dict[str, Any]]] = None,  # noqa: UP007, UP045
        tracker: Optional[Union[str, dict[str, Any]]] = None,  # noqa: UP007, UP045
    ) -> None:
        if not tasks:
            raise ConfigurationError("the trainer needs at least one task")
        names = [task.name for task in tasks]
        if len(set(names)) != len(names):
            raise ConfigurationError(f"task names must be unique; got {', '.join(names)}")
        for value, key in (
            (num_epochs, "num_epochs"),
            (summary_interval, "summary_interval"),
            (patience, "patience"),
            (validation_interval, "validation_interval"),
        ):
            if value is not None and value < 1:
                raise ConfigurationError(f"multi_task_trainer.{key} must be >= 1; got {value}")
        if use_amp and cuda_device < 0:
            raise ConfigurationError(
                "multi_task_trainer.use_amp needs a GPU (cuda_device >= 0): mixed precision "
                "is CUDA-only"
            )
        self.strategy = strategy_for(current_context())
        self.device = self.strategy.device(cuda_device)
        self.model = model.to(self.device)
        self.strategy.prepare(self.model)
        self._tasks = {task.name: task for task in tasks}
        self.serialization_dir = Path(serialization_dir)
        self.num_epochs = num_epochs
        self._summary_interval = summary_interval
        self._validation_interval = validation_interval
        self._freeze_converged = freeze_converged_tasks
        self._make_tracker = tracker_factory(
            tracker, {name: task.validation_metric_decreases for name, task in self._tasks.items()},
            patience,
        )
        seed = seed if seed is not None else random.randrange(2**31)
        seed = self.strategy.shared_seed(seed)

        for task in tasks:
            task.require(("train", "validation"), "train")
        self._num_batches = {name: task.num_batches("train") for name, task in self._tasks.items()}
        num_instances = {name: task.num_instances("train") for name, task in self._tasks.items()}
        self.sampler = build_sampler(
            sampling_method, temperature, self._num_batches, num_instances, num_epochs, seed
        )
        probabilities = self.sampler.probabilities
        self._streams = self._make_streams(seed)
        for name in names:
            logger.info(
                "Task %s: %d training batches, %d instances, sampling probability %.4f",
                name, self._num_batches[name], num_instances[name], probabilities[name],
            )

        self.weighting = build_weighting(loss_weighting, names).to(self.device)
        parameters = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
        parameters += [(f"loss_weighting.{n}", p) for n, p in self.weighting.named_parameters()]
        keys = names if optimizer_per_task else [SHARED]
        total_batches = sum(self._num_batches.values())
        # given to every part this block names, as AllenNLP gives a component's extras to its
        # parts: a plugin's constructor may ask for any of them
        shared = {"model": self.model, "tasks": tasks, "serialization_dir": serialization_dir}
        self.step = build_registered(
            OptimisationStep, step, "multi_task_trainer.step", '{"type": "default"}', **shared,
            parameters=parameters,
            optimizer=optimizer,
            keys=keys,
            steps_per_epoch={
                key: total_batches if key == SHARED
                else max(1, round(probabilities[key] * total_batches))
                for key in keys
            },
            decreases={
                key: key != SHARED and self._tasks[key].validation_metric_decreases
                for key in keys
            },
            num_epochs=num_epochs,
            scheduler=scheduler,
            grad_norm=grad_norm,
            grad_clipping=grad_clipping,
            use_amp=use_amp,
            min_lr=min_lr,
        )
        self.checkpointer = build_registered(
            Checkpointer, checkpointer, "multi_task_trainer.checkpointer", '{"type": "default"}',
            **shared,
            directory=self.serialization_dir,
            every_seconds=checkpoint_every_seconds,
            strategy=self.strategy,
        )
        self.callbacks: list[TrainerCallback] = [TensorboardCallback(), ProgressCallback(no_tqdm)]
        if log_parameter_statistics or log_gradient_statistics:
            self.callbacks.append(
                ParameterStatisticsCallback(log_parameter_statistics, log_gradient_statistics)
            )
        if not isinstance(callbacks, (list, type(None))):
            raise ConfigurationError(
                'multi_task_trainer.callbacks must be a list like [{"type": "tensorboard"}]; '
                f"got {callbacks!r}"
            )
        self.callbacks.extend(
            build_registered(TrainerCallback, block, f"multi_task_trainer.callbacks.{index}",
                             '{"type": "tensorboard"}', **shared)
            for index, block in enumerate(callbacks or [])
        )
        self.tensorboard = TensorboardWriter(self.serialization_dir, enabled=False)
        self._loss_module: torch.nn.Module | None = None  # what training steps call
        self._run_started: float | None = None  # monotonic time train() started
        self._elapsed_before = 0.0  # training seconds of earlier runs (before --recover)
        self.state = RunState.start(names, seed, self._make_tracker)

    def _make_streams(self, seed: int) -> dict[str, BatchStream]:
        return {
            name: BatchStream(task.loader("train"), name, seed)
            for name, task in self._tasks.items()
        }

    @property
    def is_main(self) -> bool:
        """Whether this process writes the run's files (always, in one process)."""
        return self.strategy.is_main

    @property
    def tasks(self) -> list[Task]:
        """The tasks, in config order."""
        return list(self._tasks.values())

    # ----------------------------------------------------------------------------------------
    # the loop

    def train(self, recover: bool = False) -> dict[str, Any]:
        """Run until every task is out of patience, every lr is below ``min_lr`` or
        ``num_epochs`` epochs are done; return the summary for metrics.json."""
        if recover:
            self._restore()
        # after restoring: wrapping for several processes gives every one rank 0's weights
        self._loss_module = self.strategy.wrap(WeightedTaskLoss(self.model, self.weighting))
        self._run_started = time.monotonic()
        self._elapsed_before = self.state.elapsed_seconds
        self.tensorboard = TensorboardWriter(self.serialization_dir, enabled=self.is_main)
        self.checkpointer.restart_clock()
        error: BaseException | None = None
        try:
            self._notify("on_start")
            if self.state.should_stop:
                logger.info("The run in %s had already finished", self.serialization_dir)
            while not self.state.should_stop:
                self._train_epoch()
        except BaseException as raised:
            error = raised
            raise
        finally:
            self._notify("on_end", error)
            self.tensorboard.close()
        logger.info("Training finished: %s", self.state.stop_reason)
        return self.summary()

    def _notify(self, event: str, *arguments: Any) -> None:
        for callback in self.callbacks:
            getattr(callback, event)(self, *arguments)

    def _train_epoch(self) -> None:
        state = self.state
        frozen = state.frozen()
        steps_per_epoch = sum(n for name, n in self._num_batches.items() if name not in frozen)
        self.sampler.start_epoch(state.epoch)
        self.model.train()
        self._notify("on_epoch_start", state.epoch, steps_per_epoch)
        while state.step_in_epoch < steps_per_epoch:
            name = self.sampler.draw(exclude=state.frozen())
            loss = self._train_step(name, next(self._streams[name]))
            state.count_batch(name, loss)
            summary_step = state.global_step % self._summary_interval == 0
            self._notify(
                "on_batch",
                BatchReport(name, state.global_step, state.epoch, loss, summary_step,
                            self._running_metrics(name, summary_step)),
            )
            state.global_step += 1
            state.step_in_epoch += 1
            at_end = state.step_in_epoch == steps_per_epoch
            finished_epoch = state.epoch
            last_epoch = finished_epoch + 1 >= self.num_epochs
            interval = self._validation_interval
            validate = (
                at_end
                if interval is None
                else state.global_step % interval == 0 or (at_end and last_epoch)
            )
            if at_end:
                batches = state.epoch_batches
                state.finish_epoch()
                self._notify("on_epoch_end", finished_epoch, batches)
            if validate:
                self._validate_and_checkpoint(finished_epoch, epochs_done=at_end and last_epoch)
            elif self.checkpointer.due():
                self._checkpoint([], TIMED)
            if at_end or state.should_stop:
                break

    def _running_metrics(
        self, task_name: str, summary_step: bool
    ) -> Callable[[], dict[str, float]]:
        """What a step's ``BatchReport.metrics`` reads: the task's running metrics and its mean
        loss since the last validation."""
        read = self.strategy.running_metrics(self.model, task_name, summary_step)
        mean_loss = self.state.period_loss[task_name].mean

        def metrics() -> dict[str, float]:
            running = read()
            running["loss"] = mean_loss
            return running

        return metrics

    def _train_step(self, task_name: str, batch: Any) -> float:
        """Train one batch of ``task_name``; the global batch's loss."""
        assert self._loss_module is not None
        module = self._loss_module
        return self.step(
            task_name,
            lambda: self.strategy.training_loss(module, task_name, batch, self.device),
            self.strategy.global_loss,
            self.device,
            self.state.global_step,
        )

    # ----------------------------------------------------------------------------------------
    # validation

    def _validate_and_checkpoint(self, epoch: int, epochs_done: bool) -> None:
        state = self.state
        index = state.validation_count
        training: dict[str, dict[str, float]] = {}
        for name in self._tasks:
            metrics = as_float_metrics(self.model.get_metrics(task_name=name, reset=True))
            mean = state.period_loss[name].mean
            if mean is not None:
                metrics["loss"] = mean
            state.period_loss[name] = PeriodLoss()
            training[name] = metrics

        validation: dict[str, dict[str, float]] = {}
        for name, task in self._tasks.items():
            with python_random_seeded(f"{state.seed}:validation:{name}"):
                metrics = self.strategy.evaluate(
                    self.model, name, task.loader("validation"), self.device,
                    description=f"validating {name}",
                )
            if task.validation_metric_name not in metrics:
                raise ConfigurationError(
                    f"{task.config_key}.task_description.validation_metric_name: the model "
                    f"reports no {task.validation_metric_name!r} for task {name!r}; it reports "
                    f"{', '.join(sorted(metrics)) or 'nothing'}"
                )
            validation[name] = metrics
        self.model.train()

        best_files: list[str] = []
        scores: dict[str, float] = {}
        signed_scores = []
        for name, task in self._tasks.items():
            value = validation[name][task.validation_metric_name]
            decreases = task.validation_metric_decreases
            scores[name] = value
            signed_scores.append(-value if decreases else value)
            tracker = state.tasks[name]
            if tracker.update(value, epoch, state.global_step, validation):
                best_files.append(best_weights_name(name))
            if tracker.check_patience():
                logger.info("Task %s is out of patience (%d validations without improvement)",
                            name, tracker.validations_without_improvement)
            if self._freeze_converged and tracker.out_of_patience and not tracker.frozen:
                tracker.frozen = True
                logger.info("Task %s is frozen out of sampling", name)
        combined = sum(signed_scores) / len(signed_scores)
        if state.combined.record(combined, False, epoch, state.global_step, validation):
            best_files.append(BEST_AVERAGE)
        self.step.after_validation(scores, combined)

        state.records.append(
            {
                "validation_index": index,
                "epoch": epoch,
                "global_step": state.global_step,
                "training": training,
                "validation": validation,
                "combined_score": combined,
            }
        )
        state.validation_count = index + 1
        if all(tracker.out_of_patience for tracker in state.tasks.values()):
            state.stop("every task is out of patience")
        elif self.step.all_below_min_lr:
            state.stop("every learning rate < min_lr")
        elif epochs_done:
            state.stop(f"num_epochs ({self.num_epochs}) reached")
        self._notify(
            "on_validation",
            ValidationReport(index, epoch, state.global_step, training, validation, combined,
                             list(best_files)),
        )
        self._checkpoint(best_files, VALIDATION)

    # ----------------------------------------------------------------------------------------
    # checkpoints

    def _checkpoint(self, best_files: list[str], kind: str) -> None:
        state = self.state
        state.elapsed_seconds = self._elapsed_seconds()
        rng_per_rank = self.strategy.gather(capture_rng_state())
        metrics_per_rank = self.strategy.gather(metric_states(self.model))
        if not self.is_main:
            self.checkpointer.restart_clock()
            return
        self._notify("on_checkpoint")
        training_state = {
            **state.to_dict(),
            **self.step.state_dict(),
            "checkpoint_kind": kind,
            "sampler": self.sampler.state_dict(),
            "streams": {name: s.state_dict() for name, s in self._streams.items()},
            "loss_weighting": self.weighting.state_dict(),
            "rng": rng_per_rank[0],
            "rng_per_rank": rng_per_rank,
            "metrics_per_rank": metrics_per_rank,
            "world_size": self.strategy.world_size,
        }
        self.checkpointer.save(self.model.state_dict(), training_state, best_files)
        if kind == TIMED:
            logger.info("Checkpoint written (step %d, between validations)", state.global_step)
        else:
            logger.info(
                "Checkpoint written (step %d)%s", state.global_step,
                f"; new best: {', '.join(best_files)}" if best_files else "",
            )

    def _restore(self) -> None:
        model_state, saved = self.checkpointer.load()
        source = str(self.serialization_dir / TRAINING_STATE)
        check_version(saved, source)
        check_same_run(saved, source, list(self._tasks), self.strategy.world_size)
        self.step.load_state_dict(saved, source)
        load_model_weights(self.model, model_state, self.serialization_dir / MODEL_STATE)
        if "loss_weighting" in saved:
            try:
                self.weighting.load_state_dict(saved["loss_weighting"])
            except RuntimeError as error:
                raise ConfigurationError(
                    f"{source}: the loss weighting's state does not fit the config's "
                    f"multi_task_trainer.loss_weighting ({error})"
                ) from error
        state = RunState.from_dict(saved, source, self._make_tracker)
        self.sampler.load_state_dict(saved["sampler"])
        self._streams = self._make_streams(state.seed)
        for name, stream in self._streams.items():
            stream.load_state_dict(saved["streams"][name])
        rank = self.strategy.rank
        metrics = saved.get("metrics_per_rank")
        if metrics:
            restore_metric_states(self.model, metrics[rank])
        restore_rng_state((saved.get("rng_per_rank") or [saved["rng"]])[rank])
        self.state = state
        logger.info(
            "Recovered %s: epoch %d, step %d, %d validations so far",
            self.serialization_dir, state.epoch, state.global_step, state.validation_count,
        )

    # ----------------------------------------------------------------------------------------
    # summary

    def _elapsed_seconds(self) -> float:
        if self._run_started is None:
            return self.state.elapsed_seconds
        return self._elapsed_before + time.monotonic() - self._run_started

    def summary(self) -> dict[str, Any]:
        """The summary for metrics.json (``RunState.summary``), duration counted across
        recoveries."""
        return self.state.summary(
            self._num_batches,
            {name: task.validation_metric_name for name, task in self._tasks.items()},
            self._elapsed_seconds(),
        )
