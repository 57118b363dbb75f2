"""One document's apf annotations mapped onto its tokens and sentences: the conversion policies.

Every policy below that drops, merges, cuts or extends something files a problem in the
`ConversionReport` (count and first cases); nothing is lost silently.

1. Offsets -> tokens. A mention head (`<head><charseq>`, inclusive raw offsets) covers every
   token that overlaps one of its characters. Before that, tokens are cut where a head starts or
   ends inside them (`U.S.-based` -> `U.S.` `-based`), but only for heads whose apf text matches
   the sgm text at their offsets (exactly, after whitespace normalisation, or after decoding
   `&amp;`-style entities): offsets that do not match are not trusted to cut words, and the
   mismatch is reported. A head that still starts or ends inside a token (the cut would fall
   inside an entity such as `&amp;`, or cutting is off) is extended to the whole token.
2. A head that overlaps no token (outside the text elements, or on whitespace only) or whose
   tokens lie on both sides of a tag is not converted.
3. Sentences are the sentencizer's (plus blank lines, see `tokens`), except that a boundary that a
   head crosses is removed, merging the two sentences; tag boundaries are never removed.
4. Mention column (heads, 7 types): it cannot nest, so among overlapping heads of a sentence the
   longest is kept, then the leftmost, then the first in the apf; the others are left out of this
   column only (they still appear in the coreference column and in relation frames).
5. Coreference column: every converted head, with N = the 0-based position of its entity among
   the apf's entities. The same entity twice on the same tokens is written once; a head crossing
   another head of the same entity is left out (the bracket notation cannot say which closes).
6. Relation frames: one column per relation mention of the six types whose two arguments are
   converted heads in the same sentence and do not overlap, `(ARG1_<TYPE>*` ... `*)` over ARG1's
   head tokens and `(ARG2_<TYPE>*` ... `*)` over ARG2's; a frame repeated in a sentence (same type,
   same heads) is written once.
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from collections.abc import Collection
from dataclasses import dataclass

from spacy.language import Language

from hmtl.data.ace2005.apf import RELATION_TYPES, ApfDocument, Entity, EntityMention
from hmtl.data.ace2005.report import ConversionReport
from hmtl.data.ace2005.sgm import DEFAULT_TEXT_ELEMENTS, SgmDocument
from hmtl.data.ace2005.tokens import Token, tokenize_segments

TEXT_MISMATCH = "mention heads whose apf text differs from the sgm text at their offsets (kept)"
TOKEN_SPLIT = "tokens cut at a mention-head boundary"
PARTIAL = "mention heads starting or ending inside a token: extended to the whole token"
NO_TOKEN = "mention heads on no token (outside {elements} or whitespace only): not converted"
ACROSS_TAG = "mention heads spanning a tag boundary: not converted"
MERGED = "sentence boundaries removed because a mention head crosses them"
MENTION_OVERLAP = "mention heads left out of the mention column (overlap a longer or earlier head)"
COREF_REPEAT = "coreference mentions repeated (same entity, same tokens): written once"
COREF_CROSSING = "coreference mentions crossing a mention of the same entity: left out"
RELATION_TYPE = "relation mentions of a type outside the six written types: not converted"
RELATION_REF = "relation arguments that are not entity mentions: relation mention not converted"
RELATION_UNMAPPED = "relation mentions with an argument head not converted: not converted"
RELATION_SENTENCES = "relation mentions whose arguments lie in different sentences: not converted"
RELATION_OVERLAP = "relation mentions whose two argument heads overlap: not converted"
RELATION_REPEAT = "relation mentions repeating a frame of the same sentence: written once"


@dataclass(frozen=True)
class ConvertedSentence:
    """The columns of one like_conll sentence (index column left to the writer)."""

    words: tuple[str, ...]
    mentions: tuple[str, ...]
    relations: tuple[tuple[str, ...], ...]
    coref: tuple[str, ...]


@dataclass(frozen=True)
class _Head:
    """A converted mention head: its entity (with its cluster id) and its token range."""

    cluster: int
    entity: Entity
    mention: EntityMention
    first: int
    last: int
    order: int

    def describe(self) -> str:
        return f"{self.mention.id} {self.mention.head.text!r} ({self.entity.type})"


def convert_document(
    name: str,
    sgm: SgmDocument,
    apf: ApfDocument,
    nlp: Language,
    report: ConversionReport,
    split_tokens: bool = True,
    text_elements: Collection[str] = DEFAULT_TEXT_ELEMENTS,
) -> list[ConvertedSentence]:
    """Convert one document (named `name` in the report); see the module docstring."""
    raw = sgm.raw_text
    mentions: list[tuple[int, Entity, EntityMention]] = []
    split_at: set[int] = set()
    for cluster, entity in enumerate(apf.entities):
        for mention in entity.mentions:
            head = mention.head
            at_offsets = raw[head.start : head.end + 1]
            if not _same_text(head.text, at_offsets):
                report.problem(
                    TEXT_MISMATCH,
                    f"{name}: {mention.id} apf {head.text!r}, sgm {at_offsets!r} at "
                    f"{head.start}..{head.end}",
                )
            elif split_tokens:
                split_at.update((head.start, head.end + 1))
            mentions.append((cluster, entity, mention))

    tokens, splits = tokenize_segments(nlp, sgm.segments, split_at)
    for split in splits:
        report.problem(TOKEN_SPLIT, f"{name}: {split.word!r} -> {' '.join(split.pieces)}")
    heads = _map_heads(name, mentions, tokens, report, ", ".join(text_elements))
    sentences = _sentences(name, tokens, heads, report)
    report.add("documents")
    report.add("sentences", len(sentences))
    report.add("tokens", len(tokens))
    report.add("entity mentions", len(mentions))

    sentence_of = {t: s for s, (begin, end) in enumerate(sentences) for t in range(begin, end)}
    by_sentence: list[list[_Head]] = [[] for _ in sentences]
    for head in heads:
        by_sentence[sentence_of[head.first]].append(head)
    mention_columns = [
        _mention_column(name, by_sentence[index], begin, end, report)
        for index, (begin, end) in enumerate(sentences)
    ]
    coref_columns = [
        _coref_column(name, by_sentence[index], begin, end, report)
        for index, (begin, end) in enumerate(sentences)
    ]
    frames = _relation_frames(name, apf, heads, sentence_of, len(sentences), report)
    return [
        ConvertedSentence(
            tuple(token.word for token in tokens[begin:end]),
            mention_columns[index],
            tuple(_frame_column(frame, begin, end) for frame in frames[index]),
            coref_columns[index],
        )
        for index, (begin, end) in enumerate(sentences)
    ]


def _same_text(apf_text: str, sgm_text: str) -> bool:
    if apf_text == sgm_text:
        return True
    squeeze = " ".join(apf_text.split())
    return squeeze in (" ".join(sgm_text.split()), " ".join(html.unescape(sgm_text).split()))


def _map_heads(
    name: str,
    mentions: list[tuple[int, Entity, EntityMention]],
    tokens: list[Token],
    report: ConversionReport,
    elements: str,
) -> list[_Head]:
    """Policies 1 and 2: token ranges of the heads that can be converted."""
    starts = [token.raw_start for token in tokens]
    ends = [token.raw_end for token in tokens]
    heads = []
    for order, (cluster, entity, mention) in enumerate(mentions):
        span = mention.head
        first = bisect_left(ends, span.start)
        last = bisect_right(starts, span.end) - 1
        case = f"{name}: {mention.id} {span.text!r} at {span.start}..{span.end}"
        if first > last:
            report.problem(NO_TOKEN.format(elements=elements), case)
            continue
        if tokens[first].segment != tokens[last].segment:
            report.problem(ACROSS_TAG, case)
            continue
        if tokens[first].raw_start < span.start or tokens[last].raw_end > span.end:
            words = " ".join(token.word for token in tokens[first : last + 1])
            report.problem(PARTIAL, f"{case} -> {words}")
        heads.append(_Head(cluster, entity, mention, first, last, order))
    return heads


def _sentences(
    name: str, tokens: list[Token], heads: list[_Head], report: ConversionReport
) -> list[tuple[int, int]]:
    """Policy 3: sentence token ranges [begin, end), merged where a head crosses a boundary."""
    starts = [token.sentence_start for token in tokens]
    for head in heads:
        for index in range(head.first + 1, head.last + 1):
            if starts[index]:
                starts[index] = False
                report.problem(MERGED, f"{name}: {head.describe()}")
    begins = [index for index, start in enumerate(starts) if start]
    return list(zip(begins, [*begins[1:], len(tokens)]))


def _bracket(cells: list[str], label: str, first: int, last: int) -> None:
    if first == last:
        cells[first] = f"({label}*)"
    else:
        cells[first] = f"({label}*"
        cells[last] = "*)"


def _overlap(a: _Head, b: _Head) -> bool:
    return a.first <= b.last and b.first <= a.last


def _mention_column(
    name: str, heads: list[_Head], begin: int, end: int, report: ConversionReport
) -> tuple[str, ...]:
    """Policy 4: the non-nesting mention column, longest head first."""
    kept: list[_Head] = []
    for head in sorted(heads, key=lambda h: (h.first - h.last, h.first, h.order)):
        clash = next((other for other in kept if _overlap(head, other)), None)
        if clash is None:
            kept.append(head)
        else:
            case = f"{name}: {head.describe()} overlaps {clash.describe()}"
            report.problem(MENTION_OVERLAP, case)
    cells = ["*"] * (end - begin)
    for head in kept:
        _bracket(cells, head.entity.type, head.first - begin, head.last - begin)
    report.add("mention-column heads", len(kept))
    return tuple(cells)


def _coref_column(
    name: str, heads: list[_Head], begin: int, end: int, report: ConversionReport
) -> tuple[str, ...]:
    """Policy 5: one mark per distinct (entity, tokens), joined by `|` on a token."""
    spans: list[tuple[int, int, int]] = []
    for head in sorted(heads, key=lambda h: (h.first, -h.last, h.order)):
        span = (head.cluster, head.first - begin, head.last - begin)
        if span in spans:
            report.problem(COREF_REPEAT, f"{name}: {head.describe()}")
            continue
        cluster, first, last = span
        if any(
            other == cluster and (start < first <= stop < last or first < start <= last < stop)
            for other, start, stop in spans
        ):
            report.problem(COREF_CROSSING, f"{name}: {head.describe()}")
            continue
        spans.append(span)
    cells = []
    for index in range(end - begin):
        closes = sorted(c for c, start, stop in spans if stop == index and start < index)
        singles = sorted(c for c, start, stop in spans if start == stop == index)
        opens = sorted(c for c, start, stop in spans if start == index and stop > index)
        marks = [f"{c})" for c in closes] + [f"({c})" for c in singles] + [f"({c}" for c in opens]
        cells.append("|".join(marks) or "-")
    report.add("coreference mentions", len(spans))
    return tuple(cells)


@dataclass(frozen=True)
class _Frame:
    type: str
    arg1: tuple[int, int]
    arg2: tuple[int, int]


def _relation_frames(
    name: str,
    apf: ApfDocument,
    heads: list[_Head],
    sentence_of: dict[int, int],
    n_sentences: int,
    report: ConversionReport,
) -> list[list[_Frame]]:
    """Policy 6: the relation frames of every sentence, in apf order."""
    known = apf.mentions_by_id()
    converted = {head.mention.id: head for head in heads}
    frames: list[list[_Frame]] = [[] for _ in range(n_sentences)]
    for relation in apf.relations:
        for mention in relation.mentions:
            report.add("relation mentions")
            case = f"{name}: {mention.id} {relation.type}({mention.arg1}, {mention.arg2})"
            if relation.type not in RELATION_TYPES:
                report.problem(RELATION_TYPE, case)
                continue
            if mention.arg1 not in known or mention.arg2 not in known:
                report.problem(RELATION_REF, case)
                continue
            if mention.arg1 not in converted or mention.arg2 not in converted:
                report.problem(RELATION_UNMAPPED, case)
                continue
            arg1, arg2 = converted[mention.arg1], converted[mention.arg2]
            sentence = sentence_of[arg1.first]
            if sentence != sentence_of[arg2.first]:
                report.problem(RELATION_SENTENCES, case)
                continue
            if _overlap(arg1, arg2):
                report.problem(RELATION_OVERLAP, case)
                continue
            frame = _Frame(relation.type, (arg1.first, arg1.last), (arg2.first, arg2.last))
            if frame in frames[sentence]:
                report.problem(RELATION_REPEAT, case)
                continue
            frames[sentence].append(frame)
            report.add("relation frames")
    return frames


def _frame_column(frame: _Frame, begin: int, end: int) -> tuple[str, ...]:
    cells = ["*"] * (end - begin)
    _bracket(cells, f"ARG1_{frame.type}", frame.arg1[0] - begin, frame.arg1[1] - begin)
    _bracket(cells, f"ARG2_{frame.type}", frame.arg2[0] - begin, frame.arg2[1] - begin)
    return tuple(cells)
