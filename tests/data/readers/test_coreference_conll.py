"""`coref` on the CoNLL-2012 fixture: one instance per document part, candidate spans, labels."""

import logging

from allennlp.common import Params
from allennlp.data import DatasetReader

from hmtl.data.readers.coreference_conll import CoreferenceConllReader
from tests.data.readers.conftest import CCTV, words

DOC1_WORDS = ["John", "Smith", "visited", "New", "York", ".",      # sentence 1: 0-5
              "#", "1", "-", "he", ".",                            # sentence 2: 6-10, '/.' -> '.'
              "the", "man", "who", "saw", "himself", "in", "New", "York"]  # sentence 3: 11-18
# File clusters in document offsets: 3 {(0,4)}, 7 {(0,1), (9,9)}, 12 {(3,4), (17,18)},
# 5 {(11,15), (15,15)}, 20 {(12,12), (17,18)}. 12 and 20 share "New York" (17,18): merged.
# Ordered by first mention: (0,1) < (0,4) < (3,4) < (11,15).
DOC1_CLUSTERS = [[(0, 1), (9, 9)], [(0, 4)], [(3, 4), (12, 12), (17, 18)],
                 [(11, 15), (15, 15)]]


def spans(instance):
    return [(f.span_start, f.span_end) for f in instance["spans"].field_list]


def gold_labels(instance):
    return {span: label for span, label in zip(spans(instance), instance["span_labels"].labels)
            if label != -1}


def test_documents_spans_and_labels(caplog):
    with caplog.at_level(logging.INFO, logger="hmtl.data.readers.coreference_common"):
        doc1, doc2 = CoreferenceConllReader(max_span_width=4).read(CCTV)
    assert words(doc1, "text") == DOC1_WORDS
    assert doc1["metadata"]["original_text"] == DOC1_WORDS
    assert doc1["metadata"]["clusters"] == DOC1_CLUSTERS
    # every span of width <= 4 inside a sentence; sentence lengths 6, 5, 8:
    # (4+4+4+3+2+1) + (4+4+3+2+1) + (4*5+3+2+1) = 18 + 14 + 26
    assert len(spans(doc1)) == 58
    assert spans(doc1)[:6] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 1), (1, 2)]
    assert (5, 6) not in spans(doc1)  # would cross the sentence boundary
    # (0,4) and (11,15) are 5 tokens wide: gold, but not candidates
    assert gold_labels(doc1) == {(0, 1): 0, (9, 9): 0, (3, 4): 2, (12, 12): 2, (17, 18): 2,
                                 (15, 15): 3}
    assert words(doc2, "text") == ["It", "rained", "Monday", "Tuesday", "."]
    assert doc2["metadata"]["clusters"] == [[(0, 0)]]  # cluster 7 again, but a new document
    assert len(spans(doc2)) == 4 + 4 + 3 + 2 + 1
    assert gold_labels(doc2) == {(0, 0): 0}
    # distinct gold mentions after merging: 2 + 1 + 3 + 2 in doc1, 1 in doc2
    assert ("read 2 documents (24 tokens, 9 gold mentions)" in caplog.text
            and "2 gold mentions are wider than max_span_width=4" in caplog.text)


def test_max_sentences_and_singleton_removal():
    doc1, _ = CoreferenceConllReader(max_span_width=4, max_sentences=1).read(CCTV)
    assert words(doc1, "text") == DOC1_WORDS[:6]
    assert doc1["metadata"]["clusters"] == [[(0, 1)], [(0, 4)], [(3, 4)]]
    doc1, _ = CoreferenceConllReader(max_span_width=4, remove_singleton_clusters=True).read(CCTV)
    assert doc1["metadata"]["clusters"] == [DOC1_CLUSTERS[0]] + DOC1_CLUSTERS[2:]
    assert gold_labels(doc1)[(3, 4)] == 1


def test_original_config_block():
    block = {"type": "coref", "max_span_width": 8,
             "token_indexers": {"tokens": {"type": "single_id", "lowercase_tokens": True}}}
    reader = DatasetReader.from_params(Params(block))
    assert isinstance(reader, CoreferenceConllReader)
    doc1, doc2 = reader.read(CCTV)
    assert len(spans(doc2)) == 5 + 4 + 3 + 2 + 1  # width 8 > sentence length 5


def test_text_to_instance_without_clusters_is_for_prediction():
    instance = CoreferenceConllReader(max_span_width=2).text_to_instance([["a", "/?"], ["b"]])
    assert set(instance.fields) == {"text", "spans", "metadata"}
    assert instance["metadata"]["original_text"] == ["a", "?", "b"]
    assert spans(instance) == [(0, 0), (0, 1), (1, 1), (2, 2)]


def test_the_read_summary_counts_wide_mentions_and_truncation():
    reader = CoreferenceConllReader(max_span_width=4)
    list(reader.read(CCTV))
    summary = reader.read_summary
    # doc1: 3 sentences (6 + 5 + 8 tokens), doc2: 1 sentence (5 tokens); 9 distinct gold
    # mentions; (0,4) and (11,15) are 5 tokens wide, wider than 4
    assert summary.files == [CCTV]
    assert (summary.documents, summary.sentences, summary.tokens) == (2, 4, 19 + 5)
    assert (summary.max_span_width, summary.gold_mentions) == (4, 9)
    assert (summary.wide_mentions, summary.widest_mention) == (2, 5)
    assert (summary.truncated_documents, summary.most_sentences) == (0, 3)
    reader = CoreferenceConllReader(max_span_width=5, max_sentences=1)
    list(reader.read(CCTV))
    summary = reader.read_summary
    # doc1 is cut to its first sentence (mentions (0,1), (0,4), (3,4)); doc2 has one sentence
    assert (summary.truncated_documents, summary.most_sentences) == (1, 3)
    assert (summary.sentences, summary.tokens, summary.gold_mentions) == (2, 6 + 5, 3 + 1)
    assert (summary.wide_mentions, summary.widest_mention) == (0, 5)
