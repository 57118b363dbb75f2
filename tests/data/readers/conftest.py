"""Paths of the hand-written fixtures the reader tests read."""

import os

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "data")
ONTONOTES = os.path.join(FIXTURES, "ontonotes")
CCTV = os.path.join(ONTONOTES, "data", "english", "annotations", "bc", "cctv", "00",
                    "cctv_0001.v4_gold_conll")
ACE_TRAIN = os.path.join(FIXTURES, "ace", "train")
ACE_COREF = os.path.join(FIXTURES, "ace", "coref", "single_file_dev_rahman.gold_conll")
CONLL2003 = os.path.join(FIXTURES, "conll2003")


def words(instance, field="tokens"):
    return [token.text for token in instance[field].tokens]
