"""Data: pure format parsers (`formats`) and the AllenNLP dataset readers built on them
(`readers`, imported only when needed: they bring in torch and AllenNLP)."""
