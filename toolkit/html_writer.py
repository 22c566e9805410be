"""Writing a packet as HTML for WeasyPrint, and the PDF made from it."""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
from pathlib import Path
from typing import Any

from toolkit.errors import BriefkitError
from toolkit.images import ImageRefused, decode_data_url
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
    NoteRef,
    Paragraph,
    Quote,
    Rendered,
    Strong,
    Table,
    Text,
    is_safe_link,
)
from toolkit.packet_book import PacketBook


def esc(text: str) -> str:
    return html.escape(text, quote=True)


class _Html:
    def __init__(self, book: PacketBook) -> None:
        self.book = book
        self.numbers: dict[str, int] = {}

    def inlines(self, nodes: tuple[Inline, ...], notes: dict[str, tuple[Block, ...]], scope: str) -> str:
        out = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(esc(node.text))
            elif isinstance(node, Code):
                out.append(f"<code>{esc(node.text)}</code>")
            elif isinstance(node, Emph):
                out.append(f"<em>{self.inlines(node.children, notes, scope)}</em>")
            elif isinstance(node, Strong):
                out.append(f"<strong>{self.inlines(node.children, notes, scope)}</strong>")
            elif isinstance(node, Rendered):
                out.append(f'<span class="citation">{self.inlines(node.children, notes, scope)}</span>')
            elif isinstance(node, Link) and is_safe_link(node.target):
                out.append(f'<a href="{esc(node.target)}">{self.inlines(node.children, notes, scope)}</a>')
            elif isinstance(node, Link):
                out.append(self.inlines(node.children, notes, scope))
            elif isinstance(node, Image):
                data = base64.b64encode(node.data).decode("ascii")
                out.append(f'<img src="data:{node.media_type};base64,{data}" alt="{esc(node.alt)}">')
            elif isinstance(node, NoteRef) and node.note_id in notes:
                key = f"{scope}:{node.note_id}"
                edition = scope.split("-", 1)[0]
                number = self.numbers.setdefault(key, 1 + sum(1 for k in self.numbers if k.startswith(edition)))
                body = " ".join(
                    self.inlines(b.children, {}, scope)
                    for b in notes[node.note_id]
                    if isinstance(b, (Paragraph, Heading))
                )
                out.append(f'<span class="footnote" data-n="{number}">{body}</span>')
        return "".join(out)

    def blocks(self, blocks: tuple[Block, ...], notes: dict[str, tuple[Block, ...]], scope: str) -> str:
        out = []
        for block in blocks:
            if isinstance(block, Heading):
                level = min(block.level + 1, 4)
                out.append(f"<h{level}>{self.inlines(block.children, notes, scope)}</h{level}>")
            elif isinstance(block, Paragraph):
                out.append(f"<p>{self.inlines(block.children, notes, scope)}</p>")
            elif isinstance(block, Quote):
                out.append(f"<blockquote>{self.blocks(block.blocks, notes, scope)}</blockquote>")
            elif isinstance(block, ListBlock):
                tag = "ol" if block.ordered else "ul"
                start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
                items = "".join(f"<li>{self.blocks(item, notes, scope)}</li>" for item in block.items)
                out.append(f"<{tag}{start}>{items}</{tag}>")
            elif isinstance(block, Table):
                head = "".join(f"<th>{self.inlines(c, notes, scope)}</th>" for c in block.header)
                rows = "".join(
                    "<tr>" + "".join(f"<td>{self.inlines(c, notes, scope)}</td>" for c in row) + "</tr>"
                    for row in block.rows
                )
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        return "".join(out)

    def summary_head(self, edition: Edition, doc: Document, n: int, scope: str) -> str:
        meta = esc(self.book.summary_meta(edition, doc))
        return (
            f'<h2 id="{edition.lang}-{n}" class="summary-title">{self.inlines(doc.title, {}, scope)}</h2>'
            f'<p class="summary-meta">{meta}</p>'
        )

    def bibliography(self, edition: Edition) -> str:
        entries = "".join(
            f'<p class="csl-entry">{self.inlines(b.children, {}, edition.lang)}</p>'
            for b in edition.bibliography
            if isinstance(b, Paragraph)
        )
        return (
            f'<section class="bibliography" lang="{edition.lang}"><h2 id="{edition.lang}-bibliography">'
            f"{esc(edition.labels['bibliography'])}</h2>{entries}</section>"
        )

    def cover(self) -> str:
        book = self.book
        lines = "".join(f"<p>{esc(line)}</p>" for line in book.cover_lines)
        subtitle = f'<p class="subtitle">{esc(book.subtitle)}</p>' if book.subtitle else ""
        return (
            f'<section class="cover"><p class="kicker">{esc(book.organization)}</p>'
            f'<h1 class="packet-title">{esc(book.title)}</h1>{subtitle}<div class="cover-lines">{lines}</div>'
            "</section>"
        )

    def contents(self) -> str:
        editions = self.book.editions if self.book.layout == "sequential" else self.book.editions[:1]
        items = []
        for edition in editions:
            for anchor, text, level in self.book.toc(edition):
                items.append(f'<li class="toc-{level}" lang="{edition.lang}"><a href="#{anchor}">{esc(text)}</a></li>')
        return (
            f'<nav class="toc"><h2 class="toc-title">{esc(self.book.editions[0].labels["contents"])}</h2>'
            f"<ul>{''.join(items)}</ul></nav>"
        )

    def sequential(self) -> str:
        parts = []
        for edition in self.book.editions:
            body = [f'<h1 class="edition-title" id="edition-{edition.lang}">{esc(edition.labels["edition"])}</h1>']
            for n, doc in enumerate(edition.documents, 1):
                scope = f"{edition.lang}-{n}"
                body.append(
                    f'<article class="summary">{self.summary_head(edition, doc, n, scope)}'
                    f"{self.blocks(doc.blocks, doc.notes, scope)}</article>"
                )
            body.append(self.bibliography(edition))
            parts.append(f'<section class="edition" lang="{edition.lang}">{"".join(body)}</section>')
        return "".join(parts)

    def parallel(self) -> str:
        left, right = self.book.editions
        body = [
            f'<h1 class="edition-title" id="edition-{left.lang}">{esc(left.labels["edition"])} · '
            f'<span lang="{right.lang}">{esc(right.labels["edition"])}</span></h1>'
        ]
        for n, (a, b) in enumerate(zip(left.documents, right.documents), 1):
            rows = [
                f'<div class="pair pair-title"><div lang="{left.lang}">'
                f"{self.summary_head(left, a, n, f'{left.lang}-{n}')}</div>"
                f'<div lang="{right.lang}">{self.summary_head(right, b, n, f"{right.lang}-{n}")}</div></div>'
            ]
            for x, y in zip(a.blocks, b.blocks):
                english = self.blocks((x,), a.notes, f"{left.lang}-{n}")
                spanish = self.blocks((y,), b.notes, f"{right.lang}-{n}")
                rows.append(
                    f'<div class="pair"><div lang="{left.lang}">{english}</div>'
                    f'<div lang="{right.lang}">{spanish}</div></div>'
                )
            body.append(f'<article class="summary parallel">{"".join(rows)}</article>')
        bib = (
            f'<div class="pair bib-pair"><div lang="{left.lang}">{self.bibliography(left)}</div>'
            f'<div lang="{right.lang}">{self.bibliography(right)}</div></div>'
        )
        return f'<section class="edition parallel" lang="{left.lang}">{"".join(body)}{bib}</section>'

    def document(self, css: str) -> str:
        book = self.book
        main = self.parallel() if book.layout == "parallel" else self.sequential()
        lang = book.editions[0].lang
        return (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{esc(book.title)}</title>'
            f'<meta name="description" content="{esc(book.subtitle)}"><meta name="author" '
            f'content="{esc(book.organization)}"><style>{css}</style></head>'
            f'<body data-title="{esc(book.title)}"><div class="running-title">{esc(book.title)}</div>'
            f"{self.cover()}{self.contents()}{main}</body></html>"
        )


