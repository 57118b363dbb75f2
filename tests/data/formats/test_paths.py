"""Finding data files, and reading language and genre off OntoNotes paths."""

import logging
import os

import pytest

from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.paths import find_data_files, ontonotes_path_info, walk_data_files

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


def tree(root):
    """root/a/x.like_conll, root/a/b/y.like_conll, root/c/z.like_conll."""
    (root / "a" / "b").mkdir(parents=True)
    (root / "c").mkdir()
    for name in ("a/x", "a/b/y", "c/z"):
        (root / f"{name}.like_conll").write_text("0 w * -\n")
    return [str(root / f"{name}.like_conll") for name in ("a/b/y", "a/x", "c/z")]


def test_a_symlink_cycle_is_not_followed_and_said(tmp_path):
    expected = tree(tmp_path)
    (tmp_path / "a" / "b" / "loop").symlink_to("../..")  # a/b/loop -> root
    (tmp_path / "c" / "up").symlink_to("..", target_is_directory=True)
    found = walk_data_files(tmp_path, "like_conll")
    assert found.files == expected
    assert found.cycles == [(str(tmp_path / "a/b/loop"), str(tmp_path)),
                            (str(tmp_path / "c/up"), str(tmp_path))]
    assert found.notes()[0] == (
        f"{tmp_path}/a/b/loop is a symbolic link to {tmp_path}, a directory that contains it (a "
        "cycle): not followed, so each file under it is read once")


def test_two_paths_to_a_directory_read_it_once_from_the_plain_one(tmp_path):
    expected = tree(tmp_path)
    (tmp_path / "0_link").symlink_to("c")  # sorts before c, which is still the one kept
    found = walk_data_files(tmp_path, "like_conll")
    assert found.files == expected
    assert found.repeated_directories == [(str(tmp_path / "0_link"), str(tmp_path / "c"))]
    assert found.notes() == [f"{tmp_path}/0_link is the same directory as {tmp_path}/c (a "
                             f"symbolic link): its files are read once, from {tmp_path}/c"]


def test_two_links_to_one_outside_directory_read_it_once(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.like_conll").write_text("0 w * -\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "l1").symlink_to(outside)
    (root / "l2").symlink_to(outside)
    found = walk_data_files(root, "like_conll")
    assert found.files == [str(root / "l1/o.like_conll")]
    assert found.repeated_directories == [(str(root / "l2"), str(root / "l1"))]


def test_links_to_one_file_read_it_once_and_say_so(tmp_path, caplog):
    expected = tree(tmp_path)
    (tmp_path / "a" / "0.like_conll").symlink_to(tmp_path / "c" / "z.like_conll")
    (tmp_path / "a" / "1.like_conll").symlink_to(tmp_path / "c" / "z.like_conll")
    found = walk_data_files(tmp_path, "like_conll")
    assert found.files == expected
    assert found.repeated_files == [(str(tmp_path / "a/0.like_conll"), expected[2]),
                                    (str(tmp_path / "a/1.like_conll"), expected[2])]
    assert found.notes() == [f"{tmp_path}/a/0.like_conll is the same file as {expected[2]} (a "
                             "symbolic link) (and 1 more file like it): each file is read once"]
    with caplog.at_level(logging.WARNING, logger="hmtl.data.formats.paths"):
        assert find_data_files(tmp_path, "like_conll") == expected
    assert found.notes()[0] in caplog.text


def test_an_unreadable_directory_is_an_error_not_a_silent_gap(tmp_path, monkeypatch):
    tree(tmp_path)
    scandir = os.scandir

    def refusing(path):
        if os.fspath(path) == str(tmp_path / "c"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(FormatError) as caught:
        walk_data_files(tmp_path, "like_conll")
    assert str(caught.value) == f"{tmp_path}/c: cannot list the directory: Permission denied"


@pytest.mark.parametrize("path, expected", [
    ("/c/conll-2012/v4/data/train/data/english/annotations/bc/cctv/00/cctv_0001.v4_gold_conll",
     ("english", "bc")),
    ("data/arabic/annotations/nw/ann/00/ann_0001.v4_gold_conll", ("arabic", "nw")),
    ("/tmp/train.english.v4_gold_conll", (None, None)),
    ("annotations/x.v4_gold_conll", (None, None)),
])
def test_ontonotes_path_info(path, expected):
    assert ontonotes_path_info(path) == expected
