"""When ``padded_lstm``'s fused kernel beats the packed path, on one CPU thread.

``padded_lstm`` runs a batch through the fused kernel on the padded batch, or, for batches of
more than ``FUSED_MAX_ROWS`` rows with more than ``FUSED_MAX_PADDING`` of their positions
padding, through the packed path that AllenNLP's ``lstm`` takes (see
``hmtl/modules/padded_lstm.py``). This measures both paths, forward and backward, on the
encoder sizes of the original (2 x 64 BiLSTM over the 1188-d base embedding, as NER; over
1188 + 128 = 1316, as EMD and RE) for batches of 2-32 sentences whose lengths are drawn either
freely (uniform over 3-40 tokens: much padding), within 16 tokens of each other, or within 5
(little padding), and reports, per batch shape, the fused path's time over the packed path's, the
path the thresholds choose, and the time that choice loses against always taking the faster one.

    .venv/bin/python bench/lstm_speed.py [--repeats 7] [--batches 4]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
ENCODERS = {"ner (1188 -> 2x64)": 1188, "emd/re (1316 -> 2x64)": 1316}
ROWS = (2, 4, 8, 16, 32)
WINDOWS = {"medium": 16, "close": 5}  # lengths drawn within a window of this many tokens


def lengths_for(rows: int, spread: str, generator) -> list[int]:
    """Sentence lengths of one batch: free (3-40 tokens), or within a window (``WINDOWS``)."""
    import torch

    if spread == "free":
        return torch.randint(3, 41, (rows,), generator=generator).tolist()
    window = WINDOWS[spread]
    low = int(torch.randint(3, 42 - window, (1,), generator=generator))
    return torch.randint(low, low + window, (rows,), generator=generator).tolist()


def seconds(step, repeats: int) -> float:
    """Median wall-clock seconds of ``step()`` (forward and backward), after one warm-up."""
    step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def both_paths(encoder, inputs, mask, lengths, repeats: int) -> tuple[float, float]:
    """Seconds of the fused path (even where the thresholds would not take it) and of the
    packed path, forward and backward, for one batch."""

    def fused() -> None:
        encoder._fused(inputs, mask, lengths).sum().backward()

    def packed() -> None:
        encoder._packed(inputs, mask, lengths).sum().backward()

    return seconds(fused, repeats), seconds(packed, repeats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per batch and path")
    parser.add_argument("--batches", type=int, default=4, help="random batches per shape")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import torch

    from hmtl.modules.padded_lstm import FUSED_MAX_PADDING, FUSED_MAX_ROWS, PaddedLstm

    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    print(f"thresholds: fused for <= {FUSED_MAX_ROWS} rows, or when padding <= "
          f"{FUSED_MAX_PADDING:.0%}; times are forward + backward, median of {args.repeats}")
    print(f"{'encoder':22s} {'rows':>4s} {'lengths':>7s} {'padding':>8s} {'fused/packed':>13s} "
          f"{'chosen':>7s} {'lost':>6s}")
    total_chosen = total_best = 0.0
    for label, input_size in ENCODERS.items():
        torch.manual_seed(0)
        encoder = PaddedLstm(input_size, 64, num_layers=2, dropout=0.2, bidirectional=True).train()
        for rows in ROWS:
            for spread in ("free", *WINDOWS):
                ratios, paddings, chosen_time, best_time, fused_chosen = [], [], 0.0, 0.0, 0
                for _ in range(args.batches):
                    lengths = torch.tensor(lengths_for(rows, spread, generator))
                    mask = torch.arange(int(lengths.max())).unsqueeze(0) < lengths.unsqueeze(1)
                    inputs = torch.randn(rows, mask.size(1), input_size, requires_grad=True)
                    with_fused = encoder.fused_pays_off(mask, lengths)
                    fused_seconds, packed_seconds = both_paths(encoder, inputs, mask, lengths,
                                                               args.repeats)
                    ratios.append(fused_seconds / packed_seconds)
                    paddings.append(1.0 - float(lengths.sum()) / mask.numel())
                    chosen_time += fused_seconds if with_fused else packed_seconds
                    best_time += min(fused_seconds, packed_seconds)
                    fused_chosen += with_fused
                total_chosen += chosen_time
                total_best += best_time
                choice = ("fused" if fused_chosen == args.batches
                          else "packed" if fused_chosen == 0 else "mixed")
                print(f"{label:22s} {rows:4d} {spread:>7s} {statistics.mean(paddings):8.0%} "
                      f"{statistics.median(ratios):12.2f}x {choice:>7s} "
                      f"{chosen_time / best_time - 1:6.1%}")
    print(f"the thresholds' choices take {total_chosen / total_best:.3f}x the time of always "
          "taking the faster path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
