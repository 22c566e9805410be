"""The review desk's work, apart from HTTP: the packets given on the command line (chosen by id, never by a
path from the browser), their review rows from the memory as it is now, and each thing an editor does.

What depends only on a packet's input files (its summaries read into the segment table, glossary,
bibliography) is kept between requests and made again when the content hash of any input changes; the
memory (targets, statuses, notes) is read afresh on every request, for the segment asked about alone where
one is, since other editors and processes write to it.

Saving is a review import of one correction (`import_corrections`, file kind "review desk"): the same checks,
history, guarded write against the version the editor started from, and conflicts as the file imports have."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from toolkit.cite.citeproc import render_citations
from toolkit.cite.styles import links_citations
from toolkit.desk.segments import (
    DeskStatus,
    GlossaryHint,
    Piece,
    desk_status,
    glossary_hints,
    pieces,
    required_tokens,
    taken_match,
)
from toolkit.errors import BriefkitError
from toolkit.model import Cite, Document, Inline, Paragraph, SummaryMeta, query_inlines
from toolkit.read.memory_location import MemoryLocation
from toolkit.read.packet import Packet
from toolkit.release.build_key import input_hashes
from toolkit.release.events import BuildEvent, ProgressEvent, StepEvent
from toolkit.release.pipeline import FORMATS, build_packet
from toolkit.release.prepare import packet_style
from toolkit.review.matches import ConcordanceHit, FuzzyMatch, concordance, fuzzy_matches
from toolkit.review.merge import Conflict, Correction, DraftCheck, check_draft, import_corrections
from toolkit.review.rows import (
    PacketReview,
    PacketSource,
    ReviewRow,
    describe_placeholder_problem,
    markup_from_tokens,
    packet_source,
    review_rows,
)
from toolkit.review.status import ReviewCounts, review_counts
from toolkit.translate.memory import EditorNote, Status, TranslationMemory, memory_exists, now_utc
from toolkit.translate.segments import PlaceholderError, restore
from toolkit.write.html_page import paragraph_html

DESK = "review desk"  # the correction source's kind, in the memory's imports and in messages
MAX_TEXT = 20_000
MAX_NOTE = 4_000
SaveResult = Literal["stored", "unchanged", "conflict", "refused"]


class NotFound(BriefkitError):
    """A packet or segment id the desk does not have."""


@dataclass(frozen=True)
class SegmentView:
    row: ReviewRow
    source: list[Piece]
    target: list[Piece]
    status: DeskStatus
    findings: tuple[str, ...]  # what the build's QA checks say of the target now (errors and warnings)

    @property
    def id(self) -> str:
        return self.row.item.id

    @property
    def required(self) -> list[str]:
        return required_tokens(self.row.item.segment)

    @property
    def open_notes(self) -> int:
        return sum(not note.resolved for note in self.row.notes)

    @property
    def text(self) -> str:
        return token_text(self.target)


@dataclass(frozen=True)
class SummaryView:
    name: str
    title: str
    segments: list[SegmentView]
    counts: ReviewCounts


@dataclass(frozen=True)
class PacketPage:
    packet: Packet
    summaries: list[SummaryView]
    total: ReviewCounts


@dataclass(frozen=True)
class SegmentDetail:
    view: SegmentView
    context: str
    source_as_target: list[Piece]  # the source with the target's labels: what "copy source" puts in
    matches: list[tuple[FuzzyMatch, list[Piece]]]  # each match, and its target as this segment's pieces
    hints: list[GlossaryHint]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class SaveOutcome:
    result: SaveResult
    message: str
    flagged: tuple[str, ...] = ()
    conflict: Conflict | None = None
    view: SegmentView | None = None
    counts: ReviewCounts | None = None  # of the segment's summary, after
    total: ReviewCounts | None = None


@dataclass
class RebuildJob:
    """A rebuild of a packet through the same build as `briefkit build`, in a thread of its own."""

    state: Literal["running", "done", "failed"] = "running"
    steps: list[str] = field(default_factory=list)  # the steps done, in order
    current: str = "read"
    translated: tuple[int, int] = (0, 0)
    message: str = ""
    files: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    def on_event(self, event: BuildEvent) -> None:
        if isinstance(event, StepEvent):
            if event.state == "start":
                self.current = event.step.label
            else:
                self.steps.append(event.step.label)
        elif isinstance(event, ProgressEvent):
            self.translated = (event.done, event.total)


def token_text(found: list[Piece]) -> str:
    return "".join(p.token if p.is_token else p.text for p in found)


@dataclass(frozen=True)
class HeldSource:
    """A packet's document side as read from its inputs with these content hashes, and the QA findings on
    targets seen with it (by segment id, target and status: they depend on nothing else)."""

    inputs: dict[str, str]
    source: PacketSource
    findings: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)

    def review(self, memory: TranslationMemory, segment_id: str | None = None) -> PacketReview:
        """The review rows from the memory now: of the whole packet, or of one segment (none if it has no such)."""
        return review_rows(self.source, memory, None if segment_id is None else frozenset({segment_id}))

    def target_findings(self, review: PacketReview, row: ReviewRow, text: str) -> tuple[str, ...]:
        """What the build's QA checks say of the row's target `text` (errors and warnings), and why it would be
        refused; `review` is one of this source's."""
        if not row.target:
            return ()
        key = (row.item.id, row.target, row.status)
        if key not in self.findings:
            checked = check_draft(review, row, text, DESK)
            refused = (checked.refused,) if checked.refused else ()
            self.findings[key] = tuple(f.message for f in checked.findings) + refused
        return self.findings[key]


