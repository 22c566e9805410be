"""The review DOCX: one table per summary (ID, source language, target language, status, notes), written with
python-docx and read back as it would be with every tracked change accepted."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from toolkit.errors import BriefkitError
from toolkit.model.languages import language_name
from toolkit.review.merge import Correction, ReviewFile
from toolkit.review.package import accepted_text, latest_change, open_word_file, w, word_comments
from toolkit.review.rows import PacketReview, ReviewRow, visible
from toolkit.translate.memory import EditorNote, now_utc
from toolkit.translate.segments import markup_as_text
from toolkit.write import wordxml

TOKEN_FILL = "E4E4E4"
CHANGED_FILL = "FFF2CC"
UNKNOWN_FILL = "F8CBAD"  # words the engine did not know
HEADER_FILL = "DCE3EC"
WIDTHS_CM = (3.3, 8.8, 9.0, 2.3, 3.3)
IDENTIFIER = "briefkit-review"
EXPORTED_LINE = "↳ "  # notes lines the export wrote; anything else in the Notes column is the editor's
FUZZY_LINE = f"{EXPORTED_LINE}Fuzzy match "  # the memory's match for a similar sentence (never read back as a note)
ID_CELL = re.compile(
    r"^\s*(?P<id>\S.*?-[0-9a-f]{6}(?:-\d+)?)\s*#(?P<en>[0-9a-f]{8})(?:\W+(?P<base>[0-9a-f]{8}))?\s*$", re.S
)
STATUS_CHOICES = ("machine", "reviewed", "approved")


def _highlighted(pieces: list[tuple[str, bool]], words: tuple[str, ...]) -> list[tuple[str, bool, bool]]:
    """(text, is_token, is_unknown) pieces: the engine's unknown words split out of the text to be highlighted."""
    if not words:
        return [(text, token, False) for text, token in pieces]
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(set(words), key=len, reverse=True))) + r")(?![\w-])"
    )
    out: list[tuple[str, bool, bool]] = []
    for text, token in pieces:
        if token:
            out.append((text, True, False))
            continue
        for i, part in enumerate(pattern.split(text)):
            if part:
                out.append((part, False, i % 2 == 1))
    return out


def _cell_text(
    cell: object, pieces: list[tuple[str, bool]], size: float = 9.5, lang: str = "", unknown: tuple[str, ...] = ()
) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    for text, token, is_unknown in _highlighted(pieces, unknown):
        run = paragraph.add_run(text, style="Protected token" if token else None)
        run.font.size = Pt(size)
        if token:
            wordxml.set_run_shading(run, TOKEN_FILL)
        if is_unknown:
            wordxml.set_run_shading(run, UNKNOWN_FILL)
        if lang:
            wordxml.set_run_language(run, lang)


def _id_text(row: ReviewRow) -> str:
    return f"#{row.fingerprint}" + (f"·{row.base}" if row.base else "")


def _notes_lines(row: ReviewRow, source_name: str) -> list[str]:
    lines = [
        f"{EXPORTED_LINE}{note.author} ({note.at[:10]}): {note.text}" + (" [resolved]" if note.resolved else "")
        for note in row.notes
    ]
    if row.earlier:
        lines.append(f"{EXPORTED_LINE}Earlier reviewed translation: " + markup_as_text(row.earlier))
    lines.extend(f"{EXPORTED_LINE}QA (the editor's choice, kept): {finding}" for finding in row.findings)
    lines.extend(f"{FUZZY_LINE}{match.similarity}%: {match.target_text}" for match in row.matches)
    if row.unknown:
        lines.append(f"{EXPORTED_LINE}Unknown to the engine, left in {source_name}: " + ", ".join(row.unknown))
    return lines


def write_review_docx(review: PacketReview, timestamp: dt.datetime) -> bytes:
    """One table per summary, in its own direction; protected spans as grey `{N kind: label}` tokens; rows
    never split across pages."""
    packet = review.packet
    source_name = " or ".join(dict.fromkeys(language_name(row.source_lang) for row in review.rows)) or "source"
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
        "Correct the translation column. Grey tokens such as {2 term: Casa Blanca}, {3 cite: Rose 2023} or "
        "{1 link: https://…}…{/1} stand for names, figures, citations, notes and formatting: keep each once and "
        "move it where the sentence needs it (a name or figure may also be written out). Choose “approved” in "
        "the Status column for a final translation. Write notes in the Notes column (lines starting with ↳ are "
        f"earlier notes). Yellow rows: the {source_name} changed after a person had translated it. The ID and "
        f"{source_name} columns are not read back. Then run: briefkit review import THIS_FILE   (packet {packet.id})"
    )
    current = None
    table = None
    for row in review.rows:
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
            wordxml.keep_row_together(header)
            labels = ("ID", language_name(row.source_lang), f"Translation ({row.target_lang})", "Status", "Notes")
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
                merged = table.add_row()
                wordxml.keep_row_together(merged)
                cell = merged.cells[0].merge(merged.cells[4])
                cell.text = last_section
                cell.paragraphs[0].runs[0].italic = True
                wordxml.set_cell_shading(cell, "F2F2F2")
        added = table.add_row()
        wordxml.keep_row_together(added)
        cells = added.cells
        id_run = cells[0].paragraphs[0].add_run(row.item.id)
        id_run.font.size = Pt(8)
        hash_run = cells[0].paragraphs[0].add_run("\n" + _id_text(row))
        hash_run.font.size = Pt(7)
        hash_run.font.color.rgb = RGBColor(0x88, 0x88, 0x88)
        segment = row.item.segment
        _cell_text(cells[1], visible(segment.markup, segment, True, review.bibliography), lang=row.source_lang)
        wordxml.lock_cell_content(cells[1], "english")
        target_pieces = visible(row.target, segment, False, review.bibliography)
        _cell_text(cells[2], target_pieces, lang=row.target_lang, unknown=row.unknown)
        wordxml.status_drop_down(cells[3], row.status, STATUS_CHOICES)
        lines = _notes_lines(row, language_name(row.source_lang))
        if lines:
            _cell_text(cells[4], [("\n".join(lines), False)], 8)
        if row.earlier:
            wordxml.set_cell_shading(cells[2], CHANGED_FILL)
        for cell, width in zip(cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)
    props = document.core_properties
    props.title = f"Review: {packet.title}"
    props.identifier = f"{IDENTIFIER} {packet.id}"
    props.keywords = "briefkit review"
    props.created = props.modified = timestamp
    props.author = packet.organization
    props.last_modified_by = ""  # whoever saves it next: the editor
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _direct_cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in row if c.tag == w("tc")] + [c for s in row if s.tag == w("sdt") for c in s.iter(w("tc"))]


