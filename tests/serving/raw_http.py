"""Raw HTTP/1.1 over a socket: what a client receives for bytes no HTTP library would send."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def exchange(base_url: str, request: bytes, timeout_s: float = 10.0) -> RawResponse:
    """Send ``request`` as it is and read one response (by its Content-Length, or to the close
    of the connection)."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout_s) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError(f"the connection closed before a response: {received!r}")
            received += chunk
        head, body = received.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        length = int(headers["content-length"]) if "content-length" in headers else None
        while length is None or len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return RawResponse(int(status_line.split()[1]), headers, body)


def post(path: str, body: bytes, extra_headers: bytes = b"") -> bytes:
    """A POST of ``body`` with its true Content-Length (unless ``extra_headers`` brings one)."""
    length = b"" if b"content-length" in extra_headers.lower() else (
        b"Content-Length: %d\r\n" % len(body))
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\n" + length + extra_headers + b"\r\n" + body)
