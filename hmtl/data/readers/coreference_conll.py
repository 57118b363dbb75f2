"""`coref`: coreference of a CoNLL-2012 file (the concatenated split), one instance per
document part (`#begin document` ... `#end document`)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

from allennlp.data import DatasetReader, Instance

from hmtl.data.formats.conll2012 import Conll2012Document, read_conll2012
from hmtl.data.formats.paths import find_data_files
from hmtl.data.readers.coreference_common import CoreferenceReader


@DatasetReader.register("coref")
class CoreferenceConllReader(CoreferenceReader):
    """Reads one `*gold_conll` file (a directory is read file by file, in sorted order)."""

    def _read(self, file_path: str) -> Iterator[Instance]:
        file_path = os.fspath(file_path)
        counts: Counter[str] = Counter()

        def documents() -> Iterator[Conll2012Document]:
            for path in find_data_files(file_path, "gold_conll"):
                for document in read_conll2012(path):
                    if document.sentences:
                        yield document
                    else:
                        counts["empty documents"] += 1

        for document in self.shard_iterable(documents()):
            yield self._document_instance([s.words for s in document.sentences],
                                          [s.coref_mentions for s in document.sentences], counts)
        self._log_counts("coref", file_path, counts)
