"""Translating a Document from English into Spanish or from Spanish into English: segments, protected spans,
memory, batched engine calls, checks."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from toolkit.model import (
    Document,
    Inline,
    Span,
    map_blocks,
)
from toolkit.read.packet import NumberStyle
from toolkit.translate.anchors import SegmentAnchor, english_fingerprint, segment_key, slot_anchor_for_key
from toolkit.translate.direction import Direction
from toolkit.translate.engines import Engine, split_unknown
from toolkit.translate.glossary import Glossary
from toolkit.translate.memory import (
    RAW,
    Status,
    TranslationMemory,
    Unit,
    normalize,
    now_utc,
    raw_model,
    target_fingerprint,
)
from toolkit.translate.segment_table import TableRow, earlier_reviews, in_context_units, segment_table
from toolkit.translate.segments import (
    MARKUP,
    PlaceholderError,
    Segment,
    replace_runs,
    restore,
    text_runs,
)

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


FIGURE = re.compile(r"[0-9]+")


FIGURE_PIECE = re.compile(r"(?<![\w.,])([0-9]+)(?![\w])")


def rejoin(runs: list[str], pieces: list[str]) -> list[str]:
    """The translated pieces of each run (a run split at its figures) joined back into one text per run."""
    out, i = [], 0
    for run in runs:
        n = len(FIGURE_PIECE.split(run))
        out.append("".join(pieces[i : i + n]))
        i += n
    return out


def figures_intact(source: str, target: str) -> bool:
    """Every figure left in a segment's text for the engine (see `protect.PLAIN_FIGURE`) is in its output."""
    wanted = Counter(FIGURE.findall(MARKUP.sub(" ", source)))
    return not wanted or not wanted - Counter(FIGURE.findall(MARKUP.sub(" ", target)))


def printed_machine_text(direction: Direction, segment: Segment, engine_markup: str) -> str:
    """The engine's markup as it prints: placeholders spaced as in the source, the direction's post-edits."""
    return direction.rules.post_edit(segment, respace_slots(segment.markup, engine_markup))


