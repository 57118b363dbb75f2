"""Bracket-notation columns: spans, and every way a column can be malformed."""

import pytest

from hmtl.data.formats.brackets import LabeledSpan, format_bracket_column, parse_bracket_column
from hmtl.data.formats.errors import FormatError


def parse(cells, first_line=10):
    return parse_bracket_column(cells, path="f.conll", first_line=first_line, column=10,
                                name="named-entity")


def test_one_token_multi_token_and_sentence_final_spans():
    cells = ["(PERSON)", "*", "(ORG*", "*", "*)", "(GPE*)", "", "(DATE*", "*)"]
    assert parse(cells) == [
        LabeledSpan("PERSON", 0, 0), LabeledSpan("ORG", 2, 4), LabeledSpan("GPE", 5, 5),
        LabeledSpan("DATE", 7, 8),
    ]


def test_crossing_or_nested_brackets_are_rejected_at_the_second_opening():
    with pytest.raises(FormatError) as caught:
        parse(["(ORG*", "(GPE*)", "*)"])
    # cells[1] is on line 10 + 1
    assert caught.value.path == "f.conll" and caught.value.line == 11
    assert "opened at line 10" in str(caught.value)
    with pytest.raises(FormatError, match=r"f.conll, line 10: .*nested or crossing"):
        parse(["(ORG(GPE*", "*)"])


def test_unclosed_span_is_reported_where_it_opens():
    with pytest.raises(FormatError) as caught:
        parse(["*", "(ORG*", "*"], first_line=3)
    assert str(caught.value).startswith("f.conll, line 4: span (ORG opened here")
    assert "end of the sentence at line 5" in str(caught.value)


def test_closing_bracket_without_open_span():
    with pytest.raises(FormatError, match=r"^f.conll, line 12: cell '\*\)' closes a span but no "):
        parse(["(ORG*)", "*", "*)"])
    with pytest.raises(FormatError, match=r"^f.conll, line 11: cell '\*\)\)' closes"):
        parse(["(ORG*", "*))"])


@pytest.mark.parametrize("cell", ["-", "ORG", "(ORG", ")", "**", "(ORG*)x", "( ORG*"])
def test_malformed_cells(cell):
    with pytest.raises(FormatError, match=r"^f.conll, line 10: malformed cell .*\(column 11\)"):
        parse([cell])


def test_format_is_the_inverse_of_parse():
    spans = [LabeledSpan("PER", 1, 1), LabeledSpan("ORG", 3, 4)]
    assert format_bracket_column(spans, 6) == ["*", "(PER)", "*", "(ORG*", "*)", "*"]
    ace_cells = format_bracket_column(spans, 6, star_in_single=True)
    assert ace_cells[1] == "(PER*)"
    assert parse(ace_cells) == spans
