"""The experiment configs under ``configs/``: the twelve original HMTL configs (same keys and
hyper-parameters, with the documented fixes), ``ner_conll2003.json`` and ``hmtl_transformer.json``.

Each one must load and train: the data paths are pointed at a small generated demo corpus and the
embedding files at tiny random ones of the original sizes, so that the config's own model block
(encoder input sizes included) is what gets built and trained.
"""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models import Model

import hmtl.models  # noqa: F401 - registers the model types
from hmtl.data.ace2005.convert import ORIGINAL_SINGLE_FILE, single_file_path
from hmtl.data.demo_corpus import write_demo_corpus
from hmtl.experiment.config import load_config
from hmtl.testing.embedding_files import glove_vectors, write_bert, write_elmo, write_glove
from hmtl.training.experiment import train

CONFIG_DIR = Path(__file__).parents[2] / "configs"
ORIGINAL_BLOCKS = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "models" / "original_model_blocks.json").read_text()
)
ORIGINALS = sorted(ORIGINAL_BLOCKS)
OURS = ["ner_conll2003.json", "hmtl_transformer.json"]
CONFIGS = sorted(ORIGINALS + OURS)

DATA_PATH_KEYS = ("train_data_path", "validation_data_path", "test_data_path")
EMBEDDING_FILE_KEYS = ("pretrained_file", "options_file", "weight_file", "model_name")
SPLITS = {"train_data_path": "train", "validation_data_path": "dev", "test_data_path": "test"}
# Which demo corpus (a key prefix of write_demo_corpus's result) each reader type reads.
CORPUS_OF_READER = {
    "ner_ontonotes": "conll2012",
    "mention_ace": "ace2005",
    "relation_ace": "ace2005",
    "coref": "conll2012_single_file",
    "coref_ace": "ace2005_single_file",
    "ner_conll2003": "conll2003",
}
COREF_READERS = ("coref", "coref_ace")
# The six ACE relation types of the original's `n_classes: 6`.
RELATION_TYPES = ("ART", "GEN-AFF", "ORG-AFF", "PART-WHOLE", "PER-SOC", "PHYS")

# Sizes of the original model (its configs): GloVe 100 + ELMo 2 x 512 + char-CNN 64 filters.
GLOVE, ELMO, CHARS = 100, 2 * 512, 64
BASE = GLOVE + ELMO + CHARS  # 1188
LOWER_BILSTM = 2 * 64  # a NER or EMD encoder's output
BERT_BASE = 768
BERT_BASE_POSITIONS = 512
TEST_BERT_POSITIONS = 128  # write_bert's max_position_embeddings


def read(name: str) -> dict[str, Any]:
    return json.loads((CONFIG_DIR / name).read_text())


def task_blocks(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: block for key, block in config.items() if key.startswith("task_")}


