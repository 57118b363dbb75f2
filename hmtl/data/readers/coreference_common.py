"""The shared half of the coreference readers (`coref` for CoNLL-2012, `coref_ace` for ACE).

One instance per document: `text` (the document's tokens, `/.` and `/?` normalised to `.` and
`?`), `spans` (every span of at most `max_span_width` tokens inside one sentence), `span_labels`
(the index of the gold cluster a candidate span is a mention of, else -1) and `metadata`
{`original_text`, `clusters`, `source`}. Gold clusters are canonicalised: clusters sharing a
span are merged (real data has mentions annotated in two clusters). Gold mentions wider than
`max_span_width` cannot be candidates; they stay in `metadata["clusters"]` for the scorer and
are counted in the log.
"""

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.data import Instance, TokenIndexer
from allennlp.data.dataset_readers.dataset_utils.span_utils import enumerate_spans
from allennlp.data.fields import (
    Field,
    ListField,
    MetadataField,
    SequenceLabelField,
    SpanField,
    TextField,
)
from allennlp.data.tokenizers import Token

from hmtl.data.formats.coref_spans import CorefMention
from hmtl.data.readers.gc_pause import gc_paused
from hmtl.data.readers.read_summary import SOURCE, ReadSummary, Source
from hmtl.data.readers.sharded_reader import ShardedReader

logger = logging.getLogger(__name__)

Span = tuple[int, int]
_NORMALISED = {"/.": ".", "/?": "?"}
#: The `ReadSummary.skipped` key of documents without any sentence.
SKIPPED_EMPTY_DOCUMENTS = "empty documents"


def normalize_word(word: str) -> str:
    """`/.` and `/?` (escaped punctuation in OntoNotes conversation genres) -> `.` and `?`."""
    return _NORMALISED.get(word, word)


def canonicalize_clusters(clusters: Iterable[Iterable[Span]]) -> list[list[Span]]:
    """Merge clusters that share a span (transitively); each cluster becomes its sorted distinct
    spans, and clusters are ordered by their first span, so the result does not depend on the
    cluster ids of the file."""
    groups: list[set[Span]] = []
    owner: dict[Span, int] = {}
    parent: list[int] = []

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for cluster in clusters:
        index = len(groups)
        groups.append(set())
        parent.append(index)
        for span in cluster:
            span = (int(span[0]), int(span[1]))
            groups[index].add(span)
            if span in owner:
                parent[find(index)] = find(owner[span])
            else:
                owner[span] = index
    merged: dict[int, set[Span]] = {}
    for index, group in enumerate(groups):
        merged.setdefault(find(index), set()).update(group)
    return sorted((sorted(group) for group in merged.values() if group), key=lambda c: c[0])


def document_clusters(sentence_mentions: Sequence[Sequence[CorefMention]],
                      sentence_lengths: Sequence[int]) -> list[list[Span]]:
    """Gold clusters of a document (document token offsets) from each sentence's mentions."""
    by_id: dict[int, list[Span]] = {}
    offset = 0
    for mentions, length in zip(sentence_mentions, sentence_lengths):
        for cluster_id, start, end in mentions:
            by_id.setdefault(cluster_id, []).append((offset + start, offset + end))
        offset += length
    return canonicalize_clusters(by_id.values())


