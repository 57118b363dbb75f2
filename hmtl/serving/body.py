"""Reading and checking the body of ``POST /predict``.

The body is read chunk by chunk and refused as soon as it passes the byte limit, so a client that
sends no Content-Length, or a false one, cannot make the server hold more than the limit.

Accepted bodies (JSON objects, no other keys):
- ``{"text": "..."}``: one document; the answer is one prediction object;
- ``{"texts": ["...", ...]}``: several documents; the answer is a list of prediction objects,
  their ``id`` the index in ``texts``.
The text limit applies to the characters of the whole request (all texts together).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request

from hmtl.serving.errors import ApiError
from hmtl.serving.limits import ServingLimits

BAD_REQUEST = 400
PAYLOAD_TOO_LARGE = 413
UNPROCESSABLE = 422


@dataclass(frozen=True)
class TextsRequest:
    """The documents of one request, and whether the client sent a list (``texts``)."""

    texts: list[str]
    batch: bool


def body_too_large(limits: ServingLimits) -> ApiError:
    """413 naming the byte limit and its flag."""
    return ApiError(
        PAYLOAD_TOO_LARGE,
        f"the request body is larger than {limits.max_body_bytes} bytes, the limit of this "
        "server (--max-body-bytes)",
    )


async def read_limited_body(request: Request, limits: ServingLimits) -> bytes:
    """The raw body, refused (413) when its Content-Length or its actual size is over the limit."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError(BAD_REQUEST, f"invalid Content-Length header {declared!r}")
        if int(declared) > limits.max_body_bytes:
            raise body_too_large(limits)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.max_body_bytes:
                raise body_too_large(limits)
            chunks.append(chunk)
    except ClientDisconnect:
        message = "the client disconnected before sending the whole body"
        raise ApiError(BAD_REQUEST, message) from None
    return b"".join(chunks)


def parse_texts_body(raw: bytes, limits: ServingLimits) -> TextsRequest:
    """The documents of a ``POST /predict`` body: 400 when it is not JSON, 422 when its content
    is not one of the accepted shapes, 413 when its text is over the character limit."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ApiError(BAD_REQUEST, f"the request body is not UTF-8 ({error})") from error
    except json.JSONDecodeError as error:
        raise ApiError(
            BAD_REQUEST,
            f"the request body is not valid JSON: {error.msg} at line {error.lineno} column "
            f"{error.colno}",
        ) from error
    if not isinstance(body, dict):
        raise ApiError(
            UNPROCESSABLE,
            f'expected a JSON object {{"text": ...}} or {{"texts": [...]}}, got {_kind(body)}',
        )
    unknown = sorted(set(body) - {"text", "texts"})
    if unknown:
        raise ApiError(
            UNPROCESSABLE, f'unknown key(s) {", ".join(unknown)}: expected "text" or "texts"'
        )
    if len(body) != 1:
        raise ApiError(UNPROCESSABLE, 'expected "text" (one string) or "texts" (a list of strings)')
    if "text" in body:
        texts, batch = [_check_string(body["text"], '"text"')], False
    else:
        if not isinstance(body["texts"], list):
            raise ApiError(
                UNPROCESSABLE, f'"texts" must be a list of strings, got {_kind(body["texts"])}'
            )
        texts = [_check_string(text, f'"texts"[{i}]') for i, text in enumerate(body["texts"])]
        batch = True
    check_text_length(texts, limits)
    return TextsRequest(texts, batch)


def check_text_length(texts: list[str], limits: ServingLimits) -> None:
    """413 when the request's characters, all texts together, are over the limit."""
    total = sum(len(text) for text in texts)
    if total > limits.max_text_chars:
        raise ApiError(
            PAYLOAD_TOO_LARGE,
            f"the text is {total} characters long; this server accepts at most "
            f"{limits.max_text_chars} characters per request (--max-text-chars)",
        )


def _check_string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ApiError(UNPROCESSABLE, f"{where} must be a string, got {_kind(value)}")
    return value


def _kind(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
