"""The hierarchical model from a ``hierarchical`` config: wiring checks, running only the
path of a task, sharing layers in ``predict_all``, gradients from every head, metrics."""

import copy

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.data.token_indexers import PretrainedTransformerMismatchedIndexer
from allennlp.models import Model

from hmtl.models import HierarchicalModel
from hmtl.testing.embedding_files import write_bert
from hmtl.testing.instances import as_batch, coref_instance, relation_instance, tagging_instance

EMBEDDING_DIM = 6
HIDDEN = 4  # bidirectional: encoders output 8


def lstm(input_size: int) -> dict:
    return {"type": "lstm", "input_size": input_size, "hidden_size": HIDDEN, "bidirectional": True}


def crf(namespace: str) -> dict:
    return {
        "type": "crf_tagger",
        "label_namespace": namespace,
        "label_encoding": "BIOUL",
        "dropout": 0.1,
    }


def coref_head(encoder_input_dim: int) -> dict:
    span_dim = 2 * 2 * HIDDEN + 3 + encoder_input_dim
    return {
        "type": "coreference",
        "mention_feedforward": {
            "input_dim": span_dim,
            "num_layers": 1,
            "hidden_dims": 5,
            "activations": "relu",
        },
        "antecedent_feedforward": {
            "input_dim": 3 * span_dim + 3,
            "num_layers": 1,
            "hidden_dims": 5,
            "activations": "relu",
        },
        "feature_size": 3,
        "max_span_width": 2,
        "spans_per_word": 0.5,
        "max_antecedents": 3,
    }


UPPER_INPUT = EMBEDDING_DIM + 2 * HIDDEN  # 6 + 8 = 14

CONFIG = {
    "type": "hierarchical",
    "text_field_embedder": {
        "token_embedders": {"tokens": {"type": "embedding", "embedding_dim": EMBEDDING_DIM}}
    },
    "tasks": {
        "ner": {"encoder": lstm(EMBEDDING_DIM), "head": crf("ner_labels"), "dropout": 0.1},
        "emd": {
            "encoder": lstm(UPPER_INPUT),
            "head": crf("mention_labels"),
            "below": "ner",
            "dropout": 0.3,
        },
        "relation": {
            "encoder": lstm(UPPER_INPUT),
            "head": {"type": "relation", "l": 5},
            "below": "emd",
        },
        "coref": {"encoder": lstm(UPPER_INPUT), "head": coref_head(UPPER_INPUT), "below": "emd"},
    },
}

WORDS = "john smith lives in paris".split()


def instances() -> dict:
    return {
        "ner": [
            tagging_instance(WORDS, "B-PER L-PER O O U-LOC".split(), "ner_labels"),
            tagging_instance(WORDS[:3], "B-PER L-PER O".split(), "ner_labels"),
        ],
        "emd": [
            tagging_instance(WORDS, "B-PER L-PER O O U-GPE".split(), "mention_labels"),
            tagging_instance(WORDS[2:], "O O U-GPE".split(), "mention_labels"),
        ],
        "relation": [relation_instance(WORDS, [(1, 4, "PHYS")]), relation_instance(WORDS[:2], [])],
        "coref": [
            coref_instance(WORDS + ["he"], [[(0, 1), (5, 5)]], max_span_width=2),
            coref_instance(WORDS[:3], [], max_span_width=2),
        ],
    }


@pytest.fixture(scope="module")
def data() -> tuple[Vocabulary, dict]:
    by_task = instances()
    vocab = Vocabulary.from_instances([i for group in by_task.values() for i in group])
    return vocab, {task: as_batch(group, vocab) for task, group in by_task.items()}


def build(vocab: Vocabulary, config: dict = CONFIG) -> HierarchicalModel:
    torch.manual_seed(0)
    return Model.from_params(vocab=vocab, params=Params(copy.deepcopy(config)))


def count_encoder_calls(model: HierarchicalModel) -> dict[str, int]:
    calls = dict.fromkeys(model.encoders.encoders, 0)
    for name, encoder in model.encoders.encoders.items():

        def hook(_module, _inputs, _output, name=name):
            calls[name] += 1

        encoder.register_forward_hook(hook)
    return calls


def test_builds_the_configured_hierarchy(data):
    vocab, _ = data
    model = build(vocab)
    assert isinstance(model, HierarchicalModel)
    assert model.encoders.paths == {
        "ner": ["ner"],
        "emd": ["ner", "emd"],
        "relation": ["ner", "emd", "relation"],
        "coref": ["ner", "emd", "coref"],
    }
    assert model.heads["emd"].encoder_input_dim == UPPER_INPUT
    assert model.heads["relation"].encoder_output_dim == 2 * HIDDEN
    assert model.encoders.input_dropout["emd"].p == 0.3
    assert isinstance(model.encoders.input_dropout["relation"], torch.nn.Identity)


