"""Predictions written into the input documents, for the official scorers.

``evaluate --predictions-dir DIR`` writes, for each evaluated task scored with its own best
weights, ``DIR/<task>.response.<ext>``: the documents of the task's test files as they were read
(same ``#begin document`` lines, so the same document ids and parts, the same sentences, tokens
and every column the model does not predict), with the task's predicted column replaced:

- ``ner_ontonotes`` (CoNLL-2012, ``gold_conll``): the named-entity column;
- ``coref`` (CoNLL-2012) and ``coref_ace`` (ACE ``like_conll``): the coreference column;
- ``mention_ace`` (``like_conll``): the mention column; ``relation_ace``: the relation-frame
  columns, one per predicted relation;
- ``ner_conll2003`` (``conll2003``): the tag column, as IOB2 tags.

The official scorers therefore run on the user's own key file and the response directly (e.g.
``scorer.pl all test.gold_conll DIR/coref.response.gold_conll``). Beside it,
``DIR/<task>.key.<ext>`` holds the same documents with the gold annotation the evaluation scored
in the same column: it equals the input when the reader changed nothing, and differs where it
did (``max_sentences`` truncation, ``remove_singleton_clusters``, clusters sharing a mention
merged, a directory of files gathered into one file). Scoring the response against it gives
exactly the figures ``evaluate`` reports.

A sentence or document the evaluation did not see (a reader skipped it) has an empty predicted
column in both files; their number is logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import torch
from allennlp.data import DatasetReader
from allennlp.data.dataset_readers.dataset_utils.span_utils import (
    InvalidTagSequence,
    bio_tags_to_spans,
    bioul_tags_to_spans,
    iob1_tags_to_spans,
)

from hmtl.data.formats.ace_like_conll import read_ace, write_ace
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2003 import (
    has_docstart,
    iter_conll2003_documents,
    write_conll2003,
)
from hmtl.data.formats.conll2012 import read_conll2012, write_conll2012
from hmtl.data.formats.fill import fill_conll2003, fill_conll2012, fill_like_conll
from hmtl.data.readers.read_summary import Source

logger = logging.getLogger(__name__)

CONLL2012 = "gold_conll"
LIKE_CONLL = "like_conll"
CONLL2003 = "conll2003"
READER_FORMATS = {
    "ner_ontonotes": CONLL2012,
    "coref": CONLL2012,
    "mention_ace": LIKE_CONLL,
    "relation_ace": LIKE_CONLL,
    "coref_ace": LIKE_CONLL,
    "ner_conll2003": CONLL2003,
}
TAGGING, RELATION, COREF = "tagging", "relation", "coref"

#: The head output kinds (``Head.output_kind``) written in the input formats, and the kind of
#: ``TaskPredictions`` each becomes.
WRITTEN_KINDS = {"spans": TAGGING, "relations": RELATION, "clusters": COREF}


def reader_format(reader: DatasetReader) -> str | None:
    """The file format of a reader's input (by its registered name), None when unknown."""
    for name, (cls, _) in DatasetReader._registry[DatasetReader].items():
        if cls is type(reader) and name in READER_FORMATS:
            return READER_FORMATS[name]
    return None


def tags_to_spans(tags: Sequence[str], coding_scheme: str | None = None) -> list[LabeledSpan]:
    """Typed spans (inclusive) of a BIOUL, BIO or IOB1 tag sequence; an invalid BIOUL sequence
    (possible without constrained decoding) is read leniently as BIO."""
    if coding_scheme is None:
        coding_scheme = "BIOUL" if any(t[:2] in ("U-", "L-") for t in tags) else "BIO"
    convert = {"BIOUL": bioul_tags_to_spans, "BIO": bio_tags_to_spans, "IOB1": iob1_tags_to_spans}
    try:
        spans = convert[coding_scheme](list(tags))
    except InvalidTagSequence:
        lenient = [tag.replace("U-", "B-", 1).replace("L-", "I-", 1) for tag in tags]
        spans = bio_tags_to_spans(lenient)
    return sorted(LabeledSpan(label, start, end) for label, (start, end) in spans)


