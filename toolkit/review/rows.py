"""The review rows of a packet: each target-language segment with its memory entry, its base, its notes, and the
tokens an editor sees in place of the protected parts."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape, unescape
from typing import Literal

from toolkit.cite.bibliography import Bibliography, Reference, load_bibliography
from toolkit.errors import BriefkitError
from toolkit.model import Cite, Code, Emph, Image, Inline, Link, Note, Strong, Text, plain_text
from toolkit.read.markdown import read_documents
from toolkit.read.packet import Packet
from toolkit.review.fuzzy_match import FuzzyMatch
from toolkit.translate.anchors import english_fingerprint
from toolkit.translate.glossary import Glossary, load_glossary
from toolkit.translate.memory import EditorNote, Status, TranslationMemory, Unit, normalize
from toolkit.translate.qa import check_translation
from toolkit.translate.segment_table import (
    SegmentTable,
    TableRow,
    earlier_reviews,
    in_context_units,
    segment_table,
)
from toolkit.translate.segments import MARKUP, PlaceholderError, Segment, restore
from toolkit.translate.translator import SegmentResult, printed_target

TOKEN = re.compile(r"\{(/?)(\d{1,4})(?:[ :][^{}]*)?\}")
RowStatus = Status | Literal["untranslated"]
STATUS_WORDS: dict[str, Status] = {
    "machine": "machine",
    "máquina": "machine",
    "maquina": "machine",
    "mt": "machine",
    "reviewed": "reviewed",
    "revisado": "reviewed",
    "revisada": "reviewed",
    "approved": "approved",
    "aprobado": "approved",
    "aprobada": "approved",
    "final": "approved",
}


@dataclass(frozen=True)
class ReviewRow:
    """One segment as the editor sees it."""

    item: TableRow
    document_title: str
    fingerprint: str  # of the English markup: tells an import that the English has not changed since
    target: str  # target-language markup
    status: RowStatus
    base: str  # target_fingerprint of target and status: what an import compares the memory with ("" if none)
    earlier: str  # a person's target for this segment's earlier English, when the English changed
    notes: tuple[EditorNote, ...] = ()
    unknown: tuple[str, ...] = ()  # words the engine did not know (machine translations only)
    source_lang: str = "en-US"  # the summary's language, and the one it is translated into
    target_lang: str = "es-ES"
    findings: tuple[str, ...] = ()  # what the QA checks say of a person's translation: flagged, never refused
    matches: tuple[FuzzyMatch, ...] = ()  # the memory's person-made units for similar sources (`with_matches`)

    @property
    def pair(self) -> str:
        """The memory's language pair of this segment ("en-es", or "es-en" for a summary written in Spanish)."""
        return self.item.direction.pair


@dataclass(frozen=True)
class PacketReview:
    """Everything a review export or import needs of a packet."""

    packet: Packet
    rows: list[ReviewRow]
    glossary: Glossary
    bibliography: Bibliography

    def by_id(self) -> dict[str, ReviewRow]:
        return {row.item.id: row for row in self.rows}


def parse_status(text: str) -> Status | None:
    """A status as an editor may write it: any case, English or Spanish; None if it is none of them."""
    return STATUS_WORDS.get(text.strip().lower().strip(".")) if text.strip() else None


def status_hint(text: str) -> str:
    close = difflib.get_close_matches(text.strip().lower(), list(STATUS_WORDS), n=1, cutoff=0.6)
    return f"did you mean “{close[0]}”?" if close else "write machine, reviewed or approved"


@dataclass(frozen=True)
class PacketSource:
    """What a packet's review rows are made of that depends on its input files alone, never on the memory: the
    segment table of its summaries, their titles, its glossary and bibliography."""

    packet: Packet
    table: SegmentTable
    titles: tuple[str, ...]  # each summary's title as text, by its index in the packet
    glossary: Glossary
    bibliography: Bibliography


def packet_source(packet: Packet) -> PacketSource:
    """Read the packet's summaries, glossary and bibliography, and make its segment table."""
    glossary = load_glossary(packet.glossary, packet.term_base)
    bibliography = load_bibliography(packet.bibliography)
    documents = read_documents(packet)
    table = segment_table(documents, packet.languages, glossary, packet.number_style, bibliography.names())
    return PacketSource(packet, table, tuple(plain_text(doc.title) for doc in documents), glossary, bibliography)


