"""The coreference column of CoNLL-2012 and ACE like_conll files, one cell at a time.

A cell is `-` (no mark), or marks joined by `|`: `(12)` a one-token mention of cluster 12, `(12`
opens a mention, `12)` closes the innermost open mention of cluster 12.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_MARK = re.compile(r"^(\()?(\d+)(\))?$")


class CorefMark(NamedTuple):
    """One mark of a cell: which cluster, and whether it opens and/or closes a mention here."""

    cluster_id: int
    opens: bool
    closes: bool


def parse_coref_cell(cell: str) -> list[CorefMark]:
    """Parse one coreference cell; raises `ValueError` (without location) on a malformed mark.

    Callers wrap the `ValueError` into a `FormatError` with the file and line they know.
    """
    if cell == "-" or cell == "":
        return []
    marks = []
    for part in cell.split("|"):
        match = _MARK.match(part)
        if match is None or (match.group(1) is None and match.group(3) is None):
            raise ValueError(
                f"malformed coreference mark {part!r} in cell {cell!r}: expected '-', '(N)', "
                "'(N' or 'N)' with an integer cluster id N, several joined by '|'"
            )
        marks.append(CorefMark(int(match.group(2)), match.group(1) is not None,
                               match.group(3) is not None))
    return marks