def test_declared_input_size_is_checked(data):
    vocab, _ = data
    config = copy.deepcopy(CONFIG)
    config["tasks"]["relation"]["encoder"]["input_size"] = 1316
    with pytest.raises(ConfigurationError) as error:
        build(vocab, config)
    message = str(error.value)
    assert "task 'relation'" in message and "1316" in message
    assert "14 = the base embedding (6) + the output of 'emd' (8)" in message


def without_sizes(config: dict) -> dict:
    """``config`` with every size the hierarchy gives left out."""
    config = copy.deepcopy(config)
    for task in config["tasks"].values():
        task["encoder"].pop("input_size")
    for key in ("mention_feedforward", "antecedent_feedforward"):
        config["tasks"]["coref"]["head"][key].pop("input_dim")
    return config


def test_left_out_sizes_are_inferred_and_initialise_as_the_written_ones(data):
    vocab, _ = data
    inferred = build(vocab, without_sizes(CONFIG))
    after_inferred = torch.rand(3)
    written = build(vocab)
    after_written = torch.rand(3)
    sizes = {task: encoder.get_input_dim() for task, encoder in inferred.encoders.encoders.items()}
    assert sizes == {"ner": 6, "emd": 14, "relation": 14, "coref": 14}
    span = 8 + 8 + 3 + 14  # both ends of the coref BiLSTM, width feature, attended input
    coref = inferred.heads["coref"]
    assert coref._mention_feedforward._module.get_input_dim() == span
    assert coref._antecedent_feedforward.get_input_dim() == 3 * span + 3  # 102
    assert list(inferred.state_dict()) == list(written.state_dict())
    for name, value in written.state_dict().items():
        assert torch.equal(inferred.state_dict()[name], value), name
    # measuring the embedder for the inferred sizes leaves the random generator where it was
    assert torch.equal(after_inferred, after_written)


def test_an_encoder_taking_input_dim_gets_it_and_passes_it_up(data):
    vocab, _ = data
    config = without_sizes(CONFIG)
    config["tasks"]["ner"]["encoder"] = {"type": "pass_through"}  # outputs its input: 6
    model = build(vocab, config)
    assert model.encoders.encoders["ner"].get_input_dim() == 6
    assert model.encoders.encoders["emd"].get_input_dim() == 6 + 6
    # coref sits on emd, whose BiLSTM outputs 8 whatever its input
    assert model.heads["coref"]._mention_feedforward._module.get_input_dim() == 8 + 8 + 3 + 14


def test_a_written_coreference_size_that_disagrees_names_both(data):
    vocab, _ = data
    config = without_sizes(CONFIG)
    config["tasks"]["coref"]["head"]["antecedent_feedforward"]["input_dim"] = 100
    with pytest.raises(ConfigurationError, match=r"antecedent_feedforward input_dim is 100, "
                                                 r"expected 102 = 3 x 33"):
        build(vocab, config)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["tasks"]["emd"].update(below="pos"), "sits on 'pos'"),
        (lambda c: c["tasks"]["ner"].update(below="emd", encoder=lstm(UPPER_INPUT)), "cycle"),
        (lambda c: c["tasks"]["emd"].update(belwo="ner"), "belwo"),
        (lambda c: c["tasks"]["ner"]["head"].update(label_namspace="x"), "label_namspace"),
        (lambda c: c.update(tasks={}), "at least one task"),
    ],
)
def test_bad_configs_are_configuration_errors(data, change, expected):
    vocab, _ = data
    config = copy.deepcopy(CONFIG)
    change(config)
    with pytest.raises(ConfigurationError, match=expected):
        build(vocab, config)


def test_forward_runs_only_the_path_of_the_task(data):
    vocab, batches = data
    model = build(vocab)
    calls = count_encoder_calls(model)
    output = model(task_name="relation", **batches["relation"])
    assert calls == {"ner": 1, "emd": 1, "relation": 1, "coref": 0}
    assert output["loss"].dim() == 0
    assert output["relation_scores"].shape[:3] == (2, 5, 5)
    model(task_name="ner", **batches["ner"])
    assert calls == {"ner": 2, "emd": 1, "relation": 1, "coref": 0}


