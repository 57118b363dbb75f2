"""``hmtl train`` / ``train.py``: arguments, one-line errors, and a run killed with SIGKILL that
``--recover`` finishes with its history continuing where it stopped."""

import json
import os
import runpy
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from hmtl.commands.main import main
from hmtl.experiment.weights import load_torch_file
from hmtl.testing.processes import wait_for_file
from tests.training.conftest import toy_config_dict

ROOT = Path(__file__).resolve().parents[2]
TOY = "tests.training.toy_components"


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "toy.json"
    path.write_text(json.dumps(toy_config_dict()))
    return path


def test_train_writes_a_complete_run(config_file, tmp_path):
    run = tmp_path / "run"
    code = main([
        "train", "-c", str(config_file), "-s", str(run), "--include-package", TOY,
        "-o", '{"multi_task_trainer.num_epochs": 1}', "--cuda-device", "-1",
    ])
    assert code == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert [r["global_step"] for r in metrics["history"]] == [5]
    assert json.loads((run / "config.json").read_text())["multi_task_trainer"]["num_epochs"] == 1


def test_an_existing_directory_is_a_one_line_error(config_file, tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "something").write_text("x")
    code = main(["train", "-c", str(config_file), "-s", str(tmp_path / "run"),
                 "--include-package", TOY])
    err = capsys.readouterr().err
    assert code == 1
    assert "error: Serialization directory" in err and "--recover" in err and "--force" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-s", "RUN"], "-c/--config_file_path is required"),
        (["-s", "RUN", "-c", "CONFIG", "-o", "{bad"], "-o/--overrides must be a JSON object"),
        (["-s", "RUN", "-c", "CONFIG", "--include-package", "no.such.module"], "cannot import"),
        (["-s", "RUN", "-c", "CONFIG", "-o", '{"multi_task_trainer.patiense": 1}'], "patiense"),
        (["-s", "RUN", "-c", "CONFIG", "-o", '{"multi_task_trainer.distributed": {"bakend": 1}}'],
         "multi_task_trainer.distributed: Extra parameters"),
        # nested objects merge, so a misspelt key is named by the component that refuses it
        (["-s", "RUN", "-c", "CONFIG", "-o", '{"multi_task_trainer": {"num_epoch": 1}}'],
         "Extra parameters passed to SamplerMultiTaskTrainer: {'num_epoch': 1}"),
        (["-s", "RUN", "-c", "CONFIG", "-o", '{"model": {"taks": {}}}'],
         "Extra parameters passed to ToyMultiTaskModel: {'taks': {}}"),
        (["-s", "RUN", "-c", "CONFIG", "-o", '{"task_pos": {"data_params": {"train_path": 1}}}'],
         "task_pos.data_params: Extra parameters passed to DataParams: {'train_path': 1}"),
        (["-s", "RUN", "-c", "CONFIG", "-o", "[1]"], "-o/--overrides must be a JSON object"),
        (["-s", "RUN", "-c", "CONFIG", "-o", '{"multi_task_trainer.sampling_method": "random"}'],
         # the built-in samplers first; a plugin registered by another test may follow them
         "sampling_method must be one of proportional, proportional_instances, uniform, "
         "temperature, annealed"),
        (["-s", "RUN", "-c", "CONFIG", "-o",
          '{"multi_task_trainer.loss_weighting": {"weights": {"ner": 1}}}'],
         "multi_task_trainer.loss_weighting.weights: no task named 'ner'; tasks are pos, ent"),
    ],
)
def test_bad_arguments_are_one_line_errors(config_file, tmp_path, capsys, arguments, message):
    arguments = [
        {"RUN": str(tmp_path / "run"), "CONFIG": str(config_file)}.get(a, a) for a in arguments
    ]
    assert main(["train", *arguments, "--include-package", TOY]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("error: ")]) == 1


def test_a_sentence_beyond_the_length_limit_stops_training_before_the_first_step(
        config_file, tmp_path, capsys):
    config = toy_config_dict()
    data = config["task_ent"]["data_params"]
    data["dataset_reader"] = {"type": "ner_conll2003", "label_namespace": "ent_labels"}
    train_file = ROOT / "tests/fixtures/data_check/train.txt"
    data["train_data_path"] = data["validation_data_path"] = data["test_data_path"] = str(
        train_file)
    config["data_limits"] = {"max_sentence_tokens": 4}
    config_file.write_text(json.dumps(config))
    run = tmp_path / "run"
    assert main(["train", "-c", str(config_file), "-s", str(run), "--include-package", TOY]) == 1
    err = capsys.readouterr().err
    # train.txt: "Anna sings ." (line 3) and "Paris is big today ." (5 tokens, line 7)
    assert err.splitlines()[-1] == (
        f"error: task ent: train: 1 sentence longer than 4 tokens (data_limits."
        f"max_sentence_tokens; first at {train_file}, line 7: 5 tokens; longest: 5): probably "
        "sentences run together (a missing blank line); raise the limit if they are real")
    assert "Traceback" not in err
    assert sorted(path.name for path in run.iterdir()) == ["config.json", "out.log", "vocabulary"]


