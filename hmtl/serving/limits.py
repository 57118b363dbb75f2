"""The limits a server enforces on each request, with the defaults of ``hmtl serve``.

A public demo server must not let one request hold the model (or the memory) for long. The body
size bounds what is read before parsing; the characters, documents and tokens of a request bound
the work of its prediction (tokens are what the model's cost grows with, and a request of many
one-character documents is cheap in characters but not in model calls); the timeout bounds the
wait of a client, and the work of a request that passes it stops at the next batch boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

DEFAULT_MAX_TEXT_CHARS = 20_000
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_DOCUMENTS = 100
DEFAULT_MAX_TOKENS = 10_000
DEFAULT_MAX_DOCUMENT_TOKENS = 5_000
DEFAULT_TIMEOUT_S = 60.0
# A request is predicted in batches of at most this many documents and tokens (a longer document
# is a batch of its own); its deadline is checked between batches, so a batch is the most work a
# request can do past its deadline.
DEFAULT_BATCH_DOCUMENTS = 8
DEFAULT_BATCH_TOKENS = 2_048


@dataclass(frozen=True)
class ServingLimits:
    """Per-request limits; each names the ``hmtl serve`` flag that sets it in its error messages.
    """

    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_documents: int = DEFAULT_MAX_DOCUMENTS
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_document_tokens: int = DEFAULT_MAX_DOCUMENT_TOKENS
    batch_documents: int = DEFAULT_BATCH_DOCUMENTS
    batch_tokens: int = DEFAULT_BATCH_TOKENS

    def __post_init__(self) -> None:
        for field in fields(self):
            if not getattr(self, field.name) > 0:
                raise ValueError(
                    f"{field.name} must be positive, got {getattr(self, field.name)!r}")
