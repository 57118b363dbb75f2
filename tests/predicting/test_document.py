"""Pre-tokenised documents: text joined by single spaces, offsets slicing back to the tokens."""

from hmtl.predicting.document import TextToken, from_sentences


def test_tokens_joined_by_single_spaces_with_their_offsets():
    document = from_sentences("d", [["New York", "is"], [], ["big", "."]])
    assert document.text == "New York is big ."
    # "New York" 0-8, space, "is" 9-11, space, "big" 12-15, space, "." 16-17
    assert document.tokens == [TextToken("New York", 0, 8), TextToken("is", 9, 11),
                               TextToken("big", 12, 15), TextToken(".", 16, 17)]
    assert document.sentences == [(0, 2), (2, 4)]  # the empty sentence is left out
    assert all(document.text[t.start:t.end] == t.text for t in document.tokens)


def test_no_sentences_is_an_empty_document():
    document = from_sentences(3, [])
    assert (document.id, document.text, document.tokens, document.sentences) == (3, "", [], [])
