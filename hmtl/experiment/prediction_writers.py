"""Predictions written back in the input formats, beside the gold, for the official scorers.

``evaluate --predictions-dir DIR`` writes, for each evaluated task scored with its own best
weights, ``DIR/<task>.key.<ext>`` (gold) and ``DIR/<task>.response.<ext>`` (predictions) in the
format of the task's data: CoNLL-2012 (``gold_conll``: named-entity and coreference columns) for
``ner_ontonotes`` and ``coref``, ACE ``like_conll`` (mention, relation-frame and coreference
columns) for ``mention_ace``, ``relation_ace`` and ``coref_ace``. Both files hold the same
documents and tokens, so e.g. the CoNLL-2012 reference scorer can compare them directly
(``scorer.pl all DIR/coref.key.gold_conll DIR/coref.response.gold_conll``). Documents are named
``<task>_<n>`` in evaluation order; a coreference document is written as one sentence, since the
readers keep no sentence boundaries (the scorer does not use them).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from allennlp.data import DatasetReader
from allennlp.data.dataset_readers.dataset_utils.span_utils import (
    bio_tags_to_spans,
    bioul_tags_to_spans,
    iob1_tags_to_spans,
)

from hmtl.data.formats.ace_like_conll import AceDocument, AceSentence, write_ace
from hmtl.data.formats.brackets import LabeledSpan, format_bracket_column
from hmtl.data.formats.conll2012 import Conll2012Document, Conll2012Sentence, write_conll2012
from hmtl.data.formats.coref_spans import CorefMention, format_coref_column

logger = logging.getLogger(__name__)

CONLL2012 = "gold_conll"
LIKE_CONLL = "like_conll"
READER_FORMATS = {
    "ner_ontonotes": CONLL2012,
    "coref": CONLL2012,
    "mention_ace": LIKE_CONLL,
    "relation_ace": LIKE_CONLL,
    "coref_ace": LIKE_CONLL,
}

#: The head output kinds (``Head.output_kind``) written in the input formats, and the kind of
#: ``TaskPredictions`` each becomes.
WRITTEN_KINDS = {"spans": "tagging", "relations": "relation", "clusters": "coref"}

Triple = tuple[int, int, str]
Cluster = list[tuple[int, int]]


def reader_format(reader: DatasetReader) -> str | None:
    """The file format of a reader's input (by its registered name), None when unknown."""
    for name, (cls, _) in DatasetReader._registry[DatasetReader].items():
        if cls is type(reader) and name in READER_FORMATS:
            return READER_FORMATS[name]
    return None


def tags_to_spans(tags: Sequence[str], coding_scheme: str | None = None) -> list[LabeledSpan]:
    """Typed spans (inclusive) of a BIOUL, BIO or IOB1 tag sequence."""
    if coding_scheme is None:
        coding_scheme = "BIOUL" if any(t[:2] in ("U-", "L-") for t in tags) else "BIO"
    convert = {"BIOUL": bioul_tags_to_spans, "BIO": bio_tags_to_spans, "IOB1": iob1_tags_to_spans}
    spans = convert[coding_scheme](list(tags))
    return sorted(LabeledSpan(label, start, end) for label, (start, end) in spans)


def relation_columns(triples: Sequence[Triple], length: int) -> list[list[str]]:
    """One relation-frame column per (ARG1 token, ARG2 token, type) triple, as the reader's
    reduced frames: ``(ARG1_<TYPE>*)`` and ``(ARG2_<TYPE>*)`` on the arguments' last tokens."""
    columns = []
    for arg1, arg2, relation_type in sorted(triples):
        if arg1 == arg2:
            logger.warning("Skipping a relation of a token with itself (token %d)", arg1)
            continue
        spans = [
            LabeledSpan(f"ARG1_{relation_type}", arg1, arg1),
            LabeledSpan(f"ARG2_{relation_type}", arg2, arg2),
        ]
        columns.append(format_bracket_column(spans, length, star_in_single=True))
    return columns


def coref_cells(clusters: Sequence[Cluster], length: int) -> list[str]:
    """The coreference column of a document given its clusters of inclusive spans."""
    mentions = [
        CorefMention(cluster_id, int(start), int(end))
        for cluster_id, cluster in enumerate(clusters)
        for start, end in cluster
    ]
    return format_coref_column(mentions, length)


@dataclass
class Example:
    """One sentence or document: its words and the gold and predicted annotations."""

    words: list[str]
    gold: Any
    predicted: Any


