"""`hmtl prepare-ace2005`: the LDC ACE 2005 release to the files of `mention_ace`, `relation_ace`
and `coref_ace`, in one command (`hmtl.data.ace2005` holds the conversion and its policies)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hmtl.data.ace2005.corpus import SPLITS, VERSIONS, find_split_files
from hmtl.data.formats.errors import FormatError

# hmtl.data.ace2005.convert.ORIGINAL_SINGLE_FILE, spelt out so that --help does not import spaCy
# and torch (a test keeps the two equal)
ORIGINAL_SINGLE_FILE = "single_file_{split}_rahman.gold_conll"

_DESCRIPTION = """\
Convert ACE 2005 (LDC2006T06, English) into like_conll files: per split,
OUT/<split>/<docid>.like_conll (readers mention_ace and relation_ace) and
OUT/single_file_<split>_rahman.gold_conll (reader coref_ace), the paths of the original configs.
Mention heads with the 7 entity types, one relation frame per relation mention (6 types),
coreference clusters from entity ids; tokens and sentences from spaCy's rule-based English
pipeline. A summary lists everything that could not be converted as it is.

No split is shipped: the commonly used 351/80/80 document lists (Miwa & Bansal 2016) are published
at https://github.com/tticoin/LSTM-ER/tree/master/data/ace2005/split (files train, dev, test; pass
that directory as --splits-dir)."""


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `prepare-ace2005`."""
    parser = subparsers.add_parser(
        "prepare-ace2005",
        help="convert the LDC ACE 2005 release to like_conll files",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--ace-dir", required=True, type=Path,
                        help="the LDC2006T06 directory (or its data/English)")
    parser.add_argument("--splits-dir", type=Path,
                        help="directory with the split lists train, dev, test (or *.txt)")
    for split in SPLITS:
        parser.add_argument(f"--{split}", type=Path,
                            help=f"the {split} list (one document id per line); "
                                 "overrides --splits-dir")
    parser.add_argument("--out", type=Path, default=Path("data/ace2005"),
                        help="output directory (default: data/ace2005)")
    parser.add_argument("--version", choices=VERSIONS, default="timex2norm",
                        help="annotation directory read in each genre (default: timex2norm)")
    parser.add_argument("--text-elements", default="HEADLINE,TEXT",
                        help="comma-separated sgm elements whose text is converted "
                             "(default: HEADLINE,TEXT)")
    parser.add_argument("--no-token-split", action="store_true",
                        help="do not cut tokens at mention-head boundaries; extend heads instead")
    parser.add_argument("--single-file", default=ORIGINAL_SINGLE_FILE,
                        help="path of each split's single file below --out, {split} replaced "
                             f"(default: {ORIGINAL_SINGLE_FILE}, the original configs' paths)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the files of an earlier conversion in --out")
    parser.add_argument("--max-cases", type=int, default=5,
                        help="how many cases of each problem the summary shows (default: 5)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Convert, print the summary; 1 with a one-line message on bad input, 2 on bad usage."""
    from hmtl.data.ace2005.convert import ConversionOptions, prepare_ace2005, single_file_path

    try:
        split_files = find_split_files(args.splits_dir) if args.splits_dir else {}
        split_files.update(
            {split: getattr(args, split) for split in SPLITS if getattr(args, split) is not None}
        )
        if not split_files:
            print("hmtl prepare-ace2005: error: give --splits-dir or at least one of --train, "
                  "--dev, --test", file=sys.stderr)
            return 2
        if "{split}" not in args.single_file:
            print("hmtl prepare-ace2005: error: --single-file must contain {split}",
                  file=sys.stderr)
            return 2
        options = ConversionOptions(
            version=args.version,
            text_elements=tuple(e.strip() for e in args.text_elements.split(",") if e.strip()),
            split_tokens=not args.no_token_split,
            max_cases=args.max_cases,
            single_file=args.single_file,
        )
        reports = prepare_ace2005(
            args.ace_dir, split_files, args.out, options, args.overwrite, not args.no_progress
        )
    except (FormatError, OSError) as error:
        print(f"hmtl prepare-ace2005: error: {error}", file=sys.stderr)
        return 1
    for split, report in reports.items():
        single = single_file_path(args.out, split, options.single_file)
        print(f"== {split}: {args.out / split}/*.like_conll, {single}")
        for line in report.lines():
            print(f"  {line}")
    return 0
