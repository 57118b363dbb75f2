"""The `hmtl` console command.

Each module of `hmtl.commands` that defines `add_subparser(subparsers)` contributes one
subcommand; `add_subparser` must call `parser.set_defaults(func=run)` where `run(args) -> int`.
Modules are discovered, so adding a command never edits this file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import hmtl.commands as commands_package
from hmtl.commands.arguments import configure_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hmtl", description="Hierarchical Multi-Task Learning (HMTL) on AllenNLP 2.10.1."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="command")
    for info in sorted(pkgutil.iter_modules(commands_package.__path__), key=lambda i: i.name):
        if info.name == "main" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands_package.__name__}.{info.name}")
        add = getattr(module, "add_subparser", None)
        if add is not None:
            add(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
