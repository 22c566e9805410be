"""The `briefkit` command."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from toolkit import __version__
from toolkit.atomic import folder_lock, write_atomic
from toolkit.cite.styles import search_styles
from toolkit.desk.access import Access, is_loopback, new_token, read_tokens
from toolkit.desk.app import listening_socket, serve
from toolkit.desk.desk import Desk
from toolkit.errors import BriefkitError
from toolkit.read.memory_location import MemoryLocation, memory_location
from toolkit.read.packet import Packet, build_timestamp, load_packet
from toolkit.release.pipeline import FORMATS, build_packet
from toolkit.release.progress import JsonReporter, LogReporter, RichReporter
from toolkit.release.run import Terminated, check_scheduler_address, default_packets, run_release
from toolkit.review.matches import with_matches
from toolkit.review.merge import ImportReport, ReviewFile, import_corrections
from toolkit.review.open import find_packet, identify, read_review_file
from toolkit.review.rows import as_seen, packet_review
from toolkit.review.status import REVIEW_LEVELS, ReviewCounts, ReviewLevel, review_counts
from toolkit.review.table import write_review_docx
from toolkit.review.xliff import write_review_xliff
from toolkit.translate.direction import parse_pair
from toolkit.translate.engines import install_model, installed_models, models_dir
from toolkit.translate.memory import STATUSES, TranslationMemory, copy_memory, memory_exists, normalize
from toolkit.translate.segments import markup_as_text
from toolkit.translate.tmx import read_tmx, tmx_bytes

REVIEW_HELP = "fail packets whose translation is not reviewed (or approved) throughout; packets may say require_review"
OUTSIDE_HELP = "let the packet use files outside its inputs folder (the folder holding packets/)"
MEMORY_HELP = (
    "the translation memory for every packet, in place of each packet's own: an SQLite file or a "
    "postgresql:// URL (default: $BRIEFKIT_MEMORY)"
)


STORED_WITH_FINDINGS = 3  # `review import`: everything stored, some of it flagged by the QA checks
INTERRUPTED = "each packet folder holds its old build or its new one, and a rerun builds the rest"


def _memory_override(args: argparse.Namespace) -> MemoryLocation | None:
    """`--memory`, else BRIEFKIT_MEMORY, else None (each packet's own)."""
    value = getattr(args, "memory", None) or os.environ.get("BRIEFKIT_MEMORY")
    return memory_location(value, "--memory" if getattr(args, "memory", None) else "BRIEFKIT_MEMORY") if value else None


def _load_packet(args: argparse.Namespace, path: Path) -> Packet:
    return load_packet(path, getattr(args, "allow_outside", False), _memory_override(args))


log = logging.getLogger("briefkit")
MAX_JOBS = 1024
BUG_HINT = "this is a bug in briefkit: please report it with the command you ran and this line"
DEFAULT_MEMORY = "inputs/.briefkit/memory.sqlite"


def _build(args: argparse.Namespace) -> int:

    formats = tuple(args.format) if args.format else FORMATS
    memory = _memory_override(args)
    failed = 0
    with folder_lock(Path(args.out), shared=True):  # a release there would take this build's half-made folder
        for packet in args.packets:
            failed += _build_one(args, Path(packet), formats, memory)
    return 1 if failed else 0


def _build_one(args: argparse.Namespace, packet: Path, formats: tuple[str, ...], memory: MemoryLocation | None) -> int:
    try:
        manifest = build_packet(
            packet,
            Path(args.out),
            formats,
            allow_outside=args.allow_outside,
            require_review=args.require_review,
            memory=memory,
        )
    except BriefkitError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    print(
        f"built {manifest.packet}: "
        + ", ".join(f"{Path(args.out) / manifest.packet / f.path}" for f in manifest.files.values())
    )
    return 0


def _release(args: argparse.Namespace) -> int:

    packets = [Path(p) for p in args.packets] or default_packets()
    if not packets:
        raise BriefkitError("no packets given and none found in inputs/packets/")
    if not 1 <= args.jobs <= MAX_JOBS:
        raise BriefkitError(f"--jobs must be between 1 and {MAX_JOBS}, got {args.jobs}")
    if args.scheduler and args.executor != "dask":
        raise BriefkitError("--scheduler goes with --executor dask")
    if args.scheduler:
        check_scheduler_address(args.scheduler)
    if args.json:
        reporter: LogReporter | JsonReporter = JsonReporter()
    elif sys.stderr.isatty() and not args.quiet:
        reporter = RichReporter()
    else:
        reporter = LogReporter(quiet=args.quiet)
    release = run_release(
        packets,
        Path(args.out),
        reporter,
        jobs=args.jobs,
        formats=tuple(args.format) if args.format else FORMATS,
        force=args.force,
        executor=args.executor,
        scheduler=args.scheduler,
        allow_outside=args.allow_outside,
        require_review=args.require_review,
        memory=_memory_override(args),
    )
    return 1 if release.failed else 0


def _styles(args: argparse.Namespace) -> int:
    matches = search_styles(args.words)
    for match in matches:
        kind = f"dependent on {match.parent}" if match.parent else "independent"
        print(f"{match.id}\t{match.title}\t{kind}")
    print(f"{len(matches)} styles match; give one as `citation_style:` in a packet", file=sys.stderr)
    return 0 if matches else 1


def _models(args: argparse.Namespace) -> int:

    if args.models_command == "install":
        if args.from_index:
            raise BriefkitError(
                "the Argos package index needs internet access, which this machine lacks",
                hint="download the .argosmodel file elsewhere and run `briefkit models install FILE`",
            )
        if not args.path:
            raise BriefkitError("give a .argosmodel file to install (or --from-index)")
        model = install_model(Path(args.path))
        print(f"installed {model.name} {model.version} ({model.from_code}→{model.to_code}) into {models_dir()}")
        return 0
    models = installed_models()
    if not models:
        print(f"no Argos models installed (looked in {models_dir()})")
    for model in models:
        print(f"{model.name}\t{model.version}\t{model.from_code}→{model.to_code}\t{model.path}")
    return 0


def _memory(args: argparse.Namespace) -> int:
    args.pair = parse_pair(args.pair)
    packet = _load_packet(args, Path(args.packet)) if getattr(args, "packet", None) else None
    # a packet's own memory, from whatever folder the command runs in
    location = _memory_override(args) or (packet.memory if packet else Path(DEFAULT_MEMORY))
    if args.memory_command == "copy":
        return _memory_copy(location, memory_location(args.destination, "DESTINATION"))
    if args.memory_command != "import" and not memory_exists(location):
        raise BriefkitError("no translation memory here yet (build a packet first)", str(location))
    memory = TranslationMemory(location, read_only=args.memory_command != "import")
    try:
        if args.memory_command == "export":
            statuses = STATUSES if args.all else ("reviewed", "approved")
            units = memory.units(args.pair, statuses)
            write_atomic(Path(args.tmx), tmx_bytes(units, args.pair))
            print(f"exported {len(units)} {'/'.join(statuses)} units to {args.tmx}")
        elif args.memory_command == "history":
            _print_history(memory, args)
        elif args.memory_command == "import":
            units = read_tmx(Path(args.tmx), args.pair, args.status)
            changed = memory.store_units(units, args.pair, f"tmx:{Path(args.tmx).name}")
            print(f"imported {args.tmx}: {len(units)} units, {changed} new or changed")
        else:
            counts = memory.counts()
            if not counts:
                print(f"{location}: empty")
            for (pair, status), n in counts.items():
                print(f"{pair}\t{status}\t{n}")
    finally:
        memory.close()
    return 0


def _print_import(report: ImportReport, review_file: ReviewFile, source: Path, memory_path: MemoryLocation) -> None:
    for where, why in review_file.rejected + report.rejected:
        print(f"error: {source}: segment {where} not imported: {why}", file=sys.stderr)
    for conflict in report.conflicts:
        print(
            f"conflict: {source}: segment {conflict.segment_id} changed in the memory since the file was made; "
            "not applied (--prefer-file takes the file's text):\n"
            f"  base:   {conflict.base}\n"
            f"  theirs: {conflict.theirs} ({conflict.theirs_by})\n"
            f"  yours:  {conflict.yours}",
            file=sys.stderr,
        )
    for segment, finding in report.flagged:
        print(
            f"flagged: {source}: segment {segment} stored as the editor wrote it; the QA check says: {finding} "
            "(shown in review status and qa.md until a reviewer changes or approves it)",
            file=sys.stderr,
        )
    for warning in review_file.warnings + report.warnings:
        print(f"warning: {source}: {warning}", file=sys.stderr)
    rejected = len(review_file.rejected) + len(report.rejected)
    print(
        f"stored {len(report.stored)} corrections from the {review_file.kind} in {memory_path}"
        + (f" (import {report.import_id})" if report.stored or report.notes_added else "")
        + f": {report.unchanged} unchanged, {len(report.conflicts)} conflicts, {rejected} rejected, "
        f"{report.notes_added} notes added"
    )


def _memory_copy(source: MemoryLocation, destination: MemoryLocation) -> int:
    if not memory_exists(source):
        raise BriefkitError("no translation memory here yet (build a packet first)", str(source))
    if str(source) == str(destination):
        raise BriefkitError("the memory to copy into is the memory copied", str(destination))
    reader = TranslationMemory(source, read_only=True)
    try:
        writer = TranslationMemory(destination)
        try:
            copied = copy_memory(reader, writer)
        finally:
            writer.close()
    finally:
        reader.close()
    print(
        f"copied {source} into {destination}: {copied.units} units, {copied.versions} versions, "
        f"{copied.notes} notes, {copied.imports} imports"
    )
    return 0


def _check_import_id(memory: TranslationMemory, import_id: str) -> None:
    """An import id this memory holds, or an error naming it and the latest ones it does hold."""
    known = [record.id for record in memory.imports()]
    if import_id in known:
        return
    latest = ", ".join(known[-5:])
    raise BriefkitError(
        f"no review import `{import_id[:100]}` in this translation memory",
        memory.db.label,
        hint=f"its latest imports: {latest}" if known else "it holds no imports yet",
    )


def _print_history(memory: TranslationMemory, args: argparse.Namespace) -> None:
    """Every version of a segment's translation, oldest first (by segment id, or by its source text). With
    --packet, in the segment's own direction and with its protected parts as tokens, as the editor saw them."""
    if not args.segment.strip():
        raise BriefkitError("the segment id is empty", hint="give one as the ID column of review export shows it")
    pair = args.pair
    row = None
    if args.packet:
        review = packet_review(_load_packet(args, Path(args.packet)), memory)
        row = review.by_id().get(args.segment)
        pair = row.pair if row else pair
    sources = [u.source for u in memory.units(pair) if u.context == args.segment]
    sources += [row.item.segment.markup] if row else []
    sources += [v.unit.source for v in memory.history_of_context(pair, args.segment)]
    versions = memory.history(pair, sorted(set(sources))) if sources else []
    if not versions:
        raise BriefkitError(f"no history for segment {args.segment}", hint="give --packet to look it up by its text")
    for version in versions:
        unit = version.unit
        who = f"{unit.updated}  {unit.status:<9} {unit.produced_by:<16} {version.change:<30}"
        shown = markup_as_text(unit.target)
        if row is not None and normalize(unit.source) == normalize(row.item.segment.markup):
            shown = as_seen(unit.target, row.item.segment, review.bibliography)
        print(f"{who} {shown}")


def _review_import(args: argparse.Namespace) -> int:
    source = Path(args.file)
    kind, packet_id = identify(source)
    packet = find_packet(
        packet_id, Path(args.packet) if args.packet else None, Path(args.inputs), source, args.allow_outside
    )
    override = _memory_override(args)
    packet = replace(packet, memory=override) if override else packet
    memory = _packet_memory(packet, args.packet or "PACKET", read_only=False)
    try:
        review = packet_review(packet, memory)
        review_file = read_review_file(source, kind, review)
        if review_file.packet_id and review_file.packet_id != packet.id:
            raise BriefkitError(f"this review file is for packet `{review_file.packet_id}`, not `{packet.id}`", source)
        editor = args.editor or review_file.editor
        try:
            report = import_corrections(
                review,
                memory,
                review_file.corrections,
                editor,
                source.name,
                review_file.notes,
                args.prefer_file,
                review_file.kind,
            )
        except BriefkitError as exc:
            if exc.path != Path(source.name):
                raise
            raise BriefkitError(exc.message, source, hint=exc.hint) from None  # named as the user gave it
    finally:
        memory.close()
    _print_import(report, review_file, source, packet.memory)
    if not report.ok or review_file.rejected:
        return 1  # something was refused or conflicts: the rest is stored
    return STORED_WITH_FINDINGS if report.flagged else 0


def _packet_memory(packet: Packet, packet_arg: str, read_only: bool) -> TranslationMemory:
    if not memory_exists(packet.memory):
        raise BriefkitError(
            "no translation memory yet", str(packet.memory), hint=f"build the packet first: briefkit build {packet_arg}"
        )
    return TranslationMemory(packet.memory, read_only)


def _review_status(args: argparse.Namespace, packet: Packet, memory: TranslationMemory) -> int:
    counts = review_counts(packet_review(packet, memory))
    total = sum(counts.values(), ReviewCounts())
    level: ReviewLevel = args.require or packet.require_review or "reviewed"
    ready = total.ready(level)
    if args.json:
        data = {
            "packet": packet.id,
            "level": level,
            "ready": ready,
            "reason": total.reason(level),
            "total": total.to_json(),
            "summaries": {name: c.to_json() for name, c in counts.items()},
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0 if ready else 1
    columns = ["untranslated", "machine", "reviewed", "approved", "needs_review", "open_notes", "flagged"]
    print(f"{'summary':<32}" + "".join(f"{c.replace('_', '-'):>14}" for c in columns))
    for summary, row in [*counts.items(), ("total", total)]:
        print(f"{summary:<32}" + "".join(f"{getattr(row, c):>14}" for c in columns))
    print(f"ready: every segment {level}" if ready else f"not ready ({level} required): {total.reason(level)}")
    return 0 if ready else 1


def _review_serve(args: argparse.Namespace) -> int:
    """`review serve`: the review desk in the browser, for the packets given."""
    if not 0 < args.port < 65536:
        raise BriefkitError(f"--port must be between 1 and 65535, got {args.port}")
    if args.tokens:
        tokens = read_tokens(Path(args.tokens))
    else:
        tokens = {new_token(): args.editor or getpass.getuser()}
    if not is_loopback(args.host) and not (args.tokens or args.editor):
        raise BriefkitError(
            f"a desk on {args.host} is shared: give each editor a token (--tokens FILE) or name the one (--editor)",
            hint="one line per editor in the file: TOKEN Name",
        )
    packets = [_load_packet(args, Path(p)) for p in args.packets]
    desk = Desk(packets, Path(args.out), _memory_override(args), args.allow_outside)
    sock = listening_socket(args.host, args.port)
    host = f"[{args.host}]" if ":" in args.host else args.host
    address = f"http://{host}:{sock.getsockname()[1]}/"
    print(f"review desk for {', '.join(desk.packets)} at {address} (Ctrl+C stops it)")
    if args.tokens:
        print(f"each editor opens {address}?token=THEIR_TOKEN ({len(tokens)} editors in {args.tokens})")
    else:
        token, editor = next(iter(tokens.items()))
        print(f"{editor} opens: {address}?token={token}")
    serve(desk, Access(tokens), sock)
    return 0


def _review(args: argparse.Namespace) -> int:
    if args.review_command == "import":
        return _review_import(args)
    if args.review_command == "serve":
        return _review_serve(args)
    packet = _load_packet(args, Path(args.packet))
    memory = _packet_memory(packet, args.packet, read_only=args.review_command != "undo")
    try:
        if args.review_command == "status":
            return _review_status(args, packet, memory)
        if args.review_command == "undo":
            _check_import_id(memory, args.import_id)
            restored, kept = memory.undo_import(args.import_id, args.editor or getpass.getuser())
            for unit in kept:
                print(f"warning: not undone, changed again since: {unit.context or unit.source[:60]}", file=sys.stderr)
            print(f"undid import {args.import_id}: {len(restored)} segments restored, {len(kept)} left as they are")
            return 0 if restored or not kept else 1
        review = with_matches(packet_review(packet, memory), memory)  # fuzzy matches from the memory go along
    finally:
        memory.close()
    if any(row.status == "untranslated" for row in review.rows):
        raise BriefkitError(
            "some segments have no translation yet",
            packet.path,
            hint=f"build the packet first: briefkit build {args.packet}",
        )
    out = Path(args.out) / packet.id
    docx_path, xliff_path = out / f"{packet.id}.review.docx", out / f"{packet.id}.review.xlf"
    write_atomic(docx_path, write_review_docx(review, build_timestamp(packet)))
    write_atomic(xliff_path, write_review_xliff(review))
    print(f"wrote {docx_path} and {xliff_path} ({len(review.rows)} segments)")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="briefkit", description="Bilingual EN/ES briefing packets from Markdown.")
    p.add_argument("--version", action="version", version=f"briefkit {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="only errors")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build packets (DOCX, PDF, manifest)")
    b.add_argument("packets", nargs="+", help="packet files (inputs/packets/*.yaml)")
    b.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    b.add_argument("--format", action="append", choices=["docx", "pdf"], help="only this format (repeatable)")
    b.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    b.add_argument("--require-review", choices=REVIEW_LEVELS, help=REVIEW_HELP)
    b.add_argument("--memory", help=MEMORY_HELP)
    b.set_defaults(run=_build)
    r = sub.add_parser("release", help="build many packets: in parallel, only what changed, with release.json")
    r.add_argument("packets", nargs="*", help="packet files (default: every inputs/packets/*.yaml)")
    r.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    r.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    r.add_argument("--format", action="append", choices=["docx", "pdf"], help="only this format (repeatable)")
    r.add_argument("--force", action="store_true", help="rebuild every packet, changed or not")
    r.add_argument("--json", action="store_true", help="machine-readable events on stdout, one JSON object a line")
    r.add_argument("--executor", choices=["local", "dask"], default="local", help="local processes or a Dask cluster")
    r.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster of --jobs workers)")
    r.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    r.add_argument("--require-review", choices=REVIEW_LEVELS, help=REVIEW_HELP)
    r.add_argument("--memory", help=MEMORY_HELP)
    r.set_defaults(run=_release)
    st = sub.add_parser("styles", help="find a citation style: CSL repository ids and titles")
    stsub = st.add_subparsers(dest="styles_command", required=True)
    search = stsub.add_parser("search", help="styles whose id or title holds every word (independent and dependent)")
    search.add_argument("words", nargs="+")
    st.set_defaults(run=_styles)
    m = sub.add_parser("models", help="list or install Argos Translate models")
    msub = m.add_subparsers(dest="models_command", required=True)
    msub.add_parser("list", help="installed models")
    inst = msub.add_parser("install", help="install a .argosmodel file")
    inst.add_argument("path", nargs="?")
    inst.add_argument("--from-index", action="store_true", help="download from the Argos index (needs internet)")
    m.set_defaults(run=_models)
    mem = sub.add_parser("memory", help="the translation memory: statistics, TMX export and import")
    mem.add_argument(
        "--memory", help=f"an SQLite file or a postgresql:// URL (default: $BRIEFKIT_MEMORY, else {DEFAULT_MEMORY})"
    )
    mem.add_argument("--pair", default="en-es", help="language pair (default: en-es)")
    memsub = mem.add_subparsers(dest="memory_command", required=True)
    memsub.add_parser("stats", help="units per language pair and status")
    exp = memsub.add_parser("export", help="write units to a TMX file (reviewed and approved unless --all)")
    exp.add_argument("--tmx", required=True, help="TMX file to write")
    exp.add_argument("--all", action="store_true", help="machine translations too")
    hist = memsub.add_parser("history", help="every version of a segment's translation, with who and when")
    hist.add_argument("segment", help="segment id, e.g. fentanyl-war-003")
    hist.add_argument("--packet", help="the packet file, to find the segment by its English")
    hist.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    imp = memsub.add_parser("import", help="read units from a TMX file (ours or a CAT tool's)")
    imp.add_argument("tmx", help="TMX file to read")
    imp.add_argument(
        "--status",
        choices=["machine", "reviewed", "approved"],
        default="reviewed",
        help="status of units without a briefkit status (default: reviewed)",
    )
    cp = memsub.add_parser("copy", help="copy the whole memory (units, history, notes, imports) into another")
    cp.add_argument("destination", help="an SQLite file or a postgresql:// URL (empty, or a copy of the same)")
    mem.set_defaults(run=_memory)
    rev = sub.add_parser("review", help="editor review: export for review, import corrections, status, undo")
    revsub = rev.add_subparsers(dest="review_command", required=True)
    rexp = revsub.add_parser("export", help="write PACKET's segments as a review DOCX and an XLIFF file")
    rexp.add_argument("packet")
    rexp.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    rexp.add_argument("--memory", help=MEMORY_HELP)
    rexp.add_argument("--out", default="outputs/review", help="folder (default: outputs/review)")
    rimp = revsub.add_parser(
        "import", help="read corrections from a review DOCX, an XLIFF file, or the packet DOCX edited in Word"
    )
    rimp.add_argument("file")
    rimp.add_argument("--packet", help="the packet file (default: the packet whose id the file records)")
    rimp.add_argument("--inputs", default="inputs", help="where to look for that packet (default: inputs)")
    rimp.add_argument("--editor", help="who made the corrections (default: from the file)")
    rimp.add_argument(
        "--prefer-file", action="store_true", help="on a conflict, take the file's text over the memory's"
    )
    rimp.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    rimp.add_argument("--memory", help=MEMORY_HELP)
    rstat = revsub.add_parser("status", help="segments per summary and status; exit 0 when ready, 1 when not")
    rstat.add_argument("packet")
    rstat.add_argument("--json", action="store_true", help="the counts as JSON")
    rstat.add_argument(
        "--require", choices=REVIEW_LEVELS, help="the level to be ready at (default: the packet's, else reviewed)"
    )
    rstat.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    rstat.add_argument("--memory", help=MEMORY_HELP)
    rundo = revsub.add_parser("undo", help="take back one import (its id is printed by review import)")
    rundo.add_argument("import_id")
    rundo.add_argument("packet", help="the packet file (its memory)")
    rundo.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    rundo.add_argument("--memory", help=MEMORY_HELP)
    rundo.add_argument("--editor", help="who undoes it, for the history (default: your login name)")
    rserve = revsub.add_parser("serve", help="the review desk in the browser: correct, approve and note segments")
    rserve.add_argument("packets", nargs="+", help="packet files (chosen by id in the browser)")
    rserve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    rserve.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0: any free one)")
    rserve.add_argument("--memory", help=MEMORY_HELP)
    rserve.add_argument("--editor", help="your name, for the history and notes (default: your login name)")
    rserve.add_argument("--tokens", help="a file of editors' tokens, one a line: TOKEN Name (for a shared desk)")
    rserve.add_argument("--out", default="outputs", help="where Rebuild writes the packet (default: outputs)")
    rserve.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    rev.set_defaults(run=_review)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.ERROR if args.quiet else logging.INFO, format="%(levelname)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("distributed").setLevel(logging.WARNING)
    try:
        return int(args.run(args))
    except BriefkitError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"briefkit: interrupted; {INTERRUPTED}", file=sys.stderr)
        return 130
    except Terminated:
        print(f"briefkit: terminated; {INTERRUPTED}", file=sys.stderr)
        return 143
    except BrokenPipeError:  # `briefkit styles search … | head`: the reader has gone, which is no error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 141
    except Exception as exc:  # a traceback is a bug: one line and what to do about it
        text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        print(f"internal error: {text} ({BUG_HINT})", file=sys.stderr)
        return 2