def write_html(book: PacketBook, css: str) -> str:
    """The packet as one HTML document (the PDF's source)."""
    return _Html(book).document(css)


def refusing_fetcher() -> Any:
    """WeasyPrint's URL fetcher: a build never reaches the network or the file system through a document.

    It serves only the data: URLs of images the reader already checked and the writer embedded; any other URL
    stops the rendering (the writer makes no other, so one would be a bug worth stopping for). Defined here,
    not at the top, because importing WeasyPrint takes half a second that reading a packet does not need."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class RefusingFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url.lower().startswith("data:"):
                try:
                    data, media_type = decode_data_url(url)
                except ImageRefused as exc:
                    raise FatalURLFetchingError(f"refused an image: {exc}") from None
                return URLFetcherResponse(url[:40], data, {"Content-Type": media_type})
            raise FatalURLFetchingError(f"refused to fetch {url[:100]!r}")

    return RefusingFetcher(fail_on_errors=True)


def write_pdf(html_text: str, base_dir: Path, timestamp: dt.datetime) -> bytes:
    """Render HTML to a tagged PDF (PDF/UA) with WeasyPrint; the same input gives the same bytes."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    document = weasyprint.HTML(string=html_text, base_url=str(base_dir), url_fetcher=refusing_fetcher())
    # fontTools stamps each embedded font subset with the time unless SOURCE_DATE_EPOCH says otherwise.
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or str(int(timestamp.replace(tzinfo=dt.UTC).timestamp()))
    try:
        return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)  # type: ignore[no-any-return]
    except FatalURLFetchingError as exc:
        raise BriefkitError(f"while rendering the PDF: {exc.__cause__ or exc}") from None
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
