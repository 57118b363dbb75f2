"""`mention_ace`: entity-mention heads of a directory of ACE `*like_conll` files."""

import logging
import os
from collections.abc import Iterator
from typing import Any, Optional

from allennlp.data import DatasetReader, Instance, TokenIndexer

from hmtl.data.formats.ace_like_conll import read_ace
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.readers.read_summary import Source
from hmtl.data.readers.sequence_tagging import SequenceTaggingReader

logger = logging.getLogger(__name__)


@DatasetReader.register("mention_ace")
class MentionAceReader(SequenceTaggingReader):
    """One instance per sentence of every `*like_conll` file below a directory (or one file);
    tags are the mention heads of column 2."""

    def __init__(
        self,
        token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
        label_namespace: str = "ace_mention_labels",
        coding_scheme: str = "BIOUL",
        **kwargs: Any,
    ) -> None:
        super().__init__(token_indexers, label_namespace, coding_scheme, **kwargs)

    def _read(self, file_path: str) -> Iterator[Instance]:
        summary = self._start_summary(os.fspath(file_path))
        summary.files.extend(self._find_files(summary, "like_conll"))
        unended = 0

        def sentences() -> Iterator[tuple[list[str], list[LabeledSpan], Source]]:
            nonlocal unended
            for path in summary.files:
                for document in read_ace(path):
                    summary.documents += 1
                    unended += not document.ended
                    for sentence in document.sentences:
                        summary.sentences += 1
                        summary.tokens += len(sentence.rows)
                        yield sentence.words, sentence.mentions, Source(path, sentence.first_line)

        yield from self._tagged_instances(sentences())
        logger.info("mention_ace: read %d sentences (%d tokens, %d documents, %d without "
                    "'#end document') from %d files in %s", summary.sentences, summary.tokens,
                    summary.documents, unended, len(summary.files), summary.path)
