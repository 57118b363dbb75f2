"""``hmtl demo``: generate the synthetic demo corpus if needed and train ``configs/demo.json``.

Run by ``script/machine_setup.sh`` and idempotent like it: an existing corpus is reused, a
finished demo run is left alone (``--force`` retrains), an interrupted one is recovered. The demo
config names its data under ``data/demo/``; another ``--data-dir`` is substituted for that prefix.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from hmtl.commands.arguments import (
    add_device_and_package_arguments,
    add_overrides_argument,
    guarded,
    import_packages,
)

logger = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("configs") / "demo.json"
DEFAULT_DATA_DIR = "data/demo"
REPO_ROOT = Path(__file__).resolve().parents[2]


def find_config(path: str | None) -> Path:
    """The demo config: as given, or ``configs/demo.json`` here or in the repository."""
    from allennlp.common.checks import ConfigurationError

    if path is not None:
        if not Path(path).is_file():
            raise ConfigurationError(f"--config {path}: no such file")
        return Path(path)
    for candidate in (DEFAULT_CONFIG, REPO_ROOT / DEFAULT_CONFIG):
        if candidate.is_file():
            return candidate
    raise ConfigurationError(
        f"{DEFAULT_CONFIG} is missing (looked in {Path.cwd()} and {REPO_ROOT}): the demo config "
        "has not been written yet, or give one with --config"
    )


def rebase_paths(node: Any, old: str, new: str) -> Any:
    """``node`` with every string path under ``old`` moved under ``new``."""
    if isinstance(node, dict):
        return {key: rebase_paths(value, old, new) for key, value in node.items()}
    if isinstance(node, list):
        return [rebase_paths(value, old, new) for value in node]
    if isinstance(node, str):
        for prefix in (old, "./" + old):
            if node == prefix or node.startswith(prefix + "/"):
                return new + node[len(prefix):]
    return node


def ensure_corpus(data_dir: Path, num_documents: int | None) -> None:
    """Write the demo corpus unless ``data_dir`` already holds it."""
    from allennlp.common.checks import ConfigurationError

    from hmtl.data.demo_corpus import README_MARKER, write_demo_corpus

    readme = data_dir / "README.txt"
    if readme.is_file() and readme.read_text(encoding="utf-8").startswith(README_MARKER):
        logger.info("Demo corpus found in %s", data_dir)
        return
    logger.info("Writing the demo corpus to %s", data_dir)
    options = {} if num_documents is None else {"num_documents": num_documents}
    try:
        write_demo_corpus(data_dir, **options)
    except ValueError as error:
        raise ConfigurationError(f"--data-dir {data_dir}: {error}") from error


@guarded
def run(args: argparse.Namespace) -> int:
    """Generate the corpus if needed, then train (or recover, or report a finished run)."""
    import_packages(args.include_package)
    from allennlp.common import Params

    from hmtl.experiment.config import load_config
    from hmtl.experiment.run_dir import CONFIG_FILE
    from hmtl.training.experiment import METRICS_FILE, train
    from hmtl.training.trainer import TRAINING_STATE

    config = find_config(args.config)
    data_dir = Path(args.data_dir)
    ensure_corpus(data_dir, args.num_documents)
    params = load_config(config, args.overrides)
    if data_dir.as_posix().rstrip("/") != DEFAULT_DATA_DIR:
        params = Params(rebase_paths(params.as_dict(quiet=True), DEFAULT_DATA_DIR, str(data_dir)))

    run_dir = Path(args.serialization_dir)
    force, recover = args.force, False
    if not force and (run_dir / METRICS_FILE).is_file():
        print(f"The demo is already trained in {run_dir} (--force retrains it).")
        return 0
    if not force and (run_dir / TRAINING_STATE).is_file():
        logger.info("Recovering the interrupted demo run in %s", run_dir)
        recover = True
    elif not force and (run_dir / CONFIG_FILE).is_file():
        logger.info("%s holds a demo run stopped before its first checkpoint: restarting", run_dir)
        force = True
    metrics = train(
        params, run_dir, recover=recover, force=force, cuda_device=args.cuda_device
    )
    print(summary_lines(params, metrics, run_dir))
    return 0


def summary_lines(params: Any, metrics: dict[str, Any], run_dir: Path) -> str:
    """One line per task: its validation metric at its best validation (every metric, and the
    test scores, are in metrics.json)."""
    lines = [f"Best validation of each task ({run_dir / 'metrics.json'} has every metric):"]
    for key in params.keys():
        if not key.startswith("task_"):
            continue
        description = params.get(key).get("task_description")
        name = description.get("task_name")
        metric = description.get("validation_metric_name", "f1-measure-overall")
        best = metrics.get(name, {}).get("best_epoch_val_metrics", {}).get(name, {})
        if metric in best:
            lines.append(f"  {name:<10} {metric} {best[metric]:.3f}")
    return "\n".join(lines)


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl demo``."""
    parser = subparsers.add_parser(
        "demo",
        help="generate the demo corpus and train configs/demo.json",
        description="Generate the synthetic demo corpus if it is missing, then train the demo "
        "config into a serialization directory (recovering an interrupted run).",
    )
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help="corpus directory")
    parser.add_argument("--serialization-dir", default="runs/demo", help="run directory")
    parser.add_argument("--config", default=None, help=f"config (default {DEFAULT_CONFIG})")
    parser.add_argument("--force", action="store_true", help="retrain from scratch")
    parser.add_argument(
        "--num-documents", type=int, default=None,
        help="documents per corpus when the corpus is generated (default: the generator's)",
    )
    add_overrides_argument(parser)
    add_device_and_package_arguments(parser)
    parser.set_defaults(func=run)
    return parser
