"""The collector of ``evaluate --predictions-dir``: predictions and gold, found by where each
instance was read, written into the input documents."""

from typing import Any

import pytest
import torch
from allennlp.data import Vocabulary

from hmtl.data.formats.ace_like_conll import RelationFrame, read_ace
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.data.formats.coref_spans import CorefMention
from hmtl.data.readers.coreference_ace import CoreferenceAceReader
from hmtl.data.readers.ner_ontonotes import NerOntonotesReader
from hmtl.data.readers.relation_ace import RelationAceReader
from hmtl.experiment.prediction_writers import (
    CONLL2012,
    COREF,
    LIKE_CONLL,
    RELATION,
    TAGGING,
    PredictionCollector,
    TaskPredictions,
    reader_format,
    tags_to_spans,
)
from tests.data.formats.test_fill import ACE, KEY


def test_tags_become_spans_in_every_coding_scheme():
    bioul = ["B-PER", "L-PER", "O", "B-GPE", "L-GPE", "U-X"]
    bio = ["B-PER", "I-PER", "O", "B-GPE", "I-GPE", "B-X"]
    expected = [LabeledSpan("GPE", 3, 4), LabeledSpan("PER", 0, 1), LabeledSpan("X", 5, 5)]
    assert tags_to_spans(bioul) == expected
    assert tags_to_spans(bio) == expected
    # an invalid BIOUL sequence (unconstrained decoding) is read as BIO
    assert tags_to_spans(["I-PER", "L-PER", "U-X"], "BIOUL") == [
        LabeledSpan("PER", 0, 1), LabeledSpan("X", 2, 2)]


def test_readers_record_where_each_instance_was_read(tmp_path):
    conll = tmp_path / "key.gold_conll"
    conll.write_text(KEY)
    ace = tmp_path / "doc.like_conll"
    ace.write_text(ACE)
    sources = [i["metadata"]["source"] for i in NerOntonotesReader().read(conll)]
    assert sources == [(str(conll), 2), (str(conll), 13), (str(conll), 19)]
    assert [i["metadata"]["source"] for i in RelationAceReader().read(ace)] == [
        (str(ace), 2), (str(ace), 8)]
    [document] = CoreferenceAceReader().read(ace)
    assert document["metadata"]["source"] == (str(ace), 2)
    assert reader_format(NerOntonotesReader()) == CONLL2012
    assert reader_format(CoreferenceAceReader()) == LIKE_CONLL


def test_tagging_predictions_fill_the_input_and_unseen_sentences_stay_empty(tmp_path, caplog):
    path = tmp_path / "key.gold_conll"
    path.write_text(KEY)
    task = TaskPredictions("ner", TAGGING, CONLL2012)
    gold = [LabeledSpan("PERSON", 0, 1), LabeledSpan("PERSON", 8, 8)]
    task.annotations[(str(path), 2)] = (gold, [LabeledSpan("GPE", 8, 8)])
    task.annotations[(str(path), 19)] = ([LabeledSpan("PERSON", 0, 0)], [])
    key, response = task.write(tmp_path / "out")
    assert (key.name, response.name) == ("ner.key.gold_conll", "ner.response.gold_conll")
    assert "1 sentences of the input were not evaluated" in caplog.text
    keys, responses = list(read_conll2012(key)), list(read_conll2012(response))
    assert [d.part for d in responses] == ["000", "001"]
    assert [s.named_entities for d in responses for s in d.sentences] == [
        [LabeledSpan("GPE", 8, 8)], [], []]
    assert [s.named_entities for d in keys for s in d.sentences] == [
        gold, [], [LabeledSpan("PERSON", 0, 0)]]
    # the coreference column, which the task does not predict, is the input's
    assert [s.coref_mentions for s in responses[1].sentences] == [[CorefMention(3, 0, 0)]]