def test_the_top_level_script_has_the_original_flags(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["train.py", "--help"])
    with pytest.raises(SystemExit) as caught:
        runpy.run_path(str(ROOT / "train.py"), run_name="__main__")
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for flag in ("-c CONFIG_FILE_PATH", "--serialization_dir", "--recover", "--force",
                 "--overrides", "--cuda-device", "--distributed-backend {auto,gloo,nccl}"):
        assert flag in out


def test_an_unknown_backend_is_refused_by_the_parser(config_file, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["train", "-c", str(config_file), "-s", str(tmp_path / "run"),
              "--distributed-backend", "mpi"])
    assert caught.value.code == 2
    assert "invalid choice: 'mpi'" in capsys.readouterr().err


def test_one_process_under_torchrun_variables_trains_as_usual(config_file, tmp_path, monkeypatch):
    """torchrun --nproc_per_node 1 sets WORLD_SIZE=1: no process group, the usual run."""
    for name, value in {"WORLD_SIZE": "1", "RANK": "0", "LOCAL_RANK": "0"}.items():
        monkeypatch.setenv(name, value)
    assert main(["train", "-c", str(config_file), "-s", str(tmp_path / "run"),
                 "--include-package", TOY]) == 0
    assert not torch.distributed.is_initialized()
    assert (tmp_path / "run" / "metrics.json").exists()


@pytest.mark.slow
def test_a_killed_run_recovers_and_its_history_continues(config_file, tmp_path):
    run = tmp_path / "run"
    # 6 epochs of 5 steps, 0.1 s per training step: about 3 s of training after start-up
    overrides = json.dumps(
        {"multi_task_trainer.num_epochs": 6, "model.step_delay": 0.1}
    )
    command = [
        sys.executable, "-m", "hmtl.commands.main", "train", "-c", str(config_file),
        "-s", str(run), "-o", overrides, "--include-package", TOY,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_for_file(process, run / "training_state.th", timeout_s=120)
        time.sleep(0.25)  # into the next epoch
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (run / "metrics.json").exists()
    before = load_torch_file(run / "training_state.th", "training state")
    done = len(before["records"])
    assert 1 <= done < 6

    assert main(["train", "-s", str(run), "--recover", "--include-package", TOY]) == 0

    metrics = json.loads((run / "metrics.json").read_text())
    history = metrics["history"]
    assert [r["epoch"] for r in history] == [0, 1, 2, 3, 4, 5]
    assert [r["global_step"] for r in history] == [5, 10, 15, 20, 25, 30]
    assert [r["validation_index"] for r in history] == list(range(6))
    # the first validations are those of the killed run, unchanged
    assert history[:done] == json.loads(json.dumps(before["records"]))
    after = load_torch_file(run / "training_state.th", "training state")
    assert after["global_step"] == 30
    assert metrics["training_duration_seconds"] >= before["elapsed_seconds"]


@pytest.mark.slow
def test_a_run_killed_before_its_first_validation_recovers_exactly(config_file, tmp_path):
    # a timed checkpoint after every step (0.3 s each), the first validation at step 5
    overrides = json.dumps({"multi_task_trainer.num_epochs": 2, "model.step_delay": 0.3,
                            "multi_task_trainer.checkpoint_every_seconds": 0.01})
    run = tmp_path / "run"
    command = [
        sys.executable, "-m", "hmtl.commands.main", "train", "-c", str(config_file),
        "-s", str(run), "-o", overrides, "--include-package", TOY,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_for_file(process, run / "training_state.th", timeout_s=120)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    before = load_torch_file(run / "training_state.th", "training state")
    assert before["records"] == [] and 1 <= before["global_step"] < 5
    assert before["checkpoint_kind"] == "timed"

    assert main(["train", "-s", str(run), "--recover", "--include-package", TOY]) == 0
    assert main(["train", "-c", str(config_file), "-s", str(tmp_path / "uninterrupted"),
                 "-o", overrides, "--include-package", TOY]) == 0
    recovered = json.loads((run / "metrics.json").read_text())
    uninterrupted = json.loads((tmp_path / "uninterrupted" / "metrics.json").read_text())
    assert [r["global_step"] for r in recovered["history"]] == [5, 10]
    assert recovered["history"] == uninterrupted["history"]
    weights = load_torch_file(run / "model_state.th", "recovered")
    reference = load_torch_file(tmp_path / "uninterrupted" / "model_state.th", "reference")
    assert all(torch.equal(weights[name], reference[name]) for name in reference)


def test_recover_with_nothing_saved_is_a_one_line_error(config_file, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(config_file.read_text())  # as left by a kill at start-up
    assert main(["train", "-s", str(run), "--recover", "--include-package", TOY]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1
    assert "nothing was saved" in lines[0] and "-f/--force" in lines[0]
    assert "Traceback" not in err
