"""``hmtl archive``: pack a run's config, vocabulary and chosen weights into one ``.tar.gz``."""

from __future__ import annotations

import argparse

from hmtl.commands.arguments import guarded

# hmtl.experiment.weights.BEST, spelt out so that --help imports no torch (a test keeps the two
# equal)
BEST = "best"


def add_weights_arguments(parser: argparse.ArgumentParser) -> None:
    """``-t/--task`` or ``--best``: which weights of a run directory to use."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-t", "--task", default=None,
                       help="use best_TASK.th (the weights of TASK's best validation)")
    group.add_argument("--best", action="store_true",
                       help="use best.th (the best average over tasks)")


def weights_choice(args: argparse.Namespace) -> str | None:
    """The ``weights`` argument of the loaders for ``-t``/``--best`` (None: the default rule,
    best.th if the run has it, else its only best_<task>.th)."""
    return BEST if args.best else args.task


@guarded
def run(args: argparse.Namespace) -> int:
    """Write the archive and say which weights it holds."""
    from hmtl.predicting.archive import create_archive

    weights = create_archive(args.run_dir, args.output, weights_choice(args))
    print(f"Wrote {args.output} with config.json, vocabulary/ and {weights.name} of {args.run_dir}")
    return 0


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl archive``."""
    parser = subparsers.add_parser(
        "archive",
        help="pack a run's config, vocabulary and weights into one model.tar.gz",
        description="Pack a run directory's config.json, vocabulary/ and one weights file into "
        "a gzipped tar that hmtl predict, hmtl serve and hmtl probe accept instead of the run "
        "directory. Weights: best.th when the run has it (best average over tasks), else the "
        "run's only best_<task>.th; choose with -t TASK or --best.",
    )
    parser.add_argument("run_dir", help="the serialization directory of a training run")
    add_weights_arguments(parser)
    parser.add_argument("-o", "--output", required=True, help="the archive to write (.tar.gz)")
    parser.set_defaults(func=run)
    return parser
