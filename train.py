"""The original ``train.py`` entry point: the same as ``hmtl train`` (see --help)."""

import sys

from hmtl.commands.train import main

if __name__ == "__main__":
    sys.exit(main())
