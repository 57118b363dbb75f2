"""Training speed of the multi-task trainer against ``allennlp train``, on CPU.

Measures steps/s, instances/s and peak memory (max RSS of the process) while training, on the
synthetic demo corpus, for:

* our trainer (``hmtl train``) with each task alone (``ner``, ``emd``, ``relation``, ``coref``)
  and with the full model (``full``: NER -> EMD -> {RE, CR}, proportional sampling), per task;
* ``allennlp train`` of allennlp-models' single-task ``crf_tagger`` (on the same OntoNotes NER
  files) and ``coref`` (on the same CoNLL-2012 coreference file), with the same sizes.

Sizes are the original's (NER 2x64 BiLSTM, EMD 2x64, RE 3x64, CR 1x200; coref feed-forwards
2x150, max_span_width 8, spans_per_word 0.4, max_antecedents 70; batches NER/EMD 32, RE 4, CR 1;
Adam 1e-3, grad_norm 5, grad_clipping 10). The base embedder is a 1124-d word embedding plus the
original character CNN (16 -> 64 filters of width 3): the original 1188-d input, the frozen ELMo
replaced by a plain embedding because pretrained ELMo is not available offline.

Times cover the training passes only: validation and checkpoints are excluded on both sides
(our trainer's ``_validate_and_checkpoint`` is timed and subtracted; AllenNLP's is cut out with a
callback that stamps the last training batch of each epoch). Every measurement runs in its own
process so that peak memories do not mix.

allennlp-models is not a dependency of the project. For the comparison install it apart::

    .venv/bin/python -m pip install --no-deps --target /tmp/am allennlp-models==2.10.1
    PYTHONPATH=/tmp/am OMP_NUM_THREADS=1 .venv/bin/python bench/train_speed.py

Without it the AllenNLP columns are skipped with a message.
"""

import argparse
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
OURS = ("ner", "emd", "relation", "coref", "full")
ALLENNLP = ("allennlp_ner", "allennlp_coref")
COMPARED = {"ner": "allennlp_ner", "coref": "allennlp_coref"}

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
        "optimizer": OPTIMIZER, "no_tqdm": True,
    }
    return config