def printed_target(direction: Direction, segment: Segment, unit: Unit) -> str:
    """A memory unit's target as it prints: a machine unit stored raw by an older memory is post-edited."""
    if unit.status == "machine" and unit.model.endswith(RAW):
        return printed_machine_text(direction, segment, unit.target)
    return unit.target


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
        self.number_style: NumberStyle = number_style
        self.known_names = known_names
        self.direction = Direction(source_lang, target_lang)
        self.pair = self.direction.pair
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.anchors = anchors
        self.report = TranslationReport(engine=engine.name, model=engine.model)
        # The person-made translations this translator used, as it read them (source key -> target, status):
        # what the outputs hold, even if the memory changes while the build goes on.
        self.people_used: dict[str, tuple[str, str]] = {}
        self.results: list[SegmentResult] = []
        self._units: dict[str, Unit | None] = {}  # the memory's unit of each source key, as this build used it
        self._origins: dict[str, Origin] = {}
        self._unknown: dict[str, tuple[str, ...]] = {}
        # Called with (segments done, segments to do, segments per second) after each engine call.
        self.on_progress: Callable[[int, int, float], None] = lambda done, total, rate: None

    def translate_documents(self, documents: list[Document], rows: list[TableRow] | None = None) -> list[Document]:
        """Translate all documents with one batch of engine calls. `rows`: the packet's segment table rows of
        these documents (`document` counts them from 0), made here when not given."""
        self.engine.start()  # its processes load while the names are judged and the segments made
        if rows is None:
            languages = (self.source_lang, self.target_lang)
            relabelled = [replace(doc, lang=self.source_lang) for doc in documents]  # this translator's direction
            table = segment_table(relabelled, languages, self.glossary, self.number_style, self.known_names)
            rows = list(table.rows)
        targets = self._translate_markups([row.segment.markup for row in rows if row.has_text], rows)
        own = in_context_units(rows, self.memory, self.pair) if self.memory else {}
        self.people_used.update(
            (row.context_key, (own[row.id].target, own[row.id].status)) for row in rows if row.id in own
        )
        current = {row.id: own.get(row.id) or self._units[row.memory_key] for row in rows if row.has_text}
        reviewed = self.memory.people_units(self.pair) if self.memory else []
        earlier = earlier_reviews(rows, reviewed, {i: u for i, u in current.items() if u is not None})
        # by the very tuple each document holds: identical paragraphs are separate rows, each with its anchor
        translated: dict[int, tuple[Inline, ...]] = {}
        for row in rows:
            source, seg = row.source, row.segment
            key = normalize(seg.markup)
            mine = own.get(row.id)  # a person's translation of this very segment
            origin: Origin | None = mine.status if mine else self._origins.get(key)
            printed = mine.target if mine else targets.get(key)
            text = respace_slots(seg.markup, printed if printed is not None else seg.markup)
            anchor = self._anchor(row, printed, origin)
            target, origin = self._restore(source, seg, text, origin, anchor)
            translated[id(source)] = (Span(anchor.name, target),) if anchor and origin != "kept-source" else target
            if seg.has_text and origin is not None:
                machine_made = origin in ("machine", "memory", "retried")
                before = earlier[row.id].target if machine_made and row.id in earlier else ""
                unknown = self._unknown.get(key, ()) if machine_made else ()
                self.report.unknown_words += len(unknown)
                self.results.append(
                    SegmentResult(
                        source,
                        target,
                        tuple(seg.protected),
                        origin,
                        row.id,
                        before,
                        unknown,
                        self.direction.source_language,
                    )
                )

        # Every sequence is replaced by its translation; notes (kept as slots) are then translated in turn.
        def put(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
            return translated.get(id(inlines), inlines)

        return [
            replace(doc, title=put(doc.title), blocks=map_blocks(put, doc.blocks), lang=self.target_lang)
            for doc in documents
        ]

    def _translate_markups(self, markups: list[str], rows: list[TableRow]) -> dict[str, str]:
        """The printed target of each segment markup: a person's from the memory; else the machine's, from the
        memory when the same engine made it, or translated now and post-edited. What is stored is what prints."""
        segments = {normalize(row.segment.markup): row.segment for row in rows}
        unique = sorted({normalize(m) for m in markups})
        self.report.segments += len(unique)
        known = self.memory.lookup(unique, self.pair) if self.memory else {}
        targets: dict[str, str] = {}
        todo: list[str] = []
        printed_now: list[str] = []  # a memory's raw machine text from before it stored printed text
        for key in unique:
            unit = known.get(key)
            self._units[key] = unit
            # Reviewed and approved targets always win; machine targets only from the same engine.
            if unit and (unit.status != "machine" or unit.model == self.engine.model):
                targets[key] = unit.target
                if unit.status != "machine":
                    self.people_used[key] = (unit.target, unit.status)
                self._origins[key] = unit.status if unit.status != "machine" else "memory"
                self._unknown[key] = tuple(unit.unknown.split())
            elif unit and unit.model == raw_model(self.engine.model):
                targets[key] = self._printed(segments[key], unit.target)
                self._origins[key] = "memory"
                self._unknown[key] = tuple(unit.unknown.split())
                printed_now.append(key)
            else:
                todo.append(key)
        self.report.from_memory += len(unique) - len(todo)
        if todo:
            translated = self._translate_in_chunks(todo)
            self._origins.update((source, "machine") for source in todo)
            broken = [
                source
                for source in todo
                if not (self._slots_intact(source, translated[source]) and figures_intact(source, translated[source]))
            ]
            translated.update(self._translate_piecewise(broken))
            self._origins.update((source, "retried") for source in broken)
            self.report.retried.extend(broken)
            targets.update((key, self._printed(segments[key], translated[key])) for key in todo)
            self.report.translated += len(todo)
        if self.memory and (todo or printed_now):
            now = now_utc()
            fresh = [
                Unit(
                    key,
                    targets[key],
                    "machine",
                    self.engine.name,
                    self.engine.model,
                    "briefkit",
                    now,
                    "",
                    " ".join(self._unknown.get(key, ())),
                )
                for key in [*todo, *printed_now]
            ]
            self.memory.store_units(fresh, self.pair)
            self._units.update((unit.source, unit) for unit in fresh)
        return targets

    def _printed(self, segment: Segment, engine_markup: str) -> str:
        return printed_machine_text(self.direction, segment, engine_markup)

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
        # the figures left in the text are kept as markers are (a segment retried for a figure lost)
        runs = {source: [piece for run in text_runs(source) for piece in FIGURE_PIECE.split(run)] for source in sources}
        wanted = sorted(
            {
                run
                for source_runs in runs.values()
                for run in source_runs
                if run.strip() and not FIGURE.fullmatch(run.strip())
            }
        )
        marked = dict(zip(wanted, self.engine.translate_marked(wanted), strict=True)) if wanted else {}
        done = {run: split_unknown(text)[0] for run, text in marked.items()}
        out = {}
        for source, source_runs in runs.items():
            pieces = []
            self._unknown[source] = tuple(
                w for run in source_runs if run in marked for w in split_unknown(marked[run])[1]
            )
            for run in source_runs:
                if run.strip() and not FIGURE.fullmatch(run.strip()):
                    lead = " " if run[:1].isspace() else ""
                    trail = " " if run[-1:].isspace() else ""
                    text = MARKUP.sub("", done[run]).replace("<", "").replace(">", "")
                    pieces.append(lead + text.strip() + trail)
                else:
                    pieces.append(run)
            out[source] = replace_runs(source, rejoin(text_runs(source), pieces))
        return out

    def _anchor(self, item: TableRow, target: str | None, origin: Origin | None) -> SegmentAnchor | None:
        """The anchor of a translated segment: its id, its English, and the memory's target it was built from."""
        if not self.anchors or target is None or origin is None or not item.has_text:
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
            return self.direction.rules.target_forms(inlines), origin
        except PlaceholderError as exc:
            self.report.problems.append(PlaceholderProblem(seg.markup, f"placeholders: {exc}"))
            log.warning("translation kept the English text of a segment whose placeholders broke: %s", seg.markup[:80])
            return source, "kept-source"
