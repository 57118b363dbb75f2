"""Reading and checking the body of ``POST /predict``.

The body is read chunk by chunk and refused as soon as it passes the byte limit, so a client that
sends no Content-Length, or a false one, cannot make the server hold more than the limit.

Accepted bodies (JSON objects, no other keys):
- ``{"text": "..."}``: one document; the answer is one prediction object;
- ``{"texts": ["...", ...]}``: several documents; the answer is a list of prediction objects,
  their ``id`` the index in ``texts``.
The text limit applies to the characters of the whole request (all texts together); the document
limit to the length of ``texts``; the token limits (``check_token_counts``) to the tokens the
predictor's tokenizer finds, per document and for the whole request.

Every client error is an ``ApiError`` with a 4xx status, whatever the body holds: JSON nested
deeper than the parser's recursion limit and integers longer than Python converts are 400 (not
JSON this server can read), a string with a lone UTF-16 surrogate (legal as a JSON escape such as
``\\ud800``, but no Unicode text) is 422.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
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
    """The documents of a ``POST /predict`` body: 400 when it is not JSON this server reads, 422
    when its content is not one of the accepted shapes, 413 when it has more documents or
    characters than the limits."""
    try:
        body = json.loads(raw.decode("utf-8"), parse_int=_parse_int)
    except UnicodeDecodeError as error:
        raise ApiError(BAD_REQUEST, f"the request body is not UTF-8 ({error})") from error
    except json.JSONDecodeError as error:
        raise ApiError(
            BAD_REQUEST,
            f"the request body is not valid JSON: {error.msg} at line {error.lineno} column "
            f"{error.colno}",
        ) from error
    except RecursionError:
        raise ApiError(
            BAD_REQUEST, "the request body is JSON nested too deeply for this server to read"
        ) from None
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
        check_document_count(len(body["texts"]), limits)
        texts = [_check_string(text, f'"texts"[{i}]') for i, text in enumerate(body["texts"])]
        batch = True
    check_text_length(texts, limits)
    return TextsRequest(texts, batch)


def check_document_count(count: int, limits: ServingLimits) -> None:
    """413 when a request has more documents than the limit."""
    if count > limits.max_documents:
        raise ApiError(
            PAYLOAD_TOO_LARGE,
            f"the request has {count} documents; this server accepts at most "
            f"{limits.max_documents} documents per request (--max-documents)",
        )


def check_token_counts(counts: Sequence[int], batch: bool, limits: ServingLimits) -> None:
    """413 when a document (``"text"``, or ``"texts"[i]`` when ``batch``) or the whole request has
    more tokens than the limits."""
    for index, count in enumerate(counts):
        if count > limits.max_document_tokens:
            where = f'"texts"[{index}]' if batch else '"text"'
            raise ApiError(
                PAYLOAD_TOO_LARGE,
                f"{where} has {count} tokens; this server accepts at most "
                f"{limits.max_document_tokens} tokens per document (--max-document-tokens)",
            )
    total = sum(counts)
    if total > limits.max_tokens:
        raise ApiError(
            PAYLOAD_TOO_LARGE,
            f"the request has {total} tokens; this server accepts at most {limits.max_tokens} "
            "tokens per request (--max-tokens)",
        )


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
    check_unicode(value, where)
    return value


def check_unicode(text: str, where: str) -> None:
    """422 when ``text`` holds a lone surrogate (a JSON ``\\ud800`` escape without its pair): it
    is no Unicode character, so no tokenizer or UTF-8 output can take it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        raise ApiError(
            UNPROCESSABLE,
            f"{where} is not valid Unicode: a lone surrogate \\u{code:04x} at character "
            f"{error.start} (a JSON \\u escape of a surrogate needs its pair)",
        ) from None


def _parse_int(digits: str) -> int:
    """An integer of the body, or 400 when it has more digits than Python converts (a
    ``ValueError`` of ``int`` otherwise, which is no fault of the server)."""
    limit = sys.get_int_max_str_digits()
    count = len(digits.lstrip("-"))
    if limit and count > limit:
        raise ApiError(
            BAD_REQUEST,
            f"the request body has a number of {count} digits; this server reads at most "
            f"{limit}",
        )
    return int(digits)


def _kind(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
