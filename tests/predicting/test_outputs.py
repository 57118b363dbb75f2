"""The prediction JSON: spans with token and character offsets, sorted; clusters numbered."""

import json

from hmtl.predicting.document import from_sentences
from hmtl.predicting.outputs import (
    clusters_json,
    document_json,
    relations_json,
    span_json,
    spans_json,
)

# "Ann Lee met Bob ." -> Ann 0-3, Lee 4-7, met 8-11, Bob 12-15, . 16-17
DOCUMENT = from_sentences(5, [["Ann", "Lee", "met", "Bob", "."]])


def test_a_span_has_token_and_character_offsets_and_its_text():
    assert span_json(DOCUMENT, 0, 2, "PER") == {
        "type": "PER", "start": 0, "end": 2, "char_start": 0, "char_end": 7, "text": "Ann Lee"}
    assert "type" not in span_json(DOCUMENT, 3, 4)


def test_spans_sorted_by_position():
    spans = spans_json(DOCUMENT, [("PER", 3, 4), ("PER", 0, 2)])
    assert [(s["start"], s["text"]) for s in spans] == [(0, "Ann Lee"), (3, "Bob")]


def test_relations_and_clusters():
    relations = relations_json(DOCUMENT, [("PER-SOC", ("PER", 0, 2), (None, 3, 4))])
    assert relations[0]["type"] == "PER-SOC"
    assert relations[0]["arg1"]["text"] == "Ann Lee" and "type" not in relations[0]["arg2"]
    clusters = clusters_json(DOCUMENT, [[(3, 4)], [(3, 4), (0, 2)], []])
    # ordered by first mention: the cluster starting at token 0 is number 0
    assert [c["id"] for c in clusters] == [0, 1]
    assert [[m["text"] for m in c["mentions"]] for c in clusters] == [["Ann Lee", "Bob"], ["Bob"]]


def test_the_document_object_is_plain_json_with_every_task_key():
    tasks = {"ner": "spans", "coref": "clusters"}
    result = document_json(DOCUMENT, tasks, {"ner": []}, ["w"])
    assert json.loads(json.dumps(result)) == result
    assert result["id"] == 5 and result["text"] == "Ann Lee met Bob ."
    assert result["tokens"][1] == {"text": "Lee", "start": 4, "end": 7}
    assert result["sentences"] == [{"start": 0, "end": 5}]
    assert result["ner"] == [] and result["coref"] == [] and result["warnings"] == ["w"]
