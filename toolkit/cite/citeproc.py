"""Rendering citations through Pandoc's citeproc, the reference implementation of CSL.

Pandoc renders a skeleton of the edition's citations (every citation in reading order, user footnotes kept as
notes); its output is mapped back onto the model: each `Cite` becomes `Rendered` text, or a `Note` of origin
"citation" in a note style."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from toolkit.cite.bibliography import Bibliography
from toolkit.cite.pandoc import run_pandoc
from toolkit.errors import BriefkitError
from toolkit.model import (
    Block,
    Cite,
    CiteItem,
    Code,
    Document,
    Emph,
    Inline,
    InlineSeq,
    Link,
    Note,
    Paragraph,
    Rendered,
    Span,
    Strong,
    Styled,
    Text,
    TextStyle,
    children,
    map_blocks,
    merge_text,
    plain_text,
    query_blocks,
    query_inlines,
    with_children,
)

PUNCTUATION_BEFORE_NOTE = re.compile(r"^[.,;:!?]+")

# --- the skeleton: every citation, in reading order, with user footnotes kept as notes -----------------


def _cite_markdown(cite: Cite) -> str:
    def item_md(item: CiteItem) -> str:
        suffix = item.suffix
        if suffix and not suffix.startswith(","):
            suffix = " " + suffix
        return f"{item.prefix + ' ' if item.prefix else ''}{'-' if item.suppress_author else ''}@{{{item.key}}}{suffix}"

    if cite.in_text:
        item = cite.items[0]
        return f"@{{{item.key}}}" + (f" [{item.suffix}]" if item.suffix else "")
    return "[" + "; ".join(item_md(item) for item in cite.items) + "]"


def _cites_and_notes(node: Inline) -> list[Cite | Note]:
    return [node] if isinstance(node, (Cite, Note)) else []


def _note_cites(note: Note) -> list[Cite]:
    return [c for c in query_blocks(_cites_and_notes, note.blocks, into_notes=False) if isinstance(c, Cite)]


def _cites(node: Inline) -> list[Cite]:
    return [node] if isinstance(node, Cite) else []


def query_documents(fn: Callable[[Inline], list[Cite]], documents: list[Document]) -> list[Cite]:
    """What `fn` finds in the documents' titles, bodies and notes."""
    return [found for doc in documents for found in [*query_inlines(fn, doc.title), *query_blocks(fn, doc.blocks)]]


def _note_markdown(blocks: tuple[Block, ...]) -> str:
    """A user footnote's skeleton: its citations in place, its words as `x`, so Pandoc sees the same shape."""

    def part(node: Inline) -> list[str]:
        if isinstance(node, Cite):
            return [_cite_markdown(node)]
        if isinstance(node, Text) and node.text.strip():
            return ["x"]
        return []

    return " ".join(query_blocks(part, blocks, into_notes=False)) or "x"


def _skeleton(documents: list[Document]) -> tuple[str, int]:
    paragraphs: list[str] = []
    total = 0
    for doc in documents:  # the title first: its citations come first in reading order
        title = query_inlines(_cites_and_notes, doc.title)
        for found in [*title, *query_blocks(_cites_and_notes, doc.blocks, into_notes=False)]:
            if isinstance(found, Cite):
                paragraphs.append(_cite_markdown(found))
                total += 1
            else:
                paragraphs.append(f"x^[{_note_markdown(found.blocks)}]")
                total += len(_note_cites(found))
    return "\n\n".join(paragraphs) + "\n", total


# --- Pandoc JSON back to the model -----------------------------------------------------------------------


PANDOC_STYLES: dict[str, TextStyle] = {
    "Superscript": "superscript",
    "Subscript": "subscript",
    "SmallCaps": "small-caps",
    "Underline": "underline",
}


