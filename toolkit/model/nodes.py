"""The document model: plain typed data that readers produce and writers consume. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


TextStyle = Literal["superscript", "subscript", "small-caps", "underline"]


@dataclass(frozen=True)
class Styled:
    """Text a citation processor set in a style Markdown has no syntax for (CSL's vertical-align, font-variant
    and text-decoration): "21<sup>st</sup>", small-caps author names."""

    style: TextStyle
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


NoteOrigin = Literal["author", "citation"]


@dataclass(frozen=True)
class Note:
    """A footnote where it is referenced, holding its blocks (Pandoc's `Note [Block]`).

    `origin` says who made it: the summary's author (`[^n]`), or the citation processor (a note style)."""

    blocks: tuple[Block, ...]
    origin: NoteOrigin = "author"


@dataclass(frozen=True)
class Rendered:
    """Citation text as the CSL processor produced it; never translated."""

    children: tuple[Inline, ...]


MediaType = Literal["image/png", "image/jpeg", "image/gif"]


@dataclass(frozen=True)
class Span:
    """Inlines with an identifier (Pandoc's `Span`): the translation marks each target-language segment, and
    the citations, notes and formatting inside it, so that changes an editor makes in the Word file can be tied
    back to them (Word bookmarks; the PDF shows only the children)."""

    anchor: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Image:
    """A picture, already read and checked by the reader: its bytes travel in the model, never a path or URL."""

    data: bytes
    media_type: MediaType
    alt: str = ""


Inline = Text | Emph | Strong | Styled | Code | Link | Cite | Note | Rendered | Span | Image
Container = Emph | Strong | Styled | Link | Rendered | Span  # inlines whose children are inlines of the same sequence

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


Alignment = Literal["", "left", "center", "right"]


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    aligns: tuple[Alignment, ...] = ()


Block = Heading | Paragraph | ListBlock | Quote | Table


@dataclass(frozen=True)
class SummaryMeta:
    title: str
    source: str
    date: str = ""
    summarized_by: str = ""
    lang: str = "en"
    nocite: tuple[str, ...] = ()  # keys listed in the bibliography without a citation (Pandoc's; "*": all)
    nocite_line: int = 0  # its line in the front matter, for errors about its keys


@dataclass(frozen=True)
class Document:
    """One summary: its title and body blocks (footnotes are `Note` inlines inside them)."""

    meta: SummaryMeta
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]
    lang: str = "en"
    source_path: str = ""


@dataclass(frozen=True)
class Edition:
    """One language half of a packet: its summaries with citations rendered, and its bibliography."""

    lang: str
    documents: tuple[Document, ...]
    bibliography: tuple[Block, ...]
