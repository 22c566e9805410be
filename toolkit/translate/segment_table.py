"""The segment table: every translatable segment of a packet, worked out once, with a stable id and its
direction. The translator fills the documents from it, the build key and the review files read it.

A segment's id is its summary's name and a digest of its text (`fentanyl-war-3fa2c1`): inserting, removing or
moving other paragraphs leaves it as it is, so notes and history stay on their sentence. Identical paragraphs
of one summary are two segments (`…-3fa2c1` and `…-3fa2c1-2`, in reading order)."""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.model import (
    Document,
    Heading,
    Inline,
    Text,
    inline_sequences,
    normalize_space,
    notes_in_order,
    plain_text,
    query_blocks,
    query_inlines,
)
from toolkit.read.packet import NumberStyle
from toolkit.translate.direction import Direction, direction_into
from toolkit.translate.glossary import Glossary
from toolkit.translate.memory import TranslationMemory, Unit
from toolkit.translate.protect import Protector
from toolkit.translate.segments import Segment, make_segment, markup_as_text

SIMILAR = 0.6  # an edited sentence still takes the earlier review of the sentence it was (difflib ratio)


@dataclass(frozen=True)
class TableRow:
    """One segment in its place: which document (its index in the packet), the heading it falls under, the
    source inlines as the document holds them (the very tuple: documents are rebuilt by it), and its segment."""

    id: str
    summary: str  # the document's name in ids
    document: int
    section: str
    source: tuple[Inline, ...]
    segment: Segment
    direction: Direction

    shared: bool = False  # another row of the packet has the same source markup (a title repeated as heading)

    @property
    def has_text(self) -> bool:
        return self.segment.has_text

    @property
    def memory_key(self) -> str:
        """The memory's key of the segment's source: shared by every segment with this source."""
        return normalize_space(self.segment.markup)

    @property
    def context_key(self) -> str:
        """The memory's key of a person's translation of this very segment, where its source is `shared`: an
        editor who corrects one of two identical paragraphs corrects that one."""
        return context_key(self.segment.markup, self.id)


@dataclass(frozen=True)
class SegmentTable:
    rows: tuple[TableRow, ...]

    def directions(self) -> list[Direction]:
        """Each direction the packet's summaries are translated in, in the order its segments first come."""
        return list(dict.fromkeys(row.direction for row in self.rows))

    def of_direction(self, direction: Direction) -> list[TableRow]:
        return [row for row in self.rows if row.direction == direction]

    def with_text(self) -> list[TableRow]:
        return [row for row in self.rows if row.has_text]

    def by_id(self) -> dict[str, TableRow]:
        return {row.id: row for row in self.rows}


def document_texts(doc: Document) -> list[str]:
    """The text of every Text node of a document, title and notes included."""
    return query_inlines(_texts, doc.title) + query_blocks(_texts, doc.blocks)


def _texts(node: Inline) -> list[str]:
    return [node.text] if isinstance(node, Text) else []


def document_stems(documents: list[Document]) -> list[str]:
    """Each document's name in segment ids: its file's stem or, where two summaries of the packet share one
    (`a/case.md`, `b/Case.md`), as many of its folders before it as tell them apart (`a-case`, `b-Case`)."""
    paths = [Path(doc.source_path) if doc.source_path else Path("document") for doc in documents]

    def named(path: Path, depth: int) -> str:
        return "-".join([*path.parent.parts[len(path.parent.parts) - depth :], path.stem]).lstrip("/-")

    depth = 0
    while depth < 64:
        names = [named(path, depth) for path in paths]
        if len({name.lower() for name in names}) == len(names):
            return names
        depth += 1
    return [f"{named(path, 0)}-{n}" for n, path in enumerate(paths)]


def sequences_of(doc: Document) -> Iterator[tuple[str, tuple[Inline, ...]]]:
    """The document's inline sequences with the heading each falls under: the title, the body's blocks in
    reading order, then the notes in the order they are first referenced (a note's own notes after it)."""
    yield "", doc.title
    section = ""
    for block in doc.blocks:
        if isinstance(block, Heading):
            section = plain_text(block.children)
        for inlines in inline_sequences((block,), into_notes=False):
            yield section, inlines
    for note in notes_in_order(doc.blocks):
        for inlines in inline_sequences(note.blocks, into_notes=False):
            yield "notes", inlines


