"""Reading every split before training: ``check_tasks`` counts and warnings on hand-written files,
and ``train`` stopping on a malformed test file before any checkpoint is written."""

import copy
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.data.check import ModelLimits, check_tasks, format_report
from hmtl.data.formats.errors import FormatError
from hmtl.experiment.limits import model_limits
from hmtl.experiment.task import build_tasks
from hmtl.modules.heads.head import Head
from hmtl.testing.embedding_files import write_bert
from hmtl.training.experiment import train
from tests.training.conftest import toy_config_dict

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "data_check"


def check_config(validation: str = "dev.txt") -> dict[str, Any]:
    """A conll2003 task (train.txt, a dev file) and a toy task whose validation file is empty."""
    return {
        "task_ner": {
            "task_description": {"task_name": "ner"},
            "data_params": {
                "dataset_reader": {"type": "ner_conll2003"},
                "train_data_path": str(DATA / "train.txt"),
                "validation_data_path": str(DATA / validation),
            },
        },
        "task_toy": {
            "task_description": {"task_name": "toy"},
            "data_params": {
                "dataset_reader": {"type": "toy_tagging"},
                "train_data_path": str(DATA / "toy_train.txt"),
                "validation_data_path": str(DATA / "empty.txt"),
            },
        },
        "iterators": {"iterator": {"type": "basic", "batch_size": 2}},
    }


@pytest.fixture(scope="module")
def report():
    return check_tasks(build_tasks(Params(check_config())))


def test_counts_of_the_conll_task_match_the_files(report):
    ner = report.tasks[0]
    assert ner.name == "ner" and list(ner.splits) == ["train", "validation"]
    train_stats = ner.splits["train"]
    # train.txt: "Anna sings ." (3 tokens) and "Paris is big today ." (5 tokens); BIOUL tags.
    assert (train_stats.files, train_stats.instances) == (1, 2)
    assert (train_stats.tokens, train_stats.longest) == (3 + 5, 5)
    assert dict(train_stats.labels) == {"U-PER": 1, "U-LOC": 1, "O": 2 + 4}
    dev = ner.splits["validation"]
    # dev.txt: "Bob visits UN" with Bob a PER and UN an ORG.
    assert (dev.instances, dev.tokens, dev.longest) == (1, 3, 3)
    assert dict(dev.labels) == {"U-PER": 1, "O": 1, "U-ORG": 1}
    assert (dev.relations, dev.clusters, dev.mentions) == (0, 0, 0)


def test_unseen_labels_and_empty_splits_are_warnings(report):
    assert report.warnings == [
        "task ner: validation has labels never seen in train: U-ORG (1)",
        f"task toy: validation split {DATA / 'empty.txt'} is empty",
    ]


def test_the_table_has_a_row_per_split_and_the_warnings(report):
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].split() == [
        "task", "split", "files", "documents", "sentences", "instances", "tokens", "longest",
        "relations", "clusters", "mentions",
    ]
    # train.txt: one -DOCSTART- document of 2 sentences
    assert lines[1].split() == ["ner", "train", "1", "1", "2", "2", "8", "5", "0", "0", "0"]
    # the toy reader keeps no summary: documents and sentences are unknown
    assert lines[4].split() == ["toy", "validation", "1", "-", "-", "0", "0", "0", "0", "0",
                                "0"]
    assert "ner validation labels: O=1, U-ORG=1, U-PER=1" in lines
    assert "skipped: none" in lines
    assert "U-ORG (1)" in text and "is empty" in text
    assert "errors" not in text


def test_a_malformed_file_is_the_readers_format_error():
    tasks = build_tasks(Params(check_config(validation="bad_dev.txt")))
    with pytest.raises(FormatError, match=r"bad_dev\.txt, line 4: found 1 column"):
        check_tasks(tasks)


