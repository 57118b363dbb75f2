"""`ner_ontonotes` on the fixture tree: tags, coding schemes, filters, logging, config keys."""

import logging
import os

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Vocabulary

from hmtl.data.readers.ner_ontonotes import NerOntonotesReader
from tests.data.readers.conftest import CCTV, ONTONOTES, words

# Sorted file order: chinese/..., english/bc (4 sentences), english/nw (1), english/pt (1).
BC_WORDS = [
    ["John", "Smith", "visited", "New", "York", "."],
    ["#", "1", "-", "he", "/."],
    ["the", "man", "who", "saw", "himself", "in", "New", "York"],
    ["It", "rained", "Monday", "Tuesday", "."],
]
BC_BIOUL = [
    ["B-PERSON", "L-PERSON", "O", "B-GPE", "L-GPE", "O"],
    ["O", "U-CARDINAL", "O", "O", "O"],
    ["O", "O", "O", "O", "O", "O", "B-GPE", "L-GPE"],
    ["O", "O", "U-DATE", "U-DATE", "O"],
]
WSJ_WORDS = ["Pierre", "Vinken", ",", "61", "years", "old", "."]
WSJ_BIOUL = ["B-PERSON", "L-PERSON", "O", "B-DATE", "I-DATE", "L-DATE", "O"]


def test_default_reads_english_without_pt_in_bioul():
    instances = list(NerOntonotesReader().read(ONTONOTES))
    assert [words(i) for i in instances] == BC_WORDS + [WSJ_WORDS]
    assert [i["tags"].labels for i in instances] == BC_BIOUL + [WSJ_BIOUL]
    assert instances[0]["tags"]._label_namespace == "ontonotes_ner_labels"
    assert instances[0]["metadata"]["words"] == BC_WORDS[0]


def test_iob1_output():
    instances = list(NerOntonotesReader(coding_scheme="IOB1").read(ONTONOTES))
    assert instances[0]["tags"].labels == ["I-PERSON", "I-PERSON", "O", "I-GPE", "I-GPE", "O"]
    # Monday and Tuesday are two adjacent DATE entities: IOB1 marks the second with B-
    assert instances[3]["tags"].labels == ["O", "O", "I-DATE", "B-DATE", "O"]


def test_domain_identifier_keeps_only_that_domain():
    # chinese/annotations/nw is in the nw domain too, but the language filter drops it
    instances = list(NerOntonotesReader(domain_identifier="nw").read(ONTONOTES))
    assert [words(i) for i in instances] == [WSJ_WORDS]


def test_filters_can_be_turned_off():
    reader = NerOntonotesReader(exclude_genres=[], languages=None)
    instances = list(reader.read(ONTONOTES))
    assert [words(i) for i in instances] == (
        [["北京", "欢迎", "你"]] + BC_WORDS + [WSJ_WORDS] + [["In", "the", "beginning"]])
    assert instances[0]["tags"].labels == ["U-GPE", "O", "O"]


def test_what_is_read_and_skipped_is_logged(caplog):
    with caplog.at_level(logging.INFO, logger="hmtl.data.readers.ner_ontonotes"):
        list(NerOntonotesReader().read(ONTONOTES))
    text = caplog.text
    assert "4 gold_conll files" in text and "reading 2, skipping 2" in text
    assert "1 genre 'pt'" in text and "1 language 'chinese'" in text
    # 4 bc sentences + 1 wsj sentence; 6 + 5 + 8 + 5 + 7 = 31 tokens; 3 documents
    assert "read 5 sentences (31 tokens, 3 documents) from 2 files" in text


def test_filtering_everything_out_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="none of the 4 gold_conll files"):
        list(NerOntonotesReader(domain_identifier="tc").read(ONTONOTES))


def test_original_config_block_builds_the_reader_and_typos_are_errors():
    block = {"type": "ner_ontonotes", "label_namespace": "ontonotes_ner_labels",
             "coding_scheme": "BIOUL",
             "token_indexers": {"tokens": {"type": "single_id", "lowercase_tokens": True},
                                "token_characters": {"type": "characters"}},
             "max_instances": 2}
    reader = DatasetReader.from_params(Params(block))
    instances = list(reader.read(ONTONOTES))
    assert len(instances) == 2
    vocab = Vocabulary.from_instances(instances)
    # labels of the two first sentences
    assert set(vocab.get_token_to_index_vocabulary("ontonotes_ner_labels")) == {
        "O", "B-PERSON", "L-PERSON", "B-GPE", "L-GPE", "U-CARDINAL"}
    with pytest.raises(ConfigurationError, match="unknown argument.*coding_schem; accepted: .*"):
        DatasetReader.from_params(Params({"type": "ner_ontonotes", "coding_schem": "BIOUL"}))
    with pytest.raises(ConfigurationError, match="unknown coding_scheme 'BIO'"):
        NerOntonotesReader(coding_scheme="BIO")


def test_text_to_instance_without_tags_is_for_prediction():
    instance = NerOntonotesReader().text_to_instance(["a", "b"])
    assert set(instance.fields) == {"tokens", "metadata"}


def test_the_read_summary_has_the_files_read_and_skipped_and_why():
    reader = NerOntonotesReader()
    assert reader.read_summary is None
    list(reader.read(ONTONOTES))
    summary = reader.read_summary
    english = os.path.join(ONTONOTES, "data", "english", "annotations")
    assert summary.path == ONTONOTES
    assert summary.files == [os.path.join(english, "bc", "cctv", "00", "cctv_0001.v4_gold_conll"),
                             os.path.join(english, "nw", "wsj", "00", "wsj_0001.v4_gold_conll")]
    assert summary.skipped_files == {
        ("genre", "pt"): [os.path.join(english, "pt", "nt", "40", "nt_4001.v4_gold_conll")],
        ("language", "chinese"): [os.path.join(ONTONOTES, "data", "chinese", "annotations", "nw",
                                               "xinhua", "00", "chtb_0001.v4_gold_conll")],
    }
    assert summary.skipped_file_count() == 2
    # as logged above: 3 documents (2 parts in cctv_0001, 1 in wsj_0001), 5 sentences, 31 tokens
    assert (summary.documents, summary.sentences, summary.tokens) == (3, 5, 31)
    assert summary.file_languages() == {"english": 2}
    assert summary.file_genres() == {"bc": 1, "nw": 1}


def test_a_new_read_starts_a_new_summary():
    reader = NerOntonotesReader(domain_identifier="nw")
    list(reader.read(ONTONOTES))
    # nw keeps wsj_0001 only: bc and pt are outside the domain; chinese/nw is in the domain but
    # not English
    assert {reason: len(paths) for reason, paths in reader.read_summary.skipped_files.items()} \
        == {("domain", "nw"): 2, ("language", "chinese"): 1}
    reader = NerOntonotesReader()
    list(reader.read(ONTONOTES))
    list(reader.read(CCTV))
    assert (reader.read_summary.path, reader.read_summary.skipped_files) == (CCTV, {})
    assert (reader.read_summary.documents, reader.read_summary.sentences) == (2, 4)
