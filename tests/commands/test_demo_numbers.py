"""The demo's numbers, pinned: the full four-task run of ``configs/demo.json`` (seed 13370, CPU)
reaches exactly the best validation F1s that the README reports. Restructuring the trainer or
the model must not change them; an issue that changes them on purpose updates both.

The figures are those of the code before the training layer was rebuilt (issue 12), measured
with one and with two torch threads (the same to the last digit)."""

import json

import pytest

from hmtl.commands.main import main

# Best validation F1 of each task, to the digits printed in the README's demo table.
PINNED = {
    "ner": ("f1-measure-overall", 0.933),
    "emd": ("f1-measure-overall", 0.891),
    "relation": ("f1-measure-overall", 0.587),
    "coref": ("coref_f1", 0.919),
}


@pytest.fixture(scope="module")
def demo_metrics(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    code = main(["demo", "--data-dir", str(root / "data"),
                 "--serialization-dir", str(root / "run")])
    assert code == 0
    return json.loads((root / "run" / "metrics.json").read_text())


@pytest.mark.parametrize("task", sorted(PINNED))
def test_the_demo_reaches_the_pinned_validation_f1(demo_metrics, task):
    metric, expected = PINNED[task]
    value = demo_metrics[task]["best_epoch_val_metrics"][task][metric]
    assert round(value, 3) == expected
