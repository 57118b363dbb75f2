"""Model building blocks: task heads, shortcut wiring, embedding file checks."""

from hmtl.modules import heads, padded_lstm  # noqa: F401  (registers the heads, the encoder)
