"""Serving a real (tiny, one-epoch) trained model: the API and the page agree with each other;
the limits count the model's tokens; a huge request does not hold the real model past its
deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hmtl.predicting.predictor import Predictor, load_predictor
from hmtl.serving.app import create_app
from hmtl.serving.limits import ServingLimits
from tests.predicting.runs import tiny_run
from tests.serving.chromium import headless_chromium
from tests.serving.client import client_of
from tests.serving.live_server import live_server
from tests.serving.page_checks import (
    DRAWN,
    assert_arcs_match,
    drawn_marks,
    expected_marks,
    submit,
)

pytestmark = pytest.mark.slow

TEXT = "Barack Obama visited Paris with his wife. She met the mayor of the city there."
TASKS = {"ner": "spans", "emd": "spans", "relation": "relations", "coref": "clusters"}


@pytest.fixture(scope="module")
def predictor(tmp_path_factory: pytest.TempPathFactory) -> Predictor:
    return load_predictor(tiny_run(tmp_path_factory))


def spans_of(prediction: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for task, kind in prediction["tasks"].items():
        if kind == "spans":
            yield from prediction[task]
        elif kind == "relations":
            for relation in prediction[task]:
                yield from (relation["arg1"], relation["arg2"])
        else:
            for cluster in prediction[task]:
                yield from cluster["mentions"]


def test_api_serves_the_real_predictor(predictor: Predictor) -> None:
    client = client_of(create_app(predictor, "tiny-run"))
    assert client.get("/health").json() == {"status": "ok", "model": "tiny-run", "tasks": TASKS}
    prediction = client.post("/predict", json={"text": TEXT}).json()
    assert client.get("/jmd", params={"text": TEXT}).json() == prediction
    assert prediction["tasks"] == TASKS and prediction["text"] == TEXT
    # The sentence has 15 words and 2 full stops: 17 tokens, in 2 sentences of 8 and 9.
    assert len(prediction["tokens"]) == 17
    assert prediction["sentences"] == [{"start": 0, "end": 8}, {"start": 8, "end": 17}]
    for token in prediction["tokens"]:
        assert TEXT[token["start"]:token["end"]] == token["text"]
    for span in spans_of(prediction):
        first, last = prediction["tokens"][span["start"]], prediction["tokens"][span["end"] - 1]
        assert (span["char_start"], span["char_end"]) == (first["start"], last["end"])
        assert TEXT[span["char_start"]:span["char_end"]] == span["text"]
    batch = client.post("/predict", json={"texts": [TEXT, "Paris ."]}).json()
    assert [document["id"] for document in batch] == [0, 1]
    assert batch[0] == prediction


def test_page_draws_the_real_predictions(predictor: Predictor, tmp_path: Path) -> None:
    with (
        live_server(create_app(predictor, "tiny-run")) as base_url,
        headless_chromium(tmp_path / "profile") as page,
    ):
        assert submit(page, base_url, TEXT) == "done"
        drawn = page.evaluate(DRAWN)
        prediction = httpx.post(base_url + "predict", json={"text": TEXT}).json()
        page.screenshot(tmp_path / "page.png")
    assert drawn["panels"] == list(TASKS)
    assert drawn_marks(drawn) == expected_marks(prediction)
    assert_arcs_match(drawn, prediction)


def test_tokens_are_counted_with_the_models_tokenizer(predictor: Predictor) -> None:
    # spaCy splits "Obama's wife." into Obama, 's, wife and "." (4 tokens; 2 at whitespace).
    client = client_of(create_app(predictor, "tiny-run", ServingLimits(max_document_tokens=3)))
    answer = client.post("/predict", json={"text": "Obama's wife."})
    assert answer.status_code == 413
    assert answer.json()["error"].startswith('"text" has 4 tokens; this server accepts at most 3')
    assert client.post("/predict", json={"text": "Obama's wife"}).status_code == 200


def test_a_lone_surrogate_is_422_not_a_tokenizer_failure(predictor: Predictor) -> None:
    client = client_of(create_app(predictor, "tiny-run"))
    answer = client.post("/predict", content=b'{"text": "ab \\ud800 cd"}')
    assert answer.status_code == 422
    assert "lone surrogate \\ud800 at character 3" in answer.json()["error"]
    # A surrogate pair (an emoji) is one character, and one token.
    answer = client.post("/predict", content=b'{"text": "ab \\ud83d\\ude00 cd"}')
    assert answer.status_code == 200
    assert [token["text"] for token in answer.json()["tokens"]] == ["ab", "\U0001F600", "cd"]


def test_the_19999_document_request_with_the_real_model(predictor: Predictor) -> None:
    # Limits raised so that the request is accepted; a normal request right behind it is answered
    # within the deadline plus one batch, and the big one's work stops at its deadline.
    timeout_s = 10.0  # generous: tokenizing 19,999 texts takes 1.6 s on an idle 2-core machine
    batch_s = 0.0  # the longest of three batches of 8 "a" documents, the big request's batches
    for _ in range(3):
        started = time.monotonic()
        list(predictor.predict_documents(predictor.tokenize_texts(["a"] * 8)))
        batch_s = max(batch_s, time.monotonic() - started)
    limits = ServingLimits(timeout_s=timeout_s, max_documents=20_000, max_tokens=20_000)
    app = create_app(predictor, "tiny-run", limits)
    runner = app.state.runner
    answers: dict[str, tuple[httpx.Response, float]] = {}

    def send(name: str, body: dict) -> None:
        started = time.monotonic()
        response = httpx.post(base_url + "predict", json=body, timeout=60)
        answers[name] = (response, time.monotonic() - started)

    with live_server(app) as base_url:
        big = threading.Thread(target=send, args=("big", {"texts": ["a"] * 19999}))
        big.start()
        waited = time.monotonic()
        while runner.predicted_batches < 2:
            assert time.monotonic() - waited < 60, "the big request never started predicting"
            time.sleep(0.01)
        send("normal", {"text": TEXT})
        big.join(timeout=60)
        time.sleep(0.5)
        stopped_at = runner.predicted_batches
        time.sleep(1.0)
        assert runner.predicted_batches == stopped_at
    normal, normal_s = answers["normal"]
    assert normal.status_code == 200 and normal.json()["text"] == TEXT
    assert normal_s < timeout_s + batch_s
    assert answers["big"][0].status_code == 503
    # 19,999 documents are 2,500 batches of 8; the deadline cut them short.
    assert stopped_at < 19999 / 8
