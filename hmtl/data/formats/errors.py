"""The one error type every parser raises for malformed input."""

from __future__ import annotations

import os


class FormatError(ValueError):
    """Malformed input: says which file, which line (1-based) and what was expected.

    A `ValueError` so that callers that only care about "bad input" can catch it without importing
    hmtl; the message is complete on its own, so it is what the user sees.
    """

    def __init__(self, path: str | os.PathLike | None, line: int | None, message: str) -> None:
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.reason = message
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")
