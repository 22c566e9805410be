"""Loading and validating packet files (`inputs/packets/*.yaml`) into a typed `Packet`."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from toolkit.errors import BriefkitError, raise_all
from toolkit.read.memory_location import (
    DATABASE_SCHEMES,
    MEMORY_HINT,
    MEMORY_KINDS,
    URL_SCHEME,
    DatabaseUrl,
    MemoryLocation,
)
from toolkit.read.yamlfile import escaped_control_error, parse_mapping, read_date, read_text, unknown_key_error

Layout = Literal["sequential", "parallel"]
EngineChoice = Literal["auto", "argos", "apertium"]
ReviewLevel = Literal["reviewed", "approved"]  # what a release can require of every segment before publishing
REVIEW_LEVELS: tuple[ReviewLevel, ...] = get_args(ReviewLevel)
LinkCitations = Literal["auto", "yes", "no"]  # auto: linked in author-date and numeric styles, not in note styles
LINK_CITATIONS: tuple[LinkCitations, ...] = ("auto", "yes", "no")
NumberStyle = Literal["spanish", "as-written"]  # figures written the Spanish way (2,5; 200 000) or as in English
LAYOUTS: tuple[Layout, ...] = get_args(Layout)
ENGINES: tuple[EngineChoice, ...] = get_args(EngineChoice)
NUMBER_STYLES: tuple[NumberStyle, ...] = get_args(NumberStyle)
LANGUAGE_TAGS = {"en": "en-US", "es": "es-ES"}
FIELDS = [
    "id",
    "title",
    "subtitle",
    "organization",
    "date",
    "languages",
    "citation_style",
    "link_citations",
    "layout",
    "bibliography",
    "glossary",
    "term_base",
    "summaries",
    "engine",
    "beam_size",
    "number_style",
    "memory",
    "translations",
    "require_review",
]
REQUIRED = ["id", "title", "bibliography", "summaries"]
MAX_SUMMARIES = 500  # a packet is read by people: far more than any real one
MAX_PATH_CHARS = 1_024  # longer than any path a file system here takes (PATH_MAX is 4,096 bytes)
MAX_PACKET_BYTES = 1_000_000  # a real packet is a few hundred bytes; a bigger one is refused before parsing
# A packet's id names its folder in the output folder, beside briefkit's own files there: the release report
# (release/run.py) and the review exports (`briefkit review export`'s default folder).
RESERVED_IDS = frozenset({"release.json", "review"})


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
    layout: Layout
    bibliography: tuple[Path, ...]
    glossary: Path | None
    summaries: tuple[Path, ...]
    engine: EngineChoice
    beam_size: int
    number_style: NumberStyle
    memory: MemoryLocation  # an SQLite file or a PostgreSQL database
    translations: Path  # reviewed and approved translations as TMX, kept in version control
    inputs_root: Path  # every input must lie inside it (see `load_packet`)
    require_review: ReviewLevel | None = None
    link_citations: LinkCitations = "auto"
    term_base: bool = True  # briefkit's default term base under the glossary (`term_base: false` turns it off)
    allow_outside: bool = False
    key_lines: dict[str, int] = field(default_factory=dict)  # where each key is, for errors found later

    @property
    def source_lang(self) -> str:
        """The language the summaries are written in: the first listed (en-US for a packet whose list is
        wrong, which has been reported)."""
        return self.languages[0] if self.languages else "en-US"

    @property
    def translation_pair(self) -> str:
        """The translation memory's language pair of the first language's summaries, e.g. "en-es" (en-es also
        for an English-only packet)."""
        target = self.languages[1] if len(self.languages) > 1 else "es"
        return f"{self.source_lang[:2]}-{target[:2]}"

    @property
    def translation_pairs(self) -> tuple[str, ...]:
        """Every pair a summary of this packet may be translated in: both ways between its two languages
        (a summary may be written in either), the first language's first."""
        if len(self.languages) < 2:
            return (self.translation_pair,)
        first, second = self.languages[0][:2], self.languages[1][:2]
        return (f"{first}-{second}", f"{second}-{first}")


