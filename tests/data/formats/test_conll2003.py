"""CoNLL-2003 files: four or two columns, -DOCSTART-, IOB1 and IOB2 tags, errors."""

import io
import os

import pytest

from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2003 import (
    iter_conll2003_documents,
    read_conll2003,
    tags_to_spans,
    write_conll2003,
)
from hmtl.data.formats.errors import FormatError

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "data", "conll2003")

# Written out from the fixture by hand: sentence words, document index, entity spans.
EXPECTED = [
    (["EU", "rejects", "German", "call", "."], 0,
     [LabeledSpan("ORG", 0, 0), LabeledSpan("MISC", 2, 2)]),
    (["Peter", "Blackburn"], 0, [LabeledSpan("PER", 0, 1)]),
    # IOB1 "I-LOC B-LOC": two adjacent one-token LOC entities
    (["Paris", "Berlin", "and", "Rome"], 1,
     [LabeledSpan("LOC", 0, 0), LabeledSpan("LOC", 1, 1), LabeledSpan("LOC", 3, 3)]),
]


@pytest.mark.parametrize("name", ["iob1.txt", "iob2.txt"])
def test_iob1_and_iob2_files_give_the_same_entities(name):
    sentences = list(read_conll2003(os.path.join(FIXTURES, name)))
    assert [(s.words, s.document_index, s.entities) for s in sentences] == EXPECTED
    assert [s.first_line for s in sentences] == [3, 9, 14]


def test_two_column_tab_file():
    sentences = list(read_conll2003(os.path.join(FIXTURES, "two_columns.txt")))
    assert [(s.words, s.entities) for s in sentences] == [
        (["Anna", "lives", "in", "New", "York"],
         [LabeledSpan("PER", 0, 0), LabeledSpan("LOC", 3, 4)]),
        (["She", "smiles"], []),
    ]


@pytest.mark.parametrize("tags, spans", [
    (["I-PER", "I-PER", "O"], [("PER", 0, 1)]),                      # IOB1
    (["B-PER", "I-PER", "B-PER"], [("PER", 0, 1), ("PER", 2, 2)]),    # IOB2
    (["I-PER", "I-ORG"], [("PER", 0, 0), ("ORG", 1, 1)]),             # type change starts one
    (["S-PER", "B-ORG", "E-ORG", "U-LOC"], [("PER", 0, 0), ("ORG", 1, 2), ("LOC", 3, 3)]),
])
def test_tag_decoding(tags, spans):
    assert tags_to_spans(tags, path="x", first_line=1) == [LabeledSpan(*s) for s in spans]


def test_documents_and_writer_round_trip(tmp_path):
    documents = list(iter_conll2003_documents(os.path.join(FIXTURES, "iob1.txt")))
    assert [len(d) for d in documents] == [2, 1]
    buffer = io.StringIO()
    write_conll2003(documents, buffer)
    assert buffer.getvalue().startswith("-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\n")
    path = tmp_path / "again.txt"
    path.write_text(buffer.getvalue())
    assert [(s.words, s.document_index, s.entities) for s in read_conll2003(path)] == EXPECTED


def expect_error(tmp_path, text, line, fragment):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(FormatError) as caught:
        list(read_conll2003(path))
    assert str(caught.value).startswith(f"{path}, line {line}: "), str(caught.value)
    assert fragment in str(caught.value)


def test_malformed_tag(tmp_path):
    expect_error(tmp_path, "A B-PER\nb PER\n", 2, "malformed tag 'PER'")


def test_one_column_row(tmp_path):
    expect_error(tmp_path, "A O\n\nlonely\n", 3, "found 1 column: expected at least 2")


def test_inconsistent_columns(tmp_path):
    expect_error(tmp_path, "A NN O\n\nB O\n", 3, "the first token row (line 1) has 3")


def test_empty_file(tmp_path):
    expect_error(tmp_path, "", 1, "the file is empty")
    expect_error(tmp_path, "-DOCSTART- -X- -X- O\n\n", 2, "without any token row")
