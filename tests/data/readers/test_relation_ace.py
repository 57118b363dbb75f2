"""`relation_ace`: frames reduced to their arguments' last tokens; relation-free sentences."""

import logging

from hmtl.data.readers.relation_ace import SKIPPED_WITHOUT_RELATIONS, RelationAceReader
from tests.data.readers.conftest import ACE_TRAIN, words


def frames(instance):
    return [field.labels for field in instance["relations"].field_list]


def test_engineers_example_and_negative_sentences():
    instances = list(RelationAceReader().read(ACE_TRAIN))
    assert len(instances) == 4
    spec = instances[0]
    assert words(spec, "text") == ["The", "engineers", "of", "Acme", "Corp", "moved", "to",
                                   "Oslo", "."]
    # (engineers -> Corp, ORG-AFF): ARG1 ends at 1, ARG2 "Acme Corp" ends at 4
    # (engineers -> Oslo, PHYS): ARG1 ends at 1, ARG2 at 7
    assert frames(spec) == [
        ["*", "ARG1_ORG-AFF", "*", "*", "ARG2_ORG-AFF", "*", "*", "*", "*"],
        ["*", "ARG1_PHYS", "*", "*", "*", "*", "*", "ARG2_PHYS", "*"],
    ]
    assert spec["relations"].field_list[0]._label_namespace == "relation_ace_labels"
    assert spec["metadata"]["words"][1] == "engineers"
    # "They paid # 5 ." has no relation: one all-'*' frame
    assert frames(instances[1]) == [["*"] * 5]
    assert frames(instances[2]) == [["ARG1_ORG-AFF", "*", "*", "*", "ARG2_ORG-AFF"]]
    assert frames(instances[3]) == [["*", "*"]]


def test_skipping_sentences_without_relations_is_logged(caplog):
    reader = RelationAceReader(skip_sentences_without_relations=True)
    with caplog.at_level(logging.INFO, logger="hmtl.data.readers.relation_ace"):
        instances = list(reader.read(ACE_TRAIN))
    assert [words(i, "text")[0] for i in instances] == ["The", "Staff"]
    assert "read 4 sentences with 3 relations" in caplog.text
    assert "2 sentences have no relation, 2 of them skipped" in caplog.text


def test_text_to_instance_for_prediction_and_empty_frames():
    reader = RelationAceReader()
    assert set(reader.text_to_instance(["a", "b"]).fields) == {"text", "metadata"}
    assert frames(reader.text_to_instance(["a", "b"], [])) == [["*", "*"]]


def test_the_read_summary_counts_the_skipped_sentences():
    reader = RelationAceReader(skip_sentences_without_relations=True)
    list(reader.read(ACE_TRAIN))
    summary = reader.read_summary
    # 4 sentences in 2 documents; "They paid # 5 ." and "They left" have no relation
    assert (summary.documents, summary.sentences) == (2, 4)
    assert summary.skipped == {SKIPPED_WITHOUT_RELATIONS: 2}
    reader = RelationAceReader()
    list(reader.read(ACE_TRAIN))
    assert not reader.read_summary.skipped