def _inlines_from_pandoc(nodes: list[dict[str, Any]]) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        t: str = node["t"]
        c: Any = node.get("c")
        if t == "Str":
            out.append(Text(c))
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(Text(" "))
        elif t == "Emph":
            out.append(Emph(merge_text(_inlines_from_pandoc(c))))
        elif t == "Strong":
            out.append(Strong(merge_text(_inlines_from_pandoc(c))))
        elif t in ("Span", "Cite"):  # both hold their inlines second
            out.extend(_inlines_from_pandoc(c[1]))
        elif t in PANDOC_STYLES:
            out.append(Styled(PANDOC_STYLES[t], merge_text(_inlines_from_pandoc(c))))
        elif t == "Strikeout":  # no CSL style strikes text out
            out.extend(_inlines_from_pandoc(c))
        elif t == "Quoted":
            double = c[0]["t"] == "DoubleQuote"
            out.append(Text("“" if double else "‘"))
            out.extend(_inlines_from_pandoc(c[1]))
            out.append(Text("”" if double else "’"))
        elif t == "Link":
            out.append(Link(c[2][0], merge_text(_inlines_from_pandoc(c[1]))))
        elif t == "Code":
            out.append(Code(c[1]))
        elif t == "Note":
            out.append(Note(tuple(_blocks_from_pandoc(c)), "citation"))
    return out


def _blocks_from_pandoc(blocks: list[dict[str, Any]], anchors: bool = False, anchor: str = "") -> list[Block]:
    """Paragraphs. With `anchors`, a bibliography entry's (a Div `ref-…`) children are held in a `Span` of that
    anchor, which linked citations lead to."""
    out: list[Block] = []
    for block in blocks:
        if block["t"] in ("Para", "Plain"):
            children = merge_text(_inlines_from_pandoc(block["c"]))
            out.append(Paragraph((Span(anchor, children),) if anchor and children else children))
            anchor = ""  # the entry's first paragraph holds it
        elif block["t"] == "Div":
            identifier = str(block["c"][0][0])
            inner = identifier if anchors and identifier.startswith("ref-") else ""
            out.extend(_blocks_from_pandoc(block["c"][1], anchors, inner))
    return out


WORD_BOOKMARK_CHARS = 40  # Word keeps bookmark names of at most 40 characters


