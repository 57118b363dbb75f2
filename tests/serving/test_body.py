"""Reading a body chunk by chunk, against the byte limit, from a bare ASGI request."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from starlette.requests import Request

from hmtl.serving.body import read_limited_body
from hmtl.serving.errors import ApiError
from hmtl.serving.limits import ServingLimits


def request_with(messages: list[dict[str, Any]], headers: list[tuple[bytes, bytes]]) -> Request:
    """A POST whose body arrives as ``messages``, one per ``receive()`` call."""
    pending = list(messages)

    async def receive() -> dict[str, Any]:
        return pending.pop(0)

    scope = {"type": "http", "method": "POST", "path": "/predict", "headers": headers}
    return Request(scope, receive)


def chunk(data: bytes, more: bool) -> dict[str, Any]:
    return {"type": "http.request", "body": data, "more_body": more}


def read(request: Request, max_body_bytes: int) -> bytes:
    limits = ServingLimits(max_body_bytes=max_body_bytes)
    return anyio.run(read_limited_body, request, limits)


def test_chunks_are_joined_up_to_the_limit() -> None:
    request = request_with([chunk(b"abc", True), chunk(b"de", False)], [])
    assert read(request, max_body_bytes=5) == b"abcde"


def test_a_body_longer_than_its_content_length_claims_is_still_stopped() -> None:
    # The header claims 3 bytes; the chunks bring 4 + 4 = 8, over the limit of 6 at the second.
    request = request_with(
        [chunk(b"abcd", True), chunk(b"efgh", True), chunk(b"never read", False)],
        [(b"content-length", b"3")],
    )
    with pytest.raises(ApiError) as error:
        read(request, max_body_bytes=6)
    assert error.value.status == 413 and "6 bytes" in error.value.message


def test_a_client_that_disconnects_midway_is_a_400() -> None:
    request = request_with([chunk(b"abc", True), {"type": "http.disconnect"}], [])
    with pytest.raises(ApiError) as error:
        read(request, max_body_bytes=100)
    assert error.value.status == 400 and "disconnected" in error.value.message
