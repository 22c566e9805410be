"""Word features python-docx has no API for, as small functions named for the Word concept."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.oxml.table import CT_Tbl
from docx.shared import Length
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run

from toolkit.model import TextStyle, normalize_space
from toolkit.translate.anchors import outside_anchor


class DocumentBody:
    """Paragraphs and tables added at the end of a document's body in constant time. python-docx finds the
    body's closing section properties anew for every paragraph it adds (a scan of the whole body), which made
    a long summary quadratic; these go straight before that element, which stays the same one as sections are
    added (python-docx keeps it as the sentinel)."""

    def __init__(self, document: WordDocument, width: Length) -> None:
        self.document = document
        self.width = width
        self.end = document.element.body.get_or_add_sectPr()

    def add_paragraph(self, text: str = "") -> WordParagraph:
        p = OxmlElement("w:p")
        self.end.addprevious(p)
        paragraph = WordParagraph(p, self.document._body)
        if text:
            paragraph.add_run(text)
        return paragraph

    def add_table(self, rows: int, cols: int) -> WordTable:
        tbl = CT_Tbl.new_tbl(rows, cols, self.width)
        self.end.addprevious(tbl)
        return WordTable(tbl, self.document._body)


FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def set_run_language(run: Run, tag: str) -> None:
    """Mark a run's language (e.g. es-ES) so Word spell-checks it in that language."""
    rpr = run._r.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def set_text_style(run: Run, style: TextStyle) -> None:
    """Superscript, subscript, small caps or underline on a run (what CSL styles set beyond italic and bold)."""
    if style == "superscript":
        run.font.superscript = True
    elif style == "subscript":
        run.font.subscript = True
    elif style == "small-caps":
        run.font.small_caps = True
    else:
        run.font.underline = True


def set_missing_languages(element: Any, tag: str) -> None:
    """Every run under `element` that has no language yet gets `tag`."""
    for r in element.iter(qn("w:r")):
        rpr = r.get_or_add_rPr()
        if rpr.find(qn("w:lang")) is None:
            lang = OxmlElement("w:lang")
            lang.set(qn("w:val"), tag)
            rpr.append(lang)


def drop_theme_fonts(style: Any) -> None:
    """Remove the theme font references that would override the font a style names (python-docx sets only
    w:ascii and w:hAnsi; Word prefers w:asciiTheme and w:hAnsiTheme when they are there)."""
    rpr = style.element.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if fonts is not None:
        for name in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(name), None)


def mark_proofing_undone(document: WordDocument) -> None:
    """python-docx's template says spelling and grammar were already checked; they were not."""
    settings = document.settings.element
    for state in settings.findall(qn("w:proofState")):
        settings.remove(state)


class StyleIds:
    """Style name → style id, each looked up once: python-docx scans every style on each assignment by name,
    which made styling most of the DOCX writer's time."""

    def __init__(self, document: WordDocument) -> None:
        self._styles = document.styles
        self._ids: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        if name not in self._ids:
            self._ids[name] = self._styles[name].style_id
        return self._ids[name]


def set_paragraph_style(paragraph: WordParagraph, style_id: str) -> None:
    paragraph._p.style = style_id


def paragraph_style_id(paragraph: WordParagraph) -> str | None:
    return paragraph._p.style


def set_run_style(run: Run, style_id: str) -> None:
    run._r.style = style_id


class Footnotes:
    """The document's footnotes part, created on first use."""

    def __init__(self, document: WordDocument, style_ids: StyleIds) -> None:
        self.document = document
        self.style_ids = style_ids
        self._element: Any = None
        self.part: XmlPart | None = None  # links inside notes are relationships of this part, not the document's
        self.next_id = 1

    def _part_element(self) -> Any:
        if self._element is None:
            main = self.document.part
            self._element = parse_xml(FOOTNOTES_XML)
            part = self.part = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, self._element, main.package)
            main.relate_to(part, RT.FOOTNOTES)
        return self._element

    def add_footnote(self, paragraph: WordParagraph, custom_mark: str | None = None, lang: str = "") -> WordParagraph:
        """Put a footnote reference at the end of `paragraph`; return the note's first paragraph to fill."""
        root = self._part_element()
        note_id = self.next_id
        self.next_id += 1
        reference_style = self.style_ids["Footnote Reference"]
        run = paragraph.add_run()
        set_run_style(run, reference_style)
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(note_id))
        if custom_mark:
            ref.set(qn("w:customMarkFollows"), "1")
        run._r.append(ref)
        if custom_mark:
            mark = paragraph.add_run(custom_mark)
            set_run_style(mark, reference_style)
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(note_id))
        root.append(note)
        p = OxmlElement("w:p")
        note.append(p)
        body = WordParagraph(p, paragraph._parent)
        set_paragraph_style(body, self.style_ids["Footnote Text"])
        mark_run = body.add_run()
        set_run_style(mark_run, reference_style)
        if custom_mark:
            mark_run.text = custom_mark
        else:
            mark_run._r.append(OxmlElement("w:footnoteRef"))
        space = body.add_run(" ")
        if lang:  # the note's marks in its language, like its text (only the runs made here: linear)
            for made in (run, mark, mark_run, space) if custom_mark else (run, mark_run, space):
                set_run_language(made, lang)
        return body


