"""Convert the splits of LDC2006T06 into the files the ACE readers read, one document at a time.

Output under `out_dir`, for each split (train, dev, test):
- `<split>/<docid>.like_conll`: one file per document (readers `mention_ace`, `relation_ace`
  read the directory);
- `single_file_<split>_rahman.gold_conll`: the same documents concatenated in split-list order
  (reader `coref_ace`), the paths the original HMTL configs use (`./data/ace2005/single_file_
  train_rahman.gold_conll`). `ConversionOptions.single_file` changes that path (relative to
  `out_dir`, `{split}` replaced), e.g. `../ace2005_single_file/{split}_rahman.gold_conll` for the
  layout of the demo corpus.

Every split list is resolved before anything is written, so a missing id fails fast. Files from an
earlier run are only replaced when `overwrite` is set: a stale document left in a split directory
would silently join that split.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from tqdm import tqdm

from hmtl.data.ace2005.apf import read_apf
from hmtl.data.ace2005.corpus import DocumentFiles, english_root, index_documents, resolve_split
from hmtl.data.ace2005.document import convert_document
from hmtl.data.ace2005.like_conll import document_lines
from hmtl.data.ace2005.report import ConversionReport
from hmtl.data.ace2005.sgm import DEFAULT_TEXT_ELEMENTS, read_sgm
from hmtl.data.ace2005.tokens import english_pipeline

logger = logging.getLogger(__name__)

DOC_ID_MISMATCH = "documents whose DOCID differs from their file name (file name used)"
ORIGINAL_SINGLE_FILE = "single_file_{split}_rahman.gold_conll"


@dataclass(frozen=True)
class ConversionOptions:
    """Choices of the conversion: annotation version, text elements, token cutting, output."""

    version: str = "timex2norm"
    text_elements: tuple[str, ...] = DEFAULT_TEXT_ELEMENTS
    split_tokens: bool = True
    max_cases: int = 5
    single_file: str = ORIGINAL_SINGLE_FILE

    def __post_init__(self) -> None:
        if "{split}" not in self.single_file:
            raise ValueError(
                f"single file path {self.single_file!r} must contain {{split}}, or every split "
                "would write the same file"
            )


def single_file_path(
    out_dir: str | os.PathLike, split: str, template: str = ORIGINAL_SINGLE_FILE
) -> Path:
    """Where the concatenated file of a split goes: `template` below `out_dir`."""
    return Path(out_dir) / template.replace("{split}", split)


def prepare_ace2005(
    ace_dir: str | os.PathLike,
    split_files: Mapping[str, str | os.PathLike],
    out_dir: str | os.PathLike,
    options: ConversionOptions = ConversionOptions(),
    overwrite: bool = False,
    progress: bool = True,
) -> dict[str, ConversionReport]:
    """Convert every split listed in `split_files` (split name -> list file); one report each."""
    documents = index_documents(english_root(ace_dir), options.version)
    resolved = {split: resolve_split(path, documents) for split, path in split_files.items()}
    _warn_about_shared_documents(resolved)
    for split in resolved:
        _clear_previous_output(Path(out_dir), split, options.single_file, overwrite)
    nlp = english_pipeline()
    return {
        split: convert_split(split, docs, out_dir, nlp, options, progress)
        for split, docs in resolved.items()
    }


def convert_split(
    split: str,
    documents: list[DocumentFiles],
    out_dir: str | os.PathLike,
    nlp: Language,
    options: ConversionOptions = ConversionOptions(),
    progress: bool = True,
) -> ConversionReport:
    """Convert and write one split, streaming document by document."""
    report = ConversionReport(options.max_cases)
    split_dir = Path(out_dir) / split
    split_dir.mkdir(parents=True, exist_ok=True)
    single = single_file_path(out_dir, split, options.single_file)
    single.parent.mkdir(parents=True, exist_ok=True)
    partial = single.with_name(single.name + ".partial")
    with open(partial, "w", encoding="utf-8") as combined:
        for files in tqdm(documents, desc=f"ACE 2005 {split}", unit="doc", disable=not progress):
            sgm = read_sgm(files.sgm, options.text_elements)
            apf = read_apf(files.apf)
            for source, doc_id in ((files.sgm, sgm.doc_id), (files.apf, apf.doc_id)):
                if doc_id != files.doc_id:
                    report.problem(DOC_ID_MISMATCH, f"{source}: DOCID {doc_id!r}")
            sentences = convert_document(
                files.doc_id, sgm, apf, nlp, report, options.split_tokens, options.text_elements
            )
            text = "\n".join(document_lines(files.doc_id, sentences)) + "\n"
            (split_dir / f"{files.doc_id}.like_conll").write_text(text, encoding="utf-8")
            combined.write(text)
    os.replace(partial, single)
    return report


def _clear_previous_output(out_dir: Path, split: str, template: str, overwrite: bool) -> None:
    old = sorted((out_dir / split).glob("*.like_conll")) if (out_dir / split).is_dir() else []
    single = single_file_path(out_dir, split, template)
    if single.exists():
        old.append(single)
    if old and not overwrite:
        raise FileExistsError(
            f"{out_dir}: {len(old)} files of an earlier {split} conversion are there (e.g. "
            f"{old[0].name}); pass --overwrite to replace them"
        )
    for path in old:
        path.unlink()


def _warn_about_shared_documents(resolved: Mapping[str, list[DocumentFiles]]) -> None:
    splits = list(resolved)
    for index, first in enumerate(splits):
        for second in splits[index + 1 :]:
            shared = {d.doc_id for d in resolved[first]} & {d.doc_id for d in resolved[second]}
            if shared:
                logger.warning(
                    "%d documents are in both %s and %s, e.g. %s",
                    len(shared), first, second, sorted(shared)[0],
                )