def test_predict_all_computes_every_layer_once_and_matches_forward(data):
    vocab, batches = data
    model = build(vocab).eval()
    calls = count_encoder_calls(model)
    batch = batches["coref"]  # has the spans coref needs; its gold is withheld from the heads
    with torch.no_grad():
        everything = model.predict_all(**batch)
    assert calls == {"ner": 1, "emd": 1, "relation": 1, "coref": 1}
    assert set(everything) == {"ner", "emd", "relation", "coref"}
    assert all("loss" not in output for output in everything.values())
    text_only = {"text": batch["text"], "spans": batch["spans"]}
    with torch.no_grad():
        for task in ("ner", "emd", "relation"):
            alone = model(task_name=task, **text_only)
            key = "logits" if task != "relation" else "relation_scores"
            assert torch.allclose(alone[key], everything[task][key])
        assert torch.equal(
            model(task_name="coref", **text_only)["predicted_antecedents"],
            everything["coref"]["predicted_antecedents"],
        )
    readable = model.make_output_human_readable(everything)
    assert len(readable["ner"]["tags"][0]) == 6 and isinstance(readable["ner"]["tags"][0][0], str)


@pytest.mark.parametrize("task", ["ner", "emd", "relation", "coref"])
def test_gradients_reach_the_shared_layers_from_every_head(data, task):
    vocab, batches = data
    model = build(vocab)
    model(task_name=task, **batches[task])["loss"].backward()

    def has_gradient(module: torch.nn.Module) -> bool:
        return any(p.grad is not None and p.grad.abs().sum() > 0 for p in module.parameters())

    assert has_gradient(model.text_field_embedder)
    path = model.encoders.paths[task]
    for name, encoder in model.encoders.encoders.items():
        assert has_gradient(encoder) == (name in path), name
    for name, head in model.heads.items():
        assert has_gradient(head) == (name == task), name


def test_metrics_per_task_and_prefixed(data):
    vocab, batches = data
    model = build(vocab)
    model(task_name="ner", **batches["ner"])
    ner = model.get_metrics(task_name="ner")
    assert {"precision-overall", "recall-overall", "f1-measure-overall"} <= set(ner)
    everything = model.get_metrics()
    assert everything["ner/f1-measure-overall"] == ner["f1-measure-overall"]
    assert "relation/f1-measure-overall" in everything
    assert all(isinstance(value, float) for value in everything.values())


def test_clear_errors_for_unknown_task_and_missing_text(data):
    vocab, batches = data
    model = build(vocab)
    with pytest.raises(ConfigurationError, match="unknown task 'pos'"):
        model(task_name="pos", **batches["ner"])
    with pytest.raises(ConfigurationError, match="exactly one text field"):
        model(task_name="ner", tags=batches["ner"]["tags"])
    with pytest.raises(ConfigurationError, match="needs the task_name"):
        model.make_output_human_readable({"tags": []})


def test_layer_outputs_for_probing(data):
    vocab, batches = data
    model = build(vocab).eval()
    layers, mask = model.layer_outputs(batches["ner"]["tokens"])
    assert list(layers) == [
        "text_field_embedder",
        "encoder_ner",
        "encoder_emd",
        "encoder_relation",
        "encoder_coref",
    ]
    assert layers["text_field_embedder"].shape == (2, 5, EMBEDDING_DIM)
    assert layers["encoder_relation"].shape == (2, 5, 2 * HIDDEN)
    assert mask.tolist()[1] == [True, True, True, False, False]


def test_a_new_task_on_any_level_is_a_config_change(data):
    vocab, batches = data
    config = copy.deepcopy(CONFIG)
    # a second tagger on top of relation, reading the NER tags: no new class needed
    config["tasks"]["ner_again"] = {
        "encoder": lstm(UPPER_INPUT),
        "head": crf("ner_labels"),
        "below": "relation",
    }
    model = build(vocab, config)
    assert model.encoders.paths["ner_again"] == ["ner", "emd", "relation", "ner_again"]
    assert model(task_name="ner_again", **batches["ner"])["loss"].dim() == 0


def test_a_local_transformer_can_be_the_base_embedder(tmp_path):
    model_dir = str(write_bert(tmp_path / "bert", WORDS, hidden_size=8))
    indexers = {"tokens": PretrainedTransformerMismatchedIndexer(model_dir)}
    tagged = [
        tagging_instance(WORDS, "B-PER L-PER O O U-LOC".split(), "ner_labels", indexers),
        tagging_instance(["parisian"], ["U-LOC"], "ner_labels", indexers),
    ]
    vocab = Vocabulary.from_instances(tagged)
    config = {
        "type": "hierarchical",
        "text_field_embedder": {
            "token_embedders": {
                "tokens": {"type": "pretrained_transformer_mismatched", "model_name": model_dir}
            }
        },
        "tasks": {"ner": {"encoder": lstm(8), "head": crf("ner_labels")}},
    }
    model = build(vocab, config)
    output = model(task_name="ner", **as_batch(tagged, vocab))
    output["loss"].backward()
    assert output["logits"].shape[:2] == (2, 5)  # one row per word, not per word piece
    assert [len(tags) for tags in output["tags"]] == [5, 1]
    transformer = model.text_field_embedder.token_embedder_tokens
    assert any(p.grad is not None for p in transformer.parameters())
