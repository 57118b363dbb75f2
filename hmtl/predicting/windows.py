"""Splitting long documents into windows the model runs on one at a time.

Policy: a document of at most ``max_tokens`` tokens and ``max_sentences`` sentences is one
window (``None``: no limit). A longer one is cut at sentence boundaries: consecutive sentences
are packed greedily into a window while it stays within both limits; a single sentence longer
than ``max_tokens`` is cut every ``max_tokens`` tokens (its pieces are windows of their own).
Every head runs on every window; predictions keep document offsets, and coreference clusters
never cross windows (two windows' mentions of one entity come out as two clusters). A document
that was split says so in its ``warnings``.

Training-format input is predicted whole by default (``whole_document``), as training and
evaluation read it; windows are for raw text and JSON lines, whose documents can be of any
length, or when asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """Tokens ``start``..``end`` (exclusive) of a document, and its sentences as token ranges of
    the document."""

    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]


def whole_document(sentences: Sequence[tuple[int, int]]) -> list[Window]:
    """The one window of a whole document (none for a document without sentences)."""
    if not sentences:
        return []
    return [Window(sentences[0][0], sentences[-1][1], tuple(sentences))]


def split_windows(
    sentences: Sequence[tuple[int, int]], max_tokens: int | None = None,
    max_sentences: int | None = None,
) -> tuple[list[Window], list[tuple[int, int]]]:
    """The windows of a document with these sentences (token ranges, in order, contiguous or
    not), and the sentences that had to be cut (each longer than ``max_tokens``)."""
    for name, value in (("max_tokens", max_tokens), ("max_sentences", max_sentences)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    windows: list[Window] = []
    cut: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []

    def flush() -> None:
        if pending:
            windows.append(Window(pending[0][0], pending[-1][1], tuple(pending)))
            pending.clear()

    for start, end in sentences:
        length = end - start
        if max_tokens is not None and length > max_tokens:
            flush()
            cut.append((start, end))
            for piece in range(start, end, max_tokens):
                piece_end = min(piece + max_tokens, end)
                windows.append(Window(piece, piece_end, ((piece, piece_end),)))
            continue
        if pending and ((max_tokens is not None and end - pending[0][0] > max_tokens)
                        or (max_sentences is not None and len(pending) >= max_sentences)):
            flush()
        pending.append((start, end))
    flush()
    return windows, cut


def describe_limits(max_tokens: int | None, max_sentences: int | None) -> str:
    """The window size in words, e.g. ``256 tokens`` or ``3 sentences and 512 tokens``."""
    parts = [f"{max_sentences} sentences" if max_sentences is not None else "",
             f"{max_tokens} tokens" if max_tokens is not None else ""]
    return " and ".join(part for part in parts if part) or "unlimited"


def window_warnings(
    num_tokens: int, windows: Sequence[Window], cut: Sequence[tuple[int, int]],
    max_tokens: int | None, max_sentences: int | None = None,
) -> list[str]:
    """What a reader of the output must know about how the document was split."""
    if len(windows) <= 1:
        return []
    messages = [
        f"the document ({num_tokens} tokens) is longer than the window size "
        f"({describe_limits(max_tokens, max_sentences)}): it was split at sentence boundaries "
        f"into {len(windows)} windows predicted separately; coreference clusters do not cross "
        "windows"
    ]
    messages += [
        f"the sentence of tokens {start}-{end} is longer than {max_tokens} tokens and was cut "
        f"every {max_tokens} tokens"
        for start, end in cut
    ]
    return messages
