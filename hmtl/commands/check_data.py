"""``hmtl check-data CONFIG``: read every split of every task of a config without training.

Prints a table of counts per task and split (files, documents, sentences, instances, tokens,
relations, clusters), the label counts, what the readers skipped and why, and the warnings (empty
splits, labels in dev/test never seen in train, suspicious files, files reached twice through
symbolic links, inputs beyond the model's limits or the config's ``data_limits``). A malformed
file or config is a one-line error and exit status 1, as is a setting that would fail in
training; with ``--strict`` warnings are errors too, for scripts. So each data preparation step
can be checked on its own.
"""

from __future__ import annotations

import argparse
import sys

from hmtl.commands.arguments import (
    add_overrides_argument,
    add_package_argument,
    guarded,
    import_packages,
)


@guarded
def run(args: argparse.Namespace) -> int:
    """Check the data of a config from parsed arguments."""
    import_packages(args.include_package)
    from allennlp.common import Params

    from hmtl.data.check import check_tasks, format_report
    from hmtl.experiment.config import load_config
    from hmtl.experiment.limits import model_limits
    from hmtl.experiment.task import build_tasks

    params = load_config(args.config, args.overrides)
    model = params.get("model")
    tasks = build_tasks(params)
    limits = model_limits(model.as_dict(quiet=True) if isinstance(model, Params) else {},
                          params.get("data_limits", None), [task.name for task in tasks])
    report = check_tasks(tasks, limits)
    print(format_report(report))
    if report.errors:
        print(f"error: {len(report.errors)} error(s) in the data or config, listed above",
              file=sys.stderr)
        return 1
    if args.strict and report.warnings:
        print(f"error: {len(report.warnings)} warning(s), and --strict makes them errors",
              file=sys.stderr)
        return 1
    return 0


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl check-data``."""
    parser = subparsers.add_parser(
        "check-data",
        help="read every split of a config's tasks and print counts, without training",
        description="Read the train, validation and test data of every task of a config with "
        "the tasks' readers; print counts per split, label counts, what was skipped and "
        "warnings. Exit status 1 on errors (and on warnings with --strict).",
    )
    parser.add_argument("config", help="the experiment config (JSON or Jsonnet)")
    add_overrides_argument(parser)
    add_package_argument(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when there is any warning (what was skipped by the readers' "
        "settings is not a warning)",
    )
    parser.set_defaults(func=run)
    return parser
