"""``hmtl evaluate`` (and ``evaluate.py``): score a trained run's best weights on test data.

Reloads the run's config and vocabulary; for every task evaluated on test, loads
``best_<task>.th`` and scores it on every evaluated test set (the test matrix), on the GPU when
asked. ``-g`` really evaluates coreference on gold mentions (the original parsed it and ignored
it); ``--test-data task=path`` evaluates on other files; ``--predictions-dir`` writes gold and
predictions in the input format for the official scorers. Writes ``evaluate_metrics.json``.
"""

from __future__ import annotations

import argparse
import json

from hmtl.commands.arguments import (
    add_device_and_package_arguments,
    add_overrides_argument,
    configure_logging,
    guarded,
    import_packages,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``evaluate``."""
    parser.add_argument(
        "-s", "--serialization_dir", "--serialization-dir", dest="serialization_dir",
        required=True, help="serialization directory of the trained run",
    )
    parser.add_argument(
        "-g", "--gold_mentions", "--gold-mentions", dest="gold_mentions", action="store_true",
        help="evaluate coreference on gold mentions",
    )
    parser.add_argument(
        "--test-data", "--test_data", dest="test_data", action="append", default=[],
        metavar="TASK=PATH", help="evaluate TASK on PATH instead of its test_data_path "
        "(repeatable; also evaluates a task whose evaluate_on_test is false)",
    )
    parser.add_argument(
        "--predictions-dir", "--predictions_dir", dest="predictions_dir", default=None,
        help="write each task's gold and predictions there, in its input format",
    )
    add_overrides_argument(parser)
    add_device_and_package_arguments(parser)


def parse_test_data(items: list[str]) -> dict[str, str]:
    """``task=path`` items as a mapping."""
    from allennlp.common.checks import ConfigurationError

    result: dict[str, str] = {}
    for item in items:
        task, sep, path = item.partition("=")
        if not sep or not task or not path:
            raise ConfigurationError(f"--test-data {item!r}: expected TASK=PATH")
        if task in result:
            raise ConfigurationError(f"--test-data: task {task!r} is given twice")
        result[task] = path
    return result


@guarded
def run(args: argparse.Namespace) -> int:
    """Evaluate from parsed arguments."""
    import_packages(args.include_package)
    from hmtl.training.experiment import evaluate_run

    result = evaluate_run(
        args.serialization_dir,
        cuda_device=args.cuda_device,
        gold_mentions=args.gold_mentions,
        test_data=parse_test_data(args.test_data),
        overrides=args.overrides,
        predictions_dir=args.predictions_dir,
    )
    print(json.dumps(result, indent=2))
    return 0


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl evaluate``."""
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate a trained run on test data",
        description="Score each task's best weights on every test set of a trained run.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the top-level ``evaluate.py``."""
    parser = argparse.ArgumentParser(prog="evaluate.py", description="Evaluate a trained run.")
    add_arguments(parser)
    configure_logging()
    return run(parser.parse_args(argv))
