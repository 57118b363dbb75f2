"""Raw text to tokens with character offsets and sentences, with spaCy's rule-based English
tokenizer and sentencizer (a blank pipeline: nothing to download).

Whitespace tokens (spaCy keeps runs of spaces and newlines as tokens) are dropped, so they never
reach the model; sentences left empty by that are dropped too. Any Unicode is accepted (emoji,
combining characters, CJK and right-to-left scripts come out as tokens of the text).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from hmtl.predicting.document import Document, TextToken


class Tokenizer:
    """Tokenise raw text, or split pre-tokenised words into sentences."""

    def __init__(self) -> None:
        import spacy  # loaded once per tokenizer: building the pipeline takes a moment

        self._nlp = spacy.blank("en")
        # spaCy caps texts at a million characters for the memory of its parser and NER models;
        # a blank pipeline has neither, and a long document is split into windows later.
        self._nlp.max_length = sys.maxsize
        self._sentencizer = self._nlp.add_pipe("sentencizer")

    def tokenize(self, doc_id: Any, text: str) -> Document:
        """The tokens and sentences of ``text``."""
        parsed = self._nlp(text)
        tokens: list[TextToken] = []
        sentences: list[tuple[int, int]] = []
        for sentence in parsed.sents:
            first = len(tokens)
            tokens.extend(
                TextToken(token.text, token.idx, token.idx + len(token.text))
                for token in sentence
                if not token.is_space and token.text.strip()
            )
            if len(tokens) > first:
                sentences.append((first, len(tokens)))
        return Document(doc_id, text, tokens, sentences)

    def split_sentences(self, words: Sequence[str]) -> list[list[str]]:
        """Sentences of already tokenised ``words`` (kept as they are), by the sentencizer's
        punctuation rule."""
        from spacy.tokens import Doc

        if not words:
            return []
        parsed = self._sentencizer(Doc(self._nlp.vocab, words=list(words)))
        return [list(words[sentence.start:sentence.end]) for sentence in parsed.sents]
