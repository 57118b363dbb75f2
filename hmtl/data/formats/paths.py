"""Finding the data files a reader is pointed at: one file, or a directory searched recursively.

Readers of corpora distributed as many files (OntoNotes, ACE) take a directory; a typo in the path
or a directory holding the wrong files must fail at once with the path in the message, not yield
zero instances that only surface as a crash deep inside training.
"""

from __future__ import annotations

import logging
import os

from hmtl.data.formats.errors import FormatError

logger = logging.getLogger(__name__)


def find_data_files(path: str | os.PathLike, suffix: str) -> list[str]:
    """The files `path` designates: itself if it is a file, else every file below it ending in
    `suffix`, in sorted order (so that every run and every worker sees the same sequence).

    Hidden files (names starting with `.`, e.g. macOS `._*` resource forks copied out of
    archives) are not data and are left out.
    """
    path = os.fspath(path)
    if os.path.isfile(path):
        return [path]
    if not os.path.exists(path):
        raise FormatError(
            path, None, f"no such file or directory: expected a file or a directory of *{suffix} "
            "files"
        )
    found = []
    hidden = 0
    for root, directories, files in os.walk(path, followlinks=True):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        for name in files:
            if name.endswith(suffix):
                if name.startswith("."):
                    hidden += 1
                else:
                    found.append(os.path.join(root, name))
    if hidden:
        logger.info("%s: left out %d hidden files ending in %r", path, hidden, suffix)
    if not found:
        raise FormatError(path, None, f"the directory contains no file ending in {suffix!r}")
    return sorted(found)


def ontonotes_path_info(path: str | os.PathLike) -> tuple[str | None, str | None]:
    """`(language, genre)` of an OntoNotes path such as
    `.../data/train/data/english/annotations/bc/cctv/00/cctv_0001.v4_gold_conll`
    (the components around the last `annotations`), or `None` for what the path does not show.
    """
    parts = os.path.normpath(os.fspath(path)).split(os.sep)
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "annotations":
            language = parts[index - 1] if index > 0 and parts[index - 1] else None
            genre = parts[index + 1] if index + 2 < len(parts) else None
            return language, genre
    return None, None
