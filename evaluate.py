"""The original ``evaluate.py`` entry point: the same as ``hmtl evaluate`` (see --help)."""

import sys

from hmtl.commands.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
