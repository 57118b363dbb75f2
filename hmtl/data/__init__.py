"""Data: pure format parsers (`formats`) and the AllenNLP dataset readers built on them."""

from hmtl.data import formats, readers  # noqa: F401
