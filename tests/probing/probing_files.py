"""Probing files written by the tests, in SentEval's format (split TAB label TAB sentence).

``length``: the label is the length bin of the sentence (2-4 tokens: ``short``, 8-10: ``long``),
learnable from any vector that keeps the length. ``random``: labels drawn independently of the
sentences, so no probe can beat chance (50 %) except by luck.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.probing.tiny_model import WORDS

SPLIT_SIZES = {"tr": 60, "va": 20, "te": 20}


def length_examples(seed: int = 0) -> list[tuple[str, str, list[str]]]:
    rng = random.Random(seed)
    examples = []
    for split, size in SPLIT_SIZES.items():
        for i in range(size):
            label = "short" if i % 2 == 0 else "long"
            length = rng.randint(2, 4) if label == "short" else rng.randint(8, 10)
            examples.append((split, label, [rng.choice(WORDS) for _ in range(length)]))
    return examples


def random_examples(seed: int = 1) -> list[tuple[str, str, list[str]]]:
    rng = random.Random(seed)
    return [
        (split, rng.choice(["O", "I"]), [rng.choice(WORDS) for _ in range(rng.randint(2, 10))])
        for split, size in SPLIT_SIZES.items()
        for _ in range(size)
    ]


def write_examples(path: Path, examples: list[tuple[str, str, list[str]]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(f"{split}\t{label}\t{' '.join(tokens)}\n" for split, label, tokens in examples),
        encoding="utf-8",
    )
    return path


def write_probing_data(data_dir: Path) -> Path:
    """A SentEval data folder whose probing/ has Length (learnable) and BigramShift (random)."""
    write_examples(data_dir / "probing" / "sentence_length.txt", length_examples())
    write_examples(data_dir / "probing" / "bigram_shift.txt", random_examples())
    return data_dir
