"""A stand-in for the predictor: hand-written prediction JSON, optional delay or failure.

The text of ``tests/fixtures/serving/obama.json`` gets that document; any other text gets its
whitespace tokens, one sentence, a ``PER`` entity for each capitalised token and no other
predictions.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "serving" / "obama.json"
OBAMA: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
ALL_TASKS = dict(OBAMA["tasks"])


class FakePredictor:
    """``predict_texts`` answering from the fixture; records the largest number of concurrent
    calls it saw, so that tests can check that the server serialises them."""

    def __init__(
        self,
        tasks: dict[str, str] | None = None,
        delay_s: float = 0.0,
        error: Exception | None = None,
    ) -> None:
        self.tasks = dict(ALL_TASKS if tasks is None else tasks)
        self.delay_s = delay_s
        self.error = error
        self.calls: list[list[str]] = []
        self.max_concurrent = 0
        self._running = 0
        self._count_lock = threading.Lock()

    def predict_texts(self, texts: list[str]) -> list[dict[str, Any]]:
        with self._count_lock:
            self._running += 1
            self.max_concurrent = max(self.max_concurrent, self._running)
            self.calls.append(list(texts))
        try:
            time.sleep(self.delay_s)
            if self.error is not None:
                raise self.error
            return [self.predict_one(index, text) for index, text in enumerate(texts)]
        finally:
            with self._count_lock:
                self._running -= 1

    def predict_one(self, index: int, text: str) -> dict[str, Any]:
        if text == OBAMA["text"]:
            document = copy.deepcopy(OBAMA)
        else:
            tokens = [
                {"text": match.group(), "start": match.start(), "end": match.end()}
                for match in re.finditer(r"\S+", text)
            ]
            document = {
                "text": text,
                "tokens": tokens,
                "sentences": [{"start": 0, "end": len(tokens)}] if tokens else [],
                "warnings": [],
            }
            for task in ALL_TASKS:
                document[task] = []
            document["ner"] = [
                {"type": "PER", "start": position, "end": position + 1,
                 "char_start": token["start"], "char_end": token["end"], "text": token["text"]}
                for position, token in enumerate(tokens) if token["text"][0].isupper()
            ]
        document["id"] = index
        document["tasks"] = dict(self.tasks)
        for task in ALL_TASKS:
            if task not in self.tasks:
                del document[task]
        return document
