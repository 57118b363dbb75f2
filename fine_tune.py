"""The original ``fine_tune.py`` entry point: the same as ``hmtl fine-tune`` (see --help)."""

import sys

from hmtl.commands.fine_tune import main

if __name__ == "__main__":
    sys.exit(main())
