"""The prediction JSON of one document (the contract shared by ``hmtl predict``, the server and
the web page), built from token-level predictions.

Token spans are (start, end) with ``end`` exclusive. Every span carries its token and character
offsets and its text, ``text[char_start:char_end]``. Spans of a task are sorted by (start, end);
cluster mentions too, clusters by their first mention and numbered from 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hmtl.predicting.document import Document

SPANS = "spans"
RELATIONS = "relations"
CLUSTERS = "clusters"

TokenSpan = tuple[int, int]


def span_json(document: Document, start: int, end: int, label: str | None = None) -> dict:
    """One SPAN object; ``label`` None leaves ``type`` out (coreference mentions)."""
    char_start = document.tokens[start].start
    char_end = document.tokens[end - 1].end
    span: dict[str, Any] = {} if label is None else {"type": label}
    span.update(start=start, end=end, char_start=char_start, char_end=char_end,
                text=document.text[char_start:char_end])
    return span


def spans_json(document: Document, spans: Sequence[tuple[str, int, int]]) -> list[dict]:
    """(label, start, end) spans, sorted by position."""
    return [span_json(document, start, end, label)
            for label, start, end in sorted(spans, key=lambda s: (s[1], s[2], s[0]))]


def relations_json(
    document: Document, relations: Sequence[tuple[str, tuple[str | None, int, int],
                                                  tuple[str | None, int, int]]]
) -> list[dict]:
    """(type, arg1, arg2) relations, each argument (label or None, start, end); sorted by the
    arguments' positions."""
    ordered = sorted(relations, key=lambda r: (r[1][1], r[1][2], r[2][1], r[2][2], r[0]))
    return [
        {"type": kind, "arg1": span_json(document, arg1[1], arg1[2], arg1[0]),
         "arg2": span_json(document, arg2[1], arg2[2], arg2[0])}
        for kind, arg1, arg2 in ordered
    ]


def clusters_json(document: Document, clusters: Sequence[Sequence[TokenSpan]]) -> list[dict]:
    """Clusters of (start, end) mentions, numbered in order of their first mention."""
    ordered = sorted((sorted(set(cluster)) for cluster in clusters if cluster),
                     key=lambda mentions: mentions[0])
    return [
        {"id": number, "mentions": [span_json(document, start, end) for start, end in mentions]}
        for number, mentions in enumerate(ordered)
    ]


def document_json(
    document: Document, tasks: Mapping[str, str], predictions: Mapping[str, list[dict]],
    warnings: Sequence[str],
) -> dict:
    """The whole object of one document; ``predictions`` maps each task to its JSON list."""
    result: dict[str, Any] = {
        "id": document.id,
        "text": document.text,
        "tokens": [{"text": t.text, "start": t.start, "end": t.end} for t in document.tokens],
        "sentences": [{"start": start, "end": end} for start, end in document.sentences],
        "tasks": dict(tasks),
    }
    for task in tasks:
        result[task] = predictions.get(task, [])
    result["warnings"] = list(warnings)
    return result
