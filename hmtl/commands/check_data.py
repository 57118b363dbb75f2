"""``hmtl check-data CONFIG``: read every split of every task of a config without training.

Prints a table of counts per task and split, the label counts and the warnings (empty splits,
labels in dev/test never seen in train); a malformed file or config is a one-line error and exit
status 1, so each data preparation step can be checked on its own.
"""

from __future__ import annotations

import argparse

from hmtl.commands.train import add_overrides_argument, guarded, import_packages


@guarded
def run(args: argparse.Namespace) -> int:
    """Check the data of a config from parsed arguments."""
    import_packages(args.include_package)
    from hmtl.training.config import load_config
    from hmtl.training.data_check import check_tasks, format_report
    from hmtl.training.experiment import build_tasks

    params = load_config(args.config, args.overrides)
    report = check_tasks(build_tasks(params))
    print(format_report(report))
    return 0


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl check-data``."""
    parser = subparsers.add_parser(
        "check-data",
        help="read every split of a config's tasks and print counts, without training",
        description="Read the train, validation and test data of every task of a config with "
        "the tasks' readers; print counts per split, label counts and warnings.",
    )
    parser.add_argument("config", help="the experiment config (JSON or Jsonnet)")
    add_overrides_argument(parser)
    parser.add_argument(
        "--include-package",
        dest="include_package",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE first, so that the components it registers can be named (repeatable)",
    )
    parser.set_defaults(func=run)
    return parser
