"""The whole packet as writers see it: cover data, layout, and one Edition per language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from toolkit.dates import format_date
from toolkit.model import Document, Edition, plain_text

LABELS = {
    "en": {
        "contents": "Contents",
        "bibliography": "Bibliography",
        "edition": "English edition",
        "summarized_by": "Summarized by",
        "language_names": "English · Spanish",
        "machine_note": "The Spanish edition was machine-translated offline ({engine}).",
        "languages": "Languages",
        "page": "Page",
    },
    "es": {
        "contents": "Índice",
        "bibliography": "Bibliografía",
        "edition": "Edición en español",
        "summarized_by": "Resumen de",
        "language_names": "inglés · español",
        "machine_note": "La edición en español se tradujo automáticamente sin conexión ({engine}).",
        "languages": "Idiomas",
        "page": "Página",
    },
}


def labels_for(lang: str) -> dict[str, str]:
    return dict(LABELS[lang[:2]])


@dataclass(frozen=True)
class PacketBook:
    id: str
    title: str
    subtitle: str
    organization: str
    date: str
    layout: str
    editions: tuple[Edition, ...]
    engine_note: str
    timestamp: dt.datetime

    @property
    def cover_lines(self) -> list[str]:
        lang = self.editions[0].lang
        lines = [self.organization] if self.organization else []
        if self.date:
            lines.append(format_date(self.date, lang))
        lines.append(f"{labels_for(lang)['languages']}: {labels_for(lang)['language_names']}")
        lines.append(self.engine_note)
        return lines

    def toc(self, edition: Edition) -> list[tuple[str, str, int]]:
        """(anchor, text, level) entries for one edition."""
        entries = [(f"edition-{edition.lang}", edition.labels["edition"], 1)]
        for n, doc in enumerate(edition.documents, 1):
            entries.append((f"{edition.lang}-{n}", plain_text(doc.title), 2))
        entries.append((f"{edition.lang}-bibliography", edition.labels["bibliography"], 2))
        return entries

    def summary_meta(self, edition: Edition, document: Document) -> str:
        parts = []
        if document.meta.summarized_by:
            parts.append(f"{edition.labels['summarized_by']} {document.meta.summarized_by}")
        if document.meta.date:
            parts.append(format_date(document.meta.date, edition.lang))
        return " · ".join(parts)
