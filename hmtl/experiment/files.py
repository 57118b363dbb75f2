"""Writing run files so that a crash never leaves a half-written one.

Training writes checkpoints, configs and metrics; fine-tuning, evaluation and prediction read
them. A reader must see the old content or the new, never a mix, so every file is written to
``<name>.partial``, fsynced and renamed into place.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

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


def save_synced(obj: Any, path: Path) -> None:
    """``torch.save`` to ``path``, flushed to disk before returning."""
    with open(path, "wb") as handle:
        torch.save(obj, handle)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` that never leaves a half-written file at ``path``."""
    path = Path(path)
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    save_synced(obj, partial)
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
