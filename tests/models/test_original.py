"""The twelve original ``model`` blocks build unchanged (with tiny GloVe and ELMo files of the
original sizes) and give the original wiring, with the original's defects fixed."""

import copy
import inspect
import json
from pathlib import Path

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.data.token_indexers import (
    ELMoTokenCharactersIndexer,
    SingleIdTokenIndexer,
    TokenCharactersIndexer,
)
from allennlp.models import Model

from hmtl.models import HierarchicalModel
from hmtl.models.original import ORIGINAL_MODELS
from hmtl.testing.embedding_files import glove_vectors, write_elmo, write_glove
from hmtl.testing.instances import as_batch, relation_instance, tagging_instance
from hmtl.testing.vocabulary import add_original_labels

BLOCKS = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "models" / "original_model_blocks.json").read_text()
)
WORDS = ["the", "engineers", "of", "acme", "moved", "to", "oslo", "."]
RELATION_TYPES = ["ORG-AFF", "PHYS", "ART", "PER-SOC", "PART-WHOLE", "GEN-AFF"]


@pytest.fixture(scope="module")
def embedding_files(tmp_path_factory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("embeddings")
    glove = write_glove(directory / "glove.txt.gz", glove_vectors(WORDS[:5], 100), "gz")
    # projection 512 gives the original ELMo's 1024 outputs; the tiny LSTM cell keeps it cheap
    options, weights = write_elmo(directory / "elmo", projection_dim=512, cell_dim=16)
    return {"glove": str(glove), "options": str(options), "weights": str(weights)}


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(WORDS, "tokens")
    vocab.add_tokens_to_namespace(sorted(set("".join(WORDS))), "token_characters")
    add_original_labels(vocab, ["PERSON", "GPE", "ORG"], ["PER", "GPE", "ORG"], RELATION_TYPES)
    return vocab


def block(name: str, files: dict[str, str]) -> dict:
    model = copy.deepcopy(BLOCKS[name])
    embedders = model["text_field_embedder"]["token_embedders"]
    embedders["tokens"]["pretrained_file"] = files["glove"]
    embedders["elmo"]["options_file"] = files["options"]
    embedders["elmo"]["weight_file"] = files["weights"]
    return model


def build(model_block: dict, vocab: Vocabulary) -> HierarchicalModel:
    return Model.from_params(vocab=vocab, params=Params(model_block))


EXPECTED_WIRING = {
    "ner.json": {"ner": None},
    "emd.json": {"ner": None},
    "relation.json": {"relation": None},
    "coref_conll.json": {"coref": None},
    "coref_ace.json": {"coref": None},
    "ner_emd.json": {"ner": None, "emd": "ner"},
    "emd_relation.json": {"emd": None, "relation": "emd"},
    "emd_coref_ace.json": {"emd": None, "coref": "emd"},
    "ner_emd_relation.json": {"ner": None, "emd": "ner", "relation": "emd"},
    "ner_emd_coref_ace.json": {"ner": None, "emd": "ner", "coref": "emd"},
    "hmtl_coref_conll.json": {"ner": None, "emd": "ner", "relation": "emd", "coref": "emd"},
    "hmtl_coref_ace.json": {"ner": None, "emd": "ner", "relation": "emd", "coref": "emd"},
}
HEAD_CLASSES = {
    "ner": "CrfTaggerHead",
    "emd": "CrfTaggerHead",
    "relation": "RelationHead",
    "coref": "CoreferenceHead",
}


def test_the_fixture_has_the_twelve_original_blocks():
    assert sorted(BLOCKS) == sorted(EXPECTED_WIRING)


@pytest.mark.parametrize("name", sorted(EXPECTED_WIRING))
def test_every_original_model_block_builds_with_its_wiring(name, embedding_files, vocab):
    model = build(block(name, embedding_files), vocab)
    assert isinstance(model, HierarchicalModel)
    assert model.text_field_embedder.get_output_dim() == 100 + 1024 + 64  # = 1188
    assert model.encoders.below == EXPECTED_WIRING[name]
    for task, head in model.heads.items():
        assert type(head).__name__ == HEAD_CLASSES[task]
    # AllenNLP 0.7's default: the character table is sized by the character vocabulary
    characters = model.text_field_embedder.token_embedder_token_characters._embedding._module
    assert characters.num_embeddings == vocab.get_vocab_size("token_characters")


def test_emd_uses_its_own_tagger_settings(embedding_files, vocab):
    model_block = block("ner_emd.json", embedding_files)
    model_block["emd"]["tagger"]["dropout"] = 0.5
    model_block["emd"]["tagger"]["constrain_crf_decoding"] = False
    model = build(model_block, vocab)
    assert model.heads["ner"].dropout.p == 0.2
    assert model.heads["emd"].dropout.p == 0.5
    # the tagger dropout also applies to the task's encoder input, as in the original taggers
    assert model.encoders.input_dropout["ner"].p == 0.2
    assert model.encoders.input_dropout["emd"].p == 0.5
    assert bool(model.heads["ner"].crf._constraint_mask.min() == 0)  # constrained
    assert bool(model.heads["emd"].crf._constraint_mask.min() == 1)  # not


def test_relation_types_come_from_the_vocabulary(embedding_files, vocab):
    model = build(block("relation.json", embedding_files), vocab)
    assert model.heads["relation"].relation_types == sorted(RELATION_TYPES)
    model_block = block("relation.json", embedding_files)
    model_block["relation"]["tagger"]["n_classes"] = 5
    with pytest.raises(ConfigurationError, match="n_classes=5"):
        build(model_block, vocab)


def test_old_constraint_type_key_still_builds(embedding_files, vocab):
    model_block = block("ner.json", embedding_files)
    tagger = model_block["ner"]["tagger"]
    del tagger["label_encoding"], tagger["constrain_crf_decoding"]
    tagger["constraint_type"] = "BIOUL"
    head = build(model_block, vocab).heads["ner"]
    assert head.label_encoding == "BIOUL"
    assert bool(head.crf._constraint_mask.min() == 0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b: b["ner"]["tagger"].update(dropuot=0.2), "dropuot"),
        (lambda b: b.update(nerr=copy.deepcopy(b["ner"])), "nerr"),
        (
            lambda b: b["text_field_embedder"]["token_embedders"]["tokens"].update(trainabel=1),
            "trainabel",
        ),
        (
            lambda b: b["ner"]["encoder"].update(input_size=1316),
            "task 'ner'.* input size 1316.* receives 1188",
        ),
        (
            lambda b: b["emd"]["encoder"].update(input_size=1188),
            r"task 'emd'.* input size 1188.* receives 1316 = the base embedding \(1188\) \+ the "
            r"output of 'ner' \(128\)",
        ),
        (lambda b: b["ner"]["tagger"].update(type="relation"), "builds a 'crf_tagger' head"),
        (lambda b: b.pop("emd"), "key \"emd\" is required"),
        (lambda b: b.update(relation=copy.deepcopy(b["emd"])), "relation"),
    ],
)
def test_bad_original_blocks_are_configuration_errors(change, expected, embedding_files, vocab):
    model_block = block("ner_emd.json", embedding_files)
    change(model_block)
    with pytest.raises(ConfigurationError, match=expected):
        build(model_block, vocab)


