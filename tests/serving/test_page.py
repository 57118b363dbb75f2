"""The page in a real headless Chromium: what it draws equals the API's JSON."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hmtl.serving.app import create_app
from hmtl.serving.limits import ServingLimits
from tests.serving.chromium import Page, headless_chromium
from tests.serving.fake_predictor import OBAMA, FakePredictor
from tests.serving.live_server import live_server
from tests.serving.page_checks import (
    DRAWN,
    assert_arcs_match,
    drawn_marks,
    expected_marks,
    submit,
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with headless_chromium(tmp_path_factory.mktemp("chromium") / "profile") as page:
        yield page


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_page_draws_the_four_tasks_of_the_json(page: Page, tmp_path: Path) -> None:
    predictor = FakePredictor()
    with live_server(create_app(predictor, model_name="fake-model")) as base_url:
        assert submit(page, base_url, OBAMA["text"]) == "done"
        drawn = page.evaluate(DRAWN)
        prediction = httpx.post(base_url + "predict", json={"text": OBAMA["text"]}).json()
        screenshot = page.screenshot(tmp_path / "page.png")
    assert predictor.calls == [[OBAMA["text"]], [OBAMA["text"]]]
    assert prediction == OBAMA
    assert drawn["panels"] == ["ner", "emd", "relation", "coref"]
    assert drawn["note"] is None
    # 2 NER + 7 EMD spans, 6 distinct relation arguments (his/wife, Obama/Paris, mayor/city),
    # 2 + 3 + 2 coreference mentions: 22 marks.
    assert len(drawn["marks"]) == 2 + 7 + 6 + 7 == 22
    assert drawn_marks(drawn) == expected_marks(prediction)
    # "his" (cluster 0) is drawn inside "his wife" (cluster 2), each with its own text.
    assert {("coref", None, 5, 7, "his wife", 2), ("coref", None, 5, 6, "his", 0)} <= set(
        drawn_marks(drawn))
    assert_arcs_match(drawn, prediction)
    # Arcs join consecutive mentions: (2 - 1) + (3 - 1) + (2 - 1) = 4; one arrow per relation.
    kinds = sorted(arc["kind"] for arc in drawn["arcs"])
    assert kinds == ["coref-arc"] * 4 + ["relation"] * 3
    width, height = png_size(screenshot)
    assert width >= 800 and height >= 600


def test_panels_of_missing_heads_are_hidden_with_a_note(page: Page) -> None:
    predictor = FakePredictor(tasks={"ner": "spans", "coref": "clusters"})
    with live_server(create_app(predictor)) as base_url:
        assert submit(page, base_url, OBAMA["text"]) == "done"
        drawn = page.evaluate(DRAWN)
    assert drawn["panels"] == ["ner", "coref"]
    assert "EMD" in drawn["note"] and '("relation")' in drawn["note"]
    assert {mark["task"] for mark in drawn["marks"]} == {"ner", "coref"}
    assert not [arc for arc in drawn["arcs"] if arc["kind"] == "relation"]


def test_server_errors_are_shown_in_the_page(page: Page) -> None:
    app = create_app(FakePredictor(), limits=ServingLimits(max_text_chars=20))
    with live_server(app) as base_url:
        assert submit(page, base_url, OBAMA["text"]) == "error"
        message = page.evaluate("document.getElementById('error').textContent")
        hidden = page.evaluate("document.getElementById('error').hidden")
    assert not hidden
    assert "78 characters" in message and "--max-text-chars" in message


def test_offsets_count_code_points_like_the_server(page: Page) -> None:
    # An emoji (2 UTF-16 units, 1 code point), a skin-tone pair (4 units, 2 code points), a
    # combining accent and CJK: each name must still be drawn with exactly its own characters.
    text = "\U0001F600 Zoe\u0301 met \u674E in Caf\u00E9 \U0001F44D\U0001F3FD Ana."
    with live_server(create_app(FakePredictor(tasks={"ner": "spans"}))) as base_url:
        assert submit(page, base_url, text) == "done"
        drawn = page.evaluate(DRAWN)
    # Tokens: 0 emoji, 1 Zoe+accent, 2 met, 3 CJK, 4 in, 5 Cafe, 6 thumbs up, 7 "Ana.".
    assert drawn_marks(drawn) == [
        ("ner", "PER", 1, 2, "Zoe\u0301"),
        ("ner", "PER", 5, 6, "Caf\u00E9"),
        ("ner", "PER", 7, 8, "Ana."),
    ]


class EveryPairRelated(FakePredictor):
    """Like an untrained relation head: every ordered pair of tokens is related."""

    def predict_one(self, index: int, text: str) -> dict[str, Any]:
        document = super().predict_one(index, text)
        spans = [
            {"start": i, "end": i + 1, "char_start": token["start"], "char_end": token["end"],
             "text": token["text"]}
            for i, token in enumerate(document["tokens"])
        ]
        document["relation"] = [
            {"type": "PHYS", "arg1": first, "arg2": second}
            for first in spans for second in spans if first is not second
        ]
        return document


def test_arrows_stop_at_500_relations_and_the_list_has_them_all(page: Page) -> None:
    text = " ".join("abcdefghijklmnopqrstuvwxyz")  # 26 tokens: 26 * 25 = 650 ordered pairs
    predictor = EveryPairRelated(tasks={"relation": "relations"})
    with live_server(create_app(predictor)) as base_url:
        assert submit(page, base_url, text) == "done"
        drawn = page.evaluate(DRAWN)
        notes = page.evaluate(
            "[...document.querySelectorAll('.panel .note')].map((note) => note.textContent)")
        listed = page.evaluate("document.querySelectorAll('.relation-list li').length")
        prediction = httpx.post(base_url + "predict", json={"text": text}).json()
    assert len(prediction["relation"]) == 650 and listed == 650
    assert len(drawn["arcs"]) == 500
    assert_arcs_match(drawn, prediction)  # the first 500
    assert notes == [
        "Only the first 500 of 650 relations are drawn as arrows; all are in the list below."
    ]
    # Every token is an argument: 26 marks, without a type.
    assert len(drawn_marks(drawn)) == 26 and all(mark[1] is None for mark in drawn_marks(drawn))
