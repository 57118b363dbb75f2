"""Reading a data file as numbered lines and splitting rows into cells.

Every format shares the same low-level failures (missing path, directory instead of file, bytes
that are not UTF-8) and the same quirks of real files (CRLF, a byte-order mark, trailing
whitespace, no final newline, tab-separated files with empty cells). Handling them once here keeps
the parsers about their format only and guarantees every error names the file and the line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from hmtl.data.formats.errors import FormatError

# Whitespace that may pad a row; Unicode spaces such as U+00A0 are kept, since they can be part
# of a word.
_PADDING = " \t\r\n\v\f"
_SPACE_RUNS = re.compile(r"[ \v\f]+")


def check_data_file(path: str | os.PathLike) -> str:
    """Return `path` as a string, or raise `FormatError` if it is not an existing regular file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FormatError(path, None, "no such file or directory: expected an existing data file")
    if os.path.isdir(path):
        raise FormatError(path, None, "is a directory: expected a data file")
    return path


def iter_lines(path: str | os.PathLike) -> Iterator[tuple[int, str]]:
    """Yield `(line_number, line)` pairs, 1-based, without the line terminator.

    The file is read as bytes and decoded line by line, so that a non-UTF-8 byte is reported at
    its exact line (a text-mode reader decodes by blocks and loses the position). Only `\\n`
    ends a line; a trailing `\\r` (CRLF files) is dropped, as is a leading byte-order mark.
    """
    path = check_data_file(path)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise FormatError(
                    path,
                    number,
                    f"byte 0x{raw[error.start]:02x} at column {error.start + 1} is not valid "
                    "UTF-8: expected a UTF-8 encoded text file",
                ) from None
            if number == 1 and line.startswith("\ufeff"):
                line = line[1:]
            yield number, line.rstrip("\r\n")


def is_blank(line: str) -> bool:
    """A line with nothing but whitespace: the end of a sentence in every column format."""
    return not line.strip()


def split_row(line: str) -> list[str]:
    """Split a token row into cells.

    A line containing a tab is tab-separated: empty cells between tabs are kept (as `""`) and
    spaces around cells are dropped. Otherwise cells are separated by runs of ASCII spaces, so
    that space-aligned files (CoNLL-2012) work. Unicode spaces never separate cells.
    """
    if "\t" in line:
        cells = line.strip(_PADDING).split("\t")
        return [cell.strip(" ") for cell in cells] if " " in line else cells
    if line.isascii():
        return line.split()
    return _SPACE_RUNS.split(line.strip(_PADDING))


def empty_file_error(path: str, last_line: int, expected: str) -> FormatError:
    """The error for a file that holds no token row at all."""
    if last_line == 0:
        return FormatError(path, 1, f"the file is empty: expected {expected}")
    return FormatError(
        path, last_line, f"the file ends without any token row: expected {expected}"
    )
