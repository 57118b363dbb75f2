"""Hand-made instances and batches in the field layout of the project's readers (DESIGN.md §2).

Tests of the model, the heads and the trainer need a few sentences with tags or relations
without going through a corpus reader.
"""

from collections.abc import Sequence
from typing import Any

from allennlp.data import Batch, Instance, Token, Vocabulary
from allennlp.data.fields import (
    ListField,
    MetadataField,
    SequenceLabelField,
    SpanField,
    TextField,
)
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer

Relation = tuple[int, int, str]


def _text(words: Sequence[str], indexers: dict[str, TokenIndexer] | None) -> TextField:
    indexers = indexers if indexers is not None else {"tokens": SingleIdTokenIndexer()}
    return TextField([Token(word) for word in words], indexers)


def tagging_instance(
    words: Sequence[str],
    tags: Sequence[str] | None = None,
    label_namespace: str = "labels",
    indexers: dict[str, TokenIndexer] | None = None,
) -> Instance:
    """``tokens``, ``tags`` (when given), ``metadata`` {``words``}: a tagging reader's instance."""
    text = _text(words, indexers)
    fields: dict[str, Any] = {"tokens": text, "metadata": MetadataField({"words": list(words)})}
    if tags is not None:
        fields["tags"] = SequenceLabelField(list(tags), text, label_namespace=label_namespace)
    return Instance(fields)


def relation_frames(length: int, relations: Sequence[Relation]) -> list[list[str]]:
    """One label frame per relation: ``ARG1_T`` / ``ARG2_T`` at the arguments' last tokens.

    A sentence without relations gets one all-``*`` frame, as the ``relation_ace`` reader does.
    """
    frames = []
    for arg1, arg2, relation_type in relations:
        frame = ["*"] * length
        frame[arg1] = f"ARG1_{relation_type}"
        frame[arg2] = f"ARG2_{relation_type}"
        frames.append(frame)
    return frames or [["*"] * length]


def relation_instance(
    words: Sequence[str],
    relations: Sequence[Relation] | None = None,
    label_namespace: str = "relation_ace_labels",
    indexers: dict[str, TokenIndexer] | None = None,
) -> Instance:
    """``text``, ``relations`` (when given), ``metadata``: a ``relation_ace`` instance."""
    text = _text(words, indexers)
    fields: dict[str, Any] = {"text": text, "metadata": MetadataField({"words": list(words)})}
    if relations is not None:
        frames = relation_frames(len(words), relations)
        fields["relations"] = ListField(
            [SequenceLabelField(frame, text, label_namespace=label_namespace) for frame in frames]
        )
    return Instance(fields)


def coref_instance(
    words: Sequence[str],
    clusters: Sequence[Sequence[tuple[int, int]]] | None = None,
    max_span_width: int = 3,
    indexers: dict[str, TokenIndexer] | None = None,
) -> Instance:
    """``text``, ``spans`` (every span up to ``max_span_width``, inclusive ends),
    ``span_labels`` (index of the span's cluster or -1; when ``clusters`` are given) and
    ``metadata`` {``original_text``, ``clusters``}: a ``coref`` instance of a one-sentence
    document."""
    text = _text(words, indexers)
    spans = [
        (start, end)
        for start in range(len(words))
        for end in range(start, min(start + max_span_width, len(words)))
    ]
    metadata = {"original_text": list(words), "clusters": [list(c) for c in clusters or []]}
    fields: dict[str, Any] = {
        "text": text,
        "spans": ListField([SpanField(start, end, text) for start, end in spans]),
        "metadata": MetadataField(metadata),
    }
    if clusters is not None:
        cluster_of = {tuple(span): k for k, cluster in enumerate(clusters) for span in cluster}
        labels = [cluster_of.get(span, -1) for span in spans]
        fields["span_labels"] = SequenceLabelField(labels, fields["spans"])
    return Instance(fields)


def as_batch(instances: Sequence[Instance], vocab: Vocabulary) -> dict[str, Any]:
    """Index and pad ``instances`` into one tensor batch."""
    batch = Batch(list(instances))
    batch.index_instances(vocab)
    return batch.as_tensor_dict()
