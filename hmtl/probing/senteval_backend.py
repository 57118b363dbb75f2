"""The bridge to SentEval itself, used when ``import senteval`` works.

SentEval drives the evaluation: it reads the probing files under ``<task_path>/probing``, calls
``prepare(params, samples)`` once per task with every sentence of the task and
``batcher(params, batch)`` for batches of tokenised sentences, which must return one vector per
sentence, then trains its classifier and returns ``devacc``, ``acc``, ``ndev`` and ``ntest``.
SentEval's PyTorch classifier always moves itself to CUDA, so on the CPU it is run with
``usepytorch`` off, which makes it use scikit-learn's logistic regression.

A task of the user's own (``NAME=PATH``) goes through the same code of SentEval: its generic
probing task class ``senteval.probing.PROBINGEval``, which every built-in probing task is a
subclass of with a fixed file name, is given the user's file and run with the engine's
parameters, ``prepare`` and ``batcher``, as ``SE.eval`` runs the built-in ones.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from allennlp.common.checks import ConfigurationError

from hmtl.probing.data import PROBING_TASKS
from hmtl.probing.encoder import SentenceEncoder
from hmtl.probing.prober import SENTEVAL_SEED, ProbeResult

logger = logging.getLogger(__name__)

# The classifier the original HMTL script passed to SentEval: logistic regression (no hidden
# layer), SentEval's "prototyping" optimiser settings.
ORIGINAL_CLASSIFIER: dict[str, Any] = {
    "nhid": 0, "optim": "rmsprop", "batch_size": 128, "tenacity": 3, "epoch_size": 2
}


def senteval_importable() -> bool:
    """Whether SentEval's engine can be imported in this environment."""
    try:
        importlib.import_module("senteval.engine")
    except ImportError:
        return False
    return True


def probe_with_senteval(
    encoder: SentenceEncoder,
    layer: str,
    task_files: Mapping[str, Path],
    use_gpu: bool,
    seed: int = SENTEVAL_SEED,
    batch_size: int = 128,
) -> dict[str, ProbeResult]:
    """Run probing tasks (name -> file) on one layer's sentence vectors with SentEval."""
    folders = {Path(path).parent for task, path in task_files.items() if task in PROBING_TASKS}
    probing_folder = next(iter(folders), Path("probing"))
    if len(folders) > 1 or probing_folder.name != "probing":
        raise ConfigurationError(
            f"SentEval reads its probing files from <data-dir>/probing, but they are in "
            f"{', '.join(sorted(map(str, folders)))}: pass the folder above a folder named "
            "probing as --data-dir."
        )
    engine = importlib.import_module("senteval.engine")
    if use_gpu and encoder.device.type == "cuda":
        torch.cuda.set_device(encoder.device)  # SentEval's classifier uses the current GPU
    sample_counts: dict[str, int] = {}

    def prepare(params: Any, samples: Sequence[Sequence[str]]) -> None:
        sample_counts[params.current_task] = len(samples)

    def batcher(params: Any, batch: Sequence[Sequence[str]]) -> np.ndarray:
        return encoder.encode([list(sentence) for sentence in batch], [layer])[layer]

    params = {
        "task_path": str(probing_folder.parent),
        "usepytorch": use_gpu,
        "kfold": 5,
        "seed": seed,
        "batch_size": batch_size,
        "classifier": dict(ORIGINAL_CLASSIFIER),
    }
    evaluation = engine.SE(params, batcher, prepare)
    results = {}
    for task, path in task_files.items():
        logger.info("SentEval: layer %s, task %s", layer, task)
        if task in PROBING_TASKS:
            output = evaluation.eval(task)
        else:
            output = _eval_own_file(evaluation, task, Path(path), seed)
        expected = ("devacc", "acc", "ndev", "ntest")
        if not isinstance(output, dict) or any(key not in output for key in expected):
            raise ConfigurationError(
                f"The installed SentEval returned {output!r} for {task}, expected a dict with "
                f"{', '.join(expected)}: install facebookresearch/SentEval from its repository."
            )
        ndev, ntest = int(output["ndev"]), int(output["ntest"])
        results[task] = ProbeResult(
            devacc=float(output["devacc"]),
            acc=float(output["acc"]),
            ntrain=sample_counts.get(task, ndev + ntest) - ndev - ntest,
            ndev=ndev,
            ntest=ntest,
        )
    return results


def _eval_own_file(evaluation: Any, task: str, path: Path, seed: int) -> Any:
    """A probing file of the user's own through SentEval's generic probing task, with the
    engine's parameters, ``prepare`` and ``batcher`` (what ``SE.eval`` does for its own)."""
    probing = importlib.import_module("senteval.probing")
    task_eval = probing.PROBINGEval(task, str(path), seed=seed)
    evaluation.params.current_task = task
    task_eval.do_prepare(evaluation.params, evaluation.prepare)
    return task_eval.run(evaluation.params, evaluation.batcher)
