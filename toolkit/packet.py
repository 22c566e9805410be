"""Loading and validating packet files (`inputs/packets/*.yaml`) into a typed `Packet`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import BriefkitError, BriefkitErrors
from toolkit.glossary import NUMBER_STYLES
from toolkit.yamlfile import parse_mapping, read_text, unknown_key_error

LANGUAGE_TAGS = {"en": "en-US", "es": "es-ES"}
LAYOUTS = ("sequential", "parallel")
ENGINES = ("auto", "argos", "apertium")
FIELDS = [
    "id",
    "title",
    "subtitle",
    "organization",
    "date",
    "languages",
    "citation_style",
    "layout",
    "bibliography",
    "glossary",
    "summaries",
    "engine",
    "beam_size",
    "number_style",
    "memory",
    "translations",
]
REQUIRED = ["id", "title", "bibliography", "summaries"]


@dataclass(frozen=True)
class Packet:
    """A validated packet file. Paths are absolute."""

    path: Path
    id: str
    title: str
    subtitle: str
    organization: str
    date: str
    languages: tuple[str, ...]  # full tags, source first: ("en-US", "es-ES")
    citation_style: str
    layout: str
    bibliography: tuple[Path, ...]
    glossary: Path | None
    summaries: tuple[Path, ...]
    engine: str
    beam_size: int
    number_style: str
    memory: Path
    translations: Path  # reviewed and approved translations as TMX, kept in version control
    inputs_root: Path  # every input must lie inside it (see `load_packet`)
    allow_outside: bool = False
    key_lines: dict[str, int] = field(default_factory=dict)  # where each key is, for errors found later

    @property
    def source_lang(self) -> str:
        return self.languages[0]

    @property
    def translation_pair(self) -> str:
        """The translation memory's language pair, e.g. "en-es" (en-es also for an English-only packet)."""
        target = self.languages[1] if len(self.languages) > 1 else "es"
        return f"{self.source_lang[:2]}-{target[:2]}"


def _language_tag(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"(en|es)(?:[-_]([A-Za-z]{2}|\d{3}))?", value.strip())
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2).upper()}" if m.group(2) else LANGUAGE_TAGS[m.group(1)]


def inputs_root_of(packet_path: Path) -> Path:
    """The inputs folder a packet belongs to: the parent of `packets/`, or the packet's own folder."""
    folder = packet_path.resolve().parent
    return folder.parent if folder.name == "packets" else folder


def load_packet(path: Path, allow_outside: bool = False) -> Packet:
    """Read and validate a packet file; every problem is reported with its line.

    Every path must resolve (symbolic links followed) inside the inputs folder, unless `allow_outside`."""
    path = path.resolve()
    data, lines = parse_mapping(read_text(path), path)
    errors: list[BriefkitError] = []
    inputs_root = inputs_root_of(path)

    def inside(key: str, value: str, target: Path) -> bool:
        if allow_outside or target.is_relative_to(inputs_root):
            return True
        err(
            key,
            f"`{key}` points outside the inputs folder {inputs_root}: {value}",
            "keep inputs inside it, or pass --allow-outside",
        )
        return False

    def err(key: str, message: str, hint: str | None = None) -> None:
        errors.append(BriefkitError(message, path, lines.get(key), hint))

    for key in data:
        if key not in FIELDS:
            errors.append(unknown_key_error(key, FIELDS, path, lines.get(key)))
    for key in REQUIRED:
        if key not in data or data[key] in (None, "", []):
            errors.append(BriefkitError(f"missing required key `{key}`", path, None))

    def text(key: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, dt.date):
            return value.isoformat()
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            err(key, f"`{key}` must be text")
            return default
        return str(value).strip()

    def one_path(key: str, value: Any) -> Path | None:
        if not isinstance(value, str) or not value.strip():
            err(key, f"`{key}` must be a file path (relative to the packet file)")
            return None
        target = (path.parent / value).resolve()
        if not inside(key, value, target):
            return None
        if not target.is_file():
            err(key, f"`{key}` file not found: {value}", "paths are relative to the packet file")
            return None
        return target

    def paths(key: str) -> tuple[Path, ...]:
        value = data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        found = [one_path(key, item) for item in items]
        return tuple(p for p in found if p is not None)

    packet_id = text("id")
    if packet_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", packet_id):
        err("id", f"`id` must be a simple name (letters, digits, . _ -), got {packet_id!r}")

    raw_langs = data.get("languages", ["en", "es"])
    languages: list[str] = []
    if not isinstance(raw_langs, list) or not raw_langs:
        err("languages", "`languages` must be a list such as [en, es]")
    else:
        for item in raw_langs:
            tag = _language_tag(item)
            if tag is None:
                err("languages", f"unsupported language {item!r}", "briefkit supports en and es")
            else:
                languages.append(tag)
        if languages and not languages[0].startswith("en"):
            err("languages", "the source language (first in `languages`) must be en")
        if len({t[:2] for t in languages}) != len(languages):
            err("languages", "a language is listed twice")

    layout = text("layout", "sequential")
    if layout not in LAYOUTS:
        err("layout", f"`layout` must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    if layout == "parallel" and len(languages) != 2:
        err("layout", "`layout: parallel` needs exactly two languages")
    engine = text("engine", "auto")
    if engine not in ENGINES:
        err("engine", f"`engine` must be one of {', '.join(ENGINES)}, got {engine!r}")

    summaries = paths("summaries")
    if "summaries" in data and not isinstance(data["summaries"], list):
        err("summaries", "`summaries` must be a list of Markdown files")
    glossary = paths("glossary")
    beam_size = data.get("beam_size", 2)
    if not isinstance(beam_size, int) or isinstance(beam_size, bool) or not 1 <= beam_size <= 16:
        err("beam_size", "`beam_size` must be a whole number from 1 to 16")
        beam_size = 2
    number_style = text("number_style", "spanish")
    if number_style not in NUMBER_STYLES:
        err("number_style", f"`number_style` must be one of {', '.join(NUMBER_STYLES)}, got {number_style!r}")
    for key in ("memory", "translations"):
        if key in data and not isinstance(data[key], str):
            err(key, f"`{key}` must be a file path")
    memory_value = data.get("memory")
    memory = inputs_root / ".briefkit" / "memory.sqlite"
    if isinstance(memory_value, str) and inside("memory", memory_value, (path.parent / memory_value).resolve()):
        memory = (path.parent / memory_value).resolve()
    translations_value = data.get("translations")
    translations = inputs_root / "translations.tmx"
    if isinstance(translations_value, str):
        if inside("translations", translations_value, (path.parent / translations_value).resolve()):
            translations = (path.parent / translations_value).resolve()
    citation_style = text("citation_style", "chicago-notes-bibliography")
    if citation_style.endswith(".csl"):
        inside("citation_style", citation_style, (path.parent / citation_style).resolve())

    packet = Packet(
        path=path,
        id=packet_id,
        title=text("title"),
        subtitle=text("subtitle"),
        organization=text("organization"),
        date=text("date"),
        languages=tuple(languages),
        citation_style=citation_style,
        layout=layout,
        bibliography=paths("bibliography"),
        glossary=glossary[0] if glossary else None,
        summaries=summaries,
        engine=engine,
        beam_size=beam_size,
        number_style=number_style,
        memory=memory,
        translations=translations,
        inputs_root=inputs_root,
        allow_outside=allow_outside,
        key_lines=lines,
    )
    errors = list({str(e): e for e in errors}.values())  # one message per problem, however often it recurs
    if errors:
        raise errors[0] if len(errors) == 1 else BriefkitErrors(errors)
    return packet
