"""Finding the documents of the release and the documents a split list names."""

from pathlib import Path

import pytest

from hmtl.data.ace2005.corpus import (
    english_root,
    find_split_files,
    index_documents,
    read_split_list,
    resolve_split,
)
from hmtl.data.formats.errors import FormatError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ace2005"
RELEASE = FIXTURES / "LDC2006T06"
ENGLISH = RELEASE / "data" / "English"


@pytest.mark.parametrize("given", [RELEASE, RELEASE / "data", ENGLISH])
def test_the_release_root_its_data_or_its_english_directory(given):
    assert english_root(given) == ENGLISH


def test_a_directory_without_the_layout_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="expected the LDC2006T06 release directory"):
        english_root(tmp_path)


def test_timex2norm_is_read_by_default_and_adj_on_request():
    documents = index_documents(ENGLISH)
    assert sorted(documents) == ["APW_ENG_20030101.0001", "CNN_CF_20030101.0002"]
    nw = documents["APW_ENG_20030101.0001"]
    assert (nw.genre, nw.sgm.parent.name, nw.apf.name) == (
        "nw", "timex2norm", "APW_ENG_20030101.0001.apf.xml",
    )
    adj = index_documents(ENGLISH, "adj")
    assert list(adj) == ["APW_ENG_20030101.0001"]  # the fixture has one adj document
    assert adj["APW_ENG_20030101.0001"].sgm.parent.name == "adj"


def test_an_sgm_without_its_apf_is_an_error(tmp_path):
    version = tmp_path / "nw" / "timex2norm"
    version.mkdir(parents=True)
    (version / "LONELY.sgm").write_text("<DOC></DOC>")
    with pytest.raises(FileNotFoundError, match="LONELY.sgm: its annotation file LONELY.apf.xml"):
        index_documents(tmp_path)


def test_split_lists_accept_bare_ids_paths_and_suffixes(tmp_path):
    path = tmp_path / "train"
    path.write_text(
        "# comment\nCNN_CF_20030101.0002\n\nnw/APW_ENG_20030101.0001.sgm\n"
        "bc\\timex2norm\\X.apf.xml\nCNN_CF_20030101.0002\n"
    )
    # Line 6 repeats line 2 and is dropped.
    assert read_split_list(path) == [
        ("CNN_CF_20030101.0002", 2), ("APW_ENG_20030101.0001", 4), ("X", 5),
    ]


def test_missing_ids_are_all_listed_with_their_lines(tmp_path):
    path = tmp_path / "dev.txt"
    path.write_text("APW_ENG_20030101.0001\nNOT_THERE_1\nNOT_THERE_2\n")
    with pytest.raises(FormatError) as error:
        resolve_split(path, index_documents(ENGLISH))
    assert error.value.line == 2
    assert "2 of 3 document ids not found in the release: NOT_THERE_1 (line 2), " \
           "NOT_THERE_2 (line 3)" in str(error.value)


def test_an_empty_split_list_is_an_error(tmp_path):
    path = tmp_path / "test.txt"
    path.write_text("\n# nothing\n")
    with pytest.raises(FormatError, match="expected one document id per line, found none"):
        read_split_list(path)


def test_split_files_named_like_the_published_lists_or_with_txt(tmp_path):
    assert find_split_files(FIXTURES / "split") == {
        name: FIXTURES / "split" / name for name in ("train", "dev", "test")
    }
    for name in ("train.txt", "dev.txt"):
        (tmp_path / name).write_text("X\n")
    with pytest.raises(FileNotFoundError, match="expected a split list test.txt"):
        find_split_files(tmp_path)
