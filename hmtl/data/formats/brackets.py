"""Bracket-notation span columns (CoNLL-2012 named entities, ACE mentions and relation frames).

One cell per token: `*` (nothing), `(TYPE*` opens a span, `*)` closes it, `(TYPE)` or `(TYPE*)`
is a one-token span. The columns parsed here hold non-overlapping spans, so a second opening
bracket before the first is closed is malformed (nested or crossing annotation), as is a closing
bracket with no open span or a span still open at the end of the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from hmtl.data.formats.errors import FormatError

_CELL = re.compile(r"^((?:\([^()*\s]+)*)(\*?)(\)*)$")
_LABEL = re.compile(r"\(([^()*\s]+)")
_EXPECTED = "expected '*', '(TYPE*', '*)', '(TYPE)' or '(TYPE*)'"


class LabeledSpan(NamedTuple):
    """A typed span of a sentence; `end` is inclusive, indices are token positions."""

    label: str
    start: int
    end: int


def parse_bracket_column(
    cells: Sequence[str], *, path: str, first_line: int, column: int, name: str
) -> list[LabeledSpan]:
    """Spans of one column of one sentence, in order.

    `cells[i]` comes from line `first_line + i`; `column` (0-based) and `name` only serve the
    error messages. Empty cells (tab-separated files) count as `*`.
    """
    spans: list[LabeledSpan] = []
    open_label: str | None = None
    open_start = 0
    where = f"the {name} column (column {column + 1})"
    for index, cell in enumerate(cells):
        if cell == "*" or cell == "":
            continue
        match = _CELL.match(cell)
        if match is None or (not match.group(2) and (not match.group(1) or match.group(3) != ")")):
            raise FormatError(path, first_line + index, f"malformed cell {cell!r} in {where}: "
                              f"{_EXPECTED}")
        labels = _LABEL.findall(match.group(1))
        if len(labels) > 1 or (labels and open_label is not None):
            opened = (f"span ({open_label} opened at line {first_line + open_start}"
                      if open_label is not None else f"span ({labels[0]} opened in the same cell")
            raise FormatError(
                path, first_line + index,
                f"cell {cell!r} opens a span while the {opened} is still open: nested or "
                f"crossing brackets are not allowed in {where}; expected '*)' first",
            )
        if labels:
            open_label, open_start = labels[0], index
        closes = len(match.group(3))
        if closes:
            if open_label is None or closes > 1:
                raise FormatError(
                    path, first_line + index,
                    f"cell {cell!r} closes a span but no span is open in {where}: expected a "
                    "matching '(TYPE*' on this or an earlier line of the sentence",
                )
            spans.append(LabeledSpan(open_label, open_start, index))
            open_label = None
    if open_label is not None:
        raise FormatError(
            path, first_line + open_start,
            f"span ({open_label} opened here in {where} is never closed: expected '*)' by the end "
            f"of the sentence at line {first_line + len(cells) - 1}",
        )
    return spans


def format_bracket_column(
    spans: Sequence[LabeledSpan], length: int, *, star_in_single: bool = False
) -> list[str]:
    """The cells of a column holding `spans` (the inverse of `parse_bracket_column`).

    One-token spans are written `(TYPE)` as in CoNLL-2012, or `(TYPE*)` (ACE) with
    `star_in_single`.
    """
    cells = ["*"] * length
    for label, start, end in spans:
        if start == end:
            cells[start] = f"({label}*)" if star_in_single else f"({label})"
        else:
            cells[start] = f"({label}*"
            cells[end] = "*)"
    return cells
