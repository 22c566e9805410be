"""Writing a packet as one HTML page for WeasyPrint (the PDF's source). Every text goes through markupsafe's
escaping: `Markup.format` escapes whatever is not already markup."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup, escape

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
    is_safe_link,
    plain_text,
)
from toolkit.write.book import PacketBook, labels_for, note_lines

STYLED_HTML = {
    "superscript": "<sup>{}</sup>",
    "subscript": "<sub>{}</sub>",
    "small-caps": '<span class="small-caps">{}</span>',
    "underline": "<u>{}</u>",
}
NOTE_CLASS = "footnote"  # the class of a footnote's element, which the PDF tags as a Note


@dataclass(frozen=True)
class HtmlPage:
    """The packet as one HTML page, and the words of every place an internal link on it leads to (a link's
    description in the PDF)."""

    text: str
    link_labels: dict[str, str]


def _join(parts: Iterable[Markup]) -> Markup:
    return Markup("").join(parts)


class _Html:
    def __init__(self, book: PacketBook) -> None:
        self.book = book
        self.lang = book.editions[0].lang
        self.note_numbers: dict[str, int] = {}  # per language: each half numbers its notes from 1
        self.link_labels = book.anchor_labels()
        self.link_targets: set[str] = set()  # internal anchors links on the page lead to

    def inlines(self, nodes: tuple[Inline, ...], in_note: bool = False) -> Markup:
        return _join(self.inline(node, in_note) for node in nodes)

    def inline(self, node: Inline, in_note: bool) -> Markup:
        if isinstance(node, Text):
            return escape(node.text)
        if isinstance(node, Code):
            return Markup("<code>{}</code>").format(node.text)
        if isinstance(node, Emph):
            return Markup("<em>{}</em>").format(self.inlines(node.children, in_note))
        if isinstance(node, Strong):
            return Markup("<strong>{}</strong>").format(self.inlines(node.children, in_note))
        if isinstance(node, Styled):
            return Markup(STYLED_HTML[node.style]).format(self.inlines(node.children, in_note))
        if isinstance(node, Span):  # an anchor: the Word file's review marks, or a linked bibliography entry
            inner = self.inlines(node.children, in_note)
            if node.anchor not in self.link_targets:
                return inner
            self.link_labels[node.anchor] = " ".join(plain_text(node.children).split())[:120]
            return Markup('<span id="{}">{}</span>').format(node.anchor, inner)
        if isinstance(node, Rendered):
            return Markup('<span class="citation">{}</span>').format(self.inlines(node.children, in_note))
        if isinstance(node, Link):
            if node.target.startswith("#"):  # a linked citation: its entry, written later, gets the id
                self.link_targets.add(node.target[1:])
            if is_safe_link(node.target):
                return Markup('<a href="{}">{}</a>').format(node.target, self.inlines(node.children, in_note))
            return self.inlines(node.children, in_note)
        if isinstance(node, Image):
            data = base64.b64encode(node.data).decode("ascii")
            return Markup('<img src="data:{};base64,{}" alt="{}">').format(node.media_type, data, node.alt)
        if isinstance(node, Note) and not in_note:
            return self.footnote(node)
        return Markup("")

    def footnote(self, note: Note) -> Markup:
        """The note's number, a link to the note; the note, its number a link back (as Pandoc's HTML has them).
        WeasyPrint moves the note to the foot of the page the call is on."""
        number = self.note_numbers[self.lang] = self.note_numbers.get(self.lang, 0) + 1
        call, anchor = f"call-{self.lang}-{number}", f"note-{self.lang}-{number}"
        labels = labels_for(self.lang)
        self.link_labels[anchor] = labels.note.format(n=number)
        self.link_labels[call] = labels.note_call.format(n=number)
        lines = [Markup('<a class="note-back" href="#{}">{}.</a> ').format(call, number)]
        for i, line in enumerate(note_lines(note)):
            text = self.inlines(line.inlines, in_note=True)
            if line.marker:
                text = Markup('<span class="note-marker">{}</span> {}').format(line.marker, text)
            if i == 0 and line.kind == "paragraph" and not line.depth:
                lines.append(text)  # runs on from the note's number, as a footnote's first line does
            else:  # spans set as blocks: a <p> or <ul> would end the paragraph the note is called from
                lines.append(
                    Markup('<span class="note-line note-{} note-depth-{}">{}</span>').format(
                        line.kind, min(line.depth, 4), text
                    )
                )
        return Markup('<a class="note-call" href="#{}" id="{}">{}</a><span class="{}" id="{}">{}</span>').format(
            anchor, call, number, NOTE_CLASS, anchor, _join(lines)
        )

    def blocks(self, blocks: tuple[Block, ...]) -> Markup:
        return _join(self.block(block) for block in blocks)

    def block(self, block: Block) -> Markup:
        if isinstance(block, Heading):
            level = min(block.level + 1, 4)
            return Markup('<h{0} data-label="{2}">{1}</h{0}>').format(
                level, self.inlines(block.children), plain_text(block.children)
            )
        if isinstance(block, Paragraph):
            return Markup("<p>{}</p>").format(self.inlines(block.children))
        if isinstance(block, Quote):
            return Markup("<blockquote>{}</blockquote>").format(self.blocks(block.blocks))
        if isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            start = Markup(' start="{}"').format(block.start) if block.ordered and block.start != 1 else ""
            items = _join(Markup("<li>{}</li>").format(self.blocks(item)) for item in block.items)
            return Markup("<{0}{1}>{2}</{0}>").format(Markup(tag), start, items)
        return self.table(block)

    def table(self, table: Table) -> Markup:
        head = _join(Markup("<th>{}</th>").format(self.inlines(cell)) for cell in table.header)
        rows = _join(
            Markup("<tr>{}</tr>").format(_join(Markup("<td>{}</td>").format(self.inlines(cell)) for cell in row))
            for row in table.rows
        )
        return Markup("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>").format(head, rows)

    def summary_head(self, edition: Edition, doc: Document, n: int) -> Markup:
        return Markup(
            '<h2 id="{}-{}" class="summary-title" data-label="{}">{}</h2><p class="summary-meta">{}</p>'
        ).format(edition.lang, n, plain_text(doc.title), self.inlines(doc.title), self.book.summary_meta(edition, doc))

    def bibliography(self, edition: Edition) -> Markup:
        entries = _join(
            Markup('<p class="csl-entry">{}</p>').format(self.inlines(b.children))
            for b in edition.bibliography
            if isinstance(b, Paragraph)
        )
        return Markup(
            '<section class="bibliography" lang="{0}"><h2 id="{0}-bibliography">{1}</h2>{2}</section>'
        ).format(edition.lang, labels_for(edition.lang).bibliography, entries)

    def cover(self) -> Markup:
        book = self.book
        lines = _join(Markup("<p>{}</p>").format(line) for line in book.cover_lines)
        subtitle = Markup('<p class="subtitle">{}</p>').format(book.subtitle) if book.subtitle else ""
        return Markup(
            '<section class="cover"><p class="kicker">{}</p><h1 class="packet-title">{}</h1>{}'
            '<div class="cover-lines">{}</div></section>'
        ).format(book.organization, book.title, subtitle, lines)

    def contents(self) -> Markup:
        editions = self.book.editions if self.book.layout == "sequential" else self.book.editions[:1]
        items = _join(
            Markup('<li class="toc-{}" lang="{}"><a href="#{}">{}</a></li>').format(
                entry.level, edition.lang, entry.anchor, entry.text
            )
            for edition in editions
            for entry in self.book.toc(edition)
        )
        return Markup('<nav class="toc"><h2 class="toc-title">{}</h2><ul>{}</ul></nav>').format(
            labels_for(self.book.editions[0].lang).contents, items
        )

    def sequential(self) -> Markup:
        parts = []
        for edition in self.book.editions:
            self.lang = edition.lang
            body = [
                Markup('<h1 class="edition-title" id="edition-{}">{}</h1>').format(
                    edition.lang, labels_for(edition.lang).edition
                )
            ]
            for n, doc in enumerate(edition.documents, 1):
                body.append(
                    Markup('<article class="summary">{}{}</article>').format(
                        self.summary_head(edition, doc, n), self.blocks(doc.blocks)
                    )
                )
            body.append(self.bibliography(edition))
            parts.append(Markup('<section class="edition" lang="{}">{}</section>').format(edition.lang, _join(body)))
        return _join(parts)

    def pair(self, css_class: str, *columns: tuple[Edition, Callable[[], Markup]]) -> Markup:
        """A row of the parallel layout: one column per language, each written in its language."""
        cells = []
        for edition, write in columns:
            self.lang = edition.lang
            cells.append(Markup('<div lang="{}">{}</div>').format(edition.lang, write()))
        return Markup('<div class="{}">{}</div>').format(css_class, _join(cells))

    def parallel(self) -> Markup:
        left, right = self.book.editions
        body = [
            Markup('<h1 class="edition-title" id="edition-{}">{} · <span lang="{}">{}</span></h1>').format(
                left.lang, labels_for(left.lang).edition, right.lang, labels_for(right.lang).edition
            )
        ]
        for n, (a, b) in enumerate(zip(left.documents, right.documents), 1):
            rows = [
                self.pair(
                    "pair pair-title",
                    (left, lambda: self.summary_head(left, a, n)),
                    (right, lambda: self.summary_head(right, b, n)),
                )
            ]
            for x, y in zip(a.blocks, b.blocks):
                rows.append(self.pair("pair", (left, partial(self.blocks, (x,))), (right, partial(self.blocks, (y,)))))
            body.append(Markup('<article class="summary parallel">{}</article>').format(_join(rows)))
        bib = self.pair(
            "pair bib-pair", (left, lambda: self.bibliography(left)), (right, lambda: self.bibliography(right))
        )
        return Markup('<section class="edition parallel" lang="{}">{}{}</section>').format(left.lang, _join(body), bib)

    def document(self, css: str) -> Markup:
        book = self.book
        main = self.parallel() if book.layout == "parallel" else self.sequential()
        return Markup(
            '<!DOCTYPE html><html lang="{0}"><head><meta charset="utf-8"><title>{1}</title>'
            '<meta name="description" content="{2}"><meta name="author" content="{3}"><style>{4}</style></head>'
            '<body data-title="{1}"><div class="running-title">{1}</div>{5}{6}{7}</body></html>'
        ).format(
            book.editions[0].lang,
            book.title,
            book.subtitle,
            book.organization,
            Markup(css),
            self.cover(),
            self.contents(),
            main,
        )


def write_html(book: PacketBook, css: str) -> HtmlPage:
    """The packet as one HTML page (the PDF's source)."""
    html = _Html(book)
    text = str(html.document(css))
    return HtmlPage(text, html.link_labels)


def paragraph_html(inlines: tuple[Inline, ...], lang: str) -> str:
    """One paragraph as the PDF's page sets it, footnotes after it (the review desk's preview)."""
    edition = Edition(lang, (), ())
    book = PacketBook("", "", "", "", "", "sequential", (edition,), "", dt.datetime(2000, 1, 1))
    html = _Html(book)
    html.lang = lang
    return str(Markup('<div class="printed" lang="{}">{}</div>').format(lang, html.block(Paragraph(inlines))))
