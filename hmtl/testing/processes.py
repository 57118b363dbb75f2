"""Run a function on several CPU processes joined in one gloo process group, for tests.

Distributed code (metrics that sum across ranks, gradient reduction) can only be checked with
real processes. Each process forks from the test, joins a group through a file store, runs
``work(rank)`` and sends back what it returns; a failure in any process comes back as its
traceback, so the test shows it instead of hanging.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist


class ProcessFailed(AssertionError):
    """A worker process raised: the message is its traceback."""


def _run(work: Callable[[int], Any], rank: int, world_size: int, store: str, results) -> None:
    try:
        torch.set_num_threads(1)
        dist.init_process_group(
            "gloo", init_method=f"file://{store}", rank=rank, world_size=world_size
        )
        try:
            results.put((rank, True, work(rank)))
        finally:
            dist.destroy_process_group()
    except Exception:  # noqa: BLE001 - every failure goes back to the test
        results.put((rank, False, traceback.format_exc()))


def run_in_processes(
    work: Callable[[int], Any],
    store_dir: str | os.PathLike,
    world_size: int = 2,
    timeout_s: float = 60,
) -> list[Any]:
    """``work(rank)``'s result on each of ``world_size`` processes, in rank order.

    ``store_dir`` must be a fresh directory (the group's rendezvous file is made in it); results
    must be picklable. Raises ``ProcessFailed`` with the traceback of the first failed rank.
    """
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    store = os.path.join(os.fspath(store_dir), "process_group_store")
    workers = [
        context.Process(target=_run, args=(work, rank, world_size, store, results))
        for rank in range(world_size)
    ]
    for worker in workers:
        worker.start()
    try:
        reports = sorted(results.get(timeout=timeout_s) for _ in workers)
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    for rank, succeeded, value in reports:
        if not succeeded:
            raise ProcessFailed(f"process {rank} of {world_size} failed:\n{value}")
    return [value for _, _, value in reports]


def wait_for_file(process: subprocess.Popen, path: Path, timeout_s: float) -> None:
    """Wait until ``path`` exists while ``process`` still runs (to kill a run mid-training)."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert process.poll() is None, f"the process ended before writing {path.name}"
        assert time.monotonic() < deadline, f"no {path.name} after {timeout_s:.0f} s"
        time.sleep(0.02)
