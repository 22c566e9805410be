"""The whole packet as writers see it: cover data, layout, one Edition per language, and their labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from toolkit.model import (
    Block,
    Document,
    Edition,
    Heading,
    Inline,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Table,
    Text,
    plain_text,
)
from toolkit.model.dates import format_date
from toolkit.read.packet import Layout


@dataclass(frozen=True)
class Labels:
    """The words a packet prints around its content, in one language."""

    contents: str
    bibliography: str
    edition: str
    summarized_by: str
    language_names: dict[str, str]  # "en"/"es" -> the language's name in this edition's language
    machine_note: str  # with {target} (the translated edition's language, named in this one) and {engine}
    mixed_note: str  # a packet written in both languages: with {engine} and {directions}
    direction: str  # one direction of a mixed packet: with {source}, {target} and {titles}
    quoted: str  # a title quoted, with {title}
    languages: str
    note: str  # with {n}: a link to a footnote, described
    note_call: str  # with {n}: the link back from a footnote to where it is called


LABELS = {
    "en": Labels(
        contents="Contents",
        bibliography="Bibliography",
        edition="English edition",
        summarized_by="Summarized by",
        language_names={"en": "English", "es": "Spanish"},
        machine_note="The {target} edition was machine-translated offline ({engine}).",
        mixed_note="Machine-translated offline ({engine}): {directions}.",
        direction="from {source} into {target}, {titles}",
        quoted="“{title}”",
        languages="Languages",
        note="Note {n}",
        note_call="Back to the text of note {n}",
    ),
    "es": Labels(
        contents="Índice",
        bibliography="Bibliografía",
        edition="Edición en español",
        summarized_by="Resumen de",
        language_names={"en": "inglés", "es": "español"},
        machine_note="La edición en {target} se tradujo automáticamente sin conexión ({engine}).",
        mixed_note="Traducción automática sin conexión ({engine}): {directions}.",
        direction="del {source} al {target}, {titles}",
        quoted="«{title}»",
        languages="Idiomas",
        note="Nota {n}",
        note_call="Volver al texto de la nota {n}",
    ),
}


def labels_for(lang: str) -> Labels:
    return LABELS[lang[:2]]


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    text: str
    level: int


@dataclass(frozen=True)
class PacketBook:
    id: str
    title: str
    subtitle: str
    organization: str
    date: str
    layout: Layout
    editions: tuple[Edition, ...]
    engine_note: str
    timestamp: dt.datetime

    @property
    def cover_lines(self) -> list[str]:
        lang = self.editions[0].lang
        labels = labels_for(lang)
        lines = [self.organization] if self.organization else []
        if self.date:
            lines.append(format_date(self.date, lang))
        names = (labels.language_names[edition.lang[:2]] for edition in self.editions)
        lines.append(f"{labels.languages}: " + " · ".join(names))
        lines.append(self.engine_note)
        return lines

    def toc(self, edition: Edition) -> list[TocEntry]:
        """The contents entries of one edition."""
        labels = labels_for(edition.lang)
        entries = [TocEntry(f"edition-{edition.lang}", labels.edition, 1)]
        for n, doc in enumerate(edition.documents, 1):
            entries.append(TocEntry(f"{edition.lang}-{n}", plain_text(doc.title), 2))
        entries.append(TocEntry(f"{edition.lang}-bibliography", labels.bibliography, 2))
        return entries

    def anchor_labels(self) -> dict[str, str]:
        """The words of every place an internal link leads to (the contents entries), by anchor."""
        return {entry.anchor: entry.text for edition in self.editions for entry in self.toc(edition)}

    def summary_meta(self, edition: Edition, document: Document) -> str:
        parts = []
        if document.meta.summarized_by:
            parts.append(f"{labels_for(edition.lang).summarized_by} {document.meta.summarized_by}")
        if document.meta.date:
            parts.append(format_date(document.meta.date, edition.lang))
        return " · ".join(parts)


@dataclass(frozen=True)
class NoteLine:
    """One line of a footnote as both writers set it. A note is set in small type at the foot of the page,
    so its blocks become lines: a list item keeps its marker and indent, a quote is indented and italic."""

    kind: Literal["paragraph", "item", "quote"]
    depth: int  # indent steps: list nesting plus quote nesting
    marker: str  # "•" or "3." for a list item, else ""
    inlines: tuple[Inline, ...]


def note_lines(note: Note) -> list[NoteLine]:
    """The note's blocks, in order, as lines."""
    return _lines(note.blocks, depth=0, quoted=False)


def _lines(blocks: tuple[Block, ...], depth: int, quoted: bool) -> list[NoteLine]:
    lines: list[NoteLine] = []
    plain: Literal["paragraph", "quote"] = "quote" if quoted else "paragraph"
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            lines.append(NoteLine(plain, depth, "", block.children))
        elif isinstance(block, Quote):
            lines.extend(_lines(block.blocks, depth + 1, quoted=True))
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, block.start):
                inner = _lines(item, depth + 1, quoted)
                marker = f"{number}." if block.ordered else "•"
                if inner and inner[0].kind != "item":  # the item's first paragraph carries its marker
                    inner[0] = NoteLine("item", depth + 1, marker, inner[0].inlines)
                else:
                    inner.insert(0, NoteLine("item", depth + 1, marker, ()))
                lines.extend(inner)
        elif isinstance(block, Table):  # a table in a note: one line per row, cells apart
            for row in (block.header, *block.rows):
                cells: list[Inline] = []
                for i, cell in enumerate(row):
                    cells.extend(((Text(" · "),) if i else ()) + cell)
                lines.append(NoteLine(plain, depth, "", tuple(cells)))
    return lines
