"""The JSON table, the markdown table and the PNG plot of the results."""

import json

from matplotlib.image import imread

from hmtl.probing.prober import ProbeResult
from hmtl.probing.report import (
    markdown_table,
    plot_layers,
    plot_path,
    results_json,
    write_json,
)

LAYERS = ["text_field_embedder", "encoder_ner"]
TASKS = ["Length", "Tense"]
RESULTS = {
    "text_field_embedder": {
        "Length": ProbeResult(60.5, 59.25, 100, 10, 20, 0.5),
        "Tense": ProbeResult(70.0, 71.0, 100, 10, 20, 8.0),
    },
    "encoder_ner": {"Length": ProbeResult(80.0, 79.5, 100, 10, 20, None)},
}


def test_json_is_layer_by_task_with_accuracies_and_sizes(tmp_path):
    document = results_json(RESULTS, LAYERS, TASKS, pooling="mean", backend="builtin")
    path = write_json(document, tmp_path / "out" / "probe.json")
    loaded = json.loads(path.read_text())
    assert loaded["pooling"] == "mean" and loaded["backend"] == "builtin"
    assert loaded["layers"] == LAYERS and loaded["tasks"] == TASKS
    assert loaded["results"]["text_field_embedder"]["Length"] == {
        "devacc": 60.5, "acc": 59.25, "ntrain": 100, "ndev": 10, "ntest": 20, "C": 0.5
    }
    assert loaded["results"]["encoder_ner"] == {
        "Length": {"devacc": 80.0, "acc": 79.5, "ntrain": 100, "ndev": 10, "ntest": 20, "C": None}
    }


def test_markdown_table_rows_are_layers_cells_test_then_dev():
    assert markdown_table(RESULTS, LAYERS, TASKS).splitlines() == [
        "| layer | Length | Tense |",
        "|---|---:|---:|",
        "| text_field_embedder | 59.25 (60.50) | 71.00 (70.00) |",
        "| encoder_ner | 79.50 (80.00) | - |",
        "",
        "Cells: test accuracy (dev accuracy), in %.",
    ]


def test_plot_is_a_png_next_to_the_json(tmp_path):
    png = plot_path(tmp_path / "probe.json")
    assert png == tmp_path / "probe.png"
    plot_layers(RESULTS, LAYERS, TASKS, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = imread(png).shape
    assert width > height > 100
