"""Building one packet: read → translate → cite → write, with a manifest of what was made.

`build_packet` runs the steps in order; each step is a function of its own below."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import __version__
from toolkit.atomic import write_folder_atomic
from toolkit.cite.citeproc import render_citations
from toolkit.cite.styles import describe_style, links_citations
from toolkit.errors import BriefkitError
from toolkit.model import Document, Edition, plain_text
from toolkit.read.memory_location import MemoryLocation, memory_shown
from toolkit.read.packet import Packet, ReviewLevel, build_timestamp
from toolkit.release.build_key import build_key, people_digest, people_key, segment_keys
from toolkit.release.events import BuildEvent, ProgressEvent, Step, StepEvent
from toolkit.release.manifest import KeyParts, Manifest, OutputFile, QaSummary
from toolkit.release.output_folder import MARKER, MARKER_TEXT, check_output_folder
from toolkit.release.prepare import PreparedPacket, packet_segment_table, prepare_packet
from toolkit.review.status import ReviewCounts, counts_from_results
from toolkit.translate.anchors import seal_document
from toolkit.translate.engines import load_engine
from toolkit.translate.memory import EditorNote, TranslationMemory, people_digest_of_pairs
from toolkit.translate.qa import Finding, QaReport, check_translation, qa_markdown, qa_report
from toolkit.translate.tmx import read_tmx
from toolkit.translate.translator import SegmentResult, TranslationReport, Translator
from toolkit.write.book import PacketBook, labels_for
from toolkit.write.house_style import packet_css, word_style
from toolkit.write.html_page import write_html
from toolkit.write.pdf import write_pdf
from toolkit.write.word import write_docx

log = logging.getLogger("briefkit")
FORMATS = ("docx", "pdf")
Events = Callable[[BuildEvent], None]


def _no_events(event: BuildEvent) -> None:
    pass


class _StepClock:
    """Announces each step's start and end, and keeps how long each took."""

    def __init__(self, on_event: Events) -> None:
        self.on_event = on_event
        self.timings: dict[str, float] = {}
        self.clock = time.perf_counter()

    def start(self, step: Step) -> None:
        self.on_event(StepEvent(step, "start"))

    def done(self, step: Step) -> None:
        now = time.perf_counter()
        self.timings[step.value] = round(now - self.clock, 3)
        self.clock = now
        self.on_event(StepEvent(step, "done", self.timings[step.value]))


@dataclass
class Translation:
    """The translate step's result: the documents of each language, source first, and what happened."""

    editions: list[tuple[str, list[Document]]]
    report: TranslationReport | None = None
    qa: QaReport | None = None
    review: ReviewCounts | None = None
    key: str = ""
    key_parts: KeyParts | None = field(default=None)
    memory_people: str = ""  # the memory's person-made translations as they were when translating began
    translated_from: dict[str, tuple[str, ...]] = field(default_factory=dict)  # pair -> titles translated in it
    segment_keys: dict[str, list[str]] = field(default_factory=dict)  # see Manifest


