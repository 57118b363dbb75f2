"""The package imports and exposes its subcommands (registration: commands/test_startup.py)."""

import subprocess
import sys

import hmtl
from hmtl.commands.main import build_parser, main


def test_version_is_a_string():
    assert isinstance(hmtl.__version__, str) and hmtl.__version__.count(".") == 2


def test_hmtl_without_subcommand_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: hmtl" in capsys.readouterr().out


def test_every_subcommand_has_a_runner():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():
        assert sub.get_default("func") is not None, f"subcommand {name} has no runner"


def test_console_script_runs_in_a_fresh_interpreter():
    result = subprocess.run(
        [sys.executable, "-m", "hmtl.commands.main", "--help"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0
    assert "Hierarchical Multi-Task Learning" in result.stdout
