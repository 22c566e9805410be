"""A PDF's structure tree as a screen reader walks it, read with pypdf: each element's type, its own and its
effective language, its ID and ActualText, the text of its marked content (page content streams read operator
by operator, text collected per marked-content id) and the destinations of the link annotations it holds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader


@dataclass
class StructNode:
    tag: str  # "Document", "P", "Note", …
    lang: str  # effective: its own /Lang, else its parent's, else the catalog's
    own_lang: str | None
    id: str | None
    actual_text: str | None
    alt: str | None
    own_text: str  # the text of the marked content it holds directly
    dests: list[str] = field(default_factory=list)  # internal link destinations of the annotations it holds
    children: list[StructNode] = field(default_factory=list)

    @property
    def text(self) -> str:
        """What a screen reader reads: the ActualText where there is one, else the content, in order."""
        if self.actual_text is not None:
            return self.actual_text
        return self.own_text + "".join(child.text for child in self.children)

    def walk(self) -> Iterator[StructNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def _marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """(page index, MCID) → the text drawn in that marked-content sequence."""
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(reader.pages):
        stack: list[int | None] = []

        def before(operator: bytes, args: list[Any], *_: Any) -> None:
            if operator in (b"BDC", b"BMC"):
                properties = args[1] if operator == b"BDC" and len(args) > 1 else None
                mcid = properties.get("/MCID") if isinstance(properties, dict) else None
                stack.append(int(mcid) if mcid is not None else None)
            elif operator == b"EMC" and stack:
                stack.pop()

        def text(chunk: str, *_: Any) -> None:
            current = next((m for m in reversed(stack) if m is not None), None)
            if current is not None and chunk:
                texts[(index, current)] = texts.get((index, current), "") + chunk

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def read_structure(path: Path) -> StructNode:
    """The structure tree's root element (the Document)."""
    reader = PdfReader(str(path))
    texts = _marked_text(reader)
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    catalog_lang = str(reader.trailer["/Root"].get("/Lang", ""))

    def node(element: Any, inherited: str, page: int | None) -> StructNode:
        own_lang = str(element["/Lang"]) if "/Lang" in element else None
        if "/Pg" in element:
            page = pages.get(element.raw_get("/Pg").idnum, page)
        result = StructNode(
            tag=str(element["/S"])[1:],
            lang=own_lang or inherited,
            own_lang=own_lang,
            id=str(element["/ID"]) if "/ID" in element else None,
            actual_text=str(element["/ActualText"]) if "/ActualText" in element else None,
            alt=str(element["/Alt"]) if "/Alt" in element else None,
            own_text="",
        )
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, int) and page is not None:
                result.own_text += texts.get((page, kid), "")
            elif isinstance(kid, dict) and kid.get("/Type") == "/OBJR":
                annotation = kid["/Obj"].get_object()
                if "/Dest" in annotation:
                    result.dests.append(str(annotation["/Dest"]))
            elif isinstance(kid, dict) and "/S" in kid:
                result.children.append(node(kid, result.lang, page))
        return result

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    kids = root["/K"]
    document = (kids[0] if isinstance(kids, list) else kids).get_object()
    return node(document, catalog_lang, None)
