"""The process helpers of the tests: two-process groups, waiting for a running job's file."""

import subprocess
import sys

import pytest
import torch
import torch.distributed as dist

from hmtl.testing.processes import ProcessFailed, run_in_processes, wait_for_file


def _rank_and_sum(rank: int) -> tuple[int, float]:
    value = torch.tensor([float(rank + 1)])
    dist.all_reduce(value)
    return dist.get_rank(), value.item()


def _fails_on_rank_one(rank: int) -> int:
    if rank == 1:
        raise ValueError("rank one refuses")
    return rank


def test_results_come_back_in_rank_order_from_one_process_group(tmp_path):
    # ranks hold 1 and 2: the all-reduce gives 3 on both
    assert run_in_processes(_rank_and_sum, tmp_path) == [(0, 3.0), (1, 3.0)]


def test_a_failing_rank_raises_with_its_traceback(tmp_path):
    with pytest.raises(ProcessFailed, match=r"(?s)process 1 of 2 failed.*rank one refuses"):
        run_in_processes(_fails_on_rank_one, tmp_path)


def test_waiting_for_a_file_returns_once_a_running_process_writes_it(tmp_path):
    target = tmp_path / "state.th"
    script = f"import pathlib, time; pathlib.Path({str(target)!r}).write_text('x'); time.sleep(30)"
    process = subprocess.Popen([sys.executable, "-c", script])
    try:
        wait_for_file(process, target, timeout_s=30)
        assert target.read_text() == "x" and process.poll() is None
    finally:
        process.kill()
        process.wait()


def test_a_process_that_ends_without_the_file_fails_the_wait(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    with pytest.raises(AssertionError, match="ended before writing state.th"):
        wait_for_file(process, tmp_path / "state.th", timeout_s=30)
