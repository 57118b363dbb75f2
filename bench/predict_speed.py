"""Predictor throughput (tokens/s, documents/s) with every head at once vs one task at a time.

Both sides run the same ``hmtl.predicting`` pipeline on the same generated documents (raw text
tokenised by spaCy, windows, instances, batching, decoding, the prediction JSON); they differ
only in the model call per batch:

* ``predict_all``: one call, the embedder and each encoder computed once for all four heads;
* ``per task``: ``model(task_name=t, **batch)`` for each task in turn, as four single-task
  calls would, recomputing the embedder and the shared encoders for every head.

The predictions of the two sides are checked to be identical. Besides end-to-end throughput,
the time spent in the model calls alone is reported for both sides. Batch sizes 1, 8 and 32 (windows
per model call); the best of ``--repeats`` timed passes (the two sides
interleaved) after one warm-up pass.

The model is a trained run directory or archive, by default ``runs/demo`` as written by
``hmtl demo`` (train it first). The documents are the CoNLL-2012 documents of a generated demo
corpus, given to the predictor as raw text::

    OMP_NUM_THREADS=1 .venv/bin/python bench/predict_speed.py
    .venv/bin/python bench/predict_speed.py --model model.tar.gz --cuda-device 0
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hmtl.data.demo_corpus import write_demo_corpus  # noqa: E402
from hmtl.data.formats.conll2012 import read_conll2012  # noqa: E402
from hmtl.predicting.loading import load_trained_run  # noqa: E402
from hmtl.predicting.predictor import Predictor  # noqa: E402

BATCH_SIZES = (1, 8, 32)


class TimedPredictor(Predictor):
    """``predict_all`` once per batch; adds the time of the model calls to ``model_seconds``."""

    model_seconds = 0.0

    def _forward(self, tensors: dict[str, Any]) -> dict[str, dict[str, Any]]:
        start = time.perf_counter()
        readable = self._model_call(tensors)
        self.model_seconds += time.perf_counter() - start
        return readable

    def _model_call(self, tensors: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return super()._forward(tensors)


class PerTaskPredictor(TimedPredictor):
    """The peer: one ``forward`` per task, so shared layers are recomputed for every head."""

    def _model_call(self, tensors: dict[str, Any]) -> dict[str, dict[str, Any]]:
        with torch.inference_mode():
            return {
                task: self.model.make_output_human_readable(
                    self.model(task_name=task, **tensors), task_name=task)
                for task in self.tasks
            }


def generated_texts(num_documents: int) -> list[str]:
    """Raw text of the demo corpus's CoNLL-2012 training documents (words joined by spaces,
    one line per sentence)."""
    with tempfile.TemporaryDirectory() as directory:
        paths = write_demo_corpus(Path(directory) / "corpus", seed=5,
                                  num_documents=max(20, num_documents * 5 // 4))
        texts = [
            "\n".join(" ".join(sentence.words) for sentence in document.sentences)
            for document in read_conll2012(paths["conll2012_single_file_train"])
        ]
    return texts[:num_documents]


def timed(sides: list[TimedPredictor], texts: list[str],
          repeats: int) -> list[tuple[float, float, list]]:
    """Per side, the best wall time of ``repeats`` passes over ``texts`` (after a warm-up
    pass), the sides interleaved so that a slow moment of a shared machine hits both; the best
    time spent in model calls; and the side's results."""
    results = [side.predict_texts(texts) for side in sides]
    best = [float("inf")] * len(sides)
    best_model = [float("inf")] * len(sides)
    for _ in range(repeats):
        for index, side in enumerate(sides):
            side.model_seconds = 0.0
            start = time.perf_counter()
            side.predict_texts(texts)
            best[index] = min(best[index], time.perf_counter() - start)
            best_model[index] = min(best_model[index], side.model_seconds)
    return list(zip(best, best_model, results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="runs/demo", help="run directory or archive")
    parser.add_argument("--documents", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cuda-device", type=int, default=-1)
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args(argv)
    if not Path(args.model).exists():
        print(f"error: {args.model} does not exist; train the demo first (hmtl demo) or give "
              "--model", file=sys.stderr)
        return 1

    run = load_trained_run(args.model, cuda_device=args.cuda_device)
    texts = generated_texts(args.documents)
    num_tokens = None
    rows = []
    device = f"cuda:{args.cuda_device}" if args.cuda_device >= 0 else "cpu"
    print(f"model {args.model} (tasks: {', '.join(run.model.heads)}), {len(texts)} documents, "
          f"device {device}, "
          f"torch threads {torch.get_num_threads()}")
    print(f"{'batch':>5} | {'predict_all tok/s':>17} {'doc/s':>6} | {'per task tok/s':>14} "
          f"{'doc/s':>6} | {'speed-up':>8} | {'model-call s':>12} {'per task':>8} {'ratio':>6}")
    for batch_size in BATCH_SIZES:
        together = TimedPredictor(run, batch_size=batch_size)
        apart = PerTaskPredictor(run, batch_size=batch_size, tokenizer=together.tokenizer)
        (time_all, model_all, results_all), (time_each, model_each, results_each) = timed(
            [together, apart], texts, args.repeats)
        if results_all != results_each:
            print("error: the two sides predicted differently", file=sys.stderr)
            return 1
        num_tokens = sum(len(result["tokens"]) for result in results_all)
        row = {
            "batch_size": batch_size, "tokens": num_tokens, "documents": len(texts),
            "predict_all_tokens_per_s": num_tokens / time_all,
            "predict_all_documents_per_s": len(texts) / time_all,
            "per_task_tokens_per_s": num_tokens / time_each,
            "per_task_documents_per_s": len(texts) / time_each,
            "speed_up": time_each / time_all,
            "predict_all_model_seconds": model_all,
            "per_task_model_seconds": model_each,
            "model_speed_up": model_each / model_all,
        }
        rows.append(row)
        print(f"{batch_size:>5} | {row['predict_all_tokens_per_s']:>17.0f} "
              f"{row['predict_all_documents_per_s']:>6.1f} | {row['per_task_tokens_per_s']:>14.0f} "
              f"{row['per_task_documents_per_s']:>6.1f} | {row['speed_up']:>7.2f}x | "
              f"{model_all:>12.2f} {model_each:>8.2f} {row['model_speed_up']:>5.2f}x")
    print(f"{num_tokens} tokens per pass")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
