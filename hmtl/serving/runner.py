"""Running the predictor for a request: in batches, one batch at a time, in worker threads, with a
deadline.

One model serves every request, and a model's forward pass is not known to be safe to run from
several threads at once, so batches are serialised by a lock. They run in worker threads so that
the event loop keeps answering (``/health``, refusals) while the model works.

A request is tokenized first (``tokenize``: the server refuses one over its token limits before
any prediction), then predicted in batches of a few documents (``predict``). The model lock (and
the tokenizer's) is taken per batch and handed out first come, first served, so requests take
turns batch by batch: a short request behind a long one waits for one batch, not for the whole
long one. The deadline is checked between batches: a request past it is answered 503 at once,
and its thread stops before its next batch, so it holds the model for at most one batch past its
deadline.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import anyio
import anyio.to_thread

from hmtl.predicting.document import Document
from hmtl.serving.errors import INTERNAL_ERROR, ApiError
from hmtl.serving.limits import ServingLimits

SERVICE_UNAVAILABLE = 503
_NOT_RUN: Any = object()


class Predictor(Protocol):
    """What the server needs of a predictor (``hmtl.predicting``'s, or a test's stand-in)."""

    @property
    def tasks(self) -> Mapping[str, str]:
        """Task name -> kind (``spans``, ``relations``, ``clusters``) of the model's heads."""
        ...

    def tokenize_texts(
        self, texts: Sequence[str], ids: Sequence[Any] | None = None
    ) -> list[Document]:
        """The documents (tokens, sentences) of raw texts, ids 0, 1, ... by default. May run
        while ``predict_documents`` runs in another thread."""
        ...

    def predict_documents(self, documents: Iterable[Document]) -> Iterator[dict[str, Any]]:
        """One prediction object (the JSON contract), of the document's id, per document."""
        ...


class FifoLock:
    """A lock granted in the order it was asked for (``threading.Lock`` favours no one, and a
    thread that releases it and asks again at once usually gets it back)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the lock; whether it was granted."""
        ticket = object()
        with self._condition:
            self._queue.append(ticket)
            granted = self._condition.wait_for(
                lambda: not self._held and self._queue[0] is ticket, max(0.0, timeout))
            self._queue.remove(ticket)
            if granted:
                self._held = True
            else:
                self._condition.notify_all()  # the next in line may be free to go now
            return granted

    def release(self) -> None:
        with self._condition:
            self._held = False
            self._condition.notify_all()


def batches(documents: Sequence[Document], limits: ServingLimits) -> Iterator[list[Document]]:
    """Consecutive runs of at most ``batch_documents`` documents and ``batch_tokens`` tokens; a
    document longer than ``batch_tokens`` is a batch of its own."""
    batch: list[Document] = []
    tokens = 0
    for document in documents:
        size = len(document.tokens)
        if batch and (len(batch) == limits.batch_documents or tokens + size > limits.batch_tokens):
            yield batch
            batch, tokens = [], 0
        batch.append(document)
        tokens += size
    if batch:
        yield batch


class PredictionRunner:
    """Deadline-bound, batch-serialised calls of the predictor. ``predicted_batches`` counts the
    batches the model finished, for tests and logs."""

    def __init__(self, predictor: Predictor, limits: ServingLimits) -> None:
        self.predictor = predictor
        self.limits = limits
        self.predicted_batches = 0
        self._model_lock = FifoLock()
        self._tokenizer_lock = FifoLock()

    def deadline(self) -> float:
        """The ``time.monotonic()`` deadline of a request starting now."""
        return time.monotonic() + self.limits.timeout_s

    async def tokenize(self, texts: list[str], deadline: float) -> list[Document]:
        """The predictor's documents of ``texts`` (ids: the index in ``texts``); 503 past the
        deadline. Texts are tokenized ``batch_documents`` at a time, taking turns with other
        requests as predictions do, so thousands of short texts do not hold up the next request's
        tokenizing either."""
        step = self.limits.batch_documents

        def work(stop: threading.Event) -> Any:
            documents: list[Document] = []
            for first in range(0, len(texts), step):
                if not self._tokenizer_lock.acquire(deadline - time.monotonic()):
                    return _NOT_RUN
                try:
                    if stop.is_set() or time.monotonic() >= deadline:
                        return _NOT_RUN
                    chunk = texts[first:first + step]
                    documents.extend(self.predictor.tokenize_texts(
                        chunk, list(range(first, first + len(chunk)))))
                finally:
                    self._tokenizer_lock.release()
            return documents

        return await self._in_thread(work, deadline)

    async def predict(self, documents: list[Document], deadline: float) -> list[dict[str, Any]]:
        """The predictions of ``documents``; 503 past the deadline, 500 when the predictor
        returns something other than one object per document (its exceptions propagate)."""

        def work(stop: threading.Event) -> Any:
            results: list[dict[str, Any]] = []
            for batch in batches(documents, self.limits):
                if not self._model_lock.acquire(deadline - time.monotonic()):
                    return _NOT_RUN
                try:
                    if stop.is_set() or time.monotonic() >= deadline:
                        return _NOT_RUN
                    results.extend(self.predictor.predict_documents(batch))
                    self.predicted_batches += 1
                finally:
                    self._model_lock.release()
            return results

        result = await self._in_thread(work, deadline)
        if len(result) != len(documents):
            raise ApiError(
                INTERNAL_ERROR,
                f"internal error: the predictor returned {len(result)} object(s) for "
                f"{len(documents)} text(s)",
            )
        return result

    async def _in_thread(self, work: Callable[[threading.Event], Any], deadline: float) -> Any:
        """``work(stop)`` in a worker thread; 503 when it has not returned by the deadline (or
        returned ``_NOT_RUN``), and then ``stop`` is set, so that the thread, which cannot be
        killed, stops at its next check."""
        stop = threading.Event()
        result = _NOT_RUN
        with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
            try:
                result = await anyio.to_thread.run_sync(work, stop, abandon_on_cancel=True)
            finally:
                if result is _NOT_RUN:
                    stop.set()
        if result is _NOT_RUN:
            raise ApiError(
                SERVICE_UNAVAILABLE,
                f"the prediction did not finish within {self.limits.timeout_s:g} s (--timeout); "
                "the model may be busy with other requests, try again later or with a shorter "
                "text",
            )
        return result
