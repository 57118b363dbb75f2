"""The limits a server enforces on each request, with the defaults of ``hmtl serve``.

A public demo server must not let one request hold the model (or the memory) for long: the text
length bounds the work of a prediction, the body size bounds what is read before parsing, and the
timeout bounds the wait of a client when the model is slow or busy.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_TEXT_CHARS = 20_000
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ServingLimits:
    """Per-request limits; each names the ``hmtl serve`` flag that sets it in its error messages."""

    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        for name in ("max_text_chars", "max_body_bytes", "timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
