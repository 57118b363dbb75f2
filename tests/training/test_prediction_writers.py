"""Predictions written in the input formats read back, with the project's own parsers, as the
spans, relations and clusters that were written."""

from typing import Any

import torch
from allennlp.data import Vocabulary

from hmtl.data.formats.ace_like_conll import RelationFrame, read_ace
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.data.formats.coref_spans import CorefMention
from hmtl.experiment.prediction_writers import (
    CONLL2012,
    LIKE_CONLL,
    Example,
    PredictionCollector,
    TaskPredictions,
    coref_cells,
    relation_columns,
    tags_to_spans,
)

WORDS = ["John", "Smith", "left", "New", "York", "."]


def test_tags_become_spans_in_every_coding_scheme():
    bioul = ["B-PER", "L-PER", "O", "B-GPE", "L-GPE", "U-X"]
    bio = ["B-PER", "I-PER", "O", "B-GPE", "I-GPE", "B-X"]
    expected = [LabeledSpan("GPE", 3, 4), LabeledSpan("PER", 0, 1), LabeledSpan("X", 5, 5)]
    assert tags_to_spans(bioul) == expected
    assert tags_to_spans(bio) == expected


def test_relation_frames_mark_the_last_tokens():
    assert relation_columns([(1, 4, "PHYS")], 6) == [
        ["*", "(ARG1_PHYS*)", "*", "*", "(ARG2_PHYS*)", "*"]
    ]
    assert relation_columns([(2, 2, "PHYS")], 3) == []  # a token with itself is skipped


def test_clusters_become_a_coreference_column():
    # cluster 0: (0, 1) and (5, 5); cluster 1: (3, 4)
    assert coref_cells([[(0, 1), (5, 5)], [(3, 4)]], 6) == ["(0", "0)", "-", "(1", "1)", "(0)"]


def test_tagging_predictions_in_conll2012_read_back(tmp_path):
    task = TaskPredictions("ner", "tagging", CONLL2012)
    gold = ["B-PERSON", "L-PERSON", "O", "B-GPE", "L-GPE", "O"]
    predicted = ["U-PERSON", "O", "O", "B-GPE", "L-GPE", "O"]
    task.examples = [Example(WORDS, gold, predicted), Example(["Hi"], ["O"], ["U-GPE"])]
    key, response = task.write(tmp_path)
    assert (key.name, response.name) == ("ner.key.gold_conll", "ner.response.gold_conll")
    [gold_doc] = list(read_conll2012(key))
    [pred_doc] = list(read_conll2012(response))
    assert [s.words for s in gold_doc.sentences] == [WORDS, ["Hi"]]
    assert gold_doc.sentences[0].named_entities == [
        LabeledSpan("PERSON", 0, 1), LabeledSpan("GPE", 3, 4)
    ]
    assert pred_doc.sentences[0].named_entities == [
        LabeledSpan("PERSON", 0, 0), LabeledSpan("GPE", 3, 4)
    ]
    assert pred_doc.sentences[1].named_entities == [LabeledSpan("GPE", 0, 0)]


def test_coreference_documents_in_conll2012_read_back(tmp_path):
    task = TaskPredictions("coref", "coref", CONLL2012)
    task.examples = [
        Example(WORDS, [[(0, 1), (5, 5)]], [[(0, 1), (3, 4)]]),
        Example(["He", "ran"], [], [[(0, 0), (1, 1)]]),
    ]
    key, response = task.write(tmp_path)
    gold_docs = list(read_conll2012(key))
    pred_docs = list(read_conll2012(response))
    assert [d.document_id for d in gold_docs] == ["coref_0", "coref_1"]
    assert [d.document_id for d in pred_docs] == ["coref_0", "coref_1"]
    assert sorted(gold_docs[0].sentences[0].coref_mentions) == [
        CorefMention(0, 0, 1), CorefMention(0, 5, 5)
    ]
    assert sorted(pred_docs[1].sentences[0].coref_mentions) == [
        CorefMention(0, 0, 0), CorefMention(0, 1, 1)
    ]


def test_relations_and_mentions_in_like_conll_read_back(tmp_path):
    relations = TaskPredictions("relation", "relation", LIKE_CONLL)
    relations.examples = [Example(WORDS, [(1, 4, "PHYS")], [(1, 4, "PHYS"), (4, 1, "PART-WHOLE")])]
    key, response = relations.write(tmp_path)
    [sentence] = list(read_ace(response))[0].sentences
    assert sorted(sentence.relations) == [
        RelationFrame("PART-WHOLE", 4, 4, 1, 1), RelationFrame("PHYS", 1, 1, 4, 4)
    ]
    assert list(read_ace(key))[0].sentences[0].relations == [RelationFrame("PHYS", 1, 1, 4, 4)]

    mentions = TaskPredictions("emd", "tagging", LIKE_CONLL)
    mentions.examples = [Example(WORDS, ["B-PER", "L-PER", "O", "O", "U-GPE", "O"], ["O"] * 6)]
    key, _ = mentions.write(tmp_path)
    assert list(read_ace(key))[0].sentences[0].mentions == [
        LabeledSpan("PER", 0, 1), LabeledSpan("GPE", 4, 4)
    ]


class _Head(torch.nn.Module):
    label_namespace = "labels"
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


def test_the_collector_keeps_only_a_tasks_own_best_weights(tmp_path):
    vocab = Vocabulary()
    for label in ("O", "U-PER"):
        vocab.add_token_to_namespace(label, "labels")
    model = _Model(vocab)
    collector = PredictionCollector(model, {"ner": object()})
    collector._formats["ner"] = CONLL2012  # a stand-in reader has no registered format
    batch = {
        "metadata": [{"words": ["Ann", "runs"]}],
        "tags": torch.tensor([[vocab.get_token_index("U-PER", "labels"), 0]]),
    }
    output = {"tags": [[0, vocab.get_token_index("U-PER", "labels")]]}
    collector("emd", "ner", batch, output)  # weights of another task: ignored
    collector("ner", "ner", batch, output)
    [example] = collector.predictions["ner"].examples
    assert example == Example(["Ann", "runs"], ["U-PER", "O"], ["O", "U-PER"])
    paths = collector.write(tmp_path)
    assert [p.name for p in paths["ner"]] == ["ner.key.gold_conll", "ner.response.gold_conll"]


def test_the_collector_skips_a_head_of_a_kind_of_its_own(caplog):
    model = _Model(Vocabulary())
    model.heads["ner"].output_kind = "token_scores"
    collector = PredictionCollector(model, {"ner": object()})
    collector._formats["ner"] = CONLL2012
    batch = {"metadata": [{"words": ["Ann"]}], "tags": torch.tensor([[0]])}
    with caplog.at_level("WARNING"):
        collector("ner", "ner", batch, {"scores": [[0.5]]})
        collector("ner", "ner", batch, {"scores": [[0.5]]})
    assert collector.predictions == {}
    skipped = [r for r in caplog.records if "token_scores" in r.getMessage()]
    assert len(skipped) == 1
