"""Hand-made instances have the readers' field layout."""

from allennlp.data import Vocabulary

from hmtl.testing.instances import (
    as_batch,
    coref_instance,
    relation_frames,
    relation_instance,
    tagging_instance,
)


def test_relation_frames_mark_the_last_tokens_of_both_arguments():
    assert relation_frames(4, [(1, 3, "PHYS"), (0, 1, "ART")]) == [
        ["*", "ARG1_PHYS", "*", "ARG2_PHYS"],
        ["ARG1_ART", "ARG2_ART", "*", "*"],
    ]
    assert relation_frames(2, []) == [["*", "*"]]


def test_field_layouts_and_batching():
    tagged = tagging_instance(["a", "b"], ["O", "U-PER"], "x_labels")
    assert set(tagged.fields) == {"tokens", "tags", "metadata"}
    assert set(tagging_instance(["a"]).fields) == {"tokens", "metadata"}
    related = relation_instance(["a", "b", "c"], [(0, 2, "PHYS")])
    assert set(related.fields) == {"text", "relations", "metadata"}
    coref = coref_instance(["a", "b", "c"], [[(0, 0), (1, 2)]], max_span_width=2)
    assert set(coref.fields) == {"text", "spans", "span_labels", "metadata"}
    # spans up to width 2 in 3 tokens: (0,0) (0,1) (1,1) (1,2) (2,2)
    assert [(s.span_start, s.span_end) for s in coref["spans"]] == [
        (0, 0),
        (0, 1),
        (1, 1),
        (1, 2),
        (2, 2),
    ]
    assert coref["span_labels"].labels == [0, -1, -1, 0, -1]
    vocab = Vocabulary.from_instances([related, relation_instance(["d"], [])])
    batch = as_batch([related, relation_instance(["d"], [])], vocab)
    assert batch["relations"].shape == (2, 1, 3)
