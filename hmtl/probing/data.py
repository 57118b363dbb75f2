"""SentEval's probing files: where they live and how to read them.

A probing file has one example per line, tab-separated: the split (``tr``, ``va`` or ``te``), the
label, and, in the last field, the sentence in space-separated tokens (fields in between, if any,
are ignored, as SentEval does). Labels are numbered in the sorted order of the training labels,
as SentEval does, so both backends see the same class ids.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from hmtl.data.formats.errors import FormatError

if TYPE_CHECKING:
    import numpy as np

# The ten probing tasks in SentEval's order, with the file each reads (senteval/probing.py).
PROBING_FILES: dict[str, str] = {
    "Length": "sentence_length.txt",
    "WordContent": "word_content.txt",
    "Depth": "tree_depth.txt",
    "TopConstituents": "top_constituents.txt",
    "BigramShift": "bigram_shift.txt",
    "Tense": "past_present.txt",
    "SubjNumber": "subj_number.txt",
    "ObjNumber": "obj_number.txt",
    "OddManOut": "odd_man_out.txt",
    "CoordinationInversion": "coordination_inversion.txt",
}
PROBING_TASKS: tuple[str, ...] = tuple(PROBING_FILES)

_SPLITS = {"tr": "train", "va": "dev", "te": "test"}


class ProbingExample(NamedTuple):
    label: str
    tokens: list[str]
    line: int


@dataclass
class ProbingData:
    """One probing task's examples by split (``train``, ``dev``, ``test``) and its classes."""

    task: str
    path: Path
    splits: dict[str, list[ProbingExample]] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)

    def sentences(self, split: str) -> list[list[str]]:
        return [example.tokens for example in self.splits[split]]

    def label_ids(self, split: str) -> np.ndarray:
        import numpy as np

        index = {label: i for i, label in enumerate(self.classes)}
        return np.array([index[example.label] for example in self.splits[split]], dtype=np.int64)


def probing_dir(data_dir: str | os.PathLike) -> Path:
    """The folder holding the probing files, given SentEval's data folder.

    SentEval expects ``<data_dir>/probing/<file>``; a path to the ``probing`` folder itself is
    accepted too, since that is the folder users see the files in.
    """
    from allennlp.common.checks import ConfigurationError

    root = Path(data_dir)
    if not root.is_dir():
        raise ConfigurationError(
            f"SentEval data folder {root} does not exist: expected a folder with probing/ inside "
            f"it holding the probing files ({', '.join(PROBING_FILES.values())}). They are in "
            "SentEval's repository under data/probing."
        )
    if (root / "probing").is_dir():
        return root / "probing"
    if any((root / name).is_file() for name in PROBING_FILES.values()):
        return root
    raise ConfigurationError(
        f"SentEval data folder {root} has no probing/ folder: expected {root / 'probing'} holding "
        f"the probing files ({', '.join(PROBING_FILES.values())})."
    )


def probing_file(directory: str | os.PathLike, task: str) -> Path:
    """The file of one task inside the probing folder, or an error saying what is there."""
    from allennlp.common.checks import ConfigurationError

    if task not in PROBING_FILES:
        raise ConfigurationError(
            f"Unknown probing task {task!r}: expected one of {', '.join(PROBING_TASKS)}."
        )
    path = Path(directory) / PROBING_FILES[task]
    if not path.is_file():
        present = sorted(p.name for p in Path(directory).glob("*.txt"))
        raise ConfigurationError(
            f"Probing file for task {task} not found: expected {path} "
            f"(the folder has: {', '.join(present) if present else 'no .txt files'})."
        )
    return path


def read_probing_file(path: str | os.PathLike, task: str | None = None) -> ProbingData:
    """Read a probing file into its three splits, checking every line.

    Raises `FormatError` naming the line for a malformed line, and for a dev/test label never
    seen in training (a classifier could not predict it, and SentEval would crash on it).
    """
    path = Path(path)
    data = ProbingData(task=task or path.stem, path=path)
    data.splits = {"train": [], "dev": [], "test": []}
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise FormatError(path, number, f"not valid UTF-8 ({error.reason})") from None
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 3:
                raise FormatError(
                    path, number,
                    "expected 'tr|va|te <TAB> label <TAB> tokenised sentence', "
                    f"found {len(fields)} tab-separated field(s)",
                )
            split, label, sentence = fields[0].strip(), fields[1].strip(), fields[-1]
            if split not in _SPLITS:
                raise FormatError(
                    path, number, f"the first field must be tr, va or te, found {split!r}"
                )
            if not label:
                raise FormatError(path, number, "the label (second field) is empty")
            tokens = sentence.split()
            if not tokens:
                raise FormatError(path, number, "the sentence (last field) is empty")
            data.splits[_SPLITS[split]].append(ProbingExample(label, tokens, number))
    for split, code in (("train", "tr"), ("dev", "va"), ("test", "te")):
        if not data.splits[split]:
            raise FormatError(path, None, f"no {split} examples (lines starting with {code!r})")
    data.classes = sorted({example.label for example in data.splits["train"]})
    if len(data.classes) < 2:
        raise FormatError(
            path, None, f"the training examples have a single label {data.classes[0]!r}: "
            "a probe needs at least two classes",
        )
    known = set(data.classes)
    for split in ("dev", "test"):
        for example in data.splits[split]:
            if example.label not in known:
                raise FormatError(
                    path, example.line,
                    f"label {example.label!r} of this {split} example never occurs in the "
                    "training examples",
                )
    return data
