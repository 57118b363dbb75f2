"""``hmtl serve``: its flags reach the loader, the limits and uvicorn; bad input exits cleanly."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

import hmtl.predicting.predictor
from hmtl.commands.main import main
from hmtl.commands.serve import model_name
from hmtl.serving.limits import ServingLimits
from hmtl.serving.protocol import JsonErrorsH11Protocol
from tests.serving.client import client_of
from tests.serving.fake_predictor import FakePredictor


@pytest.fixture()
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``serve`` handed the loader and uvicorn, with a fake predictor and no real server."""
    seen: dict[str, Any] = {}

    def load_predictor(path: str, **options: Any) -> FakePredictor:
        seen["load"] = (path, options)
        return FakePredictor(tasks={"ner": "spans"})

    def run(app: Any, **options: Any) -> None:
        seen["app"], seen["uvicorn"] = app, options

    monkeypatch.setattr(hmtl.predicting.predictor, "load_predictor", load_predictor)
    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def test_defaults_listen_on_localhost(served: dict[str, Any]) -> None:
    assert main(["serve", "runs/tiny"]) == 0
    assert served["load"] == ("runs/tiny", {"cuda_device": -1, "weights": None})
    assert served["uvicorn"] == {
        "host": "127.0.0.1", "port": 8000, "log_level": "info",
        "http": JsonErrorsH11Protocol, "ws": "none"}
    app = served["app"]
    assert app.state.limits == ServingLimits()
    # The flags' defaults, as the README lists them.
    limits = app.state.limits
    assert (limits.max_documents, limits.max_tokens, limits.max_document_tokens) == (
        100, 10_000, 5_000)
    # /health names the model by its base name, not by the path as typed.
    health = client_of(app).get("/health").json()
    assert health == {"status": "ok", "model": "tiny", "tasks": {"ner": "spans"}}


@pytest.mark.parametrize(
    ("path", "name"),
    [("runs/tiny", "tiny"), ("runs/tiny/", "tiny"), ("/srv/models/model.tar.gz", "model.tar.gz")],
)
def test_health_names_the_model_by_its_base_name(path: str, name: str) -> None:
    assert model_name(path) == name


def test_health_does_not_reveal_the_directory(served: dict[str, Any], tmp_path) -> None:
    run = tmp_path / "secret-place" / "demo-run"
    assert main(["serve", str(run) + "/"]) == 0
    health = client_of(served["app"]).get("/health")
    assert health.json()["model"] == "demo-run"
    assert "secret-place" not in health.text and str(tmp_path) not in health.text


def test_flags_reach_the_loader_uvicorn_and_the_limits(served: dict[str, Any]) -> None:
    status = main([
        "serve", "model.tar.gz", "--host", "0.0.0.0", "--port", "8123", "--weights", "ner",
        "--cuda-device", "0", "--max-text-chars", "5", "--max-body-bytes", "64",
        "--timeout", "2.5", "--max-documents", "3", "--max-tokens", "2",
        "--max-document-tokens", "1",
    ])
    assert status == 0
    assert served["load"] == ("model.tar.gz", {"cuda_device": 0, "weights": "ner"})
    assert {key: served["uvicorn"][key] for key in ("host", "port")} == {
        "host": "0.0.0.0", "port": 8123}
    client = client_of(served["app"])
    # "abcdef" is 6 characters, one over --max-text-chars 5.
    answer = client.post("/predict", json={"text": "abcdef"})
    assert answer.status_code == 413 and "at most 5 characters" in answer.json()["error"]
    assert client.post("/predict", json={"text": "abcde"}).status_code == 200
    # 70 bytes of body, over --max-body-bytes 64.
    answer = client.post("/predict", content=b'{"text": "' + b"a" * 58 + b'"}')
    assert answer.status_code == 413 and "64 bytes" in answer.json()["error"]
    assert served["app"].state.limits.timeout_s == 2.5
    # 4 documents, one over --max-documents 3.
    answer = client.post("/predict", json={"texts": ["a"] * 4})
    assert answer.status_code == 413 and "at most 3 documents" in answer.json()["error"]
    # "a b" is 2 tokens, one over --max-document-tokens 1.
    answer = client.post("/predict", json={"texts": ["a b"]})
    assert answer.status_code == 413 and "at most 1 tokens per document" in answer.json()["error"]
    # 3 documents of 1 token: 3 tokens, one over --max-tokens 2.
    answer = client.post("/predict", json={"texts": ["a", "b", "c"]})
    assert answer.status_code == 413 and "at most 2 tokens per request" in answer.json()["error"]
    assert client.post("/predict", json={"texts": ["a", "b"]}).status_code == 200


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--max-text-chars", "0", "must be above 0"),
        ("--max-body-bytes", "-3", "must be above 0"),
        ("--timeout", "soon", "expected a number, got 'soon'"),
        ("--max-documents", "0", "must be above 0"),
        ("--max-tokens", "many", "expected a number, got 'many'"),
        ("--max-document-tokens", "-1", "must be above 0"),
    ],
)
def test_bad_limits_are_usage_errors(flag: str, value: str, message: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "runs/tiny", flag, value])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert flag in error and message in error


def test_a_path_that_is_no_model_is_a_one_line_error(tmp_path, capsys) -> None:
    missing = tmp_path / "nothing-here"
    assert main(["serve", str(missing)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and str(missing) in error
    assert "Traceback" not in error
