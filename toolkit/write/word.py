"""Writing a packet as a Word document: cover, contents, each edition in its language, footnotes, bibliography."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.image import Image as DocxImage
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.text.paragraph import Paragraph as WordParagraph

from toolkit.model import (
    Block,
    Code,
    Document,
    Edition,
    Emph,
    Heading,
    Image,
    Inline,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Rendered,
    Span,
    Strong,
    Styled,
    Table,
    Text,
    TextStyle,
    block_text,
    is_safe_link,
    plain_text,
)
from toolkit.translate.anchors import is_segment_anchor, parse_slot_anchor
from toolkit.write import wordxml
from toolkit.write.book import PacketBook, labels_for, note_lines
from toolkit.write.house_style import WordStyle


class _Writer:
    def __init__(self, book: PacketBook, style: WordStyle) -> None:
        self.book = book
        self.style = style
        self.doc = docx.Document()
        self.style_ids = wordxml.StyleIds(self.doc)
        self.footnotes = wordxml.Footnotes(self.doc, self.style_ids)
        self.bookmark_id = 0
        self.lang = book.editions[0].lang
        self.notes_per_language: dict[str, int] = {}
        self.text_styles: frozenset[TextStyle] = frozenset()  # citeproc's styles around the runs being written
        self._setup_styles()
        self.body = wordxml.DocumentBody(self.doc, Cm(21.0 - 2 * style.page_margin_cm))

    # --- styles -------------------------------------------------------------------------------------------
    def _setup_styles(self) -> None:
        s = self.style
        styles = self.doc.styles
        color = RGBColor.from_string(s.heading_color)
        normal = styles["Normal"]
        normal.font.name = s.body_font
        normal.font.size = Pt(s.body_size)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15
        for name, size in (
            ("Title", 28),
            ("Subtitle", 15),
            ("Heading 1", 18),
            ("Heading 2", 13.5),
            ("Heading 3", 12),
            ("TOC Heading", 16),
        ):
            st = styles[name]
            st.font.name = s.heading_font
            st.font.size = Pt(size)
            st.font.color.rgb = color
        if "Footnote Text" not in [x.name for x in styles]:
            ft = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
            ft.base_style = normal
            ft.font.size = Pt(s.footnote_size)
            ft.paragraph_format.space_after = Pt(2)
            ft.paragraph_format.line_spacing = 1.0
            fr = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
            fr.font.superscript = True
            hl = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
            hl.font.color.rgb = RGBColor.from_string(s.accent_color)
            hl.font.underline = True
            bib = styles.add_style("Bibliography", WD_STYLE_TYPE.PARAGRAPH)
            bib.base_style = normal
            bib.paragraph_format.left_indent = Cm(1)
            bib.paragraph_format.first_line_indent = Cm(-1)
            meta = styles.add_style("Summary Meta", WD_STYLE_TYPE.PARAGRAPH)
            meta.base_style = normal
            meta.font.italic = True
            meta.font.color.rgb = RGBColor(0x55, 0x5B, 0x66)
            toc = styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
            toc.base_style = normal
            toc.paragraph_format.space_after = Pt(3)
        section = self.doc.sections[0]
        margin = Cm(s.page_margin_cm)
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = margin
        section.top_margin = section.bottom_margin = margin

    # --- inlines ------------------------------------------------------------------------------------------
    def inlines(
        self,
        paragraph: WordParagraph,
        nodes: tuple[Inline, ...],
        italic: bool = False,
        bold: bool = False,
        link: object = None,
        in_note: bool = False,
    ) -> None:
        """Runs for the nodes at the end of `paragraph`; a note becomes a footnote (notes hold no notes)."""
        for node in nodes:
            if isinstance(node, (Text, Code)):
                run = (
                    wordxml.hyperlink_run(link, paragraph, node.text, self.style_ids["Hyperlink"])
                    if link is not None
                    else paragraph.add_run(node.text)
                )
                run.italic = italic or None
                run.bold = bold or None
                if isinstance(node, Code):
                    run.font.name = "Courier New"
                for style in self.text_styles:
                    wordxml.set_text_style(run, style)
                wordxml.set_run_language(run, self.lang)
            elif isinstance(node, Styled):  # kept for the runs inside it (the recursion's other state is its args)
                outer = self.text_styles
                self.text_styles = outer | {node.style}
                self.inlines(paragraph, node.children, italic, bold, link, in_note)
                self.text_styles = outer
            elif isinstance(node, Emph):
                self.inlines(paragraph, node.children, not italic, bold, link, in_note)
            elif isinstance(node, Strong):
                self.inlines(paragraph, node.children, italic, True, link, in_note)
            elif isinstance(node, Rendered):
                self.inlines(paragraph, node.children, italic, bold, link, in_note)
            elif isinstance(node, Span):  # an anchor: a hidden bookmark around its runs, for review imports
                self.bookmark_id += 1
                bookmark = self.bookmark_id
                container: Any = link if link is not None else paragraph._p
                start = wordxml.open_bookmark(container, node.anchor, bookmark)
                self.inlines(paragraph, node.children, italic, bold, link, in_note)
                if is_protected_slot(node):  # a citation, note reference, code or picture: locked in Word
                    wordxml.lock_content(container, after=start)
                wordxml.close_bookmark(container, bookmark)
            elif isinstance(node, Link):
                if link is None and is_safe_link(node.target):
                    part = self.footnotes.part if in_note else None
                    new_link = wordxml.add_hyperlink(
                        paragraph, node.target.lstrip("#"), node.target.startswith("#"), part
                    )
                    self.inlines(paragraph, node.children, italic, bold, new_link, in_note)
                else:
                    self.inlines(paragraph, node.children, italic, bold, link, in_note)
            elif isinstance(node, Note) and not in_note:
                self.footnote(paragraph, node)
            elif isinstance(node, Image):
                self.picture(paragraph, node)

    def picture(self, paragraph: WordParagraph, image: Image) -> None:
        """The image at its own size, or narrowed to the column (the text width, or half of it side by side)."""
        native = DocxImage.from_blob(image.data)
        width = min(native.width, self.column_width())
        paragraph.add_run().add_picture(io.BytesIO(image.data), width=width)
        if image.alt:
            wordxml.set_picture_description(paragraph, image.alt)

    def column_width(self) -> Length:
        """The width text runs in: the page less its margins, or half of it beside the other language."""
        text_width = Cm(21.0 - 2 * self.style.page_margin_cm)
        return Emu(text_width // 2 - Cm(0.4)) if self.book.layout == "parallel" else text_width

    def footnote(self, paragraph: WordParagraph, note: Note) -> None:
        # Sequential halves use Word's own numbering (restarting per section); parallel columns carry their
        # own marks so that each language counts its notes from 1 and both columns agree.
        mark = None
        if self.book.layout == "parallel":
            self.notes_per_language[self.lang] = self.notes_per_language.get(self.lang, 0) + 1
            mark = str(self.notes_per_language[self.lang])
        body = self.footnotes.add_footnote(paragraph, custom_mark=mark, lang=self.lang)
        for i, line in enumerate(note_lines(note)):
            target = body if i == 0 else wordxml.add_note_paragraph(body)
            if line.depth:
                target.paragraph_format.left_indent = Cm(0.5 * line.depth)
            if line.marker:
                target.paragraph_format.first_line_indent = Cm(-0.4)
                self.inlines(target, (Text(f"{line.marker} "),), in_note=True)
            self.inlines(target, line.inlines, italic=line.kind == "quote", in_note=True)

    def paragraph(self, container: Any, style: str | None, text: str = "") -> WordParagraph:
        """A new paragraph at the end of `container` (document or cell), in the named style."""
        p = container.add_paragraph(text)
        if style:
            wordxml.set_paragraph_style(p, self.style_ids[style])
        return p

    # --- blocks -------------------------------------------------------------------------------------------
    def blocks(self, blocks: tuple[Block, ...], container: Any = None, depth: int = 0) -> None:
        target = container if container is not None else self.body
        for block in blocks:
            if isinstance(block, Heading):
                level = min(block.level, 3)
                p = self.paragraph(target, f"Heading {level}")
                self.inlines(p, block.children)
            elif isinstance(block, Paragraph):
                p = target.add_paragraph()
                self.inlines(p, block.children)
            elif isinstance(block, Quote):
                for inner in block.blocks:
                    if isinstance(inner, (Paragraph, Heading)):
                        p = self.paragraph(target, "Quote")
                        self.inlines(p, inner.children)
                    else:  # a list or table quoted keeps its shape
                        self.blocks((inner,), container, depth)
            elif isinstance(block, ListBlock):
                self.list_block(block, target, depth)
            elif isinstance(block, Table):
                self.table(block, target)

    def list_block(self, block: ListBlock, target: Any, depth: int) -> None:
        base = "List Number" if block.ordered else "List Bullet"
        style = base if depth == 0 else f"{base} {min(depth + 1, 3)}"
        num_id = None
        for item in block.items:
            for j, inner in enumerate(item):
                if isinstance(inner, ListBlock):
                    self.list_block(inner, target, depth + 1)
                    continue
                p = self.paragraph(target, style if j == 0 else "List Continue")
                self.inlines(p, _inline_content(inner))
                if block.ordered and depth == 0 and j == 0:
                    if num_id is None:
                        num_id = wordxml.restart_numbering(self.doc, p, block.start)
                    else:
                        wordxml.set_numbering(p, num_id)

    def table(self, block: Table, target: Any) -> None:
        cols = max([len(block.header)] + [len(r) for r in block.rows])
        table = target.add_table(1 + len(block.rows), cols)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        char_width = Pt(self.style.body_size * 0.62)  # bold header words are wider than the average letter
        widths = _column_widths(block, cols, self.column_width(), char_width)
        # every cell once, row by row: python-docx's row.cells and column.cells rebuild the whole row or
        # column at each call, which made a table quadratic in its columns (23 s at 600)
        cells = table._cells
        for i, column in enumerate(table.columns):
            column.width = Emu(widths[i])  # the grid, which LibreOffice reads
        for n, cell in enumerate(cells):
            cell.width = Emu(widths[n % cols])  # each cell's own width, which Word reads
        for i, cell_inlines in enumerate(block.header):
            cell = cells[i]
            self.inlines(cell.paragraphs[0], cell_inlines, bold=True)
            wordxml.set_cell_shading(cell, self.style.table_header_fill)
        wordxml.repeat_table_header(table.rows[0])
        for r, row in enumerate(block.rows, 1):
            for c, cell_inlines in enumerate(row):
                self.inlines(cells[r * cols + c].paragraphs[0], cell_inlines)
        for row_inlines, row_element in zip((block.header, *block.rows), table.rows):
            # A row moves to the next page whole rather than leave its last words alone there; a row longer
            # than a short page's worth may still split (Word would cut a row taller than the page).
            if max((len(plain_text(cell)) for cell in row_inlines), default=0) <= ROW_KEPT_WHOLE_UP_TO:
                wordxml.keep_row_together(row_element)
        if target is self.body:
            self.body.add_paragraph()  # Word joins a table to the next one without a paragraph between

    # --- the packet ---------------------------------------------------------------------------------------
    def heading_with_bookmark(self, text: str, level: int, anchor: str, style: str | None = None) -> WordParagraph:
        p = self.paragraph(self.body, style or f"Heading {level}")
        run = p.add_run(text)
        wordxml.set_run_language(run, self.lang)
        self.bookmark_id += 1
        wordxml.add_bookmark(p, anchor, self.bookmark_id)
        return p

    def cover(self) -> None:
        book = self.book
        for _ in range(5):
            self.body.add_paragraph()
        self.paragraph(self.body, "Title", book.title)
        if book.subtitle:
            self.paragraph(self.body, "Subtitle", book.subtitle)
        for line in book.cover_lines:
            p = self.body.add_paragraph(line)
            p.paragraph_format.space_after = Pt(2)
        self.body.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        p = self.paragraph(self.body, "TOC Heading", labels_for(self.book.editions[0].lang).contents)
        first = True
        for edition in self.book.editions if self.book.layout == "sequential" else self.book.editions[:1]:
            for entry in self.book.toc(edition):
                p = self.paragraph(self.body, "TOC 1")
                if first:
                    wordxml.add_complex_field(p, 'TOC \\o "1-2" \\h \\z \\u', begin=True)
                    first = False
                p.paragraph_format.left_indent = Cm(0.8 * (entry.level - 1))
                link = wordxml.add_hyperlink(p, entry.anchor, internal=True)
                run = wordxml.hyperlink_run(link, p, entry.text, self.style_ids["Hyperlink"])
                wordxml.set_run_language(run, edition.lang)
                run.font.underline = False
                run.bold = entry.level == 1 or None
        if not first:
            wordxml.add_complex_field(p, "", begin=False)

    def new_section(self) -> None:
        self.doc.add_section(WD_SECTION.NEW_PAGE)

    def edition(self, edition: Edition) -> None:
        self.lang = edition.lang
        self.heading_with_bookmark(labels_for(edition.lang).edition, 1, f"edition-{edition.lang}")
        for n, document in enumerate(edition.documents, 1):
            self.summary(edition, document, n)
        self.bibliography(edition)

    def summary(self, edition: Edition, document: Document, n: int) -> None:
        p = self.paragraph(self.body, "Heading 1")
        p.paragraph_format.space_before = Pt(24) if n > 1 else None  # summaries run on (no near-empty pages)
        p.paragraph_format.keep_with_next = True
        self.inlines(p, document.title)
        self.bookmark_id += 1
        wordxml.add_bookmark(p, f"{edition.lang}-{n}", self.bookmark_id)
        meta = self.paragraph(self.body, "Summary Meta")
        meta.paragraph_format.keep_with_next = True
        run = meta.add_run(self.book.summary_meta(edition, document))
        wordxml.set_run_language(run, self.lang)
        self.blocks(document.blocks)

    def bibliography(self, edition: Edition) -> None:
        p = self.heading_with_bookmark(labels_for(edition.lang).bibliography, 1, f"{edition.lang}-bibliography")
        p.paragraph_format.page_break_before = True
        for block in edition.bibliography:
            para = self.paragraph(self.body, "Bibliography")
            self.inlines(para, block.children if isinstance(block, Paragraph) else ())

    def parallel(self) -> None:
        left, right = self.book.editions
        self.lang = left.lang
        title = f"{labels_for(left.lang).edition} · {labels_for(right.lang).edition}"
        self.heading_with_bookmark(title, 1, f"edition-{left.lang}")
        for n, (a, b) in enumerate(zip(left.documents, right.documents), 1):
            p = self.paragraph(self.body, "Heading 1")
            p.paragraph_format.space_before = Pt(24) if n > 1 else None  # summaries run on (no near-empty pages)
            p.paragraph_format.keep_with_next = True
            self.lang = left.lang
            self.inlines(p, a.title)
            self.bookmark_id += 1
            wordxml.add_bookmark(p, f"{left.lang}-{n}", self.bookmark_id)
            table = self.body.add_table(0, 2)
            pairs = [(x, y) for x, y in zip(a.blocks, b.blocks)]
            title_row = table.add_row().cells
            for cell, edition, doc in ((title_row[0], left, a), (title_row[1], right, b)):
                self.lang = edition.lang
                wordxml.set_paragraph_style(cell.paragraphs[0], self.style_ids["Summary Meta"])
                self.inlines(cell.paragraphs[0], doc.title)
                self.paragraph(cell, "Summary Meta", self.book.summary_meta(edition, doc))
            for x, y in pairs:
                cells = table.add_row().cells
                for cell, edition, doc, block in ((cells[0], left, a, x), (cells[1], right, b, y)):
                    self.lang = edition.lang
                    cell._tc.remove(cell.paragraphs[0]._p)
                    self.blocks((block,), container=cell)
                    if not cell.paragraphs:
                        cell.add_paragraph()
        for edition in (left, right):
            self.lang = edition.lang
            self.bibliography(edition)

    def footers(self) -> None:
        """Running title and page number, defined once on the first section and inherited by the others."""
        first = self.doc.sections[0]
        first.different_first_page_header_footer = True
        header = first.header.paragraphs[0]
        header.text = self.book.title
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in header.runs:
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0x55, 0x5B, 0x66)
        footer = first.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        wordxml.add_field(footer, "PAGE", "1")
        if self.book.layout == "sequential":
            # Section 0 is the cover and contents, then one section per edition. The first edition's notes
            # count from 1 anyway; marking only later editions to restart is also what LibreOffice can read
            # (7.4 numbers every note after the first 0 when every section restarts).
            for section in self.doc.sections[2:]:
                wordxml.restart_footnotes(section)

    def write(self) -> bytes:
        book = self.book
        self.cover()
        self.contents()
        if book.layout == "parallel":
            self.new_section()
            self.parallel()
        else:
            for edition in book.editions:
                self.new_section()
                self.edition(edition)
        self.footers()
        notes = [self.footnotes.part.element] if self.footnotes.part is not None else []  # the separators
        for part_element in (self.doc.element, *notes):  # text outside segments: changes to it are told of
            self.bookmark_id = wordxml.mark_outside_paragraphs(part_element, is_segment_anchor, self.bookmark_id + 1)
        # Every run in a language (cover, contents, header, footer in the first half's), so that Word checks
        # spelling in the right one; and no theme font overriding the style table's.
        main_lang = book.editions[0].lang
        for part_element in (self.doc.element, *self._header_footer_elements(), *notes):
            wordxml.set_missing_languages(part_element, main_lang)
        for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "TOC Heading"):
            wordxml.drop_theme_fonts(self.doc.styles[name])
        wordxml.mark_proofing_undone(self.doc)
        props = self.doc.core_properties
        props.comments = ""  # not python-docx's "generated by python-docx"
        props.title = book.title
        props.subject = book.subtitle
        props.author = book.organization
        props.language = book.editions[0].lang
        props.keywords = "briefkit; " + ", ".join(e.lang for e in book.editions)
        props.identifier = f"briefkit-packet {book.id}"  # `briefkit review import` finds the packet by it
        stamp = book.timestamp
        props.created = props.modified = stamp
        props.last_modified_by = ""  # whoever saves it next (an editor's name, for review import)
        props.revision = 1
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return clean_package(buffer.getvalue(), stamp)

    def _header_footer_elements(self) -> list[Any]:
        first = self.doc.sections[0]
        return [first.header._element, first.footer._element]


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>briefkit</Application><DocSecurity>0</DocSecurity>"
    "</Properties>"
)


def clean_package(data: bytes, stamp: dt.datetime) -> bytes:
    """The saved .docx without python-docx's template leftovers (its blank thumbnail, an app.xml naming
    "Microsoft Macintosh Word"), every member dated `stamp` (python-docx dates them with the current time)."""
    date_time = max(stamp.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            if info.filename == "docProps/app.xml":
                content = APP_XML.encode()
            if info.filename == "_rels/.rels":
                content = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", content)
            if info.filename == "[Content_Types].xml":
                content = re.sub(rb"<(?:Override|Default) [^>]*(?:thumbnail|jpeg)[^>]*/>", b"", content)
            member = zipfile.ZipInfo(info.filename, date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, content)
    return out.getvalue()


def is_protected_slot(span: Span) -> bool:
    """A slot anchor around a citation, note reference, code or picture (not around formatting, whose text an
    editor may change)."""
    wraps_formatting = len(span.children) == 1 and isinstance(span.children[0], (Emph, Strong, Link))
    return parse_slot_anchor(span.anchor) is not None and not wraps_formatting


ROW_KEPT_WHOLE_UP_TO = 600  # characters in a row's longest cell
CELL_PADDING = Cm(0.45)  # Word's default cell margins, left and right, and a little air


def _column_widths(table: Table, cols: int, total: int, char_width: int) -> list[int]:
    """Each column's width (EMU), from its content: room for its longest word at least (a word is never broken
    inside a column), then the rest shared by its longest cell up to a line's worth, so a "#" column stays
    narrow and a column of sentences takes the room. `char_width`: a generous average character width."""
    weights, minimums = [], []
    for c in range(cols):
        texts = [plain_text(row[c]) for row in (table.header, *table.rows) if c < len(row)]
        longest_word = max((len(word) for text in texts for word in text.split()), default=1)
        longest_cell = max((len(text) for text in texts), default=1)
        weights.append(max(longest_word + 2, min(longest_cell, 60)))
        minimums.append(longest_word * char_width + CELL_PADDING)
    if sum(minimums) >= total:  # words too long for the page: widths in their proportion
        return [total * m // sum(minimums) for m in minimums]
    widths = [max(m, total * w // sum(weights)) for w, m in zip(weights, minimums)]
    slack = [w - m for w, m in zip(widths, minimums)]
    excess = sum(widths) - total  # what the minimums took beyond the shares, taken back from the others' slack
    return [w - excess * s // sum(slack) if excess > 0 else w for w, s in zip(widths, slack)]


def _inline_content(block: Block) -> tuple[Inline, ...]:
    """A block as one paragraph's inlines: its own for a paragraph or heading, its text for anything else."""
    return block.children if isinstance(block, (Paragraph, Heading)) else (Text(block_text(block)),)


def write_docx(book: PacketBook, style: WordStyle) -> bytes:
    """The packet as a .docx file's bytes."""
    return _Writer(book, style).write()
