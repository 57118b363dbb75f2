"""Finding data files, and reading language and genre off OntoNotes paths."""

import logging
import os

import pytest

from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.paths import find_data_files, ontonotes_path_info

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "data")


def test_directory_search_is_recursive_sorted_and_suffix_only():
    root = os.path.join(FIXTURES, "ontonotes")
    found = [os.path.relpath(p, root) for p in find_data_files(root, "gold_conll")]
    # the v4_auto_conll file next to wsj_0001.v4_gold_conll is not picked up
    assert found == [
        "data/chinese/annotations/nw/xinhua/00/chtb_0001.v4_gold_conll",
        "data/english/annotations/bc/cctv/00/cctv_0001.v4_gold_conll",
        "data/english/annotations/nw/wsj/00/wsj_0001.v4_gold_conll",
        "data/english/annotations/pt/nt/40/nt_4001.v4_gold_conll",
    ]


def test_a_file_is_taken_as_is_whatever_its_name(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("x")
    assert find_data_files(path, "gold_conll") == [str(path)]


def test_hidden_files_are_not_data_and_are_logged(tmp_path, caplog):
    (tmp_path / "._a.like_conll").write_bytes(b"\x00\x05")
    (tmp_path / "a.like_conll").write_text("0 w * -\n")
    with caplog.at_level(logging.INFO, logger="hmtl.data.formats.paths"):
        assert find_data_files(tmp_path, "like_conll") == [str(tmp_path / "a.like_conll")]
    assert "left out 1 hidden files ending in 'like_conll'" in caplog.text


def test_directory_without_matching_file_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FormatError) as caught:
        find_data_files(tmp_path, "like_conll")
    assert str(caught.value) == f"{tmp_path}: the directory contains no file ending in 'like_conll'"


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(FormatError, match=f"^{tmp_path}/missing: no such file or directory"):
        find_data_files(tmp_path / "missing", "gold_conll")


@pytest.mark.parametrize("path, expected", [
    ("/c/conll-2012/v4/data/train/data/english/annotations/bc/cctv/00/cctv_0001.v4_gold_conll",
     ("english", "bc")),
    ("data/arabic/annotations/nw/ann/00/ann_0001.v4_gold_conll", ("arabic", "nw")),
    ("/tmp/train.english.v4_gold_conll", (None, None)),
    ("annotations/x.v4_gold_conll", (None, None)),
])
def test_ontonotes_path_info(path, expected):
    assert ontonotes_path_info(path) == expected
