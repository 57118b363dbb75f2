"""Key and response files of `hmtl score-coref`, read as the CoNLL reference scorer reads them.

Scores must agree with the reference scorer (v8.01), so this reader follows its reading rather
than the training readers' strict one:

- A document starts at a line `#begin document <name>` (`#` and `begin` may be separated by
  blanks) and its name is the whole rest of the line, verbatim: `(bc/cnn/00/cnn_0001); part 000`
  and `(bc/cnn/00/cnn_0001); part 001` are two documents, and key and response match documents
  by this name. A document ends at a line containing `#end document`, or at the end of the file.
  Lines outside documents are ignored (and counted in a warning).
- Inside a document every non-blank line is a token, numbered from 0 across the whole document
  (sentence breaks do not restart the count), except comment lines starting with `#`. Only the
  last column is read: `-` and `_` carry no mention; otherwise marks `(N)`, `(N`, `N)`, usually
  joined by `|` but also accepted run together (`(1(2`, `1)2)`), as the reference scorer's own
  test files write them. Double-antecedent marks `(N+M)` are ignored, like the reference scorer.
- On one token, one-token mentions are taken first, then openings, then closings; a closing
  `N)` closes the most recent open mention of cluster N.
- A document name seen twice: the last occurrence is the one kept (with a warning).
- Clusters come out in the order their ids first appear, mentions in the order they close: the
  metrics' treatment of repeated mentions depends on that order.

A malformed cell, a closing without an opening and a mention never closed are `FormatError`s
that name the file and the line.
"""

from __future__ import annotations

import logging
import os
import re
from typing import NamedTuple

from hmtl.data.formats.coref_column import CorefMark, parse_coref_cell
from hmtl.data.formats.errors import FormatError

logger = logging.getLogger(__name__)

Span = tuple[int, int]
Document = list[list[Span]]


class ScorerDocument(NamedTuple):
    """A document's clusters, its number of tokens and the line of its `#begin document`."""

    clusters: Document
    tokens: int
    line: int

_BEGIN = re.compile(r"#\s*begin document (.*)\Z")
_END = re.compile(r"#\s*end document")
_DOUBLE_ANTECEDENT = re.compile(r"\(\d+\+\d+\)")
_MARK = re.compile(r"\(\d+\)|\(\d+|\d+\)")
_RUN_OF_MARKS = re.compile(r"(?:\|*(?:\(\d+\)|\(\d+|\d+\)))*\|*")


def _cell_marks(cell: str, path: str | os.PathLike, line: int) -> list[CorefMark]:
    """The marks of one coreference cell, leniently (see the module docstring)."""
    if cell in ("-", "_"):
        return []
    try:
        return parse_coref_cell(cell)
    except ValueError as error:
        relaxed = _DOUBLE_ANTECEDENT.sub("", cell)
        if not _RUN_OF_MARKS.fullmatch(relaxed):
            raise FormatError(
                path, line, f"{error} (the last column is the coreference one)"
            ) from error
        return parse_coref_cell("|".join(_MARK.findall(relaxed)))


class _OpenDocument:
    """Clusters of the document being read, and its mentions still open."""

    def __init__(self, name: str, line: int) -> None:
        self.name = name
        self.line = line
        self.tokens = 0
        self.clusters: dict[int, list[Span]] = {}
        self.open: dict[int, list[tuple[int, int]]] = {}

    def add_token(self, marks: list[CorefMark], path: str | os.PathLike, line: int) -> None:
        token = self.tokens
        singles = [mark for mark in marks if mark.opens and mark.closes]
        openings = [mark for mark in marks if mark.opens and not mark.closes]
        closings = [mark for mark in marks if mark.closes and not mark.opens]
        for mark in singles:
            self.clusters.setdefault(mark.cluster_id, []).append((token, token))
        for mark in openings:
            self.clusters.setdefault(mark.cluster_id, [])
            self.open.setdefault(mark.cluster_id, []).append((token, line))
        for mark in closings:
            started = self.open.get(mark.cluster_id)
            if not started:
                raise FormatError(
                    path,
                    line,
                    f"'{mark.cluster_id})' closes a mention of cluster {mark.cluster_id} that "
                    f"was never opened in document {self.name!r}",
                )
            start, _ = started.pop()
            self.clusters.setdefault(mark.cluster_id, []).append((start, token))
        self.tokens += 1

    def close(self, path: str | os.PathLike, end: str) -> Document:
        for cluster_id, started in self.open.items():
            if started:
                _, line = started[0]
                raise FormatError(
                    path,
                    line,
                    f"the mention of cluster {cluster_id} opened here is never closed before "
                    f"{end} of document {self.name!r}",
                )
        return [cluster for cluster in self.clusters.values() if cluster]


def read_scorer_documents(path: str | os.PathLike) -> dict[str, Document]:
    """Every document of a key or response file: name -> clusters of (start, end) token spans.

    Raises `FileNotFoundError`/`OSError` for an unreadable file and `FormatError` for bad input.
    """
    return {name: document.clusters for name, document in read_scorer_file(path).items()}


def read_scorer_file(path: str | os.PathLike) -> dict[str, ScorerDocument]:
    """Every document of a key or response file, with its token count and first line (errors
    as `read_scorer_documents`)."""
    documents: dict[str, ScorerDocument] = {}
    ignored_lines: list[int] = []
    current: _OpenDocument | None = None

    def finish(document: _OpenDocument, end: str) -> None:
        if document.name in documents:
            logger.warning(
                "%s: document %r appears more than once; its last occurrence (line %d) is the "
                "one scored, as the reference scorer does",
                path,
                document.name,
                document.line,
            )
        documents[document.name] = ScorerDocument(document.close(path, end), document.tokens,
                                                  document.line)

    # Binary lines split on "\n" only, as the reference scorer (Perl) splits them.
    with open(path, "rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if current is None:
                begin = _BEGIN.match(line.removesuffix("\r"))
                if begin is not None:
                    current = _OpenDocument(begin.group(1), line_number)
                elif line.strip():
                    ignored_lines.append(line_number)
                continue
            if not line.strip():
                continue
            if _END.search(line):
                finish(current, f"'#end document' (line {line_number})")
                current = None
                continue
            if _BEGIN.match(line.removesuffix("\r")):
                raise FormatError(
                    path,
                    line_number,
                    f"'#begin document' inside document {current.name!r} (begun at line "
                    f"{current.line}), which has no '#end document'",
                )
            if line.startswith("#"):
                continue
            cell = line.split()[-1]
            current.add_token(_cell_marks(cell, path, line_number), path, line_number)
    if current is not None:
        finish(current, "the end of the file")
    if ignored_lines:
        logger.warning(
            "%s: %d non-blank line(s) outside '#begin document' ... '#end document' were "
            "ignored (first: line %d)",
            path,
            len(ignored_lines),
            ignored_lines[0],
        )
    return documents
