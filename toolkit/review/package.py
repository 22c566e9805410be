"""Reading Word files editors send back, without trusting them: the zip is checked before it is expanded
(member count, sizes, compression ratio), XML is parsed without DTDs, entities or network, and text is read
as it would be with every tracked change accepted."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from toolkit.errors import BriefkitError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MAX_FILE_BYTES = 20_000_000
MAX_MEMBERS = 2_000
MAX_PART_BYTES = 30_000_000
MAX_TOTAL_BYTES = 100_000_000
MAX_RATIO = 100  # uncompressed size over compressed size, per member (a zip bomb is thousands)
DELETED = {f"{{{W}}}del", f"{{{W}}}moveFrom"}
CHANGES = {f"{{{W}}}ins", f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{W}}}moveTo"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def parse_xml(data: bytes, path: Path, part: str = "") -> etree._Element:
    """XML from an untrusted file: no DTD (so no entity tricks), no network, no huge trees."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    where = f" ({part})" if part else ""
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BriefkitError(f"not valid XML{where}: {exc.msg}", path, exc.lineno) from None
    if root.getroottree().docinfo.doctype:
        raise BriefkitError(f"XML with a DOCTYPE declaration is not accepted{where}", path, 1)
    return root


@dataclass(frozen=True)
class WordPackage:
    """The parts of a .docx an import reads, checked and parsed."""

    path: Path
    parts: dict[str, bytes]

    def xml(self, name: str) -> etree._Element | None:
        data = self.parts.get(name)
        return parse_xml(data, self.path, name) if data is not None else None


def open_word_file(path: Path, wanted: tuple[str, ...]) -> WordPackage:
    """The wanted parts of a Word file (those it has), after checking that the zip is safe to expand."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BriefkitError(f"cannot read file: {exc.strerror}", path) from None
    if size > MAX_FILE_BYTES:
        raise BriefkitError(f"file is {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:g} MB limit", path)
    if not zipfile.is_zipfile(path):
        raise BriefkitError("not a Word file (.docx files are zip archives; this one is not)", path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise BriefkitError(f"the Word file has {len(members)} parts, over the limit of {MAX_MEMBERS}", path)
            total = sum(m.file_size for m in members)
            for m in members:
                ratio = m.file_size / max(m.compress_size, 1)
                if m.file_size > MAX_PART_BYTES or ratio > MAX_RATIO and m.file_size > 1_000_000:
                    raise BriefkitError(f"the Word file's part {m.filename} expands too much (a zip bomb?)", path)
            if total > MAX_TOTAL_BYTES:
                raise BriefkitError("the Word file expands to more than 100 MB (a zip bomb?)", path)
            names = {m.filename for m in members}
            if "word/document.xml" not in names:
                raise BriefkitError("not a Word file (it has no word/document.xml)", path)
            return WordPackage(path, {name: archive.read(name) for name in wanted if name in names})
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise BriefkitError(f"the Word file is damaged: {exc}", path) from None


def is_deleted(element: etree._Element) -> bool:
    """Inside a tracked deletion (or the origin of a tracked move)."""
    return any(a.tag in DELETED for a in element.iterancestors())


def accepted_text(element: etree._Element) -> str:
    """The element's text with every tracked change accepted: insertions kept, deletions dropped; paragraphs
    on lines of their own."""
    lines: list[str] = []
    for paragraph in element.iter(w("p")):
        if is_deleted(paragraph) and not paragraph.xpath(".//w:t", namespaces={"w": W}):
            continue
        parts: list[str] = []
        for node in paragraph.iter(w("t"), w("tab"), w("br"), w("cr"), w("noBreakHyphen")):
            if is_deleted(node) or next(node.iterancestors(w("p"))) is not paragraph:
                continue
            if node.tag == w("t"):
                parts.append(node.text or "")
            elif node.tag == w("noBreakHyphen"):
                parts.append("-")
            else:
                parts.append("\t" if node.tag == w("tab") else "\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def latest_change(element: etree._Element) -> tuple[str, str]:
    """Author and date of the latest tracked change inside the element ("", "" if there is none)."""
    changes = [(c.get(w("date"), ""), c.get(w("author"), "")) for c in element.iter(*CHANGES)]
    if not changes:
        return "", ""
    date, author = max(changes)
    return author, date


@dataclass(frozen=True)
class WordComment:
    id: str
    author: str
    date: str
    text: str
    resolved: bool


def word_comments(package: WordPackage) -> dict[str, WordComment]:
    """The file's comments by id, each with whether it is resolved (commentsExtended's `done`)."""
    root = package.xml("word/comments.xml")
    if root is None:
        return {}
    done: dict[str, bool] = {}
    extended = package.xml("word/commentsExtended.xml")
    if extended is not None:
        for entry in extended.iter(f"{{{W15}}}commentEx"):
            done[entry.get(f"{{{W15}}}paraId", "")] = entry.get(f"{{{W15}}}done") == "1"
    found = {}
    for comment in root.iter(w("comment")):
        paragraphs = list(comment.iter(w("p")))
        last_para = paragraphs[-1].get(f"{{{W14}}}paraId", "") if paragraphs else ""
        found[comment.get(w("id"), "")] = WordComment(
            comment.get(w("id"), ""),
            comment.get(w("author"), ""),
            comment.get(w("date"), ""),
            accepted_text(comment).strip(),
            done.get(last_para, False),
        )
    return found