def test_coref_context_layer_initializer_reaches_the_encoder(embedding_files, vocab):
    torch.manual_seed(0)
    model = build(block("coref_ace.json", embedding_files), vocab)
    lstm = model.encoders.encoders["coref"]._module
    for name in ("weight_hh_l0", "weight_hh_l0_reverse"):
        weight = getattr(lstm, name)  # (4 x 200, 200), "orthogonal": orthonormal columns
        assert torch.allclose(weight.T @ weight, torch.eye(200), atol=1e-4)


def test_an_original_model_runs_on_elmo_and_character_input(embedding_files, vocab):
    torch.manual_seed(0)
    model = build(block("ner_emd_relation.json", embedding_files), vocab)
    indexers = {
        "tokens": SingleIdTokenIndexer(lowercase_tokens=True),
        "token_characters": TokenCharactersIndexer(min_padding_length=3),
        "elmo": ELMoTokenCharactersIndexer(),
    }
    emd = as_batch(
        [
            tagging_instance(WORDS, ["O"] * len(WORDS), "ace_mention_labels", indexers),
            tagging_instance(WORDS[:3], ["O"] * 3, "ace_mention_labels", indexers),
        ],
        vocab,
    )
    relation = as_batch([relation_instance(WORDS, [(1, 3, "ORG-AFF")], indexers=indexers)], vocab)
    assert model(task_name="emd", **emd)["loss"].dim() == 0
    output = model(task_name="relation", **relation)
    output["loss"].backward()
    assert output["relation_scores"].shape == (1, len(WORDS), len(WORDS), 6)
    elmo = model.text_field_embedder.token_embedder_elmo
    assert all(not p.requires_grad for p in elmo._elmo._elmo_lstm.parameters())  # frozen biLM
    assert all(p.grad is not None for p in elmo._elmo.scalar_mix_0.parameters())  # learned mix


def test_the_nine_original_names_share_one_constructor():
    constructors = {name: Model.resolve_class_name(name) for name in ORIGINAL_MODELS}
    assert all(cls is HierarchicalModel for cls, _ in constructors.values())
    assert len(ORIGINAL_MODELS) == 9
    for name, (_, method) in constructors.items():
        blocks = list(inspect.signature(getattr(HierarchicalModel, method)).parameters)
        assert blocks == ["vocab", "text_field_embedder", *ORIGINAL_MODELS[name], "regularizer"]


def test_an_original_block_may_leave_its_sizes_out(embedding_files, vocab):
    written = block("ner_emd_coref_ace.json", embedding_files)
    inferred = copy.deepcopy(written)
    for task in ("ner", "emd", "coref"):
        del inferred[task]["encoder"]["input_size"]
    for key in ("mention_feedforward", "antecedent_feedforward"):
        del inferred["coref"]["tagger"][key]["input_dim"]
    torch.manual_seed(0)
    expected = build(written, vocab).state_dict()
    torch.manual_seed(0)
    actual = build(inferred, vocab).state_dict()
    assert list(actual) == list(expected)
    assert all(torch.equal(actual[name], value) for name, value in expected.items())
