"""The API's answers, through Starlette's test client, with a fake predictor."""

from __future__ import annotations

import json
import sys
import threading
import time

import httpx
import pytest
from starlette.routing import Route

from hmtl.serving.app import create_app
from hmtl.serving.limits import ServingLimits
from tests.serving.client import TestClient, client_of
from tests.serving.fake_predictor import OBAMA, FakePredictor
from tests.serving.live_server import live_server


def client_for(predictor: FakePredictor, **limits: float) -> TestClient:
    return client_of(create_app(predictor, "runs/tiny", ServingLimits(**limits)))


def assert_json_error(response, status: int, *fragments: str) -> str:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    for fragment in fragments:
        assert fragment in body["error"]
    assert "Traceback" not in response.text
    return body["error"]


def test_predict_one_text_answers_the_predictors_object() -> None:
    predictor = FakePredictor()
    response = client_for(predictor).post("/predict", json={"text": OBAMA["text"]})
    assert response.status_code == 200
    assert response.json() == OBAMA
    assert predictor.calls == [[OBAMA["text"]]]


def test_predict_texts_answers_a_list_with_ids_by_index() -> None:
    predictor = FakePredictor()
    response = client_for(predictor).post("/predict", json={"texts": ["a b", OBAMA["text"]]})
    assert response.status_code == 200
    first, second = response.json()
    assert (first["id"], second["id"]) == (0, 1)
    assert first["tokens"] == [
        {"text": "a", "start": 0, "end": 1},
        {"text": "b", "start": 2, "end": 3},
    ]
    assert second["coref"] == OBAMA["coref"]
    assert predictor.calls == [["a b", OBAMA["text"]]]


def test_predict_empty_list_and_empty_text() -> None:
    client = client_for(FakePredictor())
    assert client.post("/predict", json={"texts": []}).json() == []
    empty = client.post("/predict", json={"text": ""}).json()
    assert (empty["tokens"], empty["sentences"], empty["ner"]) == ([], [], [])


def test_jmd_answers_the_same_object_as_predict() -> None:
    client = client_for(FakePredictor())
    response = client.get("/jmd", params={"text": OBAMA["text"]})
    assert response.status_code == 200
    assert response.json() == client.post("/predict", json={"text": OBAMA["text"]}).json()


def test_jmd_without_text_or_with_two() -> None:
    client = client_for(FakePredictor())
    assert_json_error(client.get("/jmd"), 422, "text=", "got 0")
    assert_json_error(client.get("/jmd?text=a&text=b"), 422, "got 2")


def test_health_reports_model_and_tasks() -> None:
    predictor = FakePredictor(tasks={"ner": "spans", "coref": "clusters"})
    response = client_for(predictor).get("/health")
    assert response.json() == {
        "status": "ok",
        "model": "runs/tiny",
        "tasks": {"ner": "spans", "coref": "clusters"},
    }


def test_a_model_without_some_heads_has_no_keys_for_them() -> None:
    predictor = FakePredictor(tasks={"ner": "spans", "coref": "clusters"})
    body = client_for(predictor).post("/predict", json={"text": OBAMA["text"]}).json()
    assert body["tasks"] == {"ner": "spans", "coref": "clusters"}
    assert "emd" not in body and "relation" not in body
    assert body["ner"] == OBAMA["ner"]


def test_text_over_the_character_limit_is_413() -> None:
    client = client_for(FakePredictor(), max_text_chars=10)
    # 11 characters: one over; the message names the length, the limit and the flag.
    response = client.post("/predict", json={"text": "x" * 11})
    assert_json_error(response, 413, "11 characters", "at most 10", "--max-text-chars")
    assert client.post("/predict", json={"text": "x" * 10}).status_code == 200
    # The limit counts all texts of a request: 6 + 5 = 11.
    assert_json_error(client.post("/predict", json={"texts": ["x" * 6, "y" * 5]}), 413, "11")
    assert_json_error(client.get("/jmd", params={"text": "x" * 11}), 413, "--max-text-chars")


def test_body_over_the_byte_limit_is_413_by_content_length() -> None:
    predictor = FakePredictor()
    client = client_for(predictor, max_body_bytes=20)
    body = json.dumps({"text": "x" * 20})  # 12 bytes of JSON around 20 characters: 32 bytes
    assert len(body.encode()) == 32
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert_json_error(response, 413, "20 bytes", "--max-body-bytes")
    assert predictor.calls == []


def test_body_over_the_byte_limit_is_413_without_content_length() -> None:
    # A streamed (chunked) body has no Content-Length: the size is counted while reading.
    chunks = [b'{"text": "', b"x" * 15, b'"}']  # 10 + 15 + 2 = 27 bytes
    client = client_for(FakePredictor(), max_body_bytes=20)
    response = client.post("/predict", content=iter(chunks))
    assert "content-length" not in response.request.headers
    assert_json_error(response, 413, "--max-body-bytes")
    # The same body in chunks under a limit of 27 bytes is accepted.
    ok = client_for(FakePredictor(), max_body_bytes=27).post("/predict", content=iter(chunks))
    assert ok.status_code == 200
    assert ok.json()["tokens"] == [{"text": "x" * 15, "start": 0, "end": 15}]


