"""The ASGI app of ``hmtl serve``: the JSON API and the page that draws its predictions.

Routes:
- ``POST /predict``: body ``{"text": "..."}`` -> one prediction object (the JSON contract of
  ``hmtl predict``), or ``{"texts": [...]}`` -> a list of them (see ``hmtl.serving.body``);
- ``GET /jmd?text=...``: the original demo's route, one prediction object;
- ``GET /health``: ``{"status": "ok", "model": ..., "tasks": {name: kind}}``;
- ``GET /``: the page, with its script and style under ``/static/``.

Status codes: 400 body not JSON (or a malformed Content-Length), 422 JSON of the wrong shape or a
missing ``text``, 413 text or body over the limits, 503 prediction past ``--timeout``, 500 any
other failure (``{"error": "internal error ..."}``; the traceback goes to the server log only).
Every error body is ``{"error": message}``.

Starlette rather than FastAPI: the body is read by hand (for the streaming size limit) and
checked by hand (for the API's one error shape), so FastAPI's validation layer would add a
second error format and two dependencies without doing any of the work.
"""

from __future__ import annotations

import functools
import logging
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
    parse_texts_body,
    read_limited_body,
)
from hmtl.serving.errors import ApiError, error_response, http_exception_handler
from hmtl.serving.limits import ServingLimits
from hmtl.serving.runner import INTERNAL_ERROR, SERVICE_UNAVAILABLE, PredictionRunner, Predictor

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
            return error_response(
                INTERNAL_ERROR, f"internal error ({type(error).__name__}); see the server log"
            )

    return wrapper


def create_app(
    predictor: Predictor, model_name: str = "model", limits: ServingLimits | None = None
) -> Starlette:
    """The app serving ``predictor``; ``model_name`` is what ``/health`` reports. The limits in
    force are ``app.state.limits``."""
    limits = limits or ServingLimits()
    runner = PredictionRunner(predictor, limits.timeout_s)

    async def within_deadline(work: Callable[[], Awaitable[Any]]) -> Any:
        """``work`` (reading the body and predicting) as a whole within ``--timeout``."""
        with anyio.move_on_after(limits.timeout_s):
            return await work()
        raise ApiError(
            SERVICE_UNAVAILABLE,
            f"the request did not finish within {limits.timeout_s:g} s (--timeout)",
        )

    @json_errors
    async def predict(request: Request) -> Response:
        async def work() -> Any:
            parsed = parse_texts_body(await read_limited_body(request, limits), limits)
            predictions = await runner.predict(parsed.texts)
            return predictions if parsed.batch else predictions[0]

        return JSONResponse(await within_deadline(work))

    @json_errors
    async def jmd(request: Request) -> Response:
        texts = request.query_params.getlist("text")
        if len(texts) != 1:
            raise ApiError(
                UNPROCESSABLE,
                f"expected one query parameter text=..., got {len(texts)}",
            )
        check_text_length(texts, limits)
        return JSONResponse((await runner.predict(texts))[0])

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
        exception_handlers={HTTPException: http_exception_handler},  # type: ignore[dict-item]
    )
    app.state.limits = limits
    return app
