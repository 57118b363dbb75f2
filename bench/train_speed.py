"""Training speed of the multi-task trainer against ``allennlp train``, on CPU.

Measures the training time per epoch (wall clock and process CPU time), steps/s, instances/s
and peak memory (max RSS of the process), on the synthetic demo corpus, for:

* our trainer (``hmtl train``) with each task alone (``ner``, ``emd``, ``relation``, ``coref``)
  and with the full model (``full``: NER -> EMD -> {RE, CR}, proportional sampling), per task;
* ``allennlp train`` of allennlp-models' single-task ``crf_tagger`` on the same OntoNotes NER
  files (``allennlp_ner``) and on the same ACE mention files read by hmtl's ``mention_ace``
  reader (``allennlp_emd``), and its ``coref`` model on the same CoNLL-2012 coreference file
  (``allennlp_coref``), with the same sizes. allennlp-models has no relation model: the sum of
  the single-task peers that a full epoch is compared with takes our own ``relation`` run.

Sizes are the original's (NER 2x64 BiLSTM, EMD 2x64, RE 3x64, CR 1x200; coref feed-forwards
2x150, max_span_width 8, spans_per_word 0.4, max_antecedents 70; batches NER/EMD 32, RE 4, CR 1;
Adam 1e-3, grad_norm 5, grad_clipping 10). The base embedder is a 1124-d word embedding plus the
original character CNN (16 -> 64 filters of width 3): the original 1188-d input, the frozen ELMo
replaced by a plain embedding because pretrained ELMo is not available offline.

Times cover the training passes of the epochs after the first (the first one warms up
allocators and caches): validation and checkpoints are excluded on both sides (our trainer's
``_validate_and_checkpoint`` is timed and subtracted; AllenNLP's is cut out with a callback that
stamps the last training batch of each epoch). Every measurement runs in its own process, with
one thread, so that peak memories do not mix; ``--repeats`` runs every measurement again, in
turn, and the report gives the median of each ratio (on shared cores, compare the CPU-time
ratios: they are what the wall-clock ratios are on an idle machine).

``--side-by-side`` runs each of our runs at the same time as its peer, in two processes, and the
full run at the same time as its single-task peers (one after another): on a shared machine
both sides of a ratio then see the same load, which sequential runs do not.

``--profile`` also splits the time of each training step into phases (data, collate, forward,
metrics update, metrics read, backward, optimizer, logging, loop other), the same way on both
sides, by wrapping the functions that do each phase (exclusive time: a metric called inside
forward counts as metrics).

allennlp-models is not a dependency of the project. For the comparison install it apart, outside
the virtualenv, and point ``--peer`` (or ``PYTHONPATH``) at it::

    .venv/bin/python -m pip install --no-deps --target build/peer allennlp-models==2.10.1 \
        conllu==4.4.2 word2number py-rouge ftfy
    .venv/bin/python bench/train_speed.py --peer build/peer --side-by-side --profile

Without it the AllenNLP runs are skipped with a message that gives this command.
"""

import argparse
import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
TASK_RUNS = ("ner", "emd", "relation", "coref", "full")
FAST = "fast_"  # prefix of our runs with hmtl's faster modules (see ``our_config``)
OURS = TASK_RUNS + tuple(FAST + name for name in TASK_RUNS)
ALLENNLP = ("allennlp_ner", "allennlp_emd", "allennlp_coref")
COMPARED = {prefix + task: f"allennlp_{task}"
            for prefix in ("", FAST) for task in ("ner", "emd", "coref")}
# the single-task runs whose epochs add up to what a full epoch is compared with (no peer has a
# relation model: ours stands in)
PEER_SUM = ("allennlp_ner", "allennlp_emd", "relation", "allennlp_coref")


def beside(name: str) -> str:
    """The suffix of the peers' results measured beside our run ``name`` (--side-by-side)."""
    return f" (beside {name})"

PHASES = ("data", "collate", "forward", "metrics update", "metrics read", "backward",
          "optimizer", "logging", "gc", "loop other")

WORD_DIM = 1124  # + 64 character filters = the original 1188-d base embedding
CHAR = {"embedding_dim": 16, "num_filters": 64, "width": 3}
OPTIMIZER = {"type": "adam", "lr": 0.001}
COREF_SIZES = {"feature_size": 20, "max_span_width": 8, "spans_per_word": 0.4,
               "max_antecedents": 70}


# ------------------------------------------------------------------------------ shared pieces

