"""Probe several layers on several tasks with either backend; one result per (layer, task).

The built-in backend encodes each task's sentences once for all layers (one forward pass per
batch gives every layer), then fits one prober per layer. SentEval drives its own loop, so it is
run once per layer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from hmtl.probing.data import read_probing_file
from hmtl.probing.encoder import SentenceEncoder
from hmtl.probing.prober import LogisticRegressionProber, ProbeResult
from hmtl.probing.senteval_backend import probe_with_senteval

logger = logging.getLogger(__name__)

LayerResults = dict[str, dict[str, ProbeResult]]


def probe_builtin(
    encoder: SentenceEncoder,
    layers: Sequence[str],
    task_files: Mapping[str, Path],
    prober: LogisticRegressionProber,
) -> LayerResults:
    """Probe every layer on every task (name -> probing file), each file read and encoded once."""
    encoder.check_layers(layers)
    results: LayerResults = {layer: {} for layer in layers}
    for task, path in task_files.items():
        data = read_probing_file(path, task)
        sizes = [len(data.splits[split]) for split in ("train", "dev", "test")]
        sentences = data.sentences("train") + data.sentences("dev") + data.sentences("test")
        logger.info("%s: encoding %d sentences for %d layer(s)", task, len(sentences), len(layers))
        vectors = encoder.encode(sentences, layers)
        labels = [data.label_ids(split) for split in ("train", "dev", "test")]
        bounds = [0, sizes[0], sizes[0] + sizes[1], sum(sizes)]
        for layer in layers:
            parts = [vectors[layer][bounds[i]:bounds[i + 1]] for i in range(3)]
            result = prober.fit_evaluate(
                parts[0], labels[0], parts[1], labels[1], parts[2], labels[2]
            )
            logger.info("%s / %s: dev %.2f, test %.2f", layer, task, result.devacc, result.acc)
            results[layer][task] = result
    return results


def probe_senteval(
    encoder: SentenceEncoder,
    layers: Sequence[str],
    task_files: Mapping[str, Path],
    use_gpu: bool,
    seed: int,
    batch_size: int,
) -> LayerResults:
    """Probe every layer on every task (name -> probing file) with SentEval, layer by layer."""
    encoder.check_layers(layers)
    return {
        layer: probe_with_senteval(
            encoder, layer, task_files, use_gpu, seed=seed, batch_size=batch_size
        )
        for layer in layers
    }