@dataclass
class TaskPredictions:
    """What one task predicted on its test files, by where each sentence (tagging, relations)
    or document (coreference) was read: source -> (gold, predicted), in sentence or document
    token offsets (tags as spans, relations as (arg1, arg2, type), clusters of (start, end))."""

    task_name: str
    kind: str
    file_format: str
    annotations: dict[Source, tuple[Any, Any]] = field(default_factory=dict)

    def write(self, directory: str | os.PathLike) -> tuple[Path, Path]:
        """Write ``<task>.key.<ext>`` and ``<task>.response.<ext>``; return their paths."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for role, gold in (("key", True), ("response", False)):
            path = directory / f"{self.task_name}.{role}.{self.file_format}"
            with open(path, "w", encoding="utf-8") as handle:
                unseen = self._write(handle, gold)
            paths.append(path)
        if unseen:
            unit = "documents" if self.kind == COREF else "sentences"
            logger.warning("Task %s: %d %s of the input were not evaluated (skipped by the "
                           "reader); their %s column is empty in %s and %s", self.task_name,
                           unseen, unit, self.kind, paths[0], paths[1])
        return paths[0], paths[1]

    def _write(self, handle: TextIO, gold: bool) -> int:
        files = sorted({path for path, _line in self.annotations})
        unseen = 0
        for path in files:
            if self.file_format == CONLL2003:
                docstart = has_docstart(path)
                for sentences in iter_conll2003_documents(path):
                    spans, missing = self._sentence_spans(
                        path, [(s.first_line, len(s.rows)) for s in sentences], gold)
                    unseen += missing
                    self._check(fill_conll2003(sentences, spans))
                    write_conll2003([sentences], handle, docstart=docstart)
                continue
            parse = read_conll2012 if self.file_format == CONLL2012 else read_ace
            for document in parse(path):
                unseen += self._fill(path, document, gold)
                if self.file_format == CONLL2012:
                    write_conll2012([document], handle)
                else:
                    write_ace([document], handle)
        return unseen

    def _sentence_spans(self, path: str, sentences: Sequence[tuple[int, int]],
                        gold: bool) -> tuple[list[Any], int]:
        """A document's sentence-level annotations shifted to document offsets, and how many of
        its sentences were not evaluated."""
        result: list[Any] = []
        missing = 0
        offset = 0
        for first_line, length in sentences:
            found = self.annotations.get((path, first_line))
            if found is None:
                missing += 1
            elif self.kind == TAGGING:
                result += [LabeledSpan(label, offset + start, offset + end)
                           for label, start, end in found[0 if gold else 1]]
            else:
                result += [(offset + arg1, offset + arg2, relation_type)
                           for arg1, arg2, relation_type in found[0 if gold else 1]]
            offset += length
        return result, missing

    def _fill(self, path: str, document: Any, gold: bool) -> int:
        if not document.sentences:
            return 0
        if self.kind == COREF:
            found = self.annotations.get((path, document.sentences[0].first_line))
            clusters = [] if found is None else found[0 if gold else 1]
            if self.file_format == CONLL2012:
                self._check(fill_conll2012(document, clusters=clusters))
            else:
                self._check(fill_like_conll(document, clusters=clusters))
            return int(found is None)
        annotations, missing = self._sentence_spans(
            path, [(s.first_line, len(s.rows)) for s in document.sentences], gold)
        if self.file_format == CONLL2012:
            self._check(fill_conll2012(document, named_entities=annotations))
        elif self.kind == TAGGING:
            self._check(fill_like_conll(document, mentions=annotations))
        else:
            self._check(fill_like_conll(document, relations=annotations))
        return missing

    def _check(self, dropped: int) -> None:
        if dropped:
            logger.warning("Task %s: %d predictions could not be written (outside a sentence)",
                           self.task_name, dropped)


def _gold_tags(model: torch.nn.Module, head: Any, batch: Mapping[str, Any],
               lengths: Sequence[int]) -> list[list[str]]:
    vocab = model.vocab
    return [
        [vocab.get_token_from_index(int(i), head.label_namespace) for i in row[:length]]
        for row, length in zip(batch["tags"].tolist(), lengths)
    ]


class PredictionCollector:
    """Hooks into the test matrix and keeps each task's predictions with its own best weights.

    ``model`` must have ``heads`` (``HierarchicalModel``) and
    ``make_output_human_readable(output, task_name=...)``. Tasks whose reader format is not one
    of the known input formats, or whose instances do not say where they were read
    (``metadata["source"]``), are skipped with a warning.
    """

    def __init__(self, model: torch.nn.Module, readers: Mapping[str, DatasetReader]) -> None:
        self._model = model
        self.predictions: dict[str, TaskPredictions] = {}
        self._skipped: set[str] = set()
        self._formats = {name: reader_format(reader) for name, reader in readers.items()}
        self._unlocated: set[str] = set()
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
        metadata = batch["metadata"]
        sources = [m.get("source") for m in metadata]
        if any(source is None for source in sources):
            if task_name not in self._unlocated:
                logger.warning("Task %s: its instances do not say where they were read "
                               "(metadata 'source'); no predictions written", task_name)
                self._unlocated.add(task_name)
            return
        decoded = self._model.make_output_human_readable(dict(output), task_name=task_name)
        lengths = [len(m.get("words") or m.get("original_text")) for m in metadata]
        gold: list[Any]
        predicted: list[Any]
        if kind == COREF:
            gold = [m.get("clusters", []) for m in metadata]
            predicted = [[[(int(s), int(e)) for s, e in c] for c in clusters]
                         for clusters in decoded["clusters"]]
        elif kind == RELATION:
            gold_cells = head.gold_tensor(batch["relations"], decoded["mask"]).bool()
            gold = head.decode(gold_cells)
            predicted = decoded["relations"]
        else:
            scheme = getattr(head, "label_encoding", None)
            gold = [tags_to_spans(tags, scheme)
                    for tags in _gold_tags(self._model, head, batch, lengths)]
            predicted = [tags_to_spans(tags[:length], scheme)
                         for tags, length in zip(decoded["tags"], lengths)]
        collected = self.predictions.setdefault(
            task_name, TaskPredictions(task_name, kind, self._formats[task_name])
        )
        for source, example_gold, example_predicted in zip(sources, gold, predicted):
            collected.annotations[tuple(source)] = (example_gold, example_predicted)

    def write(self, directory: str | os.PathLike) -> dict[str, tuple[Path, Path]]:
        """Write every collected task; returns task -> (key path, response path)."""
        return {name: task.write(directory) for name, task in self.predictions.items()}