def indexers(characters: bool) -> dict[str, Any]:
    """``token_indexers`` for both sides' readers; without characters, the readers' default
    (one ``single_id`` indexer named ``tokens``) is kept on both sides."""
    if not characters:
        return {}
    return {"token_indexers": {
        "tokens": {"type": "single_id"},
        "token_characters": {"type": "characters", "min_padding_length": CHAR["width"]},
    }}


def embedder(characters: bool) -> dict[str, Any]:
    embedders: dict[str, Any] = {"tokens": {"type": "embedding", "embedding_dim": WORD_DIM}}
    if characters:
        embedders["token_characters"] = {
            "type": "character_encoding",
            "embedding": {"embedding_dim": CHAR["embedding_dim"],
                          "vocab_namespace": "token_characters"},
            "encoder": {"type": "cnn", "embedding_dim": CHAR["embedding_dim"],
                        "num_filters": CHAR["num_filters"], "ngram_filter_sizes": [CHAR["width"]]},
            "dropout": 0.1,
        }
    return {"token_embedders": embedders}


def base_dim(characters: bool) -> int:
    return WORD_DIM + (CHAR["num_filters"] if characters else 0)


def lstm(input_size: int, hidden: int, layers: int) -> dict[str, Any]:
    return {"type": "lstm", "input_size": input_size, "hidden_size": hidden,
            "num_layers": layers, "bidirectional": True, "dropout": 0.2 if layers > 1 else 0.0}


def feedforward(input_dim: int) -> dict[str, Any]:
    return {"input_dim": input_dim, "num_layers": 2, "hidden_dims": 150,
            "activations": "relu", "dropout": 0.3}


def corpus_paths(data: Path) -> dict[str, str]:
    conll = data / "conll-2012" / "v4" / "data"
    single = data / "conll-2012_single_file"
    return {
        "ner_train": str(conll / "train"), "ner_dev": str(conll / "development"),
        "coref_train": str(single / "train.english.v4_gold_conll"),
        "coref_dev": str(single / "dev.english.v4_gold_conll"),
        "ace_train": str(data / "ace2005" / "train"), "ace_dev": str(data / "ace2005" / "dev"),
    }


# ------------------------------------------------------------------------------------ ours

def our_config(name: str, paths: dict[str, str], epochs: int, characters: bool) -> dict:
    """``name`` is a task, or ``full``; with the prefix ``fast_``, the encoders are hmtl's
    ``padded_lstm``, the optimizer ``fused_adam`` (the same functions as AllenNLP's ``lstm``
    and ``adam``, computed by fused kernels) and the coreference head scores mentions block by
    block (``blockwise_mention_scoring``, the same function), otherwise as in the peers."""
    fast = name.startswith(FAST)
    name = name.removeprefix(FAST)
    base = base_dim(characters)
    upper = base + 2 * 64
    tasks = {
        "ner": ("ner_ontonotes", "ner", {},  # both readers leave out the pt genre
                {"encoder": lstm(base, 64, 2),
                 "head": {"type": "crf_tagger", "label_namespace": "ontonotes_ner_labels",
                          "label_encoding": "BIOUL", "dropout": 0.2}}),
        "emd": ("mention_ace", "ace", {},
                {"encoder": lstm(upper, 64, 2), "below": "ner",
                 "head": {"type": "crf_tagger", "label_namespace": "ace_mention_labels",
                          "label_encoding": "BIOUL", "dropout": 0.2}}),
        "relation": ("relation_ace", "ace", {},
                     {"encoder": lstm(upper, 64, 3), "below": "emd",
                      "head": {"type": "relation", "d": 64, "l": 64, "activation": "relu"}}),
        "coref": ("coref", "coref", {"max_span_width": 8},
                  {"encoder": lstm(upper, 200, 1), "below": "emd", "head": None}),
    }
    chosen = list(tasks) if name == "full" else [name]
    config: dict[str, Any] = {}
    model_tasks: dict[str, Any] = {}
    for task in chosen:
        reader, corpus, options, block = tasks[task]
        block = json.loads(json.dumps(block))
        if name != "full":  # alone, every task sits on the base embedding
            block.pop("below", None)
            block["encoder"]["input_size"] = base
        encoder_in = block["encoder"]["input_size"]
        if task == "coref":
            span = 2 * 400 + COREF_SIZES["feature_size"] + encoder_in
            block["head"] = {"type": "coreference", "lexical_dropout": 0.5, **COREF_SIZES,
                             "mention_feedforward": feedforward(span),
                             "antecedent_feedforward": feedforward(3 * span + 20)}
        if fast:
            block["encoder"]["type"] = "padded_lstm"
            if task == "coref":
                block["head"]["blockwise_mention_scoring"] = True
        model_tasks[task] = block
        metric = "coref_f1" if task == "coref" else "f1-measure-overall"
        config[f"task_{task}"] = {
            "task_description": {"task_name": task, "validation_metric_name": metric,
                                 "validation_metric_decreases": False},
            "data_params": {
                "dataset_reader": {"type": reader, **indexers(characters), **options},
                "train_data_path": paths[f"{corpus}_train"],
                "validation_data_path": paths[f"{corpus}_dev"],
                "datasets_for_vocab_creation": ["train"],
            },
        }
    config["model"] = {"type": "hierarchical", "text_field_embedder": embedder(characters),
                       "tasks": model_tasks}
    iterators = {
        "iterator": {"type": "basic", "batch_size": 32},
        "iterator_relation": {"type": "basic", "batch_size": 4},
        "iterator_coref": {"type": "bucket", "batch_size": 1,
                           "sorting_keys": [["text", "num_tokens"]], "padding_noise": 0.0},
    }
    config["iterators"] = {
        key: value for key, value in iterators.items()
        if key == "iterator" or key.removeprefix("iterator_") in chosen
    }
    config["multi_task_trainer"] = {
        "type": "sampler_multi_task_trainer", "sampling_method": "proportional",
        "num_epochs": epochs, "patience": 10, "min_lr": 1e-7, "grad_norm": 5.0,
        "grad_clipping": 10.0, "cuda_device": -1, "summary_interval": 50,
        "optimizer": {**OPTIMIZER, "type": "fused_adam"} if fast else OPTIMIZER, "no_tqdm": True,
    }
    return config


