"""The demo's numbers, pinned: the full four-task run of ``configs/demo.json`` (seed 13370, CPU)
reaches exactly the best validation F1s that the README reports. Restructuring the trainer or
the model must not change them; an issue that changes them on purpose updates both.

The run is ``hmtl demo`` in a process of its own with two OpenMP threads, as
``script/machine_setup.sh`` runs it on the project's 2-core machines. The thread count is part
of the result: CPU kernels split their sums by thread, and the suite's own processes use one
thread (``tests/conftest.py``), with which the same run reaches NER 0.933, EMD 0.891, RE 0.587
and CR 0.919 instead.

So is the instruction set: on a CPU with AVX-512, PyTorch, MKL and oneDNN pick AVX-512 kernels,
which split their sums differently from the AVX2 kernels of the machines the figures were first
measured on. The run therefore asks all three for AVX2 kernels (``AVX2_KERNELS``), which gives
the same sums on every x86-64 CPU with AVX2, with or without AVX-512."""

import json
import os
import platform
import subprocess
import sys

import pytest

# Best validation F1 of each task, to the digits printed in the README's demo table.
PINNED = {
    "ner": ("f1-measure-overall", 0.938),
    "emd": ("f1-measure-overall", 0.904),
    "relation": ("f1-measure-overall", 0.538),
    "coref": ("coref_f1", 0.882),
}


# PyTorch's own kernels, MKL's and oneDNN's, each held to AVX2 (x86-64 only)
AVX2_KERNELS = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
                "ONEDNN_MAX_CPU_ISA": "AVX2"}


@pytest.fixture(scope="module")
def demo_metrics(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    environment = {**os.environ, "OMP_NUM_THREADS": "2"}
    if platform.machine().lower() in ("x86_64", "amd64"):
        environment.update(AVX2_KERNELS)
    result = subprocess.run(
        [sys.executable, "-m", "hmtl.commands.main", "demo", "--data-dir", str(root / "data"),
         "--serialization-dir", str(root / "run")],
        env=environment, capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads((root / "run" / "metrics.json").read_text())


@pytest.mark.parametrize("task", sorted(PINNED))
def test_the_demo_reaches_the_pinned_validation_f1(demo_metrics, task):
    metric, expected = PINNED[task]
    value = demo_metrics[task]["best_epoch_val_metrics"][task][metric]
    assert round(value, 3) == expected
