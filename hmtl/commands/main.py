"""The `hmtl` console command: one subcommand per task of a research workflow."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hmtl", description=__doc__)
    parser.add_subparsers(dest="command", metavar="command")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
