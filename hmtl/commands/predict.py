"""``hmtl predict``: run every head of a trained model on documents.

Reads raw text, JSON lines or training-format files (``hmtl.predicting.inputs``), writes one
prediction JSON per document (JSON lines), or for training-format input optionally the same
format with the predicted columns filled in (``hmtl.predicting.format_writers``).

Training-format documents (CoNLL-2012 parts, like_conll documents, CoNLL-2003 documents) are
predicted whole, as training and evaluation read them, so that scoring the output gives what
``evaluate`` reports; raw text and JSON lines are predicted in windows the size the model was
trained on. ``--windows`` or an explicit window size windows every input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any, TextIO

from hmtl.commands.archive import add_weights_arguments, weights_choice
from hmtl.commands.arguments import add_device_and_package_arguments, guarded, import_packages
from hmtl.predicting.document import Document
from hmtl.predicting.inputs import FORMATS, STDIN, TRAINING_FORMATS

logger = logging.getLogger(__name__)

JSONL_OUTPUT, SAME_OUTPUT = "jsonl", "input"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``predict``."""
    parser.add_argument("model", help="a run directory or a model archive (hmtl archive)")
    parser.add_argument("input", help="the input file, or - for stdin")
    parser.add_argument("-o", "--output", default=STDIN,
                        help="where to write the predictions (default: stdout)")
    parser.add_argument("--input-format", default="auto", choices=("auto", *FORMATS),
                        help="auto: .jsonl/.json -> jsonl, *gold_conll -> conll2012, "
                        "*like_conll -> like_conll, else text (blank-line-separated documents); "
                        "lines: one document per line")
    parser.add_argument("--output-format", default=JSONL_OUTPUT,
                        choices=(JSONL_OUTPUT, SAME_OUTPUT),
                        help="jsonl (default), or 'input': the training format read, with the "
                        "predicted columns filled in")
    add_weights_arguments(parser)
    parser.add_argument("--batch-size", type=_positive, default=8,
                        help="windows per model call (default 8)")
    parser.add_argument("--max-window-tokens", type=_positive, default=None,
                        help="split documents into windows of at most this many tokens at "
                        "sentence boundaries (every input format; default: the model's "
                        "training window)")
    parser.add_argument("--max-window-sentences", type=_positive, default=None,
                        help="split documents into windows of at most this many sentences "
                        "(every input format; default: the model's training window)")
    parser.add_argument("--windows", action="store_true",
                        help="also split training-format documents (CoNLL-2012, like_conll, "
                        "CoNLL-2003) into windows; by default they are predicted whole, as in "
                        "training and evaluation. Raw text and JSON lines always use windows, of "
                        "the coreference reader's max_sentences or a transformer's max_length; "
                        "a model trained on neither is predicted on whole sentences and "
                        "documents, as in training, whatever the input (then --windows needs "
                        "a size: --max-window-tokens or --max-window-sentences)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_device_and_package_arguments(parser)
    for action in parser._actions:  # prediction does not follow the training config's device
        if action.dest == "cuda_device":
            action.help = "GPU index, or -1 for the CPU (default: -1)"


def _progress(args: argparse.Namespace) -> Any:
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", desc="predicting", file=sys.stderr)


@guarded
def run(args: argparse.Namespace) -> int:
    """Predict ``args.input`` with ``args.model``."""
    import_packages(args.include_package)
    from allennlp.common.checks import ConfigurationError

    # AllenNLP logs every constructor argument of the model it builds: noise at prediction.
    logging.getLogger("allennlp.common.params").setLevel(logging.WARNING)
    from hmtl.predicting.format_writers import fill_predictions, has_docstart, write_source
    from hmtl.predicting.inputs import read_documents, resolve_format
    from hmtl.predicting.predictor import load_predictor

    input_format = resolve_format(args.input, args.input_format)
    if args.output_format == SAME_OUTPUT and input_format not in TRAINING_FORMATS:
        raise ConfigurationError(
            f"--output-format input writes a training format; the input is {input_format} "
            f"(use --input-format {'|'.join(TRAINING_FORMATS)} or --output-format jsonl)")
    cuda_device = -1 if args.cuda_device is None else args.cuda_device
    # AllenNLP logs every constructor argument of the model it builds: noise at prediction.
    params_logger = logging.getLogger("allennlp.common.params")
    level = params_logger.level
    params_logger.setLevel(logging.WARNING)
    try:
        predictor = load_predictor(args.model, cuda_device, weights_choice(args),
                                   args.batch_size, args.max_window_tokens,
                                   args.max_window_sentences)
    finally:
        params_logger.setLevel(level)
    if args.windows and not predictor.windowed:
        raise ConfigurationError(
            "--windows: the model was trained on whole sentences and documents (its config "
            "sets no coreference max_sentences and no transformer max_length), so it has no "
            "window size; give one with --max-window-tokens or --max-window-sentences")
    docstart = input_format == "conll2003" and has_docstart(args.input)
    with ExitStack() as stack:
        out: TextIO = sys.stdout if args.output == STDIN else stack.enter_context(
            open(args.output, "w", encoding="utf-8"))
        bar = _progress(args)
        if bar is not None:
            stack.callback(bar.close)
        sources: deque = deque()

        def documents() -> Iterator[Document]:  # keeps each record beside its document
            for item in read_documents(args.input, input_format, predictor.tokenizer):
                sources.append(item.source)
                yield item.document

        update = (lambda _document: bar.update()) if bar is not None else None
        dropped = count = 0
        windowed = (args.windows or input_format not in TRAINING_FORMATS
                    or args.max_window_tokens is not None
                    or args.max_window_sentences is not None)
        for prediction in predictor.predict_documents(documents(), progress=update,
                                                      whole_documents=not windowed):
            source = sources.popleft()
            count += 1
            if args.output_format == SAME_OUTPUT:
                dropped += fill_predictions(input_format, prediction, source)
                write_source(input_format, source, out, docstart)
            else:
                out.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    if dropped:
        logger.warning("%d predicted spans or relations crossed a sentence boundary and could "
                       "not be written in %s columns", dropped, input_format)
    logger.info("Predicted %d documents", count)
    return 0


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl predict``."""
    parser = subparsers.add_parser(
        "predict",
        help="predict with every head of a trained model (NER, EMD, relations, coreference)",
        description="Tokenise and predict documents with a run directory or archive; writes "
        "one JSON object per document, or the training format read with the predicted columns "
        "filled in.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser
