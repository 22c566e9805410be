"""The PDF: the packet's HTML page rendered by WeasyPrint as tagged PDF (PDF/UA-1), fetching nothing."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from toolkit.errors import BriefkitError
from toolkit.read.images import MAX_EMBEDDED_BYTES, ImageRefused, decode_data_url
from toolkit.write.html_page import NOTE_CLASS, HtmlPage


def refusing_fetcher() -> Any:
    """WeasyPrint's URL fetcher: a build never reaches the network or the file system through a document.

    It serves only the data: URLs of images the reader already checked and the writer embedded; any other URL
    stops the rendering (the writer makes no other, so one would be a bug worth stopping for). Defined here,
    not at the top, because importing WeasyPrint takes half a second that reading a packet does not need."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class RefusingFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url.lower().startswith("data:"):
                try:
                    data, media_type = decode_data_url(url, MAX_EMBEDDED_BYTES)
                except ImageRefused as exc:
                    raise FatalURLFetchingError(f"refused an image: {exc}") from None
                return URLFetcherResponse(url[:40], data, {"Content-Type": media_type})
            raise FatalURLFetchingError(f"refused to fetch {url[:100]!r}")

    return RefusingFetcher(fail_on_errors=True)


def _number(reference: bytes) -> int:
    """The object number of a pydyf reference (b"12 0 R")."""
    return int(reference.split()[0])


