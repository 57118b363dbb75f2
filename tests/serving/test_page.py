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

# Every mark and arc the page drew, as plain data; a mark's text leaves out the type tags.
DRAWN = """(() => {
  const marks = [...document.querySelectorAll("#results mark")].map((mark) => {
    const copy = mark.cloneNode(true);
    copy.querySelectorAll(".tag").forEach((tag) => tag.remove());
    return {...mark.dataset, text: copy.textContent};
  });
  const arcs = [...document.querySelectorAll("#results svg g")].map((arc) => ({
    ...arc.dataset, kind: arc.getAttribute("class"),
    path: arc.querySelector("path").getAttribute("d"),
  }));
  const panels = [...document.querySelectorAll("#results section.panel")].map(
    (panel) => panel.dataset.task);
  return {marks, arcs, panels, note: document.getElementById("missing-note").hidden ? null :
    document.getElementById("missing-note").textContent};
})()"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with headless_chromium(tmp_path_factory.mktemp("chromium") / "profile") as page:
        yield page


def submit(page: Page, base_url: str, text: str) -> str:
    """Open the page, type ``text``, press the button; the results' final state."""
    page.goto(base_url)
    page.wait_for("document.getElementById('model-info').textContent !== ''")
    page.type_into("#text", text)
    page.click("#submit")
    return page.wait_for(
        "['done', 'error'].includes(document.getElementById('results').dataset.state) && "
        "document.getElementById('results').dataset.state"
    )


def span_key(task: str, span: dict[str, Any], **extra: Any) -> tuple:
    return (task, span.get("type"), span["start"], span["end"], span["text"], *extra.values())


def drawn_key(mark: dict[str, Any]) -> tuple:
    key = (mark["task"], mark.get("type"), int(mark["start"]), int(mark["end"]), mark["text"])
    return key + ((int(mark["cluster"]),) if "cluster" in mark else ())


def expected_marks(prediction: dict[str, Any]) -> list[tuple]:
    """The marks the page must draw: spans; each distinct relation argument once; mentions."""
    marks: set[tuple] = set()
    for task, kind in prediction["tasks"].items():
        if kind == "spans":
            marks.update(span_key(task, span) for span in prediction[task])
        elif kind == "relations":
            for relation in prediction[task]:
                marks.add(span_key(task, relation["arg1"]))
                marks.add(span_key(task, relation["arg2"]))
        else:
            for cluster in prediction[task]:
                mentions = cluster["mentions"]
                marks.update(span_key(task, m, cluster=cluster["id"]) for m in mentions)
    return sorted(marks, key=repr)


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
    assert sorted(map(drawn_key, drawn["marks"]), key=repr) == expected_marks(prediction)
    relations = [arc for arc in drawn["arcs"] if arc["kind"] == "relation"]
    assert sorted(
        (arc["type"], *(int(arc[f"arg{i}{end}"]) for i in (1, 2) for end in ("Start", "End")))
        for arc in relations
    ) == sorted(
        (r["type"], r["arg1"]["start"], r["arg1"]["end"], r["arg2"]["start"], r["arg2"]["end"])
        for r in prediction["relation"]
    )
    # Arcs join consecutive mentions: (2 - 1) + (3 - 1) + (2 - 1) = 4.
    coref_arcs = sorted(int(arc["cluster"]) for arc in drawn["arcs"] if arc["kind"] == "coref-arc")
    assert coref_arcs == [0, 1, 1, 2]
    assert all(arc["path"].startswith("M ") and "NaN" not in arc["path"] for arc in drawn["arcs"])
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