MAX_EPOCH = 253_402_300_799  # 9999-12-31 23:59:59, the last second a datetime holds


def build_timestamp(packet: Packet) -> dt.datetime:
    """Fixed build time for reproducible files: SOURCE_DATE_EPOCH, else the packet's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        if not re.fullmatch(r"[0-9]{1,11}", epoch) or int(epoch) > MAX_EPOCH:
            raise BriefkitError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, at most {MAX_EPOCH} (the year 9999), "
                f"got {epoch[:40]!r}"
            )
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    try:
        return dt.datetime.combine(dt.date.fromisoformat(packet.date), dt.time(12, 0))
    except ValueError:
        return dt.datetime(2000, 1, 1)


def language_tag(value: Any) -> str | None:
    """`en`, `es`, `es-MX`, `es_419` as a full tag; None for anything else."""
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"(en|es)(?:[-_]([A-Za-z]{2}|[0-9]{3}))?", value.strip(), re.ASCII)
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2).upper()}" if m.group(2) else LANGUAGE_TAGS[m.group(1)]


def inputs_root_of(packet_path: Path) -> Path:
    """The inputs folder a packet belongs to: the parent of `packets/`, or the packet's own folder."""
    folder = packet_path.resolve().parent
    return folder.parent if folder.name == "packets" else folder


