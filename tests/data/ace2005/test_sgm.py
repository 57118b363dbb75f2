"""The sgm text, its segments, and the apf offset convention (tags removed, `&amp;` = 5 chars)."""

from pathlib import Path

import pytest

from hmtl.data.ace2005.sgm import decode_entities, parse_sgm, read_sgm
from hmtl.data.formats.errors import FormatError

ENGLISH = Path(__file__).parents[2] / "fixtures" / "ace2005" / "LDC2006T06" / "data" / "English"
NW = ENGLISH / "nw" / "timex2norm" / "APW_ENG_20030101.0001.sgm"
BC = ENGLISH / "bc" / "timex2norm" / "CNN_CF_20030101.0002.sgm"


def test_offsets_count_the_text_without_tags_and_entities_as_written():
    doc = read_sgm(NW)
    # Counted by hand: "\n APW_ENG_20030101.0001 \n" is 25 characters (0..24), " NEWS STORY "
    # 12 (25..36), "\n" 37, " 2003-01-01 10:00:00 " 21 (38..58), then one "\n" after each of
    # </DATETIME>, <BODY>, <HEADLINE> (59, 60, 61): the headline starts at 62.
    assert doc.raw_text[:25] == "\n APW_ENG_20030101.0001 \n"
    assert doc.raw_text[62:70] == "AT&amp;T"  # 8 raw characters, `&amp;` counting 5
    assert doc.raw_text[77:82] == "Smith"  # 62 + 8 (AT&amp;T) + 7 (" hires ") = 77
    assert doc.raw_text[118:126] == "AT&amp;T"
    assert doc.doc_id == "APW_ENG_20030101.0001"


def test_segments_are_the_headline_and_text_with_decoded_entities():
    doc = read_sgm(NW)
    headline, text = doc.segments
    assert (headline.element, text.element) == ("HEADLINE", "TEXT")
    assert headline.text == "\nAT&T hires Smith\n"
    # "\n" is raw 61, A 62, T 63, & spans the five raw characters 64..68, T 69.
    assert headline.raw_starts[:5] == (61, 62, 63, 64, 69)
    assert headline.raw_ends[:5] == (61, 62, 63, 68, 69)
    assert text.text.startswith("\nJohn Smith, the new president of AT&T,")
    assert (headline.line, text.line) == (6, 9)


def test_every_tag_inside_the_text_ends_a_segment():
    doc = read_sgm(BC)
    assert [s.element for s in doc.segments] == ["HEADLINE", "SPEAKER", "TURN"]
    assert [s.text.strip() for s in doc.segments][:2] == ["Markets", "Paul Begala"]
    assert doc.raw_text[68:79] == "Paul Begala"


def test_text_elements_choose_what_becomes_text():
    doc = read_sgm(NW, text_elements=["TEXT"])
    assert [s.element for s in doc.segments] == ["TEXT"]
    assert doc.raw_text[62:70] == "AT&amp;T"  # offsets do not depend on the choice


def test_decode_entities_maps_each_decoded_character_to_its_raw_range():
    text, starts, ends = decode_entities("a&lt;b&foo;c&#65;", 10)
    # a=10, &lt; = 11..14, b=15, &foo; unknown so kept as its 5 characters 16..20, c=21,
    # &#65; = 22..26 decodes to "A".
    assert text == "a<b&foo;cA"
    assert starts == (10, 11, 15, 16, 17, 18, 19, 20, 21, 22)
    assert ends == (10, 14, 15, 16, 17, 18, 19, 20, 21, 26)


def test_carriage_returns_are_counted(tmp_path):
    path = tmp_path / "crlf.sgm"
    path.write_bytes(b"<DOC>\r\n<TEXT>\r\nAcme Corp\r\n</TEXT>\r\n</DOC>\r\n")
    doc = read_sgm(path)
    # "\r\n" after <DOC> is 0..1, after <TEXT> 2..3, so "Acme" starts at 4.
    assert doc.raw_text[4:13] == "Acme Corp"
    assert doc.segments[0].raw_starts[2] == 4


def test_unmatched_closing_tag_names_file_and_line(tmp_path):
    path = tmp_path / "bad.sgm"
    path.write_text("<DOC>\n<TEXT>\nwords\n</BODY>\n</DOC>\n")
    with pytest.raises(FormatError) as error:
        read_sgm(path)
    assert error.value.path == str(path) and error.value.line == 4
    assert "</BODY> has no matching open <BODY>" in str(error.value)


def test_declarations_and_comments_are_removed_but_open_nothing():
    doc = parse_sgm('<?xml version="1.0"?><!DOCTYPE DOC><DOC><TEXT>A<!-- note -->B</TEXT></DOC>')
    assert doc.raw_text == "AB"
    assert [(s.text, s.element) for s in doc.segments] == [("A", "TEXT"), ("B", "TEXT")]


def test_tag_without_a_name_is_an_error():
    with pytest.raises(FormatError, match="line 2: expected an SGML tag"):
        parse_sgm("<DOC>\n<>\n</DOC>", "inline.sgm")


def test_bytes_that_are_not_utf8_are_an_error(tmp_path):
    path = tmp_path / "latin1.sgm"
    path.write_bytes(b"<DOC>\n<TEXT>\ncaf\xe9\n</TEXT></DOC>")
    with pytest.raises(FormatError, match=r"line 3: expected UTF-8 text, found byte 0xe9"):
        read_sgm(path)