def segment_id(stem: str, inlines: tuple[Inline, ...], seen: Counter[str]) -> str:
    """`stem-` and a digest of the sequence's text; the second of identical texts gets `-2`, and so on."""
    text = normalize_space(plain_text(inlines))
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    seen[digest] += 1
    return f"{stem}-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else "")


def segment_table(
    documents: list[Document],
    languages: tuple[str, ...],
    glossary: Glossary,
    number_style: NumberStyle,
    names: tuple[str, ...],
) -> SegmentTable:
    """The table of a packet's documents: each summary in the direction from its language into the packet's
    other one (none for a packet of one language). Names are judged in one engine call per direction."""
    directions = [direction_into(doc.lang, languages) for doc in documents]
    stems = document_stems(documents)
    rows: list[TableRow] = []
    for direction in dict.fromkeys(d for d in directions if d is not None):
        protect = Protector(glossary, number_style, names, direction.source_language)
        mine = [n for n, d in enumerate(directions) if d == direction]
        protect.prefetch([text for n in mine for text in document_texts(documents[n])])
        for n in mine:
            doc = documents[n]
            protect.learn(document_texts(doc))
            seen: Counter[str] = Counter()
            for section, inlines in sequences_of(doc):
                ident = segment_id(stems[n], inlines, seen)
                rows.append(
                    TableRow(
                        ident,
                        stems[n],
                        n,
                        section,
                        inlines,
                        make_segment(inlines, protect, protect.sentence_case),
                        direction,
                    )
                )
    rows.sort(key=lambda row: row.document)  # stable: reading order within each document
    counts = Counter((row.direction.pair, row.memory_key) for row in rows)
    return SegmentTable(tuple(replace(row, shared=counts[(row.direction.pair, row.memory_key)] > 1) for row in rows))


CONTEXT = "\u241f"  # SYMBOL FOR UNIT SEPARATOR: between a source and the segment id it is translated for


def context_key(markup: str, segment_id: str) -> str:
    return f"{normalize_space(markup)}{CONTEXT}{segment_id}"


def in_context_units(rows: list[TableRow], memory: TranslationMemory, pair: str) -> dict[str, Unit]:
    """The person-made translations of rows with a shared source made for that very row, by row id."""
    wanted = [row for row in rows if row.shared]
    found = memory.lookup([row.context_key for row in wanted], pair) if wanted else {}
    return {
        row.id: found[row.context_key]
        for row in wanted
        if row.context_key in found and found[row.context_key].status != "machine"
    }


def earlier_reviews(
    rows: list[TableRow], reviewed: list[Unit], current: dict[str, Unit], table_ids: Collection[str] | None = None
) -> dict[str, Unit]:
    """For rows a person has not translated as they read now, the latest translation a person made of the
    sentence they were before an edit: a unit reviewed as a segment id the table no longer has, of the same
    summary, whose source is the most like the row's (at least `SIMILAR`). `reviewed`: the person-made units
    of the direction, oldest first; `current`: the memory's unit of each row's source key; `table_ids`: the ids
    of the direction's segments, when `rows` are only some of them."""
    ids = set(table_ids) if table_ids is not None else {row.id for row in rows}
    orphans: dict[str, Unit] = {}
    for unit in reviewed:
        if unit.context and unit.context not in ids:
            orphans[unit.context] = unit  # the latest for that id
    found: dict[str, Unit] = {}
    if not orphans:
        return found
    for row in rows:
        mine = current.get(row.id)
        if mine is not None and mine.status != "machine":
            continue
        text = markup_as_text(row.segment.markup)
        best: tuple[float, str] = (SIMILAR, "")
        for ident, old in orphans.items():
            if not ident.startswith(row.summary + "-"):
                continue
            ratio = difflib.SequenceMatcher(None, text, markup_as_text(old.source), autojunk=False).ratio()
            if ratio >= best[0]:
                best = (ratio, ident)
        if best[1]:
            found[row.id] = orphans[best[1]]
    return found
