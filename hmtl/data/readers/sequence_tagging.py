"""The shared half of the tagging readers (`ner_ontonotes`, `ner_conll2003`, `mention_ace`).

They differ only in where sentences and entity spans come from; the instance they build is the
same: `tokens` (TextField), `tags` (SequenceLabelField in `label_namespace`, encoded in
`coding_scheme`) and `metadata` {`words`, and `source` (file, line) when read from a file}.
"""


from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Optional

from allennlp.data import Instance, TokenIndexer
from allennlp.data.fields import Field, MetadataField, SequenceLabelField, TextField
from allennlp.data.tokenizers import Token

from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.readers.read_summary import SOURCE, Source
from hmtl.data.readers.sharded_reader import ShardedReader
from hmtl.data.readers.tagging import check_coding_scheme, spans_to_tags


class SequenceTaggingReader(ShardedReader):
    """Base of the readers whose instances are one tagged sentence each."""

    text_field_name = "tokens"

    def __init__(self, token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
                 label_namespace: str = "labels", coding_scheme: str = "BIOUL",
                 **kwargs: Any) -> None:
        super().__init__(token_indexers, **kwargs)
        self._label_namespace = label_namespace
        self._coding_scheme = check_coding_scheme(coding_scheme)

    def _tagged_instances(
        self, sentences: Iterable[tuple[list[str], Sequence[LabeledSpan], Source]]
    ) -> Iterator[Instance]:
        """Instances of this worker's share of `(words, entity spans, source)` triples."""
        for words, spans, source in self.shard_iterable(sentences):
            yield self.text_to_instance(
                words, spans_to_tags(spans, len(words), self._coding_scheme), source=source)

    def text_to_instance(self, words: Sequence[str],  # type: ignore[override]
                         tags: Sequence[str] | None = None, *,
                         source: Source | None = None) -> Instance:
        """An instance of `words`; `tags` (already in this reader's coding scheme) are left out
        for prediction, as is `source`. Token indexers are added by `apply_token_indexers`."""
        words = list(words)
        text_field = TextField([Token(word) for word in words])
        fields: dict[str, Field] = {"tokens": text_field}
        if tags is not None:
            fields["tags"] = SequenceLabelField(list(tags), text_field,
                                                label_namespace=self._label_namespace)
        metadata: dict[str, object] = {"words": words}
        if source is not None:
            metadata[SOURCE] = source
        fields["metadata"] = MetadataField(metadata)
        return Instance(fields)