def test_bad_content_length_is_400() -> None:
    client = client_for(FakePredictor())
    response = client.post("/predict", content=b"{}", headers={"content-length": "two"})
    assert_json_error(response, 400, "Content-Length")


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (b'{"text": "unfinished', ("not valid JSON", "line 1 column 10")),
        (b"", ("not valid JSON",)),
        (b"\xff\xfe", ("not UTF-8",)),
    ],
)
def test_bad_json_is_400(body: bytes, fragments: tuple[str, ...]) -> None:
    response = client_for(FakePredictor()).post("/predict", content=body)
    assert_json_error(response, 400, *fragments)


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ({}, ('"text"', '"texts"')),
        ({"txt": "a"}, ("unknown key(s) txt",)),
        ({"text": "a", "texts": ["b"]}, ('"text" (one string) or "texts"',)),
        ({"text": 3}, ('"text" must be a string, got a number',)),
        ({"text": None}, ('"text" must be a string, got null',)),
        ({"text": ["a"]}, ('"text" must be a string, got a list',)),
        ({"texts": "a"}, ('"texts" must be a list of strings, got a string',)),
        ({"texts": ["a", True]}, ('"texts"[1] must be a string, got a boolean',)),
        (["a"], ("expected a JSON object", "got a list")),
    ],
)
def test_missing_or_wrong_typed_text_is_422(body: object, fragments: tuple[str, ...]) -> None:
    predictor = FakePredictor()
    response = client_for(predictor).post("/predict", json=body)
    assert_json_error(response, 422, *fragments)
    assert predictor.calls == []


def test_slow_prediction_is_503_after_the_timeout() -> None:
    client = client_for(FakePredictor(delay_s=1.0), timeout_s=0.2)
    response = client.post("/predict", json={"text": "a"})
    assert_json_error(response, 503, "0.2 s", "--timeout")
    assert_json_error(client.get("/jmd", params={"text": "a"}), 503, "--timeout")


def test_predictor_exception_is_500_json_without_traceback(caplog) -> None:
    predictor = FakePredictor(error=RuntimeError("secret detail of the model"))
    response = client_for(predictor).post("/predict", json={"text": "a"})
    message = assert_json_error(response, 500, "internal error", "RuntimeError")
    assert "secret detail" not in message
    # The traceback goes to the server log.
    assert "secret detail of the model" in caplog.text
    assert "Traceback" in caplog.text


def test_predictor_answering_the_wrong_number_of_objects_is_500() -> None:
    predictor = FakePredictor()
    predictor.predict_documents = lambda documents: iter([])  # type: ignore[method-assign]
    response = client_for(predictor).post("/predict", json={"text": "a"})
    assert_json_error(response, 500, "internal error", "0 object(s) for 1 text(s)")


def test_unknown_path_and_wrong_method_are_json() -> None:
    client = client_for(FakePredictor())
    assert_json_error(client.get("/nowhere"), 404, "Not Found", "/nowhere")
    assert_json_error(client.get("/predict"), 405, "Method Not Allowed")
    assert_json_error(client.get("/static/missing.js"), 404, "Not Found")


def test_page_and_its_static_files() -> None:
    client = client_for(FakePredictor())
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for path in ("static/hmtl.js", "static/hmtl.css"):
        assert f'"{path}"' in page.text
        assert client.get("/" + path).status_code == 200


def test_the_19999_document_request_is_refused_at_once_by_default() -> None:
    # {"texts": ["a"] * 19999}: 19,999 characters and about 100 KB, under both of those limits.
    predictor = FakePredictor()
    client = client_for(predictor)
    started = time.monotonic()
    response = client.post("/predict", json={"texts": ["a"] * 19999})
    assert time.monotonic() - started < 2.0
    assert_json_error(response, 413, "19999 documents", "at most 100 documents", "--max-documents")
    assert predictor.calls == []


def test_documents_over_the_limit_are_413() -> None:
    client = client_for(FakePredictor(), max_documents=3)
    assert client.post("/predict", json={"texts": ["a", "b", "c"]}).status_code == 200
    assert_json_error(client.post("/predict", json={"texts": ["a"] * 4}), 413, "4 documents",
                      "at most 3 documents per request", "--max-documents")


