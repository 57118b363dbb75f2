"""Every malformed input stops the reader with the file, the line and what was expected.

Each case goes through the public `read()` of a reader, as training would: the error must be a
`FormatError` whose message starts with `<file>, line <n>: ` (or `<path>: ` for path errors).
"""

import pytest

from hmtl.data.formats.errors import FormatError
from hmtl.data.readers.coreference_ace import CoreferenceAceReader
from hmtl.data.readers.coreference_conll import CoreferenceConllReader
from hmtl.data.readers.mention_ace import MentionAceReader
from hmtl.data.readers.ner_conll2003 import NerConll2003Reader
from hmtl.data.readers.ner_ontonotes import NerOntonotesReader
from hmtl.data.readers.relation_ace import RelationAceReader

BEGIN = "#begin document (d); part 000\n"
END = "\n#end document\n"


def row(index, ne="*", coref="-"):
    """A 12-column CoNLL-2012 row (no SRL column)."""
    return f"d 0 {index} w{index} NN * - - - - {ne} {coref}\n"


CASES = {
    "wrong column count": (
        NerOntonotesReader, "x.v4_gold_conll", BEGIN + "d 0 0 w NN * - - - * -\n" + END,
        2, "found 11 columns: expected at least 12"),
    "inconsistent column count": (
        MentionAceReader, "x.like_conll", "0 A * -\n1 B * * -\n",
        2, "expected the same number of columns on every row of a sentence"),
    "unbalanced bracket": (
        NerOntonotesReader, "x.v4_gold_conll", BEGIN + row(0, "(ORG*") + row(1) + END,
        2, "span (ORG opened here in the named-entity column (column 11) is never closed"),
    "crossing brackets": (
        MentionAceReader, "x.like_conll", "0 A (ORG* -\n1 B (PER* -\n2 C *) -\n",
        2, "nested or crossing brackets are not allowed"),
    "closing bracket without open span": (
        RelationAceReader, "x.like_conll", "0 A * (ARG1_ART*) -\n1 B * *) -\n",
        2, "closes a span but no span is open in the relation frame column (column 4)"),
    "non-integer cluster id": (
        CoreferenceConllReader, "x.v4_gold_conll", BEGIN + row(0, coref="(a1)") + END,
        2, "malformed coreference mark '(a1)'"),
    "relation frame missing argument": (
        RelationAceReader, "x.like_conll", "0 A * (ARG2_ART*) -\n1 B * * -\n",
        1, "has no ARG1: expected exactly one ARG1 and one ARG2 per frame"),
    "relation frame doubled argument": (
        RelationAceReader, "x.like_conll",
        "0 A * (ARG1_ART*) -\n1 B * (ARG1_ART*) -\n2 C * (ARG2_ART*) -\n",
        2, "has a second ARG1 (the first at line 1)"),
    "missing end document": (
        CoreferenceConllReader, "x.v4_gold_conll", BEGIN + row(0) + "\n" + BEGIN + row(0) + END,
        4, "expected '#end document' first"),
    "empty file": (NerConll2003Reader, "x.txt", "", 1, "the file is empty"),
    "non-UTF-8 bytes": (
        NerOntonotesReader, "x.v4_gold_conll", BEGIN + row(0) + "d 0 1 caf\udce9 NN * - - - - * -"
        + END, 3, "byte 0xe9 at column 10 is not valid UTF-8"),
}


def make_reader(cls):
    return cls(max_span_width=3) if cls in (CoreferenceConllReader, CoreferenceAceReader) else cls()


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_file(tmp_path, case):
    reader_class, name, text, line, fragment = CASES[case]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(FormatError) as caught:
        list(make_reader(reader_class).read(tmp_path if name.endswith("conll") else path))
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert fragment in message, message


def test_directory_without_any_file_of_the_suffix(tmp_path):
    (tmp_path / "doc.sgm").write_text("0 A * -\n")
    with pytest.raises(FormatError) as caught:
        list(MentionAceReader().read(tmp_path))
    assert str(caught.value) == f"{tmp_path}: the directory contains no file ending in 'like_conll'"


def test_path_that_does_not_exist(tmp_path):
    missing = tmp_path / "dev_rahman.gold_conll"
    with pytest.raises(FormatError) as caught:
        list(CoreferenceAceReader(max_span_width=3).read(missing))
    assert str(caught.value).startswith(f"{missing}: no such file or directory")
