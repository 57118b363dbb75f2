"""Driving the page and comparing what it drew with the prediction JSON, for the browser tests."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.serving.chromium import Page

MAX_ARROWS = 500  # the page's MAX_ARROWS

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


def _span_key(task: str, span: dict[str, Any], cluster: int | None = None) -> tuple:
    key = (task, span.get("type"), span["start"], span["end"], span["text"])
    return key if cluster is None else (*key, cluster)


def _drawn_key(mark: dict[str, Any]) -> tuple:
    key = (mark["task"], mark.get("type"), int(mark["start"]), int(mark["end"]), mark["text"])
    return key if "cluster" not in mark else (*key, int(mark["cluster"]))


def expected_marks(prediction: dict[str, Any]) -> list[tuple]:
    """The marks the page must draw: spans; each distinct relation argument once; mentions."""
    marks: set[tuple] = set()
    for task, kind in prediction["tasks"].items():
        if kind == "spans":
            marks.update(_span_key(task, span) for span in prediction[task])
        elif kind == "relations":
            for relation in prediction[task]:
                marks.add(_span_key(task, relation["arg1"]))
                marks.add(_span_key(task, relation["arg2"]))
        else:
            for cluster in prediction[task]:
                mentions = cluster["mentions"]
                marks.update(_span_key(task, m, cluster["id"]) for m in mentions)
    return sorted(marks, key=repr)


def drawn_marks(drawn: dict[str, Any]) -> list[tuple]:
    """The marks the page drew, as ``expected_marks`` writes them."""
    return sorted(map(_drawn_key, drawn["marks"]), key=repr)


def assert_arcs_match(drawn: dict[str, Any], prediction: dict[str, Any]) -> None:
    """One labelled arrow per relation (the first ``MAX_ARROWS`` of them), one arc per pair of
    consecutive mentions, all drawn."""
    relation_tasks = [t for t, kind in prediction["tasks"].items() if kind == "relations"]
    cluster_tasks = [t for t, kind in prediction["tasks"].items() if kind == "clusters"]
    arrows = Counter(
        (arc["task"], arc["type"], int(arc["arg1Start"]), int(arc["arg1End"]),
         int(arc["arg2Start"]), int(arc["arg2End"]))
        for arc in drawn["arcs"] if arc["kind"] == "relation"
    )
    assert arrows == Counter(
        (task, r["type"], r["arg1"]["start"], r["arg1"]["end"], r["arg2"]["start"],
         r["arg2"]["end"])
        for task in relation_tasks for r in prediction[task][:MAX_ARROWS]
    )
    chains = Counter(
        (arc["task"], int(arc["cluster"])) for arc in drawn["arcs"] if arc["kind"] == "coref-arc"
    )
    assert chains == Counter({
        (task, cluster["id"]): len(cluster["mentions"]) - 1
        for task in cluster_tasks for cluster in prediction[task] if len(cluster["mentions"]) > 1
    })
    assert all(arc["path"].startswith("M ") and "NaN" not in arc["path"] for arc in drawn["arcs"])
