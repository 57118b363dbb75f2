"""The examples of docs/FORMATS.md are read by the project's parsers with the results the text
states (spans, clusters, relations written out by hand below)."""

import re
from pathlib import Path

from hmtl.data.formats.ace_like_conll import RelationFrame, read_ace
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2003 import read_conll2003
from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.data.formats.coref_spans import CorefMention

DOC = Path(__file__).resolve().parents[2] / "docs" / "FORMATS.md"


def example(first_line: str) -> str:
    """The fenced block of FORMATS.md whose first line is ``first_line``."""
    for block in re.findall(r"```\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"no example starting with {first_line!r}")


def test_the_conll_2012_example(tmp_path):
    path = tmp_path / "demo.v4_gold_conll"
    path.write_text(example("#begin document (nw/demo"), encoding="utf-8")
    (document,) = list(read_conll2012(path))
    assert (document.document_id, document.part) == ("nw/demo/00/demo_0001", "000")
    first, second = document.sentences
    assert first.named_entities == [LabeledSpan("PERSON", 0, 1), LabeledSpan("GPE", 3, 3)]
    assert first.coref_mentions == [CorefMention(0, 0, 1), CorefMention(1, 3, 3)]
    assert second.named_entities == []
    assert second.coref_mentions == [CorefMention(0, 0, 0)]


def test_the_conll_2003_example(tmp_path):
    path = tmp_path / "demo.txt"
    path.write_text(example("-DOCSTART-"), encoding="utf-8")
    (sentence,) = list(read_conll2003(path))
    assert [row[0] for row in sentence.rows] == ["Omar", "Haddad", "joined", "Nokia", "."]
    assert sentence.entities == [LabeledSpan("PER", 0, 1), LabeledSpan("ORG", 3, 3)]


def test_the_ace_like_conll_example(tmp_path):
    path = tmp_path / "demo.like_conll"
    path.write_text(example("#begin document demo_0042"), encoding="utf-8")
    (document,) = list(read_ace(path))
    (sentence,) = document.sentences
    assert sentence.mentions == [
        LabeledSpan("PER", 1, 1), LabeledSpan("ORG", 3, 4), LabeledSpan("VEH", 7, 7)
    ]
    assert sentence.relations == [
        RelationFrame("ORG-AFF", 1, 1, 3, 4), RelationFrame("ART", 1, 1, 7, 7)
    ]
    assert sorted(sentence.coref_mentions) == [
        CorefMention(2, 1, 1), CorefMention(6, 3, 4), CorefMention(9, 7, 7)
    ]


def test_the_bracket_example_is_well_formed(tmp_path):
    from hmtl.data.formats.brackets import parse_bracket_column

    cells = [line.split()[1] for line in example("Dr.").splitlines()]
    spans = parse_bracket_column(cells, path="doc", first_line=1, column=1, name="entities")
    assert spans == [LabeledSpan("PERSON", 0, 2), LabeledSpan("DATE", 5, 5)]
