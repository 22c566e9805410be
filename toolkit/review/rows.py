"""Editor review: export a packet's Spanish for review (Word table, XLIFF), import the corrections into the
translation memory after checking them, and report how far review has come."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Literal

from toolkit.errors import BriefkitError
from toolkit.model import Cite, Code, Emph, Image, Link, Note, Strong, Text, plain_text
from toolkit.read.markdown import read_documents
from toolkit.read.packet import Packet, load_packet
from toolkit.translate.glossary import Glossary, load_glossary
from toolkit.translate.memory import Status, TranslationMemory, Unit, normalize
from toolkit.translate.protect import Protector
from toolkit.translate.qa import check_translation
from toolkit.translate.segments import MARKUP, PlaceholderError, Segment, restore
from toolkit.translate.translator import PacketSegment, SegmentResult, document_segments

TOKEN = re.compile(r"\{(/?)(\d+)(?::[^{}]*)?\}")
RowStatus = Status | Literal["untranslated"]
STATUS_WORDS: dict[str, Status] = {
    "machine": "machine",
    "máquina": "machine",
    "reviewed": "reviewed",
    "revisado": "reviewed",
    "approved": "approved",
    "aprobado": "approved",
}


@dataclass(frozen=True)
class ReviewRow:
    """One segment as the editor sees it."""

    item: PacketSegment
    document_title: str
    fingerprint: str  # of the English markup: tells an import that the English has not changed since
    target: str  # Spanish markup
    status: RowStatus
    earlier: str  # a person's Spanish for this segment's earlier English, when the English changed


@dataclass(frozen=True)
class Correction:
    """One row of an edited review file."""

    segment_id: str
    fingerprint: str
    target_text: str  # with {N} tokens (DOCX) or markup (XLIFF)
    status: str
    is_markup: bool = False


def fingerprint(markup: str) -> str:
    return hashlib.sha1(normalize(markup).encode("utf-8")).hexdigest()[:8]


def _packet_segments(packet: Packet) -> tuple[list[tuple[str, PacketSegment]], Glossary]:
    glossary = load_glossary(packet.glossary)
    protect = Protector(glossary, packet.number_style)
    found: list[tuple[str, PacketSegment]] = []
    for doc in read_documents(packet):
        title = plain_text(doc.title)
        found.extend((title, item) for item in document_segments(doc, protect) if item.segment.has_text)
    return found, glossary


def review_rows(packet: Packet, memory: TranslationMemory) -> list[ReviewRow]:
    """The packet's segments with their Spanish from the memory (the packet must have been built)."""
    pair = packet.translation_pair
    segments, _ = _packet_segments(packet)
    units = memory.lookup([item.segment.markup for _, item in segments], pair)
    stale = memory.stale_reviews({item.id: item.segment.markup for _, item in segments}, pair)
    rows = []
    for title, item in segments:
        unit = units.get(normalize(item.segment.markup))
        earlier = stale[item.id].target if item.id in stale and (unit is None or unit.status == "machine") else ""
        rows.append(
            ReviewRow(
                item,
                title,
                fingerprint(item.segment.markup),
                unit.target if unit else "",
                unit.status if unit else "untranslated",
                earlier,
            )
        )
    return rows


# --- tokens: what an editor sees in place of the markup ---------------------------------------------------


def slot_label(segment: Segment, n: int, english: bool) -> str:
    node = segment.slots[n]
    if isinstance(node, Text):
        if english:
            texts = [i for i, v in sorted(segment.slots.items()) if isinstance(v, Text)]
            return segment.protected[texts.index(n)]
        return node.text
    if isinstance(node, Cite):
        return "; ".join("@" + item.key + item.suffix for item in node.items)
    if isinstance(node, Note):
        return "note" if english else "nota"
    if isinstance(node, Code):
        return node.text
    if isinstance(node, Image):
        return ("image" if english else "imagen") + (f": {node.alt}" if node.alt else "")
    return ""