class PhaseTimer:
    """Exclusive wall-clock time per phase of a training step.

    Functions are wrapped with a phase name; while a wrapped function runs, time goes to its
    phase, and to the phase of the innermost wrapped call when they nest (a metric updated inside
    forward counts as ``metrics update``, not ``forward``). Time outside every wrapped function
    but inside a training epoch goes to ``loop other``. Only training epochs after the first are
    counted (``active``).
    """

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)  # wall seconds
        self.cpu_totals: dict[str, float] = defaultdict(float)  # process CPU seconds
        self.active = False
        self._stack: list[str] = []
        self._last = (0.0, 0.0)

    def _switch(self, phase: str | None) -> None:
        now = (time.perf_counter(), time.process_time())
        if self.active and self._stack:
            self.totals[self._stack[-1]] += now[0] - self._last[0]
            self.cpu_totals[self._stack[-1]] += now[1] - self._last[1]
        self._last = now
        if phase is None:
            self._stack.pop()
        else:
            self._stack.append(phase)

    def wrap(self, owner: Any, attribute: str, phase: str) -> None:
        """Count the calls of ``owner.attribute`` (a function or method) as ``phase``."""
        original = getattr(owner, attribute)
        static = isinstance(inspect.getattr_static(owner, attribute), staticmethod)
        timer = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            timer._switch(phase)
            try:
                return original(*args, **kwargs)
            finally:
                timer._switch(None)

        setattr(owner, attribute, staticmethod(timed) if static else timed)

    def wrap_iterator(self, owner: Any, attribute: str, phase: str) -> None:
        """Count the ``next`` calls of the iterators that ``owner.attribute()`` returns."""
        original = getattr(owner, attribute)
        timer = self

        class Timed:
            def __init__(self, inner: Any) -> None:
                self._inner = iter(inner)

            def __iter__(self) -> "Timed":
                return self

            def __next__(self) -> Any:
                timer._switch(phase)
                try:
                    return next(self._inner)
                finally:
                    timer._switch(None)

        setattr(owner, attribute, lambda *args, **kwargs: Timed(original(*args, **kwargs)))

    def start_epoch(self, counted: bool) -> None:
        self.active = counted
        self._stack = ["loop other"]
        self._last = (time.perf_counter(), time.process_time())

    def end_epoch(self) -> None:
        self._switch(None)
        self.active = False


