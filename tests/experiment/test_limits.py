"""The length limits read off a config's model and ``data_limits`` blocks, computed by hand."""

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.data.check import DEFAULT_MAX_SENTENCE_TOKENS, SPANS, TOKENS
from hmtl.experiment.limits import length_limits

RELATION = {"type": "relation", "d": 64, "l": 64, "n_classes": 6}
# The demo's coreference head (configs/demo.json).
COREF = {"type": "coreference", "mention_feedforward": {"input_dim": 476, "hidden_dims": 64},
         "antecedent_feedforward": {"input_dim": 1438, "hidden_dims": [64, 64]},
         "feature_size": 10, "max_span_width": 5, "spans_per_word": 0.4, "max_antecedents": 20}


def hierarchical(**heads):
    return {"type": "hierarchical", "tasks": {name: {"head": head} for name, head in heads.items()}}


def limits_of(lengths, task):
    return [(limit.measure, limit.limit, limit.setting) for limit in lengths.tasks.get(task, [])]


def test_the_relation_heads_token_pairs_against_the_budget():
    lengths = length_limits(hierarchical(rel=RELATION))
    # 4 bytes × (2 × 64 + 6) = 536 bytes a pair; 8 GiB / 536 = 16,026,374 pairs; 4003² =
    # 16,024,009 fits, 4004² = 16,032,016 does not
    assert limits_of(lengths, "rel") == [(TOKENS, 4003, "data_limits.max_tokens.rel")]
    assert lengths.sentence.limit == DEFAULT_MAX_SENTENCE_TOKENS == 1000
    [limit] = lengths.tasks["rel"]
    assert limit.reason == (
        "the relation head's tensors would take more than the 8 GiB memory budget "
        "(data_limits.memory_budget_gib), so the model cannot train on it: tokens² × (2 × l=64 + "
        "6 relation types) floats of 4 bytes for its token pairs")


def test_without_n_classes_the_types_are_not_counted_and_the_budget_is_configurable():
    head = {"type": "relation", "l": 64}
    # 4 × 2 × 64 = 512 = 2^9 bytes a pair: 2^33 / 2^9 = 2^24 pairs, 4096 tokens; 0.5 GiB: 1024
    assert limits_of(length_limits(hierarchical(rel=head)), "rel")[0][1] == 4096
    half = length_limits(hierarchical(rel=head), {"memory_budget_gib": 0.5})
    assert limits_of(half, "rel")[0][1] == 1024


def test_the_coreference_heads_candidate_spans_against_the_budget():
    lengths = length_limits(hierarchical(coref=COREF))
    # 4 × (476 + 0.4 / 5 × 20 × (2 × 476 + 64)) = 4 × 2101.6 = 8406.4 bytes a candidate span;
    # 8 GiB / 8406.4 = 1,021,832.4
    assert limits_of(lengths, "coref") == [(SPANS, 1021832, "data_limits.max_spans.coref")]
    assert lengths.tasks["coref"][0].reason.endswith(
        "476 floats per candidate span, and for each span it keeps (spans_per_word=0.4 per "
        "token, at least 0.4/5 of the candidate spans) 20 antecedent pairs of 2 × 476 + 64 "
        "floats, 4 bytes each")


def test_a_coreference_head_without_its_sizes_has_no_span_limit():
    lengths = length_limits(hierarchical(coref={"type": "coreference", "max_span_width": 8}))
    assert lengths.tasks == {}


def test_the_original_form():
    model = {"type": "hmtl", "relation": {"encoder": {}, "tagger": {"l": 32, "n_classes": 6}},
             "coref": {"encoder": {}, "tagger": {k: v for k, v in COREF.items() if k != "type"}}}
    lengths = length_limits(model)
    # 4 × (2 × 32 + 6) = 280 bytes a pair: 8 GiB / 280 = 30,678,337 pairs; 5538² = 30,669,444
    assert limits_of(lengths, "relation") == [(TOKENS, 5538, "data_limits.max_tokens.relation")]
    assert limits_of(lengths, "coref")[0][1] == 1021832


def test_data_limits_replace_or_remove_a_tasks_limits():
    model = hierarchical(rel=RELATION, coref=COREF)
    lengths = length_limits(model, {"max_sentence_tokens": None,
                                    "max_tokens": {"rel": None, "ner": 50},
                                    "max_spans": {"coref": 100}}, ["ner", "rel", "coref"])
    assert lengths.sentence is None
    assert limits_of(lengths, "rel") == []
    assert limits_of(lengths, "ner") == [(TOKENS, 50, "data_limits.max_tokens.ner")]
    assert limits_of(lengths, "coref") == [(SPANS, 100, "data_limits.max_spans.coref")]
    assert lengths.tasks["ner"][0].reason == "the limit the config sets"


@pytest.mark.parametrize("block, message", [
    ([], "data_limits must be an object"),
    ({"max_tokenz": {}}, "data_limits: unknown key(s) max_tokenz; expected memory_budget_gib, "
                         "max_sentence_tokens, max_tokens, max_spans"),
    ({"memory_budget_gib": 0}, "data_limits.memory_budget_gib must be a positive number; got 0"),
    ({"max_sentence_tokens": "1000"}, "data_limits.max_sentence_tokens must be a positive "
                                      "integer or null; got '1000'"),
    ({"max_tokens": {"rel": 0}}, "data_limits.max_tokens.rel must be a positive integer or null"),
    ({"max_spans": [1]}, "data_limits.max_spans must map task names to limits"),
    ({"max_tokens": {"rell": 5}}, "data_limits.max_tokens: there is no task named rell; tasks "
                                  "are rel"),
])
def test_a_bad_data_limits_block_is_a_config_error_naming_the_key(block, message):
    with pytest.raises(ConfigurationError) as caught:
        length_limits(hierarchical(rel=RELATION), block, ["rel"])
    assert caught.value.message.startswith(message)
