"""``hmtl serve``: its flags reach the loader, the limits and uvicorn; bad input exits cleanly."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

import hmtl.predicting.predictor
from hmtl.commands.main import main
from hmtl.serving.limits import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_TEXT_CHARS, DEFAULT_TIMEOUT_S
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
    assert served["uvicorn"] == {"host": "127.0.0.1", "port": 8000, "log_level": "info"}
    app = served["app"]
    limits = app.state.limits
    assert (limits.max_text_chars, limits.max_body_bytes, limits.timeout_s) == (
        DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_S)
    health = client_of(app).get("/health").json()
    assert health == {"status": "ok", "model": "runs/tiny", "tasks": {"ner": "spans"}}


def test_flags_reach_the_loader_uvicorn_and_the_limits(served: dict[str, Any]) -> None:
    status = main([
        "serve", "model.tar.gz", "--host", "0.0.0.0", "--port", "8123", "--weights", "ner",
        "--cuda-device", "0", "--max-text-chars", "5", "--max-body-bytes", "64",
        "--timeout", "2.5",
    ])
    assert status == 0
    assert served["load"] == ("model.tar.gz", {"cuda_device": 0, "weights": "ner"})
    assert served["uvicorn"] == {"host": "0.0.0.0", "port": 8123, "log_level": "info"}
    client = client_of(served["app"])
    # "abcdef" is 6 characters, one over --max-text-chars 5.
    answer = client.post("/predict", json={"text": "abcdef"})
    assert answer.status_code == 413 and "at most 5 characters" in answer.json()["error"]
    assert client.post("/predict", json={"text": "abcde"}).status_code == 200
    # 70 bytes of body, over --max-body-bytes 64.
    answer = client.post("/predict", content=b'{"text": "' + b"a" * 58 + b'"}')
    assert answer.status_code == 413 and "64 bytes" in answer.json()["error"]
    assert served["app"].state.limits.timeout_s == 2.5


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--max-text-chars", "0", "must be above 0"),
        ("--max-body-bytes", "-3", "must be above 0"),
        ("--timeout", "soon", "expected a number, got 'soon'"),
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
