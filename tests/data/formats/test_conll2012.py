"""CoNLL-2012 `*_gold_conll` parsing, against the hand-written fixture and malformed variants."""

import io
import os

import pytest

from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2012 import read_conll2012, write_conll2012
from hmtl.data.formats.coref_spans import CorefMention
from hmtl.data.formats.errors import FormatError

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "data", "ontonotes",
                       "data", "english", "annotations", "bc", "cctv", "00",
                       "cctv_0001.v4_gold_conll")


def summary(documents):
    return [(d.document_id, d.part, [(s.words, s.named_entities, sorted(s.coref_mentions))
                                     for s in d.sentences]) for d in documents]


def test_fixture_documents_sentences_entities_and_mentions():
    documents = list(read_conll2012(FIXTURE))
    assert [(d.document_id, d.part, d.begin_line) for d in documents] == [
        ("bc/cctv/00/cctv_0001", "000", 1), ("bc/cctv/00/cctv_0001", "001", 25)]
    first = documents[0].sentences
    assert [s.first_line for s in first] == [2, 9, 15]
    # 2 SRL columns, none, one: 14, 12 and 13 columns
    assert [len(s.rows[0]) for s in first] == [14, 12, 13]
    assert first[0].words == ["John", "Smith", "visited", "New", "York", "."]
    assert first[0].named_entities == [LabeledSpan("PERSON", 0, 1), LabeledSpan("GPE", 3, 4)]
    # "(3|(7" on John, "7)" on Smith, "(12" on New, "3)|12)" on York
    assert sorted(first[0].coref_mentions) == [
        CorefMention(3, 0, 4), CorefMention(7, 0, 1), CorefMention(12, 3, 4)]
    # a token whose word is '#', a '-' word and the escaped '/.' are ordinary tokens
    assert first[1].words == ["#", "1", "-", "he", "/."]
    assert first[1].named_entities == [LabeledSpan("CARDINAL", 1, 1)]
    assert first[1].coref_mentions == [CorefMention(7, 3, 3)]
    # nested mentions of cluster 5: "(5" on 'the', "(5)|5)" on 'himself'
    assert sorted(first[2].coref_mentions) == [
        CorefMention(5, 0, 4), CorefMention(5, 4, 4), CorefMention(12, 6, 7),
        CorefMention(20, 1, 1), CorefMention(20, 6, 7)]
    assert first[2].named_entities == [LabeledSpan("GPE", 6, 7)]  # ends the sentence
    second = documents[1].sentences
    assert second[0].named_entities == [LabeledSpan("DATE", 2, 2), LabeledSpan("DATE", 3, 3)]


def test_crlf_trailing_whitespace_tabs_and_no_final_newline_read_the_same(tmp_path):
    with open(FIXTURE, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    variant = tmp_path / "variant.v4_gold_conll"
    variant.write_bytes("\r\n".join(line + "  " if line else line for line in lines).encode())
    tabbed = tmp_path / "tabbed.v4_gold_conll"
    tabbed.write_text("\n".join("\t".join(line.split()) if not line.startswith("#") else line
                                for line in lines))
    expected = summary(read_conll2012(FIXTURE))
    assert summary(read_conll2012(variant)) == expected
    assert summary(read_conll2012(tabbed)) == expected


def test_writer_round_trips(tmp_path):
    buffer = io.StringIO()
    write_conll2012(read_conll2012(FIXTURE), buffer)
    assert buffer.getvalue().startswith("#begin document (bc/cctv/00/cctv_0001); part 000\n")
    rewritten = tmp_path / "rewritten.v4_gold_conll"
    rewritten.write_text(buffer.getvalue())
    documents = list(read_conll2012(rewritten))
    assert summary(documents) == summary(read_conll2012(FIXTURE))
    assert documents[0].sentences[0].rows[0][5] == "(TOP(S(NP*"  # raw cells kept


ROW = "d 0 {i} w{i} NN * - - - - * {coref}"


def write(tmp_path, text, name="bad.v4_gold_conll"):
    path = tmp_path / name
    path.write_text(text)
    return path


def expect_error(path, line, fragment):
    with pytest.raises(FormatError) as caught:
        for _ in read_conll2012(path):
            pass
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert fragment in message


def test_too_few_columns(tmp_path):
    path = write(tmp_path, "#begin document (d); part 000\nd 0 0 w NN * - - - - -\n")
    expect_error(path, 2, "found 11 columns: expected at least 12")


def test_inconsistent_columns_within_a_sentence(tmp_path):
    text = ("#begin document (d); part 000\n" + ROW.format(i=0, coref="-") + "\n"
            + ROW.format(i=1, coref="* -") + "\n\n#end document\n")
    expect_error(write(tmp_path, text), 3, "sentence's first row (line 2) has 12")


def test_missing_end_document_at_end_of_file(tmp_path):
    text = "#begin document (d); part 000\n" + ROW.format(i=0, coref="-") + "\n"
    expect_error(write(tmp_path, text), 2, "ends inside document 'd' (begun at line 1)")


def test_missing_end_document_before_next_begin(tmp_path):
    text = ("#begin document (a); part 000\n" + ROW.format(i=0, coref="-")
            + "\n\n#begin document (b); part 000\n")
    expect_error(write(tmp_path, text), 4, "expected '#end document' first")


def test_end_without_begin_and_rows_outside_documents(tmp_path):
    expect_error(write(tmp_path, "#end document\n"), 1, "without an open document")
    expect_error(write(tmp_path, ROW.format(i=0, coref="-") + "\n", "b.v4_gold_conll"), 1,
                 "token row outside a document")


def test_empty_files(tmp_path):
    expect_error(write(tmp_path, ""), 1, "the file is empty")
    expect_error(write(tmp_path, "#begin document (d); part 000\n\n#end document\n", "m"), 3,
                 "without any token row")


def test_coref_and_entity_errors_carry_the_line(tmp_path):
    text = ("#begin document (d); part 000\n" + ROW.format(i=0, coref="(4") + "\n"
            + ROW.format(i=1, coref="5)") + "\n\n#end document\n")
    expect_error(write(tmp_path, text), 3, "closes a mention of cluster 5")
