"""Starlette's test client for an app, answering server errors as responses."""

from __future__ import annotations

import warnings

from starlette.applications import Starlette

with warnings.catch_warnings():
    # Starlette 1.x asks for the httpx2 fork; the pinned httpx 0.28 serves its test client as well.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def client_of(app: Starlette) -> TestClient:
    """A client whose requests see the 500 answers instead of the server's exceptions."""
    return TestClient(app, raise_server_exceptions=False)
