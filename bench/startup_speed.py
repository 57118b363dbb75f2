"""Start-up time of the ``hmtl`` command: the minimum wall time of several runs of
``hmtl --help``, ``hmtl train --help`` and ``hmtl score-coref`` on two small files
(15 and 14 lines).

The minimum is the figure least disturbed by other load on the machine. Each run is a fresh
interpreter (``python -m hmtl.commands.main``, what the ``hmtl`` console script runs)::

    .venv/bin/python bench/startup_speed.py --runs 5
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "metrics"
COMMANDS = {
    "hmtl --help": ["--help"],
    "hmtl train --help": ["train", "--help"],
    "hmtl score-coref KEY RESPONSE (files of 15 and 14 lines)": [
        "score-coref", str(FIXTURES / "two_documents.key"),
        str(FIXTURES / "two_documents.response"),
    ],
}


def wall_time(argv: list[str]) -> float:
    """Seconds one fresh ``hmtl`` process takes to run ``argv``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hmtl.commands.main", *argv], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    args = parser.parse_args()
    baseline = min(
        _timed([sys.executable, "-c", "pass"]) for _ in range(args.runs)
    )
    print(f"| command | min of {args.runs} runs (s) |")
    print("|---|---:|")
    print(f"| python -c pass (the interpreter alone) | {baseline:.2f} |")
    for name, argv in COMMANDS.items():
        print(f"| {name} | {min(wall_time(argv) for _ in range(args.runs)):.2f} |")


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