def test_train_stops_on_a_malformed_test_file_before_any_checkpoint(tmp_path):
    config = copy.deepcopy(toy_config_dict())
    data = config["task_ent"]["data_params"]
    data["dataset_reader"] = {"type": "ner_conll2003", "label_namespace": "ent_labels"}
    data["train_data_path"] = str(DATA / "train.txt")
    data["validation_data_path"] = str(DATA / "train.txt")
    data["test_data_path"] = str(DATA / "bad_dev.txt")
    with pytest.raises(FormatError, match=r"bad_dev\.txt, line 4"):
        train(Params(config), tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").glob("*.th")) == []
    assert not (tmp_path / "run" / "metrics.json").exists()


def test_train_stops_on_a_validation_label_missing_from_the_vocabulary(tmp_path):
    config = copy.deepcopy(toy_config_dict())
    data = config["task_ent"]["data_params"]
    data["dataset_reader"] = {"type": "ner_conll2003", "label_namespace": "ent_labels"}
    data["train_data_path"] = str(DATA / "train.txt")
    data["validation_data_path"] = str(DATA / "dev.txt")  # U-ORG is not in train.txt
    data["test_data_path"] = str(DATA / "train.txt")
    with pytest.raises(ConfigurationError, match=r"dev\.txt \(validation\).*U-ORG"):
        train(Params(config), tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").glob("*.th")) == []


# The OntoNotes tree of tests/fixtures/data_check/ontonotes (words and tags by hand):
# train/ english nw wsj_0010: part 000 "Anna lives in Paris ." (PERSON, GPE) + "She smiles .";
#        part 001 "The New York Stock Exchange said it closed early ." (New York: GPE).
#        english bc cnn_0010: "Zyxw and Anna met in Paris on a very cold day ." (12 words).
#        english pt nt_4010, nt_4110; arabic nw ann_0010; chinese bc cctv_0010.
# development/ english nw wsj_0110: "Acme hired Anna ." (ORG, PERSON).
ONTONOTES = DATA / "ontonotes"
WSJ_0010 = ONTONOTES / "train/data/english/annotations/nw/wsj/00/wsj_0010.v4_gold_conll"
KNOWN_WORDS = ["anna", "lives", "in", "paris", "she", "smiles", "the", "new", "york", "stock",
               "exchange", "said", "it", "closed", "early", "and", "met", "on", "a", "very",
               "cold", "day", "acme", "hired"]  # every word but "Zyxw" is one wordpiece


def ontonotes_config(ner_reader: dict[str, Any] | None = None, coref_width: int = 3,
                     model: dict[str, Any] | None = None) -> dict[str, Any]:
    """An ner_ontonotes task on the tree and a coref task on wsj_0010 (reader max_span_width
    3); the model block has a coreference head of max_span_width ``coref_width``."""
    return {
        "task_ner": {
            "task_description": {"task_name": "ner"},
            "data_params": {
                "dataset_reader": {"type": "ner_ontonotes", **(ner_reader or {})},
                "train_data_path": str(ONTONOTES / "train"),
                "validation_data_path": str(ONTONOTES / "development"),
            },
        },
        "task_coref": {
            "task_description": {"task_name": "coref"},
            "data_params": {
                "dataset_reader": {"type": "coref", "max_span_width": 3},
                "train_data_path": str(WSJ_0010),
            },
        },
        "model": model or {
            "type": "hierarchical",
            "text_field_embedder": {"token_embedders": {"tokens": {"type": "embedding",
                                                                   "embedding_dim": 4}}},
            "tasks": {"coref": {"head": {"type": "coreference", "max_span_width": coref_width}}},
        },
        "iterators": {"iterator": {"type": "basic", "batch_size": 2}},
    }


def check(config: dict[str, Any]):
    return check_tasks(build_tasks(Params(copy.deepcopy(config))),
                       model_limits(config["model"], config.get("data_limits")))


def test_files_documents_and_sentences_of_an_ontonotes_tree():
    report = check(ontonotes_config())
    ner, coref = report.tasks
    train = ner.splits["train"]
    # 2 English non-pt files read; documents: wsj_0010 parts 000 and 001, cnn_0010;
    # sentences: 2 + 1 + 1; tokens 5 + 3 + 10 + 12
    assert (train.files, train.documents, train.sentences) == (2, 3, 4)
    assert (train.instances, train.tokens, train.longest) == (4, 30, 12)
    # O: 3 + 3 + 8 + 10; Anna twice, Paris twice, New York once
    assert dict(train.labels) == {"O": 24, "U-PERSON": 2, "U-GPE": 2, "B-GPE": 1, "L-GPE": 1}
    coref_train = coref.splits["train"]
    # coreference instances are documents: 2 parts, 3 sentences, 5 + 3 and 10 tokens;
    # clusters {Anna, She}, {The New York Stock Exchange, it}, {New York}
    assert (coref_train.files, coref_train.documents, coref_train.sentences) == (1, 2, 3)
    assert (coref_train.instances, coref_train.tokens, coref_train.longest) == (2, 18, 10)
    assert (coref_train.clusters, coref_train.mentions) == (3, 5)
    assert coref_train.unit == "document" and train.unit == "sentence"


def test_pt_and_other_languages_skipped_by_the_reader_are_reported_per_split():
    report = check(ontonotes_config())
    pt = ONTONOTES / "train/data/english/annotations/pt"
    assert report.skipped == [
        f"task ner: train: 2 files under {pt} skipped: the pt genre (the Bible) has no "
        "named-entity annotation (exclude_genres)",
        "task ner: train: 2 non-English files skipped (arabic: 1, chinese: 1; languages)",
    ]
    text = format_report(report)
    assert text.splitlines().count("skipped:") == 1 and "  - " + report.skipped[1] in text


def test_pt_and_several_languages_read_are_warnings():
    report = check(ontonotes_config({"exclude_genres": [], "languages": None}))
    assert report.skipped == []
    # english: wsj_0010, cnn_0010 and the 2 pt files
    assert report.warnings[:2] == [
        "task ner: train: files in 3 languages were read (arabic: 1, chinese: 1, english: 4)",
        "task ner: train: 2 files of the pt genre read: it has no named-entity annotation, so "
        "its sentences teach that nothing is an entity (add 'pt' to exclude_genres)",
    ]
    # 2 + 2 more files; 4 + 3 more sentences (2 pt, arabic, chinese)
    train = report.tasks[0].splits["train"]
    assert (train.files, train.documents, train.sentences) == (6, 7, 8)


def test_gold_mentions_wider_than_max_span_width_are_warnings():
    report = check(ontonotes_config())
    # "The New York Stock Exchange" (tokens 0-4 of part 001) is 5 tokens wide, the 4 others 1-2
    assert ("task coref: train: 1 of 5 gold mentions wider than max_span_width=3 (widest: 5 "
            "tokens): no candidate span covers them, so the model can never predict them"
            in report.warnings)
    assert report.errors == []


def test_a_head_narrower_than_the_reader_is_an_error():
    report = check(ontonotes_config(coref_width=2))
    assert report.errors == [
        "task coref: the reader's max_span_width=3 is more than the coreference head's "
        "max_span_width=2: the head refuses the wider candidate spans; use the same value in "
        "both"
    ]
    assert format_report(report).splitlines()[-2:] == ["errors:", "  - " + report.errors[0]]


def test_limits_of_an_original_model_block():
    model = {
        "type": "hmtl",
        "text_field_embedder": {"token_embedders": {
            "tokens": {"type": "pretrained_transformer_mismatched", "model_name": "bert-base-cased",
                       "max_length": 512}}},
        "coref": {"encoder": {}, "tagger": {"max_span_width": 8}},
        "ner": {"encoder": {}, "tagger": {}},
    }
    limits = model_limits(model)
    assert limits.span_widths == {"coref": 8}
    [transformer] = limits.transformers
    assert (transformer.model_name, transformer.max_length) == ("bert-base-cased", 512)
    assert transformer.tokenizer is None and "not a local directory" in transformer.problem


class _ClusteringPluginHead(Head):
    output_kind = "clusters"


class _SpanPluginHead(Head):
    output_kind = "spans"


Head.register("test_clustering_plugin", exist_ok=True)(_ClusteringPluginHead)
Head.register("test_span_plugin", exist_ok=True)(_SpanPluginHead)


def test_span_widths_come_from_the_heads_that_declare_clusters():
    model = {"type": "hierarchical", "tasks": {
        "a": {"head": {"type": "test_clustering_plugin", "max_span_width": 4}},
        "b": {"head": {"type": "test_span_plugin", "max_span_width": 6}},
        "c": {"head": {"type": "coreference", "max_span_width": 5}},
        "d": {"head": {"type": "not_registered", "max_span_width": 7}},
    }}
    assert model_limits(model).span_widths == {"a": 4, "c": 5}


def test_no_limit_in_the_config_means_no_limit_warning():
    model = ontonotes_config()["model"]
    model["tasks"] = {}
    assert model_limits(model) == ModelLimits()
    report = check(ontonotes_config(model=model))
    # only the reader's own max_span_width is left: its wide-mention warning, no error
    assert not any("transformer" in warning for warning in report.warnings)
    assert report.errors == []


@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    """A tiny local BERT whose config.json says 12 positions (only the file is read)."""
    directory = write_bert(tmp_path_factory.mktemp("bert"), words=KNOWN_WORDS)
    config = json.loads((directory / "config.json").read_text())
    config["max_position_embeddings"] = 12
    (directory / "config.json").write_text(json.dumps(config))
    return directory


def transformer_model(bert, **embedder: Any) -> dict[str, Any]:
    return {
        "type": "hierarchical",
        "text_field_embedder": {"token_embedders": {"tokens": {
            "type": "pretrained_transformer_mismatched", "model_name": str(bert), **embedder}}},
        "tasks": {"coref": {"head": {"type": "coreference", "max_span_width": 3}}},
    }


def test_wordpieces_are_counted_with_the_configs_tokenizer(bert):
    [transformer] = model_limits(transformer_model(bert)).transformers
    assert (transformer.max_positions, transformer.limit, transformer.problem) == (12, 12, None)
    # [CLS] + one piece per known word + z ##y ##x ##w + [SEP]
    assert transformer.wordpieces(["Anna", "lives"]) == 1 + 2 + 1
    assert transformer.wordpieces(["Zyxw", "and", "Anna"]) == 1 + 4 + 2 + 1


def test_sentences_beyond_the_transformers_positions_are_warnings(bert):
    report = check(ontonotes_config(model=transformer_model(bert)))
    # cnn_0010: 11 known words + 4 pieces for Zyxw + 2 special tokens = 17 > 12; the 10-word
    # sentence is exactly 12; the coref documents are 8 + 2 and 10 + 2
    assert [w for w in report.warnings if "positions" in w] == [
        f"task ner: train: 1 sentence longer than the 12 positions (max_position_embeddings) of "
        f"transformer {bert} (longest: 17 wordpieces, special tokens included): the embedder "
        "cannot encode them; set the embedder's max_length to fold long inputs"
    ]


def test_inputs_longer_than_max_length_are_folded_and_reported(bert):
    report = check(ontonotes_config(model=transformer_model(bert, max_length=10)))
    # ner: 17 and 12 > 10 (the 5- and 3-word sentences are 7 and 5); dev "Acme hired Anna ." 6;
    # coref: part 001 is 12 > 10, part 000 is 10
    assert [w for w in report.warnings if "max_length" in w] == [
        f"task ner: train: 2 sentences longer than max_length=10 wordpieces of transformer "
        f"{bert} (longest: 17, special tokens included): they are split into segments encoded "
        "separately",
        f"task coref: train: 1 document longer than max_length=10 wordpieces of transformer "
        f"{bert} (longest: 12, special tokens included): they are split into segments encoded "
        "separately",
    ]


def test_a_transformer_that_is_not_local_is_one_warning():
    model = ontonotes_config()["model"]
    model["text_field_embedder"] = {"token_embedders": {"tokens": {
        "type": "pretrained_transformer", "model_name": "no/such-model"}}}
    report = check(ontonotes_config(model=model))
    assert [w for w in report.warnings if "transformer" in w] == [
        "transformer no/such-model: it is not a local directory (check-data never downloads "
        "models), so sentence lengths in wordpieces were not checked"
    ]


def test_relation_less_sentences_skipped_by_the_reader_are_reported():
    ace = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "ace" / "train"
    config = ontonotes_config()
    del config["task_ner"]
    config["task_coref"] = {
        "task_description": {"task_name": "relation"},
        "data_params": {
            "dataset_reader": {"type": "relation_ace", "skip_sentences_without_relations": True},
            "train_data_path": str(ace),
        },
    }
    report = check(config)
    stats = report.tasks[0].splits["train"]
    # doc1: the engineers example (ORG-AFF, PHYS) and "They paid # 5 ." (none); doc2: "Staff of the
    # Acme Corp" (ORG-AFF) and "They left" (none)
    assert (stats.files, stats.documents, stats.sentences, stats.instances) == (2, 2, 4, 2)
    assert (stats.relations, dict(stats.labels)) == (3, {"ORG-AFF": 2, "PHYS": 1})
    assert report.skipped == [
        "task relation: train: 2 sentences without relations (skip_sentences_without_relations) "
        "skipped"
    ]


def counts(report):
    return [(task.name, split, stats.files, stats.documents, stats.sentences, stats.instances,
             stats.tokens, stats.clusters)
            for task in report.tasks for split, stats in task.splits.items()]


def copied_ontonotes(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A copy of the OntoNotes tree (to add links to) and ontonotes_config reading its train."""
    tree = tmp_path / "ontonotes"
    shutil.copytree(ONTONOTES, tree)
    config = ontonotes_config()
    config["task_ner"]["data_params"]["train_data_path"] = str(tree / "train")
    return tree, config


def test_a_symlink_cycle_under_an_ontonotes_directory_is_read_once_and_warned(tmp_path, caplog):
    # The report: a loop under a ner_ontonotes data directory multiplied 219 files into 8,979,
    # with "warnings: none". Here a link from a wsj directory back up to annotations/.
    tree, config = copied_ontonotes(tmp_path)
    loop_free = check(config)
    wsj = tree / "train/data/english/annotations/nw/wsj/00"
    (wsj / "back").symlink_to("../../..")
    with caplog.at_level(logging.WARNING, logger="hmtl.data.readers.sharded_reader"):
        looped = check(config)
    assert counts(looped) == counts(loop_free)
    # the loop-free numbers, as test_files_documents_and_sentences_of_an_ontonotes_tree counts them
    assert counts(looped)[0] == ("ner", "train", 2, 3, 4, 4, 30, 0)
    annotations = tree / "train/data/english/annotations"
    warning = (f"{wsj}/back is a symbolic link to {annotations}, a directory that contains it "
               "(a cycle): not followed, so each file under it is read once")
    assert looped.warnings[0] == f"task ner: train: {warning}"
    assert f"NerOntonotesReader: {warning}" in caplog.text
    assert loop_free.warnings == looped.warnings[1:]


def test_two_links_to_one_file_are_read_once_and_warned(tmp_path):
    tree, config = copied_ontonotes(tmp_path)
    loop_free = check(config)
    wsj = tree / "train/data/english/annotations/nw/wsj/00"
    for name in ("copy_a", "copy_b"):
        (wsj / f"{name}.v4_gold_conll").symlink_to(wsj / "wsj_0010.v4_gold_conll")
    report = check(config)
    assert counts(report) == counts(loop_free)
    assert report.warnings[0] == (
        f"task ner: train: {wsj}/copy_a.v4_gold_conll is the same file as "
        f"{wsj}/wsj_0010.v4_gold_conll (a symbolic link) (and 1 more file like it): each file is "
        "read once")


# Sentences of 100,000 tokens in each format (the report: they passed without a warning).
LONG = 100_000


def write_long_conll2003(path: Path) -> tuple[Path, int]:
    """A 2-token sentence, then one of LONG tokens; returns the file and the long one's line."""
    rows = "".join(f"w{i} NN O O\n" for i in range(LONG))
    path.write_text(f"-DOCSTART- -X- -X- O\n\nA NN O O\nb NN O O\n\n{rows}")
    return path, 6


def write_long_conll2012(path: Path) -> tuple[Path, int]:
    def row(i: int) -> str:
        return f"d  0  {i}  w{i}  XX  *  -  -  -  -  *  -\n"

    rows = "".join(row(i) for i in range(LONG))
    path.write_text(f"#begin document (d); part 000\n{row(0)}\n{rows}\n#end document\n")
    return path, 4


def write_long_like_conll(path: Path) -> tuple[Path, int]:
    rows = "".join(f"{i}\tw{i}\t*\t-\n" for i in range(LONG))
    path.write_text(f"#begin document (d)\n0\tA\t*\t-\n\n{rows}#end document\n")
    return path, 4


def long_sentence_config(tmp_path: Path) -> tuple[dict[str, Any], list[tuple[Path, int]]]:
    """Three tasks, one per format, each with a LONG-token sentence in train; the model has a
    relation head (l=64, no n_classes: 4096 tokens in the default 8 GiB, see
    tests/experiment/test_limits.py)."""
    (tmp_path / "ontonotes").mkdir()
    files = [write_long_conll2003(tmp_path / "train.txt"),
             write_long_conll2012(tmp_path / "ontonotes" / "long.v4_gold_conll"),
             write_long_like_conll(tmp_path / "long.like_conll")]
    readers = [{"type": "ner_conll2003"}, {"type": "ner_ontonotes"}, {"type": "relation_ace"}]
    config: dict[str, Any] = {
        f"task_{name}": {"task_description": {"task_name": name},
                         "data_params": {"dataset_reader": reader,
                                         "train_data_path": str(path)}}
        for name, reader, (path, _) in zip(("conll2003", "ontonotes", "relation"), readers, files)
    }
    config["model"] = {"type": "hierarchical", "tasks": {"relation": {"head": {
        "type": "relation", "d": 64, "l": 64}}}}
    config["iterators"] = {"iterator": {"type": "basic", "batch_size": 2}}
    return config, files


SENTENCE_REASON = ("probably sentences run together (a missing blank line); raise the limit if "
                   "they are real")


def test_100000_token_sentences_in_every_format_are_warnings_by_default(tmp_path):
    config, files = long_sentence_config(tmp_path)
    report = check(config)
    beyond = [w for w in report.warnings if "longer than" in w]
    assert beyond[:3] == [
        f"task {task}: train: 1 sentence longer than 1000 tokens "
        f"(data_limits.max_sentence_tokens; first at {path}, line {line}: 100000 tokens; "
        f"longest: 100000): {SENTENCE_REASON}"
        for task, (path, line) in zip(("conll2003", "ontonotes", "relation"), files)
    ]
    relation_path, relation_line = files[2]
    assert beyond[3:] == [
        f"task relation: train: 1 sentence longer than 4096 tokens (data_limits.max_tokens."
        f"relation; first at {relation_path}, line {relation_line}: 100000 tokens; longest: "
        "100000): the relation head's tensors would take more than the 8 GiB memory budget "
        "(data_limits.memory_budget_gib), so the model cannot train on it: tokens² × (2 × l=64, "
        "relation types not counted) floats of 4 bytes for its token pairs"
    ]
    # nothing is lost: the long sentences are counted, next to the 2- and 1-token ones
    assert [task.splits["train"].tokens for task in report.tasks] == [LONG + 2, LONG + 1,
                                                                      LONG + 1]


def test_limits_set_in_data_limits_apply_to_sentences_and_documents():
    config = ontonotes_config()
    config["data_limits"] = {"max_sentence_tokens": 10, "max_spans": {"coref": 20}}
    report = check(config)
    cnn = ONTONOTES / "train/data/english/annotations/bc/cnn/00/cnn_0010.v4_gold_conll"
    # ner train sentences have 5, 3, 10 and 12 tokens; the dev sentence 4
    # coref (reader max_span_width 3): part 000 has 12 + 6 candidate spans (sentences of 5 and 3
    # tokens), part 001 (line 14) 8 × 3 + 2 + 1 = 27
    assert [w for w in report.warnings if "than" in w and "data_limits" in w] == [
        f"task ner: train: 1 sentence longer than 10 tokens (data_limits.max_sentence_tokens; "
        f"first at {cnn}, line 2: 12 tokens; longest: 12): {SENTENCE_REASON}",
        f"task coref: train: 1 document with more than 20 candidate spans (data_limits.max_spans."
        f"coref; first at {WSJ_0010}, line 14: 27 candidate spans; most: 27): the limit the "
        "config sets",
    ]