class StructureTagger:
    """What PDF/UA asks of the structure tree and WeasyPrint leaves out, added while WeasyPrint builds the tree
    (each structure element is made from one box, and only then is the HTML element behind it known):

    - `/Lang` on every element whose language differs from its parent's (the Spanish half, a Spanish column),
      from the HTML `lang` attributes, which WeasyPrint reads only on the root;
    - footnotes as `Note` elements with a unique `ID`, and an `IDTree` for every ID in the tree;
    - a line broken by hyphenation keeps its hyphen on the page but is read as the word (`ActualText` ending
      in a soft hyphen, as ISO 32000-1 §14.8.2.2.3 asks), so extracted text has no stray hyphens;
    - each internal link's `Contents` (read as its description) is the words of the place it leads to, not
      its anchor id; each table header cell says it heads its column (`Scope`)."""

    def __init__(self, root: Any, link_labels: Mapping[str, str]) -> None:
        self.link_labels = link_labels
        self.root_lang = root.get("lang", "")
        self.lang_of: dict[int, str] = {}  # id(HTML element) -> its effective language
        stack = [(root, self.root_lang)]
        while stack:
            element, inherited = stack.pop()
            lang = element.get("lang") or inherited
            self.lang_of[id(element)] = lang
            stack.extend((child, lang) for child in element)
        self.element_lang: dict[int, str] = {}  # id(structure element) -> language of its HTML element
        self.note_ids: dict[str, int] = {}

    def wrap(self, build: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        """WeasyPrint's per-box tree builder, wrapped (it calls itself through its module, so through this)."""
        import pydyf
        from weasyprint.formatting_structure import boxes

        def build_with_languages(box: Any, parent: Any, pdf: Any, page: int, nums: Any, *rest: Any) -> Iterator[Any]:
            tags = rest[-1]
            hyphenated = {}
            for line in box.children if isinstance(box, boxes.ParentBox) else ():
                for child in line.children if isinstance(line, boxes.LineBox) else ():
                    mark = child.style["hyphenate_character"] if isinstance(child, boxes.TextBox) else None
                    if mark and child.text.endswith(mark) and child in tags:
                        hyphenated[tags[child]["mcid"]] = child.text[: -len(mark)] + "\u00ad"
            for element in build(box, parent, pdf, page, nums, *rest):
                if box.element is not None:  # html and body pass their children's elements through: first wins
                    self.element_lang.setdefault(id(element), self.lang_of.get(id(box.element), self.root_lang))
                    if box.element_tag == "span" and NOTE_CLASS in box.element.get("class", "").split():
                        element["S"] = "/Note"
                        anchor = box.element.get("id", "note")
                        self.note_ids[anchor] = self.note_ids.get(anchor, 0) + 1  # a note split across pages
                        suffix = f"-{self.note_ids[anchor]}" if self.note_ids[anchor] > 1 else ""
                        element["ID"] = pydyf.String(anchor + suffix)
                yield element
            for mcid, words in hyphenated.items():
                holder = pdf.objects[_number(nums[mcid])] if mcid in nums else None
                if holder is not None and list(holder["K"]) == [mcid]:  # its own Span, not a whole link's
                    holder["ActualText"] = pydyf.String(words)

        return build_with_languages

    def finish(self, _document: Any, pdf: Any) -> None:
        """WeasyPrint's finisher: languages, the ID tree, link descriptions, header scopes."""
        import pydyf

        by_number: dict[int, Any] = {i: obj for i, obj in enumerate(pdf.objects) if isinstance(obj, dict)}
        effective: dict[int, str] = {}

        def parent_of(element: Any) -> int | None:
            parent = element.get("P")
            if isinstance(parent, bytes) and by_number.get(_number(parent), {}).get("Type") == "/StructElem":
                return _number(parent)
            return None  # the Document's parent is the tree root

        def lang_of(number: int | None) -> str:
            if number is None:
                return self.root_lang
            if number not in effective:
                element = by_number[number]
                effective[number] = self.element_lang.get(id(element)) or lang_of(parent_of(element))
            return effective[number]

        ids: list[tuple[str, bytes]] = []
        root = None
        for number, obj in by_number.items():
            if obj.get("Type") == "/StructElem":
                if lang_of(number) != lang_of(parent_of(obj)):
                    obj["Lang"] = pydyf.String(lang_of(number))
                if "ID" in obj:
                    ids.append((str(obj["ID"].string), obj.reference))
                if obj.get("S") == "/TH":
                    obj.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = "/Column"
            elif obj.get("Subtype") == "/Link" and "Dest" in obj:
                label = self.link_labels.get(obj["Dest"].string)
                if label:
                    obj["Contents"] = pydyf.String(label)
            elif obj.get("Type") == "/StructTreeRoot":
                root = obj
        names = pydyf.Array()  # a name tree's keys in order
        for key, reference in sorted(ids):
            names.extend((pydyf.String(key), reference))
        if root is not None:
            root["IDTree"] = pydyf.Dictionary({"Names": names})


_TREE_BUILDER_LOCK = threading.Lock()


@contextmanager
def _tagging(tagger: StructureTagger) -> Iterator[None]:
    """WeasyPrint's tree builder wrapped by `tagger` for one rendering. WeasyPrint has no hook for this: the
    wrapper replaces its module function for the time of the call, under a lock."""
    from weasyprint.pdf import tags

    with _TREE_BUILDER_LOCK:
        original = tags._build_box_tree
        tags._build_box_tree = tagger.wrap(original)
        try:
            yield
        finally:
            tags._build_box_tree = original


def write_pdf(page: HtmlPage, timestamp: dt.datetime) -> bytes:
    """Render the packet's HTML page to a tagged PDF (PDF/UA) with WeasyPrint; the same input gives the same
    bytes."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    # No base URL: the page refers to nothing but the data: URLs of its images.
    document = weasyprint.HTML(string=page.text, url_fetcher=refusing_fetcher())
    tagger = StructureTagger(document.etree_element, page.link_labels)
    # fontTools stamps each embedded font subset with the time unless SOURCE_DATE_EPOCH says otherwise.
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or str(int(timestamp.replace(tzinfo=dt.UTC).timestamp()))
    try:
        with _tagging(tagger):
            return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=tagger.finish)
    except FatalURLFetchingError as exc:
        raise BriefkitError(f"while rendering the PDF: {exc.__cause__ or exc}") from None
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
