"""Entity spans -> tag sequences in the coding scheme a tagger is trained on.

The parsers give spans, whatever the file's own notation; the readers encode them here, BIOUL
through AllenNLP's `to_bioul` (from BIO) and IOB1 (which AllenNLP cannot produce) directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from allennlp.common.checks import ConfigurationError
from allennlp.data.dataset_readers.dataset_utils.span_utils import to_bioul

from hmtl.data.formats.brackets import LabeledSpan

CODING_SCHEMES = ("BIOUL", "IOB1")


def check_coding_scheme(coding_scheme: str) -> str:
    """Return `coding_scheme`, or raise `ConfigurationError` naming the valid ones."""
    if coding_scheme not in CODING_SCHEMES:
        raise ConfigurationError(
            f"unknown coding_scheme {coding_scheme!r}: expected one of {', '.join(CODING_SCHEMES)}"
        )
    return coding_scheme


def spans_to_tags(spans: Sequence[LabeledSpan], length: int, coding_scheme: str) -> list[str]:
    """Tags of a sentence of `length` tokens holding the non-overlapping `spans`.

    IOB1 uses `B-` only on the first token of an entity that directly follows an entity of the
    same type, `I-` on every other entity token.
    """
    tags = ["O"] * length
    if not spans:
        return tags
    if coding_scheme == "BIOUL":
        for label, start, end in spans:
            tags[start] = "B-" + label
            for index in range(start + 1, end + 1):
                tags[index] = "I-" + label
        return to_bioul(tags, encoding="BIO")
    ends = {(span.end, span.label) for span in spans}
    for label, start, end in spans:
        first = "B-" if (start - 1, label) in ends else "I-"
        tags[start] = first + label
        for index in range(start + 1, end + 1):
            tags[index] = "I-" + label
    return tags
