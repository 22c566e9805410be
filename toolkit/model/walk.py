"""One walk and one query over the model (as pandoc-types' `Walk`): every step that visits inlines uses these.

Two levels:
- an *inline sequence* is what a block holds directly (a heading's or paragraph's children, a table cell);
  `inline_sequences` lists them in reading order and `map_blocks` rebuilds blocks through a function on them.
- inside a sequence, `query_inlines` and `map_inlines` visit the nodes, entering containers (emphasis, strong,
  links, rendered citations). A `Note` is an atom there: its blocks hold sequences of their own, which the
  block-level functions reach (`into_notes`), right after the sequence that holds the note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from toolkit.model.nodes import (
    Block,
    Cite,
    Code,
    Emph,
    Heading,
    Image,
    Inline,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Rendered,
    Span,
    Strong,
    Styled,
    Table,
    Text,
)

T = TypeVar("T")
InlineSeq = tuple[Inline, ...]


def children(node: Inline) -> InlineSeq:
    """The inline children of a container node; () for every other node."""
    if isinstance(node, (Emph, Strong, Styled, Link, Rendered, Span)):
        return node.children
    return ()


def with_children(node: Inline, kids: InlineSeq) -> Inline:
    """The container node with other children (any other node unchanged)."""
    if isinstance(node, Emph):
        return Emph(kids)
    if isinstance(node, Strong):
        return Strong(kids)
    if isinstance(node, Styled):
        return Styled(node.style, kids)
    if isinstance(node, Link):
        return Link(node.target, kids)
    if isinstance(node, Rendered):
        return Rendered(kids)
    if isinstance(node, Span):
        return Span(node.anchor, kids)
    return node


def query_inlines(fn: Callable[[Inline], Iterable[T]], inlines: Sequence[Inline]) -> list[T]:
    """What `fn` finds in each node of the sequence, in reading order (a container before its children)."""
    found: list[T] = []
    for node in inlines:
        found.extend(fn(node))
        found.extend(query_inlines(fn, children(node)))
    return found


def map_inlines(fn: Callable[[Inline], Inline], inlines: InlineSeq) -> InlineSeq:
    """The sequence with `fn` applied to every node, bottom-up (children first)."""
    return tuple(fn(with_children(node, map_inlines(fn, children(node)))) for node in inlines)


def notes_in(inlines: InlineSeq) -> list[Note]:
    """The notes a sequence holds, in reading order."""
    return query_inlines(lambda node: [node] if isinstance(node, Note) else [], inlines)


def notes_in_order(blocks: Sequence[Block]) -> list[Note]:
    """Every note of the blocks once, in the order of first reference: the body's notes, then the notes those
    notes hold (a note referred to twice is the same object in both places)."""
    found: list[Note] = []
    seen: set[int] = set()
    pending: list[Sequence[Block]] = [blocks]
    while pending:
        for seq in inline_sequences(pending.pop(0), into_notes=False):
            for note in notes_in(seq):
                if id(note) not in seen:
                    seen.add(id(note))
                    found.append(note)
                    pending.append(note.blocks)
    return found


def inline_sequences(blocks: Sequence[Block], into_notes: bool = True) -> Iterator[InlineSeq]:
    """Every inline sequence of the blocks in reading order; with `into_notes`, each note's right after the
    sequence that holds it."""
    for block in blocks:
        if isinstance(block, (Heading, Paragraph)):
            yield from _with_notes(block.children, into_notes)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from inline_sequences(item, into_notes)
        elif isinstance(block, Quote):
            yield from inline_sequences(block.blocks, into_notes)
        else:
            for cell in (*block.header, *(cell for row in block.rows for cell in row)):
                yield from _with_notes(cell, into_notes)


def _with_notes(inlines: InlineSeq, into_notes: bool) -> Iterator[InlineSeq]:
    yield inlines
    if into_notes:
        for note in notes_in(inlines):
            yield from inline_sequences(note.blocks, into_notes)


def query_blocks(fn: Callable[[Inline], Iterable[T]], blocks: Sequence[Block], into_notes: bool = True) -> list[T]:
    """What `fn` finds in every node of the blocks, in reading order."""
    return [found for seq in inline_sequences(blocks, into_notes) for found in query_inlines(fn, seq)]


def map_blocks(
    fn: Callable[[InlineSeq], InlineSeq], blocks: tuple[Block, ...], into_notes: bool = True
) -> tuple[Block, ...]:
    """Rebuild blocks with `fn` applied to every inline sequence, in reading order. With `into_notes`, the
    notes in what `fn` returns are rebuilt the same way after it."""

    def seq(inlines: InlineSeq) -> InlineSeq:
        out = fn(inlines)
        if not into_notes:
            return out
        return map_inlines(lambda node: _mapped_note(node, fn), out)

    def _mapped_note(node: Inline, fn: Callable[[InlineSeq], InlineSeq]) -> Inline:
        return Note(map_blocks(fn, node.blocks), node.origin) if isinstance(node, Note) else node

    return tuple(_map_block(block, seq) for block in blocks)


def _map_block(block: Block, seq: Callable[[InlineSeq], InlineSeq]) -> Block:
    if isinstance(block, Heading):
        return Heading(block.level, seq(block.children))
    if isinstance(block, Paragraph):
        return Paragraph(seq(block.children))
    if isinstance(block, ListBlock):
        items = tuple(tuple(_map_block(inner, seq) for inner in item) for item in block.items)
        return ListBlock(block.ordered, items, block.start)
    if isinstance(block, Quote):
        return Quote(tuple(_map_block(inner, seq) for inner in block.blocks))
    return Table(
        tuple(seq(cell) for cell in block.header),
        tuple(tuple(seq(cell) for cell in row) for row in block.rows),
        block.aligns,
    )


def normalize_space(text: str) -> str:
    """Runs of white space as one space, none at the ends: equal text has one shape."""
    return " ".join(text.split())


def merge_text(inlines: Iterable[Inline]) -> InlineSeq:
    """Join neighbouring Text runs (and drop empty ones) so that equal content has one shape."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif not (isinstance(node, Text) and node.text == ""):
            out.append(node)
    return tuple(out)


def _visible(node: Inline) -> list[str]:
    if isinstance(node, (Text, Code)):
        return [node.text]
    if isinstance(node, Image):
        return [node.alt]
    if isinstance(node, Cite):
        return ["; ".join("@" + item.key for item in node.items)]
    return []


def plain_text(inlines: Sequence[Inline]) -> str:
    """The visible text of inlines (citations as their keys; a note's text is not part of it)."""
    return "".join(query_inlines(_visible, inlines))


def block_text(block: Block) -> str:
    """The visible text of a block and the blocks inside it, space-separated."""
    return " ".join(plain_text(seq) for seq in inline_sequences((block,), into_notes=False))
