"""The HTTP layer of ``hmtl serve``: uvicorn's h11 protocol, answering malformed HTTP in JSON.

A request that is not valid HTTP/1.1 (a malformed or conflicting ``Content-Length``, a bad request
line or header, headers past h11's size limit) never reaches the app: h11 refuses it while
parsing, and uvicorn answers a plain-text 400 "Invalid HTTP request received." itself.
``JsonErrorsH11Protocol`` answers the same requests with the API's error shape instead,
``{"error": "malformed HTTP request: <what h11 found>"}``, with h11's status when it is a 4xx
(431 for headers too large) and 400 otherwise (h11 suggests 501 for an unknown Transfer-Encoding,
but it is the client's error), and closes the connection as uvicorn does.

``UVICORN_OPTIONS`` also turns WebSocket upgrades off: the API has none, and with a WebSocket
library installed uvicorn would hand ``Upgrade: websocket`` requests to it, whose refusals are
not JSON. Such a request is then served as the plain HTTP request it also is.

The protocol class is uvicorn's (pinned in requirements.txt); ``tests/serving/test_protocol.py``
sends raw bytes to a real server, so an upgrade that changes how uvicorn refuses a request fails
there.
"""

from __future__ import annotations

import http
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_DETAIL_CHARS = 200


class _RecordingConnection(h11.Connection):
    """An h11 connection that keeps the last protocol error it raised (uvicorn catches it and
    keeps only a generic message)."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as error:
            self.last_error = error
            raise


class JsonErrorsH11Protocol(H11Protocol):
    """uvicorn's h11 protocol whose refusals of malformed requests are JSON."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        size = self.config.h11_max_incomplete_event_size
        self.conn = (
            _RecordingConnection(h11.SERVER)
            if size is None
            else _RecordingConnection(h11.SERVER, max_incomplete_event_size=size)
        )

    def send_400_response(self, msg: str) -> None:
        error = getattr(self.conn, "last_error", None)
        status = 400
        detail = msg
        if error is not None:
            detail = str(error) or msg
            if 400 <= error.error_status_hint < 500:
                status = error.error_status_hint
        if len(detail) > MAX_DETAIL_CHARS:
            detail = detail[:MAX_DETAIL_CHARS] + "..."
        body = json.dumps(
            {"error": f"malformed HTTP request: {detail}"}, separators=(",", ":")).encode("ascii")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
        ]
        reason = http.HTTPStatus(status).phrase.encode("ascii")
        self.transport.write(
            self.conn.send(h11.Response(status_code=status, headers=headers, reason=reason)))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


#: What ``hmtl serve`` (and the tests' live server) hands ``uvicorn.run`` / ``uvicorn.Config``.
UVICORN_OPTIONS: dict[str, Any] = {"http": JsonErrorsH11Protocol, "ws": "none"}
