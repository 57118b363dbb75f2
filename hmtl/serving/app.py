"""The ASGI app of ``hmtl serve``: the JSON API and the page that draws its predictions.

Routes:
- ``POST /predict``: body ``{"text": "..."}`` -> one prediction object (the JSON contract of
  ``hmtl predict``), or ``{"texts": [...]}`` -> a list of them (see ``hmtl.serving.body``);
- ``GET /jmd?text=...``: the original demo's route, one prediction object;
- ``GET /health``: ``{"status": "ok", "model": ..., "tasks": {name: kind}}``;
- ``GET /``: the page, with its script and style under ``/static/``.

Status codes: 400 body not JSON this server can read (not UTF-8, malformed, nested too deeply, an
integer of too many digits) or a malformed HTTP request (``hmtl.serving.protocol``), 422 JSON of
the wrong shape, a missing ``text`` or a text that is not valid Unicode, 413 body, characters,
documents or tokens over the limits, 503 prediction past ``--timeout``, 500 any other failure
(``{"error": "internal error ..."}``; the traceback goes to the server log only). Every error body
is ``{"error": message}``.

Starlette rather than FastAPI: the body is read by hand (for the streaming size limit) and
checked by hand (for the API's one error shape), so FastAPI's validation layer would add a
second error format and two dependencies without doing any of the work.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hmtl.serving.body import (
    UNPROCESSABLE,
    check_text_length,
    check_token_counts,
    check_unicode,
    parse_texts_body,
    read_limited_body,
)
from hmtl.serving.errors import (
    ApiError,
    error_response,
    http_exception_handler,
    internal_error,
    unhandled_exception_handler,
)
from hmtl.serving.limits import ServingLimits
from hmtl.serving.runner import SERVICE_UNAVAILABLE, PredictionRunner, Predictor

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"

Endpoint = Callable[[Request], Awaitable[Response]]


def json_errors(endpoint: Endpoint) -> Endpoint:
    """Answer ``ApiError`` with its status and message, and anything else with a 500 whose
    traceback is logged, never sent."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as error:
            return error_response(error.status, error.message)
        except Exception as error:
            logger.exception("%s %s failed", request.method, request.url.path)
            return internal_error(error)

    return wrapper


def create_app(
    predictor: Predictor, model_name: str = "model", limits: ServingLimits | None = None
) -> Starlette:
    """The app serving ``predictor``; ``model_name`` is what ``/health`` reports (a name, not a
    path: the server tells clients nothing about where its files are). The limits in force are
    ``app.state.limits``, the runner ``app.state.runner``."""
    limits = limits or ServingLimits()
    runner = PredictionRunner(predictor, limits)

    async def within_deadline(work: Callable[[float], Awaitable[Any]]) -> Any:
        """``work(deadline)`` (reading the body, tokenizing, predicting) as a whole within
        ``--timeout``."""
        deadline = time.monotonic() + limits.timeout_s
        with anyio.move_on_after(limits.timeout_s):
            return await work(deadline)
        raise ApiError(
            SERVICE_UNAVAILABLE,
            f"the request did not finish within {limits.timeout_s:g} s (--timeout)",
        )

    async def predictions(texts: list[str], batch: bool, deadline: float) -> list[Any]:
        """Tokenize, refuse what is over the token limits, then predict."""
        documents = await runner.tokenize(texts, deadline)
        check_token_counts([len(document.tokens) for document in documents], batch, limits)
        return await runner.predict(documents, deadline)

    @json_errors
    async def predict(request: Request) -> Response:
        async def work(deadline: float) -> Any:
            parsed = parse_texts_body(await read_limited_body(request, limits), limits)
            answers = await predictions(parsed.texts, parsed.batch, deadline)
            return answers if parsed.batch else answers[0]

        return JSONResponse(await within_deadline(work))

    @json_errors
    async def jmd(request: Request) -> Response:
        texts = request.query_params.getlist("text")
        if len(texts) != 1:
            raise ApiError(
                UNPROCESSABLE,
                f"expected one query parameter text=..., got {len(texts)}",
            )
        check_unicode(texts[0], "text")
        check_text_length(texts, limits)

        async def work(deadline: float) -> Any:
            return (await predictions(texts, False, deadline))[0]

        return JSONResponse(await within_deadline(work))

    @json_errors
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "model": model_name, "tasks": dict(predictor.tasks)})

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/predict", predict, methods=["POST"]),
        Route("/jmd", jmd, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={  # type: ignore[dict-item]
            HTTPException: http_exception_handler,
            Exception: unhandled_exception_handler,
        },
    )
    app.state.limits = limits
    app.state.runner = runner
    return app