def packet_review(packet: Packet, memory: TranslationMemory) -> PacketReview:
    """The packet's segments that have text, with their target from the memory as it prints and their notes;
    each summary in its own direction (a packet may hold summaries written in either language)."""
    return review_rows(packet_source(packet), memory)


def review_rows(source: PacketSource, memory: TranslationMemory, only: frozenset[str] | None = None) -> PacketReview:
    """The review rows of the source's segments that have text (of those with an id in `only`, when given),
    from the memory as it is now; for `only`, the memory is asked about those segments alone."""
    glossary = source.glossary
    rows: list[ReviewRow] = []
    for direction in source.table.directions():
        every = [row for row in source.table.of_direction(direction) if row.has_text]
        found = every if only is None else [row for row in every if row.id in only]
        if not found:
            continue
        units = memory.lookup([row.segment.markup for row in found], direction.pair)
        own = in_context_units(found, memory, direction.pair)  # a person's translation of that very segment
        keyed = {row.id: own.get(row.id) or units.get(row.memory_key) for row in found}
        current = {ident: unit for ident, unit in keyed.items() if unit is not None}
        # an earlier review is looked for only where no person has translated the segment as it reads now
        translated = {ident for ident, unit in current.items() if unit.status != "machine"}
        waiting = sorted({row.summary for row in found if row.id not in translated})
        people = memory.people_units(direction.pair, () if only is None else waiting) if waiting else []
        earlier = earlier_reviews(found, people, current, {row.id for row in every})
        notes: dict[str, list[EditorNote]] = {}
        for note in memory.notes(direction.pair, None if only is None else [row.id for row in found]):
            notes.setdefault(note.segment, []).append(note)
        glossary_used = glossary.reversed() if direction.rules.glossary_reversed else glossary
        for row in found:
            unit = current.get(row.id)
            # approved: a reviewer accepted the editor's choice
            flagged = person_findings(row, unit, glossary_used) if unit and unit.status == "reviewed" else ()
            rows.append(
                ReviewRow(
                    row,
                    source.titles[row.document],
                    english_fingerprint(row.segment.markup),
                    printed_target(direction, row.segment, unit) if unit else "",
                    unit.status if unit else "untranslated",
                    unit.fingerprint if unit else "",
                    earlier[row.id].target if row.id in earlier else "",
                    tuple(notes.get(row.id, ())),
                    tuple(unit.unknown.split()) if unit and unit.status == "machine" else (),
                    direction.source,
                    direction.target,
                    flagged,
                )
            )
    rows.sort(key=lambda row: row.item.document)  # in the packet's order
    return PacketReview(source.packet, rows, glossary, source.bibliography)


def person_findings(row: TableRow, unit: Unit, glossary: Glossary) -> tuple[str, ...]:
    """The QA errors on a person's translation (a term other than the glossary's, a figure written out): the
    editor's choice, stored as written and shown until someone changes or approves it."""
    try:
        target = restore(row.segment, unit.target, text_slots_optional=True)
    except PlaceholderError:
        return ()
    source_lang = row.direction.source_language
    result = SegmentResult(row.source, target, tuple(row.segment.protected), unit.status, row.id, "", (), source_lang)
    found = tuple(f.message for f in check_translation([result], glossary) if f.severity == "error")
    if normalize(unit.target) == normalize(row.segment.markup):
        found += (f"the translation only copies the {row.direction.source_name} text",)
    return found


# --- tokens: what an editor sees in place of the markup ---------------------------------------------------


def _author_year(reference: Reference | None, key: str) -> str:
    """ "Rose 2023" for a citation token (the key if the entry has no author or date)."""
    if reference is None:
        return "@" + key
    csl = reference.csl
    people = csl.get("author") or csl.get("editor") or []
    first = people[0] if isinstance(people, list) and people and isinstance(people[0], dict) else {}
    name = str(first.get("family") or first.get("literal") or "")
    issued = csl.get("issued")
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    year = str(parts[0][0]) if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] else ""
    return " ".join(p for p in (name, year) if p) or "@" + key


def slot_kind(segment: Segment, n: int) -> str:
    """What slot `n` stands for, in a word: term, name, number, date, money, url, email, cite, note, code,
    image, em, strong, link."""
    node = segment.slots[n]
    if isinstance(node, Text) or n in segment.kinds:
        return segment.kinds.get(n, "term")
    return {Cite: "cite", Note: "note", Code: "code", Image: "image", Emph: "em", Strong: "strong", Link: "link"}.get(
        type(node), "slot"
    )