def wrap_common_phases(timer: PhaseTimer) -> None:
    """Phases that both sides share: the loader, the collate function, backward, the optimizer,
    gradient clipping, AllenNLP's metrics and the progress bar."""
    import gc

    import tqdm
    from allennlp.data.data_loaders import MultiProcessDataLoader
    from allennlp.data.data_loaders.data_collator import DefaultDataCollator
    from allennlp.training import util as training_util
    from allennlp.training.metrics import CategoricalAccuracy, SpanBasedF1Measure

    def collection(phase: str, info: dict) -> None:  # Python's cyclic garbage collector
        if timer._stack:
            timer._switch("gc" if phase == "start" else None)

    gc.callbacks.append(collection)
    timer.wrap_iterator(MultiProcessDataLoader, "__iter__", "data")
    timer.wrap(DefaultDataCollator, "__call__", "collate")
    timer.wrap(torch_module().Tensor, "backward", "backward")
    optim = torch_module().optim
    timer.wrap(optim.Adam, "step", "optimizer")
    timer.wrap(optim.Optimizer, "zero_grad", "optimizer")
    timer.wrap(torch_module().nn.utils, "clip_grad_norm_", "optimizer")
    timer.wrap(torch_module().nn.utils, "clip_grad_value_", "optimizer")
    timer.wrap(training_util, "rescale_gradients", "optimizer")
    timer.wrap(CategoricalAccuracy, "__call__", "metrics update")
    timer.wrap(SpanBasedF1Measure, "__call__", "metrics update")
    timer.wrap(training_util, "get_metrics", "metrics read")
    for method in ("set_description", "update", "refresh"):
        timer.wrap(tqdm.std.tqdm, method, "logging")
    import logging

    timer.wrap(logging.Logger, "_log", "logging")


def torch_module() -> Any:
    import torch

    return torch


def measure_ours(name: str, workdir: Path, epochs: int, characters: bool,
                 profile: bool) -> dict[str, Any]:
    import importlib

    import hmtl  # noqa: F401  (registers the project's components)

    for reader in ("ner_ontonotes", "mention_ace", "relation_ace", "coref"):
        try:  # registered by ``import hmtl`` once the readers package imports them
            importlib.import_module(f"hmtl.data.readers.{reader}")
        except ImportError:
            pass
    from allennlp.common import Params

    from hmtl.training import trainer as trainer_module
    from hmtl.training.batch_stream import BatchStream
    from hmtl.training.experiment import train

    seconds: dict[str, float] = defaultdict(float)
    steps: dict[str, int] = defaultdict(int)
    instances: dict[str, int] = defaultdict(int)
    excluded = [0.0, 0.0]  # wall, CPU seconds of validation inside the current epoch
    epoch_times: list[tuple[float, float]] = []
    trainer_class = trainer_module.SamplerMultiTaskTrainer
    original_step, original_next = trainer_class._train_step, BatchStream.__next__
    original_validate = trainer_class._validate_and_checkpoint
    original_epoch = trainer_class._train_epoch
    timer = PhaseTimer()

    def counted() -> bool:
        return len(epoch_times) >= 1  # epochs after the first

    def timed_next(self: BatchStream) -> Any:
        start = time.perf_counter()
        batch = original_next(self)
        if counted():
            seconds[self._name] += time.perf_counter() - start
        return batch

    def timed_step(self: Any, task_name: str, batch: dict) -> float:
        start = time.perf_counter()
        loss = original_step(self, task_name, batch)
        if counted():
            seconds[task_name] += time.perf_counter() - start
            steps[task_name] += 1
            instances[task_name] += len(batch["metadata"])
        return loss

    def timed_validate(self: Any, *args: Any, **kwargs: Any) -> None:
        active, timer.active = timer.active, False
        wall, cpu = time.perf_counter(), time.process_time()
        original_validate(self, *args, **kwargs)
        excluded[0] += time.perf_counter() - wall
        excluded[1] += time.process_time() - cpu
        timer.active = active

    def timed_epoch(self: Any) -> None:
        excluded[:] = [0.0, 0.0]
        if profile:
            timer.start_epoch(counted())
        wall, cpu = time.perf_counter(), time.process_time()
        original_epoch(self)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if profile:
            timer.end_epoch()
        epoch_times.append((wall - excluded[0], cpu - excluded[1]))

    if profile:
        from hmtl.metrics.coreference import ConllCorefScores
        from hmtl.metrics.relation_f1 import RelationF1Measure
        from hmtl.models.hierarchical import HierarchicalModel
        from hmtl.training import tensorboard_writer

        wrap_common_phases(timer)
        timer.wrap(HierarchicalModel, "forward", "forward")
        timer.wrap(HierarchicalModel, "get_metrics", "metrics read")
        for metric in (ConllCorefScores, RelationF1Measure):
            timer.wrap(metric, "__call__", "metrics update")
        for head_module, head_class, method in (
            ("hmtl.modules.heads.crf_tagger", "CrfTaggerHead", "_update_metrics"),
            ("hmtl.modules.heads.coreference", "CoreferenceHead", "_update_metrics"),
        ):
            owner = getattr(importlib.import_module(head_module), head_class)
            if hasattr(owner, method):
                timer.wrap(owner, method, "metrics update")
        from hmtl.metrics.accuracy import DistributedCategoricalAccuracy
        from hmtl.metrics.span_f1 import DistributedSpanBasedF1Measure

        timer.wrap(DistributedCategoricalAccuracy, "__call__", "metrics update")
        if "__call__" in vars(DistributedSpanBasedF1Measure):
            timer.wrap(DistributedSpanBasedF1Measure, "__call__", "metrics update")
        for method in ("training_details", "training_proportion", "parameter_statistics"):
            timer.wrap(tensorboard_writer.TensorboardWriter, method, "logging")
        from hmtl.training.callbacks import ProgressCallback, TensorboardCallback
        from hmtl.training.step import OptimisationStep

        for callback in (ProgressCallback, TensorboardCallback):
            timer.wrap(callback, "on_batch", "logging")
        timer.wrap(OptimisationStep, "clip", "optimizer")

    BatchStream.__next__ = timed_next  # type: ignore[method-assign]
    trainer_class._train_step = timed_step  # type: ignore[method-assign]
    trainer_class._validate_and_checkpoint = timed_validate  # type: ignore[method-assign]
    trainer_class._train_epoch = timed_epoch  # type: ignore[method-assign]
    config = our_config(name, corpus_paths(workdir / "data"), epochs, characters)
    started = time.perf_counter()
    train(Params(config), workdir / f"run_{name}", force=True)
    total = time.perf_counter() - started
    return {
        "name": name, "total_seconds": total, "epochs": epoch_times,
        "steps": sum(steps.values()), "instances": sum(instances.values()),
        "per_task": {task: {"steps": steps[task], "instances": instances[task],
                            "seconds": seconds[task]} for task in steps},
        "phases": dict(timer.totals), "cpu_phases": dict(timer.cpu_totals),
    }


