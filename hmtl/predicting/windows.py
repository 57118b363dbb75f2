"""Splitting long documents into windows the model runs on one at a time.

Policy: a document of at most ``max_tokens`` tokens is one window. A longer one is cut at
sentence boundaries: consecutive sentences are packed greedily into a window while it stays
within ``max_tokens``; a single sentence longer than ``max_tokens`` is cut every ``max_tokens``
tokens (its pieces are windows of their own). Every head runs on every window; predictions keep
document offsets, and coreference clusters never cross windows (two windows' mentions of one
entity come out as two clusters). A document that was split says so in its ``warnings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_MAX_TOKENS = 256


@dataclass(frozen=True)
class Window:
    """Tokens ``start``..``end`` (exclusive) of a document, and its sentences as token ranges of
    the document."""

    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]


def split_windows(
    sentences: Sequence[tuple[int, int]], max_tokens: int = DEFAULT_MAX_TOKENS
) -> tuple[list[Window], list[tuple[int, int]]]:
    """The windows of a document with these sentences (token ranges, in order, contiguous or
    not), and the sentences that had to be cut (each longer than ``max_tokens``)."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    windows: list[Window] = []
    cut: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []

    def flush() -> None:
        if pending:
            windows.append(Window(pending[0][0], pending[-1][1], tuple(pending)))
            pending.clear()

    for start, end in sentences:
        length = end - start
        if length > max_tokens:
            flush()
            cut.append((start, end))
            for piece in range(start, end, max_tokens):
                piece_end = min(piece + max_tokens, end)
                windows.append(Window(piece, piece_end, ((piece, piece_end),)))
            continue
        if pending and end - pending[0][0] > max_tokens:
            flush()
        pending.append((start, end))
    flush()
    return windows, cut


def window_warnings(
    num_tokens: int, windows: Sequence[Window], cut: Sequence[tuple[int, int]], max_tokens: int
) -> list[str]:
    """What a reader of the output must know about how the document was split."""
    if len(windows) <= 1:
        return []
    messages = [
        f"the document has {num_tokens} tokens, more than the window size {max_tokens}: it was "
        f"split at sentence boundaries into {len(windows)} windows predicted separately; "
        "coreference clusters do not cross windows"
    ]
    messages += [
        f"the sentence of tokens {start}-{end} is longer than {max_tokens} tokens and was cut "
        f"every {max_tokens} tokens"
        for start, end in cut
    ]
    return messages
