"""Cluster canonicalisation and word normalisation shared by the coreference readers."""

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.data.formats.coref_spans import CorefMention
from hmtl.data.readers.coreference_common import (
    canonicalize_clusters,
    document_clusters,
    normalize_word,
)
from hmtl.data.readers.coreference_conll import CoreferenceConllReader


def test_clusters_sharing_a_span_merge_transitively():
    clusters = [[(1, 1), (5, 6)], [(7, 7)], [(9, 9), (0, 0)], [(5, 6), (9, 9), (5, 6)]]
    # the 1st and 3rd share nothing directly; both share a span with the 4th
    assert canonicalize_clusters(clusters) == [[(0, 0), (1, 1), (5, 6), (9, 9)], [(7, 7)]]


def test_document_offsets_come_from_sentence_lengths():
    mentions = [[CorefMention(4, 0, 1)], [], [CorefMention(4, 2, 2), CorefMention(9, 0, 0)]]
    # sentences of 3, 2 and 4 tokens: offsets 0, 3, 5
    assert document_clusters(mentions, [3, 2, 4]) == [[(0, 1), (7, 7)], [(5, 5)]]


def test_normalize_word():
    assert [normalize_word(w) for w in ["/.", "/?", "/", "a/.", "."]] == [".", "?", "/", "a/.",
                                                                          "."]


def test_bad_settings_are_configuration_errors():
    with pytest.raises(ConfigurationError, match="max_span_width must be at least 1"):
        CoreferenceConllReader(max_span_width=0)
    with pytest.raises(ConfigurationError, match="max_sentences"):
        CoreferenceConllReader(max_span_width=3, max_sentences=0)