# -------------------------------------------------------------------------------- allennlp

def allennlp_config(name: str, paths: dict[str, str], epochs: int, characters: bool) -> dict:
    base = base_dim(characters)
    trainer = {"optimizer": OPTIMIZER, "num_epochs": epochs, "grad_norm": 5.0,
               "grad_clipping": 10.0, "cuda_device": -1, "callbacks": ["bench_timer"],
               "checkpointer": {"keep_most_recent_by_count": 1}}
    if name in ("allennlp_ner", "allennlp_emd"):
        if name == "allennlp_ner":
            reader = {"type": "ontonotes_ner", "coding_scheme": "BIOUL"}
            train_path, dev_path, labels = paths["ner_train"], paths["ner_dev"], "labels"
        else:  # allennlp-models has no ACE reader: hmtl's, which gives the same fields
            reader = {"type": "mention_ace"}
            train_path, dev_path = paths["ace_train"], paths["ace_dev"]
            labels = "ace_mention_labels"
        return {
            "dataset_reader": {**reader, **indexers(characters)},
            "train_data_path": train_path, "validation_data_path": dev_path,
            "model": {"type": "crf_tagger", "label_encoding": "BIOUL", "label_namespace": labels,
                      "constrain_crf_decoding": True, "calculate_span_f1": True,
                      "dropout": 0.2, "text_field_embedder": embedder(characters),
                      "encoder": lstm(base, 64, 2)},
            "data_loader": {"batch_size": 32, "shuffle": True},
            "trainer": {**trainer, "validation_metric": "+f1-measure-overall"},
        }
    span = 2 * 400 + COREF_SIZES["feature_size"] + base
    return {
        "dataset_reader": {"type": "coref", "max_span_width": 8, **indexers(characters)},
        "train_data_path": paths["coref_train"], "validation_data_path": paths["coref_dev"],
        "model": {"type": "coref", "text_field_embedder": embedder(characters),
                  "context_layer": lstm(base, 200, 1), "lexical_dropout": 0.5, **COREF_SIZES,
                  "mention_feedforward": feedforward(span),
                  "antecedent_feedforward": feedforward(3 * span + 20)},
        "data_loader": {"batch_sampler": {"type": "bucket", "batch_size": 1,
                                          "sorting_keys": ["text"], "padding_noise": 0.0}},
        "trainer": {**trainer, "validation_metric": "+coref_f1"},
    }


def batch_size(batch: Any) -> int:
    """Instances in a batch: its metadata list, or the first dimension of its first tensor."""
    if isinstance(batch, dict):
        if "metadata" in batch:
            return len(batch["metadata"])
        for value in batch.values():
            size = batch_size(value)
            if size:
                return size
        return 0
    return int(batch.size(0)) if hasattr(batch, "size") else 0


