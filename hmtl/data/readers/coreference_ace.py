"""`coref_ace`: coreference of an ACE like_conll file, one instance per document."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

from allennlp.data import DatasetReader, Instance

from hmtl.data.formats.ace_like_conll import AceDocument, read_ace
from hmtl.data.formats.paths import find_data_files
from hmtl.data.readers.coreference_common import CoreferenceReader


@DatasetReader.register("coref_ace")
class CoreferenceAceReader(CoreferenceReader):
    """Reads one like_conll file (the original's `*_rahman.gold_conll` single files); a
    directory is read file by file (files ending in `like_conll`), in sorted order."""

    def _read(self, file_path: str) -> Iterator[Instance]:
        file_path = os.fspath(file_path)
        counts: Counter[str] = Counter()

        def documents() -> Iterator[AceDocument]:
            for path in find_data_files(file_path, "like_conll"):
                for document in read_ace(path):
                    if document.sentences:
                        yield document
                    else:
                        counts["empty documents"] += 1

        for document in self.shard_iterable(documents()):
            yield self._document_instance([s.words for s in document.sentences],
                                          [s.coref_mentions for s in document.sentences], counts)
        self._log_counts("coref_ace", file_path, counts)
