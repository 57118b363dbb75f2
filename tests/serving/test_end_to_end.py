"""Serving a real (tiny, one-epoch) trained model: the API and the page agree with each other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hmtl.predicting.predictor import Predictor, load_predictor
from hmtl.serving.app import create_app
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
