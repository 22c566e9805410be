"""The document model: plain typed data that readers produce and writers consume. No I/O here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    target: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class CiteItem:
    key: str
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False


@dataclass(frozen=True)
class Cite:
    """A Pandoc-style citation: `[see @a, p. 4; @b]`, or author-in-text `@a`."""

    items: tuple[CiteItem, ...]
    in_text: bool = False
    line: int = 0


@dataclass(frozen=True)
class NoteRef:
    note_id: str


@dataclass(frozen=True)
class Rendered:
    """Citation text as the CSL processor produced it; never translated."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Image:
    """A picture, already read and checked by the reader: its bytes travel in the model, never a path or URL."""

    data: bytes
    media_type: str  # image/png, image/jpeg or image/gif
    alt: str = ""


Inline = Text | Emph | Strong | Code | Link | Cite | NoteRef | Rendered | Image

SAFE_LINK_PREFIXES = ("http://", "https://", "mailto:", "#")


def is_safe_link(target: str) -> bool:
    """Only web, e-mail and in-document links: never javascript:, data:, file: or anything else."""
    return target.strip().lower().startswith(SAFE_LINK_PREFIXES)


@dataclass(frozen=True)
class Heading:
    level: int
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    start: int = 1


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    aligns: tuple[str, ...] = ()


Block = Heading | Paragraph | ListBlock | Quote | Table


@dataclass(frozen=True)
class SummaryMeta:
    title: str
    source: str
    date: str = ""
    summarized_by: str = ""
    lang: str = "en"


@dataclass(frozen=True)
class Document:
    """One summary: its title, body blocks and footnotes (id -> blocks, in order of definition)."""

    meta: SummaryMeta
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]
    notes: dict[str, tuple[Block, ...]] = field(default_factory=dict)
    lang: str = "en"
    source_path: str = ""


@dataclass(frozen=True)
class Edition:
    """One language half of a packet: its summaries with citations rendered, and its bibliography."""

    lang: str
    documents: tuple[Document, ...]
    bibliography: tuple[Block, ...]
    labels: dict[str, str] = field(default_factory=dict)


InlineMap = Callable[[tuple[Inline, ...]], tuple[Inline, ...]]


def map_blocks(blocks: tuple[Block, ...], fn: InlineMap) -> tuple[Block, ...]:
    """Rebuild blocks with `fn` applied to every inline sequence, in reading order."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(Heading(block.level, fn(block.children)))
        elif isinstance(block, Paragraph):
            out.append(Paragraph(fn(block.children)))
        elif isinstance(block, ListBlock):
            out.append(ListBlock(block.ordered, tuple(map_blocks(item, fn) for item in block.items), block.start))
        elif isinstance(block, Quote):
            out.append(Quote(map_blocks(block.blocks, fn)))
        else:
            out.append(
                Table(
                    tuple(fn(cell) for cell in block.header),
                    tuple(tuple(fn(cell) for cell in row) for row in block.rows),
                    block.aligns,
                )
            )
    return tuple(out)


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The visible text of inlines (citations as their keys)."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            parts.append(node.text)
        elif isinstance(node, Image):
            parts.append(node.alt)
        elif isinstance(node, (Emph, Strong, Link, Rendered)):
            parts.append(plain_text(node.children))
        elif isinstance(node, Cite):
            parts.append("; ".join("@" + item.key for item in node.items))
    return "".join(parts)
