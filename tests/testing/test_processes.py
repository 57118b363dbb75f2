"""The two-process test harness: results in rank order, a failing rank's traceback raised."""

import pytest
import torch
import torch.distributed as dist

from hmtl.testing.processes import ProcessFailed, run_in_processes


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