class CoreferenceReader(ShardedReader):
    """Base of the document-level coreference readers.

    - `max_span_width`: widest candidate span, in tokens (default 8, the value of every original
      config).
    - `max_sentences`: keep only a document's first sentences (and the mentions inside them).
    - `remove_singleton_clusters`: drop gold clusters with a single mention.
    """

    text_field_name = "text"
    # Set by each subclass: its registered name (for the log), the suffix of its files, and the
    # parser turning one file into documents whose sentences have `words` and `coref_mentions`.
    registered_name: str = ""
    file_suffix: str = ""

    @staticmethod
    def parse_file(path: str) -> Iterable[Any]:
        raise NotImplementedError

    def _read(self, file_path: str) -> Iterator[Instance]:
        summary = self._start_summary(os.fspath(file_path))
        summary.max_span_width = self._max_span_width

        def documents() -> Iterator[Any]:
            for path in self._find_files(summary, self.file_suffix):
                summary.files.append(path)
                for document in self.parse_file(path):
                    if document.sentences:
                        yield document
                    else:
                        summary.skipped[SKIPPED_EMPTY_DOCUMENTS] += 1

        for document in self.shard_iterable(documents()):
            yield self._document_instance([s.words for s in document.sentences],
                                          [s.coref_mentions for s in document.sentences], summary,
                                          Source(document.path, document.sentences[0].first_line))
        self._log_counts(self.registered_name, summary)

    def __init__(
        self,
        max_span_width: int = 8,
        token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
        max_sentences: Optional[int] = None,  # noqa: UP045
        remove_singleton_clusters: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(token_indexers, **kwargs)
        if max_span_width < 1:
            raise ConfigurationError(f"max_span_width must be at least 1, got {max_span_width}")
        if max_sentences is not None and max_sentences < 1:
            raise ConfigurationError(f"max_sentences must be at least 1, got {max_sentences}")
        self._max_span_width = max_span_width
        self._max_sentences = max_sentences
        self._remove_singleton_clusters = remove_singleton_clusters

    def _document_instance(self, sentences: list[list[str]],
                           sentence_mentions: list[list[CorefMention]],
                           summary: ReadSummary, source: Source) -> Instance:
        """The instance of one parsed document; `summary` collects what the log reports."""
        summary.most_sentences = max(summary.most_sentences, len(sentences))
        if self._max_sentences is not None and len(sentences) > self._max_sentences:
            summary.truncated_documents += 1
            sentences = sentences[:self._max_sentences]
            sentence_mentions = sentence_mentions[:self._max_sentences]
        clusters = document_clusters(sentence_mentions, [len(s) for s in sentences])
        summary.documents += 1
        summary.sentences += len(sentences)
        summary.tokens += sum(len(s) for s in sentences)
        summary.add_document_mentions(clusters)
        return self.text_to_instance(sentences, clusters, source=source)

    def _log_counts(self, name: str, summary: ReadSummary) -> None:
        logger.info(
            "%s: read %d documents (%d tokens, %d gold mentions) from %s; %d gold mentions are "
            "wider than max_span_width=%d and cannot be candidate spans (kept for scoring); "
            "%d documents truncated to max_sentences; %d empty documents skipped",
            name, summary.documents, summary.tokens, summary.gold_mentions, summary.path,
            summary.wide_mentions, self._max_span_width, summary.truncated_documents,
            summary.skipped[SKIPPED_EMPTY_DOCUMENTS],
        )

    def text_to_instance(  # type: ignore[override]
        self,
        sentences: Sequence[Sequence[str]],
        gold_clusters: Sequence[Sequence[Span]] | None = None,
        *,
        source: Source | None = None,
    ) -> Instance:
        """An instance of a document given as sentences of words; `gold_clusters` (document
        offsets, inclusive ends) are left out for prediction, as is `source`. Token indexers are
        added by `apply_token_indexers`."""
        with gc_paused():
            return self._build_instance(sentences, gold_clusters, source)

    def _build_instance(self, sentences: Sequence[Sequence[str]],
                        gold_clusters: Sequence[Sequence[Span]] | None,
                        source: Source | None) -> Instance:
        words = [normalize_word(word) for sentence in sentences for word in sentence]
        text_field = TextField([Token(word) for word in words])
        metadata: dict[str, Any] = {"original_text": words}
        if source is not None:
            metadata[SOURCE] = source
        span_of_cluster: dict[Span, int] = {}
        if gold_clusters is not None:
            clusters = canonicalize_clusters(gold_clusters)
            if self._remove_singleton_clusters:
                clusters = [cluster for cluster in clusters if len(cluster) > 1]
            metadata["clusters"] = clusters
            for index, cluster in enumerate(clusters):
                for span in cluster:
                    span_of_cluster[span] = index
        spans: list[Field] = []
        labels: list[int] = []
        offset = 0
        for sentence in sentences:
            for start, end in enumerate_spans(sentence, offset=offset,
                                              max_span_width=self._max_span_width):
                spans.append(SpanField(start, end, text_field))
                labels.append(span_of_cluster.get((start, end), -1))
            offset += len(sentence)
        span_field = ListField(spans)
        fields: dict[str, Field] = {"text": text_field, "spans": span_field,
                                    "metadata": MetadataField(metadata)}
        if gold_clusters is not None:
            fields["span_labels"] = SequenceLabelField(labels, span_field)
        return Instance(fields)
