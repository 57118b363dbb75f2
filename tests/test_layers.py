"""The packages import in one direction (docs/DESIGN.md): checked on the source, so a stray
import that runs back up the layers fails here rather than in a review."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hmtl"

# package -> packages it must never import (directly, at any depth in its modules)
FORBIDDEN = {
    "data": ("modules", "models", "experiment", "training", "predicting", "serving", "probing",
             "commands"),
    "modules": ("experiment", "training", "predicting", "serving", "probing", "commands"),
    "models": ("experiment", "training", "predicting", "serving", "probing", "commands"),
    "metrics": ("experiment", "training", "predicting", "serving", "probing", "commands"),
    "experiment": ("training", "predicting", "serving", "probing", "commands"),
    "training": ("predicting", "serving", "probing", "commands"),
    "predicting": ("training", "serving", "probing", "commands"),
    "serving": ("training", "commands"),
    "probing": ("training", "serving", "commands"),
}


def imported_modules(path: Path) -> set[str]:
    """Every ``hmtl.*`` module named by an import statement of ``path`` (function-level too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("hmtl.")}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_lower_layers(package):
    offending = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for name in imported_modules(path):
            layer = name.split(".")[1]
            if layer in FORBIDDEN[package]:
                offending.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert not offending, "\n".join(offending)


def test_the_checker_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from hmtl.training.trainer import X\n")
    assert "hmtl.training.trainer" in imported_modules(source)
