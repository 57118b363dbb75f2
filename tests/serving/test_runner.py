"""One prediction at a time, and none for a request that gave up waiting."""

from __future__ import annotations

import time

import anyio
import pytest

from hmtl.serving.errors import ApiError
from hmtl.serving.limits import ServingLimits
from hmtl.serving.runner import PredictionRunner
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
