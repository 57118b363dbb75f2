"""`ReadSummary`: skipped files by reason, languages and genres of the files read, gold mention
widths."""

import os

from hmtl.data.readers.read_summary import SKIP_GENRE, SKIP_LANGUAGE, ReadSummary

ENGLISH_BC = os.path.join("v4", "data", "train", "data", "english", "annotations", "bc", "cctv",
                          "00", "cctv_0001.v4_gold_conll")
ARABIC_NW = os.path.join("v4", "data", "train", "data", "arabic", "annotations", "nw", "ann",
                         "00", "ann_0001.v4_gold_conll")


def test_skipped_files_are_grouped_by_reason():
    summary = ReadSummary("v4")
    summary.skip_file("a", SKIP_GENRE, "pt")
    summary.skip_file("b", SKIP_LANGUAGE, "arabic")
    summary.skip_file("c", SKIP_GENRE, "pt")
    assert summary.skipped_files == {("genre", "pt"): ["a", "c"], ("language", "arabic"): ["b"]}
    assert summary.skipped_file_count() == 3


def test_languages_and_genres_come_from_ontonotes_paths_only():
    summary = ReadSummary("v4", files=[ENGLISH_BC, ARABIC_NW, ENGLISH_BC, "ace/doc1.like_conll"])
    # the ACE path has no 'annotations' component, so it shows neither
    assert summary.file_languages() == {"english": 2, "arabic": 1}
    assert summary.file_genres() == {"bc": 2, "nw": 1}


def test_gold_mentions_are_measured_against_max_span_width():
    summary = ReadSummary("f", max_span_width=3)
    # widths: (0,0) 1, (2,5) 4, (7,9) 3, (10,16) 7
    summary.add_document_mentions([[(0, 0), (2, 5)], [(7, 9), (10, 16)]])
    assert (summary.gold_mentions, summary.wide_mentions, summary.widest_mention) == (4, 2, 7)
    unlimited = ReadSummary("f")
    unlimited.add_document_mentions([[(0, 9)]])
    assert (unlimited.wide_mentions, unlimited.widest_mention) == (0, 10)
