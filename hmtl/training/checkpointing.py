"""Crash-safe checkpoint files.

A checkpoint is several files that must agree (``model_state.th``, ``training_state.th`` and the
``best_*.th`` copies that changed). Each is written to ``<name>.partial`` and fsynced; then a small
journal naming them is written atomically; then the files are renamed into place and the journal
removed. A crash (even ``kill -9``) before the journal exists leaves the previous checkpoint
untouched (the partial files are discarded); a crash after it is rolled forward by
``finish_interrupted_checkpoint``. Either way the directory holds one complete checkpoint.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from allennlp.common.checks import ConfigurationError

from hmtl.experiment.files import PARTIAL_SUFFIX, atomic_write_text, fsync_directory, save_synced

logger = logging.getLogger(__name__)

JOURNAL = "checkpoint_journal.json"


def save_checkpoint(directory: str | os.PathLike, files: Mapping[str, Any]) -> None:
    """Write ``files`` (name -> object for ``torch.save``) into ``directory``, all or nothing."""
    directory = Path(directory)
    names = list(files)
    for name in names:
        save_synced(files[name], directory / (name + PARTIAL_SUFFIX))
    atomic_write_text(json.dumps({"files": names}), directory / JOURNAL)
    _apply_journal(directory, names)


def _apply_journal(directory: Path, names: list[str]) -> None:
    for name in names:
        partial = directory / (name + PARTIAL_SUFFIX)
        if partial.exists():
            os.replace(partial, directory / name)
    fsync_directory(directory)
    (directory / JOURNAL).unlink(missing_ok=True)
    fsync_directory(directory)


def finish_interrupted_checkpoint(directory: str | os.PathLike) -> None:
    """Complete a checkpoint whose journal was written, and drop files of one that was not."""
    directory = Path(directory)
    journal = directory / JOURNAL
    if journal.exists():
        try:
            names = json.loads(journal.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigurationError(
                f"{journal}: the checkpoint journal is unreadable ({error}); it should hold "
                '{"files": [...]}. Remove it to fall back to the previous checkpoint.'
            ) from error
        logger.info("Completing the checkpoint interrupted in %s: %s", directory, names)
        _apply_journal(directory, list(names))
    for stray in directory.glob("*" + PARTIAL_SUFFIX):
        logger.info("Removing %s, left by an interrupted checkpoint", stray)
        stray.unlink()
