"""A sentence's coreference column: pairing marks into mentions, errors, and writing back."""

import pytest

from hmtl.data.formats.coref_spans import CorefMention, format_coref_column, parse_coref_column
from hmtl.data.formats.errors import FormatError


def parse(cells, first_line=20):
    return parse_coref_column(cells, path="doc.conll", first_line=first_line, column=13)


def test_several_marks_per_token_nested_and_overlapping_mentions():
    #        0          1      2     3        4
    cells = ["(3|(12)", "(3", "-", "3)|3)", "(5)|12"]
    with pytest.raises(FormatError):
        parse(cells)  # cluster 12 opened at token 4 never closes
    cells[4] = "(5)|(12|12)"
    assert sorted(parse(cells)) == sorted([
        CorefMention(12, 0, 0),  # "(12)" on token 0
        CorefMention(3, 1, 3),   # inner "(3" at 1 closes first at 3
        CorefMention(3, 0, 3),   # outer "(3" at 0
        CorefMention(5, 4, 4),
        CorefMention(12, 4, 4),  # "(12|12)" opens and closes on one token
    ])


def test_empty_cells_mean_no_mark():
    assert parse(["", "(1)", "-"]) == [CorefMention(1, 1, 1)]


def test_non_integer_cluster_id():
    with pytest.raises(FormatError) as caught:
        parse(["-", "(x1)"])
    assert str(caught.value).startswith("doc.conll, line 21: coreference column (column 14): "
                                        "malformed coreference mark '(x1)'")


def test_closing_mark_without_open_mention():
    with pytest.raises(FormatError, match=r"^doc.conll, line 22: coreference mark '4\)'"):
        parse(["(3", "3)", "4)"])


def test_unclosed_mention_is_reported_where_it_opens():
    with pytest.raises(FormatError) as caught:
        parse(["-", "(7", "-"], first_line=5)
    assert caught.value.line == 6
    assert "by the end of the sentence at line 7" in str(caught.value)


def test_format_round_trips_adjacent_nested_and_single_mentions():
    mentions = [CorefMention(1, 0, 2), CorefMention(1, 2, 4), CorefMention(1, 2, 2),
                CorefMention(2, 0, 4), CorefMention(3, 1, 1)]
    cells = format_coref_column(mentions, 5)
    # token 2: the mention ending there closes before the one-token mention and the new opening
    assert cells == ["(2|(1", "(3)", "1)|(1)|(1", "-", "1)|2)"]
    assert sorted(parse(cells)) == sorted(mentions)