def measure_allennlp(name: str, workdir: Path, epochs: int, characters: bool,
                     profile: bool) -> dict[str, Any]:
    import importlib

    # one of them only: hmtl (for its mention_ace reader) and allennlp_models.coref both
    # register a dataset reader named "coref"
    importlib.import_module("allennlp_models.coref" if name == "allennlp_coref"
                            else "allennlp_models.tagging")
    from allennlp.commands.train import train_model
    from allennlp.common import Params
    from allennlp.training import GradientDescentTrainer
    from allennlp.training.callbacks import TrainerCallback

    if name == "allennlp_emd":
        import hmtl.data.readers.mention_ace  # noqa: F401  (registers mention_ace)

    epoch_times: list[tuple[float, float]] = []
    stamps: dict[str, Any] = {"start": None, "last": None, "steps": 0, "instances": 0}
    timer = PhaseTimer()

    def counted() -> bool:
        return len(epoch_times) >= 1

    original_epoch = GradientDescentTrainer._train_epoch

    def timed_epoch(self: Any, epoch: int) -> Any:
        if profile:
            timer.start_epoch(counted())
        stamps["start"] = (time.perf_counter(), time.process_time())
        try:
            return original_epoch(self, epoch)
        finally:
            if profile and timer.active:
                timer.end_epoch()
            timer.active = False
            start, last = stamps["start"], stamps["last"]
            epoch_times.append((last[0] - start[0], last[1] - start[1]))

    GradientDescentTrainer._train_epoch = timed_epoch

    @TrainerCallback.register("bench_timer", exist_ok=True)
    class BenchTimer(TrainerCallback):
        """Stamps the end of each training batch (the epoch's last one ends its training)."""

        def on_batch(self, trainer: Any, batch_inputs: list, batch_outputs: list,
                     batch_metrics: dict, epoch: int, batch_number: int, is_training: bool,
                     is_primary: bool = True, batch_grad_norm: Any = None,
                     **kwargs: Any) -> None:
            if is_training:
                stamps["last"] = (time.perf_counter(), time.process_time())
                if counted():
                    stamps["steps"] += 1
                    stamps["instances"] += sum(batch_size(b) for b in batch_inputs)

    if profile:
        from allennlp.training.callbacks import ConsoleLoggerCallback

        wrap_common_phases(timer)
        if name == "allennlp_coref":
            from allennlp_models.coref.metrics.conll_coref_scores import ConllCorefScores
            from allennlp_models.coref.metrics.mention_recall import MentionRecall
            from allennlp_models.coref.models.coref import CoreferenceResolver

            timer.wrap(CoreferenceResolver, "forward", "forward")
            for metric in (ConllCorefScores, MentionRecall):
                timer.wrap(metric, "__call__", "metrics update")
        else:
            from allennlp_models.tagging.models.crf_tagger import CrfTagger

            timer.wrap(CrfTagger, "forward", "forward")
        timer.wrap(GradientDescentTrainer, "rescale_gradients", "optimizer")
        timer.wrap(GradientDescentTrainer, "clip_gradient", "optimizer")
        timer.wrap(ConsoleLoggerCallback, "on_batch", "logging")

    config = allennlp_config(name, corpus_paths(workdir / "data"), epochs, characters)
    started = time.perf_counter()
    train_model(Params(config), str(workdir / f"run_{name}"), force=True)
    return {"name": name, "total_seconds": time.perf_counter() - started,
            "epochs": epoch_times, "steps": stamps["steps"],
            "instances": stamps["instances"], "phases": dict(timer.totals),
            "cpu_phases": dict(timer.cpu_totals)}


# ------------------------------------------------------------------------------- reporting

def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return float("nan")
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def epoch_seconds(result: dict[str, Any]) -> tuple[float, float]:
    """Mean (wall, CPU) seconds of the measured epochs (all but the first)."""
    measured = result["epochs"][1:]
    if not measured:
        raise SystemExit("--epochs must be at least 2: the first epoch is not measured")
    return (sum(wall for wall, _ in measured) / len(measured),
            sum(cpu for _, cpu in measured) / len(measured))


