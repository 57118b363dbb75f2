"""Training speed of the demo config with 1 and 2 processes (torchrun), side by side.

Each measurement is a fresh ``torchrun --standalone --nproc_per_node N -m hmtl.commands.main
train`` of ``configs/demo.json`` (full size: four tasks, char CNN, 2x64 BiLSTMs) on a synthetic
demo corpus written to a temporary directory, for one epoch. The batch size of the config is the
*global* batch, so N processes each take 1/N of every batch and the runs compute the same
training steps: steps/s measures pure scaling. Steps/s is read from the ``step N:`` lines the
trainer logs every ``summary_interval`` steps (``no_tqdm``), from the first to the last such line
of the epoch, so start-up, data reading, validation and test scoring are excluded. Every
process runs one thread (``OMP_NUM_THREADS=1``).

CPU (gloo)::

    .venv/bin/python bench/distributed_speed.py                # 1 and 2 processes

One GPU, without and with mixed precision (``use_amp``); several GPUs with ``--processes``::

    .venv/bin/python bench/distributed_speed.py --cuda --amp --processes 1
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA = "data/demo"
STEP_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .* step (\d+): ")


def bench_config(data_dir: Path, cuda: bool, amp: bool, summary_interval: int) -> dict[str, Any]:
    """configs/demo.json on ``data_dir``, one epoch, no test scoring, optionally on GPU 0."""
    config = json.loads((ROOT / "configs" / "demo.json").read_text(encoding="utf-8"))
    for key, block in config.items():
        if key.startswith("task_"):
            block["task_description"]["evaluate_on_test"] = False
            data = block["data_params"]
            for name in ("train_data_path", "validation_data_path", "test_data_path"):
                if name in data:
                    data[name] = data[name].replace(DEMO_DATA, str(data_dir), 1)
    trainer = config["multi_task_trainer"]
    trainer.update({"num_epochs": 1, "no_tqdm": True, "summary_interval": summary_interval,
                    "cuda_device": 0 if cuda else -1, "use_amp": amp})
    return config


def steps_per_second(log: str) -> tuple[int, float]:
    """(steps, steps/s) between the first and the last logged training step."""
    stamps = []
    for line in log.splitlines():
        match = STEP_LINE.match(line)
        if match:
            when = datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
            stamps.append((int(match.group(2)), when))
    if len(stamps) < 2:
        raise RuntimeError("fewer than two 'step N:' lines were logged: use more documents")
    (first_step, first), (last_step, last) = stamps[0], stamps[-1]
    steps = last_step - first_step
    return steps, steps / (last - first).total_seconds()


def measure(config: dict[str, Any], processes: int, work: Path, label: str) -> dict[str, Any]:
    """One torchrun launch; its steps/s."""
    config_file = work / f"{label}.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    run_dir = work / label
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", str(processes), "-m", "hmtl.commands.main", "train",
               "-c", str(config_file), "-s", str(run_dir)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{label} failed:\n{done.stderr[-3000:]}")
    steps, rate = steps_per_second((run_dir / "out.log").read_text(encoding="utf-8"))
    return {"run": label, "processes": processes, "steps": steps, "steps_per_s": rate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--documents", type=int, default=120, help="demo corpus size")
    parser.add_argument("--summary-interval", type=int, default=5)
    parser.add_argument("--cuda", action="store_true", help="GPU LOCAL_RANK per process")
    parser.add_argument("--amp", action="store_true",
                        help="also measure with mixed precision (needs --cuda)")
    args = parser.parse_args()
    if args.amp and not args.cuda:
        parser.error("--amp needs --cuda (mixed precision is CUDA-only)")

    from hmtl.data.demo_corpus import write_demo_corpus

    rows = []
    with tempfile.TemporaryDirectory(prefix="hmtl-distributed-bench-") as tmp:
        work = Path(tmp)
        write_demo_corpus(work / "data", num_documents=args.documents)
        for amp in (False, True) if args.amp else (False,):
            config = bench_config(work / "data", args.cuda, amp, args.summary_interval)
            for processes in args.processes:
                label = f"{'cuda' if args.cuda else 'cpu'}-{processes}p{'-amp' if amp else ''}"
                rows.append({**measure(config, processes, work, label), "amp": amp})
    base = rows[0]["steps_per_s"]
    print(f"{'run':<14} {'processes':>9} {'amp':>5} {'steps':>6} {'steps/s':>8} {'ratio':>6}")
    for row in rows:
        print(f"{row['run']:<14} {row['processes']:>9} {str(row['amp']):>5} {row['steps']:>6} "
              f"{row['steps_per_s']:>8.2f} {row['steps_per_s'] / base:>6.2f}")


if __name__ == "__main__":
    main()
