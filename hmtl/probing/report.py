"""The probe's outputs: a JSON table, a markdown table, and a plot of accuracy across layers.

``results[layer][task]`` is a `ProbeResult`; layers are listed bottom to top, so that the plot
reads as the paper's claim: how much of each property survives going up the hierarchy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from hmtl.probing.prober import ProbeResult

Results = Mapping[str, Mapping[str, ProbeResult]]


def results_json(
    results: Results, layers: Sequence[str], tasks: Sequence[str], **info: Any
) -> dict[str, Any]:
    """The JSON document: ``info`` (run, weights, pooling, backend...), then layer × task."""
    return {
        **info,
        "layers": list(layers),
        "tasks": list(tasks),
        "results": {
            layer: {
                task: results[layer][task].as_dict() for task in tasks if task in results[layer]
            }
            for layer in layers
        },
    }


def write_json(document: Mapping[str, Any], path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def markdown_table(results: Results, layers: Sequence[str], tasks: Sequence[str]) -> str:
    """Rows are layers (bottom first), columns tasks; a cell is ``test (dev)`` accuracy in %."""
    lines = [
        "| layer | " + " | ".join(tasks) + " |",
        "|---|" + "---:|" * len(tasks),
    ]
    for layer in layers:
        cells = []
        for task in tasks:
            result = results.get(layer, {}).get(task)
            cells.append("-" if result is None else f"{result.acc:.2f} ({result.devacc:.2f})")
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\nCells: test accuracy (dev accuracy), in %."


def plot_path(json_path: str | os.PathLike) -> Path:
    """The PNG goes next to the JSON, with the same name."""
    return Path(json_path).with_suffix(".png")


def plot_layers(
    results: Results, layers: Sequence[str], tasks: Sequence[str], path: str | os.PathLike
) -> Path:
    """One line per task: its test accuracy at each layer, bottom to top.

    Uses the Agg canvas directly (no pyplot state), so it works without a display.
    """
    figure = Figure(figsize=(max(6.0, 1.6 * len(layers)), 4.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(layers)))
    for task in tasks:
        points = [
            (x, results[layer][task].acc)
            for x, layer in zip(positions, layers)
            if task in results.get(layer, {})
        ]
        if points:
            xs, ys = zip(*points)
            axes.plot(xs, ys, marker="o", label=task)
    axes.set_xticks(positions)
    axes.set_xticklabels(layers, rotation=20, ha="right")
    axes.set_xlabel("layer (bottom to top)")
    axes.set_ylabel("test accuracy (%)")
    axes.set_title("Probing accuracy across the layers")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    return path
