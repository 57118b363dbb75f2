"""ACE 2005 "like_conll" files (HMTL's preprocessing of the LDC release).

One token per row, whitespace-separated: column 0 an integer index, 1 the word, 2 entity-mention
heads in bracket notation (no nesting), 3..n-2 one column per relation frame, each bracketing
exactly one `ARG1_<TYPE>` span and one `ARG2_<TYPE>` span of the same TYPE, n-1 coreference. The
column count is fixed within a sentence and varies between sentences. A blank line, or a line
whose first cell starts with `#` (a token row starts with its integer index, so the word `#` is
an ordinary token), ends a sentence; `#begin document` / `#end document` lines delimit documents.
A file's last document may lack `#end document` (files holding one document often do); a
`#begin document` inside a begun document is malformed, since the two documents' coreference
clusters would merge.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TextIO

from hmtl.data.formats.brackets import LabeledSpan, parse_bracket_column
from hmtl.data.formats.coref_spans import CorefMention, parse_coref_column
from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.lines import empty_file_error, is_blank, iter_lines, split_row

WORD_COLUMN = 1
MENTION_COLUMN = 2
MIN_COLUMNS = 4
_BEGIN = "#begin document"
_END = "#end document"
_BEGIN_PATTERN = re.compile(r"^#begin document\s*\((.*)\)(?:;\s*part\s+\S+)?\s*$")
_ARGUMENT = re.compile(r"^ARG([12])_(.+)$")


class RelationFrame(NamedTuple):
    """One relation: its type and the inclusive token spans of its two arguments."""

    relation_type: str
    arg1_start: int
    arg1_end: int
    arg2_start: int
    arg2_end: int


@dataclass(slots=True)
class AceSentence:
    """One sentence: raw rows, first line, mention heads, relation frames, coreference."""

    rows: list[list[str]]
    first_line: int
    mentions: list[LabeledSpan]
    relations: list[RelationFrame]
    coref_mentions: list[CorefMention]

    @property
    def words(self) -> list[str]:
        return [row[WORD_COLUMN] for row in self.rows]


@dataclass(slots=True)
class AceDocument:
    """A document; `begin_line` is None when the file had no `#begin document` for it, and
    `ended` tells whether it was closed by `#end document` rather than by the end of the file.
    `header` is the `#begin document` line as read (written back verbatim, since the official
    scorer matches documents by the whole rest of that line), empty when there was none."""

    path: str
    document_id: str
    begin_line: int | None
    ended: bool = False
    sentences: list[AceSentence] = field(default_factory=list)
    header: str = ""


def _relation_frame(path: str, rows: list[list[str]], first_line: int,
                    column: int) -> RelationFrame:
    spans = parse_bracket_column([row[column] for row in rows], path=path,
                                 first_line=first_line, column=column, name="relation frame")
    arguments: dict[str, LabeledSpan] = {}
    for span in spans:
        match = _ARGUMENT.match(span.label)
        if match is None:
            raise FormatError(path, first_line + span.start,
                              f"relation frame (column {column + 1}) has a span labelled "
                              f"{span.label!r}: expected ARG1_<TYPE> or ARG2_<TYPE>")
        role = match.group(1)
        if role in arguments:
            raise FormatError(
                path, first_line + span.start,
                f"relation frame (column {column + 1}) has a second ARG{role} (the first at "
                f"line {first_line + arguments[role].start}): expected exactly one ARG1 and one "
                "ARG2 per frame",
            )
        arguments[role] = span
    for role in ("1", "2"):
        if role not in arguments:
            where = next(iter(arguments.values())).start if arguments else 0
            raise FormatError(
                path, first_line + where,
                f"relation frame (column {column + 1}) of the sentence at lines {first_line}-"
                f"{first_line + len(rows) - 1} has no ARG{role}: expected exactly one ARG1 and "
                "one ARG2 per frame",
            )
    arg1, arg2 = arguments["1"], arguments["2"]
    type1, type2 = arg1.label[5:], arg2.label[5:]
    if type1 != type2:
        raise FormatError(
            path, first_line + arg2.start,
            f"relation frame (column {column + 1}): {arg2.label} does not match {arg1.label} "
            f"(line {first_line + arg1.start}): expected both arguments to have the same type",
        )
    return RelationFrame(type1, arg1.start, arg1.end, arg2.start, arg2.end)


def _sentence(path: str, rows: list[list[str]], first_line: int) -> AceSentence:
    width = len(rows[0])
    mentions = parse_bracket_column([row[MENTION_COLUMN] for row in rows], path=path,
                                    first_line=first_line, column=MENTION_COLUMN,
                                    name="entity mention")
    relations = [_relation_frame(path, rows, first_line, column)
                 for column in range(MENTION_COLUMN + 1, width - 1)]
    coref = parse_coref_column([row[width - 1] for row in rows], path=path,
                               first_line=first_line, column=width - 1)
    return AceSentence(rows, first_line, mentions, relations, coref)


def read_ace(path: str | os.PathLike) -> Iterator[AceDocument]:
    """Stream the documents of one file, holding one document at a time."""
    path = os.fspath(path)
    name = os.path.basename(path)
    document: AceDocument | None = None
    documents = 0
    rows: list[list[str]] = []
    first_line = 0
    number = 0
    token_rows = 0
    for number, line in iter_lines(path):
        blank = is_blank(line)
        if blank or line.lstrip().startswith("#"):
            if rows:
                document.sentences.append(_sentence(path, rows, first_line))  # type: ignore
                rows = []
            if blank:
                continue
            marker = line.strip()
            if marker.startswith(_BEGIN):
                if document is not None and document.begin_line is not None:
                    raise FormatError(
                        path, number,
                        f"'#begin document' while document {document.document_id!r} (begun at "
                        f"line {document.begin_line}) is still open: expected '#end document' "
                        "first",
                    )
                if document is not None:
                    yield document
                match = _BEGIN_PATTERN.match(marker)
                document_id = match.group(1) if match else marker[len(_BEGIN):].strip()
                document = AceDocument(path, document_id or f"{name}:{documents}", number,
                                       header=marker)
                documents += 1
            elif marker.startswith(_END):
                if document is None:
                    raise FormatError(path, number, "'#end document' without an open document: "
                                      "expected token rows or '#begin document' before it")
                document.ended = True
                yield document
                document = None
            continue
        cells = split_row(line)
        if not cells[0].isdigit():
            raise FormatError(
                path, number,
                f"first cell {cells[0]!r} is not a token index: expected a row starting with an "
                "integer index, a blank line or a line starting with '#'",
            )
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
                    f"found {len(cells)} columns: expected at least {MIN_COLUMNS} (index, word, "
                    "entity mentions, [relation frames...], coreference)",
                )
            first_line = number
        if document is None:
            document = AceDocument(path, f"{name}:{documents}", None)
            documents += 1
        rows.append(cells)
        token_rows += 1
    if rows:
        document.sentences.append(_sentence(path, rows, first_line))  # type: ignore
    if document is not None:
        yield document
    if token_rows == 0:
        raise empty_file_error(path, number, "ACE like_conll token rows")


def iter_ace_sentences(path: str | os.PathLike) -> Iterator[AceSentence]:
    """The sentences of one file, in order."""
    for document in read_ace(path):
        yield from document.sentences


def write_ace(documents: Iterable[AceDocument], handle: TextIO, *, separator: str = "\t") -> None:
    """Write documents back in the format `read_ace` reads, with explicit document markers (a
    document's `header`, when it has one, is its `#begin document` line)."""
    for document in documents:
        handle.write((document.header or f"{_BEGIN} ({document.document_id})") + "\n")
        for sentence in document.sentences:
            for row in sentence.rows:
                handle.write(separator.join(row) + "\n")
            handle.write("\n")
        handle.write(f"{_END}\n")
