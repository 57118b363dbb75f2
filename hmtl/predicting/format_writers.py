"""Predictions written back into the training format they were read from.

The input's rows are kept and the columns the model predicts are replaced; columns it has no
head for keep the input's values:

- CoNLL-2012: the named-entity column from the ``ner`` spans task (else the first spans task),
  the coreference column (last) from the clusters task;
- ACE ``like_conll``: the mention column from the ``emd`` spans task (else the first spans
  task), one relation-frame column per predicted relation (``ARG1_<TYPE>``/``ARG2_<TYPE>`` on the
  arguments' last tokens, as the reader reduces frames), the coreference column from the
  clusters task;
- CoNLL-2003: the tag column (last) from the ``ner`` spans task (else the first), as IOB2 tags.

Columns hold one sentence, so a predicted span or relation that crosses a sentence boundary
cannot be written; it is left out and counted in a logged warning.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from hmtl.data.formats.ace_like_conll import write_ace
from hmtl.data.formats.brackets import LabeledSpan, format_bracket_column
from hmtl.data.formats.conll2003 import DOCSTART, write_conll2003
from hmtl.data.formats.conll2012 import NAMED_ENTITY_COLUMN, write_conll2012
from hmtl.data.formats.coref_spans import CorefMention, format_coref_column
from hmtl.data.formats.lines import is_blank, iter_lines
from hmtl.experiment.prediction_writers import relation_columns
from hmtl.predicting.inputs import CONLL2003, CONLL2012, LIKE_CONLL
from hmtl.predicting.outputs import CLUSTERS, RELATIONS, SPANS

logger = logging.getLogger(__name__)


def _task(prediction: Mapping[str, Any], kind: str, preferred: str | None = None) -> str | None:
    tasks = [name for name, task_kind in prediction["tasks"].items() if task_kind == kind]
    if preferred in tasks:
        return preferred
    return tasks[0] if tasks else None


class _Sentences:
    """Maps document token spans to (sentence, start, end) and counts what does not fit."""

    def __init__(self, prediction: Mapping[str, Any]) -> None:
        self.ranges = [(s["start"], s["end"]) for s in prediction["sentences"]]
        self.dropped = 0

    def locate(self, start: int, end: int) -> tuple[int, int, int] | None:
        """Sentence index and sentence-relative inclusive (start, end) of a token span."""
        for index, (first, stop) in enumerate(self.ranges):
            if first <= start < stop:
                if end > stop:
                    self.dropped += 1
                    return None
                return index, start - first, end - 1 - first
        self.dropped += 1
        return None


def _sentence_spans(prediction: Mapping[str, Any], task: str,
                    sentences: _Sentences) -> list[list[LabeledSpan]]:
    per_sentence: list[list[LabeledSpan]] = [[] for _ in sentences.ranges]
    for span in prediction[task]:
        located = sentences.locate(span["start"], span["end"])
        if located is not None:
            index, start, end = located
            per_sentence[index].append(LabeledSpan(span["type"], start, end))
    return per_sentence


def _span_columns(prediction: Mapping[str, Any], task: str, sentences: _Sentences,
                  star_in_single: bool) -> list[list[str]]:
    return [
        format_bracket_column(spans, stop - first, star_in_single=star_in_single)
        for spans, (first, stop) in zip(_sentence_spans(prediction, task, sentences),
                                        sentences.ranges)
    ]


def _coref_columns(prediction: Mapping[str, Any], task: str,
                   sentences: _Sentences) -> list[list[str]]:
    per_sentence: list[list[CorefMention]] = [[] for _ in sentences.ranges]
    for cluster in prediction[task]:
        for mention in cluster["mentions"]:
            located = sentences.locate(mention["start"], mention["end"])
            if located is not None:
                index, start, end = located
                per_sentence[index].append(CorefMention(cluster["id"], start, end))
    return [format_coref_column(mentions, stop - first)
            for mentions, (first, stop) in zip(per_sentence, sentences.ranges)]


def _relation_frames(prediction: Mapping[str, Any], task: str,
                     sentences: _Sentences) -> list[list[list[str]]]:
    per_sentence: list[list[tuple[int, int, str]]] = [[] for _ in sentences.ranges]
    for relation in prediction[task]:
        last1, last2 = relation["arg1"]["end"] - 1, relation["arg2"]["end"] - 1
        first = sentences.locate(last1, last1 + 1)
        second = sentences.locate(last2, last2 + 1)
        if first is None or second is None or first[0] != second[0]:
            sentences.dropped += first is not None and second is not None
            continue
        per_sentence[first[0]].append((first[1], second[1], relation["type"]))
    return [relation_columns(triples, stop - first)
            for triples, (first, stop) in zip(per_sentence, sentences.ranges)]


def _iob2(spans: Sequence[LabeledSpan], length: int) -> list[str]:
    tags = ["O"] * length
    for label, start, end in spans:
        tags[start] = f"B-{label}"
        for position in range(start + 1, end + 1):
            tags[position] = f"I-{label}"
    return tags


def _fill_conll2012(prediction: Mapping[str, Any], source: Any, sentences: _Sentences) -> None:
    ner, coref = _task(prediction, SPANS, "ner"), _task(prediction, CLUSTERS)
    names = _span_columns(prediction, ner, sentences, False) if ner else None
    chains = _coref_columns(prediction, coref, sentences) if coref else None
    for index, sentence in enumerate(source.sentences):
        for position, row in enumerate(sentence.rows):
            if names is not None:
                row[NAMED_ENTITY_COLUMN] = names[index][position]
            if chains is not None:
                row[-1] = chains[index][position]


def _fill_like_conll(prediction: Mapping[str, Any], source: Any, sentences: _Sentences) -> None:
    emd = _task(prediction, SPANS, "emd")
    relation, coref = _task(prediction, RELATIONS), _task(prediction, CLUSTERS)
    mentions = _span_columns(prediction, emd, sentences, True) if emd else None
    frames = _relation_frames(prediction, relation, sentences) if relation else None
    chains = _coref_columns(prediction, coref, sentences) if coref else None
    for index, sentence in enumerate(source.sentences):
        for position, row in enumerate(sentence.rows):
            mention = mentions[index][position] if mentions is not None else row[2]
            middle = ([frame[position] for frame in frames[index]] if frames is not None
                      else row[3:-1])
            chain = chains[index][position] if chains is not None else row[-1]
            row[:] = [row[0], row[1], mention, *middle, chain]


def _fill_conll2003(prediction: Mapping[str, Any], source: Any, sentences: _Sentences) -> None:
    ner = _task(prediction, SPANS, "ner")
    if ner is None:
        return
    for sentence, spans in zip(source, _sentence_spans(prediction, ner, sentences)):
        for row, tag in zip(sentence.rows, _iob2(spans, len(sentence.rows))):
            row[-1] = tag


_FILLERS = {CONLL2012: _fill_conll2012, LIKE_CONLL: _fill_like_conll,
            CONLL2003: _fill_conll2003}


def fill_predictions(input_format: str, prediction: Mapping[str, Any], source: Any) -> int:
    """Replace the predicted columns of ``source`` (a parsed document of ``input_format``) with
    ``prediction``'s; returns how many predictions crossed a sentence and were left out."""
    sentences = _Sentences(prediction)
    _FILLERS[input_format](prediction, source, sentences)
    return sentences.dropped


def has_docstart(path: str) -> bool:
    """Whether a CoNLL-2003 file starts with a ``-DOCSTART-`` row (written back if so)."""
    for _number, line in iter_lines(path):
        if not is_blank(line):
            return line.split()[0] == DOCSTART
    return False


def write_source(input_format: str, source: Any, handle: TextIO, docstart: bool = True) -> None:
    """Write one parsed document back in its format."""
    if input_format == CONLL2012:
        write_conll2012([source], handle)
    elif input_format == LIKE_CONLL:
        write_ace([source], handle)
    else:
        write_conll2003([source], handle, docstart=docstart)
