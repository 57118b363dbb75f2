"""Finding the data files a reader is pointed at: one file, or a directory searched recursively.

Readers of corpora distributed as many files (OntoNotes, ACE) take a directory; a typo in the path
or a directory holding the wrong files must fail at once with the path in the message, not yield
zero instances that only surface as a crash deep inside training.

Symbolic links are followed (data trees are often assembled from links), but every file is read
once: directories and files are identified by their resolved real path, a link back to a directory
above it (a cycle) is not followed, and a second path to a directory or file already found is left
out. What was left out is said (`DataFiles.notes`), so that the readers can log it and
`hmtl check-data` can warn about it: a cycle otherwise multiplies the data silently.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import NoReturn

from hmtl.data.formats.errors import FormatError

logger = logging.getLogger(__name__)


@dataclass
class DataFiles:
    """The files a path designates (sorted) and the other paths to them that were left out.

    - `cycles`: `(link, target)`: a directory link whose target contains the link itself.
    - `repeated_directories`: `(path, first)`: a directory reached again by another path; its
      files are read from `first`.
    - `repeated_files`: `(path, first)`: a file reached by a second path (a link to it); read
      once, as `first`.
    """

    files: list[str]
    cycles: list[tuple[str, str]] = field(default_factory=list)
    repeated_directories: list[tuple[str, str]] = field(default_factory=list)
    repeated_files: list[tuple[str, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One line per cycle, per repeated directory and for all the repeated files."""
        lines = [f"{link} is a symbolic link to {target}, a directory that contains it (a cycle): "
                 "not followed, so each file under it is read once" for link, target in self.cycles]
        lines.extend(f"{path} is the same directory as {first} (a symbolic link): its files are "
                     f"read once, from {first}" for path, first in self.repeated_directories)
        if self.repeated_files:
            path, first = self.repeated_files[0]
            others = len(self.repeated_files) - 1
            more = f" (and {others} more file{'s' if others > 1 else ''} like it)" if others else ""
            lines.append(f"{path} is the same file as {first} (a symbolic link){more}: each file "
                         "is read once")
        return lines


def walk_data_files(path: str | os.PathLike, suffix: str) -> DataFiles:
    """The files `path` designates: itself if it is a file, else every file below it ending in
    `suffix`, in sorted order (so that every run and every worker sees the same sequence), each
    real file once.

    Hidden files and directories (names starting with `.`, e.g. macOS `._*` resource forks copied
    out of archives) are not data and are left out. Where a directory or file is reachable by
    several paths, the path without symbolic links is kept, else the first in sorted order.
    """
    path = os.fspath(path)
    if os.path.isfile(path):
        return DataFiles([path])
    if not os.path.exists(path):
        raise FormatError(
            path, None, f"no such file or directory: expected a file or a directory of *{suffix} "
            "files"
        )
    walk = _Walk(path, suffix)
    walk.visit(path, (os.path.realpath(path),), linked=False)
    if walk.hidden:
        logger.info("%s: left out %d hidden files ending in %r", path, walk.hidden, suffix)
    result = walk.result()
    if not result.files:
        raise FormatError(path, None, f"the directory contains no file ending in {suffix!r}")
    return result


def find_data_files(path: str | os.PathLike, suffix: str) -> list[str]:
    """`walk_data_files(path, suffix).files`; what was left out is logged as warnings."""
    found = walk_data_files(path, suffix)
    for note in found.notes():
        logger.warning("%s", note)
    return found.files


class _Walk:
    """One depth-first walk in sorted order, following links, each real directory entered once."""

    def __init__(self, root: str, suffix: str) -> None:
        self.suffix = suffix
        self.hidden = 0
        # Directories reachable without following a link keep their plain path.
        self.plain: dict[str, str] = {}
        for directory, subdirectories, _ in os.walk(root, onerror=_raise_listing_error):
            subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
            self.plain.setdefault(os.path.realpath(directory), directory)
        self.entered: dict[str, str] = {}
        self.cycles: list[tuple[str, str]] = []
        self.repeated_directories: list[tuple[str, str]] = []
        # real file -> [(linked, path)]
        self.candidates: dict[str, list[tuple[bool, str]]] = {}

    def visit(self, directory: str, chain: tuple[str, ...], linked: bool) -> None:
        """Walk `directory`, whose real path ends `chain` (the real paths from the root down);
        `linked`: a link was followed to reach it."""
        self.entered[chain[-1]] = directory
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            _raise_listing_error(error)
        for entry in entries:
            hidden = entry.name.startswith(".")
            if _is_directory(entry):
                if not hidden:
                    self._directory(entry, chain, linked)
            elif entry.name.endswith(self.suffix):
                if hidden:
                    self.hidden += 1
                else:
                    real = os.path.realpath(entry.path)
                    self.candidates.setdefault(real, []).append(
                        (linked or entry.is_symlink(), entry.path))

    def _directory(self, entry: os.DirEntry, chain: tuple[str, ...], linked: bool) -> None:
        real = os.path.realpath(entry.path)
        if real in chain:
            self.cycles.append((entry.path, real))
            return
        first = self.entered.get(real) or self.plain.get(real, entry.path)
        if first != entry.path:
            self.repeated_directories.append((entry.path, first))
            return
        self.visit(entry.path, (*chain, real), linked or entry.is_symlink())

    def result(self) -> DataFiles:
        files = []
        repeated = []
        for paths in self.candidates.values():
            first = min(paths)[1]
            files.append(first)
            repeated.extend((path, first) for _, path in sorted(paths) if path != first)
        return DataFiles(sorted(files), self.cycles, self.repeated_directories, sorted(repeated))


def _raise_listing_error(error: OSError) -> NoReturn:
    raise FormatError(error.filename, None, f"cannot list the directory: {error.strerror}")


def _is_directory(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


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