def measure_ours(name: str, workdir: Path, epochs: int, characters: bool) -> dict[str, Any]:
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
    excluded = [0.0]
    trainer_class = trainer_module.SamplerMultiTaskTrainer
    original_step, original_next = trainer_class._train_step, BatchStream.__next__
    original_validate = trainer_class._validate_and_checkpoint

    def timed_next(self: BatchStream) -> Any:
        start = time.perf_counter()
        batch = original_next(self)
        seconds[self._name] += time.perf_counter() - start
        return batch

    def timed_step(self: Any, task_name: str, batch: dict) -> float:
        start = time.perf_counter()
        loss = original_step(self, task_name, batch)
        seconds[task_name] += time.perf_counter() - start
        steps[task_name] += 1
        instances[task_name] += len(batch["metadata"])
        return loss

    def timed_validate(self: Any, *args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        original_validate(self, *args, **kwargs)
        excluded[0] += time.perf_counter() - start

    BatchStream.__next__ = timed_next  # type: ignore[method-assign]
    trainer_class._train_step = timed_step  # type: ignore[method-assign]
    trainer_class._validate_and_checkpoint = timed_validate  # type: ignore[method-assign]
    config = our_config(name, corpus_paths(workdir / "data"), epochs, characters)
    started = time.perf_counter()
    metrics = train(Params(config), workdir / f"run_{name}", force=True)
    total = time.perf_counter() - started
    train_seconds = metrics["training_duration_seconds"] - excluded[0]
    return {
        "name": name, "total_seconds": total, "train_seconds": train_seconds,
        "steps": sum(steps.values()), "instances": sum(instances.values()),
        "per_task": {task: {"steps": steps[task], "instances": instances[task],
                            "seconds": seconds[task]} for task in steps},
    }


# -------------------------------------------------------------------------------- allennlp

def allennlp_config(name: str, paths: dict[str, str], epochs: int, characters: bool) -> dict:
    base = base_dim(characters)
    trainer = {"optimizer": OPTIMIZER, "num_epochs": epochs, "grad_norm": 5.0,
               "grad_clipping": 10.0, "cuda_device": -1, "callbacks": ["bench_timer"],
               "checkpointer": {"keep_most_recent_by_count": 1}}
    if name == "allennlp_ner":
        return {
            "dataset_reader": {"type": "ontonotes_ner", "coding_scheme": "BIOUL",
                               **indexers(characters)},
            "train_data_path": paths["ner_train"], "validation_data_path": paths["ner_dev"],
            "model": {"type": "crf_tagger", "label_encoding": "BIOUL",
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


def measure_allennlp(name: str, workdir: Path, epochs: int, characters: bool) -> dict[str, Any]:
    import allennlp_models.coref  # noqa: F401
    import allennlp_models.tagging  # noqa: F401
    from allennlp.commands.train import train_model
    from allennlp.common import Params
    from allennlp.training.callbacks import TrainerCallback

    stamps: dict[str, Any] = {"start": None, "train": 0.0, "steps": 0, "instances": 0}

    @TrainerCallback.register("bench_timer", exist_ok=True)
    class BenchTimer(TrainerCallback):
        """Adds up, per epoch, the time from its start to its last training batch."""

        def on_start(self, trainer: Any, is_primary: bool = True, **kwargs: Any) -> None:
            stamps["start"] = time.perf_counter()

        def on_batch(self, trainer: Any, batch_inputs: list, batch_outputs: list,
                     batch_metrics: dict, epoch: int, batch_number: int, is_training: bool,
                     is_primary: bool = True, batch_grad_norm: Any = None,
                     **kwargs: Any) -> None:
            if is_training:
                now = time.perf_counter()
                stamps["train"] += now - stamps["start"]
                stamps["start"] = now
                stamps["steps"] += 1
                stamps["instances"] += sum(batch_size(b) for b in batch_inputs)

        def on_epoch(self, trainer: Any, metrics: dict, epoch: int, is_primary: bool = True,
                     **kwargs: Any) -> None:
            stamps["start"] = time.perf_counter()

    config = allennlp_config(name, corpus_paths(workdir / "data"), epochs, characters)
    started = time.perf_counter()
    train_model(Params(config), str(workdir / f"run_{name}"), force=True)
    return {"name": name, "total_seconds": time.perf_counter() - started,
            "train_seconds": stamps["train"], "steps": stamps["steps"],
            "instances": stamps["instances"]}


# ------------------------------------------------------------------------------- reporting

def rates(result: dict[str, Any]) -> tuple[float, float]:
    seconds = result["train_seconds"] or float("nan")
    return result["steps"] / seconds, result["instances"] / seconds


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'run':<16}{'steps':>7}{'inst.':>7}{'train s':>9}{'steps/s':>9}{'inst/s':>9}"
             f"{'peak MB':>9}"]
    for name, result in results.items():
        step_rate, instance_rate = rates(result)
        lines.append(f"{name:<16}{result['steps']:>7}{result['instances']:>7}"
                     f"{result['train_seconds']:>9.1f}{step_rate:>9.2f}{instance_rate:>9.1f}"
                     f"{result['peak_mb']:>9.0f}")
        for task, part in result.get("per_task", {}).items() if name == "full" else ():
            seconds = part["seconds"] or float("nan")
            lines.append(f"  {task:<14}{part['steps']:>7}{part['instances']:>7}{seconds:>9.1f}"
                         f"{part['steps'] / seconds:>9.2f}{part['instances'] / seconds:>9.1f}")
    for ours, theirs in COMPARED.items():
        if ours in results and theirs in results:
            a, b = rates(results[ours]), rates(results[theirs])
            lines.append(
                f"{ours}: ours / allennlp = {a[0] / b[0]:.2f}x steps/s, {a[1] / b[1]:.2f}x "
                f"instances/s, {results[ours]['peak_mb'] / results[theirs]['peak_mb']:.2f}x "
                "peak memory"
            )
    return "\n".join(lines)


def run_one(name: str, workdir: Path, epochs: int, characters: bool) -> dict[str, Any]:
    measure = measure_allennlp if name in ALLENNLP else measure_ours
    result = measure(name, workdir, epochs, characters)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def allennlp_models_available() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import allennlp_models"],
                           capture_output=True, env=os.environ)
    return probe.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--num-documents", type=int, default=100,
                        help="demo corpus size (documents per corpus, 80%% for training)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--runs", nargs="+", default=list(OURS + ALLENNLP),
                        choices=OURS + ALLENNLP)
    parser.add_argument("--no-characters", dest="characters", action="store_false",
                        help="leave out the character CNN (and character indexers)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=None, help="also write the results here")
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure is not None:  # a child process: one measurement, JSON on the last line
        result = run_one(args.measure, args.workdir, args.epochs, args.characters)
        print(json.dumps(result))
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hmtl_train_speed_"))
    sys.path.insert(0, str(ROOT))
    from hmtl.data.demo_corpus import write_demo_corpus

    if not (workdir / "data" / "README.txt").is_file():
        write_demo_corpus(workdir / "data", num_documents=args.num_documents)
    runs = list(args.runs)
    if any(name in ALLENNLP for name in runs) and not allennlp_models_available():
        print("allennlp-models is not importable: skipping the allennlp comparison (install it "
              "with: .venv/bin/python -m pip install --no-deps --target /tmp/am "
              "allennlp-models==2.10.1, then PYTHONPATH=/tmp/am)")
        runs = [name for name in runs if name not in ALLENNLP]
    results = {}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    for name in runs:
        command = [sys.executable, __file__, "--measure", name, "--workdir", str(workdir),
                   "--epochs", str(args.epochs)]
        if not args.characters:
            command.append("--no-characters")
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            print(f"{name}: failed\n{done.stderr[-3000:]}")
            continue
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name}: done in {results[name]['total_seconds']:.0f} s", flush=True)
    text = report(results)
    print(text)
    if args.output is not None:
        args.output.write_text(json.dumps({"results": results, "report": text}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
