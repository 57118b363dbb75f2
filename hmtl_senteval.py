"""The original HMTL probing script's command line (``html_senteval.py`` there), kept working.

``python hmtl_senteval.py -s <run dir> -t ner -l encoder_emd`` is ``hmtl probe`` with the same
flags; see ``hmtl probe --help`` for the options added since (``--all-layers``, ``--tasks``...).
"""

from __future__ import annotations

import argparse
import sys

from hmtl.commands.arguments import configure_logging
from hmtl.commands.probe import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Probe the layers of a trained HMTL model with SentEval's probing tasks."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    configure_logging()
    sys.exit(main())
