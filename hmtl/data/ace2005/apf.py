"""The entities and relations of an ACE 2005 `.apf.xml` annotation file (APF v5.1.1).

Read: `<entity ID TYPE SUBTYPE CLASS>` with its `<entity_mention ID TYPE>`s, each with an
`<extent>` and a `<head>` `<charseq START END>` (offsets: see `hmtl.data.ace2005.sgm`); and
`<relation ID TYPE SUBTYPE>` with its `<relation_mention ID>`s, each with
`<relation_mention_argument REFID ROLE>` where ROLE `Arg-1`/`Arg-2` name entity mentions.
Ignored: `Time-*` arguments, the relation-level `<relation_argument>`s (entity ids),
`<entity_attributes>`, and `<value>`, `<timex2>` and `<event>` with everything inside them.

Entity types must be the seven of ACE 2005 (a `FormatError` otherwise). Relation types are kept
as written: the converter reports types outside the six it writes (e.g. METONYMY).
"""

from __future__ import annotations

import os
import xml.parsers.expat
from dataclasses import dataclass, field

from hmtl.data.formats.errors import FormatError

ENTITY_TYPES: tuple[str, ...] = ("PER", "ORG", "GPE", "LOC", "FAC", "VEH", "WEA")
RELATION_TYPES: tuple[str, ...] = ("ORG-AFF", "PHYS", "ART", "PER-SOC", "PART-WHOLE", "GEN-AFF")


@dataclass(frozen=True)
class CharSpan:
    """A `<charseq>`: inclusive raw offsets and the text the annotators saw there."""

    start: int
    end: int
    text: str
    line: int


@dataclass(frozen=True)
class EntityMention:
    id: str
    mention_type: str
    extent: CharSpan
    head: CharSpan
    line: int


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    subtype: str | None
    entity_class: str | None
    mentions: tuple[EntityMention, ...]
    line: int


@dataclass(frozen=True)
class RelationMention:
    """One relation mention: the entity-mention ids of its two arguments."""

    id: str
    arg1: str
    arg2: str
    line: int


@dataclass(frozen=True)
class Relation:
    id: str
    type: str
    subtype: str | None
    mentions: tuple[RelationMention, ...]
    line: int


@dataclass(frozen=True)
class ApfDocument:
    path: str
    doc_id: str | None
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]

    def mentions_by_id(self) -> dict[str, tuple[Entity, EntityMention]]:
        """Entity mentions by id, with their entity: what relation arguments refer to."""
        return {m.id: (e, m) for e in self.entities for m in e.mentions}


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def find_all(self, tag: str) -> list[_Node]:
        return [child for child in self.children if child.tag == tag]


def read_apf(path: str | os.PathLike) -> ApfDocument:
    """Parse one apf file; raises `FormatError` (file, line, what was expected) on bad input."""
    root = _parse_xml(path)
    document = root.find_all("document")
    if root.tag != "source_file" or len(document) != 1:
        raise FormatError(path, root.line, "expected <source_file> holding one <document>")
    doc = document[0]
    entities = tuple(_entity(node, path) for node in doc.find_all("entity"))
    relations = tuple(_relation(node, path) for node in doc.find_all("relation"))
    seen: dict[str, int] = {}
    for entity in entities:
        for mention in entity.mentions:
            if mention.id in seen:
                raise FormatError(
                    path, mention.line,
                    f"entity mention id {mention.id!r} already used on line {seen[mention.id]}",
                )
            seen[mention.id] = mention.line
    return ApfDocument(os.fspath(path), doc.attrs.get("DOCID"), entities, relations)


def _parse_xml(path: str | os.PathLike) -> _Node:
    """A small element tree that remembers the line of every element (expat, no DTD loading)."""
    parser = xml.parsers.expat.ParserCreate()
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def data(text: str) -> None:
        if stack:
            stack[-1].text_parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        with open(path, "rb") as handle:
            parser.ParseFile(handle)
    except xml.parsers.expat.ExpatError as error:
        message = xml.parsers.expat.ErrorString(error.code)
        raise FormatError(path, error.lineno, f"expected well-formed XML: {message}") from None
    return roots[0]


def _required(node: _Node, name: str, path: str | os.PathLike) -> str:
    value = node.attrs.get(name)
    if not value:
        raise FormatError(path, node.line, f"<{node.tag}> needs a {name} attribute")
    return value


def _charseq(parent: _Node, what: str, path: str | os.PathLike) -> CharSpan:
    """The single `<charseq>` of the `<extent>` or `<head>` child `what` of `parent`."""
    holders = parent.find_all(what)
    if len(holders) != 1 or len(holders[0].find_all("charseq")) != 1:
        raise FormatError(
            path, parent.line, f"<{parent.tag}> needs one <{what}> holding one <charseq START END>"
        )
    node = holders[0].find_all("charseq")[0]
    try:
        start, end = int(_required(node, "START", path)), int(_required(node, "END", path))
    except ValueError:
        raise FormatError(
            path, node.line, f"expected integer START and END, found {node.attrs}"
        ) from None
    if not 0 <= start <= end:
        raise FormatError(path, node.line, f"expected 0 <= START <= END, found {start}..{end}")
    return CharSpan(start, end, node.text, node.line)


def _entity(node: _Node, path: str | os.PathLike) -> Entity:
    entity_type = _required(node, "TYPE", path)
    if entity_type not in ENTITY_TYPES:
        raise FormatError(
            path, node.line,
            f"entity TYPE {entity_type!r} is not one of the ACE 2005 types "
            f"{' '.join(ENTITY_TYPES)}",
        )
    mentions = tuple(
        EntityMention(
            _required(mention, "ID", path),
            mention.attrs.get("TYPE", ""),
            _charseq(mention, "extent", path),
            _charseq(mention, "head", path),
            mention.line,
        )
        for mention in node.find_all("entity_mention")
    )
    return Entity(
        _required(node, "ID", path), entity_type, node.attrs.get("SUBTYPE"),
        node.attrs.get("CLASS"), mentions, node.line,
    )


def _relation(node: _Node, path: str | os.PathLike) -> Relation:
    mentions = []
    for mention in node.find_all("relation_mention"):
        args: dict[str, str] = {}
        for argument in mention.find_all("relation_mention_argument"):
            role = _required(argument, "ROLE", path)
            if role.startswith("Time-"):
                continue
            if role not in ("Arg-1", "Arg-2") or role in args:
                raise FormatError(
                    path, argument.line,
                    f"expected one Arg-1 and one Arg-2 argument (and Time-* ones), found {role!r}",
                )
            args[role] = _required(argument, "REFID", path)
        if len(args) != 2:
            raise FormatError(
                path, mention.line, "expected a relation mention with Arg-1 and Arg-2 arguments"
            )
        mention_id = _required(mention, "ID", path)
        mentions.append(RelationMention(mention_id, args["Arg-1"], args["Arg-2"], mention.line))
    return Relation(
        _required(node, "ID", path), _required(node, "TYPE", path), node.attrs.get("SUBTYPE"),
        tuple(mentions), node.line,
    )
