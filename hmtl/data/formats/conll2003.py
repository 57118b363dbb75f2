"""CoNLL-2003 style NER files: one token per row, the word first and the entity tag last.

The original release has four columns (word, POS, chunk, NE tag); many NER sets have two (word,
tag) or three. The column count is fixed within a file. Blank lines end sentences and a row whose
first cell is `-DOCSTART-` separates documents. Tags are IOB1 (the original release: `B-` only
between two adjacent entities of the same type) or IOB2/BIO (`B-` on every entity's first
token); reading `I-` after `O` or after another type as the start of an entity decodes both the
same way, so the input scheme needs no setting. BIOES/BIOUL tags (`E-`/`L-`, `S-`/`U-`) are
understood too.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO

from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.lines import empty_file_error, is_blank, iter_lines, split_row

DOCSTART = "-DOCSTART-"
_EXPECTED_TAG = "expected 'O', 'B-TYPE' or 'I-TYPE' (or BIOES/BIOUL 'E-', 'S-', 'L-', 'U-')"


@dataclass(slots=True)
class Conll2003Sentence:
    """One sentence: raw rows, first line, index of its document in the file, entity spans."""

    rows: list[list[str]]
    first_line: int
    document_index: int
    entities: list[LabeledSpan]

    @property
    def words(self) -> list[str]:
        return [row[0] for row in self.rows]

    @property
    def tags(self) -> list[str]:
        """The tags as written in the file."""
        return [row[-1] for row in self.rows]


def tags_to_spans(tags: Sequence[str], *, path: str, first_line: int) -> list[LabeledSpan]:
    """Entity spans of an IOB1, IOB2, BIOES or BIOUL tag sequence (`tags[i]` from line
    `first_line + i`)."""
    spans: list[LabeledSpan] = []
    label: str | None = None
    start = 0
    for index, tag in enumerate(tags):
        if tag == "O":
            if label is not None:
                spans.append(LabeledSpan(label, start, index - 1))
                label = None
            continue
        prefix, kind = tag[:2], tag[2:]
        if len(prefix) != 2 or prefix[1] != "-" or prefix[0] not in "BIESLU" or not kind:
            raise FormatError(path, first_line + index, f"malformed tag {tag!r}: {_EXPECTED_TAG}")
        begins = prefix[0] in "BSU" or kind != label
        if begins:
            if label is not None:
                spans.append(LabeledSpan(label, start, index - 1))
            label, start = kind, index
        if prefix[0] in "ESLU":
            spans.append(LabeledSpan(kind, start, index))
            label = None
    if label is not None:
        spans.append(LabeledSpan(label, start, len(tags) - 1))
    return spans


def read_conll2003(path: str | os.PathLike) -> Iterator[Conll2003Sentence]:
    """Stream the sentences of one file."""
    path = os.fspath(path)
    columns = 0
    columns_line = 0
    document_index = 0
    rows: list[list[str]] = []
    first_line = 0
    number = 0
    token_rows = 0

    def sentence() -> Conll2003Sentence:
        spans = tags_to_spans([row[-1] for row in rows], path=path, first_line=first_line)
        return Conll2003Sentence(rows, first_line, document_index, spans)

    for number, line in iter_lines(path):
        if is_blank(line):
            if rows:
                yield sentence()
                rows = []
            continue
        cells = split_row(line)
        if cells[0] == DOCSTART:
            if rows:
                yield sentence()
                rows = []
            if token_rows:
                document_index += 1
            continue
        if len(cells) < 2:
            raise FormatError(path, number, f"found {len(cells)} column: expected at least 2 "
                              "(the word first, the entity tag last)")
        if columns == 0:
            columns, columns_line = len(cells), number
        elif len(cells) != columns:
            raise FormatError(
                path, number,
                f"found {len(cells)} columns, but the first token row (line {columns_line}) has "
                f"{columns}: expected the same number of columns on every row of the file",
            )
        if not rows:
            first_line = number
        rows.append(cells)
        token_rows += 1
    if rows:
        yield sentence()
    if token_rows == 0:
        raise empty_file_error(path, number, "token rows 'word ... tag'")


def iter_conll2003_documents(path: str | os.PathLike) -> Iterator[list[Conll2003Sentence]]:
    """The sentences of one file grouped by document (one document at a time)."""
    for _, sentences in itertools.groupby(read_conll2003(path), lambda s: s.document_index):
        yield list(sentences)


def has_docstart(path: str | os.PathLike) -> bool:
    """Whether a file starts with a `-DOCSTART-` row (so that a writer writes them back)."""
    for _number, line in iter_lines(path):
        if not is_blank(line):
            return line.split()[0] == DOCSTART
    return False


def write_conll2003(
    documents: Iterable[Sequence[Conll2003Sentence]], handle: TextIO, *,
    docstart: bool = True, separator: str = " ",
) -> None:
    """Write documents of sentences back; with `docstart`, each starts with a `-DOCSTART-` row
    padded to the file's column count, as in the original release."""
    for sentences in documents:
        if docstart and sentences:
            width = len(sentences[0].rows[0])
            cells = [DOCSTART] + ["-X-"] * (width - 2) + ["O"]
            handle.write(separator.join(cells) + "\n\n")
        for sentence in sentences:
            for row in sentence.rows:
                handle.write(separator.join(row) + "\n")
            handle.write("\n")
