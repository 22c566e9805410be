"""XLIFF 1.2 review files (strict schema): `<g>`/`<x>` inline codes, states mapped from our statuses,
`approved="yes"` on final units, notes, and the earlier reviewed translation as `<alt-trans>`; read back from
what CAT tools write (`<g>`, `<bx/>`/`<ex/>`, `<x/>`, `<ph>`, `<mrk>`)."""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

from lxml import etree

from toolkit import __version__
from toolkit.errors import BriefkitError
from toolkit.model.languages import language_name
from toolkit.read.yamlfile import read_text
from toolkit.review.merge import Correction, ReviewFile
from toolkit.review.package import parse_xml
from toolkit.review.rows import PacketReview, ReviewRow, slot_label
from toolkit.translate.memory import EditorNote, Status
from toolkit.translate.segment_table import CONTEXT
from toolkit.translate.segments import MARKUP, markup_as_text

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATE_OUT = {"machine": "needs-review-translation", "reviewed": "translated", "approved": "final"}
STATE_IN: dict[str, Status] = {
    "new": "machine",
    "needs-translation": "machine",
    "needs-adaptation": "machine",
    "needs-l10n": "machine",
    "needs-review-translation": "machine",
    "needs-review-adaptation": "machine",
    "needs-review-l10n": "machine",
    "translated": "reviewed",
    "signed-off": "approved",
    "final": "approved",
}
XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]{0,200}\?>")
EXTRADATA = re.compile(r"en:(?P<en>[0-9a-f]{8})(?:\s+base:(?P<base>[0-9a-f]{8}))?")


# What CAT tools write in a note's `from`: a role, not a person (translate-toolkit: translator, developer …).
NOTE_ROLES = frozenset(
    "translator reviewer editor developer programmer source target user tool po-translator po-programmer "
    "po-reference po-autocomment".split()
)


def q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def _add_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _content(tag: str, markup: str, review: PacketReview, row: ReviewRow, english: bool) -> etree._Element:
    """A <source> or <target> holding the markup as inline codes: <g> around formatted text, <x> (with the
    protected span or citation as equiv-text) for what the translator must keep."""
    element = etree.Element(q(tag))
    open_codes = [element]
    pos = 0
    for m in MARKUP.finditer(markup):
        _add_text(open_codes[-1], unescape(markup[pos : m.start()]))
        if m.group(1):
            open_codes.append(etree.SubElement(open_codes[-1], q("g"), id=m.group(1)))
        elif m.group(2):
            open_codes.pop()
        else:
            n = int(m.group(3))
            label = slot_label(row.item.segment, n, english, review.bibliography) or f"{n}"
            etree.SubElement(open_codes[-1], q("x"), {"id": str(n), "equiv-text": label})
        pos = m.end()
    _add_text(open_codes[-1], unescape(markup[pos:]))
    return element


