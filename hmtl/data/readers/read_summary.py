"""What one `read()` of a path found, kept on the reader for tools that report on the data.

The readers log these counts; `hmtl check-data` also needs them as numbers (documents, sentences,
files left out by the OntoNotes filters and why, gold mentions no candidate span can cover).
Taking them from the reader that produced the instances means the report follows the reader's own
rules, rather than a second walk over the directories that could disagree with it.

A summary is complete once the iterator returned by `read()` is exhausted. It describes the
process that iterated: a worker of a multi-process loader fills its own copy of the reader.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from hmtl.data.formats.paths import ontonotes_path_info

#: The metadata key of an instance's `Source`.
SOURCE = "source"

#: Kinds of reasons a reader leaves a whole file out (the `ner_ontonotes` filters).
SKIP_DOMAIN = "domain"
SKIP_GENRE = "genre"
SKIP_LANGUAGE = "language"


class Source(NamedTuple):
    """Where an instance comes from: its file and the line of its first token row (a document's
    first sentence). Kept in the instance's metadata under `SOURCE`, so that a check of the
    instances (`hmtl check-data`, training's read of every split) can name the file and line;
    the model never reads it."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}"


@dataclass
class ReadSummary:
    """Counts of one read of `path`.

    - `files`: the files read, in order; `skipped_files`: `(kind, value)` (e.g.
      `("genre", "pt")`) -> the files left out for that reason; `repeated_paths`: what the
      directory walk left out because it would read a file twice (symbolic-link cycles, second
      paths to a directory or file), one line each (`DataFiles.notes`).
    - `documents`, `sentences`, `tokens`: what the files held (after `max_sentences` truncation
      for the coreference readers); `skipped`: documents or sentences left out, by reason.
    - Coreference only: `max_span_width`, `gold_mentions`, `wide_mentions` (gold mentions wider
      than `max_span_width`, which no candidate span covers), `widest_mention` (tokens),
      `truncated_documents` (cut to `max_sentences`) and `most_sentences` (the longest document's
      sentences before truncation).
    """

    path: str
    files: list[str] = field(default_factory=list)
    skipped_files: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    repeated_paths: list[str] = field(default_factory=list)
    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    max_span_width: int | None = None
    gold_mentions: int = 0
    wide_mentions: int = 0
    widest_mention: int = 0
    truncated_documents: int = 0
    most_sentences: int = 0

    def skip_file(self, path: str, kind: str, value: str) -> None:
        """Record that `path` was left out because its `kind` (domain, genre, language) is
        `value`."""
        self.skipped_files.setdefault((kind, value), []).append(path)

    def skipped_file_count(self) -> int:
        """Files left out, for every reason."""
        return sum(len(paths) for paths in self.skipped_files.values())

    def file_languages(self) -> Counter[str]:
        """Languages of the files read, where an OntoNotes path shows one (`.../<language>/
        annotations/...`)."""
        return Counter(language for language, _ in map(ontonotes_path_info, self.files)
                       if language is not None)

    def file_genres(self) -> Counter[str]:
        """Genres of the files read, where an OntoNotes path shows one."""
        return Counter(genre for _, genre in map(ontonotes_path_info, self.files)
                       if genre is not None)

    def add_document_mentions(self, clusters: list[list[tuple[int, int]]]) -> None:
        """Count a coreference document's gold mentions against `max_span_width`."""
        for cluster in clusters:
            self.gold_mentions += len(cluster)
            for start, end in cluster:
                width = end - start + 1
                self.widest_mention = max(self.widest_mention, width)
                if self.max_span_width is not None and width > self.max_span_width:
                    self.wide_mentions += 1

