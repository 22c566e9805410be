"""Importing an editor's corrections: a merge against what was exported, never a blind overwrite.

Each correction carries its base (the target and status its file was made from). A row equal to its base is
left alone; a changed row whose memory entry is still its base is stored; a changed row whose memory entry
changed since is a conflict, reported with the three texts and not applied (unless the file is preferred).
Every stored change is kept in the memory's history under one import id, which `review undo` takes back."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from toolkit.errors import BriefkitError
from toolkit.model import Inline
from toolkit.model.languages import language_name
from toolkit.review.rows import (
    PacketReview,
    ReviewRow,
    as_seen,
    describe_placeholder_problem,
    markup_from_tokens,
    parse_status,
    status_hint,
)
from toolkit.translate.memory import (
    RANK,
    EditorNote,
    GuardedWrite,
    ImportRecord,
    Status,
    TranslationMemory,
    Unit,
    normalize,
    now_utc,
    target_fingerprint,
)
from toolkit.translate.qa import Finding, check_translation
from toolkit.translate.segments import PlaceholderError, markup_as_text, restore
from toolkit.translate.translator import SegmentResult

MAX_TARGET_CHARS = 20_000
HTML_OR_SCRIPT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]{0,200}>|javascript\s*:|data\s*:\s*text/html", re.I)


@dataclass(frozen=True)
class Correction:
    """One segment as an edited review file has it."""

    segment_id: str
    english: str  # fingerprint of the English the file was made from
    base: str | None  # target_fingerprint of the target and status the file was made from (None: not recorded)
    target_text: str  # with {N} tokens (review DOCX) or markup (XLIFF, packet DOCX)
    status_text: str  # as the editor wrote it ("" = keep the base status)
    is_markup: bool = False
    editor: str = ""  # who made this change, where the file says (a tracked change's author)
    at: str = ""  # when, where the file says
    where: str = ""  # for messages: "row 12", "line 40"
    target_lang: str = ""  # the language the file says the translation is in, where it says (XLIFF)


@dataclass(frozen=True)
class ReviewFile:
    """What an edited review file (table, XLIFF or packet DOCX) holds, read and checked."""

    kind: str  # "review table", "XLIFF", "packet DOCX"
    packet_id: str
    editor: str  # who the file says edited it ("" if it does not say)
    corrections: list[Correction]
    notes: list[EditorNote]
    warnings: list[str]
    rejected: list[tuple[str, str]]


@dataclass(frozen=True)
class Conflict:
    segment_id: str
    base: str  # the text the file was made from
    theirs: str  # the memory's text now
    theirs_by: str
    yours: str


@dataclass
class ImportReport:
    import_id: str
    stored: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # segment id (or place), why
    notes_added: int = 0
    warnings: list[str] = field(default_factory=list)
    flagged: list[tuple[str, str]] = field(default_factory=list)  # stored corrections the QA checks disagree with

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.rejected


@dataclass(frozen=True)
class _Checked:
    """A correction that can be rendered, ready to be stored unless it equals its base; `findings`: what the
    QA checks say of the editor's choices (its errors are stored all the same, and flagged)."""

    row: ReviewRow
    markup: str
    status: Status
    findings: tuple[Finding, ...] = ()

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(f.message for f in self.findings if f.severity == "error")


def new_import_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def _markup(row: ReviewRow, correction: Correction) -> str:
    """The correction's target as segment markup (a BriefkitError for a token that is not the segment's)."""
    if correction.is_markup:
        return normalize(correction.target_text)
    return markup_from_tokens(correction.target_text, row.item.segment)


def _untouched(row: ReviewRow, correction: Correction) -> bool:
    """The row is as its file was made, or as the memory has it now: nothing of a person's to store or check."""
    try:
        markup = _markup(row, correction)
    except BriefkitError:
        return False
    status = parse_status(correction.status_text) if correction.status_text else None
    if correction.status_text and status is None:
        return False  # a status the editor wrote, misspelt: said so by the checks
    current: Status = row.status if row.status != "untranslated" else "machine"
    as_made = correction.base is not None and target_fingerprint(markup, status or current) == correction.base
    stored = row.status != "untranslated" and normalize(markup) == normalize(row.target)
    return as_made or (stored and RANK[status or current] <= RANK[current])


