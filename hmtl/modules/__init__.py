"""Model building blocks: task heads, shortcut wiring, embedding file checks."""

from hmtl.modules import heads  # noqa: F401  (registers the heads)
