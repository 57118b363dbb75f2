"""What a user sees: a real one-epoch ``hmtl demo`` in a fresh process prints a short header,
the progress bar, one line per task at the validation and a summary, at most 80 lines in all
(stdout and stderr, piped as by a CI log), without third-party warnings or AllenNLP's parameter
dump, which goes to out.log."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TASKS = ("ner", "emd", "relation", "coref")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("brief")
    result = subprocess.run(
        [sys.executable, "-m", "hmtl.commands.main", "demo", "--data-dir", str(root / "data"),
         "--serialization-dir", str(root / "run"), "--num-documents", "20",
         "-o", json.dumps({"multi_task_trainer": {"num_epochs": 1}})],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800, cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return root / "run", result.stdout


@pytest.mark.slow
def test_a_one_epoch_demo_prints_at_most_80_lines(demo_run):
    _, output = demo_run
    assert len(output.splitlines()) <= 80, output


@pytest.mark.slow
def test_the_header_the_validation_lines_and_the_summary(demo_run):
    run, output = demo_run
    lines = [line.strip(" \r\x1b[A") for line in output.splitlines()]
    assert f"Run directory: {run} (its out.log keeps the full log)" in lines
    for task in TASKS:
        assert any(line.startswith(f"Task {task}: ") and line.endswith(" test instances")
                   for line in lines), task
        validation = [line for line in lines if line.startswith(f"validation 0, {task}: ")]
        assert len(validation) == 1, task
        assert any(line.startswith(f"{task} ") and line.split()[-1].replace(".", "").isdigit()
                   for line in lines), task
    assert "Device: CPU" in lines
    assert sum(line.startswith("validation ") for line in lines) == len(TASKS)


@pytest.mark.slow
def test_no_third_party_warnings_and_no_parameter_dump_on_the_terminal(demo_run):
    run, output = demo_run
    for noise in ("Warning", "warnings.warn", "allennlp.common.params", " INFO "):
        assert noise not in output
    log = (run / "out.log").read_text(encoding="utf-8")
    assert "INFO allennlp.common.params: " in log  # the dump is kept, in the run's log
    assert "validation 0, ner: " in log