def test_tokens_over_the_limits_are_413_before_any_prediction() -> None:
    # The stand-in's tokens are whitespace-separated words.
    predictor = FakePredictor()
    client = client_for(predictor, max_tokens=5, max_document_tokens=3)
    # Documents of 3 and 2 tokens: 5 in all, both limits met.
    assert client.post("/predict", json={"texts": ["a b c", "d e"]}).status_code == 200
    # The second document has 4 tokens, one over 3 per document.
    response = client.post("/predict", json={"texts": ["a", "b c d e"]})
    assert_json_error(response, 413, '"texts"[1] has 4 tokens', "at most 3 tokens per document",
                      "--max-document-tokens")
    response = client.post("/predict", json={"text": "b c d e"})
    assert_json_error(response, 413, '"text" has 4 tokens', "--max-document-tokens")
    assert_json_error(client.get("/jmd", params={"text": "b c d e"}), 413, '"text" has 4')
    # 3 + 3 = 6 tokens, one over 5 per request.
    response = client.post("/predict", json={"texts": ["a b c", "d e f"]})
    assert_json_error(response, 413, "6 tokens", "at most 5 tokens per request", "--max-tokens")
    assert predictor.calls == [["a b c", "d e"]]


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        # The JSON escape of a lone (high) surrogate: valid JSON, no Unicode text.
        (b'{"text": "ab \\ud800 cd"}', ('"text"', "lone surrogate \\ud800 at character 3")),
        (b'{"texts": ["ok", "\\udfff"]}', ('"texts"[1]', "lone surrogate \\udfff at character 0")),
    ],
)
def test_a_lone_surrogate_is_422(body: bytes, fragments: tuple[str, ...]) -> None:
    predictor = FakePredictor()
    response = client_for(predictor).post("/predict", content=body)
    assert_json_error(response, 422, "not valid Unicode", *fragments)
    assert predictor.calls == []


def test_a_surrogate_pair_is_one_character() -> None:
    # \ud83d\ude00 is the pair of U+1F600 (an emoji): a text like any other.
    response = client_for(FakePredictor()).post(
        "/predict", content=b'{"text": "ab \\ud83d\\ude00 cd"}')
    assert response.status_code == 200
    assert [token["text"] for token in response.json()["tokens"]] == ["ab", "\U0001F600", "cd"]


def test_a_message_quoting_a_lone_surrogate_is_still_json() -> None:
    response = client_for(FakePredictor()).post("/predict", content=b'{"\\ud800": "a"}')
    assert_json_error(response, 422, "unknown key(s) \\ud800")


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_json_nested_too_deeply_is_400(depth: int) -> None:
    body = b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
    response = client_for(FakePredictor()).post("/predict", content=body)
    assert_json_error(response, 400, "nested too deeply")


def test_json_nested_within_the_parsers_reach_is_a_shape_error() -> None:
    body = b'{"text": ' + b"[" * 100 + b"]" * 100 + b"}"
    response = client_for(FakePredictor()).post("/predict", content=body)
    assert_json_error(response, 422, '"text" must be a string, got a list')


@pytest.mark.parametrize(
    "number", [b"1" * 5000, b"-" + b"9" * 5000, b'["a", ' + b"7" * 5000 + b"]"])
def test_a_number_of_5000_digits_is_400(number: bytes) -> None:
    response = client_for(FakePredictor()).post("/predict", content=b'{"texts": ' + number + b"}")
    limit = sys.get_int_max_str_digits()
    assert_json_error(response, 400, "a number of 5000 digits", f"at most {limit}")


def test_an_error_outside_the_endpoints_is_a_json_500() -> None:
    def boom(request):
        raise RuntimeError("secret")

    app = create_app(FakePredictor(), "tiny")
    app.router.routes.append(Route("/boom", boom))
    response = client_of(app).get("/boom")
    message = assert_json_error(response, 500, "internal error (RuntimeError)")
    assert "secret" not in message


def test_the_19999_document_request_cannot_hold_the_model_past_its_deadline() -> None:
    # Limits raised so that the request is accepted. Each batch of the stand-in takes 0.05 s, and
    # batches hold 8 documents: 2,500 batches, 125 s of work without a deadline.
    timeout_s, batch_s = 2.0, 0.05
    predictor = FakePredictor(tasks={"ner": "spans"}, delay_s=batch_s)
    limits = ServingLimits(timeout_s=timeout_s, max_documents=20_000, max_tokens=20_000)
    app = create_app(predictor, "tiny", limits)
    runner = app.state.runner
    answers: dict[str, tuple[httpx.Response, float]] = {}

    def send(name: str, body: dict) -> None:
        started = time.monotonic()
        response = httpx.post(base_url + "predict", json=body, timeout=30)
        answers[name] = (response, time.monotonic() - started)

    with live_server(app) as base_url:
        big = threading.Thread(target=send, args=("big", {"texts": ["a"] * 19999}))
        big.start()
        waited = time.monotonic()
        while runner.predicted_batches < 2:  # the big request holds the model
            assert time.monotonic() - waited < 10, "the big request never started predicting"
            time.sleep(0.01)
        send("normal", {"text": "Barack Obama visited Paris ."})
        big.join(timeout=30)
        time.sleep(2 * batch_s)  # the big request's batch under way at its deadline ends
        stopped_at = runner.predicted_batches
        time.sleep(0.5)
        assert runner.predicted_batches == stopped_at  # its thread stopped: no batch since
    normal, normal_s = answers["normal"]
    assert normal.status_code == 200
    assert [token["text"] for token in normal.json()["tokens"]][:2] == ["Barack", "Obama"]
    assert normal_s < timeout_s + batch_s
    big_response, big_s = answers["big"]
    assert big_response.status_code == 503
    assert "--timeout" in big_response.json()["error"]
    assert big_s < timeout_s + 1.0
    # The model worked about timeout_s / batch_s = 40 batches for it, not 2,500.
    assert stopped_at <= timeout_s / batch_s + 2
