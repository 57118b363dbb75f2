"""`ner_ontonotes`: named entities of a directory of CoNLL-2012 `*gold_conll` files."""

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance, TokenIndexer

from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.data.formats.paths import ontonotes_path_info
from hmtl.data.readers.read_summary import (
    SKIP_DOMAIN,
    SKIP_GENRE,
    SKIP_LANGUAGE,
    ReadSummary,
    Source,
)
from hmtl.data.readers.sequence_tagging import SequenceTaggingReader

logger = logging.getLogger(__name__)

#: How the log names each reason for skipping a file.
_REASONS = {
    SKIP_DOMAIN: "outside domain {!r}",
    SKIP_GENRE: "genre {!r}",
    SKIP_LANGUAGE: "language {!r}",
}


def _string_list(name: str, value: Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise ConfigurationError(f"ner_ontonotes: {name} must be a list of strings, got {value!r}")
    return list(value)


@DatasetReader.register("ner_ontonotes")
class NerOntonotesReader(SequenceTaggingReader):
    """Reads every `*gold_conll` file below a directory (or one file), one instance per sentence.

    - `domain_identifier`: only files whose path contains `/<domain_identifier>/` are read.
    - `exclude_genres`: genres left out (the component after `annotations` in the path); the
      default drops `pt` (the Bible), which has no named-entity annotation.
    - `languages`: languages kept (the component before `annotations`); `null` keeps all.

    Paths without an `annotations` component are never filtered by genre or language. What was
    read and skipped is logged.
    """

    def __init__(
        self,
        token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
        label_namespace: str = "ontonotes_ner_labels",
        coding_scheme: str = "BIOUL",
        domain_identifier: Optional[str] = None,  # noqa: UP045
        exclude_genres: Sequence[str] = ("pt",),
        languages: Optional[Sequence[str]] = ("english",),  # noqa: UP045
        **kwargs: Any,
    ) -> None:
        super().__init__(token_indexers, label_namespace, coding_scheme, **kwargs)
        self._domain_identifier = domain_identifier
        self._exclude_genres = set(_string_list("exclude_genres", exclude_genres) or [])
        languages = _string_list("languages", languages)
        self._languages = None if languages is None else set(languages)

    def _select(self, file_path: str, summary: ReadSummary) -> list[str]:
        files = self._find_files(summary, "gold_conll")
        for path in files:
            language, genre = ontonotes_path_info(path)
            if (self._domain_identifier is not None
                    and f"/{self._domain_identifier}/" not in path.replace(os.sep, "/")):
                summary.skip_file(path, SKIP_DOMAIN, self._domain_identifier)
            elif genre is not None and genre in self._exclude_genres:
                summary.skip_file(path, SKIP_GENRE, genre)
            elif (language is not None and self._languages is not None
                  and language not in self._languages):
                summary.skip_file(path, SKIP_LANGUAGE, language)
            else:
                summary.files.append(path)
        details = ", ".join(f"{len(paths)} {_REASONS[kind].format(value)}"
                            for (kind, value), paths in sorted(summary.skipped_files.items()))
        selected = summary.files
        logger.info("ner_ontonotes: %d gold_conll files in %s: reading %d, skipping %d%s",
                    len(files), file_path, len(selected), len(files) - len(selected),
                    f" ({details})" if details else "")
        if not selected:
            raise ConfigurationError(
                f"ner_ontonotes: none of the {len(files)} gold_conll files in {file_path} is left "
                f"after filtering ({details}); check domain_identifier, exclude_genres and "
                "languages"
            )
        return list(selected)

    def _read(self, file_path: str) -> Iterator[Instance]:
        file_path = os.fspath(file_path)
        summary = self._start_summary(file_path)
        files = self._select(file_path, summary)

        def sentences() -> Iterator[tuple[list[str], list[LabeledSpan], Source]]:
            for path in files:
                for document in read_conll2012(path):
                    summary.documents += 1
                    for sentence in document.sentences:
                        summary.sentences += 1
                        summary.tokens += len(sentence.rows)
                        yield (sentence.words, sentence.named_entities,
                               Source(path, sentence.first_line))

        yield from self._tagged_instances(sentences())
        logger.info("ner_ontonotes: read %d sentences (%d tokens, %d documents) from %d files "
                    "in %s", summary.sentences, summary.tokens, summary.documents, len(files),
                    file_path)
