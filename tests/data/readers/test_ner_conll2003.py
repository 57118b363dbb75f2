"""`ner_conll2003`: IOB1 and IOB2 inputs, BIOUL and IOB1 outputs, two-column files."""

import os

import pytest

from hmtl.data.formats.errors import FormatError
from hmtl.data.readers.ner_conll2003 import NerConll2003Reader
from tests.data.readers.conftest import CONLL2003, words

WORDS = [["EU", "rejects", "German", "call", "."], ["Peter", "Blackburn"],
         ["Paris", "Berlin", "and", "Rome"]]
BIOUL = [["U-ORG", "O", "U-MISC", "O", "O"], ["B-PER", "L-PER"],
         ["U-LOC", "U-LOC", "O", "U-LOC"]]
IOB1 = [["I-ORG", "O", "I-MISC", "O", "O"], ["I-PER", "I-PER"],
        ["I-LOC", "B-LOC", "O", "I-LOC"]]  # B- only where a LOC directly follows a LOC


@pytest.mark.parametrize("name", ["iob1.txt", "iob2.txt"])
@pytest.mark.parametrize("scheme, expected", [("BIOUL", BIOUL), ("IOB1", IOB1)])
def test_both_input_schemes_give_the_same_instances(name, scheme, expected):
    instances = list(NerConll2003Reader(coding_scheme=scheme).read(os.path.join(CONLL2003,
                                                                                name)))
    assert [words(i) for i in instances] == WORDS  # -DOCSTART- rows are not sentences
    assert [i["tags"].labels for i in instances] == expected
    assert instances[0]["tags"]._label_namespace == "conll2003_ner_labels"


def test_two_column_file():
    instances = list(NerConll2003Reader().read(os.path.join(CONLL2003, "two_columns.txt")))
    assert [(words(i), i["tags"].labels) for i in instances] == [
        (["Anna", "lives", "in", "New", "York"], ["U-PER", "O", "O", "B-LOC", "L-LOC"]),
        (["She", "smiles"], ["O", "O"]),
    ]


def test_a_directory_is_not_a_conll2003_file():
    with pytest.raises(FormatError, match="is a directory: expected a data file"):
        list(NerConll2003Reader().read(CONLL2003))


def test_the_read_summary_counts_docstart_documents():
    reader = NerConll2003Reader()
    path = os.path.join(CONLL2003, "iob1.txt")
    list(reader.read(path))
    summary = reader.read_summary
    # two -DOCSTART- documents: sentences of 5 and 2 tokens, then one of 4 tokens
    assert summary.files == [path]
    assert (summary.documents, summary.sentences, summary.tokens) == (2, 3, 5 + 2 + 4)
    assert summary.skipped_files == {} and not summary.skipped
    # a file without -DOCSTART- rows is one document
    list(reader.read(os.path.join(CONLL2003, "two_columns.txt")))
    assert (reader.read_summary.documents, reader.read_summary.sentences) == (1, 2)
