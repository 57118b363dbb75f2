"""``hmtl serve``: the HTTP API and the demo page over a trained run directory or model archive.

Listens on 127.0.0.1 unless ``--host`` says otherwise (e.g. ``--host 0.0.0.0`` to be reached from
other machines). Routes, body shapes and status codes: ``hmtl.serving.app``.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from pathlib import Path

from hmtl.commands.arguments import add_device_and_package_arguments, guarded, import_packages
from hmtl.serving.limits import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_DOCUMENT_TOKENS,
    DEFAULT_MAX_DOCUMENTS,
    DEFAULT_MAX_TEXT_CHARS,
    DEFAULT_MAX_TOKENS,
    DEFAULT_TIMEOUT_S,
    ServingLimits,
)

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse ``type`` that accepts only numbers above zero."""

    def parse(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
        if not number > 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {value}")
        return number

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``serve``."""
    parser.add_argument("model", help="a run directory (of hmtl train) or a model archive")
    parser.add_argument(
        "--weights",
        default=None,
        help="which weights of a run directory: 'best' (best.th) or a task name "
        "(best_<task>.th); default: best.th, else the only best_<task>.th",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"default: {DEFAULT_HOST}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default: {DEFAULT_PORT}")
    parser.add_argument(
        "--max-text-chars",
        type=positive(int),
        default=DEFAULT_MAX_TEXT_CHARS,
        help="most characters of text per request; more is answered 413 "
        f"(default: {DEFAULT_MAX_TEXT_CHARS})",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=positive(int),
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"largest request body; more is answered 413 (default: {DEFAULT_MAX_BODY_BYTES})",
    )
    parser.add_argument(
        "--max-documents",
        type=positive(int),
        default=DEFAULT_MAX_DOCUMENTS,
        help="most documents (texts) per request; more is answered 413 "
        f"(default: {DEFAULT_MAX_DOCUMENTS})",
    )
    parser.add_argument(
        "--max-tokens",
        type=positive(int),
        default=DEFAULT_MAX_TOKENS,
        help="most tokens per request, all texts together, as the model's tokenizer counts "
        f"them; more is answered 413 (default: {DEFAULT_MAX_TOKENS})",
    )
    parser.add_argument(
        "--max-document-tokens",
        type=positive(int),
        default=DEFAULT_MAX_DOCUMENT_TOKENS,
        help="most tokens per document; more is answered 413 "
        f"(default: {DEFAULT_MAX_DOCUMENT_TOKENS})",
    )
    parser.add_argument(
        "--timeout",
        type=positive(float),
        default=DEFAULT_TIMEOUT_S,
        help="seconds a request may take, waiting for the model included; past it the answer "
        "is 503 and its prediction stops at the next batch "
        f"(default: {DEFAULT_TIMEOUT_S:g})",
    )
    add_device_and_package_arguments(parser)


@guarded
def run(args: argparse.Namespace) -> int:
    """Load the predictor, then serve it until interrupted."""
    import_packages(args.include_package)
    import uvicorn

    from hmtl.predicting.predictor import load_predictor
    from hmtl.serving.app import create_app
    from hmtl.serving.protocol import UVICORN_OPTIONS

    limits = ServingLimits(
        max_text_chars=args.max_text_chars,
        max_body_bytes=args.max_body_bytes,
        timeout_s=args.timeout,
        max_documents=args.max_documents,
        max_tokens=args.max_tokens,
        max_document_tokens=args.max_document_tokens,
    )
    cuda_device = -1 if args.cuda_device is None else args.cuda_device
    predictor = load_predictor(args.model, cuda_device=cuda_device, weights=args.weights)
    app = create_app(predictor, model_name=model_name(args.model), limits=limits)
    logger.info("Serving %s (heads: %s)", args.model, ", ".join(predictor.tasks))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", **UVICORN_OPTIONS)
    return 0


def model_name(path: str | os.PathLike) -> str:
    """The name ``/health`` reports: the run directory's or archive's base name, never the path
    as typed (which would tell clients where the server's files are)."""
    return Path(path).resolve().name or "model"


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hmtl serve``."""
    parser = subparsers.add_parser(
        "serve",
        help="serve a trained model over HTTP, with a demo page",
        description="Serve a run directory or model archive: POST /predict, GET /jmd?text=..., "
        "GET /health, and the demo page at /.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser
