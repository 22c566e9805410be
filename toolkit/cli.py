"""The `briefkit` command."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from toolkit import __version__
from toolkit.errors import BriefkitError

log = logging.getLogger("briefkit")


def _build(args: argparse.Namespace) -> int:
    from toolkit.build import FORMATS, build_packet

    formats = tuple(args.format) if args.format else FORMATS
    failed = 0
    for packet in args.packets:
        try:
            manifest = build_packet(Path(packet), Path(args.out), formats)
        except BriefkitError as exc:
            failed += 1
            for line in str(exc).splitlines():
                print(f"error: {line}", file=sys.stderr)
            continue
        files = manifest["files"]
        assert isinstance(files, dict)
        print(
            f"built {manifest['packet']}: "
            + ", ".join(f"{Path(args.out) / str(manifest['packet']) / f['path']}" for f in files.values())
        )
    return 1 if failed else 0


def _models(args: argparse.Namespace) -> int:
    from toolkit.engines import install_model, installed_models, models_dir

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
    from toolkit.atomic import write_atomic
    from toolkit.memory import STATUSES, TranslationMemory, read_tmx, tmx_bytes

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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="briefkit", description="Bilingual EN/ES briefing packets from Markdown.")
    p.add_argument("--version", action="version", version=f"briefkit {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="only errors")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build packets (DOCX, PDF, manifest)")
    b.add_argument("packets", nargs="+", help="packet files (inputs/packets/*.yaml)")
    b.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    b.add_argument("--format", action="append", choices=["docx", "pdf"], help="only this format (repeatable)")
    b.set_defaults(run=_build)
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.ERROR if args.quiet else logging.INFO, format="%(levelname)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        return int(args.run(args))
    except BriefkitError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
