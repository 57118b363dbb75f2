"""``hmtl fine-tune`` (and ``fine_tune.py``): continue training a trained model on a new config.

The pretrained run's vocabulary is reused (so label namespaces must match) and its weights file
``-m`` (e.g. ``best_ner.th``) is loaded before training; a model that does not fit gets an error
naming the mismatching parameters.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hmtl.commands.arguments import (
    add_device_and_package_arguments,
    add_overrides_argument,
    configure_logging,
    guarded,
    import_packages,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``fine-tune``."""
    parser.add_argument(
        "-c", "--config_file_path", "--config-file-path", dest="config_file_path",
        help="config of the model to fine-tune (optional with --recover)",
    )
    parser.add_argument(
        "-s", "--serialization_dir", "--serialization-dir", dest="serialization_dir",
        required=True, help="directory for the fine-tuned model",
    )
    parser.add_argument(
        "-p", "--pretrained_dir", "--pretrained-dir", dest="pretrained_dir", required=True,
        help="serialization directory of the pretrained run",
    )
    parser.add_argument(
        "-m", "--pretrained_model_name", "--pretrained-model-name",
        dest="pretrained_model_name", required=True,
        help="weights file in pretrained_dir to start from, e.g. best_ner.th or best.th",
    )
    parser.add_argument(
        "-r", "--recover", action="store_true",
        help="continue an interrupted fine-tuning run in serialization_dir",
    )
    parser.add_argument(
        "-f", "--force", action="store_true", help="delete serialization_dir and start over"
    )
    add_overrides_argument(parser)
    add_device_and_package_arguments(parser)


@guarded
def run(args: argparse.Namespace) -> int:
    """Fine-tune from parsed arguments."""
    import_packages(args.include_package)
    from allennlp.common.checks import ConfigurationError

    from hmtl.experiment.config import load_config
    from hmtl.experiment.run_dir import CONFIG_FILE
    from hmtl.training.experiment import Pretrained, train

    weights = Path(args.pretrained_dir) / args.pretrained_model_name
    if not weights.is_file():
        raise ConfigurationError(f"-p/-m: {weights} does not exist")
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
        pretrained=Pretrained(args.pretrained_dir, args.pretrained_model_name),
    )
    return 0


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl fine-tune``."""
    parser = subparsers.add_parser(
        "fine-tune",
        help="fine-tune a trained model",
        description="Continue training the weights of a previous run on a (new) config, "
        "reusing its vocabulary.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the top-level ``fine_tune.py``."""
    parser = argparse.ArgumentParser(prog="fine_tune.py", description="Fine-tune a trained model.")
    add_arguments(parser)
    configure_logging()
    return run(parser.parse_args(argv))
