"""Building one packet: load → read → translate → cite → write, with a manifest of what was made."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.atomic import write_atomic
from toolkit.citations import check_citation_keys, load_bibliography, render_citations, resolve_style
from toolkit.docx_writer import load_word_style, write_docx
from toolkit.engines import select_engine
from toolkit.errors import BriefkitError, BriefkitErrors
from toolkit.glossary import load_glossary
from toolkit.html_writer import write_html, write_pdf
from toolkit.memory import TranslationMemory, read_tmx
from toolkit.model import Document, Edition
from toolkit.packet import Packet, load_packet
from toolkit.packet_book import PacketBook, labels_for
from toolkit.qa import check_translation, qa_markdown, qa_report
from toolkit.reader import read_summary
from toolkit.translate import Translator

log = logging.getLogger("briefkit")
STYLES_DIR = Path(__file__).resolve().parent.parent / "styles"
FORMATS = ("docx", "pdf")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_timestamp(packet: Packet) -> dt.datetime:
    """Fixed build time for reproducible files: SOURCE_DATE_EPOCH, else the packet's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    try:
        return dt.datetime.combine(dt.date.fromisoformat(packet.date), dt.time(12, 0))
    except ValueError:
        return dt.datetime(2000, 1, 1)


def read_documents(packet: Packet) -> list[Document]:
    documents: list[Document] = []
    errors: list[BriefkitError] = []
    for path in packet.summaries:
        try:
            documents.append(read_summary(path))
        except BriefkitErrors as exc:
            errors.extend(exc.errors)
        except BriefkitError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else BriefkitErrors(errors)
    return documents


def build_packet(packet_path: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> dict[str, object]:
    """Build one packet into `out_dir/<id>/`; return its manifest."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = round(now - clock, 3)
        clock = now

    packet = load_packet(packet_path)
    documents = read_documents(packet)
    bibliography = load_bibliography(packet.bibliography)
    check_citation_keys(documents, bibliography)
    style = resolve_style(packet.citation_style, packet.path.parent)
    glossary = load_glossary(packet.glossary)
    lap("read")

    editions_docs: list[tuple[str, list[Document]]] = [(packet.source_lang, documents)]
    report = None
    qa: dict[str, Any] | None = None
    for lang in packet.languages[1:]:
        engine = select_engine(packet.engine, packet.beam_size)
        log.info("%s: translating into %s with %s (%s)", packet.id, lang, engine.name, engine.model)
        memory = TranslationMemory(packet.memory)
        try:
            pair = packet.translation_pair
            if packet.translations.is_file():
                changed = memory.store_units(read_tmx(packet.translations, pair, "reviewed"), pair)
                if changed:
                    log.info("%s: %d reviewed translations taken from %s", packet.id, changed, packet.translations.name)
            translator = Translator(engine, memory, glossary, lang, packet.number_style)
            editions_docs.append((lang, translator.translate_documents(documents)))
        finally:
            memory.close()
        report = translator.report
        findings = check_translation(translator.results, glossary)
        qa = qa_report(packet.id, report, translator.results, findings)
        log.info(
            "%s: %d segments (%d from memory), QA: %d errors, %d warnings",
            packet.id,
            report.segments,
            report.from_memory,
            qa["errors"],
            qa["warnings"],
        )
    lap("translate")

    editions = []
    for lang, docs in editions_docs:
        rendered, bib_blocks = render_citations(docs, bibliography, style, lang)
        editions.append(Edition(lang, tuple(rendered), bib_blocks, labels_for(lang)))
    lap("cite")

    engine_note = ""
    if report is not None:
        engine_note = labels_for(packet.source_lang)["machine_note"].format(engine=report.model)
    book = PacketBook(
        id=packet.id,
        title=packet.title,
        subtitle=packet.subtitle,
        organization=packet.organization,
        date=packet.date,
        layout=packet.layout,
        editions=tuple(editions),
        engine_note=engine_note,
        timestamp=build_timestamp(packet),
    )
    outputs: dict[str, bytes] = {}
    if "docx" in formats:
        outputs["docx"] = write_docx(book, load_word_style(STYLES_DIR))
        lap("write_docx")
    if "pdf" in formats:
        css = (STYLES_DIR / "packet.css").read_text(encoding="utf-8")
        outputs["pdf"] = write_pdf(write_html(book, css), STYLES_DIR)
        lap("write_pdf")

    named = {fmt: (f"{packet.id}.{fmt}", data) for fmt, data in outputs.items()}
    if qa is not None:
        named["qa_json"] = ("qa.json", (json.dumps(qa, indent=2, ensure_ascii=False) + "\n").encode())
        named["qa_markdown"] = ("qa.md", qa_markdown(qa).encode())
    target = out_dir / packet.id
    files = {}
    for kind, (name, data) in named.items():
        write_atomic(target / name, data)
        files[kind] = {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    inputs = [packet.path, *packet.summaries, *packet.bibliography]
    inputs += [p for p in (packet.glossary, packet.translations) if p is not None and p.is_file()]
    manifest: dict[str, object] = {
        "packet": packet.id,
        "toolkit_version": __version__,
        "layout": packet.layout,
        "languages": list(packet.languages),
        "citation_style": style.stem,
        "files": files,
        "inputs": {
            str(p.relative_to(packet.path.parent.parent))
            if p.is_relative_to(packet.path.parent.parent)
            else str(p): _sha256(p)
            for p in inputs
        },
        "translation": asdict(report) if report is not None else None,
        "qa": {k: qa[k] for k in ("errors", "warnings", "by_kind")} if qa is not None else None,
        "timings_s": timings,
    }
    write_atomic(target / "manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return manifest
