"""Command-line pieces shared by the ``hmtl`` subcommands: common arguments, importing the
user's packages, logging set-up, and turning configuration and data errors into one line."""

from __future__ import annotations

import argparse
import functools
import importlib
import logging
import sys
from collections.abc import Callable

from hmtl.data.formats.errors import FormatError

logger = logging.getLogger(__name__)

Runner = Callable[[argparse.Namespace], int]


def add_device_and_package_arguments(parser: argparse.ArgumentParser) -> None:
    """``--cuda-device`` and ``--include-package``, common to every training command."""
    parser.add_argument(
        "--cuda-device",
        "--cuda_device",
        dest="cuda_device",
        type=int,
        default=None,
        help="GPU index, or -1 for the CPU (default: multi_task_trainer.cuda_device)",
    )
    add_package_argument(parser)


def add_package_argument(parser: argparse.ArgumentParser) -> None:
    """``--include-package``: modules to import so that their registered components exist."""
    parser.add_argument(
        "--include-package",
        dest="include_package",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE first, so that the components it registers can be named (repeatable)",
    )


def add_overrides_argument(parser: argparse.ArgumentParser) -> None:
    """``-o/--overrides``: a JSON object merged into the config (objects merge key by key,
    dotted keys allowed, lists replaced whole)."""
    parser.add_argument(
        "-o",
        "--overrides",
        default="",
        help='a JSON object merged into the config: objects merge key by key, so '
        '\'{"multi_task_trainer": {"num_epochs": 2}}\' changes one key and keeps the others; '
        '"multi_task_trainer.num_epochs" (a dotted key) is the same; lists are replaced whole',
    )


def import_packages(names: list[str]) -> None:
    """Register the project's components, then import the ``--include-package`` modules.

    Every command that builds components from a config calls this first; the others (and
    ``--help``) never import torch or AllenNLP, so they start at once."""
    from allennlp.common.checks import ConfigurationError

    import hmtl

    hmtl.register_components()
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as error:
            raise ConfigurationError(
                f"--include-package {name}: cannot import it ({error})"
            ) from error


def guarded(runner: Runner) -> Runner:
    """Turn configuration and data-format errors into one clear line and exit status 1."""

    @functools.wraps(runner)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return runner(args)
        except Exception as error:
            message = one_line_message(error)
            if message is None:
                raise
            logger.debug("error details", exc_info=True)
            print(f"error: {message}", file=sys.stderr)
            return 1

    return wrapper


def one_line_message(error: BaseException) -> str | None:
    """The message of a configuration or data-format error, None for any other exception.

    AllenNLP's ``ConfigurationError`` is looked up only if AllenNLP was imported: an error
    raised before that cannot be one, and importing AllenNLP here would cost seconds."""
    if isinstance(error, FormatError):
        return str(error)
    checks = sys.modules.get("allennlp.common.checks")
    if checks is not None and isinstance(error, checks.ConfigurationError):
        return str(error.message)
    return None


def configure_logging() -> None:
    """INFO logs on stderr, brief during training (``hmtl.experiment.terminal``)."""
    from hmtl.experiment.terminal import configure_terminal_logging

    configure_terminal_logging()
