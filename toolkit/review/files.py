"""The files an editor works in: a review DOCX (a table per summary) and XLIFF 1.2; written and read back."""

from __future__ import annotations

import io
import re
from html import escape, unescape
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from toolkit.errors import BriefkitError
from toolkit.read.packet import Packet
from toolkit.read.yamlfile import read_text
from toolkit.review.rows import Correction, ReviewRow, slot_label, visible
from toolkit.translate.segments import MARKUP, markup_as_text
from toolkit.write import wordxml

TOKEN_FILL = "E4E4E4"
CHANGED_FILL = "FFF2CC"
HEADER_FILL = "DCE3EC"
WIDTHS_CM = (2.6, 9.2, 9.2, 2.2, 3.5)
ID_LINE = re.compile(r"^\s*(\S+-\d{3})\s*#([0-9a-f]{8})\s*$", re.S)
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
STATE_OUT = {"machine": "needs-review-translation", "reviewed": "translated", "approved": "final"}
STATE_IN = {
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


def _cell_text(cell: object, pieces: list[tuple[str, bool]], size: float = 9.5) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    for text, token in pieces:
        run = paragraph.add_run(text, style="Protected token" if token else None)
        run.font.size = Pt(size)
        if token:
            wordxml.set_run_shading(run, TOKEN_FILL)


def write_review_docx(packet: Packet, rows: list[ReviewRow], timestamp: object) -> bytes:
    """One table per summary: ID, English, Spanish, status, notes; protected spans as grey `{N: …}` tokens."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    token_style = document.styles.add_style("Protected token", WD_STYLE_TYPE.CHARACTER)
    token_style.font.name = "Courier New"
    token_style.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(10)

    document.add_heading(f"Review: {packet.title}", level=0)
    document.add_paragraph(
        "Correct the Spanish column. Grey tokens such as {2: Casa Blanca} or {1}…{/1} stand for names, "
        "figures, citations and formatting: keep each of them once, move them where Spanish needs them "
        "(a name or figure may also be written out). Write “approved” in the Status column for a final "
        "translation. Yellow rows: the English changed after a person had translated it (earlier Spanish in "
        "Notes). Do not edit the ID column. Then run: briefkit review import THIS_FILE"
    )
    current = None
    table = None
    for row in rows:
        if row.document_title != current:
            current = row.document_title
            document.add_heading(current, level=1)
            table = document.add_table(rows=1, cols=5)
            table.style = "Table Grid"
            table.autofit = False
            for column, width in zip(table.columns, WIDTHS_CM, strict=True):
                column.width = Cm(width)  # the grid, which LibreOffice follows
            header = table.rows[0]
            wordxml.repeat_table_header(header)
            labels = ("ID", "English", "Español", "Status", "Notes")
            for cell, label, width in zip(header.cells, labels, WIDTHS_CM, strict=True):
                cell.text = label
                cell.width = Cm(width)
                cell.paragraphs[0].runs[0].bold = True
                wordxml.set_cell_shading(cell, HEADER_FILL)
            last_section = None
        assert table is not None
        if row.item.section != last_section:
            last_section = row.item.section
            if last_section:
                merged = table.add_row().cells
                cell = merged[0].merge(merged[4])
                cell.text = last_section
                cell.paragraphs[0].runs[0].italic = True
                wordxml.set_cell_shading(cell, "F2F2F2")
        cells = table.add_row().cells
        cells[0].text = ""
        id_run = cells[0].paragraphs[0].add_run(row.item.id)
        id_run.font.size = Pt(8)
        hash_run = cells[0].paragraphs[0].add_run(f"\n#{row.fingerprint}")
        hash_run.font.size = Pt(7)
        hash_run.font.color.rgb = RGBColor(0x88, 0x88, 0x88)
        _cell_text(cells[1], visible(row.item.segment.markup, row.item.segment, english=True))
        _cell_text(cells[2], visible(row.target, row.item.segment, english=False))
        cells[3].text = row.status
        if row.earlier:
            wordxml.set_cell_shading(cells[2], CHANGED_FILL)
            _cell_text(cells[4], [("Earlier reviewed Spanish: " + markup_as_text(row.earlier), False)], 8)
        for cell, width in zip(cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)
    props = document.core_properties
    props.title = f"Review: {packet.title}"
    props.identifier = str(packet.path)
    props.keywords = "briefkit review"
    props.created = props.modified = timestamp
    props.author = props.last_modified_by = "briefkit"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read_review_docx(path: Path) -> tuple[str, str, list[Correction]]:
    """(packet path, editor, corrections) from an edited review DOCX."""
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds on a file that is not a .docx
        raise BriefkitError(f"not a Word review file: {exc}", path) from None
    corrections = []
    for table in document.tables:
        for row in table.rows:
            cells = row.cells
            if len(cells) != 5:
                continue
            m = ID_LINE.match(cells[0].text)
            if not m:
                continue
            corrections.append(Correction(m.group(1), m.group(2), cells[2].text.replace("\n", " "), cells[3].text))
    if not corrections:
        raise BriefkitError("no review rows found (is this a file made by `briefkit review export`?)", path)
    props = document.core_properties
    editor = props.last_modified_by if props.last_modified_by not in ("", "briefkit") else props.author
    return props.identifier, editor or "editor", corrections


# --- XLIFF 1.2 ----------------------------------------------------------------------------------------------


def _add_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _xliff_content(tag: str, markup: str, row: ReviewRow, english: bool) -> etree._Element:
    """A <source> or <target> holding the markup as XLIFF inline codes: <g> around formatted text, <x> (with the
    protected span as equiv-text) for what the translator must keep."""
    element = etree.Element(f"{{{XLIFF_NS}}}{tag}")
    open_codes = [element]
    pos = 0
    for m in MARKUP.finditer(markup):
        _add_text(open_codes[-1], unescape(markup[pos : m.start()]))
        if m.group(1):
            open_codes.append(etree.SubElement(open_codes[-1], f"{{{XLIFF_NS}}}g", id=m.group(1)))
        elif m.group(2):
            open_codes.pop()
        else:
            n = int(m.group(3))
            label = slot_label(row.item.segment, n, english)
            etree.SubElement(open_codes[-1], f"{{{XLIFF_NS}}}x", {"id": str(n), "equiv-text": label})
        pos = m.end()
    _add_text(open_codes[-1], unescape(markup[pos:]))
    return element


def write_review_xliff(packet: Packet, rows: list[ReviewRow]) -> bytes:
    """XLIFF 1.2 with `<g>` and `<x>` inline codes and states mapped from our statuses.

    Written with lxml: translate-toolkit's XLIFF store writes the 1.1 namespace for new units."""
    target_lang = packet.languages[1] if len(packet.languages) > 1 else "es-ES"
    root = etree.Element(f"{{{XLIFF_NS}}}xliff", nsmap={None: XLIFF_NS}, version="1.2")
    file_node = etree.SubElement(
        root,
        f"{{{XLIFF_NS}}}file",
        original=str(packet.path),
        datatype="x-briefkit",
        attrib={"source-language": packet.languages[0], "target-language": target_lang},
    )
    body = etree.SubElement(file_node, f"{{{XLIFF_NS}}}body")
    for row in rows:
        unit = etree.SubElement(body, f"{{{XLIFF_NS}}}trans-unit", id=row.item.id, extradata=row.fingerprint)
        unit.append(_xliff_content("source", row.item.segment.markup, row, english=True))
        if row.target:
            target = _xliff_content("target", row.target, row, english=False)
            target.set("state", STATE_OUT.get(row.status, "new"))
            if row.status == "machine":
                target.set("state-qualifier", "leveraged-mt")
            unit.append(target)
        if row.item.section:
            note = etree.SubElement(unit, f"{{{XLIFF_NS}}}note", {"from": "briefkit"})
            note.text = f"{row.document_title} › {row.item.section}"
        if row.earlier:
            note = etree.SubElement(unit, f"{{{XLIFF_NS}}}note", {"from": "briefkit", "priority": "1"})
            note.text = "English changed since review; earlier Spanish: " + markup_as_text(row.earlier)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _from_xliff(element: etree._Element) -> str:
    out = [escape(element.text or "", quote=False)]
    for child in element:
        tag = etree.QName(child).localname
        n = child.get("id", "")
        if tag == "g":
            out.append(f"<g{n}>" + _from_xliff(child) + f"</g{n}>")
        elif tag in ("x", "ph", "bx", "ex"):
            out.append(f"<x{n}/>")
        else:
            out.append(_from_xliff(child))
        out.append(escape(child.tail or "", quote=False))
    return "".join(out)


def read_review_xliff(path: Path) -> tuple[str, str, list[Correction]]:
    """(packet path, editor, corrections) from an XLIFF 1.2 file (ours, after a CAT tool)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(read_text(path).encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise BriefkitError(f"not a valid XLIFF file: {exc.msg}", path, exc.lineno) from None
    if etree.QName(root).localname != "xliff":
        raise BriefkitError("not an XLIFF file (its root element is not <xliff>)", path, root.sourceline)
    ns = etree.QName(root).namespace or ""
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)
    file_node = root.find(q("file"))
    original = file_node.get("original", "") if file_node is not None else ""
    corrections = []
    for unit in root.iter(q("trans-unit")):
        target = unit.find(q("target"))
        if target is None or not unit.get("id"):
            continue
        status = STATE_IN.get(target.get("state", "translated"), "reviewed")
        if unit.get("approved") == "yes":
            status = "approved"
        corrections.append(Correction(unit.get("id", ""), unit.get("extradata", ""), _from_xliff(target), status, True))
    return original, "xliff", corrections
