"""The `briefkit` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from toolkit import __version__
from toolkit.atomic import write_atomic
from toolkit.errors import BriefkitError
from toolkit.read.packet import build_timestamp, load_packet
from toolkit.release.pipeline import FORMATS, build_packet
from toolkit.release.progress import JsonReporter, LogReporter, RichReporter
from toolkit.release.run import default_packets, run_release
from toolkit.review.files import read_review_docx, read_review_xliff, write_review_docx, write_review_xliff
from toolkit.review.rows import import_corrections, packet_from_file, review_rows, review_status
from toolkit.translate.engines import install_model, installed_models, models_dir
from toolkit.translate.memory import STATUSES, TranslationMemory
from toolkit.translate.tmx import read_tmx, tmx_bytes

OUTSIDE_HELP = "let the packet use files outside its inputs folder (the folder holding packets/)"

log = logging.getLogger("briefkit")


def _build(args: argparse.Namespace) -> int:

    formats = tuple(args.format) if args.format else FORMATS
    failed = 0
    for packet in args.packets:
        try:
            manifest = build_packet(Path(packet), Path(args.out), formats, allow_outside=args.allow_outside)
        except BriefkitError as exc:
            failed += 1
            for line in str(exc).splitlines():
                print(f"error: {line}", file=sys.stderr)
            continue
        print(
            f"built {manifest.packet}: "
            + ", ".join(f"{Path(args.out) / manifest.packet / f.path}" for f in manifest.files.values())
        )
    return 1 if failed else 0


def _release(args: argparse.Namespace) -> int:

    packets = [Path(p) for p in args.packets] or default_packets()
    if not packets:
        raise BriefkitError("no packets given and none found in inputs/packets/")
    if args.jobs < 1:
        raise BriefkitError("--jobs must be at least 1")
    if args.scheduler and args.executor != "dask":
        raise BriefkitError("--scheduler goes with --executor dask")
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
    )
    return 1 if release.failed else 0


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

    path = Path(args.memory)
    if args.memory_command != "import" and not path.is_file():
        raise BriefkitError("no translation memory here yet (build a packet first)", path)
    memory = TranslationMemory(path)
    try:
        if args.memory_command == "export":
            statuses = STATUSES if args.all else ("reviewed", "approved")
            units = memory.units(args.pair, statuses)
            write_atomic(Path(args.tmx), tmx_bytes(units, args.pair))
            print(f"exported {len(units)} {'/'.join(statuses)} units to {args.tmx}")
        elif args.memory_command == "import":
            units = read_tmx(Path(args.tmx), args.pair, args.status)
            changed = memory.store_units(units, args.pair)
            print(f"imported {args.tmx}: {len(units)} units, {changed} new or changed")
        else:
            counts = memory.counts()
            if not counts:
                print(f"{path}: empty")
            for (pair, status), n in counts.items():
                print(f"{pair}\t{status}\t{n}")
    finally:
        memory.close()
    return 0


def _review(args: argparse.Namespace) -> int:

    if args.review_command == "import":
        source = Path(args.file)
        reader = read_review_xliff if source.suffix.lower() in (".xlf", ".xliff") else read_review_docx
        identifier, editor, corrections = reader(source)
        packet = packet_from_file(identifier, Path(args.packet) if args.packet else None, source, args.allow_outside)
        memory = TranslationMemory(packet.memory)
        try:
            report = import_corrections(packet, memory, corrections, args.editor or editor)
        finally:
            memory.close()
        for segment_id, why in report.rejected:
            print(f"error: {source}: segment {segment_id} not imported: {why}", file=sys.stderr)
        print(
            f"imported {len(report.imported)} corrections into {packet.memory}"
            f" ({report.unchanged} unchanged, {len(report.rejected)} rejected)"
        )
        return 1 if report.rejected else 0
    packet = load_packet(Path(args.packet), args.allow_outside)
    if not packet.memory.is_file():
        raise BriefkitError(
            "no translation memory yet", packet.memory, hint=f"build the packet first: briefkit build {args.packet}"
        )
    memory = TranslationMemory(packet.memory)
    try:
        if args.review_command == "status":
            counts = review_status(packet, memory)
            columns = ["untranslated", "machine", "reviewed", "approved", "needs-review"]
            print(f"{'summary':<32}" + "".join(f"{c:>14}" for c in columns))
            totals = dict.fromkeys(columns, 0)
            for summary, row in counts.items():
                print(f"{summary:<32}" + "".join(f"{row.get(c, 0):>14}" for c in columns))
                for c in columns:
                    totals[c] += row.get(c, 0)
            print(f"{'total':<32}" + "".join(f"{totals[c]:>14}" for c in columns))
            ready = totals["untranslated"] == totals["machine"] == totals["needs-review"] == 0
            print("ready: every segment reviewed or approved" if ready else "not ready")
            return 0
        rows = review_rows(packet, memory)
    finally:
        memory.close()
    if any(row.status == "untranslated" for row in rows):
        raise BriefkitError(
            "some segments have no translation yet",
            packet.path,
            hint=f"build the packet first: briefkit build {args.packet}",
        )
    out = Path(args.out) / packet.id
    docx_path, xliff_path = out / f"{packet.id}.review.docx", out / f"{packet.id}.review.xlf"
    write_atomic(docx_path, write_review_docx(packet, rows, build_timestamp(packet)))
    write_atomic(xliff_path, write_review_xliff(packet, rows))
    print(f"wrote {docx_path} and {xliff_path} ({len(rows)} segments)")
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
    r.set_defaults(run=_release)
    m = sub.add_parser("models", help="list or install Argos Translate models")
    msub = m.add_subparsers(dest="models_command", required=True)
    msub.add_parser("list", help="installed models")
    inst = msub.add_parser("install", help="install a .argosmodel file")
    inst.add_argument("path", nargs="?")
    inst.add_argument("--from-index", action="store_true", help="download from the Argos index (needs internet)")
    m.set_defaults(run=_models)
    mem = sub.add_parser("memory", help="the translation memory: statistics, TMX export and import")
    mem.add_argument("--memory", default="inputs/.briefkit/memory.sqlite", help="memory file (default: %(default)s)")
    mem.add_argument("--pair", default="en-es", help="language pair (default: en-es)")
    memsub = mem.add_subparsers(dest="memory_command", required=True)
    memsub.add_parser("stats", help="units per language pair and status")
    exp = memsub.add_parser("export", help="write units to a TMX file (reviewed and approved unless --all)")
    exp.add_argument("--tmx", required=True, help="TMX file to write")
    exp.add_argument("--all", action="store_true", help="machine translations too")
    imp = memsub.add_parser("import", help="read units from a TMX file (ours or a CAT tool's)")
    imp.add_argument("tmx", help="TMX file to read")
    imp.add_argument(
        "--status",
        choices=["machine", "reviewed", "approved"],
        default="reviewed",
        help="status of units without a briefkit status (default: reviewed)",
    )
    mem.set_defaults(run=_memory)
    rev = sub.add_parser("review", help="editor review: export for review, import corrections, status")
    revsub = rev.add_subparsers(dest="review_command", required=True)
    rexp = revsub.add_parser("export", help="write PACKET's segments as a review DOCX and an XLIFF file")
    rexp.add_argument("packet")
    rexp.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    rexp.add_argument("--out", default="outputs/review", help="folder (default: outputs/review)")
    rimp = revsub.add_parser("import", help="read corrections from an edited review DOCX or XLIFF")
    rimp.add_argument("file")
    rimp.add_argument("--packet", help="the packet file (default: the one the review file names)")
    rimp.add_argument("--editor", help="who made the corrections (default: from the file)")
    rimp.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
    rstat = revsub.add_parser("status", help="segments per summary and status")
    rstat.add_argument("packet")
    rstat.add_argument("--allow-outside", action="store_true", help=OUTSIDE_HELP)
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
        return 130
