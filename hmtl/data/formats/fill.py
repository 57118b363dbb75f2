"""Predicted columns written into the documents they were read from.

One set of writers for ``evaluate --predictions-dir`` and ``hmtl predict --output-format
input``: a parsed document (CoNLL-2012, ACE ``like_conll`` or CoNLL-2003) keeps its document
id, part, sentences, tokens and every other column; only the columns given are replaced, so the
official scorers can compare the result with the user's own key file.

Annotations are given in document token offsets, ends inclusive:

- spans: ``LabeledSpan(label, start, end)`` (named entities, mention heads, CoNLL-2003 tags);
- relations: ``(arg1 token, arg2 token, type)``, the last tokens of the arguments (as the
  ``relation_ace`` reader reduces frames); one frame column per relation;
- clusters: lists of ``(start, end)`` mentions.

Columns hold one sentence each, so a span, mention or relation crossing a sentence boundary
cannot be written: it is left out and counted in the returned number.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hmtl.data.formats.ace_like_conll import MENTION_COLUMN, AceDocument
from hmtl.data.formats.brackets import LabeledSpan, format_bracket_column
from hmtl.data.formats.conll2003 import Conll2003Sentence
from hmtl.data.formats.conll2012 import NAMED_ENTITY_COLUMN, Conll2012Document
from hmtl.data.formats.coref_spans import CorefMention, format_coref_column

logger = logging.getLogger(__name__)

Relation = tuple[int, int, str]
Cluster = Sequence[tuple[int, int]]


class SentenceIndex:
    """Maps document token spans to (sentence, sentence-relative start, end); counts the spans
    that cross a sentence boundary or lie outside every sentence."""

    def __init__(self, lengths: Sequence[int]) -> None:
        self.ranges: list[tuple[int, int]] = []
        offset = 0
        for length in lengths:
            self.ranges.append((offset, offset + length))
            offset += length
        self.dropped = 0

    def locate(self, start: int, end: int) -> tuple[int, int, int] | None:
        """Sentence index and sentence-relative inclusive (start, end) of the inclusive span."""
        for index, (first, stop) in enumerate(self.ranges):
            if first <= start < stop:
                if end >= stop:
                    break
                return index, start - first, end - first
        self.dropped += 1
        return None

    def spans_per_sentence(self, spans: Sequence[LabeledSpan]) -> list[list[LabeledSpan]]:
        """Each sentence's spans, in sentence offsets."""
        result: list[list[LabeledSpan]] = [[] for _ in self.ranges]
        for label, start, end in spans:
            located = self.locate(start, end)
            if located is not None:
                index, first, last = located
                result[index].append(LabeledSpan(label, first, last))
        return result


def relation_columns(triples: Sequence[Relation], length: int) -> list[list[str]]:
    """One relation-frame column per (ARG1 token, ARG2 token, type) triple, as the reader's
    reduced frames: ``(ARG1_<TYPE>*)`` and ``(ARG2_<TYPE>*)`` on the arguments' last tokens. A
    relation of a token with itself cannot be written as a frame and is skipped (logged)."""
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


def coref_columns(clusters: Sequence[Cluster], index: SentenceIndex) -> list[list[str]]:
    """Each sentence's coreference cells; clusters are numbered in the order given."""
    per_sentence: list[list[CorefMention]] = [[] for _ in index.ranges]
    for cluster_id, cluster in enumerate(clusters):
        for start, end in cluster:
            located = index.locate(int(start), int(end))
            if located is not None:
                sentence, first, last = located
                per_sentence[sentence].append(CorefMention(cluster_id, first, last))
    return [format_coref_column(mentions, stop - first)
            for mentions, (first, stop) in zip(per_sentence, index.ranges)]


def _relations_per_sentence(relations: Sequence[Relation],
                            index: SentenceIndex) -> list[list[Relation]]:
    result: list[list[Relation]] = [[] for _ in index.ranges]
    for arg1, arg2, relation_type in relations:
        first = index.locate(arg1, arg1)
        second = index.locate(arg2, arg2)
        if first is None or second is None:
            continue
        if first[0] != second[0]:
            index.dropped += 1
            continue
        result[first[0]].append((first[1], second[1], relation_type))
    return result


def fill_conll2012(document: Conll2012Document, *,
                   named_entities: Sequence[LabeledSpan] | None = None,
                   clusters: Sequence[Cluster] | None = None) -> int:
    """Replace the named-entity and/or coreference column (those given); returns how many
    spans or mentions could not be written."""
    index = SentenceIndex([len(sentence.rows) for sentence in document.sentences])
    names = None
    if named_entities is not None:
        names = [format_bracket_column(spans, len(sentence.rows))
                 for spans, sentence in zip(index.spans_per_sentence(named_entities),
                                            document.sentences)]
    chains = coref_columns(clusters, index) if clusters is not None else None
    for number, sentence in enumerate(document.sentences):
        for position, row in enumerate(sentence.rows):
            if names is not None:
                row[NAMED_ENTITY_COLUMN] = names[number][position]
            if chains is not None:
                row[-1] = chains[number][position]
    return index.dropped


def fill_like_conll(document: AceDocument, *, mentions: Sequence[LabeledSpan] | None = None,
                    relations: Sequence[Relation] | None = None,
                    clusters: Sequence[Cluster] | None = None) -> int:
    """Replace the mention column, the relation-frame columns (as many as relations, per
    sentence) and/or the coreference column (those given); returns how many could not be
    written."""
    index = SentenceIndex([len(sentence.rows) for sentence in document.sentences])
    heads = None
    if mentions is not None:
        heads = [format_bracket_column(spans, len(sentence.rows), star_in_single=True)
                 for spans, sentence in zip(index.spans_per_sentence(mentions),
                                            document.sentences)]
    frames = None
    if relations is not None:
        frames = [relation_columns(triples, len(sentence.rows))
                  for triples, sentence in zip(_relations_per_sentence(relations, index),
                                               document.sentences)]
    chains = coref_columns(clusters, index) if clusters is not None else None
    for number, sentence in enumerate(document.sentences):
        for position, row in enumerate(sentence.rows):
            head = heads[number][position] if heads is not None else row[MENTION_COLUMN]
            middle = ([frame[position] for frame in frames[number]] if frames is not None
                      else row[MENTION_COLUMN + 1:-1])
            chain = chains[number][position] if chains is not None else row[-1]
            row[:] = [*row[:MENTION_COLUMN], head, *middle, chain]
    return index.dropped


def iob2_tags(spans: Sequence[LabeledSpan], length: int) -> list[str]:
    """The IOB2 tags of one sentence's spans."""
    tags = ["O"] * length
    for label, start, end in spans:
        tags[start] = f"B-{label}"
        for position in range(start + 1, end + 1):
            tags[position] = f"I-{label}"
    return tags


def fill_conll2003(sentences: Sequence[Conll2003Sentence], spans: Sequence[LabeledSpan]) -> int:
    """Replace the tag column (the last) of a document's sentences with ``spans`` as IOB2 tags;
    returns how many spans could not be written."""
    index = SentenceIndex([len(sentence.rows) for sentence in sentences])
    for sentence, sentence_spans in zip(sentences, index.spans_per_sentence(spans)):
        for row, tag in zip(sentence.rows, iob2_tags(sentence_spans, len(sentence.rows))):
            row[-1] = tag
    return index.dropped
