"""One batch at a time, first come first served, and no work for a request past its deadline."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from hmtl.predicting.document import Document
from hmtl.serving.errors import ApiError
from hmtl.serving.limits import ServingLimits
from hmtl.serving.runner import FifoLock, PredictionRunner, batches
from tests.serving.fake_predictor import FakePredictor


def runner_for(predictor: FakePredictor, timeout_s: float) -> PredictionRunner:
    return PredictionRunner(predictor, ServingLimits(timeout_s=timeout_s))


async def predict(runner: PredictionRunner, texts: list[str]) -> list[dict]:
    deadline = runner.deadline()
    return await runner.predict(await runner.tokenize(texts, deadline), deadline)


def test_concurrent_requests_are_served_one_at_a_time() -> None:
    predictor = FakePredictor(delay_s=0.05)
    runner = runner_for(predictor, timeout_s=5.0)
    results: dict[str, list] = {}

    async def request(text: str) -> None:
        results[text] = await predict(runner, [text])

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for text in ("a", "b c", "d e f"):
                group.start_soon(request, text)

    anyio.run(main)
    assert predictor.max_concurrent == 1
    assert sorted(call[0] for call in predictor.calls) == ["a", "b c", "d e f"]
    assert [len(results[text][0]["tokens"]) for text in ("a", "b c", "d e f")] == [1, 2, 3]


def test_a_request_past_its_deadline_never_starts_predicting() -> None:
    # The first request holds the model for 0.6 s; the second gives up after 0.2 s of waiting.
    predictor = FakePredictor(delay_s=0.6)
    runner = runner_for(predictor, timeout_s=0.2)
    errors: list[ApiError] = []

    async def request(text: str) -> None:
        try:
            await predict(runner, [text])
        except ApiError as error:
            errors.append(error)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(request, "first")
            await anyio.sleep(0.05)
            group.start_soon(request, "second")

    started = time.monotonic()
    anyio.run(main)
    assert time.monotonic() - started < 0.5  # both answered 503 before the model finished
    assert [error.status for error in errors] == [503, 503]
    time.sleep(0.7)  # the first prediction ends; the second must not start after it
    assert predictor.calls == [["first"]]


def test_the_lock_is_released_after_a_failure() -> None:
    predictor = FakePredictor(error=ValueError("boom"))
    runner = runner_for(predictor, timeout_s=1.0)
    for _ in range(2):
        with pytest.raises(ValueError, match="boom"):
            anyio.run(predict, runner, ["a"])
    assert len(predictor.calls) == 2


def documents_of(counts: list[int]) -> list[Document]:
    """Documents of ``counts[i]`` one-letter tokens each."""
    return FakePredictor().tokenize_texts([" ".join("x" * count) for count in counts])


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # 3 documents a batch at most: 7 documents are 3 + 3 + 1.
        ([1] * 7, [[0, 1, 2], [3, 4, 5], [6]]),
        # 10 tokens a batch at most: 4 + 5 fit, 4 + 5 + 2 would not.
        ([4, 5, 2, 8, 1, 1], [[0, 1], [2, 3], [4, 5]]),
        # A document longer than a batch's tokens is a batch of its own.
        ([1, 25, 1], [[0], [1], [2]]),
        ([], []),
    ],
)
def test_batches_are_bounded_by_documents_and_tokens(
    counts: list[int], expected: list[list[int]]
) -> None:
    limits = ServingLimits(batch_documents=3, batch_tokens=10)
    grouped = [[document.id for document in batch]
               for batch in batches(documents_of(counts), limits)]
    assert grouped == expected


def test_the_model_lock_is_granted_in_the_order_asked() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1.0)
    granted: list[str] = []

    def take(name: str) -> None:
        assert lock.acquire(timeout=5.0)
        granted.append(name)
        lock.release()

    threads = [threading.Thread(target=take, args=(name,)) for name in "abcde"]
    for thread in threads:
        thread.start()
        time.sleep(0.02)  # each one queued before the next asks
    lock.release()
    for thread in threads:
        thread.join(timeout=5)
    assert granted == list("abcde")


def test_a_lock_not_granted_in_time_gives_way_to_the_next() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1.0)
    assert not lock.acquire(timeout=0.05)  # gave up; must not stay in the queue
    lock.release()
    assert lock.acquire(timeout=0.05)


def test_work_past_the_deadline_stops_at_the_next_batch() -> None:
    # 40 one-document batches of 0.05 s: 2 s of work; the deadline is 0.3 s.
    predictor = FakePredictor(delay_s=0.05)
    runner = PredictionRunner(predictor, ServingLimits(timeout_s=0.3, batch_documents=1))
    started = time.monotonic()
    with pytest.raises(ApiError) as error:
        anyio.run(predict, runner, ["a"] * 40)
    assert error.value.status == 503
    assert time.monotonic() - started < 0.3 + 0.5
    time.sleep(0.2)  # the batch under way at the deadline ends
    done = len(predictor.calls)
    time.sleep(0.3)
    assert len(predictor.calls) == done  # nothing more was started
    # At most the batches that fit in 0.3 s, and the one under way: 0.3 / 0.05 + 1 = 7.
    assert 1 <= done <= 7


def test_a_short_request_behind_a_long_one_waits_for_one_batch() -> None:
    # The long request has 20 batches of 0.1 s (2 s); the short one comes 0.25 s later.
    predictor = FakePredictor(delay_s=0.1)
    runner = PredictionRunner(predictor, ServingLimits(timeout_s=5.0, batch_documents=1))
    took: dict[str, float] = {}
    finished: list[str] = []

    async def request(name: str, texts: list[str]) -> None:
        started = time.monotonic()
        await predict(runner, texts)
        took[name] = time.monotonic() - started
        finished.append(name)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(request, "long", ["a"] * 20)
            await anyio.sleep(0.25)
            group.start_soon(request, "short", ["b"])

    anyio.run(main)
    # The short one waits for the long one's batch under way, then runs its own: 2 batches.
    assert took["short"] < 2 * 0.1 + 0.3
    assert finished == ["short", "long"] and took["long"] >= 2.0
    assert predictor.max_concurrent == 1


class SlowTokenizer(FakePredictor):
    """Tokenizing takes 0.05 s per call (one call per batch of texts)."""

    def tokenize_texts(self, texts, ids=None):  # type: ignore[no-untyped-def]
        time.sleep(0.05)
        return super().tokenize_texts(texts, ids)


def test_tokenizing_takes_turns_and_stops_at_the_deadline() -> None:
    # The long request has 40 batches of texts to tokenize (2 s); the short one comes 0.2 s later
    # and waits for one of them, not for all.
    predictor = SlowTokenizer()
    runner = PredictionRunner(predictor, ServingLimits(timeout_s=1.0, batch_documents=1))
    took: dict[str, float] = {}
    errors: list[int] = []

    async def request(name: str, texts: list[str]) -> None:
        started = time.monotonic()
        try:
            documents = await runner.tokenize(texts, runner.deadline())
            assert [document.id for document in documents] == list(range(len(texts)))
        except ApiError as error:
            errors.append(error.status)
        took[name] = time.monotonic() - started

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(request, "long", ["a"] * 40)
            await anyio.sleep(0.2)
            group.start_soon(request, "short", ["b c"])

    anyio.run(main)
    assert took["short"] < 2 * 0.05 + 0.3
    assert errors == [503] and took["long"] < 1.0 + 0.5
