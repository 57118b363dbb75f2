"""The documents ``hmtl predict`` reads, in every input format it accepts.

- ``text``: raw text; one document per block of non-blank lines (blank lines separate
  documents; a block keeps its line breaks).
- ``lines``: raw text, one document per line; an empty line is an empty document, so output
  line *n* answers input line *n*.
- ``jsonl``: one JSON object per non-blank line: ``{"text": "..."}`` or ``{"tokens": [...]}``
  (a list of words, split into sentences by the sentencizer, or a list of sentences of words),
  with an optional ``"id"``.
- ``conll2012`` (``*_gold_conll``), ``like_conll`` (ACE) and ``conll2003``: the training formats,
  read with the project's parsers; their tokens and sentences are kept exactly as given.
- ``auto``: by the file name: ``.jsonl``/``.json`` -> jsonl, ``*gold_conll`` -> conll2012,
  ``*like_conll`` -> like_conll, anything else (and stdin) -> text.

Ids are the JSON ``id`` when given, else the 0-based index of the document in the input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from hmtl.data.formats.ace_like_conll import read_ace
from hmtl.data.formats.conll2003 import iter_conll2003_documents
from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.lines import is_blank, iter_lines
from hmtl.predicting.document import Document, from_sentences
from hmtl.predicting.tokenization import Tokenizer

STDIN = "-"
TEXT, LINES, JSONL = "text", "lines", "jsonl"
CONLL2012, LIKE_CONLL, CONLL2003 = "conll2012", "like_conll", "conll2003"
TRAINING_FORMATS = (CONLL2012, LIKE_CONLL, CONLL2003)
FORMATS = (TEXT, LINES, JSONL, *TRAINING_FORMATS)


class InputDocument(NamedTuple):
    """A document to predict, and the parsed training-format record it came from (None for
    text and JSON lines), which the format writers fill in."""

    document: Document
    source: Any


def detect_format(path: str) -> str:
    """The input format ``auto`` means for ``path``."""
    name = os.path.basename(path).lower()
    if name.endswith((".jsonl", ".json")):
        return JSONL
    if name.endswith("gold_conll"):
        return CONLL2012
    if name.endswith("like_conll"):
        return LIKE_CONLL
    return TEXT


def _numbered_lines(path: str) -> Iterator[tuple[int, str]]:
    if path != STDIN:
        yield from iter_lines(path)
        return
    number = 0
    try:
        for number, line in enumerate(sys.stdin, 1):
            yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise FormatError("<stdin>", number + 1, f"not valid UTF-8 ({error.reason}): expected "
                          "UTF-8 encoded text") from None


def _text_blocks(path: str, tokenizer: Tokenizer) -> Iterator[InputDocument]:
    block: list[str] = []
    index = 0
    for _number, line in _numbered_lines(path):
        if is_blank(line):
            if block:
                yield InputDocument(tokenizer.tokenize(index, "\n".join(block)), None)
                index += 1
                block = []
        else:
            block.append(line)
    if block:
        yield InputDocument(tokenizer.tokenize(index, "\n".join(block)), None)


def _text_lines(path: str, tokenizer: Tokenizer) -> Iterator[InputDocument]:
    for number, line in _numbered_lines(path):
        yield InputDocument(tokenizer.tokenize(number - 1, line), None)


def _words(value: Any, where: str, path: str, number: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise FormatError(path, number, f"{where} must be a list of strings")
    for position, word in enumerate(value):
        if not word.strip():
            raise FormatError(path, number, f"{where}[{position}] is {word!r}: expected a "
                              "non-empty token without only whitespace")
    return value


def json_document(record: Any, index: int, tokenizer: Tokenizer, path: str = "<input>",
                  number: int = 0) -> Document:
    """The Document of one JSON object (``text`` or ``tokens``, optional ``id``); errors name
    ``path`` and line ``number``."""
    if not isinstance(record, dict):
        raise FormatError(path, number, f"expected a JSON object, got {type(record).__name__}")
    doc_id = record.get("id", index)
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        raise FormatError(path, number, f"\"id\" must be a string or an integer, got {doc_id!r}")
    if ("text" in record) == ("tokens" in record):
        raise FormatError(path, number, 'expected exactly one of "text" (a string) and "tokens" '
                          "(a list of words, or a list of sentences of words)")
    if "text" in record:
        if not isinstance(record["text"], str):
            raise FormatError(path, number, '"text" must be a string')
        return tokenizer.tokenize(doc_id, record["text"])
    tokens = record["tokens"]
    if isinstance(tokens, list) and tokens and all(isinstance(item, list) for item in tokens):
        sentences = [_words(sentence, f'"tokens"[{i}]', path, number)
                     for i, sentence in enumerate(tokens)]
        return from_sentences(doc_id, sentences)
    return from_sentences(doc_id, tokenizer.split_sentences(
        _words(tokens, '"tokens"', path, number)))


def _json_lines(path: str, tokenizer: Tokenizer) -> Iterator[InputDocument]:
    shown = "<stdin>" if path == STDIN else path
    index = 0
    for number, line in _numbered_lines(path):
        if is_blank(line):
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise FormatError(shown, number, f"not valid JSON ({error}): expected one JSON "
                              'object per line, e.g. {"text": "..."}') from None
        yield InputDocument(json_document(record, index, tokenizer, shown, number), None)
        index += 1


def _conll2012(path: str, _tokenizer: Tokenizer) -> Iterator[InputDocument]:
    for index, document in enumerate(read_conll2012(path)):
        yield InputDocument(from_sentences(index, [s.words for s in document.sentences]), document)


def _like_conll(path: str, _tokenizer: Tokenizer) -> Iterator[InputDocument]:
    for index, document in enumerate(read_ace(path)):
        yield InputDocument(from_sentences(index, [s.words for s in document.sentences]), document)


def _conll2003(path: str, _tokenizer: Tokenizer) -> Iterator[InputDocument]:
    for index, sentences in enumerate(iter_conll2003_documents(path)):
        yield InputDocument(from_sentences(index, [s.words for s in sentences]), sentences)


_READERS: dict[str, Callable[[str, Tokenizer], Iterator[InputDocument]]] = {
    TEXT: _text_blocks, LINES: _text_lines, JSONL: _json_lines, CONLL2012: _conll2012,
    LIKE_CONLL: _like_conll, CONLL2003: _conll2003,
}


def resolve_format(path: str, input_format: str) -> str:
    """``input_format`` with ``auto`` resolved; training formats need a file, not stdin."""
    if input_format not in (*FORMATS, "auto"):
        raise ValueError(f"unknown input format {input_format!r}; expected one of {FORMATS}")
    resolved = detect_format(path) if input_format == "auto" and path != STDIN else (
        TEXT if input_format == "auto" else input_format)
    if path == STDIN and resolved in TRAINING_FORMATS:
        raise FormatError("<stdin>", None, f"--input-format {resolved} reads a file: give its "
                          "path instead of '-'")
    return resolved


def read_documents(path: str | os.PathLike, input_format: str,
                   tokenizer: Tokenizer) -> Iterator[InputDocument]:
    """Stream the documents of ``path`` (``-`` for stdin) read as ``input_format`` (resolved)."""
    return _READERS[input_format](os.fspath(path), tokenizer)
