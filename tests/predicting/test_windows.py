"""Window policy: whole sentences packed greedily, over-long sentences cut."""

import pytest

from hmtl.predicting.windows import Window, split_windows, whole_document, window_warnings


def test_a_short_document_is_one_window_without_warning():
    windows, cut = split_windows([(0, 3), (3, 5)], max_tokens=5)
    assert windows == [Window(0, 5, ((0, 3), (3, 5)))] and cut == []
    assert window_warnings(5, windows, cut, 5) == []


def test_sentences_are_packed_while_they_fit():
    # lengths 3, 2, 4, 1 with room for 5: [3+2] [4+1]
    windows, cut = split_windows([(0, 3), (3, 5), (5, 9), (9, 10)], max_tokens=5)
    assert [(w.start, w.end) for w in windows] == [(0, 5), (5, 10)]
    assert windows[1].sentences == ((5, 9), (9, 10))
    assert cut == []


def test_a_sentence_longer_than_the_limit_is_cut_every_limit_tokens():
    # a 2-token sentence, then one of 7 tokens with a limit of 3: 3 + 3 + 1
    windows, cut = split_windows([(0, 2), (2, 9)], max_tokens=3)
    assert [(w.start, w.end) for w in windows] == [(0, 2), (2, 5), (5, 8), (8, 9)]
    assert cut == [(2, 9)]
    messages = window_warnings(9, windows, cut, 3)
    assert "split at sentence boundaries into 4 windows" in messages[0]
    assert "coreference clusters do not cross windows" in messages[0]
    assert messages[1].startswith("the sentence of tokens 2-9 is longer than 3 tokens")


def test_no_sentences_no_windows_and_a_bad_limit_is_refused():
    assert split_windows([], 4) == ([], [])
    with pytest.raises(ValueError, match="at least 1"):
        split_windows([(0, 1)], 0)


def test_a_sentence_limit_packs_at_most_that_many_sentences():
    sentences = [(0, 3), (3, 5), (5, 9), (9, 10), (10, 12)]
    windows, cut = split_windows(sentences, max_tokens=None, max_sentences=2)
    assert [(w.start, w.end) for w in windows] == [(0, 5), (5, 10), (10, 12)]
    assert cut == []
    # both limits: 2 sentences, but never more than 4 tokens
    windows, _ = split_windows(sentences, max_tokens=4, max_sentences=2)
    assert [(w.start, w.end) for w in windows] == [(0, 3), (3, 5), (5, 9), (9, 12)]
    message = window_warnings(12, windows, [], 4, 2)[0]
    assert "window size (2 sentences and 4 tokens)" in message
    with pytest.raises(ValueError, match="max_sentences"):
        split_windows(sentences, None, 0)


def test_a_whole_document_is_one_window():
    assert whole_document([(0, 3), (3, 5)]) == [Window(0, 5, ((0, 3), (3, 5)))]
    assert whole_document([]) == []
