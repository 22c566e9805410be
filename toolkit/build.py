"""Building one packet: load → read → translate → cite → write, with a manifest of what was made."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from toolkit import __version__
from toolkit.atomic import write_folder_atomic
from toolkit.citations import STYLES_DIR as CSL_STYLES_DIR
from toolkit.citations import Bibliography, check_citation_keys, load_bibliography, render_citations, resolve_style
from toolkit.docx_writer import load_word_style, write_docx
from toolkit.engines import engine_identity, load_engine
from toolkit.errors import BriefkitError, BriefkitErrors
from toolkit.glossary import Glossary, load_glossary, make_protector
from toolkit.html_writer import write_html, write_pdf
from toolkit.memory import TranslationMemory, person_units_digest, read_tmx
from toolkit.model import Document, Edition
from toolkit.packet import Packet, load_packet
from toolkit.packet_book import PacketBook, labels_for
from toolkit.qa import check_translation, qa_markdown, qa_report
from toolkit.reader import read_summary
from toolkit.translate import Translator, document_segments

log = logging.getLogger("briefkit")
T = TypeVar("T")
STYLES_DIR = Path(__file__).resolve().parent.parent / "styles"
FORMATS = ("docx", "pdf")
STYLE_FILES = (STYLES_DIR / "packet.css", STYLES_DIR / "word.yaml")


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


def _collect(errors: list[BriefkitError], step: Callable[..., T], *args: Any) -> T | None:
    """Run one reading step; keep its problems in `errors` so that one run reports them all."""
    try:
        return step(*args)
    except BriefkitErrors as exc:
        errors.extend(exc.errors)
    except BriefkitError as exc:
        errors.append(exc)
    return None


MAX_REPORTED = 50


def _raise_all(errors: list[BriefkitError], packet: Packet | None = None) -> None:
    """Raise the errors together (at most MAX_REPORTED of them); one that names no file names the packet."""
    errors = [e if e.path or packet is None else BriefkitError(e.message, packet.path, None, e.hint) for e in errors]
    if len(errors) > MAX_REPORTED:
        more = BriefkitError(f"… and {len(errors) - MAX_REPORTED} more problems", errors[MAX_REPORTED].path)
        errors = [*errors[:MAX_REPORTED], more]
    if errors:
        raise errors[0] if len(errors) == 1 else BriefkitErrors(errors)


def _read_summaries(packet: Packet, errors: list[BriefkitError]) -> list[Document]:
    """The summaries that read; the problems of the others go into `errors`."""
    root = None if packet.allow_outside else packet.inputs_root
    documents = (_collect(errors, read_summary, path, root) for path in packet.summaries)
    return [doc for doc in documents if doc is not None]


def read_documents(packet: Packet) -> list[Document]:
    """Every summary of the packet; all problems in all of them are reported together."""
    errors: list[BriefkitError] = []
    documents = _read_summaries(packet, errors)
    _raise_all(errors)
    return documents


Events = Callable[[dict[str, Any]], None]


def _no_events(event: dict[str, Any]) -> None:
    pass


@dataclass(frozen=True)
class PreparedPacket:
    """A packet with everything it is built from read and validated."""

    packet: Packet
    documents: list[Document]
    bibliography: Bibliography
    style: Path
    glossary: Glossary


def packet_style(packet: Packet) -> Path:
    """The packet's CSL style file; an unknown style is reported at the packet's `citation_style` line."""
    try:
        return resolve_style(packet.citation_style, packet.path.parent)
    except BriefkitError as exc:
        raise BriefkitError(exc.message, packet.path, packet.key_lines.get("citation_style"), exc.hint) from None


def prepare_packet(packet_path: Path, allow_outside: bool = False) -> PreparedPacket:
    """Load the packet and read all its inputs; every problem is a BriefkitError naming file and line, and
    all the problems of all the files are reported together."""
    packet = load_packet(packet_path, allow_outside)
    errors: list[BriefkitError] = []
    documents = _read_summaries(packet, errors)
    bibliography = _collect(errors, load_bibliography, packet.bibliography)
    if bibliography is not None:
        _collect(errors, check_citation_keys, documents, bibliography)
    style = _collect(errors, packet_style, packet)
    glossary = _collect(errors, load_glossary, packet.glossary)
    _raise_all(errors, packet)
    assert bibliography is not None and style is not None and glossary is not None
    return PreparedPacket(packet, documents, bibliography, style, glossary)


def input_hashes(packet: Packet, style: Path) -> dict[str, str]:
    """sha256 of every file the packet is built from, by a name that does not depend on where briefkit lives:
    relative to the inputs folder, `styles/…` for our style files, `csl/…` for a CSL style from the library."""
    files = [packet.path, *packet.summaries, *packet.bibliography, style, *STYLE_FILES]
    files += [p for p in (packet.glossary, packet.translations) if p is not None and p.is_file()]
    named = {}
    for path in files:
        if path.is_relative_to(packet.inputs_root):
            name = str(path.relative_to(packet.inputs_root))
        elif path.is_relative_to(STYLES_DIR):
            name = f"styles/{path.relative_to(STYLES_DIR)}"
        elif path.is_relative_to(CSL_STYLES_DIR):
            name = f"csl/{path.relative_to(CSL_STYLES_DIR)}"
        else:
            name = str(path)
        named[name] = _sha256(path)
    return dict(sorted(named.items()))


def source_parts(packet: Packet, style: Path, formats: tuple[str, ...]) -> dict[str, Any]:
    """What the outputs are made from, short of the translations people made: found without reading Markdown."""
    return {
        "inputs": input_hashes(packet, style),
        "engine": engine_identity(packet.engine) if len(packet.languages) > 1 else "",
        "toolkit": __version__,
        "formats": sorted(formats),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }


def person_translations_digest(prepared: PreparedPacket) -> str:
    """sha256 of the reviewed and approved translations in the memory that this packet's segments would use."""
    packet = prepared.packet
    if len(packet.languages) < 2 or not packet.memory.is_file():
        return ""
    protect = make_protector(prepared.glossary, packet.number_style)
    markups = [s.segment.markup for doc in prepared.documents for s in document_segments(doc, protect)]
    memory = TranslationMemory(packet.memory)
    try:
        units = memory.lookup(markups, packet.translation_pair)
    finally:
        memory.close()
    people = sorted((key, u.target, u.status) for key, u in units.items() if u.status != "machine")
    return hashlib.sha256(json.dumps(people, ensure_ascii=False).encode()).hexdigest() if people else ""