def reference_anchor(lang: str, key: str) -> str:
    """The anchor of a bibliography entry in one half: `ref-es-ES-key`, or, for a key too long for a Word
    bookmark or with characters one cannot hold, the key's digest in its place."""
    anchor = f"ref-{lang}-{key}"
    if len(anchor) <= WORD_BOOKMARK_CHARS and re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return anchor
    return f"ref-{lang}-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _namespace_reference_anchors(node: Any, lang: str) -> None:
    """Pandoc's `#ref-key` links and `ref-key` entry ids, made `ref-<lang>-key` in place: each half of a
    packet has its own bibliography."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            kind: Any = item.get("t")
            content: Any = item.get("c")
            if kind == "Link" and str(content[2][0]).startswith("#ref-"):
                content[2][0] = "#" + reference_anchor(lang, content[2][0][len("#ref-") :])
            elif kind == "Div" and str(content[0][0]).startswith("ref-"):
                content[0][0] = reference_anchor(lang, content[0][0][len("ref-") :])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _drop_unprinted_entries(output: dict[str, Any]) -> None:
    """Bibliography entries the style prints as nothing (an interview in Chicago, a personal communication in
    APA) dropped, and citations' links to an entry that is not printed made plain text: no empty paragraph,
    no link to a bookmark never written."""
    printed: set[str] = set()
    stack: list[Any] = [output["blocks"]]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") == "Div" and item["c"][0][0] == "refs":
                item["c"][1] = [entry for entry in item["c"][1] if _prints(entry)]
                printed.update(str(entry["c"][0][0]) for entry in item["c"][1] if entry.get("t") == "Div")
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    stack = [output["blocks"]]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            content: Any = item.get("c")
            if item.get("t") == "Link" and str(content[2][0]).startswith("#ref-"):
                if str(content[2][0])[1:] not in printed:
                    item["t"], item["c"] = "Span", [content[0], content[1]]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _prints(entry: dict[str, Any]) -> bool:
    """Whether a bibliography entry's Pandoc JSON holds any text."""
    stack: list[Any] = [entry]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") == "Str" and str(item.get("c", "")).strip():
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _collect_pandoc(node: Any, cites: list[list[dict[str, Any]]], refs: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        if node.get("t") == "Cite":
            cites.append(node["c"][1])
            return
        if node.get("t") == "Div" and node["c"][0][0] == "refs":
            refs.append(node)
            return
        for value in node.values():
            _collect_pandoc(value, cites, refs)
    elif isinstance(node, list):
        for value in node:
            _collect_pandoc(value, cites, refs)


def _wrap_rendered(nodes: list[Inline]) -> InlineSeq:
    """Group rendered text into `Rendered` runs between the notes citeproc made."""
    out: list[Inline] = []
    run: list[Inline] = []
    for node in nodes:
        if isinstance(node, Note):
            if run:
                out.append(Rendered(merge_text(run)))
                run = []
            out.append(node)
        else:
            run.append(node)
    if run:
        out.append(Rendered(merge_text(run)))
    return tuple(out)


def _is_citation_note(node: Inline) -> bool:
    """A note the citation processor made, or an anchor span holding just one."""
    if isinstance(node, Span):
        return len(node.children) == 1 and _is_citation_note(node.children[0])
    return isinstance(node, Note) and node.origin == "citation"


def _ends_in_citation_note(node: Inline) -> bool:
    if isinstance(node, Span):
        return bool(node.children) and _ends_in_citation_note(node.children[-1])
    return isinstance(node, Note) and node.origin == "citation"


END_PUNCTUATION = ".,;:!?"


def _ends_in_punctuation(rendered: Rendered) -> bool:
    """Pandoc's `endWithPunct`: the text ends in . , ; : ! ? or in one of them and one more punctuation mark (.”)."""
    text = plain_text(rendered.children)
    last, before = text[-1:], text[-2:-1]
    return bool(last) and (
        last in END_PUNCTUATION
        or (not last.isalnum() and not last.isspace() and bool(before) and before in END_PUNCTUATION)
    )


def _notes_after_punctuation(inlines: InlineSeq) -> InlineSeq:
    """Chicago puts a note number after punctuation and without a space: "border.¹", not "border ¹.".

    An anchor span that ends in a note but holds more (an author named in the text, then the note) takes the
    punctuation inside, right before the note."""
    result: list[Inline] = []
    i = 0
    while i < len(inlines):
        node = inlines[i]
        nxt = inlines[i + 1] if i + 1 < len(inlines) else None
        m = PUNCTUATION_BEFORE_NOTE.match(nxt.text) if isinstance(nxt, Text) else None
        rest = Text(nxt.text[m.end() :]) if isinstance(nxt, Text) and m else None
        if _is_citation_note(node):
            if result and isinstance(result[-1], Text):
                result[-1] = Text(result[-1].text.rstrip())
            if m and rest is not None:
                # after an author named in the text that ends in punctuation ("Okafor et al."), Pandoc drops it
                kept = not (result and isinstance(result[-1], Rendered) and _ends_in_punctuation(result[-1]))
                result += [*([Text(m.group(0))] if kept else []), node, rest]
                i += 2
                continue
        elif isinstance(node, Span) and _ends_in_citation_note(node) and m and rest is not None:
            result += [Span(node.anchor, _notes_after_punctuation((*node.children, Text(m.group(0))))), rest]
            i += 2
            continue
        result.append(node)
        i += 1
    return merge_text(result)


def _starts_superscript(nodes: list[Inline]) -> bool:
    first = nodes[0] if nodes else None
    if isinstance(first, Link):
        return _starts_superscript(list(first.children))
    return isinstance(first, Styled) and first.style == "superscript"


class _Placer:
    """Puts Pandoc's renderings in place of the citations, in the reading order the skeleton had."""

    def __init__(self, rendered: list[list[dict[str, Any]]]) -> None:
        self.rendered = rendered

    def place(self, inlines: InlineSeq, in_note: bool = False) -> InlineSeq:
        out: list[Inline] = []
        for node in inlines:
            if isinstance(node, Cite):
                nodes = _inlines_from_pandoc(self.rendered.pop(0))
                if _starts_superscript(nodes) and out and isinstance(out[-1], Text):  # as Pandoc: "by¹", not "by ¹"
                    out[-1] = Text(out[-1].text.rstrip(" "))
                # Inside a user's note a citation is text (a note style makes no note in a note).
                out.extend((Rendered(merge_text(nodes)),) if in_note else _wrap_rendered(nodes))
            elif isinstance(node, Note) and not in_note:
                blocks = map_blocks(lambda seq: self.place(seq, True), node.blocks, into_notes=False)
                out.append(Note(blocks, node.origin))
            else:
                kids = children(node)
                out.append(with_children(node, self.place(kids, in_note)) if kids else node)
        return _notes_after_punctuation(merge_text(out))


def render_citations(
    documents: list[Document], bibliography: Bibliography, style: Path, lang: str, link: bool = False
) -> tuple[list[Document], tuple[Block, ...]]:
    """Render every citation of one edition, in order, in `style` and `lang`; return documents + bibliography.
    With `link`, each citation links to its bibliography entry (Pandoc's `link-citations`); the anchors carry
    the language (`#ref-es-ES-key`), so that both halves of a packet keep their own."""
    args = ["-f", "markdown", "-t", "json", "--citeproc", "--csl", str(style), "-M", f"lang={lang}"]
    if link:
        args += ["-M", "link-citations=true"]
    # Each summary's `nocite:` works, as written, then the sources no citation names, are listed uncited, in the
    # skeleton's front matter as a summary's own is read (`-M nocite=@key` is a plain string, which Pandoc ignores;
    # a `--metadata-file` one does not count into OSCOLA's "(n 3)" note numbers as front matter does).
    cited = {item.key for cite in query_documents(_cites, documents) for item in cite.items}
    listed = [key for doc in documents for key in doc.meta.nocite]
    sources = [doc.meta.source for doc in documents if doc.meta.source not in cited]
    uncited = dict.fromkeys([*listed, *sources])
    nocite = " ".join("@*" if key == "*" else "@{" + key + "}" for key in uncited)
    skeleton, total = _skeleton(documents)
    if nocite:
        skeleton = f"---\nnocite: {json.dumps(nocite, ensure_ascii=False)}\n---\n\n{skeleton}"  # JSON is YAML
    # Pandoc gets the CSL-JSON entries as validated here (unsafe URLs dropped), and BibTeX files as they are
    # (Pandoc reads BibTeX better than any conversion; their links are checked again by the writers).
    with tempfile.TemporaryDirectory(prefix="briefkit-") as scratch:
        references = Path(scratch) / "references.json"
        references.write_text(json.dumps(bibliography.json_entries(), ensure_ascii=False), encoding="utf-8")
        for bibtex in bibliography.bibtex_files:
            args += ["--bibliography", str(bibtex)]
        try:
            output = json.loads(run_pandoc([*args, "--bibliography", str(references)], skeleton, "rendering citations"))
        except BriefkitError as exc:  # the entries were checked, so the style is the likely cause: name it
            detail = exc.message.replace(str(references), "the bibliography")
            raise BriefkitError(detail, style, hint="is the style valid CSL 1.0?") from None
    _drop_unprinted_entries(output)
    if link:
        _namespace_reference_anchors(output, lang)
    raw_cites: list[list[dict[str, Any]]] = []
    refs: list[dict[str, Any]] = []
    _collect_pandoc(output["blocks"], raw_cites, refs)
    if len(raw_cites) != total:
        raise BriefkitError(f"citation processor returned {len(raw_cites)} citations for {total}")
    placer = _Placer(raw_cites)
    rendered = []
    for doc in documents:
        title = placer.place(doc.title)
        rendered.append(
            replace(doc, title=title, blocks=map_blocks(placer.place, doc.blocks, into_notes=False), lang=lang)
        )
    bibliography_blocks = tuple(_blocks_from_pandoc(refs[0]["c"][1], anchors=link)) if refs else ()
    return rendered, bibliography_blocks