def add_note_paragraph(first: WordParagraph) -> WordParagraph:
    """Another paragraph at the end of the footnote whose first paragraph is `first`, in the same style."""
    p = OxmlElement("w:p")
    first._p.getparent().append(p)
    paragraph = WordParagraph(p, first._parent)
    style_id = paragraph_style_id(first)
    if style_id:
        set_paragraph_style(paragraph, style_id)
    return paragraph


# A part's hyperlink relationships by target: python-docx's `relate_to` scans every relationship for a match
# and for a free rId, which made 4,000 links take 7 s (quadratic)
_LINK_IDS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def hyperlink_relationship(part: Any, target: str) -> str:
    """The rId of `part`'s external hyperlink relationship to `target`, added once (in constant time)."""
    ids = _LINK_IDS.setdefault(part, {})
    if target not in ids:
        n = len(part.rels) + 1  # the next free rId, as python-docx's own, without its scan from rId1
        while f"rId{n}" in part.rels:
            n += 1
        r_id = f"rId{n}"
        part.rels.add_relationship(RT.HYPERLINK, target, r_id, is_external=True)
        ids[target] = r_id
    return ids[target]


def add_hyperlink(paragraph: WordParagraph, target: str, internal: bool = False, part: Any = None) -> object:
    """A w:hyperlink element appended to `paragraph`; runs are then added into it with `hyperlink_run`. The
    link's relationship belongs to `part` (the footnotes part for a link in a note), else the document's."""
    link = OxmlElement("w:hyperlink")
    if internal:
        link.set(qn("w:anchor"), target)
    else:
        link.set(qn("r:id"), hyperlink_relationship(part or paragraph.part, target))
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def hyperlink_run(link: object, paragraph: WordParagraph, text: str, style_id: str) -> Run:
    r = OxmlElement("w:r")
    link.append(r)  # type: ignore[attr-defined]
    run = Run(r, paragraph)
    run.text = text
    set_run_style(run, style_id)
    return run


def set_picture_description(paragraph: WordParagraph, text: str) -> None:
    """Alt text of the paragraph's last picture (`wp:docPr/@descr`), which screen readers announce."""
    frames = paragraph._p.findall(".//" + qn("wp:docPr"))
    if frames:
        frames[-1].set("descr", text)


