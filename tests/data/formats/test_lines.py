"""Line reading and row splitting: the quirks of real files, and the file-level errors."""

import pytest

from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.lines import check_data_file, iter_lines, split_row


def test_crlf_bom_and_missing_final_newline_are_plain_lines(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"\xef\xbb\xbfa b\r\n\r\nc d  \t")
    assert list(iter_lines(path)) == [(1, "a b"), (2, ""), (3, "c d  \t")]


def test_non_utf8_byte_is_reported_at_its_line_and_column(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("ok\nalso ok\ncaf\xe9 x\n".encode("latin-1"))
    with pytest.raises(FormatError) as caught:
        list(iter_lines(path))
    # "caf" is 3 bytes, so the bad byte 0xe9 is the 4th.
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}, line 3: byte 0xe9 at column 4")


def test_missing_path_and_directory_are_errors_naming_the_path(tmp_path):
    with pytest.raises(FormatError, match="no such file"):
        check_data_file(tmp_path / "nope.conll")
    with pytest.raises(FormatError) as caught:
        list(iter_lines(tmp_path))
    assert str(tmp_path) in str(caught.value) and "is a directory" in str(caught.value)


def test_space_separated_rows_collapse_runs_of_spaces():
    assert split_row("  bc/x   0   3   John   (PERSON*  ") == ["bc/x", "0", "3", "John", "(PERSON*"]


def test_tab_separated_rows_keep_empty_cells_and_drop_padding():
    assert split_row("1\t \tPER \t\t-\t") == ["1", "", "PER", "", "-"]


def test_unicode_spaces_are_part_of_words_not_separators():
    assert split_row("3 New\u00a0York *") == ["3", "New\u00a0York", "*"]
