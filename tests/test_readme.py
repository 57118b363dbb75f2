"""Every command of the README runs as written: each ``hmtl`` / top-level script command of its
bash blocks parses with the real argument parsers, every subcommand's ``--help`` runs, the
``-o`` examples merge into the real configs they name, and the files the README tells users to
run exist. (Commands that train or need data are run by their own tests.)"""

import argparse
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from hmtl.commands import evaluate, fine_tune, probe, train
from hmtl.commands.main import build_parser
from hmtl.experiment.config import load_config

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SCRIPTS = {"train.py": train, "evaluate.py": evaluate, "fine_tune.py": fine_tune,
           "hmtl_senteval.py": probe}


def bash_commands() -> list[str]:
    """The simple commands of the README's bash blocks (continuations joined, comments off)."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
            lexer.whitespace_split = True
            current: list[str] = []
            for token in lexer:
                if token in ("&&", "||", "|", ";", "&"):
                    commands.append(shlex.join(current))
                    current = []
                else:
                    current.append(token)
            if current:
                commands.append(shlex.join(current))
    return [command for command in commands if command]


def hmtl_argv(command: str) -> tuple[str, list[str]] | None:
    """(which parser, arguments) of an hmtl command or top-level script, else None."""
    words = shlex.split(command)
    for index, word in enumerate(words):
        name = Path(word).name
        module = words[index + 1:index + 2] == ["hmtl.commands.main"]
        if name == "hmtl" or (word == "-m" and module):
            start = index + (2 if word == "-m" else 1)
            return "hmtl", words[start:]
        if name in SCRIPTS and word.endswith(".py"):
            return name, words[index + 1:]
    return None


COMMANDS = [(command, hmtl_argv(command)) for command in bash_commands()]
HMTL_COMMANDS = [(command, parsed) for command, parsed in COMMANDS if parsed is not None]


def parse(kind: str, argv: list[str]) -> argparse.Namespace:
    if kind == "hmtl":
        return build_parser().parse_args(argv)
    parser = argparse.ArgumentParser(prog=kind)
    SCRIPTS[kind].add_arguments(parser)
    return parser.parse_args(argv)


def test_the_readme_has_commands_of_every_kind():
    kinds = {parsed[0] for _, parsed in HMTL_COMMANDS}
    assert {"hmtl", "train.py", "evaluate.py", "fine_tune.py"} <= kinds
    assert any("-o" in parsed[1] for _, parsed in HMTL_COMMANDS)


@pytest.mark.parametrize(("command", "parsed"), HMTL_COMMANDS, ids=[c for c, _ in HMTL_COMMANDS])
def test_every_command_parses(command, parsed):
    kind, argv = parsed
    try:
        parse(kind, argv)
    except SystemExit as stop:
        pytest.fail(f"{command!r} does not parse (exit {stop.code})")


def overrides_examples() -> list[tuple[str, str, str]]:
    examples = []
    for command, (kind, argv) in HMTL_COMMANDS:
        args = parse(kind, argv)
        overrides = getattr(args, "overrides", "")
        config = getattr(args, "config_file_path", None) or getattr(args, "config", None)
        if overrides and config and isinstance(overrides, str):
            examples.append((command, config, overrides))
    return examples


def leaves(tree: dict, prefix: str = "") -> dict[str, object]:
    """Dotted path -> value of every non-object value of ``tree`` (dotted keys expanded)."""
    found: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            found.update(leaves(value, f"{prefix}{key}."))
        else:
            found[prefix + key] = value
    return found


def dig(config: dict, dotted: str) -> object:
    """The value at ``dotted`` in ``config``, None where there is none."""
    node: object = config
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def lookup(config: dict, dotted: str) -> object:
    node: object = config
    for part in dotted.split("."):
        assert isinstance(node, dict) and part in node, f"{dotted} is not in the merged config"
        node = node[part]
    return node


@pytest.mark.parametrize(("command", "config", "overrides"), overrides_examples(),
                         ids=[c for c, _, _ in overrides_examples()])
def test_every_overrides_example_merges_into_its_real_config(command, config, overrides):
    path = ROOT / config
    assert path.is_file(), f"{command!r} names {config}, which the repository does not have"
    original = load_config(path).as_dict(quiet=True)
    merged = load_config(path, overrides).as_dict(quiet=True)
    changed = leaves(json.loads(overrides))
    for dotted, value in changed.items():
        assert lookup(merged, dotted) == value
    # a block given with another "type" replaces the old one (its keys were the old type's)
    replaced = [key[: -len(".type")] for key, value in changed.items()
                if key.endswith(".type") and value != dig(original, key)]
    # everything else the override does not name is kept (a merge, not a replacement)
    for dotted, value in leaves(original).items():
        if not any(dotted == key or dotted.startswith(key + ".") for key in [*changed, *replaced]):
            assert lookup(merged, dotted) == value, dotted


def subcommands() -> list[str]:
    return sorted({argv[0] for kind, argv in (p for _, p in HMTL_COMMANDS)
                   if kind == "hmtl" and argv and not argv[0].startswith("-")})


@pytest.mark.parametrize("name", subcommands())
def test_the_help_of_every_subcommand_the_readme_uses(name):
    result = subprocess.run([sys.executable, "-m", "hmtl.commands.main", name, "--help"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: hmtl {name}")


def test_the_files_the_readme_runs_exist():
    named = set()
    for command in bash_commands():
        for word in shlex.split(command):
            if re.fullmatch(r"(bench|script)/[\w.]+\.(py|sh)|[\w]+\.py|configs/[\w.]+\.json", word):
                named.add(word)
    assert "bench/startup_speed.py" in named and "script/machine_setup.sh" in named
    missing = sorted(name for name in named if not (ROOT / name).is_file())
    assert not missing, missing


def test_nothing_refers_to_files_outside_the_repository():
    pattern = re.compile(r"\.\./shared|HMTL_SPEC|spec section")
    offending = []
    for path in ROOT.rglob("*"):
        if (path.suffix in {".py", ".md", ".json", ".sh", ".toml", ".txt"}
                and not {".venv", ".git", "data", "runs"} & set(path.relative_to(ROOT).parts)
                and path != Path(__file__)):
            if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                offending.append(str(path.relative_to(ROOT)))
    assert not offending, offending