def add_bookmark(paragraph: WordParagraph, name: str, bookmark_id: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def open_bookmark(container: Any, name: str, bookmark_id: int) -> Any:
    """A bookmark's start at the end of `container` (a paragraph's or a hyperlink's element); returns it."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    container.append(start)
    return start


def lock_content(container: Any, after: Any) -> None:
    """Put the container's children that follow `after` into a content control that Word will not let an
    editor change or delete by accident (`w:lock sdtContentLocked`); it shows nothing on the page. (From an
    element, not an index: counting a paragraph's children at every citation made long paragraphs quadratic.)"""
    moved = list(after.itersiblings())
    if not moved:
        return
    sdt = OxmlElement("w:sdt")
    properties = OxmlElement("w:sdtPr")
    properties.append(_element("w:lock", **{"w:val": "sdtContentLocked"}))
    sdt.append(properties)
    content = OxmlElement("w:sdtContent")
    for child in moved:
        content.append(child)
    sdt.append(content)
    container.append(sdt)


def close_bookmark(container: Any, bookmark_id: int) -> None:
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    container.append(end)


def add_field(paragraph: WordParagraph, instruction: str, shown: str = "") -> None:
    """A simple field such as PAGE or NUMPAGES, with `shown` as its cached result."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = shown
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def add_complex_field(paragraph: WordParagraph, instruction: str, begin: bool) -> None:
    """Begin (with its instruction) or end a complex field such as a TOC around existing paragraphs."""

    def run_with(child: object) -> None:
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    if begin:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), "begin")
        char.set(qn("w:dirty"), "true")
        run_with(char)
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {instruction} "
        run_with(instr)
        sep = OxmlElement("w:fldChar")
        sep.set(qn("w:fldCharType"), "separate")
        run_with(sep)
    else:
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        run_with(end)


def restart_numbering(document: WordDocument, paragraph: WordParagraph, start: int) -> int:
    """Give an ordered list its own numbering instance so it starts at `start` instead of continuing."""
    numbering = document.part.numbering_part.element
    style = document.styles["List Number"]
    num_pr = style.element.pPr.numPr if style.element.pPr is not None else None
    base_num_id = int(num_pr.numId.val) if num_pr is not None else 1
    base = next(n for n in numbering.findall(qn("w:num")) if int(n.get(qn("w:numId"))) == base_num_id)
    abstract_id = base.find(qn("w:abstractNumId")).get(qn("w:val"))
    new_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{new_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
    )
    numbering.append(num)
    set_numbering(paragraph, new_id)
    return new_id


def set_numbering(paragraph: WordParagraph, num_id: int, level: int = 0) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = ppr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def _shading(fill: str) -> Any:
    return parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')


def set_cell_shading(cell: _Cell, fill: str) -> None:
    """A background colour for a table cell."""
    cell._tc.get_or_add_tcPr().append(_shading(fill))


def repeat_table_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    tr_pr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


# What follows w:footnotePr in a section's properties (python-docx's CT_SectPr sequence): it goes before them,
# after the header and footer references, where the schema puts it.
AFTER_FOOTNOTE_PR = (
    "w:endnotePr",
    "w:type",
    "w:pgSz",
    "w:pgMar",
    "w:paperSrc",
    "w:pgBorders",
    "w:lnNumType",
    "w:pgNumType",
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
)


def restart_footnotes(section: object) -> None:
    """The section numbers its footnotes from 1 again (`numStart` and `numRestart`, in schema order)."""
    sect_pr = section._sectPr  # type: ignore[attr-defined]
    pr = parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:numStart w:val="1"/><w:numRestart w:val="eachSect"/></w:footnotePr>'
    )
    sect_pr.insert_element_before(pr, *AFTER_FOOTNOTE_PR)


def set_run_shading(run: Run, fill: str) -> None:
    """A background behind a run's characters (used to mark text an editor must not change)."""
    run._r.get_or_add_rPr().append(_shading(fill))


def keep_row_together(row: Any) -> None:
    """A table row that never splits across pages (`w:cantSplit`)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _inline_content_control(paragraph_element: Any, properties: list[Any]) -> Any:
    """Wrap the paragraph's runs in a content control (`w:sdt`) with the given properties; return its content."""
    sdt = OxmlElement("w:sdt")
    sdt_pr = OxmlElement("w:sdtPr")
    for element in properties:
        sdt_pr.append(element)
    sdt.append(sdt_pr)
    content = OxmlElement("w:sdtContent")
    for run in paragraph_element.findall(qn("w:r")):
        content.append(run)
    sdt.append(content)
    paragraph_element.append(sdt)
    return content


def _element(tag: str, **attributes: str) -> Any:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(name), value)
    return element


def lock_cell_content(cell: _Cell, tag: str) -> None:
    """Make a cell's text read-only in Word: a content control whose content cannot be edited."""
    _inline_content_control(
        cell.paragraphs[0]._p,
        [_element("w:tag", **{"w:val": tag}), _element("w:lock", **{"w:val": "sdtContentLocked"})],
    )


def status_drop_down(cell: _Cell, value: str, choices: tuple[str, ...]) -> None:
    """A drop-down list content control showing `value`, offering `choices`."""
    paragraph = cell.paragraphs[0]
    paragraph.add_run(value)
    drop_down = OxmlElement("w:dropDownList")
    for choice in choices:
        drop_down.append(_element("w:listItem", **{"w:displayText": choice, "w:value": choice}))
    _inline_content_control(paragraph._p, [_element("w:tag", **{"w:val": "status"}), drop_down])


def mark_outside_paragraphs(part: Any, is_segment: Callable[[str], bool], first_id: int) -> int:
    """A bookmark around each paragraph that holds text but no segment, named for its text
    (`anchors.outside_anchor`); returns the next free bookmark id. (Around the text, not a point before it:
    LibreOffice drops a point bookmark with the text an editor replaces after it.)"""
    bookmark_id = first_id
    for n, p in enumerate(part.iter(qn("w:p"))):
        names = [b.get(qn("w:name"), "") for b in p.iter(qn("w:bookmarkStart"))]
        text = normalize_space("".join(t.text or "" for t in p.iter(qn("w:t"))))
        if not text or any(is_segment(name) for name in names):
            continue
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(bookmark_id))
        start.set(qn("w:name"), outside_anchor(text, n))
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(bookmark_id))
        p.insert(1 if p.find(qn("w:pPr")) is not None else 0, start)
        p.append(end)
        bookmark_id += 1
    return bookmark_id