def test_coreference_and_relations_in_like_conll(tmp_path):
    path = tmp_path / "doc.like_conll"
    path.write_text(ACE)
    coref = TaskPredictions("coref_ace", COREF, LIKE_CONLL)
    coref.annotations[(str(path), 2)] = ([[(0, 1), (5, 5)]], [[(4, 4), (5, 5)]])
    key, response = coref.write(tmp_path)
    [document] = list(read_ace(response))
    assert [s.coref_mentions for s in document.sentences] == [[CorefMention(0, 4, 4)],
                                                             [CorefMention(0, 0, 0)]]
    assert [s.mentions for s in document.sentences] == [
        [LabeledSpan("PER", 0, 1), LabeledSpan("GPE", 4, 4)], [LabeledSpan("PER", 0, 0)]]
    assert response.read_text().splitlines()[0] == (
        "#begin document (CNNHL_ENG_20030320.0020); part 000")
    relation = TaskPredictions("relation", RELATION, LIKE_CONLL)
    relation.annotations[(str(path), 2)] = ([(1, 4, "PHYS")], [(4, 1, "PART-WHOLE")])
    relation.annotations[(str(path), 8)] = ([], [])
    key, response = relation.write(tmp_path)
    assert [s.relations for s in list(read_ace(response))[0].sentences] == [
        [RelationFrame("PART-WHOLE", 4, 4, 1, 1)], []]
    assert [s.relations for s in list(read_ace(key))[0].sentences] == [
        [RelationFrame("PHYS", 1, 1, 4, 4)], []]


class _Head(torch.nn.Module):
    label_namespace = "labels"
    label_encoding = "BIOUL"
    output_kind = "spans"


class _Model(torch.nn.Module):
    """A stand-in with the HierarchicalModel interface the collector uses."""

    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__()
        self.vocab = vocab
        self.heads = torch.nn.ModuleDict({"ner": _Head()})

    def make_output_human_readable(self, output: dict, task_name: str) -> dict[str, Any]:
        output["tags"] = [[self.vocab.get_token_from_index(i, "labels") for i in row]
                          for row in output["tags"]]
        return output


@pytest.fixture()
def collector():
    vocab = Vocabulary()
    for label in ("O", "U-PER"):
        vocab.add_token_to_namespace(label, "labels")
    collector = PredictionCollector(_Model(vocab), {"ner": NerOntonotesReader()})
    return collector, vocab


def test_the_collector_keeps_only_a_tasks_own_best_weights(tmp_path, collector):
    collector, vocab = collector
    path = tmp_path / "key.gold_conll"
    path.write_text(KEY)
    person = vocab.get_token_index("U-PER", "labels")
    batch = {"metadata": [{"words": ["He", "smiled", "."], "source": (str(path), 13)}],
             "tags": torch.tensor([[person, 0, 0]])}
    output = {"tags": [[0, person, 0]]}
    collector("emd", "ner", batch, output)  # weights of another task: ignored
    assert collector.predictions == {}
    collector("ner", "ner", batch, output)
    assert collector.predictions["ner"].annotations == {
        (str(path), 13): ([LabeledSpan("PER", 0, 0)], [LabeledSpan("PER", 1, 1)])}
    paths = collector.write(tmp_path)
    assert [p.name for p in paths["ner"]] == ["ner.key.gold_conll", "ner.response.gold_conll"]
    response = list(read_conll2012(paths["ner"][1]))
    assert [s.named_entities for s in response[0].sentences] == [
        [], [LabeledSpan("PER", 1, 1)]]


def test_instances_without_a_source_are_skipped_with_a_warning(collector, caplog):
    collector, _vocab = collector
    batch = {"metadata": [{"words": ["Hi"]}], "tags": torch.tensor([[0]])}
    collector("ner", "ner", batch, {"tags": [[0]]})
    assert collector.predictions == {}
    assert "do not say where they were read" in caplog.text


def test_the_collector_skips_a_head_of_a_kind_of_its_own(collector, caplog):
    collector, _vocab = collector
    collector._model.heads["ner"].output_kind = "token_scores"
    batch = {"metadata": [{"words": ["Ann"], "source": ("f", 1)}], "tags": torch.tensor([[0]])}
    with caplog.at_level("WARNING"):
        collector("ner", "ner", batch, {"scores": [[0.5]]})
        collector("ner", "ner", batch, {"scores": [[0.5]]})
    assert collector.predictions == {}
    skipped = [r for r in caplog.records if "token_scores" in r.getMessage()]
    assert len(skipped) == 1
