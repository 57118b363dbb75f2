"""Entities, mentions (extent and head) and relation mentions from apf.xml; errors name the line."""

from pathlib import Path

import pytest

from hmtl.data.ace2005.apf import CharSpan, read_apf
from hmtl.data.formats.errors import FormatError

ENGLISH = Path(__file__).parents[2] / "fixtures" / "ace2005" / "LDC2006T06" / "data" / "English"
NW = ENGLISH / "nw" / "timex2norm" / "APW_ENG_20030101.0001.apf.xml"
D = "APW_ENG_20030101.0001"


def test_entities_and_their_mentions():
    doc = read_apf(NW)
    assert doc.doc_id == D
    assert [(e.id, e.type, e.subtype, e.entity_class) for e in doc.entities] == [
        (f"{D}-E1", "PER", "Individual", "SPC"),
        (f"{D}-E2", "ORG", "Commercial", "SPC"),
        (f"{D}-E3", "GPE", "Population-Center", "SPC"),
    ]
    # The <entity_attributes><name> charseq of E1 is not a mention: 4, not 5.
    assert [len(e.mentions) for e in doc.entities] == [4, 3, 1]
    president = doc.entities[0].mentions[2]
    assert president.mention_type == "NOM"
    assert president.head == CharSpan(105, 113, "president", 27)
    # Nested extent, XML-decoded: the apf spells the raw `&amp;` as `&amp;amp;`.
    assert president.extent == CharSpan(97, 125, "the new president of AT&amp;T", 24)


def test_relations_keep_arg1_and_arg2_and_ignore_time_arguments():
    doc = read_apf(NW)
    assert [(r.type, r.subtype, len(r.mentions)) for r in doc.relations] == [
        ("ORG-AFF", "Employment", 2), ("PHYS", "Located", 1), ("METONYMY", None, 1),
    ]
    located = doc.relations[1].mentions[0]
    assert (located.id, located.arg1, located.arg2) == (f"{D}-R2-1", f"{D}-E1-2", f"{D}-E3-1")


def test_values_timexes_and_events_are_not_entities():
    doc = read_apf(NW)
    ids = set(doc.mentions_by_id())
    assert len(ids) == 4 + 3 + 1
    assert not any("-V1" in i or "-T1" in i or "-EV1" in i for i in ids)


def _apf(tmp_path, body: str) -> Path:
    path = tmp_path / "doc.apf.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<source_file>\n<document DOCID="d">\n' + body + "</document>\n"
        "</source_file>\n"
    )
    return path


def _mention(start: str = "0", end: str = "3", head: bool = True) -> str:
    span = f'<charseq START="{start}" END="{end}">Acme</charseq>'
    head_xml = f"<head>{span}</head>" if head else ""
    inside = f"<extent>{span}</extent>{head_xml}"
    return f'<entity_mention ID="m1" TYPE="NAM">{inside}</entity_mention>\n'


def test_unknown_entity_type_is_an_error_on_its_line(tmp_path):
    path = _apf(tmp_path, '<entity ID="e1" TYPE="PERSON">\n' + _mention() + "</entity>\n")
    with pytest.raises(FormatError, match=r"line 4: entity TYPE 'PERSON' is not one of"):
        read_apf(path)


@pytest.mark.parametrize(
    "mention, expected",
    [
        (_mention(head=False), r"line 5: <entity_mention> needs one <head>"),
        (_mention(start="x"), r"line 5: expected integer START and END"),
        (_mention(start="7", end="3"), r"line 5: expected 0 <= START <= END, found 7..3"),
    ],
)
def test_broken_mentions_are_errors(tmp_path, mention, expected):
    path = _apf(tmp_path, '<entity ID="e1" TYPE="ORG">\n' + mention + "</entity>\n")
    with pytest.raises(FormatError, match=expected):
        read_apf(path)


def test_relation_mention_needs_both_arguments(tmp_path):
    path = _apf(
        tmp_path,
        '<entity ID="e1" TYPE="ORG">\n' + _mention() + "</entity>\n"
        '<relation ID="r1" TYPE="PHYS">\n<relation_mention ID="r1-1">\n'
        '<relation_mention_argument REFID="m1" ROLE="Arg-1"/>\n</relation_mention>\n</relation>\n',
    )
    with pytest.raises(FormatError, match=r"line 8: expected a relation mention with Arg-1 and"):
        read_apf(path)


def test_repeated_mention_id_is_an_error(tmp_path):
    body = '<entity ID="e1" TYPE="ORG">\n' + _mention() + _mention() + "</entity>\n"
    with pytest.raises(FormatError, match=r"line 6: entity mention id 'm1' already used on line 5"):
        read_apf(_apf(tmp_path, body))


def test_malformed_xml_names_the_line(tmp_path):
    path = _apf(tmp_path, '<entity ID="e1" TYPE="ORG">\n<entity_mention>\n</entity>\n')
    with pytest.raises(FormatError, match=r"line 6: expected well-formed XML: mismatched tag"):
        read_apf(path)
