"""spaCy tokens with raw offsets, sentence starts, and cutting at mention-head boundaries."""

from types import SimpleNamespace

import pytest

from hmtl.data.ace2005.sgm import parse_sgm
from hmtl.data.ace2005.tokens import SplitToken, Token, english_pipeline, tokenize_segments


@pytest.fixture(scope="module")
def nlp():
    return english_pipeline()


def _segments(text: str):
    # "<TEXT>" is a tag, so the text starts at raw offset 0.
    return parse_sgm(f"<TEXT>{text}</TEXT>").segments


def test_tokens_keep_raw_offsets_and_sentence_starts(nlp):
    tokens, splits = tokenize_segments(nlp, _segments("The U.S.-based firm grew. It won!"))
    assert [(t.word, t.raw_start, t.raw_end, t.sentence_start) for t in tokens] == [
        ("The", 0, 2, True),
        ("U.S.-based", 4, 13, False),  # one spaCy token: 4 + 10 characters - 1
        ("firm", 15, 18, False),
        ("grew", 20, 23, False),
        (".", 24, 24, False),
        ("It", 26, 27, True),  # the sentencizer starts a sentence after "."
        ("won", 29, 31, False),
        ("!", 32, 32, False),
    ]
    assert splits == []


def test_a_token_is_cut_where_a_head_starts_or_ends(nlp):
    # Head "U.S." is 4..7, so new tokens begin at 4 (already one) and at 8.
    tokens, splits = tokenize_segments(nlp, _segments("The U.S.-based firm"), {4, 8})
    assert [(t.word, t.raw_start, t.raw_end) for t in tokens] == [
        ("The", 0, 2), ("U.S.", 4, 7), ("-based", 8, 13), ("firm", 15, 18),
    ]
    assert splits == [SplitToken("U.S.-based", ("U.S.", "-based"), 4)]


def test_a_piece_cut_off_never_starts_a_sentence(nlp):
    tokens, _ = tokenize_segments(nlp, _segments("Go. U.S.-based"), {8})
    # "Go" 0..1, "." 2, "U.S." 4..7, "-based" 8..13
    assert [(t.word, t.sentence_start) for t in tokens] == [
        ("Go", True), (".", False), ("U.S.", True), ("-based", False),
    ]


def test_offsets_of_decoded_entities_cover_the_entity(nlp):
    tokens, _ = tokenize_segments(nlp, _segments("AT&amp;T rose"))
    # A 0, T 1, & 2..6, T 7: the word is decoded, its raw end is 7.
    assert tokens[0] == Token("AT&T", 0, 7, 0, True)


def test_blank_lines_and_segments_start_sentences(nlp):
    segments = parse_sgm("<TEXT><SPEAKER>Ann Lee</SPEAKER>\nHe said\n\nNext one</TEXT>").segments
    tokens, _ = tokenize_segments(nlp, segments)
    assert [(t.word, t.segment, t.sentence_start) for t in tokens] == [
        ("Ann", 0, True), ("Lee", 0, False),
        ("He", 1, True), ("said", 1, False),
        ("Next", 1, True), ("one", 1, False),
    ]


def test_whitespace_inside_a_word_becomes_an_underscore():
    # spaCy does not leave whitespace inside a word; a stand-in tokenizer that does shows the rule.
    def one_token(text):
        return [SimpleNamespace(is_space=False, idx=0, text=text, is_sent_start=True)]

    tokens, _ = tokenize_segments(one_token, _segments("a\tb"))
    assert [t.word for t in tokens] == ["a_b"]
