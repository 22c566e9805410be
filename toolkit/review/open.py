"""Which review file this is (review table, packet DOCX or XLIFF, by content, whatever its name) and which
packet it belongs to: the packet argument, or the packet id the file records, looked up among the packets of
the inputs folder; never a path written inside the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Literal

from toolkit.errors import BriefkitError
from toolkit.read.packet import Packet, load_packet
from toolkit.read.yamlfile import UTF16_BOMS, read_text
from toolkit.review.merge import ReviewFile
from toolkit.review.package import open_word_file, parse_xml
from toolkit.review.packet_docx import read_packet_docx
from toolkit.review.rows import PacketReview
from toolkit.review.table import IDENTIFIER, read_review_docx
from toolkit.review.xliff import XML_DECLARATION, read_review_xliff

FileKind = Literal["review table", "packet DOCX", "XLIFF"]
PACKET_IDENTIFIER = "briefkit-packet"


def identify(path: Path) -> tuple[FileKind, str]:
    """The kind of review file, by its content, and the packet id it records ("" if none)."""
    try:  # O_NONBLOCK: a named pipe opens at once (and is refused) instead of waiting for a writer
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise BriefkitError("not a regular file (a review file is a .docx or .xlf file)", path)
            head = handle.read(4096)
    except OSError as exc:
        raise BriefkitError(f"cannot read file: {exc.strerror}", path) from None
    if head.startswith(b"PK"):
        props = open_word_file(path, ("docProps/core.xml",)).xml("docProps/core.xml")
        words: list[str] = []
        if props is not None:
            for element in props.iter("{http://purl.org/dc/elements/1.1/}identifier"):
                words = (element.text or "").split()
        if len(words) == 2 and words[0] == IDENTIFIER:
            return "review table", words[1]
        if len(words) == 2 and words[0] == PACKET_IDENTIFIER:
            return "packet DOCX", words[1]
        return "packet DOCX", ""
    if head.startswith(UTF16_BOMS):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    if b"<xliff" in head:
        root = parse_xml(XML_DECLARATION.sub("", read_text(path, utf16=True), count=1).encode("utf-8"), path)
        file_node = next(root.iter("{*}file"), None)
        return "XLIFF", file_node.get("original", "") if file_node is not None else ""
    raise BriefkitError("not a review file: neither a Word file nor XLIFF", path)


def find_packet(packet_id: str, packet_file: Path | None, inputs: Path, source: Path, allow_outside: bool) -> Packet:
    """The packet a review file is for."""
    if packet_file is not None:
        packet = load_packet(packet_file, allow_outside)
        if packet_id and packet.id != packet_id:
            raise BriefkitError(f"this review file is for packet `{packet_id}`, not `{packet.id}`", source)
        return packet
    if not packet_id:
        raise BriefkitError("the review file does not say which packet it is for", source, hint="give --packet")
    # the inputs folder named, or the packets folder the command runs in (`inputs/packets`, or `packets`)
    folders = [inputs / "packets", Path("packets"), Path(".")]
    candidates = [c for folder in folders if folder.is_dir() for c in sorted(folder.glob("*.yaml"))]
    for candidate in dict.fromkeys(c.resolve() for c in candidates):
        try:
            packet = load_packet(candidate, allow_outside)
        except BriefkitError:
            continue
        if packet.id == packet_id:
            return packet
    raise BriefkitError(
        f"no packet with id `{packet_id}` in {inputs / 'packets'}", source, hint="give the packet file with --packet"
    )


def read_review_file(path: Path, kind: FileKind, review: PacketReview) -> ReviewFile:
    if kind == "XLIFF":
        return read_review_xliff(path)
    if kind == "review table":
        return read_review_docx(path, review)
    return read_packet_docx(path, review)
