"""A tiny trained run directory with any of the four HMTL heads, for tests of what reads runs.

Archiving, predicting, serving and probing all start from a run directory written by
``hmtl train``. Their tests need a real one (config, vocabulary, best weights) whose model has
the heads under test, trained for real so that the vocabulary and label namespaces come from
data, yet built in a few seconds on CPU. This module writes a 20-document demo corpus and trains
a shrunken version of ``configs/demo.json`` (every dimension a few units, one epoch, no test
evaluation) on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from allennlp.common import Params

from hmtl.data.demo_corpus import MIN_DOCUMENTS, write_demo_corpus

#: The four tasks of the full model, bottom to top, and the task each one sits on.
TASKS: dict[str, str | None] = {"ner": None, "emd": "ner", "relation": "emd", "coref": "emd"}

WORD_DIM = 8
CHARACTER_DIM = 4
CHARACTER_FILTERS = 4
CHARACTER_WIDTH = 3
HIDDEN = 4  # per direction of every BiLSTM
FEATURE_SIZE = 4  # coreference span-width and distance embeddings
MAX_SPAN_WIDTH = 3

_INDEXERS = {
    "tokens": {"type": "single_id", "lowercase_tokens": True},
    "token_characters": {"type": "characters"},
}
# reader type, label namespace (taggers), corpus key prefix of write_demo_corpus's result
_READERS = {
    "ner": ("ner_ontonotes", "ontonotes_ner_labels", "conll2012"),
    "emd": ("mention_ace", "ace_mention_labels", "ace2005"),
    "relation": ("relation_ace", None, "ace2005"),
    "coref": ("coref", None, "conll2012_single_file"),
}


def tiny_config(
    data: dict[str, Path], tasks: Sequence[str], num_epochs: int = 1
) -> dict[str, Any]:
    """The config of a tiny model with ``tasks``, trained ``num_epochs`` on the corpus ``data``
    (write_demo_corpus's result). A task whose ``below`` is not among ``tasks`` sits on the
    next task down that is, or on the embeddings."""
    unknown = [task for task in tasks if task not in TASKS]
    if unknown or not tasks:
        raise ValueError(f"tasks must be a non-empty subset of {list(TASKS)}, got {list(tasks)}")
    config: dict[str, Any] = {}
    for task in tasks:
        reader_type, namespace, corpus = _READERS[task]
        reader: dict[str, Any] = {"type": reader_type, "token_indexers": _INDEXERS}
        if namespace:
            reader["label_namespace"] = namespace
        if task == "coref":
            reader["max_span_width"] = MAX_SPAN_WIDTH
        config[f"task_{task}"] = {
            "task_description": {
                "task_name": task,
                "validation_metric_name": "coref_f1" if task == "coref" else "f1-measure-overall",
                "validation_metric_decreases": False,
                "evaluate_on_test": False,
            },
            "data_params": {
                "dataset_reader": reader,
                "train_data_path": str(data[f"{corpus}_train"]),
                "validation_data_path": str(data[f"{corpus}_dev"]),
                "datasets_for_vocab_creation": ["train"],
            },
        }
    config["model"] = {
        "type": "hierarchical",
        "text_field_embedder": {"token_embedders": {
            "tokens": {"type": "embedding", "embedding_dim": WORD_DIM},
            "token_characters": {
                "type": "character_encoding",
                "embedding": {"embedding_dim": CHARACTER_DIM,
                              "vocab_namespace": "token_characters"},
                "encoder": {"type": "cnn", "embedding_dim": CHARACTER_DIM,
                            "num_filters": CHARACTER_FILTERS,
                            "ngram_filter_sizes": [CHARACTER_WIDTH]},
            },
        }},
        "tasks": {task: _task_block(task, tasks) for task in tasks},
    }
    config["iterators"] = {"iterator": {"type": "basic", "batch_size": 8}}
    config["multi_task_trainer"] = {
        "type": "sampler_multi_task_trainer",
        "sampling_method": "proportional",
        "num_epochs": num_epochs,
        "patience": 1,
        "cuda_device": -1,
        "seed": 13370,
        "optimizer": {"type": "adam", "lr": 0.01},
    }
    return config


def _below(task: str, tasks: Sequence[str]) -> str | None:
    below = TASKS[task]
    while below is not None and below not in tasks:
        below = TASKS[below]
    return below


def _task_block(task: str, tasks: Sequence[str]) -> dict[str, Any]:
    base = WORD_DIM + CHARACTER_FILTERS
    below = _below(task, tasks)
    encoder_input = base + (2 * HIDDEN if below else 0)
    encoded = 2 * HIDDEN
    block: dict[str, Any] = {
        "encoder": {"type": "lstm", "bidirectional": True, "input_size": encoder_input,
                    "hidden_size": HIDDEN},
        "below": below,
    }
    if task in ("ner", "emd"):
        block["head"] = {"type": "crf_tagger", "label_namespace": _READERS[task][1],
                         "label_encoding": "BIOUL", "constrain_crf_decoding": True}
    elif task == "relation":
        block["head"] = {"type": "relation", "d": 4, "l": 4}
    else:
        # endpoint (x,y of the encoded span ends) + width feature, then attention over the input
        span = 2 * encoded + FEATURE_SIZE + encoder_input
        block["head"] = {
            "type": "coreference",
            "mention_feedforward": {"input_dim": span, "num_layers": 1, "hidden_dims": 4,
                                    "activations": "relu"},
            # (antecedent, span, product) + distance feature
            "antecedent_feedforward": {"input_dim": 3 * span + FEATURE_SIZE, "num_layers": 1,
                                       "hidden_dims": 4, "activations": "relu"},
            "feature_size": FEATURE_SIZE,
            "max_span_width": MAX_SPAN_WIDTH,
            "spans_per_word": 0.4,
            "max_antecedents": 5,
        }
    return block


def train_tiny_run(
    directory: str | Path,
    tasks: Sequence[str] = ("ner", "emd", "relation", "coref"),
    num_epochs: int = 1,
) -> Path:
    """Write a demo corpus under ``directory/data`` and train ``tasks`` (one epoch takes about
    two seconds on one CPU core) into ``directory/run``; returns the run directory (config.json,
    vocabulary/, best_<task>.th, best.th, metrics.json)."""
    from hmtl.training.experiment import train  # the training stack is only needed here

    directory = Path(directory)
    data = write_demo_corpus(directory / "data", seed=7, num_documents=MIN_DOCUMENTS)
    config = tiny_config(data, tasks, num_epochs)
    train(Params(config), directory / "run")
    return directory / "run"