class _PacketFile:
    """One packet file's values, checked key by key; every problem is kept with the key's line."""

    def __init__(self, path: Path, allow_outside: bool, shown: Path) -> None:
        self.path = path
        self.shown = shown  # the file as the user named it (a link to /dev/zero is named, not /dev/zero)
        self.allow_outside = allow_outside
        self.inputs_root = inputs_root_of(path)
        self.data, self.lines = parse_mapping(read_text(shown, MAX_PACKET_BYTES), shown)
        self.errors: list[BriefkitError] = []

    def err(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.errors.append(BriefkitError(message, self.shown, self.lines.get(key) if key else None, hint))

    def check_keys(self) -> None:
        for key in self.data:
            if key not in FIELDS:
                self.errors.append(unknown_key_error(key, FIELDS, self.shown, self.lines.get(key)))
        for key in REQUIRED:
            if key not in self.data or self.data[key] in (None, "", []):
                self.err(None, f"missing required key `{key}`")

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, dt.date):
            return value.isoformat()
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.err(key, f"`{key}` must be text")
            return default
        control = escaped_control_error(str(value), key, self.path, self.lines.get(key))
        if control is not None:
            self.errors.append(control)
            return default
        return str(value).strip()

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in allowed:
            self.err(key, f"`{key}` must be one of {', '.join(allowed)}, got {value!r}")
            return default
        return value

    def inside(self, key: str, value: str, target: Path, default: Path | None = None) -> bool:
        """Whether `target` (the key's `value`, resolved) lies inside the inputs folder; else an error at the key.
        `default`: the place used when the key is absent, named in the message."""
        if self.allow_outside or target.is_relative_to(self.inputs_root):
            return True
        named = f"`{key}` (by default {default.relative_to(self.inputs_root)})" if default else f"`{key}`"
        self.err(
            key,
            f"{named} points outside the inputs folder {self.inputs_root}: {value}",
            "keep inputs inside it, or pass --allow-outside",
        )
        return False

    def resolved(self, key: str, value: str) -> Path | None:
        """The path a value names, links followed; None (and the problem noted) for one no file system holds."""
        if "\0" in value:
            self.err(key, f"`{key}` holds a NUL character: {value[:200]!r}")
            return None
        if len(value) > MAX_PATH_CHARS or any(len(part.encode()) > 255 for part in Path(value).parts):
            self.err(key, f"`{key}` is too long a path ({len(value):,} characters): {value[:80]}…")
            return None
        try:
            return (self.path.parent / value).resolve()
        except (OSError, RuntimeError) as exc:  # a link loop, a name the system refuses
            self.err(key, f"`{key}` cannot be resolved ({getattr(exc, 'strerror', None) or exc}): {value[:200]}")
            return None

    def one_path(self, key: str, value: Any) -> Path | None:
        if not isinstance(value, str) or not value.strip():
            self.err(key, f"`{key}` must be a file path (relative to the packet file)")
            return None
        target = self.resolved(key, value)
        if target is None or not self.inside(key, value, target):
            return None
        if target.exists() and not target.is_file():
            self.err(key, f"`{key}` is not a regular file (a device, a pipe or a folder): {value}")
            return None
        if not target.is_file():
            self.err(key, f"`{key}` file not found: {value}", "paths are relative to the packet file")
            return None
        return target

    def paths(self, key: str) -> tuple[Path, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        found = [self.one_path(key, item) for item in items]
        return tuple(p for p in found if p is not None)

    def packet_id(self) -> str:
        packet_id = self.text("id")
        if packet_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", packet_id):
            self.err("id", f"`id` must be a simple name (letters, digits, . _ -), got {packet_id!r}")
        elif packet_id.lower() in RESERVED_IDS:  # lower: on a case-insensitive disk Review is review
            names = ", ".join(sorted(RESERVED_IDS))
            clash = f"is a name briefkit gives its own files in the output folder ({names}); choose another id"
            self.err("id", f"`id` {packet_id} {clash}")
        return packet_id

    def languages(self) -> tuple[str, ...]:
        raw = self.data.get("languages", ["en", "es"])
        if not isinstance(raw, list) or not raw:
            self.err("languages", "`languages` must be a list such as [en, es]")
            return ()
        languages: list[str] = []
        for item in raw:
            tag = language_tag(item)
            if tag is None:
                self.err("languages", f"unsupported language {item!r}", "briefkit supports en and es")
            else:
                languages.append(tag)
        if len({t[:2] for t in languages}) != len(languages):
            self.err("languages", "a language is listed twice")
        return tuple(languages)

    def layout(self, languages: tuple[str, ...]) -> Layout:
        layout: Layout = "parallel" if self.choice("layout", LAYOUTS, "sequential") == "parallel" else "sequential"
        if layout == "parallel" and len(languages) != 2:
            self.err("layout", "`layout: parallel` needs exactly two languages")
        return layout

    def summaries(self) -> tuple[Path, ...]:
        listed = self.data.get("summaries")
        if isinstance(listed, list) and len(listed) > MAX_SUMMARIES:  # before resolving any of them
            self.err("summaries", f"`summaries` lists {len(listed):,} files, over the limit of {MAX_SUMMARIES}")
            return ()
        found = self.paths("summaries")
        if listed is not None and not isinstance(listed, list):
            self.err("summaries", "`summaries` must be a list of Markdown files")
        repeated: set[Path] = set()
        for path in found:
            if path not in repeated and found.count(path) > 1:  # n ≤ MAX_SUMMARIES
                repeated.add(path)
                self.err("summaries", f"`summaries` lists {path.name} more than once")
        return tuple(dict.fromkeys(found))

    def date(self) -> str:
        try:
            return read_date(self.data.get("date"), self.shown, self.lines.get("date"))
        except BriefkitError as exc:
            self.errors.append(exc)
            return ""

    def beam_size(self) -> int:
        beam_size = self.data.get("beam_size", 2)
        if not isinstance(beam_size, int) or isinstance(beam_size, bool) or not 1 <= beam_size <= 16:
            self.err("beam_size", "`beam_size` must be a whole number from 1 to 16")
            return 2
        return beam_size

    def memory(self) -> MemoryLocation:
        """`memory`: a file (by default inputs/.briefkit/memory.sqlite) or a postgresql:// URL."""
        value = self.data.get("memory")
        scheme = URL_SCHEME.match(value) if isinstance(value, str) else None
        if isinstance(value, str) and scheme:
            if scheme.group(1).lower() in DATABASE_SCHEMES:
                return DatabaseUrl(value)
            self.err("memory", f"`memory` is a {scheme.group(1)} URL: {MEMORY_KINDS}", MEMORY_HINT)
            return self.inputs_root / ".briefkit" / "memory.sqlite"
        return self.file_or_default("memory", self.inputs_root / ".briefkit" / "memory.sqlite")

    def file_or_default(self, key: str, default: Path) -> Path:
        """An optional file that need not exist yet (the memory, translations.tmx), inside the inputs folder."""
        value = self.data.get(key)
        if key in self.data and not isinstance(value, str):
            self.err(key, f"`{key}` must be a file path")
        if isinstance(value, str):
            scheme = URL_SCHEME.match(value)
            if scheme:  # taken for a path, `postgresql://…` made an SQLite file named `postgresql:` and went on
                kept = {"translations": "them in a TMX file"}
                self.err(
                    key,
                    f"`{key}` is a {scheme.group(1)} URL, not a file: briefkit keeps {kept.get(key, 'it in a file')}",
                    "give a path relative to the packet file",
                )
                return default
            target = self.resolved(key, value)
            if target is not None and self.inside(key, value, target):
                return target
            return default
        # The default place is checked too: a symbolic link there (`.briefkit` → elsewhere) must not carry the
        # memory's writes or the TMX's reads out of the inputs folder.
        target = default.resolve()
        self.inside(key, str(target), target, default)
        return target

    def citation_style(self) -> str:
        style = self.text("citation_style", "chicago-notes-bibliography")
        if style.endswith(".csl"):
            self.inside("citation_style", style, (self.path.parent / style).resolve())
        return style


def load_packet(path: Path, allow_outside: bool = False, memory: MemoryLocation | None = None) -> Packet:
    """Read and validate a packet file; every problem is reported with its line.

    Every path must resolve (symbolic links followed) inside the inputs folder, unless `allow_outside`.
    `memory` (`--memory`, BRIEFKIT_MEMORY) replaces the packet's own."""
    packet, errors = read_packet(path, allow_outside, memory)
    raise_all(errors)
    return packet


def read_packet(
    path: Path, allow_outside: bool = False, memory: MemoryLocation | None = None
) -> tuple[Packet, list[BriefkitError]]:
    """The packet as far as it is valid, and every problem of the file (so that a build can go on reading the
    summaries and report their problems in the same run)."""
    f = _PacketFile(path.resolve(), allow_outside, path.absolute())
    path = f.path
    f.check_keys()
    packet_id = f.packet_id()
    languages = f.languages()
    layout = f.layout(languages)
    engine: EngineChoice = next(e for e in ENGINES if e == f.choice("engine", ENGINES, "auto"))
    summaries = f.summaries()
    glossary = f.paths("glossary")
    beam_size = f.beam_size()
    number_style: NumberStyle = next(
        s for s in NUMBER_STYLES if s == f.choice("number_style", NUMBER_STYLES, "spanish")
    )
    memory = memory or f.memory()
    translations = f.file_or_default("translations", f.inputs_root / "translations.tmx")
    citation_style = f.citation_style()
    if isinstance(f.data.get("link_citations"), bool):  # YAML reads a bare yes or no as true or false
        f.data["link_citations"] = "yes" if f.data["link_citations"] else "no"
    link_citations = next(c for c in LINK_CITATIONS if c == f.choice("link_citations", LINK_CITATIONS, "auto"))
    required = f.choice("require_review", ("", *REVIEW_LEVELS), "")
    term_base = f.data.get("term_base", True)
    if not isinstance(term_base, bool):
        f.err("term_base", f"term_base must be true or false, got {str(term_base)[:40]!r}")
        term_base = True
    packet = Packet(
        path=path,
        id=packet_id,
        title=f.text("title"),
        subtitle=f.text("subtitle"),
        organization=f.text("organization"),
        date=f.date(),
        languages=languages,
        citation_style=citation_style,
        layout=layout,
        bibliography=f.paths("bibliography"),
        glossary=glossary[0] if glossary else None,
        summaries=summaries,
        engine=engine,
        beam_size=beam_size,
        number_style=number_style,
        memory=memory,
        translations=translations,
        inputs_root=f.inputs_root,
        require_review=next((level for level in REVIEW_LEVELS if level == required), None),
        link_citations=link_citations,
        term_base=term_base,
        allow_outside=allow_outside,
        key_lines=f.lines,
    )
    return packet, list({str(e): e for e in f.errors}.values())  # one message per problem, however often it recurs
