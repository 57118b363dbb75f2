"""ACE like_conll parsing: the "engineers" example, documents with and without markers, errors."""

import io
import os

import pytest

from hmtl.data.formats.ace_like_conll import (
    RelationFrame,
    iter_ace_sentences,
    read_ace,
    write_ace,
)
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.coref_spans import CorefMention
from hmtl.data.formats.errors import FormatError

ACE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "data", "ace")
DOC1 = os.path.join(ACE, "train", "doc1.sgm.like_conll")
DOC2 = os.path.join(ACE, "train", "doc2.sgm.like_conll")


def test_engineers_example_sentence():
    [document] = read_ace(DOC1)
    assert (document.document_id, document.begin_line, document.ended) == ("doc1", 1, True)
    sentence = document.sentences[0]
    assert sentence.words == ["The", "engineers", "of", "Acme", "Corp", "moved", "to", "Oslo", "."]
    assert sentence.mentions == [LabeledSpan("PER", 1, 1), LabeledSpan("ORG", 3, 4),
                                 LabeledSpan("GPE", 7, 7)]
    # two frames: engineers -> Acme Corp (ORG-AFF), engineers -> Oslo (PHYS)
    assert sentence.relations == [RelationFrame("ORG-AFF", 1, 1, 3, 4),
                                  RelationFrame("PHYS", 1, 1, 7, 7)]
    assert sorted(sentence.coref_mentions) == [CorefMention(3, 1, 1), CorefMention(5, 3, 4),
                                               CorefMention(8, 7, 7)]


def test_sentence_without_relations_and_hash_word():
    [document] = read_ace(DOC1)
    sentence = document.sentences[1]
    assert len(sentence.rows[0]) == 4  # index, word, mentions, coreference
    assert sentence.words == ["They", "paid", "#", "5", "."]
    assert sentence.relations == []
    assert sentence.first_line == 12


def test_document_without_end_marker_and_hash_delimiter_line():
    [document] = read_ace(DOC2)
    assert (document.document_id, document.begin_line, document.ended) == ("doc2", 1, False)
    assert [s.words for s in document.sentences] == [
        ["Staff", "of", "the", "Acme", "Corp"], ["They", "left"]]
    # multi-token mention and relation argument at the sentence end
    assert document.sentences[0].mentions[-1] == LabeledSpan("ORG", 3, 4)
    assert document.sentences[0].relations == [RelationFrame("ORG-AFF", 0, 0, 3, 4)]


def test_file_without_any_marker_is_one_document(tmp_path):
    path = tmp_path / "plain.like_conll"
    path.write_text("0 A (PER*) (1)\n\n0 B * -\n# comment\n0 C * (1)\n")
    [document] = read_ace(path)
    assert (document.document_id, document.begin_line, document.ended) == (
        "plain.like_conll:0", None, False)
    assert [s.words for s in document.sentences] == [["A"], ["B"], ["C"]]


def test_writer_round_trips(tmp_path):
    buffer = io.StringIO()
    write_ace(read_ace(DOC2), buffer)
    path = tmp_path / "again.like_conll"
    path.write_text(buffer.getvalue())
    [again] = read_ace(path)
    assert again.ended
    assert [(s.words, s.mentions, s.relations, s.coref_mentions) for s in again.sentences] == [
        (s.words, s.mentions, s.relations, s.coref_mentions) for s in iter_ace_sentences(DOC2)]


def expect_error(tmp_path, text, line, fragment):
    path = tmp_path / "bad.like_conll"
    path.write_text(text)
    with pytest.raises(FormatError) as caught:
        list(read_ace(path))
    assert str(caught.value).startswith(f"{path}, line {line}: "), str(caught.value)
    assert fragment in str(caught.value)


def test_relation_frame_missing_argument(tmp_path):
    text = "0 A (PER*) (ARG1_PHYS*) -\n1 B * * -\n"
    expect_error(tmp_path, text, 1, "has no ARG2")


def test_relation_frame_without_any_argument(tmp_path):
    expect_error(tmp_path, "0 A * -\n\n0 A * * -\n1 B * * -\n", 3, "has no ARG1")


def test_relation_frame_doubled_argument(tmp_path):
    text = "0 A * (ARG1_PHYS*) -\n1 B * (ARG2_PHYS*) -\n2 C * (ARG2_PHYS*) -\n"
    expect_error(tmp_path, text, 3, "has a second ARG2 (the first at line 2)")


def test_relation_frame_mismatched_types(tmp_path):
    text = "0 A * (ARG1_PHYS*) -\n1 B * (ARG2_ART*) -\n"
    expect_error(tmp_path, text, 2, "ARG2_ART does not match ARG1_PHYS (line 1)")


def test_relation_frame_foreign_label(tmp_path):
    expect_error(tmp_path, "0 A * (PER*) -\n", 1, "expected ARG1_<TYPE> or ARG2_<TYPE>")


def test_nested_mention_heads(tmp_path):
    expect_error(tmp_path, "0 A (ORG* -\n1 B (PER*) -\n2 C *) -\n", 2, "nested or crossing")


def test_row_without_integer_index(tmp_path):
    expect_error(tmp_path, "0 A * -\nB * * -\n", 2, "first cell 'B' is not a token index")


def test_too_few_and_inconsistent_columns(tmp_path):
    expect_error(tmp_path, "0 A *\n", 1, "found 3 columns: expected at least 4")
    expect_error(tmp_path, "0 A * -\n1 B * * -\n", 2, "the sentence's first row (line 1) has 4")


def test_begin_inside_begun_document(tmp_path):
    text = "#begin document (a)\n0 A * -\n#begin document (b)\n0 B * -\n#end document\n"
    expect_error(tmp_path, text, 3, "while document 'a' (begun at line 1) is still open")


def test_end_without_document_and_empty_file(tmp_path):
    expect_error(tmp_path, "0 A * -\n#end document\n#end document\n", 3,
                 "without an open document")
    expect_error(tmp_path, "", 1, "the file is empty")
    expect_error(tmp_path, "#begin document (a)\n#end document\n", 2, "without any token row")
