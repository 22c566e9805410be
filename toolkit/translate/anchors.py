"""Anchors: names that tie a target-language segment in the packet's Word file back to the memory.

A segment's `Span` is named `_bk` + its id's key + the fingerprint of its English + the fingerprint of the
target and status it was built from (its *base*) + the fingerprint of the text a reader sees; the citations,
notes and formatting inside are `Span`s named `_bx` + the id's key + `_` + their slot number. The Word writer
writes each as a bookmark (a name of at most 40 characters, hidden in Word's list because it starts with `_`),
which Word and LibreOffice keep through editing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from toolkit.model import (
    Code,
    Document,
    Image,
    Inline,
    Note,
    Span,
    Text,
    children,
    map_blocks,
    map_inlines,
    normalize_space,
)

OBJECT = "\ufffc"  # stands for a note reference or a picture in the visible text
SEGMENT_ANCHOR = re.compile(r"_bk(?P<key>[0-9a-f]{10})(?P<en>[0-9a-f]{8})(?P<base>[0-9a-f]{8})(?P<seen>[0-9a-f]{8})?")
OUTSIDE_ANCHOR = re.compile(r"_bo(?P<seen>[0-9a-f]{8})[0-9a-f]{4}")
SLOT_ANCHOR = re.compile(r"_bx(?P<key>[0-9a-f]{10})_(?P<n>\d{1,4})")


def segment_key(segment_id: str) -> str:
    return hashlib.sha1(segment_id.encode("utf-8")).hexdigest()[:10]


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class SegmentAnchor:
    key: str  # segment_key of the segment id
    english: str  # fingerprint of the English markup
    base: str  # target_fingerprint of the target and status the file was built from
    seen: str = ""  # fingerprint of the visible text as built ("" until sealed)

    @property
    def name(self) -> str:
        return f"_bk{self.key}{self.english}{self.base}{self.seen}"

    @staticmethod
    def parse(name: str) -> SegmentAnchor | None:
        m = SEGMENT_ANCHOR.match(name)  # LibreOffice may add "_Copy_1" (cut at 40 characters)
        return SegmentAnchor(m["key"], m["en"], m["base"], m["seen"] or "") if m else None


def is_segment_anchor(name: str) -> bool:
    return SEGMENT_ANCHOR.match(name) is not None


def slot_anchor_for_key(key: str, n: int) -> str:
    """The anchor name of slot `n` of the segment whose id has this `segment_key`."""
    return f"_bx{key}_{n}"


def parse_slot_anchor(name: str) -> tuple[str, int] | None:
    """(segment key, slot number) of a slot anchor's name."""
    m = SLOT_ANCHOR.match(name)
    return (m["key"], int(m["n"])) if m else None


def visible_text(inlines: tuple[Inline, ...]) -> str:
    """What a reader of the Word file sees of the inlines, spaces folded: text, and one OBJECT character for each
    note reference or picture (notes inside a note are not written, so they are not seen)."""
    parts: list[str] = []

    def visit(nodes: tuple[Inline, ...]) -> None:
        for node in nodes:
            if isinstance(node, (Text, Code)):
                parts.append(node.text)
            elif isinstance(node, (Note, Image)):
                parts.append(OBJECT)
            else:
                visit(children(node))

    visit(inlines)
    return normalize_space("".join(parts))


def seen_fingerprint(text: str) -> str:
    return _short_hash(normalize_space(text))


def seal_anchors(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Segment anchors completed with the fingerprint of what their text looks like once citations are
    rendered: an import tells an untouched segment from an edited one by it."""

    def seal(node: Inline) -> Inline:
        if isinstance(node, Span):
            anchor = SegmentAnchor.parse(node.anchor)
            if anchor is not None and not anchor.seen:
                seen = seen_fingerprint(visible_text(node.children))
                return Span(SegmentAnchor(anchor.key, anchor.english, anchor.base, seen).name, node.children)
        return node

    return map_inlines(seal, inlines)


def seal_document(document: Document) -> Document:
    """`seal_anchors` over a whole document, notes included."""
    return replace(document, title=seal_anchors(document.title), blocks=map_blocks(seal_anchors, document.blocks))


def english_fingerprint(markup: str) -> str:
    """The fingerprint of a segment's English markup (review files carry it: "the English has not changed")."""
    return _short_hash(normalize_space(markup))


def outside_anchor(text: str, n: int) -> str:
    """The name of the point bookmark that starts a paragraph outside every segment (the other language's
    half, labels, bibliography): the fingerprint of its text as built, and a number to keep names unique. An
    import tells by it that such text was changed with tracking off, which it cannot import."""
    return f"_bo{seen_fingerprint(text)}{n % 0x10000:04x}"


def parse_outside_anchor(name: str) -> str | None:
    """The fingerprint an outside paragraph's bookmark records."""
    m = OUTSIDE_ANCHOR.match(name)
    return m["seen"] if m else None
