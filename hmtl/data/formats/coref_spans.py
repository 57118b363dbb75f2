"""A sentence's coreference column as mentions, and back.

`coref_column.parse_coref_cell` reads one cell; this module pairs the opening and closing marks
of a sentence into mentions. Mentions of the same cluster may nest (`(3 ... (3) ... 3)`), so
open marks are kept on one stack per cluster; mentions of different clusters may cross.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from hmtl.data.formats.coref_column import parse_coref_cell
from hmtl.data.formats.errors import FormatError


class CorefMention(NamedTuple):
    """A mention of cluster `cluster_id` over tokens `start..end` (inclusive) of a sentence."""

    cluster_id: int
    start: int
    end: int


def parse_coref_column(
    cells: Sequence[str], *, path: str, first_line: int, column: int
) -> list[CorefMention]:
    """The mentions of one sentence, in the order they close.

    `cells[i]` comes from line `first_line + i`; `column` (0-based) only serves the messages.
    A mark closing a cluster with no open mention, or a mention still open at the end of the
    sentence (CoNLL mentions never cross sentences), is a `FormatError`.
    """
    mentions: list[CorefMention] = []
    stacks: dict[int, list[int]] = {}
    for index, cell in enumerate(cells):
        if cell == "-" or cell == "":
            continue
        try:
            marks = parse_coref_cell(cell)
        except ValueError as error:
            raise FormatError(path, first_line + index,
                              f"coreference column (column {column + 1}): {error}") from None
        for cluster_id, opens, closes in marks:
            if opens and closes:
                mentions.append(CorefMention(cluster_id, index, index))
            elif opens:
                stacks.setdefault(cluster_id, []).append(index)
            else:
                stack = stacks.get(cluster_id)
                if not stack:
                    raise FormatError(
                        path, first_line + index,
                        f"coreference mark '{cluster_id})' in cell {cell!r} (column {column + 1}) "
                        f"closes a mention of cluster {cluster_id}, but none is open: expected "
                        f"'({cluster_id}' on this or an earlier line of the sentence",
                    )
                mentions.append(CorefMention(cluster_id, stack.pop(), index))
    for cluster_id, stack in stacks.items():
        if stack:
            raise FormatError(
                path, first_line + stack[0],
                f"coreference mention '({cluster_id}' opened here (column {column + 1}) is never "
                f"closed: expected '{cluster_id})' by the end of the sentence at line "
                f"{first_line + len(cells) - 1}",
            )
    return mentions


def format_coref_column(mentions: Iterable[CorefMention], length: int) -> list[str]:
    """The cells of a coreference column holding `mentions` (inverse of `parse_coref_column`).

    In each cell, closing marks come first (innermost first), then one-token mentions, then
    opening marks (outermost first), so that re-parsing pairs every mark with its own mention,
    also when one mention of a cluster ends where the next one starts.
    """
    closing: list[list[CorefMention]] = [[] for _ in range(length)]
    single: list[list[CorefMention]] = [[] for _ in range(length)]
    opening: list[list[CorefMention]] = [[] for _ in range(length)]
    for mention in mentions:
        if mention.start == mention.end:
            single[mention.start].append(mention)
        else:
            opening[mention.start].append(mention)
            closing[mention.end].append(mention)
    cells = []
    for index in range(length):
        marks = [f"{m.cluster_id})" for m in sorted(closing[index], key=lambda m: (-m.start,
                                                                                  m.cluster_id))]
        marks += [f"({m.cluster_id})" for m in sorted(single[index])]
        marks += [f"({m.cluster_id}" for m in sorted(opening[index], key=lambda m: (-m.end,
                                                                                   m.cluster_id))]
        cells.append("|".join(marks) if marks else "-")
    return cells
