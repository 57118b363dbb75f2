"""Summing a metric's counts over the processes of a distributed run.

Metrics here keep counts (true positives, links, ...) and turn them into scores only when asked,
so a distributed run scores the whole evaluation set when every process adds its counts to the
others' first. Counts may be keyed by labels that only some processes have seen, so they travel
as Python objects (`all_gather_object`) rather than as one fixed-size tensor.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import torch.distributed as dist
from allennlp.common.util import is_distributed


def sum_across_processes(counts: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """The element-wise sum of `counts` over all processes; a copy of `counts` outside a run.

    A collective call: in a distributed run every process must call it, in the same order.
    """
    if not is_distributed():
        return dict(counts)
    gathered: list[dict[Hashable, float] | None] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, dict(counts))
    total: dict[Hashable, float] = {}
    for process_counts in gathered:
        for key, value in (process_counts or {}).items():
            total[key] = total.get(key, 0) + value
    return total


def sum_counters_across_processes(
    counters: Mapping[str, Mapping[Hashable, float]],
) -> dict[str, dict[Hashable, float]]:
    """`sum_across_processes` for several named counters at once, in one collective call."""
    flat = {
        (name, key): value for name, counter in counters.items() for key, value in counter.items()
    }
    total = sum_across_processes(flat)
    summed: dict[str, dict[Hashable, float]] = {name: {} for name in counters}
    for (name, key), value in total.items():
        summed.setdefault(name, {})[key] = value
    return summed
