"""spaCy's blank English tokenizer: offsets into the text, whitespace tokens dropped."""

import pytest

from hmtl.predicting.tokenization import Tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer()


def test_offsets_slice_back_and_whitespace_never_becomes_a_token(tokenizer):
    text = "Ann met Bob.  He left!\n\nThen\tstop."
    document = tokenizer.tokenize(0, text)
    assert document.words == ["Ann", "met", "Bob", ".", "He", "left", "!", "Then", "stop", "."]
    assert all(text[t.start:t.end] == t.text for t in document.tokens)
    assert document.tokens[4].start == text.index("He")  # after the double space
    # sentences end at . ! and . ; whitespace between them belongs to no token
    assert document.sentences == [(0, 4), (4, 7), (7, 10)]


def test_odd_unicode_keeps_code_point_offsets(tokenizer):
    text = "Café e\u0301 😀 北京欢迎你 مرحبا"
    document = tokenizer.tokenize("u", text)
    assert all(text[t.start:t.end] == t.text for t in document.tokens)
    assert "e\u0301" in document.words  # the combining accent stays with its letter
    assert "مرحبا" in document.words and "😀" in document.words


def test_empty_and_blank_text_have_no_tokens_and_no_sentences(tokenizer):
    for text in ("", "   \n\t "):
        document = tokenizer.tokenize(1, text)
        assert document.text == text and document.tokens == [] and document.sentences == []


def test_words_are_split_into_sentences_without_being_changed(tokenizer):
    assert tokenizer.split_sentences(["Hi", ".", "New York", "!", "ok"]) == [
        ["Hi", "."], ["New York", "!"], ["ok"]]
    assert tokenizer.split_sentences([]) == []


def test_a_text_over_spacys_million_characters_is_tokenised(tokenizer):
    # 1000 words of 1000 letters and a space each: 1,001,000 characters
    document = tokenizer.tokenize(0, ("x" * 1000 + " ") * 1000)
    assert len(document.tokens) == 1000
    assert document.tokens[-1].end == 1_001_000 - 1  # the final space is no token