def slot_label(segment: Segment, n: int, english: bool, bibliography: Bibliography | None = None) -> str:
    """What slot `n` shows: a protected span's text (in the column's language), a citation's author and year,
    a link's address, a picture's description."""
    node: Inline = segment.slots[n]
    if isinstance(node, Text):
        if english:
            texts = [i for i, v in sorted(segment.slots.items()) if isinstance(v, Text)]
            return segment.protected[texts.index(n)]
        return node.text
    if isinstance(node, Cite):
        items = bibliography.items if bibliography else {}
        return "; ".join(_author_year(items.get(item.key), item.key) + item.suffix for item in node.items)
    if isinstance(node, Code):
        return node.text
    if isinstance(node, Image):
        return node.alt
    if isinstance(node, Emph) and not segment.paired(n):
        return plain_text(node.children)
    if isinstance(node, Link):
        return node.target
    return ""


def token(segment: Segment, n: int, english: bool, bibliography: Bibliography | None, closing: bool = False) -> str:
    """`{2 cite: Rose 2023}`, `{1 link: https://…}` … `{/1}`, `{3 note}`."""
    if closing:
        return f"{{/{n}}}"
    label = slot_label(segment, n, english, bibliography).replace("{", "(").replace("}", ")")
    return f"{{{n} {slot_kind(segment, n)}" + (f": {label}}}" if label else "}")


def visible(
    markup: str, segment: Segment, english: bool, bibliography: Bibliography | None = None
) -> list[tuple[str, bool]]:
    """Markup as (text, is_token) pieces."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in MARKUP.finditer(markup):
        pieces.append((unescape(markup[pos : m.start()]), False))
        n = int(m.group(1) or m.group(2) or m.group(3))
        pieces.append((token(segment, n, english, bibliography, closing=bool(m.group(2))), True))
        pos = m.end()
    pieces.append((unescape(markup[pos:]), False))
    return [(text, is_token) for text, is_token in pieces if text]


def as_seen(markup: str, segment: Segment, bibliography: Bibliography | None = None) -> str:
    """Target markup as an editor sees it in a review file: text with its tokens (`… en {2 number: 2023} …`)."""
    return "".join(text for text, _ in visible(markup, segment, False, bibliography))


def markup_from_tokens(text: str, segment: Segment) -> str:
    """An editor's text with tokens back into segment markup; unknown tokens are errors."""
    out = []
    pos = 0
    for m in TOKEN.finditer(text):
        out.append(escape(text[pos : m.start()], quote=False))
        n = int(m.group(2))
        node = segment.slots.get(n)
        if node is None:
            raise BriefkitError(f"there is no token {{{n}}} in this segment")
        if segment.paired(n):
            out.append(f"</g{n}>" if m.group(1) else f"<g{n}>")
        elif m.group(1):
            raise BriefkitError(f"{{/{n}}} closes nothing: token {n} is not formatting")
        else:
            out.append(f"<x{n}/>")
        pos = m.end()
    out.append(escape(text[pos:], quote=False))
    return normalize("".join(out))


def describe_placeholder_problem(
    error: PlaceholderError, segment: Segment, bibliography: Bibliography, copy_from: str = "English column"
) -> str:
    """A placeholder problem in words a person understands: "the citation to Rose 2023 (token {2}) is missing"."""
    words = {
        "cite": "the citation to {label}",
        "note": "the note reference",
        "code": "the code “{label}”",
        "image": "the picture",
        "em": "the emphasis",
        "strong": "the bold text",
        "link": "the link to {label}",
    }

    def what(n: int) -> str:
        if n not in segment.slots:
            return f"token {{{n}}}"
        kind = slot_kind(segment, n)
        label = slot_label(segment, n, english=False, bibliography=bibliography)
        return words.get(kind, "“{label}”").format(label=label) + f" (token {{{n}}})"

    slots = ", ".join(what(n) for n in error.slots)
    return {
        "missing": f"{slots} {'is' if len(error.slots) == 1 else 'are'} missing: copy it from the {copy_from}",
        "unexpected": f"{slots} is not formatting here",
        "repeated": f"{slots} appears twice: keep it once",
        "mis-nested": f"{slots} is closed inside other formatting: close it after",
        "unclosed": f"{slots} is opened but never closed",
    }[error.problem]