def write_review_xliff(review: PacketReview) -> bytes:
    """The packet's segments as XLIFF 1.2 (valid against the strict schema): one <file> per direction, as a
    packet may hold summaries written in either language."""
    packet = review.packet
    root = etree.Element(q("xliff"), nsmap={None: XLIFF_NS}, version="1.2")
    bodies: dict[str, etree._Element] = {}
    for row in review.rows:
        if row.pair not in bodies:
            file_node = etree.SubElement(
                root,
                q("file"),
                {
                    "original": packet.id,
                    "datatype": "x-briefkit",
                    "source-language": row.source_lang,
                    "target-language": row.target_lang,
                    "tool-id": "briefkit",
                },
            )
            header = etree.SubElement(file_node, q("header"))
            tool = {"tool-id": "briefkit", "tool-name": "briefkit", "tool-version": __version__}
            etree.SubElement(header, q("tool"), tool)
            bodies[row.pair] = etree.SubElement(file_node, q("body"))
        body = bodies[row.pair]
        extradata = f"en:{row.fingerprint}" + (f" base:{row.base}" if row.base else "")
        unit = etree.SubElement(body, q("trans-unit"), id=row.item.id, extradata=extradata)
        if row.status == "approved":
            unit.set("approved", "yes")
        unit.append(_content("source", row.item.segment.markup, review, row, english=True))
        if row.target:
            target = _content("target", row.target, review, row, english=False)
            target.set("state", STATE_OUT.get(row.status, "new"))
            if row.status == "machine":
                target.set("state-qualifier", "leveraged-mt")
            unit.append(target)
        if row.item.section:
            etree.SubElement(
                unit, q("note"), {"from": "briefkit", "annotates": "general"}
            ).text = f"{row.document_title} › {row.item.section}"
        if row.unknown:
            etree.SubElement(unit, q("note"), {"from": "briefkit", "priority": "2"}).text = (
                f"Unknown to the engine, left in {language_name(row.source_lang)}: " + ", ".join(row.unknown)
            )
        for finding in row.findings:
            etree.SubElement(unit, q("note"), {"from": "briefkit", "priority": "1"}).text = (
                "QA (the editor's choice, kept): " + finding
            )
        for note in row.notes:
            etree.SubElement(unit, q("note"), {"from": note.author or "editor"}).text = note.text
        if row.earlier:
            alt = etree.SubElement(unit, q("alt-trans"), {"origin": "earlier review", "match-quality": "0"})
            alt.append(_content("target", row.earlier, review, row, english=False))
        for match in row.matches:  # plain text: the match's inline codes are another segment's
            alt = etree.SubElement(
                unit, q("alt-trans"), {"origin": "translation memory", "match-quality": f"{match.similarity}%"}
            )
            etree.SubElement(alt, q("source")).text = markup_as_text(match.source.split(CONTEXT)[0])
            etree.SubElement(alt, q("target")).text = match.target_text
    if not bodies:  # nothing to review: still one (empty) file, as the schema requires
        languages = {"source-language": packet.source_lang, "target-language": packet.languages[-1]}
        empty = etree.SubElement(root, q("file"), {"original": packet.id, "datatype": "x-briefkit", **languages})
        etree.SubElement(empty, q("body"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _markup(element: etree._Element) -> str:
    """Segment markup from XLIFF inline content; comments and processing instructions are left out."""
    out = [escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            tag = etree.QName(child).localname
            n = child.get("rid") or child.get("id", "")
            n = n if n.isdigit() and len(n) <= 4 else "0"
            if tag == "g":
                out.append(f"<g{n}>" + _markup(child) + f"</g{n}>")
            elif tag == "bx":
                out.append(f"<g{n}>")
            elif tag == "ex":
                out.append(f"</g{n}>")
            elif tag in ("x", "ph", "it"):
                out.append(f"<x{n}/>")
            elif tag in ("mrk",):
                out.append(_markup(child))
        out.append(escape(child.tail or "", quote=False))
    return "".join(out)


def read_review_xliff(path: Path) -> ReviewFile:
    """Corrections and notes from an XLIFF 1.2 file (ours, after a CAT tool)."""
    text = XML_DECLARATION.sub("", read_text(path, utf16=True), count=1)  # it may name UTF-16: read as text now
    root = parse_xml(text.encode("utf-8"), path)
    if not isinstance(root.tag, str) or etree.QName(root).localname != "xliff":
        raise BriefkitError("not an XLIFF file (its root element is not <xliff>)", path, root.sourceline)
    ns = etree.QName(root).namespace or ""

    def t(tag: str) -> str:
        return f"{{{ns}}}{tag}" if ns else tag

    file_node = root.find(t("file"))
    packet_id = file_node.get("original", "") if file_node is not None else ""
    phases = list(root.iter(t("phase")))
    editor = next((p.get("contact-name", "") for p in reversed(phases) if p.get("contact-name")), "")
    corrections: list[Correction] = []
    notes: list[EditorNote] = []
    rejected: list[tuple[str, str]] = []
    for unit in root.iter(t("trans-unit")):
        segment_id = unit.get("id", "")
        where = f"line {unit.sourceline}"
        target = unit.find(t("target"))
        if not segment_id:
            rejected.append((where, "a trans-unit without an id"))
            continue
        for note in unit.findall(t("note")):
            if note.get("from") != "briefkit" and (note.text or "").strip():
                author = note.get("from", "").strip()
                author = "" if author.lower() in NOTE_ROLES else author  # a role: the person is the file's editor
                notes.append(EditorNote(segment_id, "", author, "", (note.text or "").strip(), False, "xliff"))
        if target is None:
            continue
        found = EXTRADATA.search(unit.get("extradata", ""))
        if found is None:
            rejected.append(
                (segment_id, f"{where}: the unit's extradata (its English fingerprint) was changed or removed")
            )
            continue
        # The target's state says it; `approved="yes"` alone only where there is none (translate-toolkit, and
        # CAT tools built on it, write approved="yes" on every unit they mark translated).
        state = target.get("state")
        if state is not None and state not in STATE_IN:
            known = ", ".join(STATE_IN)
            rejected.append((segment_id, f"{where}: unknown target state “{state[:40]}” (XLIFF 1.2 has {known})"))
            continue
        status = STATE_IN[state] if state else "approved" if unit.get("approved") == "yes" else "reviewed"
        language = next((f.get("target-language", "") for f in unit.iterancestors(t("file"))), "")
        corrections.append(
            Correction(
                segment_id,
                found["en"],
                found["base"],
                _markup(target),
                status,
                is_markup=True,
                where=where,
                target_lang=language,
            )
        )
    return ReviewFile("XLIFF", packet_id, editor, corrections, notes, [], rejected)