def _packet_id(package_props: etree._Element | None) -> str:
    if package_props is None:
        return ""
    for element in package_props.iter("{http://purl.org/dc/elements/1.1/}identifier"):
        text = (element.text or "").split()
        if len(text) == 2 and text[0] == IDENTIFIER:
            return text[1]
    return ""


def _last_modified_by(package_props: etree._Element | None) -> str:
    if package_props is None:
        return ""
    for element in package_props.iter(
        "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy"
    ):
        name = (element.text or "").strip()
        return "" if name.lower() == "briefkit" else name
    return ""


def _new_note_text(line: str, exported: list[str] | None) -> str:
    """What of a Notes line the editor wrote: a line of their own, or what they typed after an exported line
    (`exported`: the lines the export wrote for the row; None when the row is unknown, where lines marked
    as exported are taken as exported)."""
    if not line.startswith(EXPORTED_LINE.strip()):
        return line
    if line.startswith(FUZZY_LINE.strip()):
        return ""  # matches change with the memory: the import's rows do not carry them
    if exported is None:
        return ""
    written = max((e for e in exported if line.startswith(e)), key=len, default=None)
    if written is None:
        return line  # an exported line the editor changed: their words now
    return line[len(written) :].strip(" \t—–-:;,")


def read_review_docx(path: Path, review: PacketReview | None = None) -> ReviewFile:
    """Corrections, notes and comments from an edited review DOCX. With `review`, an edited English column is
    warned about."""
    package = open_word_file(
        path, ("word/document.xml", "docProps/core.xml", "word/comments.xml", "word/commentsExtended.xml")
    )
    body = package.xml("word/document.xml")
    assert body is not None
    props = package.xml("docProps/core.xml")
    comments = word_comments(package)
    expected = review.by_id() if review else {}
    corrections: list[Correction] = []
    notes: list[EditorNote] = []
    warnings: list[str] = []
    rejected: list[tuple[str, str]] = []
    rows = [(t, r, tr) for t, table in enumerate(body.iter(w("tbl")), 1) for r, tr in enumerate(table.iter(w("tr")), 1)]
    for table_number, row_number, tr in rows:
        cells = _direct_cells(tr)
        if len(cells) != 5:
            continue
        id_text = accepted_text(cells[0]).strip()
        if id_text == "ID" or id_text.startswith("ID\n"):
            continue
        m = ID_CELL.match(id_text)
        if m is None:
            place = f"table {table_number}, row {row_number}"
            why = f"the ID cell was changed (it reads “{id_text[:40]}”); copy it back from the export"
            rejected.append((place, why))
            continue
        segment_id, where = m["id"].strip(), ""
        author, date = latest_change(cells[2])
        corrections.append(
            Correction(
                segment_id,
                m["en"],
                m["base"],
                accepted_text(cells[2]).replace("\n", " "),
                accepted_text(cells[3]).strip(),
                editor=author,
                at=date,
                where=where,
            )
        )
        row = expected.get(segment_id)
        if row is not None and review is not None:
            english = "".join(
                t for t, _ in visible(row.item.segment.markup, row.item.segment, True, review.bibliography)
            )
            if " ".join(accepted_text(cells[1]).split()) != " ".join(english.split()):
                warnings.append(
                    f"{segment_id}: the {language_name(row.source_lang)} column was edited; edits of the "
                    "source text are not imported "
                    "(change the summary instead)"
                )
        exported = [line.strip() for line in _notes_lines(row, language_name(row.source_lang))] if row else None
        for line in accepted_text(cells[4]).splitlines():
            text = _new_note_text(line.strip(), exported)
            if text:
                notes.append(EditorNote(segment_id, "", author, date or now_utc(), text, False, "review-docx"))
        for start in tr.iter(w("commentRangeStart"), w("commentReference")):
            comment = comments.get(start.get(w("id"), ""))
            if comment is not None:
                notes.append(
                    EditorNote(
                        segment_id, "", comment.author, comment.date, comment.text, comment.resolved, "word-comment"
                    )
                )
    if not corrections and not rejected:
        raise BriefkitError("no review rows found (is this a file made by `briefkit review export`?)", path)
    unique = {(n.segment, n.text): n for n in notes}
    return ReviewFile(
        "review table",
        _packet_id(props),
        _last_modified_by(props),
        corrections,
        list(unique.values()),
        warnings,
        rejected,
    )
