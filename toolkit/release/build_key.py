"""Is a packet's output current? The build key: a hash of everything the outputs are made from."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from toolkit import __version__
from toolkit.cite.pandoc import pandoc_version
from toolkit.cite.styles import STYLES_DIR as CSL_STYLES_DIR
from toolkit.read.packet import Packet
from toolkit.release.manifest import KeyParts, Manifest
from toolkit.release.prepare import PreparedPacket, packet_segment_table, packet_style, prepare_packet
from toolkit.translate.engines import engine_identity
from toolkit.translate.memory import TranslationMemory, memory_exists, people_digest_of_pairs
from toolkit.translate.segment_table import SegmentTable
from toolkit.write.house_style import STYLE_FILES, style_file


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def input_hashes(packet: Packet, style: Path) -> dict[str, str]:
    """sha256 of every file the packet is built from, by a name that does not depend on where briefkit lives:
    relative to the inputs folder, `styles/…` for our style files, `csl/…` for a CSL style from the library."""
    files = [packet.path, *packet.summaries, *packet.bibliography, style]
    files += [p for p in (packet.glossary, packet.translations) if p is not None and p.is_file()]
    named = {f"styles/{name}": _sha256(style_file(name)) for name in STYLE_FILES}
    for path in files:
        if path.is_relative_to(packet.inputs_root):
            name = str(path.relative_to(packet.inputs_root))
        elif path.is_relative_to(CSL_STYLES_DIR):
            name = f"csl/{path.relative_to(CSL_STYLES_DIR)}"
        else:
            name = str(path)
        named[name] = _sha256(path.read_bytes())
    return dict(sorted(named.items()))


def source_parts(packet: Packet, style: Path, formats: tuple[str, ...]) -> KeyParts:
    """What the outputs are made from, short of the translations people made: found without reading Markdown."""
    return KeyParts(
        inputs=input_hashes(packet, style),
        # both directions: which the summaries need is known only once they are read
        engine=" + ".join(engine_identity(packet.engine, pair) for pair in packet.translation_pairs)
        if len(packet.languages) > 1
        else "",
        toolkit=__version__,
        formats=sorted(formats),
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH", ""),
        pandoc=pandoc_version(),
    )


def people_digest(people: dict[str, tuple[str, str]]) -> str:
    """sha256 of person-made translations (source key -> target, status); "" for none."""
    rows = sorted((key, target, status) for key, (target, status) in people.items())
    return _sha256(json.dumps(rows, ensure_ascii=False).encode()) if rows else ""


def people_key(packet: Packet, pair: str, key: str) -> str:
    """A person-made translation's key in the build key: the first pair's as it always was, another pair's
    marked with it."""
    return key if pair == packet.translation_pair else f"{pair}:{key}"


def segment_keys(table: SegmentTable) -> dict[str, list[str]]:
    """The memory keys a translator looks up for the table's segments with text, by pair: each source, and
    for a source the packet holds twice, each segment's own key too."""
    keys: dict[str, list[str]] = {}
    for row in table.with_text():
        found = keys.setdefault(row.direction.pair, [])
        found.extend([row.memory_key, row.context_key] if row.shared else [row.memory_key])
    return {pair: sorted(set(found)) for pair, found in keys.items()}


def people_digest_of_keys(packet: Packet, keys: dict[str, list[str]]) -> str:
    """The digest of the reviewed and approved translations the memory holds now under these keys."""
    if not keys or not memory_exists(packet.memory):
        return ""
    people: dict[str, tuple[str, str]] = {}
    memory = TranslationMemory(packet.memory, read_only=True)
    try:
        for pair, wanted in keys.items():
            people.update(
                (people_key(packet, pair, key), (u.target, u.status))
                for key, u in memory.lookup(wanted, pair).items()
                if u.status != "machine"
            )
    finally:
        memory.close()
    return people_digest(people)


def person_translations_digest(prepared: PreparedPacket, table: SegmentTable | None = None) -> str:
    """The digest of the reviewed and approved translations in the memory now that this packet's segments
    would use, each summary in its own direction."""
    if len(prepared.packet.languages) < 2:
        return ""
    return people_digest_of_keys(prepared.packet, segment_keys(table or packet_segment_table(prepared)))


def build_key(
    prepared: PreparedPacket,
    formats: tuple[str, ...],
    translations: str | None = None,
    table: SegmentTable | None = None,
) -> tuple[str, KeyParts]:
    """The content hash of everything the outputs are made from, and the parts it hashes. `translations`: the
    digest of the person-made translations a build used; by default, those in the memory now."""
    quick = source_parts(prepared.packet, prepared.style, formats)
    used = person_translations_digest(prepared, table) if translations is None else translations
    parts = KeyParts(**{**quick.quick(), "translations": used})
    return _sha256(json.dumps(asdict(parts), sort_keys=True).encode()), parts


def current_manifest(packet: Packet, out_dir: Path, formats: tuple[str, ...]) -> Manifest | None:
    """The manifest of the packet's outputs in `out_dir` if they are current, else None.

    Fast when nothing changed: the source files' hashes, the engine and the memory's person-made translations
    are compared with the manifest's without reading any Markdown. Otherwise the packet is read in full and its
    exact build key compared (an editor's correction elsewhere in the memory does not make it stale)."""
    manifest = Manifest.read_if_intact(out_dir / packet.id)
    if manifest is None:
        return None
    quick = source_parts(packet, packet_style(packet), formats)
    if manifest.key_parts.quick() == quick.quick():
        if manifest.memory_people == people_digest_of_pairs(packet.memory, packet.translation_pairs):
            return manifest
        if manifest.segment_keys or len(packet.languages) < 2:
            # the memory changed: only the units this packet's segments look up matter (no summary read)
            translations = people_digest_of_keys(packet, manifest.segment_keys)
            return manifest if translations == manifest.key_parts.translations else None
    key, _ = build_key(prepare_packet(packet.path, packet.allow_outside, packet.memory), formats)
    return manifest if manifest.build_key == key else None
