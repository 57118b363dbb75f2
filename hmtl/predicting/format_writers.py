"""The prediction JSON of a training-format document written back into that document.

The columns are filled by the writers ``evaluate --predictions-dir`` uses too
(``hmtl.data.formats.fill``); this module only picks which task fills which column and turns the
JSON's spans (end exclusive) into theirs (end inclusive). Columns the model has no head for keep
the input's values:

- CoNLL-2012: the named-entity column from the ``ner`` spans task (else the first spans task),
  the coreference column (last) from the clusters task;
- ACE ``like_conll``: the mention column from the ``emd`` spans task (else the first spans
  task), one relation-frame column per predicted relation (``ARG1_<TYPE>``/``ARG2_<TYPE>`` on the
  arguments' last tokens, as the reader reduces frames), the coreference column from the
  clusters task;
- CoNLL-2003: the tag column (last) from the ``ner`` spans task (else the first), as IOB2 tags.

A predicted span or relation that crosses a sentence boundary cannot be written; it is left out
and counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from hmtl.data.formats.ace_like_conll import write_ace
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2003 import has_docstart, write_conll2003
from hmtl.data.formats.conll2012 import write_conll2012
from hmtl.data.formats.fill import fill_conll2003, fill_conll2012, fill_like_conll
from hmtl.predicting.inputs import CONLL2012, LIKE_CONLL
from hmtl.predicting.outputs import CLUSTERS, RELATIONS, SPANS

__all__ = ["fill_predictions", "has_docstart", "write_source"]


def _task(prediction: Mapping[str, Any], kind: str, preferred: str | None = None) -> str | None:
    tasks = [name for name, task_kind in prediction["tasks"].items() if task_kind == kind]
    if preferred in tasks:
        return preferred
    return tasks[0] if tasks else None


def _spans(prediction: Mapping[str, Any], task: str | None) -> list[LabeledSpan] | None:
    if task is None:
        return None
    return [LabeledSpan(span["type"], span["start"], span["end"] - 1) for span in prediction[task]]


def _clusters(prediction: Mapping[str, Any]) -> list[list[tuple[int, int]]] | None:
    task = _task(prediction, CLUSTERS)
    if task is None:
        return None
    return [[(mention["start"], mention["end"] - 1) for mention in cluster["mentions"]]
            for cluster in prediction[task]]


def _relations(prediction: Mapping[str, Any]) -> list[tuple[int, int, str]] | None:
    task = _task(prediction, RELATIONS)
    if task is None:
        return None
    return [(relation["arg1"]["end"] - 1, relation["arg2"]["end"] - 1, relation["type"])
            for relation in prediction[task]]


def fill_predictions(input_format: str, prediction: Mapping[str, Any], source: Any) -> int:
    """Replace the predicted columns of ``source`` (a parsed document of ``input_format``) with
    ``prediction``'s; returns how many predictions crossed a sentence and were left out."""
    if input_format == CONLL2012:
        return fill_conll2012(source, named_entities=_spans(prediction, _task(prediction, SPANS,
                                                                              "ner")),
                              clusters=_clusters(prediction))
    if input_format == LIKE_CONLL:
        return fill_like_conll(source, mentions=_spans(prediction, _task(prediction, SPANS, "emd")),
                               relations=_relations(prediction), clusters=_clusters(prediction))
    spans = _spans(prediction, _task(prediction, SPANS, "ner"))
    return 0 if spans is None else fill_conll2003(source, spans)


def write_source(input_format: str, source: Any, handle: TextIO, docstart: bool = True) -> None:
    """Write one parsed document back in its format."""
    if input_format == CONLL2012:
        write_conll2012([source], handle)
    elif input_format == LIKE_CONLL:
        write_ace([source], handle)
    else:
        write_conll2003([source], handle, docstart=docstart)