class Desk:
    def __init__(self, packets: list[Packet], out: Path, memory: MemoryLocation | None, allow_outside: bool) -> None:
        self.packets: dict[str, Packet] = {}
        for packet in packets:
            if packet.id in self.packets:
                raise BriefkitError(f"two packets have the id `{packet.id}`", packet.path)
            if not memory_exists(packet.memory):
                raise BriefkitError(
                    "no translation memory yet",
                    str(packet.memory),
                    hint=f"build the packet first: briefkit build {packet.path}",
                )
            self.packets[packet.id] = packet
        self.out = out
        self.memory = memory
        self.allow_outside = allow_outside
        self.jobs: dict[str, RebuildJob] = {}
        self.jobs_lock = threading.Lock()
        self.held: dict[str, HeldSource] = {}
        self.held_lock = threading.Lock()

    # --- reading --------------------------------------------------------------------------------------

    def packet(self, packet_id: str) -> Packet:
        packet = self.packets.get(packet_id)
        if packet is None:
            raise NotFound(f"the desk has no packet `{packet_id[:80]}` (it serves {', '.join(self.packets)})")
        return packet

    @contextlib.contextmanager
    def opened(self, packet_id: str, read_only: bool = True) -> Iterator[tuple[Packet, TranslationMemory]]:
        """The packet and its memory, opened for one request (each request its own connection)."""
        packet = self.packet(packet_id)
        memory = TranslationMemory(packet.memory, read_only=read_only)
        try:
            yield packet, memory
        finally:
            memory.close()

    def _held(self, packet: Packet) -> HeldSource:
        """The packet's document side, read again when any of its input files changed since."""
        try:
            inputs = input_hashes(packet, packet_style(packet))
        except OSError as exc:
            raise BriefkitError(f"cannot read an input of the packet: {exc.strerror}", str(exc.filename)) from None
        with self.held_lock:  # one reading at a time: a request that waits for it gets the one made
            held = self.held.get(packet.id)
            if held is None or held.inputs != inputs:
                held = self.held[packet.id] = HeldSource(inputs, packet_source(packet))
            return held

    def _row(self, review: PacketReview, segment_id: str) -> ReviewRow:
        row = review.by_id().get(segment_id)
        if row is None:
            raise NotFound(f"packet `{review.packet.id}` has no segment `{segment_id[:80]}` now (reload the page)")
        return row

    def _view(self, held: HeldSource, review: PacketReview, row: ReviewRow) -> SegmentView:
        segment = row.item.segment
        target = pieces(row.target, segment, review, False, row.unknown)
        source = pieces(segment.markup, segment, review, True)
        findings = held.target_findings(review, row, token_text(target))
        if row.unknown:
            findings += ("words the engine does not know, left as written: " + ", ".join(row.unknown),)
        return SegmentView(row, source, target, desk_status(row), findings)

    def page(self, packet_id: str) -> PacketPage:
        with self.opened(packet_id) as (packet, memory):
            held = self._held(packet)
            review = held.review(memory)
        counts = review_counts(review)
        summaries: dict[str, SummaryView] = {}
        for row in review.rows:
            name = row.item.summary
            if name not in summaries:
                summaries[name] = SummaryView(name, row.document_title, [], counts[name])
            summaries[name].segments.append(self._view(held, review, row))
        return PacketPage(packet, list(summaries.values()), sum(counts.values(), ReviewCounts()))

    def detail(self, packet_id: str, segment_id: str) -> SegmentDetail:
        with self.opened(packet_id) as (packet, memory):
            held = self._held(packet)
            review = held.review(memory, segment_id)
            row = self._row(review, segment_id)
            matches = fuzzy_matches(review, memory).get(row.item.id, ())
        segment = row.item.segment
        taken = [(m, self._pieces_of_text(review, row, taken_match(m, segment))) for m in matches]
        context = " › ".join(part for part in (row.document_title, row.item.section) if part)
        return SegmentDetail(
            self._view(held, review, row),
            context,
            pieces(segment.markup, segment, review, False),
            taken,
            glossary_hints(row, review.glossary),
            row.unknown,
        )

    def _pieces_of_text(self, review: PacketReview, row: ReviewRow, text: str) -> list[Piece]:
        try:
            markup = markup_from_tokens(text, row.item.segment)
        except BriefkitError:
            return [Piece(text)]
        return pieces(markup, row.item.segment, review, False)

    def concordance(self, packet_id: str, query: str) -> list[ConcordanceHit]:
        with self.opened(packet_id) as (packet, memory):
            return concordance(memory, packet.translation_pairs, query[:200])

    # --- checking and previewing a draft ----------------------------------------------------------------

    def check(self, packet_id: str, segment_id: str, text: str) -> DraftCheck:
        with self.opened(packet_id) as (packet, memory):
            review = self._held(packet).review(memory, segment_id)
        return check_draft(review, self._row(review, segment_id), _limited(text, MAX_TEXT), DESK)

    def preview(self, packet_id: str, segment_id: str, text: str) -> str:
        """The segment's paragraph with the draft as it will print (citations rendered in the packet's style);
        a BriefkitError saying why a draft cannot print."""
        with self.opened(packet_id) as (packet, memory):
            review = self._held(packet).review(memory, segment_id)
        row = self._row(review, segment_id)
        segment = row.item.segment
        markup = markup_from_tokens(_limited(text, MAX_TEXT), segment)
        try:
            inlines: tuple[Inline, ...] = restore(segment, markup, text_slots_optional=True)
        except PlaceholderError as exc:
            raise BriefkitError(describe_placeholder_problem(exc, segment, review.bibliography)) from None
        keys = query_inlines(lambda node: [i.key for i in node.items] if isinstance(node, Cite) else [], inlines)
        if keys:
            style = packet_style(packet)
            document = Document(SummaryMeta("preview", keys[0]), (), (Paragraph(inlines),), row.target_lang[:2])
            link = links_citations(packet.link_citations, style)
            rendered, _ = render_citations([document], review.bibliography, style, row.target_lang, link)
            block = rendered[0].blocks[0]
            inlines = block.children if isinstance(block, Paragraph) else inlines
        return paragraph_html(inlines, row.target_lang)

    # --- changing the memory --------------------------------------------------------------------------

    def save(
        self, packet_id: str, segment_id: str, english: str, base: str, text: str, status: Status, editor: str
    ) -> SaveOutcome:
        """Store the editor's target through the review import's merge, guarded by `base` (the target and
        status the editor started from)."""
        correction = Correction(segment_id, english, base or None, _limited(text, MAX_TEXT), status, editor=editor)
        with self.opened(packet_id, read_only=False) as (packet, memory):
            held = self._held(packet)
            review = held.review(memory, segment_id)
            if not review.rows:  # a segment the packet no longer has: the merge says why, from the whole packet
                review = held.review(memory)
            report = import_corrections(review, memory, [correction], editor, DESK, file_kind=DESK)
            after = held.review(memory)  # every segment: the summary's and packet's progress as they are now
        row = after.by_id().get(segment_id)
        view = self._view(held, after, row) if row is not None else None
        counts = review_counts(after)
        summary_counts = counts.get(row.item.summary) if row is not None else None
        total = sum(counts.values(), ReviewCounts())
        if report.rejected:
            return SaveOutcome("refused", report.rejected[0][1], (), None, view, summary_counts, total)
        if report.conflicts:
            conflict = report.conflicts[0]
            who, _, when = conflict.theirs_by.partition(", ")
            when = when.replace("T", " ").replace("+00:00", " UTC")
            message = f"{who} changed this segment since you opened it ({when}); nothing was overwritten"
            return SaveOutcome("conflict", message, (), conflict, view, summary_counts, total)
        if report.stored:
            flagged = tuple(finding for _, finding in report.flagged)
            return SaveOutcome("stored", f"saved as {status}", flagged, None, view, summary_counts, total)
        return SaveOutcome("unchanged", "nothing changed", (), None, view, summary_counts, total)

    def add_note(self, packet_id: str, segment_id: str, text: str, editor: str, resolved: bool = False) -> int:
        """A note on the segment (or, `resolved`, one marked resolved), through the import's merge."""
        text = " ".join(_limited(text, MAX_NOTE).split("\x00"))
        if not text.strip():
            raise BriefkitError("the note is empty")
        with self.opened(packet_id, read_only=False) as (packet, memory):
            review = self._held(packet).review(memory, segment_id)
            row = self._row(review, segment_id)
            note = EditorNote(row.item.id, row.item.segment.markup, editor, now_utc(), text.strip(), resolved, "desk")
            report = import_corrections(review, memory, [], editor, DESK, [note], file_kind=DESK)
        return report.notes_added

    def resolve_note(self, packet_id: str, segment_id: str, author: str, at: str, text: str) -> None:
        with self.opened(packet_id, read_only=False) as (packet, memory):
            review = self._held(packet).review(memory, segment_id)
            row = self._row(review, segment_id)
            note = next((n for n in row.notes if (n.author, n.at, n.text) == (author, at, text)), None)
            if note is None:
                raise NotFound("that note is not on this segment (reload the page)")
            resolved = EditorNote(note.segment, note.source_key, note.author, note.at, note.text, True, note.origin)
            import_corrections(review, memory, [], note.author, DESK, [resolved], file_kind=DESK)

    # --- rebuilding -----------------------------------------------------------------------------------

    def rebuild(self, packet_id: str) -> RebuildJob:
        """Start building the packet's DOCX and PDF into the output folder (one rebuild of a packet at a time)."""
        packet = self.packet(packet_id)
        with self.jobs_lock:
            job = self.jobs.get(packet_id)
            if job is not None and job.state == "running":
                return job
            job = self.jobs[packet_id] = RebuildJob()

        def run() -> None:
            try:
                manifest = build_packet(
                    packet.path, self.out, FORMATS, job.on_event, self.allow_outside, memory=self.memory
                )
                job.files = [str(self.out / manifest.packet / f.path) for f in manifest.files.values()]
                job.state = "done"
                job.message = f"built {len(job.files)} files into {self.out / manifest.packet}"
            except BriefkitError as exc:
                job.state, job.message = "failed", " ".join(str(exc).split())
            except Exception as exc:  # a traceback is a bug: one line, as the command line gives it
                job.state, job.message = "failed", f"internal error: {type(exc).__name__}: {exc}"[:300]
            job.seconds = round(time.monotonic() - job.started, 1)

        threading.Thread(target=run, name=f"rebuild-{packet_id}", daemon=True).start()
        return job

    def rebuild_status(self, packet_id: str) -> RebuildJob | None:
        self.packet(packet_id)
        return self.jobs.get(packet_id)


def _limited(text: str, limit: int) -> str:
    if len(text) > limit:
        raise BriefkitError(f"the text is {len(text):,} characters, over the limit of {limit:,}")
    return text
