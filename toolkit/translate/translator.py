"""Translating a Document from English into Spanish or from Spanish into English: segments, protected spans,
memory, batched engine calls, checks."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from toolkit.model import (
    Document,
    Heading,
    Inline,
    Span,
    Text,
    inline_sequences,
    map_blocks,
    notes_in_order,
    plain_text,
    query_blocks,
    query_inlines,
)
from toolkit.read.packet import NumberStyle
from toolkit.translate.anchors import SegmentAnchor, english_fingerprint, segment_key, slot_anchor_for_key
from toolkit.translate.engines import Engine, split_unknown
from toolkit.translate.english import english_citations, english_typography
from toolkit.translate.glossary import Glossary
from toolkit.translate.memory import Status, TranslationMemory, Unit, normalize, now_utc, target_fingerprint
from toolkit.translate.postedit import post_edit, post_edit_english
from toolkit.translate.protect import Protector
from toolkit.translate.segments import (
    MARKUP,
    PlaceholderError,
    Segment,
    make_segment,
    replace_runs,
    restore,
    text_runs,
)
from toolkit.translate.spanish import spanish_citations, spanish_typography

log = logging.getLogger("briefkit")
CHUNK = 200  # segments per engine call: large enough for batching, small enough for live progress


Origin = Literal["machine", "retried", "memory", "reviewed", "approved", "kept-source"]


@dataclass(frozen=True)
class PlaceholderProblem:
    """A segment whose placeholders the engine broke (its English was kept)."""

    segment: str
    problem: str
    kind: Literal["placeholder"] = "placeholder"


@dataclass
class TranslationReport:
    """What happened to each segment, for the build log, the manifest and the QA report."""

    engine: str = ""
    model: str = ""
    segments: int = 0
    from_memory: int = 0
    translated: int = 0
    retried: list[str] = field(default_factory=list)
    problems: list[PlaceholderProblem] = field(default_factory=list)
    unknown_words: int = 0  # words the engine did not know, over all segments

    @staticmethod
    def combined(reports: list[TranslationReport]) -> TranslationReport:
        """One report for several translators (a packet whose summaries are written in both languages)."""
        if len(reports) == 1:
            return reports[0]
        return TranslationReport(
            engine=" + ".join(dict.fromkeys(r.engine for r in reports)),
            model=" + ".join(dict.fromkeys(r.model for r in reports)),
            segments=sum(r.segments for r in reports),
            from_memory=sum(r.from_memory for r in reports),
            translated=sum(r.translated for r in reports),
            retried=[s for r in reports for s in r.retried],
            problems=[p for r in reports for p in r.problems],
            unknown_words=sum(r.unknown_words for r in reports),
        )


@dataclass(frozen=True)
class SegmentResult:
    """One translated segment, for the QA checks: source and target inlines, and where the target came from."""

    source: tuple[Inline, ...]
    target: tuple[Inline, ...]
    protected: tuple[str, ...]  # the source text of the spans the engine never saw
    origin: Origin
    segment_id: str = ""
    earlier_review: str = ""  # a person's translation of this segment's earlier English (markup), if any
    unknown_words: tuple[str, ...] = ()  # words the engine did not know, left as in the source
    source_lang: str = "en"  # "en" or "es": the target is in the other


@dataclass(frozen=True)
class PacketSegment:
    """A segment in its place: `id` is `<summary>-<n>` (n counts the summary's segments from 0, the title)."""

    id: str
    section: str  # the heading it falls under ("" before the first heading)
    source: tuple[Inline, ...]
    segment: Segment


def document_texts(doc: Document) -> list[str]:
    """The text of every Text node of a document, title and notes included."""
    return query_inlines(_texts, doc.title) + query_blocks(_texts, doc.blocks)


def packet_segments(documents: list[Document], protect: Protector) -> list[PacketSegment]:
    """Every segment of the documents, in order; their names analysed in one call."""
    protect.prefetch([text for doc in documents for text in document_texts(doc)])
    return [item for doc in documents for item in document_segments(doc, protect)]


def document_segments(doc: Document, protect: Protector) -> list[PacketSegment]:
    """Every segment of a document: the title, the body's blocks in reading order, then the notes in the order
    they are first referenced (a note's own notes after it). The names of the whole document are judged first."""
    stem = Path(doc.source_path).stem if doc.source_path else "document"
    found: list[PacketSegment] = []
    protect.learn(document_texts(doc))

    def add(inlines: tuple[Inline, ...], section: str) -> None:
        found.append(PacketSegment(f"{stem}-{len(found):03d}", section, inlines, make_segment(inlines, protect)))

    add(doc.title, "")
    section = ""
    for block in doc.blocks:
        if isinstance(block, Heading):
            section = plain_text(block.children)
        for inlines in inline_sequences((block,), into_notes=False):
            add(inlines, section)
    for note in notes_in_order(doc.blocks):
        for inlines in inline_sequences(note.blocks, into_notes=False):
            add(inlines, "notes")
    return found


def _texts(node: Inline) -> list[str]:
    return [node.text] if isinstance(node, Text) else []


SPACED_SLOT = re.compile(r"(\s?)<x(\d+)/>(\s?)")
SLOT = re.compile(r"<x(\d+)/>")
WORD_CHARACTER = re.compile(r"\w")


def respace_slots(source: str, target: str) -> str:
    """Keep a placeholder apart from the words around it where the source had it apart: engines glue them.
    One pass over each text (a substitution per placeholder made a paragraph of many notes quadratic)."""
    spaced_before = {m.group(2) for m in SPACED_SLOT.finditer(source) if m.group(1)}
    spaced_after = {m.group(2) for m in SPACED_SLOT.finditer(source) if m.group(3)}

    def respace(m: re.Match[str]) -> str:
        text, number = m.string, m.group(1)
        glued_before = m.start() > 0 and WORD_CHARACTER.match(text, m.start() - 1) is not None
        glued_after = WORD_CHARACTER.match(text, m.end()) is not None
        lead = " " if number in spaced_before and glued_before else ""
        trail = " " if number in spaced_after and glued_after else ""
        return f"{lead}{m.group(0)}{trail}"

    return SLOT.sub(respace, target) if spaced_before or spaced_after else target


class Translator:
    """Translates documents through one engine, a memory and a glossary; records what it did."""

    def __init__(
        self,
        engine: Engine,
        memory: TranslationMemory | None,
        glossary: Glossary,
        target_lang: str = "es-ES",
        number_style: NumberStyle = "spanish",
        anchors: bool = False,
        known_names: tuple[str, ...] = (),
        source_lang: str = "en-US",
    ) -> None:
        """`anchors`: mark each translated segment and the slots in it with `Span`s (see `anchors`), so that the
        Word writer can tie an editor's changes back to the memory. `glossary` as its file reads (English to
        Spanish), whatever the direction."""
        self.engine = engine
        self.memory = memory
        self.glossary = glossary
        self.protect = Protector(glossary, number_style, known_names, source_lang[:2])
        self.pair = f"{source_lang[:2]}-{target_lang[:2]}"
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.anchors = anchors
        self.report = TranslationReport(engine=engine.name, model=engine.model)
        # The person-made translations this translator used, as it read them (source key -> target, status):
        # what the outputs hold, even if the memory changes while the build goes on.
        self.people_used: dict[str, tuple[str, str]] = {}
        self.results: list[SegmentResult] = []
        self._origins: dict[str, Origin] = {}
        self._unknown: dict[str, tuple[str, ...]] = {}
        # Called with (segments done, segments to do, segments per second) after each engine call.
        self.on_progress: Callable[[int, int, float], None] = lambda done, total, rate: None

    def translate_documents(self, documents: list[Document]) -> list[Document]:
        """Translate all documents with one batch of engine calls."""
        segments = packet_segments(documents, self.protect)
        targets = self._translate_markups([item.segment.markup for item in segments if item.segment.has_text])
        stale = self.memory.stale_reviews({i.id: i.segment.markup for i in segments}, self.pair) if self.memory else {}
        translated: dict[tuple[Inline, ...], tuple[Inline, ...]] = {}
        for item in segments:
            source, seg = item.source, item.segment
            key = normalize(seg.markup)
            text = respace_slots(seg.markup, targets.get(key, seg.markup))
            if self._origins.get(key) in ("machine", "memory", "retried"):  # never a person's translation
                text = post_edit(seg, text) if self.pair == "en-es" else post_edit_english(seg, text)
            anchor = self._anchor(item, targets.get(key), self._origins.get(key))
            target, origin = self._restore(source, seg, text, self._origins.get(key), anchor)
            translated[source] = (Span(anchor.name, target),) if anchor and origin != "kept-source" else target
            if seg.has_text and origin is not None:
                machine_made = origin in ("machine", "memory", "retried")
                earlier = stale[item.id].target if machine_made and item.id in stale else ""
                unknown = self._unknown.get(key, ()) if machine_made else ()
                self.report.unknown_words += len(unknown)
                self.results.append(
                    SegmentResult(
                        source, target, tuple(seg.protected), origin, item.id, earlier, unknown, self.source_lang[:2]
                    )
                )

        # Every sequence is replaced by its translation; notes (kept as slots) are then translated in turn.
        def put(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
            return translated[inlines]

        return [
            replace(doc, title=put(doc.title), blocks=map_blocks(put, doc.blocks), lang=self.target_lang)
            for doc in documents
        ]

    def _translate_markups(self, markups: list[str]) -> dict[str, str]:
        unique = sorted({normalize(m) for m in markups})
        self.report.segments += len(unique)
        known = self.memory.lookup(unique, self.pair) if self.memory else {}
        targets: dict[str, str] = {}
        todo: list[str] = []
        for key in unique:
            unit = known.get(key)
            # Reviewed and approved targets always win; machine targets only from the same engine.
            if unit and (unit.status != "machine" or unit.model == self.engine.model):
                targets[key] = unit.target
                if unit.status != "machine":
                    self.people_used[key] = (unit.target, unit.status)
                self._origins[key] = unit.status if unit.status != "machine" else "memory"
                self._unknown[key] = tuple(unit.unknown.split())
            else:
                todo.append(key)
        self.report.from_memory += len(unique) - len(todo)
        if todo:
            translated = self._translate_in_chunks(todo)
            self._origins.update((source, "machine") for source in todo)
            broken = [source for source in todo if not self._slots_intact(source, translated[source])]
            translated.update(self._translate_piecewise(broken))
            self._origins.update((source, "retried") for source in broken)
            self.report.retried.extend(broken)
            targets.update(translated)
            self.report.translated += len(todo)
            if self.memory:
                now = now_utc()
                fresh = [
                    Unit(
                        s,
                        translated[s],
                        "machine",
                        self.engine.name,
                        self.engine.model,
                        "briefkit",
                        now,
                        "",
                        " ".join(self._unknown.get(s, ())),
                    )
                    for s in todo
                ]
                self.memory.store_units(fresh, self.pair)
        return targets

    def _translate_in_chunks(self, todo: list[str]) -> dict[str, str]:
        """Engine calls of CHUNK segments, so that progress (and segments/s) can be shown between them."""
        translated: dict[str, str] = {}
        started = time.perf_counter()
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            for source, marked in zip(chunk, self.engine.translate_marked(chunk), strict=True):
                translated[source], unknown = split_unknown(marked)
                self._unknown[source] = tuple(unknown)
            elapsed = time.perf_counter() - started
            self.on_progress(len(translated), len(todo), len(translated) / elapsed if elapsed else 0.0)
        return translated

    @staticmethod
    def _slots_intact(source: str, target: str) -> bool:
        def slots(text: str) -> list[str]:
            return sorted(m.group(0) for m in MARKUP.finditer(text))

        return slots(source) == slots(target)

    def _translate_piecewise(self, sources: list[str]) -> dict[str, str]:
        """Safer form: translate the text between placeholders on its own, keep every marker in place.

        One engine call for the runs of all the segments that need it."""
        runs = {source: text_runs(source) for source in sources}
        wanted = sorted({run for source_runs in runs.values() for run in source_runs if run.strip()})
        marked = dict(zip(wanted, self.engine.translate_marked(wanted), strict=True)) if wanted else {}
        done = {run: split_unknown(text)[0] for run, text in marked.items()}
        out = {}
        for source, source_runs in runs.items():
            pieces = []
            self._unknown[source] = tuple(
                w for run in source_runs if run.strip() for w in split_unknown(marked[run])[1]
            )
            for run in source_runs:
                if run.strip():
                    lead = " " if run[:1].isspace() else ""
                    trail = " " if run[-1:].isspace() else ""
                    text = MARKUP.sub("", done[run]).replace("<", "").replace(">", "")
                    pieces.append(lead + text.strip() + trail)
                else:
                    pieces.append(run)
            out[source] = replace_runs(source, pieces)
        return out

    def _anchor(self, item: PacketSegment, target: str | None, origin: Origin | None) -> SegmentAnchor | None:
        """The anchor of a translated segment: its id, its English, and the memory's target it was built from."""
        if not self.anchors or target is None or origin is None or not item.segment.has_text:
            return None
        status: Status = "reviewed" if origin == "reviewed" else "approved" if origin == "approved" else "machine"
        english = english_fingerprint(item.segment.markup)
        return SegmentAnchor(segment_key(item.id), english, target_fingerprint(target, status))

    def _restore(
        self,
        source: tuple[Inline, ...],
        seg: Segment,
        target: str,
        origin: Origin | None,
        anchor: SegmentAnchor | None = None,
    ) -> tuple[tuple[Inline, ...], Origin | None]:
        """The translated inlines and where they came from, or the English ones (`kept-source`) when the
        placeholders broke."""
        slot_name = (lambda n: slot_anchor_for_key(anchor.key, n)) if anchor else None
        try:
            inlines = restore(seg, target, text_slots_optional=origin in ("reviewed", "approved"), anchor=slot_name)
            if self.target_lang.startswith("es"):
                inlines = spanish_citations(spanish_typography(inlines))
            else:
                inlines = english_citations(english_typography(inlines))
            return inlines, origin
        except PlaceholderError as exc:
            self.report.problems.append(PlaceholderProblem(seg.markup, f"placeholders: {exc}"))
            log.warning("translation kept the English text of a segment whose placeholders broke: %s", seg.markup[:80])
            return source, "kept-source"