def walk(node: Any, where: str = ""):
    """Every (dotted location, key, value) in a nested config."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield where, key, value
            yield from walk(value, f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}.{index}")


def test_every_expected_config_is_there():
    present = sorted(p.name for p in CONFIG_DIR.glob("*.json") if p.name != "demo.json")
    assert present == CONFIGS
    assert len(ORIGINALS) == 12


@pytest.mark.parametrize("name", CONFIGS)
def test_config_is_json_with_a_registered_model_and_paths_under_data(name):
    config = read(name)
    assert config["model"]["type"] in Model.list_available()
    paths = [value for _, key, value in walk(config) if key in DATA_PATH_KEYS]
    assert len(paths) == 3 * len(task_blocks(config))
    files = [value for _, key, value in walk(config["model"]) if key in EMBEDDING_FILE_KEYS]
    assert files, "a model with no embedding file"
    for path in paths + files:
        assert path.startswith("./data/"), path


@pytest.mark.parametrize("name", ORIGINALS)
def test_original_model_blocks_are_unchanged(name):
    assert read(name)["model"] == ORIGINAL_BLOCKS[name]


@pytest.mark.parametrize("name", CONFIGS)
def test_original_trainer_and_batching_with_the_scheduler_maximising_f1(name):
    config = read(name)
    trainer = config["multi_task_trainer"]
    assert trainer == {
        "type": "sampler_multi_task_trainer",
        "sampling_method": "proportional",
        "patience": 10,
        "num_epochs": 100,
        "min_lr": "1e-7",
        "grad_norm": 5.0,
        "grad_clipping": 10.0,
        "cuda_device": 0,
        "optimizer": {"type": "adam", "lr": 0.001},
        "scheduler": {"type": "reduce_on_plateau", "mode": "max", "factor": 0.5, "patience": 5,
                      "threshold": 0.0001, "threshold_mode": "abs", "verbose": True},
    }
    names = {block["task_description"]["task_name"] for block in task_blocks(config).values()}
    expected = {"iterator": {"type": "basic", "batch_size": 32}}
    if "relation" in names:
        expected["iterator_relation"] = {"type": "basic", "batch_size": 4}
    if "coref" in names:
        expected["iterator_coref"] = {"type": "bucket", "sorting_keys": [["text", "num_tokens"]],
                                      "padding_noise": 0.0, "batch_size": 1}
    assert config["iterators"] == expected


@pytest.mark.parametrize("name", CONFIGS)
def test_task_descriptions_and_readers(name):
    for key, block in task_blocks(read(name)).items():
        description = block["task_description"]
        reader = block["data_params"]["dataset_reader"]
        metric = "coref_f1" if reader["type"] in COREF_READERS else "f1-measure-overall"
        assert description["validation_metric_name"] == metric
        assert description["validation_metric_decreases"] is False
        assert description["evaluate_on_test"] is True
        assert block["data_params"]["datasets_for_vocab_creation"] == ["train"]
        # The original dropped relation-less sentences; its configs reproduce that explicitly.
        assert reader.get("skip_sentences_without_relations") is (
            True if reader["type"] == "relation_ace" else None
        ), key
        if reader["type"] in COREF_READERS:
            assert reader["max_span_width"] == 8


def test_ace_coreference_files_are_the_originals_and_prepare_ace2005_can_write_them():
    expected = {
        "coref_ace.json": "single_file_{split}_rahman.gold_conll",
        "hmtl_coref_ace.json": "single_file_{split}_rahman.gold_conll",
        "emd_coref_ace.json": "single_file_{split}.gold_conll",
        "ner_emd_coref_ace.json": "single_file_{split}.gold_conll",
    }
    assert expected["coref_ace.json"] == ORIGINAL_SINGLE_FILE  # prepare-ace2005's default
    for name, template in expected.items():
        params = read(name)["task_coref"]["data_params"]
        for key, split in SPLITS.items():
            # the path `prepare-ace2005 --out data/ace2005 --single-file <template>` writes
            written = single_file_path("data/ace2005", split, template)
            assert params[key] == "./" + written.as_posix()


def test_ner_conll2003_is_ner_json_on_conll2003():
    config, ner = read("ner_conll2003.json"), read("ner.json")
    reader = config["task_ner"]["data_params"]["dataset_reader"]
    assert reader["type"] == "ner_conll2003"
    assert reader["label_namespace"] == "conll2003_ner_labels"
    assert config["model"]["ner"]["tagger"]["label_namespace"] == "conll2003_ner_labels"
    assert config["model"]["text_field_embedder"] == ner["model"]["text_field_embedder"]
    assert config["model"]["ner"]["encoder"] == ner["model"]["ner"]["encoder"]


def test_hmtl_transformer_leaves_out_the_sizes_the_hierarchy_gives(tmp_path):
    model = read("hmtl_transformer.json")["model"]
    assert model["type"] == "hmtl"
    assert model["text_field_embedder"]["token_embedders"]["tokens"]["type"] == (
        "pretrained_transformer_mismatched"
    )
    sizes = [key for _, key, _ in walk(model) if key in ("input_size", "input_dim", "d")]
    assert sizes == []
    # Built at BERT-base width, the sizes are those the original arithmetic gives.
    bert = write_bert(tmp_path / "bert", ["the", "of"], BERT_BASE)
    model["text_field_embedder"]["token_embedders"]["tokens"]["model_name"] = str(bert)
    vocab = Vocabulary()
    for label in ("O", "U-PER"):
        vocab.add_token_to_namespace(label, "ontonotes_ner_labels")
        vocab.add_token_to_namespace(label, "ace_mention_labels")
    for kind in RELATION_TYPES:
        vocab.add_tokens_to_namespace([f"ARG1_{kind}", f"ARG2_{kind}"], "relation_ace_labels")
    built = Model.from_params(Params(copy.deepcopy(model)), vocab=vocab)
    upper = BERT_BASE + LOWER_BILSTM  # 768 + 128 = 896
    assert built.encoders.encoders["ner"].get_input_dim() == BERT_BASE
    for task in ("emd", "relation", "coref"):
        assert built.encoders.encoders[task].get_input_dim() == upper
    # span = both ends of the 2 x 200 context BiLSTM + width feature 20 + attended input
    span = 2 * 400 + 20 + upper  # 1716
    coref = built.heads["coref"]
    assert coref._mention_feedforward._module.get_input_dim() == span
    assert coref._antecedent_feedforward.get_input_dim() == 3 * span + 20  # 5168
    assert built.heads["relation"].arg1_projection.in_features == LOWER_BILSTM  # 2 x d, d = 64
    full = read("hmtl_coref_conll.json")["model"]
    # the same base-embedding arithmetic gives the original's 1188 / 1316 / 2136 / 6428
    assert full["ner"]["encoder"]["input_size"] == BASE
    original_span = 2 * 400 + 20 + BASE + LOWER_BILSTM
    assert full["coref"]["tagger"]["mention_feedforward"]["input_dim"] == original_span
    assert full["coref"]["tagger"]["antecedent_feedforward"]["input_dim"] == 3 * original_span + 20
    assert full["relation"]["tagger"]["d"] == 64
    full["relation"]["tagger"].pop("d")
    for task in ("ner", "emd", "relation"):
        assert model[task]["tagger"] == full[task]["tagger"]
    readers = [block["data_params"]["dataset_reader"]
               for block in task_blocks(read("hmtl_transformer.json")).values()]
    for reader in readers:
        # documents longer than BERT's positions are folded into segments, on both sides
        assert reader["token_indexers"] == {"tokens": {
            "type": "pretrained_transformer_mismatched",
            "model_name": "./data/transformer/bert-base-cased",
            "max_length": BERT_BASE_POSITIONS}}
    assert model["text_field_embedder"]["token_embedders"]["tokens"]["max_length"] == (
        BERT_BASE_POSITIONS
    )


# ------------------------------------------------------------------------------------- training


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("configs")
    corpus = write_demo_corpus(root / "data", num_documents=20)
    glove = write_glove(root / "glove.txt.gz", glove_vectors(["the", "of", "to", ".", "a"], GLOVE),
                        "gz")
    # projection 512 gives the original ELMo's 1024 outputs; the tiny LSTM cell keeps it cheap
    options, weights = write_elmo(root / "elmo", projection_dim=512, cell_dim=16)
    return {"root": root, "corpus": corpus, "glove": glove, "options": options,
            "weights": weights}


def overrides_for(config: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """Dotted overrides: demo data, tiny embedding files, 4 instances a task (2 documents for
    coreference) read from each split, one batch of the default iterator, one epoch, on the
    CPU."""
    overrides: dict[str, Any] = {
        "multi_task_trainer.num_epochs": 1,
        "multi_task_trainer.cuda_device": -1,
        "multi_task_trainer.no_tqdm": True,
        "iterators.iterator.batch_size": 4,
    }
    for key, block in task_blocks(config).items():
        reader = block["data_params"]["dataset_reader"]
        corpus = CORPUS_OF_READER[reader["type"]]
        for path_key, split in SPLITS.items():
            overrides[f"{key}.data_params.{path_key}"] = str(files["corpus"][f"{corpus}_{split}"])
        limit = 2 if reader["type"] in COREF_READERS else 4
        overrides[f"{key}.data_params.dataset_reader.max_instances"] = limit
        # so few training sentences miss labels of the others: every split makes the vocabulary
        overrides[f"{key}.data_params.datasets_for_vocab_creation"] = ["train", "validation",
                                                                       "test"]
        for name, indexer in reader["token_indexers"].items():
            if "model_name" in indexer:
                where = f"{key}.data_params.dataset_reader.token_indexers.{name}"
                overrides[f"{where}.model_name"] = str(files["bert"])
                overrides[f"{where}.max_length"] = TEST_BERT_POSITIONS
    if "relation" in config["model"]:
        # a dozen demo sentences need not show all six types that `n_classes: 6` checks for
        labels = [f"{arg}_{kind}" for kind in RELATION_TYPES for arg in ("ARG1", "ARG2")]
        overrides["vocabulary"] = {"tokens_to_add": {"relation_ace_labels": labels}}
    embedders = config["model"]["text_field_embedder"]["token_embedders"]
    prefix = "model.text_field_embedder.token_embedders"
    for name, embedder in embedders.items():
        if "pretrained_file" in embedder:
            overrides[f"{prefix}.{name}.pretrained_file"] = str(files["glove"])
        if "options_file" in embedder:
            overrides[f"{prefix}.{name}.options_file"] = str(files["options"])
            overrides[f"{prefix}.{name}.weight_file"] = str(files["weights"])
        if "model_name" in embedder:
            overrides[f"{prefix}.{name}.model_name"] = str(files["bert"])
            overrides[f"{prefix}.{name}.max_length"] = TEST_BERT_POSITIONS
    return overrides


@pytest.mark.slow
@pytest.mark.parametrize("name", CONFIGS)
def test_config_loads_and_trains(name, files, tmp_path):
    config = read(name)
    if name == "hmtl_transformer.json":
        # BERT-base width, one layer: the config's own encoder sizes apply unchanged
        files = {**files, "bert": write_bert(tmp_path / "bert", ["the", "of"], BERT_BASE)}
    params = load_config(CONFIG_DIR / name, overrides_for(config, files))
    run = tmp_path / "run"
    train(params, run)
    tasks = [block["task_description"]["task_name"] for block in task_blocks(config).values()]
    metrics = json.loads((run / "metrics.json").read_text())
    for task in tasks:
        assert (run / f"best_{task}.th").is_file(), task
        metric = task_blocks(config)[f"task_{task}"]["task_description"]["validation_metric_name"]
        assert metric in metrics[task]["test"][task]


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a CPU-only machine")
def test_the_original_cuda_device_0_fails_clearly_without_a_gpu(files, tmp_path):
    config = read("ner.json")
    overrides = overrides_for(config, files)
    del overrides["multi_task_trainer.cuda_device"]
    with pytest.raises(ConfigurationError, match="cuda_device 0 .*use -1 for the CPU"):
        train(load_config(CONFIG_DIR / "ner.json", overrides), tmp_path / "run")
