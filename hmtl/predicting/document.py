"""A document as the predictor sees it: raw text, tokens with character offsets, sentences.

Offsets are Python string indices (Unicode code points), end exclusive, so
``text[token.start:token.end] == token.text`` always holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class TextToken(NamedTuple):
    text: str
    start: int
    end: int


@dataclass
class Document:
    """``sentences`` are (start, end) token index ranges, end exclusive, covering the tokens."""

    id: Any
    text: str
    tokens: list[TextToken] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return [token.text for token in self.tokens]


def from_sentences(doc_id: Any, sentences: Sequence[Sequence[str]]) -> Document:
    """A pre-tokenised document: its text is every token joined by single spaces (the tokens are
    kept exactly as given), its sentences are the given ones (empty ones left out)."""
    tokens: list[TextToken] = []
    ranges: list[tuple[int, int]] = []
    position = 0
    for sentence in sentences:
        if not sentence:
            continue
        first = len(tokens)
        for word in sentence:
            start = position + (1 if tokens else 0)
            tokens.append(TextToken(word, start, start + len(word)))
            position = start + len(word)
        ranges.append((first, len(tokens)))
    text = " ".join(token.text for token in tokens)
    return Document(doc_id, text, tokens, ranges)
