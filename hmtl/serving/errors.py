"""Errors the API answers with: always JSON ``{"error": message}``, never a page or a traceback.

Clients of a JSON API (the web page included) show the server's message to the user, so every
failure carries one sentence that says what was wrong and, for limits, which flag sets the limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

INTERNAL_ERROR = 500


class ApiError(Exception):
    """A request the server refuses or cannot answer, with the HTTP status to answer it with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> JSONResponse:
    """The JSON body of every error answer. A message quoting the client's input (an unknown key)
    may hold a lone surrogate, which UTF-8 cannot encode: it is written as its escape instead."""
    safe = message.encode("utf-8", "backslashreplace").decode("utf-8")
    return JSONResponse({"error": safe}, status_code=status)


def internal_error(error: BaseException) -> JSONResponse:
    """500 naming the exception's type only; the details stay in the server log."""
    return error_response(
        INTERNAL_ERROR, f"internal error ({type(error).__name__}); see the server log"
    )


async def unhandled_exception_handler(request: Request, error: Exception) -> JSONResponse:
    """The app's last resort (Starlette's server-error middleware calls it): a JSON 500 where
    Starlette, and uvicorn after it, would answer plain text. The middleware raises the error
    again after this answer, so the server logs its traceback."""
    return internal_error(error)


async def http_exception_handler(request: Request, error: HTTPException) -> JSONResponse:
    """Starlette's own errors (unknown path, wrong method) in the API's JSON shape."""
    message = f"{error.detail}: {request.method} {request.url.path}"
    response = error_response(error.status_code, message)
    if error.headers:
        response.headers.update(error.headers)
    return response
