"""The multi-task training loop, registered as the original ``sampler_multi_task_trainer``.

One "epoch" is as many steps as all tasks have training batches together. Each step draws a task
(``hmtl.training.sampling``), trains one batch of it (forward, backward, element-wise clipping,
global-norm clipping, that task's optimizer step) and moves on. Every epoch, or every
``validation_interval`` steps, all tasks are validated under ``no_grad``/``eval()``; per-task
patience, best weights, schedulers and stop conditions follow, and a checkpoint holding everything
needed to continue identically (weights, optimizers, schedulers, histories, stream positions,
random states) is written atomically.

Launched by torchrun with several processes, the same loop runs data-parallel
(``hmtl.training.distributed``): every rank draws the same task and builds the same global batch,
trains on its shard of it through DistributedDataParallel, which averages the gradients before
clipping and the optimizer step, so the run follows the single-process run of the same config.
Only rank 0 writes checkpoints and TensorBoard events; the checkpoint holds every rank's random
states.
"""

import copy
import logging
import random
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

import torch
from allennlp.common import Lazy, Registrable
from allennlp.common.checks import ConfigurationError
from allennlp.common.tqdm import Tqdm
from allennlp.models import Model
from allennlp.nn.util import move_to_device
from allennlp.training.learning_rate_schedulers import LearningRateScheduler
from allennlp.training.optimizers import Optimizer
from allennlp.training.util import rescale_gradients

from hmtl.experiment.model import device_for
from hmtl.experiment.task import Task
from hmtl.experiment.terminal import TERMINAL
from hmtl.experiment.weights import best_weights_name, load_model_weights, load_torch_file
from hmtl.training.batch_stream import BatchStream
from hmtl.training.checkpointing import finish_interrupted_checkpoint, save_checkpoint
from hmtl.training.distributed import (
    WeightedTaskLoss,
    all_reduce_sum,
    barrier,
    check_metrics_reduce_when_read,
    current_context,
    data_parallel,
    evaluate_shards,
    gather_objects,
    head_loss_reduction,
    shard_loss,
    training_shard,
)
from hmtl.training.evaluation import as_float_metrics, evaluate
from hmtl.training.sampling import TaskSampler, sampling_probabilities
from hmtl.training.seeding import capture_rng_state, python_random_seeded, restore_rng_state
from hmtl.training.tensorboard_writer import TensorboardWriter

logger = logging.getLogger(__name__)

MODEL_STATE = "model_state.th"
TRAINING_STATE = "training_state.th"
BEST_AVERAGE = "best.th"
STATE_VERSION = 1
SHARED = "__shared__"  # key of the one optimizer when ``optimizer_per_task`` is false
DEFAULT_SEED = 13370


def format_duration(seconds: float) -> str:
    """``days:hh:mm:ss`` (the original's format, without its day-of-month off-by-one)."""
    total = int(round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days}:{hours:02d}:{minutes:02d}:{secs:02d}"


def format_metrics(metrics: Mapping[str, float]) -> str:
    """``name: value`` pairs for logs and the progress bar. Per-type metrics (``f1-measure-PER``)
    are left out: they are in metrics.json and TensorBoard."""
    shown = [
        f"{key}: {value:.4f}"
        for key, value in metrics.items()
        if "/" not in key and ("-" not in key or key.endswith("-overall"))
    ]
    return ", ".join(shown)


def improves(value: float, best: float, decreases: bool) -> bool:
    """Whether ``value`` is strictly better than ``best``."""
    return value < best if decreases else value > best


class MultiTaskTrainer(Registrable):
    """Trains a model on several tasks; ``train`` returns the summary that goes to metrics.json."""

    default_implementation = "sampler_multi_task_trainer"

    def train(self, recover: bool = False) -> dict[str, Any]:
        """Train (or continue the run in the serialization directory when ``recover``)."""
        raise NotImplementedError


