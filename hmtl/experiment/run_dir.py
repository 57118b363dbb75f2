"""The serialization directory of a run: creating it safely, its config and its log file.

A directory that already holds a run is never reused by accident: without ``--recover`` (continue
it) or ``--force`` (delete it and start over) that is an error. ``config.json`` records the
config the run was started with; ``--recover`` checks that the config it is given still matches.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.files import atomic_write_text
from hmtl.experiment.terminal import RUN_LOG_HANDLER

CONFIG_FILE = "config.json"
LOG_FILE = "out.log"
# Settings that may differ between a run and its --recover (where it runs, not what it trains).
RECOVER_MAY_CHANGE = (("multi_task_trainer", "cuda_device"),)


def prepare_serialization_dir(path: str | os.PathLike, recover: bool, force: bool) -> Path:
    """Create the directory for a new run, or check there is a run to recover in it."""
    directory = Path(path)
    if recover and force:
        raise ConfigurationError("--recover and --force contradict each other; choose one")
    if recover:
        if not (directory / CONFIG_FILE).is_file():
            raise ConfigurationError(
                f"--recover: {directory} holds no run to recover ({CONFIG_FILE} is missing)"
            )
        return directory
    if directory.exists() and any(directory.iterdir()):
        if not force:
            raise ConfigurationError(
                f"Serialization directory {directory} already exists and is not empty. Use "
                "--recover to continue the run in it, --force to delete it and start over, or "
                "choose another directory."
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def write_config(params: Params, directory: str | os.PathLike) -> None:
    """Save the run's config as ``config.json``."""
    text = json.dumps(params.as_dict(quiet=True), indent=2)
    atomic_write_text(text + "\n", Path(directory) / CONFIG_FILE)


def read_saved_config(directory: str | os.PathLike) -> Params:
    """The config a run was started with."""
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise ConfigurationError(f"{path}: missing; is {directory} a serialization directory?")
    try:
        return Params(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as error:
        raise ConfigurationError(f"{path}: not valid JSON ({error})") from error


def config_differences(saved: Any, given: Any, where: str = "") -> list[str]:
    """Dotted paths where two configs differ."""
    if isinstance(saved, dict) and isinstance(given, dict):
        found = []
        for key in sorted(set(saved) | set(given)):
            path = f"{where}.{key}" if where else key
            if key not in saved or key not in given:
                found.append(path)
            else:
                found.extend(config_differences(saved[key], given[key], path))
        return found
    return [] if saved == given else [where or "<root>"]


def check_recover_config(params: Params, directory: str | os.PathLike) -> None:
    """``--recover`` must continue the same experiment (only the device may change)."""
    saved = read_saved_config(directory).as_dict(quiet=True)
    given = params.as_dict(quiet=True)
    allowed = {".".join(path) for path in RECOVER_MAY_CHANGE}
    differences = [d for d in config_differences(saved, given) if d not in allowed]
    if differences:
        raise ConfigurationError(
            f"--recover: the config differs from {Path(directory) / CONFIG_FILE} at "
            f"{', '.join(differences)}. Recover with the same config (or omit -c to use the "
            "saved one), or start a new run."
        )


def add_log_file(directory: str | os.PathLike) -> logging.Handler:
    """Copy every log record of the run to ``<directory>/out.log`` (appending on recover); while
    it is attached the terminal shows only the run's brief lines (``hmtl.experiment.terminal``)."""
    handler = logging.FileHandler(Path(directory) / LOG_FILE, encoding="utf-8")
    handler.set_name(RUN_LOG_HANDLER)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler


def remove_log_file(handler: logging.Handler) -> None:
    """Detach and close the handler of ``add_log_file``."""
    logging.getLogger().removeHandler(handler)
    handler.close()
