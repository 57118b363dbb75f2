"""`ner_conll2003`: named entities of one CoNLL-2003 style file (four or two columns)."""

import logging
from collections.abc import Iterator
from typing import Any, Optional

from allennlp.data import DatasetReader, Instance, TokenIndexer

from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2003 import read_conll2003
from hmtl.data.formats.lines import check_data_file
from hmtl.data.readers.read_summary import Source
from hmtl.data.readers.sequence_tagging import SequenceTaggingReader

logger = logging.getLogger(__name__)


@DatasetReader.register("ner_conll2003")
class NerConll2003Reader(SequenceTaggingReader):
    """One instance per sentence; `-DOCSTART-` rows only separate documents. The input tags may
    be IOB1 or IOB2 (the parser decodes both); `coding_scheme` is the output scheme."""

    def __init__(
        self,
        token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
        label_namespace: str = "conll2003_ner_labels",
        coding_scheme: str = "BIOUL",
        **kwargs: Any,
    ) -> None:
        super().__init__(token_indexers, label_namespace, coding_scheme, **kwargs)

    def _read(self, file_path: str) -> Iterator[Instance]:
        file_path = check_data_file(file_path)
        summary = self._start_summary(file_path)
        summary.files.append(file_path)

        def sentences() -> Iterator[tuple[list[str], list[LabeledSpan], Source]]:
            for sentence in read_conll2003(file_path):
                # documents are separated by -DOCSTART- rows; the parser numbers them from 0
                summary.documents = sentence.document_index + 1
                summary.sentences += 1
                summary.tokens += len(sentence.rows)
                yield sentence.words, sentence.entities, Source(file_path, sentence.first_line)

        yield from self._tagged_instances(sentences())
        logger.info("ner_conll2003: read %d sentences (%d tokens) from %s",
                    summary.sentences, summary.tokens, file_path)
