"""``hmtl probe``: SentEval's probing tasks on one layer, or every layer, of a trained model.

Tests the paper's claim that layers higher in the hierarchy encode more complex semantics. Reads
the run directory written by ``hmtl train``, encodes the probing sentences with the chosen
layer(s) and probes them with SentEval when it is installed, with the built-in prober otherwise.
Writes a JSON table and a PNG plot next to it, and prints a markdown table.

``--tasks`` takes SentEval's task names and ``NAME=PATH`` for any other file in SentEval's
probing format, in any mix; every task is probed and reported the same way.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from hmtl.commands.arguments import import_packages, one_line_message
from hmtl.probing.data import PROBING_TASKS, probing_dir, probing_file

logger = logging.getLogger(__name__)

ORIGINAL_LAYERS = (
    "text_field_embedder", "encoder_ner", "encoder_emd", "encoder_relation", "encoder_coref"
)
SENTEVAL_INSTALL_HINT = (
    "SentEval is not on the package registry: clone https://github.com/facebookresearch/SentEval "
    "and run `pip install --no-deps .` in it (or put the clone on PYTHONPATH)"
)
# hmtl.probing.encoder.POOLINGS and hmtl.probing.prober.SENTEVAL_SEED, spelt out so that --help
# imports neither torch nor scikit-learn (a test keeps them equal)
POOLINGS = ("mean", "max")
SENTEVAL_SEED = 1111


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The original script's flags (``-s``, ``-t``, ``-l``) and the new ones."""
    parser.add_argument(
        "-s", "--serialization_dir", "--serialization-dir", dest="serialization_dir",
        required=True, help="run directory written by hmtl train (config.json, vocabulary/, "
        "best_<task>.th)",
    )
    parser.add_argument(
        "-t", "--task", default="ner", help="which best_<task>.th to load (default: ner)"
    )
    layers = parser.add_mutually_exclusive_group()
    layers.add_argument(
        "-l", "--layer_name", "--layer-name", dest="layer_name", default="text_field_embedder",
        help=f"layer to probe, e.g. {', '.join(ORIGINAL_LAYERS)} (default: text_field_embedder)",
    )
    layers.add_argument(
        "--all-layers", action="store_true",
        help="probe every layer of the model in one run (the model is loaded once)",
    )
    parser.add_argument(
        "--tasks", nargs="+", default=list(PROBING_TASKS), metavar="TASK",
        help=f"probing tasks to run: SentEval's ({', '.join(PROBING_TASKS)}; default: all "
        "ten), and NAME=PATH for any file in SentEval's probing format (tr|va|te <TAB> label "
        "<TAB> sentence), in any mix",
    )
    parser.add_argument(
        "--data-dir", default="SentEval/data",
        help="SentEval's data folder, the one holding probing/ (default: SentEval/data)",
    )
    parser.add_argument(
        "--cuda-device", type=int, default=-1, help="GPU index, or -1 for the CPU (default)"
    )
    parser.add_argument(
        "--output", default=None,
        help="JSON file for the results (default: <run dir>/probing_<task>_<layer>_<pooling>"
        ".json); the PNG plot is written next to it",
    )
    parser.add_argument(
        "--pooling", choices=POOLINGS, default="mean",
        help="sentence vector from token states: masked mean (the original) or max",
    )
    parser.add_argument(
        "--backend", choices=("auto", "senteval", "builtin"), default="auto",
        help="SentEval if importable (auto, the default), or force one",
    )
    parser.add_argument("--batch-size", type=int, default=128, help="sentences per batch")
    parser.add_argument(
        "--seed", type=int, default=SENTEVAL_SEED, help="classifier seed (SentEval's 1111)"
    )
    parser.add_argument(
        "--max-iter", type=int, default=100,
        help="iterations of the built-in logistic regression (scikit-learn's default 100)",
    )


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "probe",
        help="probe the layers of a trained model with SentEval's probing tasks",
        description=__doc__,
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the probe; bad arguments, run directories or data files end with a one-line error."""
    try:
        _probe(args)
    except Exception as error:
        message = one_line_message(error)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


def task_files(tasks: list[str], data_dir: str) -> dict[str, Path]:
    """Each ``--tasks`` item as its name and file: SentEval's names are looked up in the
    probing folder of ``data_dir`` (needed only for them), ``NAME=PATH`` names its own file."""
    from allennlp.common.checks import ConfigurationError

    files: dict[str, Path] = {}
    folder = None
    for item in tasks:
        name, sep, path = item.partition("=")
        name = name.strip()
        if sep and (not name or not path):
            raise ConfigurationError(f"--tasks {item!r}: expected a SentEval task name or "
                                     "NAME=PATH")
        if not sep and name not in PROBING_TASKS:
            raise ConfigurationError(
                f"--tasks {item!r}: unknown probing task; expected one of "
                f"{', '.join(PROBING_TASKS)}, or NAME=PATH for a file of your own")
        if sep and name in PROBING_TASKS:
            raise ConfigurationError(
                f"--tasks {item!r}: {name} is one of SentEval's tasks; give your file "
                "another name")
        if name in files:
            raise ConfigurationError(f"--tasks: task {name!r} is given twice")
        if sep:
            if not Path(path).is_file():
                raise ConfigurationError(f"--tasks {item!r}: {path} is not a file")
            files[name] = Path(path)
        else:
            folder = folder or probing_dir(data_dir)
            files[name] = probing_file(folder, name)
    return files


def _probe(args: argparse.Namespace) -> None:
    import_packages([])
    from allennlp.common.checks import ConfigurationError

    from hmtl.predicting.loading import load_trained_run
    from hmtl.probing.data import read_probing_file
    from hmtl.probing.encoder import SentenceEncoder
    from hmtl.probing.prober import LogisticRegressionProber
    from hmtl.probing.report import (
        markdown_table,
        plot_layers,
        plot_path,
        results_json,
        write_json,
    )
    from hmtl.probing.runner import probe_builtin, probe_senteval
    from hmtl.probing.senteval_backend import senteval_importable

    files = task_files(args.tasks, args.data_dir)
    for name, path in files.items():  # a malformed file fails before the model is loaded
        read_probing_file(path, name)
    tasks = list(files)
    backend = args.backend
    if backend == "auto":
        backend = "senteval" if senteval_importable() else "builtin"
    elif backend == "senteval" and not senteval_importable():
        raise ConfigurationError(f"--backend senteval: cannot import senteval. "
                                 f"{SENTEVAL_INSTALL_HINT}.")
    logger.info("Probing backend: %s", backend)

    trained = load_trained_run(args.serialization_dir, weights=args.task)
    encoder = SentenceEncoder(
        trained.model, trained.vocab, trained.token_indexers, pooling=args.pooling,
        batch_size=args.batch_size, cuda_device=args.cuda_device,
    )
    layers = encoder.layers if args.all_layers else [args.layer_name]
    encoder.check_layers(layers)

    if backend == "senteval":
        results = probe_senteval(
            encoder, layers, files, use_gpu=args.cuda_device >= 0,
            seed=args.seed, batch_size=args.batch_size,
        )
    else:
        prober = LogisticRegressionProber(seed=args.seed, max_iter=args.max_iter)
        results = probe_builtin(encoder, layers, files, prober)

    layer_label = "all" if args.all_layers else args.layer_name
    output = Path(
        args.output
        or Path(args.serialization_dir) / f"probing_{args.task}_{layer_label}_{args.pooling}.json"
    )
    document = results_json(
        results, layers, tasks,
        serialization_dir=str(args.serialization_dir), weights=trained.weights.name,
        pooling=args.pooling, backend=backend,
        task_files={name: str(path) for name, path in files.items()},
    )
    write_json(document, output)
    png = plot_layers(results, layers, tasks, plot_path(output))
    print(markdown_table(results, layers, tasks))
    print(f"\nResults: {output}\nPlot: {png}")
