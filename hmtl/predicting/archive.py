"""Model archives: one ``.tar.gz`` holding a run's config, vocabulary and chosen weights.

A run directory also holds checkpoints, logs and every task's weights; an archive is what is
shipped to predict. Its members are ``config.json``, ``vocabulary/...`` and exactly one weights
file, kept under its run-directory name (``best.th`` or ``best_<task>.th``), so an extracted
archive is itself a minimal run directory and is loaded the same way. Extraction goes to a
temporary directory removed afterwards, with ``tarfile``'s ``data`` filter (no absolute paths,
no ``..``, no links out of the directory, no device files).
"""

from __future__ import annotations

import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from allennlp.common.checks import ConfigurationError

from hmtl.experiment.weights import choose_weights

CONFIG = "config.json"
VOCABULARY = "vocabulary"
# What marks a saved vocabulary (AllenNLP writes it even for an empty vocabulary).
VOCABULARY_MARKER = "non_padded_namespaces.txt"


def check_run_directory(directory: str | os.PathLike) -> Path:
    """``directory`` if it has config.json and a saved vocabulary, else a ConfigurationError
    saying what is missing."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigurationError(f"{directory} does not exist or is not a directory.")
    for required in (CONFIG, f"{VOCABULARY}/{VOCABULARY_MARKER}"):
        if not (directory / required).is_file():
            raise ConfigurationError(
                f"{directory} is not a training run directory: {required} is missing (expected "
                "config.json, vocabulary/ and best weights, as written by hmtl train)."
            )
    return directory


def create_archive(
    run_dir: str | os.PathLike, output: str | os.PathLike, weights: str | None = None
) -> Path:
    """Write ``output`` (a gzipped tar) from ``run_dir`` with the weights ``weights`` selects
    (see ``hmtl.experiment.weights.choose_weights``); returns the path of the weights used."""
    run_dir = check_run_directory(run_dir)
    chosen = choose_weights(run_dir, weights)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        archive.add(run_dir / CONFIG, arcname=CONFIG)
        archive.add(run_dir / VOCABULARY, arcname=VOCABULARY)
        archive.add(chosen, arcname=chosen.name)
    partial.replace(output)
    return chosen


def is_archive(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a file (not a directory): archives are files, runs are directories."""
    return Path(path).is_file()


@contextmanager
def extracted_archive(path: str | os.PathLike) -> Iterator[Path]:
    """Extract an archive into a temporary directory, yield it, then remove it."""
    path = Path(path)
    if not tarfile.is_tarfile(path):
        raise ConfigurationError(
            f"{path} is not a model archive (expected a .tar.gz written by hmtl archive, or a "
            "run directory)."
        )
    with tempfile.TemporaryDirectory(prefix="hmtl-archive-") as directory:
        try:
            with tarfile.open(path, "r:*") as archive:
                archive.extractall(directory, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise ConfigurationError(f"{path}: cannot extract the archive ({error})") from None
        try:
            check_run_directory(directory)
        except ConfigurationError as error:
            raise ConfigurationError(
                f"{path} is not a model archive: {error.message}"
            ) from None
        yield Path(directory)
