"""Errors the API answers with: always JSON ``{"error": message}``, never a page or a traceback.

Clients of a JSON API (the web page included) show the server's message to the user, so every
failure carries one sentence that says what was wrong and, for limits, which flag sets the limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    """A request the server refuses or cannot answer, with the HTTP status to answer it with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> JSONResponse:
    """The JSON body of every error answer."""
    return JSONResponse({"error": message}, status_code=status)


async def http_exception_handler(request: Request, error: HTTPException) -> JSONResponse:
    """Starlette's own errors (unknown path, wrong method) in the API's JSON shape."""
    message = f"{error.detail}: {request.method} {request.url.path}"
    response = error_response(error.status_code, message)
    if error.headers:
        response.headers.update(error.headers)
    return response
