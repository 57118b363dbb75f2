"""``hmtl train`` (and ``train.py``): train a multi-task model from a config.

Original arguments: ``-c/--config_file_path``, ``-s/--serialization_dir``, ``-r/--recover``,
``-f/--force``; new: ``-o/--overrides`` (JSON merged into the config), ``--cuda-device`` (overrides
``multi_task_trainer.cuda_device``), ``--include-package`` (import a module that registers
components), ``--distributed-backend`` (overrides ``multi_task_trainer.distributed.backend``).

Several processes: ``torchrun --nproc_per_node N train.py -c CONFIG -s DIR`` (or
``torchrun ... -m hmtl.commands.main train ...``, or ``torchrun ... --no-python hmtl train ...``)
trains data-parallel; see ``hmtl.training.distributed``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from hmtl.commands.arguments import (
    add_device_and_package_arguments,
    add_overrides_argument,
    configure_logging,
    guarded,
    import_packages,
)

logger = logging.getLogger(__name__)

# hmtl.training.distributed.BACKENDS, spelt out so that --help imports no torch (a test keeps
# the two equal)
DISTRIBUTED_BACKENDS = ("auto", "gloo", "nccl")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``train``."""
    parser.add_argument(
        "-c",
        "--config_file_path",
        "--config-file-path",
        dest="config_file_path",
        help="the experiment config (JSON or Jsonnet); optional with --recover",
    )
    parser.add_argument(
        "-s",
        "--serialization_dir",
        "--serialization-dir",
        dest="serialization_dir",
        required=True,
        help="directory for the model, its checkpoints, logs and metrics",
    )
    parser.add_argument(
        "-r",
        "--recover",
        action="store_true",
        help="continue the run in serialization_dir from its last checkpoint",
    )
    parser.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="delete serialization_dir if it exists and start over",
    )
    add_overrides_argument(parser)
    add_device_and_package_arguments(parser)
    parser.add_argument(
        "--distributed-backend",
        "--distributed_backend",
        dest="distributed_backend",
        choices=DISTRIBUTED_BACKENDS,
        default=None,
        help="process-group backend when launched by torchrun with several processes (default: "
        "multi_task_trainer.distributed.backend, else auto: nccl on GPUs, gloo on CPUs)",
    )


@guarded
def run(args: argparse.Namespace) -> int:
    """Train from parsed arguments."""
    import_packages(args.include_package)
    from allennlp.common.checks import ConfigurationError

    from hmtl.experiment.config import load_config
    from hmtl.experiment.run_dir import CONFIG_FILE
    from hmtl.training.experiment import train

    config = args.config_file_path
    if config is None:
        if not args.recover:
            raise ConfigurationError("-c/--config_file_path is required (except with --recover)")
        config = str(Path(args.serialization_dir) / CONFIG_FILE)
    params = load_config(config, args.overrides)
    train(
        params,
        args.serialization_dir,
        recover=args.recover,
        force=args.force,
        cuda_device=args.cuda_device,
        backend=args.distributed_backend,
    )
    return 0


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl train``."""
    parser = subparsers.add_parser(
        "train",
        help="train a multi-task model",
        description="Train a multi-task model from a config; writes checkpoints, logs, "
        "TensorBoard events and metrics.json into the serialization directory.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the top-level ``train.py``."""
    parser = argparse.ArgumentParser(prog="train.py", description="Train a multi-task model.")
    add_arguments(parser)
    configure_logging()
    return run(parser.parse_args(argv))