def visible(markup: str, segment: Segment, english: bool) -> list[tuple[str, bool]]:
    """Markup as (text, is_token) pieces: `{1}`…`{/1}` around formatted text, `{2: label}` for protected spans."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in MARKUP.finditer(markup):
        pieces.append((unescape(markup[pos : m.start()]), False))
        if m.group(1):
            pieces.append((f"{{{m.group(1)}}}", True))
        elif m.group(2):
            pieces.append((f"{{/{m.group(2)}}}", True))
        else:
            n = int(m.group(3))
            pieces.append((f"{{{n}: {slot_label(segment, n, english)}}}", True))
        pos = m.end()
    pieces.append((unescape(markup[pos:]), False))
    return [(text, token) for text, token in pieces if text]


def markup_from_tokens(text: str, segment: Segment) -> str:
    """An editor's text with tokens back into segment markup; unknown tokens are errors."""
    out = []
    pos = 0
    for m in TOKEN.finditer(text):
        out.append(escape(text[pos : m.start()], quote=False))
        n = int(m.group(2))
        node = segment.slots.get(n)
        if node is None:
            raise PlaceholderError(f"there is no protected token {{{n}}} in this segment")
        paired = isinstance(node, (Emph, Strong, Link))
        if paired:
            out.append(f"</g{n}>" if m.group(1) else f"<g{n}>")
        elif m.group(1):
            raise PlaceholderError(f"{{/{n}}} closes nothing")
        else:
            out.append(f"<x{n}/>")
        pos = m.end()
    out.append(escape(text[pos:], quote=False))
    return normalize("".join(out))


# --- import ---------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    imported: list[str]
    unchanged: int
    rejected: list[tuple[str, str]]  # segment id, why


def import_corrections(
    packet: Packet, memory: TranslationMemory, corrections: list[Correction], editor: str
) -> ImportReport:
    """Check each correction and store the good ones as reviewed/approved; the rest are listed, not stored."""
    pair = packet.translation_pair
    segments, glossary = _packet_segments(packet)
    by_id = {item.id: item for _, item in segments}
    current = memory.lookup([item.segment.markup for _, item in segments], pair)
    report = ImportReport([], 0, [])
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    good: list[Unit] = []
    for c in corrections:
        item = by_id.get(c.segment_id)
        if item is None:
            report.rejected.append((c.segment_id, "the packet has no such segment now; export again"))
            continue
        if c.fingerprint != fingerprint(item.segment.markup):
            report.rejected.append((c.segment_id, "the English of this segment changed since the export; export again"))
            continue
        status = STATUS_WORDS.get(c.status.strip().lower())
        if status is None:
            report.rejected.append((c.segment_id, f"unknown status {c.status!r} (machine, reviewed or approved)"))
            continue
        try:
            markup = normalize(c.target_text) if c.is_markup else markup_from_tokens(c.target_text, item.segment)
            target = restore(item.segment, markup, text_slots_optional=True)
        except PlaceholderError as exc:
            report.rejected.append((c.segment_id, f"protected tokens: {exc}; copy them from the English column"))
            continue
        result = SegmentResult(item.source, target, tuple(item.segment.protected), "reviewed", item.id)
        problems = [f.message for f in check_translation([result], glossary) if f.severity == "error"]
        if problems:
            report.rejected.append((c.segment_id, "; ".join(problems)))
            continue
        unit = current.get(normalize(item.segment.markup))
        same_text = unit is not None and normalize(unit.target) == markup
        if same_text and (status == "machine" or (unit is not None and unit.status == status)):
            report.unchanged += 1
            continue
        if status == "machine":
            status = "reviewed"  # the editor changed the text: a person's translation now
        good.append(Unit(item.segment.markup, markup, status, "editor", "", editor, now, item.id))
        report.imported.append(c.segment_id)
    memory.store_units(good, pair)
    return report


def review_status(packet: Packet, memory: TranslationMemory) -> dict[str, dict[str, int]]:
    """Counts per summary and status (needs-review counted apart)."""
    counts: dict[str, dict[str, int]] = {}
    for row in review_rows(packet, memory):
        summary = counts.setdefault(row.item.id.rsplit("-", 1)[0], {})
        summary[row.status] = summary.get(row.status, 0) + 1
        if row.earlier:
            summary["needs-review"] = summary.get("needs-review", 0) + 1
    return counts


def packet_from_file(identifier: str, override: Path | None, source: Path, allow_outside: bool = False) -> Packet:
    path = override or (Path(identifier) if identifier else None)
    if path is None:
        raise BriefkitError("the review file does not say which packet it is for", source, hint="give --packet")
    return load_packet(path, allow_outside)