def _check(review: PacketReview, row: ReviewRow, correction: Correction, file_kind: str) -> _Checked | str:
    """The correction's markup and status with the QA findings on it, or why it cannot be stored: a stale
    file, an unknown status, or a text that cannot be rendered (empty, too long, HTML, a citation, note, link
    or formatting lost)."""
    if correction.english != row.fingerprint:
        source = language_name(row.source_lang)
        return f"the {source} of this segment changed since the file was made; export again"
    wanted = row.item.direction
    if correction.target_lang and correction.target_lang.split("-")[0].lower() != wanted.target_language:
        said = correction.target_lang[:20]
        return f"the file says its translation is in {said}; this segment is translated into {wanted.target_name}"
    status = parse_status(correction.status_text) if correction.status_text else None
    if correction.status_text and status is None:
        return f"unknown status “{correction.status_text.strip()[:40]}” ({status_hint(correction.status_text)})"
    text = correction.target_text
    if not text.strip():
        return "the translation is empty"
    if len(text) > MAX_TARGET_CHARS:
        return f"the translation is {len(text):,} characters, over the limit of {MAX_TARGET_CHARS:,}"
    if HTML_OR_SCRIPT.search(markup_as_text(text) if correction.is_markup else text):
        return "the translation contains HTML or a script link; write plain text"
    segment = row.item.segment
    try:
        markup = _markup(row, correction)
        target = restore(segment, markup, text_slots_optional=True)
    except PlaceholderError as exc:
        problem = describe_placeholder_problem(exc, segment, review.bibliography, _where_to_copy(row, file_kind))
        return f"{problem} (the segment: “{markup_as_text(segment.markup)[:80]}”)"
    except BriefkitError as exc:
        return exc.message
    findings = tuple(_findings(review, row, target, markup))
    base_status: Status = row.status if row.status != "untranslated" else "machine"
    return _Checked(row, markup, status or base_status, findings)


def _findings(review: PacketReview, row: ReviewRow, target: tuple[Inline, ...], markup: str) -> list[Finding]:
    """The build's QA checks on a person's target, and whether it only copies the source."""
    direction = row.item.direction
    result = SegmentResult(
        row.item.source,
        target,
        tuple(row.item.segment.protected),
        "reviewed",
        row.item.id,
        source_lang=direction.source_language,
    )
    glossary = review.glossary.reversed() if direction.rules.glossary_reversed else review.glossary
    findings = check_translation([result], glossary)
    if normalize(markup) == normalize(row.item.segment.markup):  # what a CAT tool's "copy source" leaves
        copied = f"the translation only copies the {language_name(row.source_lang)} text"
        findings.append(Finding("untranslated", "error", "", "", copied, row.item.id))
    return findings


@dataclass(frozen=True)
class DraftCheck:
    """What saving a target would meet: why it would be refused ("" if it would not), and the QA findings on
    it (errors are stored all the same, and flagged; warnings are for the editor to look at)."""

    refused: str
    findings: tuple[Finding, ...]


def check_draft(review: PacketReview, row: ReviewRow, text: str, file_kind: str = "review desk") -> DraftCheck:
    """The checks an import runs on a target written with tokens (`… en {2} …`), without storing anything."""
    correction = Correction(row.item.id, row.fingerprint, row.base or None, text, "")
    checked = _check(review, row, correction, file_kind)
    if isinstance(checked, str):
        return DraftCheck(checked, ())
    return DraftCheck("", checked.findings)


def _where_to_copy(row: ReviewRow, file_kind: str) -> str:
    """Where an editor finds a lost token again: the source column of a review table or XLIFF; the packet's
    source-language half (or a fresh export) for the packet DOCX, which has no such column."""
    source = language_name(row.source_lang)
    if file_kind == "packet DOCX":
        return f"{source} text of the packet (or put it back with Undo)"
    return f"{source} column"