def translate_packet(prepared: PreparedPacket, formats: tuple[str, ...], on_event: Events) -> Translation:
    """The packet's documents in every language: each summary as written in its own language's edition and
    translated into the other; reviewed units from translations.tmx are taken into the memory first. The
    build key is computed after translating: the person-made translations it covers are those this build
    used, as it read them, including any it just took from translations.tmx. A correction stored while the
    build runs is in neither the outputs nor the key, so the next run rebuilds."""
    packet, documents = prepared.packet, prepared.documents
    result = Translation([])
    result.memory_people = people_digest_of_pairs(packet.memory, packet.translation_pairs)
    people_used: dict[str, tuple[str, str]] = {}
    translated: dict[tuple[str, int], Document] = {}
    reports: list[TranslationReport] = []
    results: list[SegmentResult] = []
    findings: list[Finding] = []
    notes: list[EditorNote] = []
    table = packet_segment_table(prepared)
    # edition by edition, in the packet's order of languages
    order = packet.languages.index
    directions = sorted(table.directions(), key=lambda d: (order(d.target), order(d.source)))
    translated_from: dict[str, list[int]] = {}
    if directions:
        memory = TranslationMemory(packet.memory)
        try:
            used = {direction.pair for direction in directions}
            if packet.translations.is_file():
                for pair in (pair for pair in packet.translation_pairs if pair in used):
                    changed = memory.store_units(read_tmx(packet.translations, pair, "reviewed"), pair)
                    if changed:
                        log.info(
                            "%s: %d reviewed translations taken from %s", packet.id, changed, packet.translations.name
                        )
            # before reading any of them
            result.memory_people = people_digest_of_pairs(packet.memory, packet.translation_pairs)
            for direction in directions:
                rows = table.of_direction(direction)
                wanted = sorted({row.document for row in rows})
                translated_from[direction.pair] = wanted
                engine = load_engine(packet.engine, packet.beam_size, direction.pair)
                log.info("%s: translating into %s with %s (%s)", packet.id, direction.target, engine.name, engine.model)
                translator = Translator(
                    engine,
                    memory,
                    prepared.glossary,
                    direction.target,
                    packet.number_style,
                    anchors=True,
                    known_names=prepared.bibliography.names(),
                    source_lang=direction.source,
                )
                translator.on_progress = lambda done, total, rate: on_event(ProgressEvent(done, total, rate))
                done = translator.translate_documents([documents[i] for i in wanted], rows)
                for i, doc in zip(wanted, done, strict=True):
                    translated[(direction.target, i)] = doc
                people_used.update(
                    (people_key(packet, direction.pair, key), used) for key, used in translator.people_used.items()
                )
                reports.append(translator.report)
                results.extend(translator.results)
                glossary = prepared.glossary.reversed() if direction.rules.glossary_reversed else prepared.glossary
                findings.extend(check_translation(translator.results, glossary))
                notes.extend(memory.notes(direction.pair))
        finally:
            memory.close()
        result.report = TranslationReport.combined(reports)
        result.review = counts_from_results(results, notes)
        result.qa = qa_report(packet.id, result.report, results, findings, notes)
        result.translated_from = {
            pair: tuple(plain_text(documents[i].title) for i in wanted) for pair, wanted in translated_from.items()
        }
        log.info(
            "%s: %d segments (%d from memory), %d unknown words, QA: %d errors, %d warnings",
            packet.id,
            result.report.segments,
            result.report.from_memory,
            result.report.unknown_words,
            result.qa.errors,
            result.qa.warnings,
        )
    result.editions = [
        (half, [translated.get((half, i), doc) for i, doc in enumerate(documents)]) for half in packet.languages
    ]
    result.key, result.key_parts = build_key(prepared, formats, people_digest(people_used), table)
    result.segment_keys = segment_keys(table)
    return result


def cite_editions(prepared: PreparedPacket, translation: Translation) -> list[Edition]:
    """Each language half with its citations rendered in its own locale. One Pandoc process per half, run side
    by side: most of this step is waiting for them."""

    def cite(item: tuple[str, list[Document]]) -> Edition:
        lang, documents = item
        link = links_citations(prepared.packet.link_citations, prepared.style)
        rendered, bibliography = render_citations(documents, prepared.bibliography, prepared.style, lang, link)
        return Edition(lang, tuple(seal_document(doc) for doc in rendered), bibliography)

    with ThreadPoolExecutor(max_workers=len(translation.editions)) as pool:
        return list(pool.map(cite, translation.editions))


def engine_note(packet: Packet, translation: Translation) -> str:
    """The cover's line on the machine translation, in the first language: which edition was translated or,
    when the summaries are written in both languages, which summaries from which language into which."""
    report = translation.report
    if report is None:
        return ""
    labels = labels_for(packet.source_lang)
    names = labels.language_names
    if set(translation.translated_from) == {packet.translation_pair}:  # every summary in the first language
        return labels.machine_note.format(target=names[packet.languages[-1][:2]], engine=report.model)
    directions = [
        labels.direction.format(
            source=names[pair[:2]],
            target=names[pair[-2:]],
            titles=", ".join(labels.quoted.format(title=title) for title in titles),
        )
        for pair, titles in translation.translated_from.items()
    ]
    return labels.mixed_note.format(engine=report.model, directions="; ".join(directions))


def packet_book(prepared: PreparedPacket, editions: list[Edition], translation: Translation) -> PacketBook:
    packet = prepared.packet
    return PacketBook(
        id=packet.id,
        title=packet.title,
        subtitle=packet.subtitle,
        organization=packet.organization,
        date=packet.date,
        layout=packet.layout,
        editions=tuple(editions),
        engine_note=engine_note(packet, translation),
        timestamp=build_timestamp(packet),
    )