@MultiTaskTrainer.register("sampler_multi_task_trainer")
class SamplerMultiTaskTrainer(MultiTaskTrainer):
    """The original trainer with its defects fixed (docs/DESIGN.md, section 5).

    ``model``, ``tasks`` and ``serialization_dir`` are given by the caller; everything else comes
    from the ``multi_task_trainer`` block. ``optimizer`` and ``scheduler`` are any registered
    AllenNLP optimizer / learning-rate scheduler: one of each per task over all parameters (the
    original), or a single one when ``optimizer_per_task`` is false (its plateau metric is then
    the average validation score). ``patience`` counts validations without improvement;
    ``freeze_converged_tasks`` stops sampling a task once it is out of patience. ``seed`` seeds
    the task sampler and the data order (the caller seeds the model's initialisation with it).
    In a distributed run (an initialised process group of several ranks) each rank uses GPU
    ``LOCAL_RANK`` when ``cuda_device`` >= 0, and batch sizes are global (see
    ``hmtl.training.distributed``).
    """

    def __init__(
        self,
        model: Model,
        tasks: list[Task],
        serialization_dir: str,
        optimizer: Lazy[Optimizer],
        scheduler: Optional[Lazy[LearningRateScheduler]] = None,  # noqa: UP045
        sampling_method: str = "proportional",
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
        self._context = current_context()
        distributed = self._context.is_distributed
        self._device = device_for(
            self._context.local_rank if distributed and cuda_device >= 0 else cuda_device
        )
        self._model = model.to(self._device)
        if distributed:
            check_metrics_reduce_when_read(self._model)
        self._step: torch.nn.Module | None = None  # what training steps call (``train``)
        self._tasks = {task.name: task for task in tasks}
        self._serialization_dir = Path(serialization_dir)
        self._num_epochs = num_epochs
        self._patience = patience
        self._min_lr = min_lr
        self._grad_norm = grad_norm
        self._grad_clipping = grad_clipping
        self._summary_interval = summary_interval
        self._validation_interval = validation_interval
        self._freeze_converged = freeze_converged_tasks
        self._per_task = optimizer_per_task
        self._log_parameters = log_parameter_statistics
        self._log_gradients = log_gradient_statistics
        self._no_tqdm = no_tqdm
        self._seed = seed if seed is not None else random.randrange(2**31)
        if distributed:
            # one seed for the sampler and data order everywhere (rank 0's), but each rank its
            # own dropout masks
            self._seed = gather_objects(self._seed)[0]
            torch.manual_seed(self._seed + 7919 * self._context.rank)

        for task in tasks:
            task.require(("train", "validation"), "train")
        self._num_batches = {name: task.num_batches("train") for name, task in self._tasks.items()}
        num_instances = {name: task.num_instances("train") for name, task in self._tasks.items()}
        probabilities = sampling_probabilities(
            sampling_method, self._num_batches, num_instances, temperature
        )
        self._sampler = TaskSampler(probabilities, seed=self._seed)
        self._streams = {
            name: BatchStream(task.loader("train"), name, self._seed)
            for name, task in self._tasks.items()
        }
        for name in names:
            logger.info(
                "Task %s: %d training batches, %d instances, sampling probability %.4f",
                name, self._num_batches[name], num_instances[name], probabilities[name],
            )

        parameters = [(n, p) for n, p in self._model.named_parameters() if p.requires_grad]
        self._loss_reductions = {name: head_loss_reduction(model, name) for name in names}
        keys = names if optimizer_per_task else [SHARED]
        self._optimizers: dict[str, Optimizer] = {}
        self._schedulers: dict[str, LearningRateScheduler] = {}
        total_batches = sum(self._num_batches.values())
        for key in keys:
            try:
                self._optimizers[key] = optimizer.construct(model_parameters=parameters)
            except (TypeError, ValueError) as error:
                raise ConfigurationError(f"multi_task_trainer.optimizer: {error}") from error
            if scheduler is None:
                continue
            decreases = self._tasks[key].validation_metric_decreases if key != SHARED else False
            if key == SHARED:
                steps = total_batches
            else:
                steps = max(1, round(probabilities[key] * total_batches))
            try:
                self._schedulers[key] = scheduler.construct(
                    optimizer=self._optimizers[key],
                    num_epochs=num_epochs,
                    num_steps_per_epoch=steps,
                    validation_metric_decreases=decreases,
                )
            except (TypeError, ValueError) as error:
                raise ConfigurationError(f"multi_task_trainer.scheduler: {error}") from error
        self._scaler = torch.amp.GradScaler("cuda") if use_amp else None
        self._use_amp = use_amp
        self._tensorboard: TensorboardWriter | None = None
        self._run_started: float | None = None  # monotonic time train() started
        self._elapsed_before = 0.0  # training seconds of earlier runs (before --recover)
        self._state = self._initial_state()

    # ----------------------------------------------------------------------------------------
    # state

    def _initial_state(self) -> dict[str, Any]:
        names = list(self._tasks)
        return {
            "version": STATE_VERSION,
            "task_names": names,
            "optimizer_keys": list(self._optimizers),
            "seed": self._seed,
            "epoch": 0,
            "step_in_epoch": 0,
            "global_step": 0,
            "validation_count": 0,
            "epoch_batches": dict.fromkeys(names, 0),
            "task_batches": dict.fromkeys(names, 0),
            "optimizer_steps": dict.fromkeys(self._optimizers, 0),
            "period_loss": {name: [0.0, 0] for name in names},
            "tasks": {
                name: {
                    "history": [],
                    "best_index": -1,
                    "best_epoch": -1,
                    "best_step": -1,
                    "best_validation_metrics": {},
                    "out_of_patience": False,
                    "frozen": False,
                }
                for name in names
            },
            "combined": {
                "history": [],
                "best_index": -1,
                "best_epoch": -1,
                "best_step": -1,
                "best_validation_metrics": {},
            },
            "min_lr_hit": dict.fromkeys(self._optimizers, False),
            "records": [],
            "should_stop": False,
            "stop_reason": None,
            "elapsed_seconds": 0.0,
        }

    def _frozen(self) -> set[str]:
        return {name for name, info in self._state["tasks"].items() if info["frozen"]}

    # ----------------------------------------------------------------------------------------
    # training

    def train(self, recover: bool = False) -> dict[str, Any]:
        """Run until every task is out of patience, every lr is below ``min_lr`` or
        ``num_epochs`` epochs are done; return the summary for metrics.json."""
        if recover:
            self._restore()
        # after restoring: wrapping a model in DDP gives every rank rank 0's weights
        self._step = data_parallel(WeightedTaskLoss(self._model), self._context, self._device)
        self._run_started = time.monotonic()
        self._elapsed_before = float(self._state["elapsed_seconds"])
        self._tensorboard = TensorboardWriter(
            self._serialization_dir, enabled=self._context.is_main
        )
        try:
            if self._state["should_stop"]:
                logger.info("The run in %s had already finished", self._serialization_dir)
            while not self._state["should_stop"]:
                self._train_epoch()
        finally:
            self._tensorboard.close()
        logger.info("Training finished: %s", self._state["stop_reason"])
        return self.summary()

    def _train_epoch(self) -> None:
        state = self._state
        frozen = self._frozen()
        steps_per_epoch = sum(n for name, n in self._num_batches.items() if name not in frozen)
        logger.info("Epoch %d/%d", state["epoch"], self._num_epochs - 1)
        self._model.train()
        progress = Tqdm.tqdm(
            total=steps_per_epoch,
            initial=state["step_in_epoch"],
            disable=self._no_tqdm or not self._context.is_main,
            desc=f"epoch {state['epoch']}",
        )
        try:
            while state["step_in_epoch"] < steps_per_epoch:
                name = self._sampler.draw(exclude=self._frozen())
                loss = self._train_step(name, next(self._streams[name]))
                state["epoch_batches"][name] += 1
                state["task_batches"][name] += 1
                period = state["period_loss"][name]
                period[0] += loss
                period[1] += 1
                summary_step = state["global_step"] % self._summary_interval == 0
                running = {}
                if summary_step or not self._context.is_distributed:
                    # metrics of a distributed run are summed across ranks when read: only at
                    # summary steps, not on every step
                    running = as_float_metrics(self._model.get_metrics(task_name=name))
                running["loss"] = period[0] / period[1]
                progress.set_description(
                    f"step {state['global_step']} {self._describe(name, running)}", refresh=False
                )
                progress.update(1)
                if summary_step:
                    self._tensorboard.training_details(name, running, state["global_step"])
                    if self._log_parameters or self._log_gradients:
                        self._tensorboard.parameter_statistics(
                            self._model, state["global_step"], self._log_parameters,
                            self._log_gradients,
                        )
                    if self._no_tqdm:
                        logger.info(
                            "step %d: %s", state["global_step"], self._describe(name, running)
                        )
                state["global_step"] += 1
                state["step_in_epoch"] += 1
                at_end = state["step_in_epoch"] == steps_per_epoch
                interval = self._validation_interval
                finished_epoch = state["epoch"]
                last_epoch = finished_epoch + 1 >= self._num_epochs
                validate = (
                    at_end
                    if interval is None
                    else state["global_step"] % interval == 0 or (at_end and last_epoch)
                )
                if at_end:
                    for task_name, batches in state["epoch_batches"].items():
                        self._tensorboard.training_proportion(task_name, batches, finished_epoch)
                    state["epoch"] += 1
                    state["step_in_epoch"] = 0
                    state["epoch_batches"] = dict.fromkeys(self._tasks, 0)
                if validate:
                    self._validate_and_checkpoint(finished_epoch, epochs_done=at_end and last_epoch)
                if at_end or state["should_stop"]:
                    break
        finally:
            progress.close()

    @staticmethod
    def _describe(task_name: str, metrics: Mapping[str, float]) -> str:
        return f"{task_name} | {format_metrics(metrics)}"

    def _train_step(self, task_name: str, batch: Mapping[str, Any]) -> float:
        key = task_name if self._per_task else SHARED
        optimizer = self._optimizers[key]
        optimizer.zero_grad(set_to_none=True)
        shard = training_shard(batch, self._loss_reductions[task_name], self._context)
        shard.batch = move_to_device(shard.batch, self._device)
        with torch.autocast(device_type=self._device.type, enabled=self._use_amp):
            loss = shard_loss(self._step, task_name, shard, self._context)
        # the global batch's loss, on every rank (so that all of them stop on a bad one)
        global_loss = all_reduce_sum(loss.detach().float()) / self._context.world_size
        if not torch.isfinite(global_loss):
            raise ValueError(
                f"task {task_name!r}: the loss is {global_loss.item()} at step "
                f"{self._state['global_step']}"
            )
        if self._scaler is not None:
            self._scaler.scale(loss).backward()
            self._scaler.unscale_(optimizer)
        else:
            loss.backward()
        if self._grad_clipping is not None:
            for parameter in self._model.parameters():
                grad = parameter.grad
                if grad is not None:
                    (grad._values() if grad.is_sparse else grad).clamp_(
                        -self._grad_clipping, self._grad_clipping
                    )
        rescale_gradients(self._model, self._grad_norm)
        if self._scaler is not None:
            self._scaler.step(optimizer)
            self._scaler.update()
        else:
            optimizer.step()
        self._state["optimizer_steps"][key] += 1
        if key in self._schedulers:
            self._schedulers[key].step_batch(self._state["optimizer_steps"][key])
        return float(global_loss.item())

    # ----------------------------------------------------------------------------------------
    # validation

    def _validate_and_checkpoint(self, epoch: int, epochs_done: bool) -> None:
        state = self._state
        index = state["validation_count"]
        training: dict[str, dict[str, float]] = {}
        for name in self._tasks:
            metrics = as_float_metrics(self._model.get_metrics(task_name=name, reset=True))
            total, batches = state["period_loss"][name]
            if batches:
                metrics["loss"] = total / batches
            state["period_loss"][name] = [0.0, 0]
            training[name] = metrics
            self._tensorboard.task_metrics(name, metrics, index, validation=False)

        validation: dict[str, dict[str, float]] = {}
        for name, task in self._tasks.items():
            with python_random_seeded(f"{self._seed}:validation:{name}"):
                validate = evaluate_shards if self._context.is_distributed else evaluate
                metrics = validate(
                    self._model, name, task.loader("validation"), self._device,
                    description=f"validating {name}",
                )
            if task.validation_metric_name not in metrics:
                raise ConfigurationError(
                    f"{task.config_key}.task_description.validation_metric_name: the model "
                    f"reports no {task.validation_metric_name!r} for task {name!r}; it reports "
                    f"{', '.join(sorted(metrics)) or 'nothing'}"
                )
            validation[name] = metrics
            self._tensorboard.task_metrics(name, metrics, index, validation=True)
        self._model.train()

        best: dict[str, bool] = {}
        signed_scores = []
        for name, task in self._tasks.items():
            value = validation[name][task.validation_metric_name]
            decreases = task.validation_metric_decreases
            signed_scores.append(-value if decreases else value)
            best[best_weights_name(name)] = self._update_history(
                state["tasks"][name], value, decreases, epoch, validation
            )
            info = state["tasks"][name]
            waited = len(info["history"]) - 1 - info["best_index"]
            patience_over = self._patience is not None and waited >= self._patience
            if patience_over and not info["out_of_patience"]:
                info["out_of_patience"] = True
                logger.info("Task %s is out of patience (%d validations without improvement)",
                            name, waited)
            if self._freeze_converged and info["out_of_patience"] and not info["frozen"]:
                info["frozen"] = True
                logger.info("Task %s is frozen out of sampling", name)
            if self._per_task and name in self._schedulers:
                self._schedulers[name].step(value)
        combined = sum(signed_scores) / len(signed_scores)
        best[BEST_AVERAGE] = self._update_history(
            state["combined"], combined, False, epoch, validation
        )
        if not self._per_task and SHARED in self._schedulers:
            self._schedulers[SHARED].step(combined)

        for key, optimizer in self._optimizers.items():
            lr = min(group["lr"] for group in optimizer.param_groups)
            if lr < self._min_lr and not state["min_lr_hit"][key]:
                state["min_lr_hit"][key] = True
                logger.info("Learning rate of %s is %g < min_lr %g", key, lr, self._min_lr)

        state["records"].append(
            {
                "validation_index": index,
                "epoch": epoch,
                "global_step": state["global_step"],
                "training": training,
                "validation": validation,
                "combined_score": combined,
            }
        )
        state["validation_count"] = index + 1
        if all(info["out_of_patience"] for info in state["tasks"].values()):
            state["should_stop"], state["stop_reason"] = True, "every task is out of patience"
        elif all(state["min_lr_hit"].values()):
            state["should_stop"], state["stop_reason"] = True, "every learning rate < min_lr"
        elif epochs_done:
            state["should_stop"] = True
            state["stop_reason"] = f"num_epochs ({self._num_epochs}) reached"
        self._log_validation(epoch, training, validation)
        self._checkpoint([name for name, is_best in best.items() if is_best])

    def _update_history(
        self,
        info: dict[str, Any],
        value: float,
        decreases: bool,
        epoch: int,
        validation: dict[str, dict[str, float]],
    ) -> bool:
        history = info["history"]
        history.append(float(value))
        is_best = info["best_index"] < 0 or improves(value, history[info["best_index"]], decreases)
        if is_best:
            info["best_index"] = len(history) - 1
            info["best_epoch"] = epoch
            info["best_step"] = self._state["global_step"]
            info["best_validation_metrics"] = copy.deepcopy(validation)
        return is_best

    def _log_validation(
        self,
        epoch: int,
        training: dict[str, dict[str, float]],
        validation: dict[str, dict[str, float]],
    ) -> None:
        logger.info("Validation %d (epoch %d, step %d)", self._state["validation_count"] - 1,
                    epoch, self._state["global_step"])
        for name in self._tasks:
            logger.info("  %s training:   %s", name, format_metrics(training[name]))
            logger.info("  %s validation: %s", name, format_metrics(validation[name]))
        for name, task in self._tasks.items():  # the terminal's line per task
            info = self._state["tasks"][name]
            logger.info("validation %d, %s: %s %.4f (best %.4f at validation %d)",
                        self._state["validation_count"] - 1, name, task.validation_metric_name,
                        info["history"][-1], info["history"][info["best_index"]],
                        info["best_index"], extra=TERMINAL)

    # ----------------------------------------------------------------------------------------
    # checkpoints

    def _checkpoint(self, best_files: list[str]) -> None:
        state = self._state
        state["elapsed_seconds"] = self._elapsed_before + time.monotonic() - self._run_started
        rng_per_rank = gather_objects(capture_rng_state())
        if not self._context.is_main:
            return
        self._tensorboard.flush()
        model_state = self._model.state_dict()
        training_state = copy.deepcopy(state)
        training_state.update(
            {
                "optimizers": {k: o.state_dict() for k, o in self._optimizers.items()},
                "schedulers": {k: s.state_dict() for k, s in self._schedulers.items()},
                "scaler": self._scaler.state_dict() if self._scaler is not None else None,
                "sampler": self._sampler.state_dict(),
                "streams": {name: s.state_dict() for name, s in self._streams.items()},
                "rng": rng_per_rank[0],
            }
        )
        if self._context.is_distributed:
            training_state["rng_per_rank"] = rng_per_rank
            training_state["world_size"] = self._context.world_size
        files: dict[str, Any] = {MODEL_STATE: model_state, TRAINING_STATE: training_state}
        for name in best_files:
            files[name] = model_state
        save_checkpoint(self._serialization_dir, files)
        logger.info(
            "Checkpoint written (step %d)%s", state["global_step"],
            f"; new best: {', '.join(best_files)}" if best_files else "",
        )

    def _restore(self) -> None:
        directory = self._serialization_dir
        if self._context.is_main:
            finish_interrupted_checkpoint(directory)
        barrier()
        saved = load_torch_file(directory / TRAINING_STATE, "training state")
        if not isinstance(saved, dict) or saved.get("version") != STATE_VERSION:
            raise ConfigurationError(
                f"{directory / TRAINING_STATE}: not a training state of this hmtl version "
                f"(expected version {STATE_VERSION})"
            )
        if saved["task_names"] != list(self._tasks):
            raise ConfigurationError(
                f"{directory / TRAINING_STATE}: the checkpoint was written for tasks "
                f"{', '.join(saved['task_names'])} but the config has {', '.join(self._tasks)}"
            )
        if saved["optimizer_keys"] != list(self._optimizers):
            raise ConfigurationError(
                f"{directory / TRAINING_STATE}: the checkpoint has optimizers for "
                f"{', '.join(saved['optimizer_keys'])} but the config builds "
                f"{', '.join(self._optimizers)} (multi_task_trainer.optimizer_per_task changed?)"
            )
        if set(saved["schedulers"]) != set(self._schedulers):
            raise ConfigurationError(
                f"{directory / TRAINING_STATE}: the checkpoint's learning-rate schedulers do not "
                "match the config's multi_task_trainer.scheduler"
            )
        saved_world = int(saved.get("world_size", 1))
        if saved_world != self._context.world_size:
            raise ConfigurationError(
                f"{directory / TRAINING_STATE}: the run was trained by {saved_world} process(es) "
                f"but this one has {self._context.world_size}; relaunch with the same number "
                "(torchrun --nnodes x --nproc_per_node) to recover it exactly"
            )
        model_path = directory / MODEL_STATE
        load_model_weights(self._model, load_torch_file(model_path, "model weights"), model_path)
        try:
            for key, optimizer in self._optimizers.items():
                optimizer.load_state_dict(saved["optimizers"][key])
            for key, scheduler in self._schedulers.items():
                scheduler.load_state_dict(saved["schedulers"][key])
        except (ValueError, KeyError, RuntimeError) as error:
            raise ConfigurationError(
                f"{directory / TRAINING_STATE}: the optimizer or scheduler state does not fit "
                f"the config ({error})"
            ) from error
        if self._scaler is not None and saved.get("scaler"):
            self._scaler.load_state_dict(saved["scaler"])
        self._seed = saved["seed"]
        self._sampler = TaskSampler(self._sampler.probabilities, seed=self._seed)
        self._sampler.load_state_dict(saved["sampler"])
        for name, stream in list(self._streams.items()):
            stream = BatchStream(self._tasks[name].loader("train"), name, self._seed)
            stream.load_state_dict(saved["streams"][name])
            self._streams[name] = stream
        per_rank = saved.get("rng_per_rank") or [saved["rng"]]
        restore_rng_state(per_rank[self._context.rank])
        for key in ("optimizers", "schedulers", "scaler", "sampler", "streams", "rng",
                    "rng_per_rank", "world_size"):
            saved.pop(key, None)
        self._state = saved
        logger.info(
            "Recovered %s: epoch %d, step %d, %d validations so far",
            directory, saved["epoch"], saved["global_step"], saved["validation_count"],
        )

    # ----------------------------------------------------------------------------------------
    # summary

    def summary(self) -> dict[str, Any]:
        """Per task: best epoch/step, epochs trained (its own batches / its batches per epoch) and
        every task's validation metrics at its best validation; the best average; the history of
        validations; the total duration, counted across recoveries."""
        state = self._state
        result: dict[str, Any] = {}
        for name, info in state["tasks"].items():
            batches = state["task_batches"][name]
            per_epoch = self._num_batches[name]
            result[name] = {
                "best_epoch": info["best_epoch"],
                "best_step": info["best_step"],
                "nb_epoch_trained": batches // per_epoch if per_epoch else 0,
                "nb_batches_trained": batches,
                "best_epoch_val_metrics": info["best_validation_metrics"],
                "validation_metric": self._tasks[name].validation_metric_name,
                "out_of_patience": info["out_of_patience"],
            }
        combined = state["combined"]
        result["best_average"] = {
            "best_epoch": combined["best_epoch"],
            "best_step": combined["best_step"],
            "score": combined["history"][combined["best_index"]] if combined["history"] else None,
            "best_epoch_val_metrics": combined["best_validation_metrics"],
        }
        result["history"] = state["records"]
        result["nb_epoch_trained"] = state["epoch"]
        result["stop_reason"] = state["stop_reason"]
        if self._run_started is not None:
            elapsed = self._elapsed_before + time.monotonic() - self._run_started
        else:
            elapsed = float(state["elapsed_seconds"])
        result["training_duration"] = format_duration(elapsed)
        result["training_duration_seconds"] = elapsed
        return result

    @property
    def model(self) -> Model:
        """The model being trained (on the trainer's device)."""
        return self._model

    @property
    def device(self) -> torch.device:
        """Where the model and batches live."""
        return self._device

    @property
    def tasks(self) -> list[Task]:
        """The tasks, in config order."""
        return list(self._tasks.values())
