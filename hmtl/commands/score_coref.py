"""`hmtl score-coref KEY RESPONSE [--json]`: the CoNLL-2012 coreference score of a response file.

Scores like the CoNLL reference scorer v8.01 (`scorer.pl`): every document of the key is scored
against the response document of the same name (an absent one counts as a response without
mentions, and a warning names it; response documents absent from the key are ignored), counts
are summed over the documents, and MUC, B-cubed and CEAF-e recall/precision/F1 come from the
sums. A response sharing no document name with the key, and a document with a different number
of tokens in the two files, are errors: their scores would mean nothing. The CoNLL score is
the mean of the three F1. The table prints percentages truncated to two decimals as the
reference scorer prints them; `--json` prints exact fractions in [0, 1]::

    {"muc": {"recall": r, "precision": p, "f1": f}, "bcub": {...}, "ceafe": {...},
     "conll_f1": avg}

Exit status 0, or 2 with a message naming the file (and line) for a missing or malformed file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from hmtl.data.formats.errors import FormatError
from hmtl.metrics.coref_scores import (
    METRICS,
    ZERO,
    Counts,
    conll_f1,
    mention_identification,
)
from hmtl.metrics.scorer_input import Document, ScorerDocument, read_scorer_file

logger = logging.getLogger(__name__)

_RULE = "-" * 74
_MAX_REPEATED_MENTIONS = 10  # beyond this the reference scorer v8.01 refuses to score
_SHOWN = 3  # document names a message lists


def add_subparser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `score-coref` on the `hmtl` command line."""
    parser = subparsers.add_parser(
        "score-coref",
        help="score a CoNLL-2012 coreference response against a key (MUC, B3, CEAF-e)",
        description=(
            "Score the coreference column (the last one) of a CoNLL-2012 response file against "
            "a key file, like the CoNLL reference scorer v8.01: MUC, B-cubed, CEAF-e and their "
            "average F1 (the CoNLL score)."
        ),
    )
    parser.add_argument("key", help="key (gold) file in CoNLL-2012 format")
    parser.add_argument("response", help="response (system) file in CoNLL-2012 format")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object of fractions in [0, 1] instead of the table",
    )
    parser.set_defaults(func=run)
    return parser


def _read(path: str, role: str) -> dict[str, ScorerDocument]:
    try:
        return read_scorer_file(path)
    except OSError as error:
        raise FormatError(path, None, f"cannot read the {role} file: {error.strerror}") from error


def _names(names: list[str]) -> str:
    """The first few names, quoted, and how many more."""
    shown = ", ".join(repr(name) for name in names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def _check_documents(key_path: str, key: dict[str, ScorerDocument], response_path: str,
                     response: dict[str, ScorerDocument]) -> None:
    """The response must share documents with the key, each with the key's number of tokens."""
    if not response:
        raise FormatError(response_path, None, "no '#begin document' line: the response has no "
                          f"document (expected those of the key {key_path}: {_names(list(key))})")
    if not set(key) & set(response):
        raise FormatError(
            response_path, None,
            f"no document of the response is in the key (response: {_names(list(response))}; "
            f"key {key_path}: {_names(list(key))}): expected the key's '#begin document' names"
        )
    for name, document in key.items():
        answer = response.get(name)
        if answer is not None and answer.tokens != document.tokens:
            raise FormatError(
                response_path, answer.line,
                f"document {name!r} has {answer.tokens} tokens, but {document.tokens} in the key "
                f"({key_path}, line {document.line}): expected the key's tokens",
            )


def _repeated_key_mentions(key: Document, response: Document) -> int:
    """Response mentions listed again although they are key mentions (the scorer drops them)."""
    key_mentions = {mention for cluster in key for mention in cluster}
    listed = [mention for cluster in response for mention in cluster if mention in key_mentions]
    return len(listed) - len(set(listed))


def score_files(key_path: str, response_path: str) -> tuple[dict[str, Counts], Counts]:
    """Summed counts of every metric, and of mention identification, over the key's documents."""
    key_files = _read(key_path, "key")
    if not key_files:
        raise FormatError(key_path, None, "no '#begin document' line: the key has no document")
    response_files = _read(response_path, "response")
    _check_documents(key_path, key_files, response_path, response_files)
    key_documents = {name: document.clusters for name, document in key_files.items()}
    response_documents = {name: document.clusters for name, document in response_files.items()}
    totals = {name: ZERO for name in METRICS}
    mentions = ZERO
    missing = [name for name in key_documents if name not in response_documents]
    extra = [name for name in response_documents if name not in key_documents]
    repeated = 0
    for name, key in key_documents.items():
        response = response_documents.get(name, [])
        for metric_name, metric in METRICS.items():
            totals[metric_name] = totals[metric_name] + metric(key, response)
        mentions = mentions + mention_identification(key, response)
        repeated += _repeated_key_mentions(key, response)
    if missing:
        logger.warning(
            "%d of %d key documents are not in the response and count as responses without "
            "mentions (zero recall for them, as the reference scorer scores them): %s",
            len(missing),
            len(key_documents),
            _names(missing),
        )
    if extra:
        logger.warning(
            "%d response documents are not in the key and are ignored: %s",
            len(extra),
            _names(extra),
        )
    if repeated > _MAX_REPEATED_MENTIONS:
        logger.warning(
            "the response lists %d key mentions more than once; each repeat is dropped. The "
            "reference scorer v8.01 refuses to score beyond %d repeats: fix the response",
            repeated,
            _MAX_REPEATED_MENTIONS,
        )
    return totals, mentions


def _number(value: float) -> str:
    """A count as Perl prints it (up to 15 significant digits, no trailing zeros)."""
    return f"{value:.15g}"


def _percent(fraction: float) -> str:
    """A fraction as the reference scorer prints it: a percentage truncated to 2 decimals."""
    return f"{int(fraction * 10000) / 100:.15g}%"


def _rpf_line(counts: Counts) -> str:
    return (
        f"Recall: ({_number(counts.recall_numerator)} / {_number(counts.recall_denominator)}) "
        f"{_percent(counts.recall)}\t"
        f"Precision: ({_number(counts.precision_numerator)} / "
        f"{_number(counts.precision_denominator)}) {_percent(counts.precision)}\t"
        f"F1: {_percent(counts.f1)}"
    )


def format_table(totals: dict[str, Counts], mentions: Counts) -> str:
    """The summary the reference scorer prints per metric, then the CoNLL score."""
    lines = [f"Identification of Mentions: {_rpf_line(mentions)}", _RULE]
    for name, counts in totals.items():
        lines += ["", f"METRIC {name}:", f"Coreference: {_rpf_line(counts)}", _RULE]
    lines += ["", f"CoNLL score (mean F1 of {', '.join(METRICS)}): {_percent(conll_f1(totals))}"]
    return "\n".join(lines)


def format_json(totals: dict[str, Counts]) -> str:
    """One JSON object of exact fractions."""
    scores: dict[str, Any] = {
        name: {"recall": counts.recall, "precision": counts.precision, "f1": counts.f1}
        for name, counts in totals.items()
    }
    scores["conll_f1"] = conll_f1(totals)
    return json.dumps(scores)


def run(args: argparse.Namespace) -> int:
    """Score, print; 2 with a message on stderr for unreadable or malformed input."""
    try:
        totals, mentions = score_files(args.key, args.response)
    except FormatError as error:
        print(f"hmtl score-coref: {error}", file=sys.stderr)
        return 2
    print(format_json(totals) if args.json else format_table(totals, mentions))
    return 0