def import_corrections(
    review: PacketReview,
    memory: TranslationMemory,
    corrections: list[Correction],
    editor: str,
    file_name: str,
    notes: list[EditorNote] | None = None,
    prefer_file: bool = False,
    file_kind: str = "review table",
) -> ImportReport:
    """Check each correction and merge it into the memory (see the module's docstring)."""
    pair = review.packet.translation_pair
    rows = review.by_id()
    report = ImportReport(new_import_id())
    seen: dict[str, str] = {}
    writes: list[GuardedWrite] = []
    pending: list[_Checked] = []
    for c in corrections:
        where = f"{c.where}: " if c.where else ""
        if c.segment_id in seen:
            report.rejected.append(
                (c.segment_id, f"{where}the segment appears twice in the file (also {seen[c.segment_id]})")
            )
            continue
        seen[c.segment_id] = c.where or "above"
        row = rows.get(c.segment_id)
        if row is None:
            sibling = next((r for r in rows.values() if c.segment_id.startswith(r.item.summary + "-")), None)
            why = (
                f"the {language_name(sibling.source_lang)} of this segment changed since the file was made "
                "(or its paragraph was removed)"
                if sibling is not None
                else "the packet has no such segment now"
            )
            report.rejected.append((c.segment_id, f"{where}{why}; export again"))
            continue
        if _untouched(row, c):
            report.unchanged += 1  # as exported, or already in the memory: never checked, never stored
            continue
        checked = _check(review, row, c, file_kind)
        if isinstance(checked, str):
            report.rejected.append((c.segment_id, where + checked))
            continue
        base = c.base
        status: Status = "reviewed" if checked.status == "machine" else checked.status  # a person's text now
        unit = Unit(
            row.item.context_key if row.item.shared else row.item.segment.markup,
            checked.markup,
            status,
            "editor",
            "",
            c.editor or editor,
            c.at or now_utc(),
            row.item.id,
        )
        shared = row.item.segment.markup if row.item.shared else ""
        writes.append(GuardedWrite(unit, base, force=prefer_file, pair=row.pair, shared_source=shared))
        pending.append(checked)
    if any(not write.unit.produced_by for write in writes):  # only a change needs its author; untouched rows none
        raise BriefkitError("the file does not say who edited it", file_name, hint="give --editor NAME")
    results = memory.store_guarded(writes, pair, f"import:{report.import_id}") if writes else []
    for write, checked, result in zip(writes, pending, results, strict=True):
        if result.stored:
            report.stored.append(checked.row.item.id)
            report.flagged.extend((checked.row.item.id, finding) for finding in checked.errors)
            continue
        theirs = result.current
        base_unit = memory.version_with_fingerprint(write.pair, write.unit.source, write.base) if write.base else None
        segment = checked.row.item.segment

        def shown(markup: str) -> str:
            return as_seen(markup, segment, review.bibliography)

        report.conflicts.append(
            Conflict(
                checked.row.item.id,
                shown(base_unit.target) if base_unit else "(not recorded in this file)",
                shown(theirs.target) if theirs else "",
                f"{theirs.produced_by}, {theirs.updated}" if theirs else "",
                shown(checked.markup),
            )
        )
    known = {row.item.id for row in review.rows}
    stamped = [
        EditorNote(
            n.segment,
            rows[n.segment].item.segment.markup,
            n.author or editor,
            n.at or now_utc(),
            n.text,
            n.resolved,
            n.origin,
            report.import_id,
        )
        for n in notes or []
        if n.segment in known
    ]
    report.notes_added = 0
    for note_pair in dict.fromkeys(rows[n.segment].pair for n in stamped):
        report.notes_added += memory.add_notes([n for n in stamped if rows[n.segment].pair == note_pair], note_pair)
    if report.stored or report.notes_added:
        memory.record_import(ImportRecord(report.import_id, pair, file_name, editor, now_utc(), len(report.stored)))
    return report
