"""Building and running a whole experiment from a config: train, fine-tune and evaluate.

The commands are thin wrappers around these functions. Order matters and is the same everywhere:
seed, check the embedding files (before any data is read), build the tasks, the vocabulary, the
model, then the trainer.

Under torchrun with several processes, ``train`` runs on every rank: rank 0 alone prepares the
serialization directory and writes the config, vocabulary, log file, checkpoints and
metrics.json; every rank reads all the data and builds the vocabulary *before* joining the
process group (so that the readers, which shard by rank inside a process group, give every rank
every instance), then the ranks train together (``hmtl.training.distributed``). After training
the other ranks leave and rank 0 alone scores the test sets, exactly as a single process does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from hmtl.data.check import LengthCheck, LengthLimits, instance_unit
from hmtl.experiment.config import apply_overrides, trainer_params
from hmtl.experiment.files import atomic_write_text
from hmtl.experiment.limits import length_limits
from hmtl.experiment.model import (
    build_model,
    check_embedding_files,
    device_for,
    use_gold_mentions,
    widest_filter,
)
from hmtl.experiment.run_dir import (
    add_log_file,
    check_recover_config,
    prepare_serialization_dir,
    read_saved_config,
    remove_log_file,
    write_config,
)
from hmtl.experiment.task import Task, build_tasks
from hmtl.experiment.terminal import TERMINAL
from hmtl.experiment.vocabulary import build_vocabulary, load_vocabulary, save_vocabulary
from hmtl.experiment.weights import load_model_weights, load_torch_file
from hmtl.training.checkpointer import require_checkpoint
from hmtl.training.distributed import (
    DistributedSettings,
    ProcessContext,
    check_same_everywhere,
    init_process_group,
    launch_context,
    leave_process_group,
)
from hmtl.training.evaluation import compute_test_matrix
from hmtl.training.seeding import set_seeds
from hmtl.training.trainer import DEFAULT_SEED, MultiTaskTrainer

logger = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"
EVALUATE_METRICS_FILE = "evaluate_metrics.json"


@dataclass
class Pretrained:
    """Where ``fine-tune`` takes its vocabulary and first weights from."""

    directory: str
    weights_name: str


def read_every_split(
    tasks: Iterable[Task], lengths: LengthLimits | None = None
) -> dict[str, dict[str, int]]:
    """Read every split the run will use (train, validation, and test when evaluated on it), so
    that a malformed file, or a sentence or document beyond ``lengths`` (what the model can take,
    as ``hmtl check-data`` reports it), stops the run before the first training step rather than
    at the first validation or after the last epoch. The loaders keep what they read, so nothing
    is read twice (splits already read for the vocabulary come from that cache). Returns the
    instance counts, task -> split -> count."""
    counts: dict[str, dict[str, int]] = {}
    for task in tasks:
        splits = ["train", "validation"] + (["test"] if task.evaluate_on_test else [])
        for split in splits:
            unit = instance_unit(task.reader if split == "train" else task.validation_reader)
            check = LengthCheck(lengths.for_task(task.name, unit) if lengths else [], unit)
            count = 0
            try:
                for instance in task.loader(split).iter_instances():
                    check.add(instance)
                    count += 1
            except KeyError as error:
                raise ConfigurationError(
                    f"task {task.name}: {task.paths[split]} ({split}) has a label or token the "
                    f"vocabulary lacks ({error}); add {split!r} to "
                    f"{task.config_key}.data_params.datasets_for_vocab_creation or fix the file"
                ) from error
            beyond = [f"task {task.name}: {split}: {line}" for line in check.messages()]
            for line in beyond[1:]:
                logger.error("%s", line)
            if beyond:
                raise ConfigurationError(beyond[0])
            logger.info("Task %s: %d %s instances", task.name, count, split)
            counts.setdefault(task.name, {})[split] = count
    return counts


def log_header(
    directory: Path, counts: Mapping[str, Mapping[str, int]], cuda_device: int,
    context: ProcessContext,
) -> None:
    """The run's header on the terminal: where it writes, the tasks and their sizes, the device."""
    logger.info("Run directory: %s (its out.log keeps the full log)", directory, extra=TERMINAL)
    for name, splits in counts.items():
        sizes = ", ".join(f"{count} {split}" for split, count in splits.items())
        logger.info("Task %s: %s instances", name, sizes, extra=TERMINAL)
    if cuda_device < 0:
        device = "CPU"
    elif torch.cuda.is_available() and cuda_device < torch.cuda.device_count():
        device = f"GPU {cuda_device} ({torch.cuda.get_device_name(cuda_device)})"
    else:
        device = f"GPU {cuda_device}"
    if context.is_distributed:
        device = f"{context.world_size} processes; rank 0 on {device}"
    logger.info("Device: %s", device, extra=TERMINAL)