def report(repeats: list[dict[str, dict[str, Any]]]) -> str:
    """Per run: medians over the repeats; ratios: the median of each repeat's ratio."""
    names = [name for name in repeats[0] if all(name in r for r in repeats)]
    lines = ["Training time per epoch (epochs after the first; median of "
             f"{len(repeats)} run(s) per row)",
             f"{'run':<30}{'steps':>7}{'wall s':>9}{'CPU s':>9}{'steps/s':>9}{'inst/s':>9}"
             f"{'peak MB':>9}"]
    for name in names:
        results = [r[name] for r in repeats]
        walls, cpus = zip(*(epoch_seconds(result) for result in results))
        measured = len(results[0]["epochs"]) - 1
        steps = results[0]["steps"] / measured
        instances = results[0]["instances"] / measured
        wall = median(list(walls))
        lines.append(f"{name:<30}{steps:>7.0f}{wall:>9.2f}{median(list(cpus)):>9.2f}"
                     f"{steps / wall:>9.2f}{instances / wall:>9.1f}"
                     f"{median([r['peak_mb'] for r in results]):>9.0f}")
    lines.append("")

    def ratio_line(label: str, ours: list[tuple[float, float]],
                   theirs: list[tuple[float, float]], extra: str = "") -> str:
        wall = median([t[0] / o[0] for o, t in zip(ours, theirs)])
        cpu = median([t[1] / o[1] for o, t in zip(ours, theirs)])
        return f"{label}: {wall:.2f}x (wall), {cpu:.2f}x (CPU){extra}"

    for ours, theirs in COMPARED.items():
        if theirs + beside(ours) in names:
            theirs = theirs + beside(ours)
        if ours in names and theirs in names:
            mine = [epoch_seconds(r[ours]) for r in repeats]
            peer = [epoch_seconds(r[theirs]) for r in repeats]
            memory = median([r[ours]["peak_mb"] / r[theirs]["peak_mb"] for r in repeats])
            lines.append(ratio_line(f"{ours}: speed, allennlp epoch / ours", mine, peer,
                                    f"; peak memory ours / allennlp {memory:.2f}x"))

    def over_sum(full_name: str, parts: list[str]) -> tuple[float, float]:
        """Median (wall, CPU) ratio of a full epoch to the epochs of ``parts`` added up."""
        ratios = []
        for r in repeats:
            full = epoch_seconds(r[full_name])
            summed = [sum(epoch_seconds(r[name])[i] for name in parts) for i in (0, 1)]
            ratios.append((full[0] / summed[0], full[1] / summed[1]))
        return median([w for w, _ in ratios]), median([c for _, c in ratios])

    for full_name in ("full", FAST + "full"):
        peer_sum = [name + beside(full_name) for name in PEER_SUM]
        if not all(name in names for name in peer_sum):
            peer_sum = list(PEER_SUM)
        if full_name in names and all(name in names for name in peer_sum):
            wall, cpu = over_sum(full_name, peer_sum)
            memory = median([r[full_name]["peak_mb"] / max(r[name]["peak_mb"] for name in peer_sum)
                             for r in repeats])
            lines.append(f"{full_name} epoch / sum of single-task peer epochs "
                         f"({' + '.join(peer_sum)}): {wall:.2f}x (wall), {cpu:.2f}x (CPU); "
                         f"peak memory / the largest peer's {memory:.2f}x")
    for prefix in ("", FAST):  # how much more work the hierarchy does than its tasks alone
        singles = [prefix + task for task in ("ner", "emd", "relation", "coref")]
        if prefix + "full" in names and all(name in names for name in singles):
            wall, cpu = over_sum(prefix + "full", singles)
            kind = prefix.replace("_", " ")
            lines.append(f"{prefix}full epoch / sum of our {kind}single-task epochs: "
                         f"{wall:.2f}x (wall), {cpu:.2f}x (CPU)")
    # one column per run: a peer measured beside several of our runs shows its first measurement
    profiled: dict[str, str] = {}  # column label -> result name
    for name in names:
        label = name.split(" (beside ")[0]
        if repeats[0][name].get("phases") and label not in profiled:
            profiled[label] = name
    for key, clock in (("cpu_phases", "process CPU time"), ("phases", "wall clock")):
        if not profiled:
            break
        lines += ["", f"Where a training step's time goes (ms per step, {clock}, epochs after "
                  "the first, median of the runs)",
                  f"{'phase':<16}" + "".join(f"{label:>16}" for label in profiled)]
        for phase in (*PHASES, "total"):
            cells = []
            for name in profiled.values():
                values = []
                for r in repeats:
                    phases = r[name][key]
                    seconds = (sum(phases.values()) if phase == "total"
                               else phases.get(phase, 0.0))
                    values.append(1000 * seconds / max(1, r[name]["steps"]))
                cells.append(f"{median(values):>16.2f}")
            lines.append(f"{phase:<16}" + "".join(cells))
    return "\n".join(lines)


def run_one(name: str, workdir: Path, epochs: int, characters: bool,
            profile: bool) -> dict[str, Any]:
    torch_module().set_num_threads(1)
    measure = measure_allennlp if name in ALLENNLP else measure_ours
    result = measure(name, workdir, epochs, characters, profile)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


INSTALL = (".venv/bin/python -m pip install --no-deps --target build/peer "
           "allennlp-models==2.10.1 conllu==4.4.2 word2number py-rouge ftfy")


