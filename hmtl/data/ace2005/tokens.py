"""Tokens and proposed sentence starts for the text segments of a document (spaCy, rule-based).

spaCy's blank English pipeline (tokenizer exceptions and punctuation rules, no statistical model,
nothing to download) tokenises each segment; its `sentencizer` proposes sentence starts after
`.`, `!`, `?` and the like, and a blank line (two newlines between tokens) proposes one too.
Whitespace tokens are dropped. A word keeps its decoded characters, except that any whitespace
character left inside it (spaCy does not normally leave any) becomes `_`, because the like_conll
columns are whitespace-separated.

Tokens are split where a mention head starts or ends inside them (`split_at`: raw offsets at
which a new token must begin), e.g. `U.S.-based` becomes `U.S.` `-based` for the head `U.S.`.
A piece split off a token never starts a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import spacy
from spacy.language import Language

from hmtl.data.ace2005.sgm import Segment

_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Token:
    """A word with the inclusive raw offsets it covers and the segment it comes from."""

    word: str
    raw_start: int
    raw_end: int
    segment: int
    sentence_start: bool


@dataclass(frozen=True)
class SplitToken:
    """A spaCy token that was cut at a mention-head boundary (kept for the report)."""

    word: str
    pieces: tuple[str, ...]
    raw_start: int


def english_pipeline() -> Language:
    """spaCy's blank English tokenizer plus the rule-based sentencizer: no model download."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def tokenize_segments(
    nlp: Language, segments: Sequence[Segment], split_at: Collection[int] = ()
) -> tuple[list[Token], list[SplitToken]]:
    """Tokenise every segment in order; returns the tokens and the tokens that were split."""
    tokens: list[Token] = []
    splits: list[SplitToken] = []
    for index, segment in enumerate(segments):
        doc = nlp(segment.text)
        previous_end = 0
        first = True
        pending = False
        for spacy_token in doc:
            if spacy_token.is_space:
                pending = pending or bool(spacy_token.is_sent_start)
                continue
            begin, end = spacy_token.idx, spacy_token.idx + len(spacy_token.text)
            starts = (
                first or pending or bool(spacy_token.is_sent_start)
                or _blank_line(segment.text[previous_end:begin])
            )
            cuts = [
                position for position in range(begin + 1, end)
                if segment.raw_starts[position] in split_at
            ]
            bounds = [begin, *cuts, end]
            pieces = []
            for piece_begin, piece_end in zip(bounds, bounds[1:]):
                word = _WHITESPACE.sub("_", segment.text[piece_begin:piece_end])
                pieces.append(word)
                tokens.append(
                    Token(
                        word,
                        segment.raw_starts[piece_begin],
                        segment.raw_ends[piece_end - 1],
                        index,
                        starts and piece_begin == begin,
                    )
                )
            if cuts:
                start = segment.raw_starts[begin]
                splits.append(SplitToken(spacy_token.text, tuple(pieces), start))
            previous_end = end
            first = pending = False
    return tokens, splits


def _blank_line(gap: str) -> bool:
    return gap.count("\n") >= 2
