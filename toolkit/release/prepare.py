"""Reading everything a packet is built from, once, with every problem of every file reported together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.cite.bibliography import Bibliography, check_citation_keys, load_bibliography
from toolkit.cite.styles import resolve_style
from toolkit.errors import MAX_REPORTED, BriefkitError, collect, raise_all
from toolkit.model import Document
from toolkit.read.markdown import read_summaries
from toolkit.read.memory_location import MemoryLocation
from toolkit.read.packet import Packet, read_packet
from toolkit.translate.glossary import Glossary, load_glossary
from toolkit.translate.segment_table import SegmentTable, segment_table


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


def prepare_packet(
    packet_path: Path, allow_outside: bool = False, memory: MemoryLocation | None = None
) -> PreparedPacket:
    """Load the packet and read all its inputs; every problem is a BriefkitError naming file and line, and
    all the problems of all the files are reported together."""
    packet, errors = read_packet(packet_path, allow_outside, memory)  # its problems, and those of every other file
    packet_ok = not errors
    documents = read_summaries(packet, errors)
    bibliography = collect(errors, load_bibliography, packet.bibliography)
    if bibliography is not None and packet_ok:  # keys against a bibliography the packet failed to name: noise
        collect(errors, check_citation_keys, documents, bibliography)
    style = collect(errors, packet_style, packet)
    glossary = collect(errors, load_glossary, packet.glossary, packet.term_base)
    raise_all(errors, packet.path, limit=MAX_REPORTED)
    assert bibliography is not None and style is not None and glossary is not None
    return PreparedPacket(packet, documents, bibliography, style, glossary)


def packet_segment_table(prepared: PreparedPacket) -> SegmentTable:
    """The packet's segment table: what the translator fills, the build key looks up and the review files show."""
    packet = prepared.packet
    names = prepared.bibliography.names()
    return segment_table(prepared.documents, packet.languages, prepared.glossary, packet.number_style, names)