def allennlp_models_available(env: dict[str, str]) -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import allennlp_models.tagging, allennlp_models.coref"],
        capture_output=True, env=env,
    )
    return probe.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--num-documents", type=int, default=100,
                        help="demo corpus size (documents per corpus, 80%% for training)")
    parser.add_argument("--epochs", type=int, default=3,
                        help="epochs per run; the first is not measured (at least 2)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="run every measurement this many times, in turn")
    parser.add_argument("--runs", nargs="+", default=list(OURS + ALLENNLP),
                        choices=OURS + ALLENNLP)
    parser.add_argument("--profile", action="store_true",
                        help="also split each step's time into phases")
    parser.add_argument("--side-by-side", action="store_true",
                        help="run each of our runs at the same time as its allennlp peer (and "
                             "the full run beside its single-task peers, one after another)")
    parser.add_argument("--peer", type=Path, default=None,
                        help="directory allennlp-models was installed into (pip --target)")
    parser.add_argument("--no-characters", dest="characters", action="store_false",
                        help="leave out the character CNN (and character indexers)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=None, help="also write the results here")
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch is not measured")

    if args.measure is not None:  # a child process: one measurement, JSON on the last line
        result = run_one(args.measure, args.workdir, args.epochs, args.characters,
                         args.profile)
        print(json.dumps(result))
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hmtl_train_speed_"))
    sys.path.insert(0, str(ROOT))
    from hmtl.data.demo_corpus import write_demo_corpus

    if not (workdir / "data" / "README.txt").is_file():
        write_demo_corpus(workdir / "data", num_documents=args.num_documents)
    runs = list(args.runs)
    paths = [str(ROOT)]
    if args.peer is not None:
        if not args.peer.is_dir():
            parser.error(f"--peer {args.peer}: no such directory (install with: {INSTALL})")
        paths.append(str(args.peer.resolve()))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([*paths, *filter(None, [os.environ.get("PYTHONPATH")])])}
    if any(name in ALLENNLP for name in runs) and not allennlp_models_available(env):
        print("allennlp-models is not importable: skipping the allennlp comparison (install it "
              f"outside the virtualenv with: {INSTALL}, then pass --peer build/peer)")
        runs = [name for name in runs if name not in ALLENNLP]
    repeats: list[dict[str, dict[str, Any]]] = []
    def command(name: str) -> list[str]:
        line = [sys.executable, __file__, "--measure", name, "--workdir", str(workdir),
                "--epochs", str(args.epochs)]
        if not args.characters:
            line.append("--no-characters")
        if args.profile:
            line.append("--profile")
        return line

    def lane(names: list[str], results: dict[str, dict[str, Any]], suffix: str = "") -> None:
        """Measure ``names`` one after another (one lane of a side-by-side run)."""
        for name in names:
            done = subprocess.run(command(name), capture_output=True, text=True, env=env)
            if done.returncode != 0:
                print(f"{name}: failed\n{done.stderr[-3000:]}", flush=True)
                continue
            results[name + suffix] = json.loads(done.stdout.strip().splitlines()[-1])
            wall, cpu = epoch_seconds(results[name + suffix])
            print(f"{name}{suffix}: {wall:.2f} s/epoch wall, {cpu:.2f} CPU "
                  f"({results[name + suffix]['total_seconds']:.0f} s in all)", flush=True)

    def side_by_side(first: list[str], second: list[str], results: dict[str, dict[str, Any]],
                     suffix: str = "") -> None:
        """Two lanes at the same time: both see the same machine (load, caches, clocks)."""
        import threading

        other = threading.Thread(target=lane, args=(second, results, suffix))
        other.start()
        lane(first, results)
        other.join()

    for repeat in range(args.repeats):
        print(f"-- run {repeat + 1}/{args.repeats}", flush=True)
        results: dict[str, dict[str, Any]] = {}
        if not args.side_by_side:
            lane(runs, results)
        else:
            done: set[str] = set()
            for ours, theirs in COMPARED.items():
                if ours in runs and theirs in runs:
                    side_by_side([ours], [theirs], results, beside(ours))
                    done |= {ours, theirs}
            for full in ("full", FAST + "full"):
                if full in runs and all(name in runs for name in PEER_SUM):
                    # the single-task peers again, one after another, beside the full run
                    side_by_side([full], list(PEER_SUM), results, beside(full))
                    done.add(full)
            lane([name for name in runs if name not in done], results)
        repeats.append(results)
    text = report(repeats)
    print(text)
    if args.output is not None:
        args.output.write_text(json.dumps({"repeats": repeats, "report": text}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
