"""Memory and time of ``padded_lstm`` over documents of many lengths, by ``lengths_per_octave``.

On the CPU, oneDNN compiles and caches one kernel per input shape, with working memory that
grows with the sequence length (see ``hmtl/modules/padded_lstm.py``). A coreference step feeds
one whole document through the NER, EMD and coreference encoders, so a corpus of documents of
many lengths keeps compiling and caching kernels. This runs those three encoders at the
original's sizes (NER 2 x 64 over the 1188-d base, EMD 2 x 64 over 1188 + 128, coreference
1 x 200 over 1188 + 128), forward and backward, over ``--documents`` documents with log-normal
lengths of mean about 470 tokens (CoNLL-2012's English training documents average about 460;
30-3000 tokens), for two epochs, one process and one CPU thread per setting, and reports how much
the peak memory of the process grew over the run and the CPU time of the second epoch.

``--side-by-side`` runs every setting at the same time as ``null`` (every length kept), so that
the time ratios compare runs under the same load.

    .venv/bin/python bench/lstm_lengths.py [--documents 300] [--settings null 16 8 4] \
        [--side-by-side]
"""

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
BASE = 1188  # the original's base embedding (GloVe + ELMo + character CNN)


def document_lengths(count: int, seed: int = 0) -> list[int]:
    """Log-normal lengths (median e^5.9, about 365 tokens; mean about 470), within 30-3000."""
    generator = random.Random(seed)
    return [min(3000, max(30, int(math.exp(generator.gauss(5.9, 0.7))))) for _ in range(count)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(setting: str, documents: int) -> dict:
    """One setting in this process: peak memory growth and each epoch's CPU seconds."""
    import torch

    from hmtl.modules.padded_lstm import PaddedLstm

    torch.set_num_threads(1)
    torch.manual_seed(0)
    per_octave = None if setting == "null" else int(setting)
    ner = PaddedLstm(BASE, 64, 2, bidirectional=True, lengths_per_octave=per_octave)
    emd = PaddedLstm(BASE + 128, 64, 2, bidirectional=True, lengths_per_octave=per_octave)
    coref = PaddedLstm(BASE + 128, 200, 1, bidirectional=True, lengths_per_octave=per_octave)
    lengths = document_lengths(documents)
    start_mb = peak_mb()
    epochs = []
    for _ in range(2):
        started = time.process_time()
        for length in lengths:
            embedded = torch.randn(1, length, BASE, requires_grad=True)
            mask = torch.ones(1, length, dtype=torch.bool)
            below = emd(torch.cat([embedded, ner(embedded, mask)], -1), mask)
            coref(torch.cat([embedded, below], -1), mask).sum().backward()
        epochs.append(time.process_time() - started)
    return {"setting": setting, "documents": documents, "lengths": len(set(lengths)),
            "mean_length": sum(lengths) / len(lengths), "grew_mb": peak_mb() - start_mb,
            "epoch_cpu_s": epochs}


def launch(setting: str, documents: int) -> subprocess.Popen:
    command = [sys.executable, __file__, "--measure", setting, "--documents", str(documents)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def collect(process: subprocess.Popen) -> dict:
    output, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"a measurement failed (exit {process.returncode})")
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--settings", nargs="+", default=["null", "16", "8", "4"],
                        help="values of lengths_per_octave (null: every length kept)")
    parser.add_argument("--side-by-side", action="store_true")
    parser.add_argument("--output", type=Path, default=None, help="also write the results here")
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.documents)))
        return 0

    results = []  # (setting, its result, the null run beside it or None)
    for setting in args.settings:
        if args.side_by_side and setting != "null":
            first, second = launch(setting, args.documents), launch("null", args.documents)
            results.append((setting, collect(first), collect(second)))
        else:
            results.append((setting, collect(launch(setting, args.documents)), None))
    lengths = results[0][1]
    print(f"{args.documents} documents, {lengths['lengths']} distinct lengths, mean "
          f"{lengths['mean_length']:.0f} tokens; one CPU thread per process")
    print(f"{'lengths_per_octave':>18} {'memory grew MB':>15} {'epoch 2 CPU s':>14} "
          f"{'time / null beside it':>22}")
    for setting, result, null in results:
        ratio = f"{result['epoch_cpu_s'][1] / null['epoch_cpu_s'][1]:.2f}x" if null else ""
        beside = f" (null: {null['grew_mb']:.0f} MB)" if null else ""
        print(f"{setting:>18} {result['grew_mb']:>15.0f} {result['epoch_cpu_s'][1]:>14.1f} "
              f"{ratio:>22}{beside}")
    if args.output:
        args.output.write_text(json.dumps([
            {"setting": s, "result": r, "null_beside": n} for s, r, n in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
