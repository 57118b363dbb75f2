"""Training with two CPU processes (torchrun, gloo) follows the single-process run of the same
config: same validation metrics, same test scores, same weights (within float rounding); a
distributed run killed with SIGKILL and recovered with torchrun ends like an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from hmtl.commands.main import main
from hmtl.data.demo_corpus import write_demo_corpus
from hmtl.experiment.weights import load_torch_file
from hmtl.testing.processes import wait_for_file
from tests.training.conftest import toy_config_dict
from tests.training.tiny_demo import demo_config

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TOY = "tests.training.toy_components"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}


def torchrun(*arguments: str) -> list[str]:
    """``torchrun --standalone --nproc_per_node 2 -m hmtl.commands.main train ...``."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
            "2", "-m", "hmtl.commands.main", "train", *arguments]


def assert_same_records(one: list[dict], two: list[dict]) -> None:
    """Validation records agree: steps exactly, every metric within float rounding."""
    assert [r["global_step"] for r in one] == [r["global_step"] for r in two]
    for first, second in zip(one, two):
        for part in ("training", "validation"):
            assert first[part].keys() == second[part].keys()
            for task, metrics in first[part].items():
                assert metrics.keys() == second[part][task].keys()
                for name, value in metrics.items():
                    assert second[part][task][name] == pytest.approx(value, rel=1e-4, abs=1e-5), (
                        part, task, name)


def assert_same_weights(one: Path, two: Path) -> None:
    first = load_torch_file(one, "weights")
    second = load_torch_file(two, "weights")
    assert first.keys() == second.keys()
    for name, tensor in first.items():
        assert torch.allclose(tensor.float(), second[name].float(), atol=1e-5), name


def test_two_processes_train_like_one_with_the_same_total_batch(tmp_path):
    paths = write_demo_corpus(tmp_path / "data", num_documents=20)
    config = demo_config(paths)
    config["model"]["tasks"]["coref"]["head"]["lexical_dropout"] = 0.0  # the only dropout
    # coref batches hold one document: rank 1 trains on the weightless stand-in at every coref
    # step, and the training metrics below show it was never counted
    config["multi_task_trainer"].update(
        {
            "num_epochs": 1,
            "validation_interval": 20,  # validations at steps 20 and at the end of the epoch
            "no_tqdm": True,
            # SGD: rounding differences stay rounding differences (Adam divides a parameter's
            # update by its gradient's size, and rescales pure-rounding gradients to lr)
            "optimizer": {"type": "sgd", "lr": 0.05},
            "distributed": {"backend": "gloo"},
        }
    )
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))

    done = subprocess.run(torchrun("-c", str(config_file), "-s", str(tmp_path / "two")),
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert main(["train", "-c", str(config_file), "-s", str(tmp_path / "one")]) == 0

    one = json.loads((tmp_path / "one" / "metrics.json").read_text())
    two = json.loads((tmp_path / "two" / "metrics.json").read_text())
    assert len(one["history"]) == 2
    assert_same_records(one["history"], two["history"])
    for task in ("ner", "emd", "relation", "coref"):
        assert one[task]["best_step"] == two[task]["best_step"]
        for column, metrics in one[task]["test"].items():
            assert two[task]["test"][column] == pytest.approx(metrics, rel=1e-4, abs=1e-5)
    assert_same_weights(tmp_path / "one" / "model_state.th", tmp_path / "two" / "model_state.th")
    # rank 0 alone wrote the TensorBoard events and the log; the steps ran through DDP
    assert len(list((tmp_path / "two" / "log" / "train").iterdir())) == 1
    log = (tmp_path / "two" / "out.log").read_text()
    assert "Process 1 of 2" not in log
    assert "Training with DistributedDataParallel over 2 processes" in log


def test_a_killed_distributed_run_recovers_with_torchrun(tmp_path):
    config = toy_config_dict()
    config["model"]["dropout"] = 0.0
    # ent: batches of one sentence, so rank 1's shard is empty at every ent step (it trains on
    # the weightless stand-in, its accuracy untouched) and every ent validation batch
    config["iterators"]["iterator_ent"]["batch_size"] = 1
    config["multi_task_trainer"]["num_epochs"] = 6  # 6 epochs of 3 + 6 steps
    config_file = tmp_path / "toy.json"
    config_file.write_text(json.dumps(config))
    run = tmp_path / "run"
    slow = json.dumps({"model.step_delay": 0.1})  # about 5 s of training after start-up
    process = subprocess.Popen(
        torchrun("-c", str(config_file), "-s", str(run), "-o", slow, "--include-package", TOY),
        cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_file(process, run / "training_state.th", timeout_s=180)
        time.sleep(0.25)  # into the next epoch
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the launcher and both workers
        process.wait()
    assert not (run / "metrics.json").exists()
    before = load_torch_file(run / "training_state.th", "training state")
    assert before["world_size"] == 2 and len(before["rng_per_rank"]) == 2
    done_before = len(before["records"])
    assert 1 <= done_before < 6

    recovered = subprocess.run(
        torchrun("-s", str(run), "--recover", "--include-package", TOY),
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=240,
    )
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    metrics = json.loads((run / "metrics.json").read_text())
    assert [r["global_step"] for r in metrics["history"]] == [9, 18, 27, 36, 45, 54]
    assert metrics["history"][:done_before] == json.loads(json.dumps(before["records"]))

    # the same config, uninterrupted, in one process (step_delay only slows the forward pass)
    assert main(["train", "-c", str(config_file), "-s", str(tmp_path / "one"),
                 "--include-package", TOY]) == 0
    one = json.loads((tmp_path / "one" / "metrics.json").read_text())
    assert_same_records(one["history"], metrics["history"])
    assert_same_weights(tmp_path / "one" / "model_state.th", run / "model_state.th")


def test_recovering_with_another_number_of_processes_is_a_clear_error(tmp_path, capsys):
    config_file = tmp_path / "toy.json"
    config_file.write_text(json.dumps(toy_config_dict()))
    run = tmp_path / "run"
    assert main(["train", "-c", str(config_file), "-s", str(run), "--include-package", TOY]) == 0
    state = load_torch_file(run / "training_state.th", "training state")
    state["world_size"] = 2  # as if two processes had written it
    torch.save(state, run / "training_state.th")
    assert main(["train", "-s", str(run), "--recover", "--include-package", TOY]) == 1
    error = capsys.readouterr().err
    assert "trained by 2 process(es) but this one has 1" in error
