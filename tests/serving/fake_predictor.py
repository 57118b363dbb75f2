"""A stand-in for the predictor: hand-written prediction JSON, optional delay or failure.

Texts are tokenized at whitespace. The text of ``tests/fixtures/serving/obama.json`` gets that
document; any other text gets its whitespace tokens, one sentence, a ``PER`` entity for each
capitalised token and no other predictions. Each ``predict_documents`` call (one batch of the
server) sleeps ``delay_s``.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from hmtl.predicting.document import Document, TextToken

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "serving" / "obama.json"
OBAMA: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
ALL_TASKS = dict(OBAMA["tasks"])


class FakePredictor:
    """``predict_documents`` answering from the fixture; records the texts of each call and the
    largest number of concurrent calls it saw, so that tests can check that the server batches
    and serialises them."""

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

    def tokenize_texts(
        self, texts: Sequence[str], ids: Sequence[Any] | None = None
    ) -> list[Document]:
        ids = list(range(len(texts))) if ids is None else list(ids)
        documents = [Document(i, text, whitespace_tokens(text)) for i, text in zip(ids, texts)]
        for document in documents:
            document.sentences = [(0, len(document.tokens))] if document.tokens else []
        return documents

    def predict_documents(self, documents: Iterable[Document]) -> Iterator[dict[str, Any]]:
        documents = list(documents)
        with self._count_lock:
            self._running += 1
            self.max_concurrent = max(self.max_concurrent, self._running)
            self.calls.append([document.text for document in documents])
        try:
            time.sleep(self.delay_s)
            if self.error is not None:
                raise self.error
            return iter([self.predict_one(document.id, document.text) for document in documents])
        finally:
            with self._count_lock:
                self._running -= 1

    def predict_one(self, index: int, text: str) -> dict[str, Any]:
        if text == OBAMA["text"]:
            document = copy.deepcopy(OBAMA)
        else:
            tokens = [token._asdict() for token in whitespace_tokens(text)]
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


def whitespace_tokens(text: str) -> list[TextToken]:
    return [TextToken(match.group(), match.start(), match.end())
            for match in re.finditer(r"\S+", text)]
