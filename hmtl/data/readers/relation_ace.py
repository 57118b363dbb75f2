"""`relation_ace`: relation frames of a directory of ACE `*like_conll` files.

Relations are modelled between the LAST tokens of their arguments' heads (multi-head selection):
each frame becomes a label sequence with `ARG1_<TYPE>` at ARG1's last token, `ARG2_<TYPE>` at
ARG2's last token and `*` elsewhere. A sentence without relations gets one all-`*` frame (a
negative example), unless `skip_sentences_without_relations` reproduces the original, which
dropped such sentences (the number skipped is logged).
"""

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any, Optional

from allennlp.data import DatasetReader, Instance, TokenIndexer
from allennlp.data.fields import Field, ListField, MetadataField, SequenceLabelField, TextField
from allennlp.data.tokenizers import Token

from hmtl.data.formats.ace_like_conll import RelationFrame, read_ace
from hmtl.data.readers.read_summary import SOURCE, Source
from hmtl.data.readers.sharded_reader import ShardedReader

logger = logging.getLogger(__name__)

NO_RELATION = "*"
#: The `ReadSummary.skipped` key of the sentences `skip_sentences_without_relations` leaves out.
SKIPPED_WITHOUT_RELATIONS = "sentences without relations (skip_sentences_without_relations)"


def relation_labels(frames: Sequence[RelationFrame], length: int) -> list[list[str]]:
    """One label sequence per frame (last-token reduction); one all-`*` sequence if none."""
    if not frames:
        return [[NO_RELATION] * length]
    sequences = []
    for frame in frames:
        labels = [NO_RELATION] * length
        labels[frame.arg1_end] = "ARG1_" + frame.relation_type
        labels[frame.arg2_end] = "ARG2_" + frame.relation_type
        sequences.append(labels)
    return sequences


@DatasetReader.register("relation_ace")
class RelationAceReader(ShardedReader):
    """Instances: `text` (TextField), `relations` (ListField of SequenceLabelField in
    `label_namespace`, one per frame), `metadata` {`words`, `source`}."""

    text_field_name = "text"

    def __init__(
        self,
        token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
        label_namespace: str = "relation_ace_labels",
        skip_sentences_without_relations: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(token_indexers, **kwargs)
        self._label_namespace = label_namespace
        self._skip_sentences_without_relations = skip_sentences_without_relations

    def _read(self, file_path: str) -> Iterator[Instance]:
        summary = self._start_summary(os.fspath(file_path))
        summary.files.extend(self._find_files(summary, "like_conll"))
        relations = without = 0

        def sentences() -> Iterator[tuple[list[str], list[RelationFrame], Source]]:
            nonlocal relations, without
            for path in summary.files:
                for document in read_ace(path):
                    summary.documents += 1
                    for sentence in document.sentences:
                        summary.sentences += 1
                        summary.tokens += len(sentence.rows)
                        relations += len(sentence.relations)
                        if not sentence.relations:
                            without += 1
                            if self._skip_sentences_without_relations:
                                summary.skipped[SKIPPED_WITHOUT_RELATIONS] += 1
                                continue
                        yield sentence.words, sentence.relations, Source(path, sentence.first_line)

        for words, frames, source in self.shard_iterable(sentences()):
            yield self.text_to_instance(words, relation_labels(frames, len(words)), source=source)
        logger.info("relation_ace: read %d sentences with %d relations from %d files in %s; "
                    "%d sentences have no relation, %d of them skipped "
                    "(skip_sentences_without_relations=%s)", summary.sentences, relations,
                    len(summary.files), summary.path, without,
                    summary.skipped[SKIPPED_WITHOUT_RELATIONS],
                    self._skip_sentences_without_relations)

    def text_to_instance(self, words: Sequence[str],  # type: ignore[override]
                         relations: Sequence[Sequence[str]] | None = None, *,
                         source: Source | None = None) -> Instance:
        """An instance of `words`; `relations` (label sequences, see `relation_labels`) are left
        out for prediction, as is `source`; an empty list means one all-`*` frame. Token indexers
        are added by `apply_token_indexers`."""
        words = list(words)
        text_field = TextField([Token(word) for word in words])
        fields: dict[str, Field] = {"text": text_field}
        if relations is not None:
            relations = list(relations) or relation_labels([], len(words))
            fields["relations"] = ListField([
                SequenceLabelField(list(labels), text_field, label_namespace=self._label_namespace)
                for labels in relations
            ])
        metadata: dict[str, object] = {"words": words}
        if source is not None:
            metadata[SOURCE] = source
        fields["metadata"] = MetadataField(metadata)
        return Instance(fields)