@dataclass
class TaskPredictions:
    """What one task predicted on its test set, ready to be written in its input format."""

    task_name: str
    kind: str  # "tagging", "relation" or "coref"
    file_format: str
    examples: list[Example] = field(default_factory=list)

    def rows(self, words: list[str], annotation: Any, doc_id: str) -> list[list[str]]:
        """Token rows of one example in this task's format."""
        length = len(words)
        empty = ["*"] * length
        no_coref = ["-"] * length
        frames: list[list[str]] = []
        spans_column, coref_column = empty, no_coref
        if self.kind == "tagging":
            spans_column = format_bracket_column(
                tags_to_spans(annotation), length, star_in_single=self.file_format == LIKE_CONLL
            )
        elif self.kind == "relation":
            frames = relation_columns(annotation, length)
        else:
            coref_column = coref_cells(annotation, length)
        if self.file_format == CONLL2012:
            return [
                [doc_id, "0", str(i), word, "-", "-", "-", "-", "-", "-", spans_column[i],
                 coref_column[i]]
                for i, word in enumerate(words)
            ]
        return [
            [str(i), word, spans_column[i], *[frame[i] for frame in frames], coref_column[i]]
            for i, word in enumerate(words)
        ]

    def write(self, directory: str | os.PathLike) -> tuple[Path, Path]:
        """Write ``<task>.key.<ext>`` and ``<task>.response.<ext>``; return their paths."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for role in ("key", "response"):
            path = directory / f"{self.task_name}.{role}.{self.file_format}"
            with open(path, "w", encoding="utf-8") as handle:
                self._write_documents(handle, gold=role == "key")
            paths.append(path)
        return paths[0], paths[1]

    def _write_documents(self, handle: Any, gold: bool) -> None:
        # Tagging and relation examples are sentences: one document of them. Coreference
        # examples are documents.
        per_document = self.kind == "coref"
        groups = (
            [[example] for example in self.examples] if per_document else [self.examples]
        )
        documents: list[Any] = []
        for number, group in enumerate(groups):
            doc_id = f"{self.task_name}_{number}"
            sentences = [
                self.rows(ex.words, ex.gold if gold else ex.predicted, doc_id) for ex in group
            ]
            if self.file_format == CONLL2012:
                documents.append(
                    Conll2012Document(
                        path="", document_id=doc_id, part="0", begin_line=0,
                        sentences=[Conll2012Sentence(rows, 0, [], []) for rows in sentences],
                    )
                )
            else:
                documents.append(
                    AceDocument(
                        path="", document_id=doc_id, begin_line=0, ended=True,
                        sentences=[AceSentence(rows, 0, [], [], []) for rows in sentences],
                    )
                )
        if self.file_format == CONLL2012:
            write_conll2012(documents, handle)
        else:
            write_ace(documents, handle)


class PredictionCollector:
    """Hooks into the test matrix and keeps each task's predictions with its own best weights.

    ``model`` must have ``heads`` (``HierarchicalModel``) and
    ``make_output_human_readable(output, task_name=...)``. Tasks whose reader format is not one
    of the known input formats are skipped with a warning.
    """

    def __init__(self, model: torch.nn.Module, readers: Mapping[str, DatasetReader]) -> None:
        self._model = model
        self.predictions: dict[str, TaskPredictions] = {}
        self._skipped: set[str] = set()
        self._formats = {name: reader_format(reader) for name, reader in readers.items()}
        for name, file_format in self._formats.items():
            if file_format is None:
                logger.warning("Task %s: no known input format to write predictions in", name)

    def __call__(
        self, weights_task: str, task_name: str, batch: Mapping[str, Any], output: Mapping[str, Any]
    ) -> None:
        if weights_task != task_name or self._formats.get(task_name) is None:
            return
        head = self._model.heads[task_name]
        kind = WRITTEN_KINDS.get(getattr(head, "output_kind", None))
        if kind is None:
            if task_name not in self._skipped:
                self._skipped.add(task_name)
                logger.warning("Task %s: its head's output kind %r has no input format to be "
                               "written in", task_name, getattr(head, "output_kind", None))
            return
        decoded = self._model.make_output_human_readable(dict(output), task_name=task_name)
        words = [m.get("words") or m.get("original_text") for m in batch["metadata"]]
        if kind == "coref":
            gold = [m.get("clusters", []) for m in batch["metadata"]]
            predicted = decoded["clusters"]
        elif kind == "relation":
            gold_cells = head.gold_tensor(batch["relations"], decoded["mask"]).bool()
            gold = head.decode(gold_cells)
            predicted = decoded["relations"]
        else:
            vocab = self._model.vocab
            gold = [
                [vocab.get_token_from_index(int(i), head.label_namespace) for i in row[: len(w)]]
                for row, w in zip(batch["tags"].tolist(), words)
            ]
            predicted = [tags[: len(w)] for tags, w in zip(decoded["tags"], words)]
        collected = self.predictions.setdefault(
            task_name, TaskPredictions(task_name, kind, self._formats[task_name])
        )
        for example_words, example_gold, example_predicted in zip(words, gold, predicted):
            collected.examples.append(
                Example(list(example_words), example_gold, example_predicted)
            )

    def write(self, directory: str | os.PathLike) -> dict[str, tuple[Path, Path]]:
        """Write every collected task; returns task -> (key path, response path)."""
        return {name: task.write(directory) for name, task in self.predictions.items()}