def _seed(trainer: Params) -> int | None:
    seed = trainer.get("seed", DEFAULT_SEED)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ConfigurationError(
            f"multi_task_trainer.seed must be an integer or null; got {seed!r}"
        )
    return seed


def _write_json(data: Mapping[str, Any], path: Path) -> None:
    atomic_write_text(json.dumps(data, indent=2) + "\n", path)


def distributed_settings(trainer: Params, backend: str | None = None) -> DistributedSettings:
    """``multi_task_trainer.distributed`` (removed from ``trainer``), ``backend`` overriding it."""
    block = trainer.pop("distributed", None)
    raw = block.as_dict(quiet=True) if isinstance(block, Params) else block
    if raw is not None and not isinstance(raw, dict):
        raise ConfigurationError(
            f"multi_task_trainer.distributed must be an object like {{\"backend\": \"auto\"}}; "
            f"got {raw!r}"
        )
    raw = dict(raw or {})
    if backend is not None:
        raw["backend"] = backend
    try:
        return DistributedSettings.from_params(Params(raw))
    except ConfigurationError as error:
        raise ConfigurationError(f"multi_task_trainer.distributed: {error.message}") from error
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"multi_task_trainer.distributed: {error}") from error


def vocabulary_digest(vocab: Vocabulary) -> str:
    """A fingerprint of every namespace's tokens in index order (to compare ranks' vocabularies)."""
    content = {
        namespace: [vocab.get_token_from_index(i, namespace)
                    for i in range(vocab.get_vocab_size(namespace))]
        for namespace in sorted(vocab.get_namespaces())
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def train(
    params: Params,
    serialization_dir: str | os.PathLike,
    *,
    recover: bool = False,
    force: bool = False,
    cuda_device: int | None = None,
    pretrained: Pretrained | None = None,
    backend: str | None = None,
) -> dict[str, Any]:
    """Train (or fine-tune, with ``pretrained``) and score each task's best weights on every test
    set. Writes config.json, vocabulary/, checkpoints, log/, out.log and metrics.json.

    Launched by torchrun with several processes it trains data-parallel (``backend`` overrides
    ``multi_task_trainer.distributed.backend``); ranks other than 0 return the training summary
    without test scores."""
    context = launch_context()
    handler = None
    if context.is_main:
        directory = prepare_serialization_dir(serialization_dir, recover, force)
        handler = add_log_file(directory)
    else:
        directory = Path(serialization_dir)
        logging.getLogger().setLevel(logging.WARNING)  # rank 0 logs the run
    succeeded = False
    try:
        metrics = _train(params, directory, recover, cuda_device, pretrained, context, backend)
        succeeded = True
        return metrics
    finally:
        leave_process_group(wait=succeeded)
        if handler is not None:
            remove_log_file(handler)


def _train(
    params: Params,
    directory: Path,
    recover: bool,
    cuda_device: int | None,
    pretrained: Pretrained | None,
    context: ProcessContext,
    backend: str | None,
) -> dict[str, Any]:
    if recover:
        check_recover_config(params, directory)
        require_checkpoint(directory)
    elif context.is_main:
        write_config(params, directory)
    trainer_block = trainer_params(params)
    if cuda_device is not None:
        trainer_block["cuda_device"] = cuda_device
    settings = distributed_settings(trainer_block, backend)
    seed = _seed(trainer_block)
    if seed is not None:
        set_seeds(seed)
    check_embedding_files(params.get("model"))
    tasks = build_tasks(params, widest_filter(params.get("model")))
    lengths = length_limits(params.get("model"), params.get("data_limits", None),
                            [task.name for task in tasks])
    for task in tasks:
        task.require(("train", "validation"), "train")
        if task.evaluate_on_test:
            task.require(("test",), "evaluate on test (evaluate_on_test is true)")

    if recover:
        vocab = load_vocabulary(directory)
    elif pretrained is not None:
        vocab = load_vocabulary(pretrained.directory)
    else:
        vocab = build_vocabulary(tasks, params.get("vocabulary", None))
    if not recover and context.is_main:
        save_vocabulary(vocab, directory)
    for task in tasks:
        task.index_with(vocab)
    counts = read_every_split(tasks, lengths)
    if context.is_main:
        device = trainer_block.get("cuda_device", -1)
        log_header(directory, counts, device if isinstance(device, int) else -1, context)
    if context.is_distributed:
        init_process_group(context, settings, trainer_block.get("cuda_device", -1) >= 0)
        check_same_everywhere(vocabulary_digest(vocab), "vocabularies")

    model = build_model(params, vocab, for_loading_weights=recover)
    if pretrained is not None and not recover:
        path = Path(pretrained.directory) / pretrained.weights_name
        logger.info("Fine-tuning: loading the weights of %s", path)
        load_model_weights(model, load_torch_file(path, "pretrained weights"), path)

    try:
        trainer = MultiTaskTrainer.from_params(
            params=trainer_block, model=model, tasks=tasks, serialization_dir=str(directory)
        )
    except TypeError as error:
        raise ConfigurationError(f"multi_task_trainer: {error}") from error
    metrics = trainer.train(recover=recover)
    if context.is_distributed:
        leave_process_group()
        if not context.is_main:
            return metrics

    matrix = compute_test_matrix(trainer.model, trainer.tasks, directory, trainer.device)
    for row, columns in matrix.items():
        metrics[row]["test"] = columns
    _write_json(metrics, directory / METRICS_FILE)
    logger.info("Metrics written to %s", directory / METRICS_FILE)
    return metrics


def evaluate_run(
    serialization_dir: str | os.PathLike,
    *,
    cuda_device: int | None = None,
    gold_mentions: bool = False,
    test_data: Mapping[str, str] | None = None,
    overrides: str | None = None,
    predictions_dir: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Score each evaluated task's ``best_<task>.th`` on every evaluated test set, from the run's
    saved config and vocabulary; writes ``evaluate_metrics.json``.

    Tasks evaluated: those with ``evaluate_on_test`` plus those given in ``test_data``
    (task -> file, replacing the config's test path). With ``predictions_dir``, each task's
    predictions (with its own best weights) and gold are written there in its input format.
    """
    directory = Path(serialization_dir)
    raw = apply_overrides(read_saved_config(directory).as_dict(quiet=True), overrides)
    params = Params(raw)
    trainer_block = trainer_params(params)
    device_index = trainer_block.get("cuda_device", -1) if cuda_device is None else cuda_device
    device = device_for(device_index)

    tasks = build_tasks(params, widest_filter(params.get("model")))
    by_name = {task.name: task for task in tasks}
    test_data = dict(test_data or {})
    for name in test_data:
        if name not in by_name:
            raise ConfigurationError(
                f"--test-data {name}=...: no task named {name!r}; tasks are {', '.join(by_name)}"
            )
    for task in tasks:
        if task.evaluate_on_test and task.name not in test_data:
            task.require(("test",), "evaluate it (evaluate_on_test is true)")
    vocab = load_vocabulary(directory)
    for task in tasks:
        task.index_with(vocab)
    model = build_model(params, vocab, for_loading_weights=True).to(device)
    if gold_mentions and use_gold_mentions(model) == 0:
        raise ConfigurationError(
            "-g/--gold_mentions: the model has no coreference head to evaluate on gold mentions"
        )
    collector = None
    if predictions_dir is not None:
        from hmtl.experiment.prediction_writers import PredictionCollector

        collector = PredictionCollector(model, {t.name: t.validation_reader for t in tasks})

    def source(task: Task, path: str) -> Callable[[], Iterable[Mapping[str, Any]]]:
        return lambda: task.loader_for_file(path)

    sources = {name: source(by_name[name], path) for name, path in test_data.items()}
    matrix = compute_test_matrix(model, tasks, directory, device, sources, on_batch=collector)
    result = {row: {"test": columns} for row, columns in matrix.items()}
    if collector is not None:
        for name, (key, response) in collector.write(predictions_dir).items():
            logger.info("Task %s: gold in %s, predictions in %s", name, key, response)
    _write_json(result, directory / EVALUATE_METRICS_FILE)
    logger.info("Metrics written to %s", directory / EVALUATE_METRICS_FILE)
    return result