def write_outputs(book: PacketBook, formats: tuple[str, ...], clock: _StepClock) -> dict[str, bytes]:
    """The packet's DOCX and PDF (those asked for), by format."""
    outputs: dict[str, bytes] = {}
    if "docx" in formats:
        clock.start(Step.WRITE_DOCX)
        outputs["docx"] = write_docx(book, word_style())
        clock.done(Step.WRITE_DOCX)
    if "pdf" in formats:
        clock.start(Step.WRITE_PDF)
        outputs["pdf"] = write_pdf(write_html(book, packet_css()), book.timestamp)
        clock.done(Step.WRITE_PDF)
    return outputs


def check_review(packet: Packet, counts: ReviewCounts | None, required: ReviewLevel | None) -> None:
    """Fail with one line when the packet's translation is not reviewed as far as required."""
    level = required or packet.require_review
    if level is None or counts is None or counts.ready(level):
        return
    raise BriefkitError(
        f"review not complete ({level} required): {counts.reason(level)}",
        packet.path,
        packet.key_lines.get("require_review"),
        "briefkit review status shows which segments",
    )


def build_packet(
    packet_path: Path,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    on_event: Events = _no_events,
    allow_outside: bool = False,
    require_review: ReviewLevel | None = None,
    memory: MemoryLocation | None = None,
) -> Manifest:
    """Build one packet into `out_dir/<id>/` (all its files replaced together); return its manifest.

    With a review level required (here or by the packet's `require_review`), a packet whose translation is not
    reviewed that far fails before anything is written."""
    manifest, contents = make_packet(packet_path, out_dir, formats, on_event, allow_outside, require_review, memory)
    write_folder_atomic(out_dir / manifest.packet, contents)
    return manifest


def make_packet(
    packet_path: Path,
    out_dir: Path | None,
    formats: tuple[str, ...] = FORMATS,
    on_event: Events = _no_events,
    allow_outside: bool = False,
    require_review: ReviewLevel | None = None,
    memory: MemoryLocation | None = None,
) -> tuple[Manifest, dict[str, bytes]]:
    """The manifest and files of a packet's folder, written nowhere (`out_dir`, when given, is checked as
    the folder they are for; a remote worker has none: its client checked its own)."""
    clock = _StepClock(on_event)
    clock.start(Step.READ)
    prepared = prepare_packet(packet_path, allow_outside, memory)
    packet = prepared.packet
    if out_dir is not None:
        check_output_folder(out_dir, packet)
    resolved = describe_style(packet.citation_style)
    if resolved:
        log.info("%s: citation style: %s", packet.id, resolved)
    log.info("%s: translation memory: %s", packet.id, memory_shown(packet.memory, packet.inputs_root))
    clock.done(Step.READ)

    clock.start(Step.TRANSLATE)
    translation = translate_packet(prepared, formats, on_event)
    clock.done(Step.TRANSLATE)
    check_review(packet, translation.review, require_review)

    clock.start(Step.CITE)
    editions = cite_editions(prepared, translation)
    clock.done(Step.CITE)

    outputs = write_outputs(packet_book(prepared, editions, translation), formats, clock)
    named = {fmt: (f"{packet.id}.{fmt}", data) for fmt, data in outputs.items()}
    if translation.qa is not None:
        qa_json = json.dumps(translation.qa.to_json(), indent=2, ensure_ascii=False) + "\n"
        named["qa_json"] = ("qa.json", qa_json.encode())
        named["qa_markdown"] = ("qa.md", qa_markdown(translation.qa).encode())
    assert translation.key_parts is not None
    manifest = Manifest(
        packet=packet.id,
        toolkit_version=__version__,
        build_key=translation.key,
        key_parts=translation.key_parts,
        # as translating began (after the build's own import from translations.tmx): a correction stored since
        # changes the memory's digest, so the next run checks the packet in full and rebuilds it
        memory_people=translation.memory_people,
        segment_keys=translation.segment_keys,
        layout=packet.layout,
        languages=list(packet.languages),
        citation_style=prepared.style.stem,
        files={kind: OutputFile.of(name, data) for kind, (name, data) in named.items()},
        translation=translation.report,
        qa=QaSummary(**translation.qa.summary()) if translation.qa is not None else None,
        review=translation.review,
        timings_s=clock.timings,
        memory=memory_shown(packet.memory, packet.inputs_root),
    )
    contents = {name: data for name, data in named.values()}
    contents["manifest.json"] = manifest.json_bytes()
    contents[MARKER] = MARKER_TEXT
    return manifest, contents
