"""Where the documents of LDC2006T06 are, and which of them a split list names.

Layout: `<root>/data/English/<genre>/<version>/<docid>.sgm` with `<docid>.apf.xml` beside it,
genres bc bn cts nw un wl, versions `timex2norm` (used by default) and `adj`. The root may be
given as the release directory, its `data`, or its `data/English`.

Split lists: one document per line, as a bare id (`CNN_CF_20030303.1900.00`, the form of the
commonly used 351/80/80 lists of Miwa & Bansal 2016, github.com/tticoin/LSTM-ER under
`data/ace2005/split/`, files named `train`, `dev`, `test`) or with a path or suffix
(`bc/CNN_CF_20030303.1900.00.sgm`): the file stem is what is matched. Blank lines and lines
starting with `#` are skipped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from hmtl.data.formats.errors import FormatError

logger = logging.getLogger(__name__)

VERSIONS: tuple[str, ...] = ("timex2norm", "adj")
SPLITS: tuple[str, ...] = ("train", "dev", "test")
_SUFFIXES = (".apf.xml", ".sgm")


@dataclass(frozen=True)
class DocumentFiles:
    """The two files of one document."""

    doc_id: str
    genre: str
    sgm: Path
    apf: Path


def english_root(ace_dir: str | os.PathLike) -> Path:
    """The `data/English` directory of the release; `FileNotFoundError` saying what was tried."""
    root = Path(ace_dir)
    for candidate in (root / "data" / "English", root / "English", root):
        if _has_version_dirs(candidate):
            return candidate
    raise FileNotFoundError(
        f"{root}: expected the LDC2006T06 release directory (holding data/English/<genre>/"
        f"timex2norm/*.sgm), its data/ or its data/English/ directory"
    )


def _has_version_dirs(directory: Path) -> bool:
    return directory.is_dir() and any(
        (genre / version).is_dir() for genre in directory.iterdir() for version in VERSIONS
    )


def index_documents(english: Path, version: str = "timex2norm") -> dict[str, DocumentFiles]:
    """All documents of one annotation version, by id; an sgm without its apf is an error."""
    if version not in VERSIONS:
        raise ValueError(f"unknown ACE 2005 version {version!r}: expected one of {VERSIONS}")
    documents: dict[str, DocumentFiles] = {}
    for genre_dir in sorted(path for path in english.iterdir() if path.is_dir()):
        version_dir = genre_dir / version
        if not version_dir.is_dir():
            continue
        for sgm in sorted(version_dir.glob("*.sgm")):
            doc_id = sgm.name[: -len(".sgm")]
            apf = version_dir / f"{doc_id}.apf.xml"
            if not apf.is_file():
                raise FileNotFoundError(f"{sgm}: its annotation file {apf.name} is missing")
            if doc_id in documents:
                raise FileExistsError(
                    f"{sgm}: document id {doc_id} also in {documents[doc_id].sgm.parent}"
                )
            documents[doc_id] = DocumentFiles(doc_id, genre_dir.name, sgm, apf)
    if not documents:
        raise FileNotFoundError(f"{english}: no <genre>/{version}/*.sgm documents found")
    return documents


def read_split_list(path: str | os.PathLike) -> list[tuple[str, int]]:
    """The document ids of a split file, each with its line number, duplicates dropped (logged)."""
    ids: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            doc_id = entry.replace("\\", "/").rsplit("/", 1)[-1]
            for suffix in _SUFFIXES:
                if doc_id.endswith(suffix):
                    doc_id = doc_id[: -len(suffix)]
            if doc_id in seen:
                logger.warning("%s, line %d: %s already listed on line %d", path, number, doc_id,
                               seen[doc_id])
                continue
            seen[doc_id] = number
            ids.append((doc_id, number))
    if not ids:
        raise FormatError(path, None, "expected one document id per line, found none")
    return ids


def resolve_split(
    path: str | os.PathLike, documents: dict[str, DocumentFiles]
) -> list[DocumentFiles]:
    """The documents a split file lists, in its order; every id must exist."""
    ids = read_split_list(path)
    missing = [(doc_id, line) for doc_id, line in ids if doc_id not in documents]
    if missing:
        listed = ", ".join(f"{doc_id} (line {line})" for doc_id, line in missing)
        raise FormatError(
            path, missing[0][1],
            f"{len(missing)} of {len(ids)} document ids not found in the release: {listed}",
        )
    return [documents[doc_id] for doc_id, _ in ids]


def find_split_files(splits_dir: str | os.PathLike) -> dict[str, Path]:
    """`train`, `dev` and `test` lists of a directory, as `<name>.txt` or plain `<name>`."""
    directory = Path(splits_dir)
    found: dict[str, Path] = {}
    for name in SPLITS:
        for candidate in (directory / f"{name}.txt", directory / name):
            if candidate.is_file():
                found[name] = candidate
                break
        else:
            raise FileNotFoundError(
                f"{directory}: expected a split list {name}.txt (or {name}) with one document "
                "id per line"
            )
    return found