def build_key(prepared: PreparedPacket, formats: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """The content hash of everything the outputs are made from, and the parts it hashes."""
    parts = source_parts(prepared.packet, prepared.style, formats)
    parts["translations"] = person_translations_digest(prepared)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest(), parts


def _manifest_if_intact(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, if every file it lists is there with the size and sha256 it records."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return None
    for info in manifest["files"].values():
        path = folder / str(info.get("path", ""))
        if not path.is_file() or path.stat().st_size != info.get("bytes") or _sha256(path) != info.get("sha256"):
            return None
    return manifest


def current_manifest(packet: Packet, out_dir: Path, formats: tuple[str, ...]) -> dict[str, Any] | None:
    """The manifest of the packet's outputs in `out_dir` if they are current, else None.

    Fast when nothing changed: the source files' hashes, the engine and the memory's person-made translations
    are compared with the manifest's without reading any Markdown. Otherwise the packet is read in full and its
    exact build key compared (an editor's correction elsewhere in the memory does not make it stale)."""
    manifest = _manifest_if_intact(out_dir / packet.id)
    if manifest is None:
        return None
    recorded = manifest.get("key_parts", {})
    quick = source_parts(packet, packet_style(packet), formats)
    if manifest.get("memory_people") == person_units_digest(packet.memory, packet.translation_pair) and all(
        recorded.get(name) == value for name, value in quick.items()
    ):
        return manifest
    key, _ = build_key(prepare_packet(packet.path, packet.allow_outside), formats)
    return manifest if manifest.get("build_key") == key else None


def build_packet(
    packet_path: Path,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    on_event: Events = _no_events,
    allow_outside: bool = False,
) -> dict[str, Any]:
    """Build one packet into `out_dir/<id>/` (all its files replaced together); return its manifest."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = round(now - clock, 3)
        clock = now
        on_event({"step": step, "state": "done", "seconds": timings[step]})

    on_event({"step": "read", "state": "start"})
    prepared = prepare_packet(packet_path, allow_outside)
    packet, documents = prepared.packet, prepared.documents
    lap("read")

    on_event({"step": "translate", "state": "start"})
    editions_docs: list[tuple[str, list[Document]]] = [(packet.source_lang, documents)]
    report = None
    qa: dict[str, Any] | None = None
    for lang in packet.languages[1:]:
        engine = load_engine(packet.engine, packet.beam_size)
        log.info("%s: translating into %s with %s (%s)", packet.id, lang, engine.name, engine.model)
        memory = TranslationMemory(packet.memory)
        try:
            pair = packet.translation_pair
            if packet.translations.is_file():
                changed = memory.store_units(read_tmx(packet.translations, pair, "reviewed"), pair)
                if changed:
                    log.info("%s: %d reviewed translations taken from %s", packet.id, changed, packet.translations.name)
            translator = Translator(engine, memory, prepared.glossary, lang, packet.number_style)
            translator.on_progress = lambda done, total, rate: on_event(
                {"step": "translate", "state": "progress", "done": done, "total": total, "segments_per_s": rate}
            )
            editions_docs.append((lang, translator.translate_documents(documents)))
        finally:
            memory.close()
        report = translator.report
        findings = check_translation(translator.results, prepared.glossary)
        qa = qa_report(packet.id, report, translator.results, findings)
        log.info(
            "%s: %d segments (%d from memory), QA: %d errors, %d warnings",
            packet.id,
            report.segments,
            report.from_memory,
            qa["errors"],
            qa["warnings"],
        )
    # The key after translating: the person-made translations it covers are those this build used, including
    # any it just took from translations.tmx.
    key, key_parts = build_key(prepared, formats)
    lap("translate")

    on_event({"step": "cite", "state": "start"})
    # One Pandoc process per language half, run side by side: most of this step is waiting for them.
    with ThreadPoolExecutor(max_workers=len(editions_docs)) as pool:
        cited = list(
            pool.map(
                lambda item: render_citations(item[1], prepared.bibliography, prepared.style, item[0]), editions_docs
            )
        )
    editions = [
        Edition(lang, tuple(rendered), bib_blocks, labels_for(lang))
        for (lang, _), (rendered, bib_blocks) in zip(editions_docs, cited, strict=True)
    ]
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
        on_event({"step": "write_docx", "state": "start"})
        outputs["docx"] = write_docx(book, load_word_style(STYLES_DIR))
        lap("write_docx")
    if "pdf" in formats:
        on_event({"step": "write_pdf", "state": "start"})
        css = (STYLES_DIR / "packet.css").read_text(encoding="utf-8")
        outputs["pdf"] = write_pdf(write_html(book, css), STYLES_DIR, book.timestamp)
        lap("write_pdf")

    named = {fmt: (f"{packet.id}.{fmt}", data) for fmt, data in outputs.items()}
    if qa is not None:
        named["qa_json"] = ("qa.json", (json.dumps(qa, indent=2, ensure_ascii=False) + "\n").encode())
        named["qa_markdown"] = ("qa.md", qa_markdown(qa).encode())
    files = {
        kind: {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for kind, (name, data) in named.items()
    }
    manifest: dict[str, Any] = {
        "packet": packet.id,
        "toolkit_version": __version__,
        "build_key": key,
        "key_parts": key_parts,
        # after translating: reviewed units the build itself imported from translations.tmx count as seen
        "memory_people": person_units_digest(packet.memory, packet.translation_pair),
        "layout": packet.layout,
        "languages": list(packet.languages),
        "citation_style": prepared.style.stem,
        "files": files,
        "inputs": key_parts["inputs"],
        "translation": asdict(report) if report is not None else None,
        "qa": {k: qa[k] for k in ("errors", "warnings", "by_kind")} if qa is not None else None,
        "timings_s": timings,
    }
    contents = {name: data for name, data in named.values()}
    contents["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    write_folder_atomic(out_dir / packet.id, contents)
    return manifest
