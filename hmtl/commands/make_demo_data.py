"""`hmtl make-demo-data`: write the synthetic demo corpus that `configs/demo.json` trains on."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from hmtl.data.demo_corpus import MIN_DOCUMENTS, write_demo_corpus

logger = logging.getLogger(__name__)


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the subcommand; the real datasets are licensed, so the demo needs its own."""
    parser = subparsers.add_parser(
        "make-demo-data",
        help="write the synthetic demo corpus (CoNLL-2012, ACE like_conll, CoNLL-2003 layouts)",
        description="Write a small deterministic synthetic corpus in the directory layout and "
        "file formats of the original data, so that the demo config trains without licensed data.",
    )
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    parser.add_argument("--num-documents", type=int, default=300,
                        help=f"documents per corpus, split 80/10/10 (default 300, at least "
                        f"{MIN_DOCUMENTS})")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Write the corpus; a bad argument or a foreign output directory is a one-line error."""
    try:
        paths = write_demo_corpus(args.out, seed=args.seed, num_documents=args.num_documents)
    except ValueError as error:
        print(f"hmtl make-demo-data: error: {error}", file=sys.stderr)
        return 2
    logger.info("wrote the demo corpus (seed %d) to %s", args.seed, args.out)
    for key, path in sorted(paths.items()):
        logger.info("  %s: %s", key, path)
    return 0
