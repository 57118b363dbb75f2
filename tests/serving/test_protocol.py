"""What a client receives from a real uvicorn server, configured as ``hmtl serve`` configures it,
for requests that are not valid HTTP, or are valid HTTP with hostile JSON: raw bytes over a
socket, since no HTTP library sends such requests."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from hmtl.serving.app import create_app
from tests.serving.fake_predictor import FakePredictor
from tests.serving.live_server import live_server
from tests.serving.raw_http import RawResponse, exchange, post

HEALTH = b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server(create_app(FakePredictor(tasks={"ner": "spans"}), "tiny")) as base_url:
        yield base_url


def assert_json_error(response: RawResponse, status: int, *fragments: str) -> None:
    assert response.status == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    for fragment in fragments:
        assert fragment in error


@pytest.mark.parametrize(
    ("request_bytes", "status", "fragments"),
    [
        (post("/predict", b"{}", b"Content-Length: two\r\n"), 400, ("bad Content-Length",)),
        (post("/predict", b"{}", b"Content-Length: -2\r\n"), 400, ("bad Content-Length",)),
        (post("/predict", b"{}", b"Content-Length: 2\r\nContent-Length: 3\r\n"), 400,
         ("conflicting Content-Length headers",)),
        (post("/predict", b"{}", b"Transfer-Encoding: gzip\r\n"), 400,
         ("Only Transfer-Encoding: chunked is supported",)),
        (b"POST /predict HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"zz\r\n{}\r\n0\r\n\r\n", 400, ("illegal chunk header",)),
        (b"NOT HTTP\r\n\r\n", 400, ("illegal request line",)),
        (b"GET /health HTTP/1.1\r\n\r\n", 400, ("Missing mandatory Host: header",)),
    ],
)
def test_malformed_http_is_a_json_4xx(
    server: str, request_bytes: bytes, status: int, fragments: tuple[str, ...]
) -> None:
    response = exchange(server, request_bytes)
    assert_json_error(response, status, "malformed HTTP request: ", *fragments)
    assert response.headers["connection"] == "close"
    # The server goes on serving.
    assert exchange(server, HEALTH).status == 200


def test_headers_past_the_size_limit_are_a_json_431(server: str) -> None:
    # 70 KB of one header, not yet finished: h11 refuses it past 16 KB without waiting for more.
    unfinished = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 70_000
    response = exchange(server, unfinished)
    assert_json_error(response, 431, "malformed HTTP request: Receive buffer too long")


def test_a_content_length_repeated_with_one_value_is_one_content_length(server: str) -> None:
    # HTTP allows a repeated header of identical values (h11 merges them): the body is read.
    for header in (b"Content-Length: 2\r\nContent-Length: 2\r\n", b"Content-Length: 2, 2\r\n"):
        response = exchange(server, post("/predict", b"{}", header))
        assert_json_error(response, 422, '"text" (one string) or "texts"')


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b'{"text": "ab \\ud800 cd"}', 422, "lone surrogate \\ud800 at character 3"),
        (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, "nested too deeply"),
        (b'{"text": ' + b"1" * 5000 + b"}", 400, "a number of 5000 digits"),
        (b'{"text": "a"', 400, "not valid JSON"),
    ],
)
def test_hostile_json_is_a_json_4xx(server: str, body: bytes, status: int, fragment: str) -> None:
    assert_json_error(exchange(server, post("/predict", body)), status, fragment)


def test_a_websocket_upgrade_is_served_as_plain_http(server: str) -> None:
    response = exchange(
        server,
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    assert response.status == 200
    assert response.json() == {"status": "ok", "model": "tiny", "tasks": {"ner": "spans"}}


def test_the_live_server_stops_and_frees_its_port() -> None:
    with live_server(create_app(FakePredictor(), "tiny")) as base_url:
        assert exchange(base_url, HEALTH).status == 200
    port = int(base_url.rstrip("/").rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
