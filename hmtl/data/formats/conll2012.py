"""CoNLL-2012 / OntoNotes 5.0 `*_gold_conll` files: documents of sentences of token rows.

Columns (whitespace-separated): 0 document id, 1 part, 2 word index, 3 word, 4 POS, 5 parse bit,
6 predicate lemma, 7 frameset, 8 word sense, 9 speaker, 10 named entities (bracket notation),
11..n-2 one SRL column per predicate, n-1 coreference. The column count is fixed within a sentence
and varies between sentences (with the number of predicates). A blank line ends a sentence; only
lines that start with `#begin document (<id>); part <n>` and `#end document` delimit documents,
every other line is a token row (a word may well be `#`).

The parser keeps each row's raw cells so that a writer can reproduce the file, and parses the two
columns the readers need (named entities and coreference), raising `FormatError` on any malformed
input.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from hmtl.data.formats.brackets import LabeledSpan, parse_bracket_column
from hmtl.data.formats.coref_spans import CorefMention, parse_coref_column
from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.lines import empty_file_error, is_blank, iter_lines, split_row

WORD_COLUMN = 3
NAMED_ENTITY_COLUMN = 10
MIN_COLUMNS = 12
_BEGIN = "#begin document"
_END = "#end document"
_BEGIN_PATTERN = re.compile(r"^#begin document\s*\((.*)\);\s*part\s+(\S+)\s*$")


@dataclass(slots=True)
class Conll2012Sentence:
    """One sentence: its raw rows, the line of its first row, and its parsed annotations."""

    rows: list[list[str]]
    first_line: int
    named_entities: list[LabeledSpan]
    coref_mentions: list[CorefMention]

    @property
    def words(self) -> list[str]:
        return [row[WORD_COLUMN] for row in self.rows]


@dataclass(slots=True)
class Conll2012Document:
    """One `#begin document` ... `#end document` block (one part of an OntoNotes document);
    `header` is its `#begin document` line as read (written back verbatim, since the official
    scorer matches key and response documents by the whole rest of that line)."""

    path: str
    document_id: str
    part: str
    begin_line: int
    sentences: list[Conll2012Sentence] = field(default_factory=list)
    header: str = ""


def _parse_begin(line: str) -> tuple[str, str]:
    match = _BEGIN_PATTERN.match(line.strip())
    if match is None:
        return line[len(_BEGIN):].strip(), ""
    return match.group(1), match.group(2)


def _sentence(path: str, rows: list[list[str]], first_line: int) -> Conll2012Sentence:
    entities = parse_bracket_column(
        [row[NAMED_ENTITY_COLUMN] for row in rows], path=path, first_line=first_line,
        column=NAMED_ENTITY_COLUMN, name="named-entity",
    )
    last = len(rows[0]) - 1
    mentions = parse_coref_column([row[last] for row in rows], path=path,
                                  first_line=first_line, column=last)
    return Conll2012Sentence(rows, first_line, entities, mentions)


def read_conll2012(path: str | os.PathLike) -> Iterator[Conll2012Document]:
    """Stream the documents of one file, holding one document at a time."""
    path = os.fspath(path)
    document: Conll2012Document | None = None
    rows: list[list[str]] = []
    first_line = 0
    number = 0
    token_rows = 0
    for number, line in iter_lines(path):
        if line.startswith("#") and (line.startswith(_BEGIN) or line.startswith(_END)):
            if rows:
                document.sentences.append(_sentence(path, rows, first_line))  # type: ignore
                rows = []
            if line.startswith(_BEGIN):
                if document is not None:
                    raise FormatError(
                        path, number,
                        f"'#begin document' while document {document.document_id!r} (begun at "
                        f"line {document.begin_line}) is still open: expected '#end document' "
                        "first",
                    )
                document_id, part = _parse_begin(line)
                document = Conll2012Document(path, document_id, part, number, header=line)
            else:
                if document is None:
                    raise FormatError(path, number, "'#end document' without an open document: "
                                      "expected '#begin document (<id>); part <n>' before it")
                yield document
                document = None
            continue
        if is_blank(line):
            if rows:
                document.sentences.append(_sentence(path, rows, first_line))  # type: ignore
                rows = []
            continue
        cells = split_row(line)
        if document is None:
            raise FormatError(path, number, "token row outside a document: expected "
                              "'#begin document (<id>); part <n>' before it")
        if rows:
            if len(cells) != len(rows[0]):
                raise FormatError(
                    path, number,
                    f"found {len(cells)} columns, but the sentence's first row (line "
                    f"{first_line}) has {len(rows[0])}: expected the same number of columns on "
                    "every row of a sentence",
                )
        else:
            if len(cells) < MIN_COLUMNS:
                raise FormatError(
                    path, number,
                    f"found {len(cells)} columns: expected at least {MIN_COLUMNS} (document id, "
                    "part, word index, word, POS, parse bit, lemma, frameset, sense, speaker, "
                    "named entities, [SRL...], coreference)",
                )
            first_line = number
        rows.append(cells)
        token_rows += 1
    if document is not None:
        raise FormatError(
            path, number,
            f"the file ends inside document {document.document_id!r} (begun at line "
            f"{document.begin_line}): expected '#end document'",
        )
    if token_rows == 0:
        raise empty_file_error(path, number, "CoNLL-2012 documents of token rows")


def write_conll2012(
    documents: Iterable[Conll2012Document], handle: TextIO, *, separator: str = "\t"
) -> None:
    """Write documents back in the format `read_conll2012` reads (cells joined by `separator`);
    a document's `header`, when it has one, is its `#begin document` line."""
    for document in documents:
        part = f"; part {document.part}" if document.part else ""
        handle.write((document.header or f"{_BEGIN} ({document.document_id}){part}") + "\n")
        for sentence in document.sentences:
            for row in sentence.rows:
                handle.write(separator.join(row) + "\n")
            handle.write("\n")
        handle.write(f"{_END}\n")
