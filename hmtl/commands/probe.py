"""``hmtl probe``: SentEval's probing tasks on one layer, or every layer, of a trained model.

Tests the paper's claim that layers higher in the hierarchy encode more complex semantics. Reads
the run directory written by ``hmtl train``, encodes the probing sentences with the chosen
layer(s) and probes them with SentEval when it is installed, with the built-in prober otherwise.
Writes a JSON table and a PNG plot next to it, and prints a markdown table.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from allennlp.common.checks import ConfigurationError

from hmtl.data.formats.errors import FormatError
from hmtl.predicting.loading import load_trained_run
from hmtl.probing.data import PROBING_TASKS, probing_dir, probing_file
from hmtl.probing.encoder import POOLINGS, SentenceEncoder
from hmtl.probing.prober import SENTEVAL_SEED, LogisticRegressionProber
from hmtl.probing.report import markdown_table, plot_layers, plot_path, results_json, write_json
from hmtl.probing.runner import probe_builtin, probe_senteval
from hmtl.probing.senteval_backend import senteval_importable

logger = logging.getLogger(__name__)

ORIGINAL_LAYERS = (
    "text_field_embedder", "encoder_ner", "encoder_emd", "encoder_relation", "encoder_coref"
)
SENTEVAL_INSTALL_HINT = (
    "SentEval is not on the package registry: clone https://github.com/facebookresearch/SentEval "
    "and run `pip install --no-deps .` in it (or put the clone on PYTHONPATH)"
)


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
        "--tasks", nargs="+", choices=PROBING_TASKS, default=list(PROBING_TASKS),
        metavar="TASK", help=f"probing tasks to run (default: all ten: {', '.join(PROBING_TASKS)})",
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
    except (ConfigurationError, FormatError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _probe(args: argparse.Namespace) -> None:
    folder = probing_dir(args.data_dir)
    for task in args.tasks:
        probing_file(folder, task)
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
            encoder, layers, args.tasks, folder, use_gpu=args.cuda_device >= 0,
            seed=args.seed, batch_size=args.batch_size,
        )
    else:
        prober = LogisticRegressionProber(seed=args.seed, max_iter=args.max_iter)
        results = probe_builtin(encoder, layers, args.tasks, folder, prober)

    layer_label = "all" if args.all_layers else args.layer_name
    output = Path(
        args.output
        or Path(args.serialization_dir) / f"probing_{args.task}_{layer_label}_{args.pooling}.json"
    )
    document = results_json(
        results, layers, args.tasks,
        serialization_dir=str(args.serialization_dir), weights=trained.weights.name,
        pooling=args.pooling, backend=backend,
    )
    write_json(document, output)
    png = plot_layers(results, layers, args.tasks, plot_path(output))
    print(markdown_table(results, layers, args.tasks))
    print(f"\nResults: {output}\nPlot: {png}")
