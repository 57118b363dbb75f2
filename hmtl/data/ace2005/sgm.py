"""The text of an ACE 2005 `.sgm` source file, and the character offsets its `.apf.xml` uses.

Offset convention of LDC2006T06 (the APF v5.1.1 examples, e.g. `<charseq START="163"
END="170">students</charseq>`, and public ACE tooling agree): a `<charseq START=s END=e>` of the
apf addresses the characters s..e, **both inclusive**, of the sgm file after every SGML tag
`<...>` has been deleted and nothing else changed. Character entities are *not* decoded for
counting: `&amp;` counts as the 5 characters it is written with (the apf, being XML, then spells
that text `&amp;amp;`). Characters are Unicode code points of the UTF-8 file, and `\\r` counts (the
file is decoded from bytes, with no newline translation).

What becomes text (decided here, used by the whole conversion): only character data inside the
elements named in `text_elements`, by default HEADLINE and TEXT (TEXT holds the TURN, SPEAKER,
POST, POSTER, POSTDATE, QUOTE... elements of the other genres). DOCID, DOCTYPE and DATETIME are
metadata. Every tag inside the text ends a `Segment`, so no sentence will span a tag (a SPEAKER
name never runs into the turn it introduces). Inside a segment the entities are decoded (`&amp;`
becomes `&`, so words read naturally) and every decoded character remembers the raw range it
came from, which is how apf offsets are mapped onto tokens.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from hmtl.data.formats.errors import FormatError

DEFAULT_TEXT_ELEMENTS: tuple[str, ...] = ("HEADLINE", "TEXT")

_TAG = re.compile(r"<[^<>]*>")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([A-Za-z][\w.:-]*)")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


@dataclass(frozen=True)
class Segment:
    """A run of text between two tags: decoded characters and, for each, its raw offsets."""

    text: str
    raw_starts: tuple[int, ...]
    raw_ends: tuple[int, ...]
    element: str
    line: int


@dataclass(frozen=True)
class SgmDocument:
    """One source document: its tag-free text (the apf offset space) and its text segments."""

    path: str
    doc_id: str | None
    raw_text: str
    segments: tuple[Segment, ...]


def read_sgm(
    path: str | os.PathLike, text_elements: Iterable[str] = DEFAULT_TEXT_ELEMENTS
) -> SgmDocument:
    """Read one `.sgm` file; raises `FormatError` for undecodable bytes or broken tags."""
    data = open(path, "rb").read()
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FormatError(
            path, line, f"expected UTF-8 text, found byte 0x{data[error.start]:02x}"
        ) from None
    return parse_sgm(content, path, text_elements)


def parse_sgm(
    content: str,
    path: str | os.PathLike | None = None,
    text_elements: Iterable[str] = DEFAULT_TEXT_ELEMENTS,
) -> SgmDocument:
    """Split the SGML `content` into tag-free text and text segments (see the module docstring)."""
    wanted = {name.upper() for name in text_elements}
    open_elements: list[str] = []
    raw_parts: list[str] = []
    segments: list[Segment] = []
    doc_id_parts: list[str] = []
    raw_length = 0
    line = 1
    position = 0

    def take_text(piece: str, piece_line: int) -> None:
        nonlocal raw_length
        if piece:
            if "DOCID" in open_elements:
                doc_id_parts.append(piece)
            if wanted.intersection(open_elements) and not piece.isspace():
                text, starts, ends = decode_entities(piece, raw_length)
                segments.append(Segment(text, starts, ends, open_elements[-1], piece_line))
            raw_parts.append(piece)
            raw_length += len(piece)

    for match in _TAG.finditer(content):
        piece = content[position : match.start()]
        take_text(piece, line)
        line += piece.count("\n")
        _apply_tag(match.group(), open_elements, path, line)
        line += match.group().count("\n")
        position = match.end()
    take_text(content[position:], line)
    doc_id = "".join(doc_id_parts).strip() or None
    return SgmDocument(
        "<input>" if path is None else os.fspath(path), doc_id, "".join(raw_parts), tuple(segments)
    )


def decode_entities(piece: str, raw_offset: int) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """Decode the character entities of `piece`, which starts at raw offset `raw_offset`.

    Returns the decoded text and, per decoded character, the first and last raw offset it spans
    (one offset for a plain character, five for the `&` of `&amp;`). Unknown entity names stay as
    written.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for match in _ENTITY.finditer(piece):
        for index in range(done, match.start()):
            chars.append(piece[index])
            starts.append(raw_offset + index)
            ends.append(raw_offset + index)
        decoded = html.unescape(match.group())
        if decoded == match.group():
            for index in range(match.start(), match.end()):
                chars.append(piece[index])
                starts.append(raw_offset + index)
                ends.append(raw_offset + index)
        else:
            for char in decoded:
                chars.append(char)
                starts.append(raw_offset + match.start())
                ends.append(raw_offset + match.end() - 1)
        done = match.end()
    for index in range(done, len(piece)):
        chars.append(piece[index])
        starts.append(raw_offset + index)
        ends.append(raw_offset + index)
    return "".join(chars), tuple(starts), tuple(ends)


def _apply_tag(
    tag: str, open_elements: list[str], path: str | os.PathLike | None, line: int
) -> None:
    """Update the stack of open elements for one tag (SGML: closing tags may skip levels).

    Declarations, comments and processing instructions (`<!...>`, `<?...>`) open nothing.
    """
    if tag.startswith(("<!", "<?")):
        return
    match = _TAG_NAME.match(tag)
    if match is None:
        raise FormatError(
            path, line, f"expected an SGML tag like <NAME ...> or </NAME>, found {tag!r}"
        )
    closing, name = match.group(1) == "/", match.group(2).upper()
    if not closing:
        if not tag.endswith("/>"):
            open_elements.append(name)
        return
    if name not in open_elements:
        raise FormatError(path, line, f"closing tag </{name}> has no matching open <{name}>")
    while open_elements.pop() != name:
        pass
