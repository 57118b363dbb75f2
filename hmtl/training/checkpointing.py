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

import torch
from allennlp.common.checks import ConfigurationError

logger = logging.getLogger(__name__)

JOURNAL = "checkpoint_journal.json"
PARTIAL_SUFFIX = ".partial"


def fsync_directory(directory: str | os.PathLike) -> None:
    """Make renames inside ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _save_synced(obj: Any, path: Path) -> None:
    with open(path, "wb") as handle:
        torch.save(obj, handle)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` that never leaves a half-written file at ``path``."""
    path = Path(path)
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    _save_synced(obj, partial)
    os.replace(partial, path)
    fsync_directory(path.parent)


def atomic_write_text(text: str, path: str | os.PathLike) -> None:
    """Write a text file so that readers see the old or the new content, never a mix."""
    path = Path(path)
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    fsync_directory(path.parent)


def save_checkpoint(directory: str | os.PathLike, files: Mapping[str, Any]) -> None:
    """Write ``files`` (name -> object for ``torch.save``) into ``directory``, all or nothing."""
    directory = Path(directory)
    names = list(files)
    for name in names:
        _save_synced(files[name], directory / (name + PARTIAL_SUFFIX))
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


def load_torch_file(path: str | os.PathLike, what: str) -> Any:
    """``torch.load`` with ``weights_only=True`` and an error that says which file and why."""
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(f"{path}: the {what} does not exist")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ConfigurationError(
            f"{path}: cannot read the {what} ({type(error).__name__}: {error}). The file is "
            "damaged or was not written by hmtl."
        ) from error


def load_model_weights(
    model: torch.nn.Module, state: Mapping[str, torch.Tensor], source: str | os.PathLike
) -> None:
    """Load ``state`` into ``model``, naming every missing, unexpected or reshaped parameter."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    reshaped = sorted(
        f"{name} {tuple(state[name].shape)} != {tuple(own[name].shape)}"
        for name in set(own) & set(state)
        if hasattr(state[name], "shape") and tuple(state[name].shape) != tuple(own[name].shape)
    )
    if missing or unexpected or reshaped:
        parts = []
        if missing:
            parts.append("missing from the file: " + ", ".join(missing))
        if unexpected:
            parts.append("not in the model: " + ", ".join(unexpected))
        if reshaped:
            parts.append("shape (file != model): " + "; ".join(reshaped))
        raise ConfigurationError(
            f"{source}: the weights do not fit the model built from the config ("
            + " | ".join(parts)
            + "). Check that the encoders, heads and vocabulary match the run that wrote it."
        )
    model.load_state_dict(state)
