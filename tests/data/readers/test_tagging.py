"""Spans -> BIOUL / IOB1 tags."""

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.readers.tagging import check_coding_scheme, spans_to_tags

SPANS = [LabeledSpan("PER", 0, 0), LabeledSpan("PER", 1, 3), LabeledSpan("ORG", 4, 5)]


def test_bioul():
    assert spans_to_tags(SPANS, 7, "BIOUL") == [
        "U-PER", "B-PER", "I-PER", "L-PER", "B-ORG", "L-ORG", "O"]


def test_iob1_uses_b_only_after_an_adjacent_entity_of_the_same_type():
    # PER(1,3) follows PER(0,0) directly: B-PER; ORG(4,5) follows a PER: I-ORG
    assert spans_to_tags(SPANS, 7, "IOB1") == [
        "I-PER", "B-PER", "I-PER", "I-PER", "I-ORG", "I-ORG", "O"]


def test_no_spans_and_unknown_scheme():
    assert spans_to_tags([], 2, "BIOUL") == ["O", "O"]
    with pytest.raises(ConfigurationError, match="expected one of BIOUL, IOB1"):
        check_coding_scheme("BIO")
