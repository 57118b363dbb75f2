"""Running the predictor for a request: one prediction at a time, in a worker thread, with a
deadline.

One model serves every request, and a model's forward pass is not known to be safe to run from
several threads at once, so predictions are serialised by a lock. They run in a worker thread so
that the event loop keeps answering (``/health``, refusals) while the model works. A request that
passes its deadline, whether waiting for the lock or predicting, is answered 503 at once; its
thread is abandoned, and if it had not started predicting yet it never does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

import anyio
import anyio.to_thread

from hmtl.serving.errors import ApiError

SERVICE_UNAVAILABLE = 503
INTERNAL_ERROR = 500
_NOT_RUN: Any = object()


class Predictor(Protocol):
    """What the server needs of a predictor (``hmtl.predicting``'s, or a test's stand-in)."""

    @property
    def tasks(self) -> Mapping[str, str]:
        """Task name -> kind (``spans``, ``relations``, ``clusters``) of the model's heads."""
        ...

    def predict_texts(self, texts: list[str]) -> list[dict[str, Any]]:
        """One prediction object (the JSON contract) per text."""
        ...


class PredictionRunner:
    """Serialised, deadline-bound calls of ``predictor.predict_texts``."""

    def __init__(self, predictor: Predictor, timeout_s: float) -> None:
        self.predictor = predictor
        self.timeout_s = timeout_s
        self._lock = threading.Lock()

    async def predict(self, texts: list[str]) -> list[dict[str, Any]]:
        """The predictions of ``texts``; 503 past the deadline, 500 when the predictor returns
        something other than one object per text (its exceptions propagate)."""
        deadline = time.monotonic() + self.timeout_s
        abandoned = threading.Event()

        def work() -> Any:
            if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                return _NOT_RUN
            try:
                if abandoned.is_set():
                    return _NOT_RUN
                return self.predictor.predict_texts(texts)
            finally:
                self._lock.release()

        result = _NOT_RUN
        with anyio.move_on_after(self.timeout_s):
            try:
                result = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
            finally:
                if result is _NOT_RUN:
                    abandoned.set()
        if result is _NOT_RUN:
            raise ApiError(
                SERVICE_UNAVAILABLE,
                f"the prediction did not finish within {self.timeout_s:g} s (--timeout); the "
                "model may be busy with other requests, try again later or with a shorter text",
            )
        if not isinstance(result, list) or len(result) != len(texts):
            raise ApiError(
                INTERNAL_ERROR,
                f"internal error: the predictor returned {type(result).__name__} for "
                f"{len(texts)} text(s)",
            )
        return result
