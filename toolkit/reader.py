"""Reading a Markdown summary (front matter + CommonMark/GFM + Pandoc citations + footnotes) into a Document."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence
from html import unescape
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from toolkit.errors import BriefkitError, BriefkitErrors
from toolkit.images import ImageRefused, load_image
from toolkit.model import (
    Block,
    Cite,
    CiteItem,
    Code,
    Document,
    Emph,
    Heading,
    Inline,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    SummaryMeta,
    Table,
    Text,
    is_safe_link,
)
from toolkit.yamlfile import parse_mapping, read_text, unknown_key_error

log = logging.getLogger("briefkit")

FRONT_MATTER_FIELDS = ["title", "source", "date", "summarized_by", "lang"]
MAX_SUMMARY_BYTES = 2_000_000
MAX_TABLE_ROWS = 1_000
# Pandoc citation keys: start with a letter, digit or _, may hold internal punctuation.
KEY = r"[A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*[\w])?"
CITE_ITEM = re.compile(rf"^(?P<prefix>.*?)(?P<minus>-?)@(?:\{{(?P<bkey>[^}}]+)\}}|(?P<key>{KEY}))(?P<suffix>.*)$", re.S)
IN_TEXT = re.compile(rf"@(?:\{{(?P<bkey>[^}}]+)\}}|(?P<key>{KEY}))")
NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
FORMATTING_TOKENS = ("em_open", "em_close", "strong_open", "strong_close", "link_open", "link_close")
OPEN_CITATION = re.compile(r"\[[^\[\]]*@[\w{][^\]]*$")  # `[see @key, p. 4` to the end of the paragraph


def _parse_cite_items(body: str) -> tuple[CiteItem, ...] | None:
    items = []
    for part in body.split(";"):
        m = CITE_ITEM.match(part.strip())
        if not m:
            return None
        items.append(
            CiteItem(
                key=m.group("bkey") or m.group("key"),
                prefix=m.group("prefix").strip(),
                suffix=m.group("suffix").strip(),
                suppress_author=bool(m.group("minus")),
            )
        )
    return tuple(items)


def _bracket_citation(state: StateInline, silent: bool) -> bool:
    """`[see @key, p. 4; @other]` (not a link: no `(` or `[` right after the closing bracket)."""
    if state.src[state.pos] != "[" or state.src.startswith("[^", state.pos):
        return False
    end = state.src.find("]", state.pos)
    if end < 0 or "[" in state.src[state.pos + 1 : end]:
        return False
    body = state.src[state.pos + 1 : end]
    if "@" not in body or state.src[end + 1 : end + 2] in ("(", "["):
        return False
    items = _parse_cite_items(body)
    if items is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "in_text": False}
    state.pos = end + 1
    return True


def _in_text_citation(state: StateInline, silent: bool) -> bool:
    """Author-in-text `@key`, optionally followed by ` [p. 4]`."""
    if state.src[state.pos] != "@":
        return False
    if state.pos > 0 and (state.src[state.pos - 1].isalnum() or state.src[state.pos - 1] in "_.-"):
        return False  # an e-mail address, not a citation
    m = IN_TEXT.match(state.src, state.pos)
    if not m:
        return False
    end = m.end()
    suffix = ""
    locator = re.match(r" ?\[([^\[\]@]*)\](?![(\[])", state.src[end:])
    if locator:
        suffix = locator.group(1).strip()
        end += locator.end()
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": (CiteItem(key=m.group("bkey") or m.group("key"), suffix=suffix),), "in_text": True}
    state.pos = end
    return True


def _parser() -> MarkdownIt:
    # typographer: curly quotes, dashes and ellipses, as Pandoc's `smart` extension makes them
    md = MarkdownIt("commonmark", {"html": True, "typographer": True}).use(front_matter_plugin).use(footnote_plugin)
    md.enable(["table", "replacements", "smartquotes"])
    md.inline.ruler.before("link", "citation", _bracket_citation)
    md.inline.ruler.before("link", "citation_in_text", _in_text_citation)
    # markdown-it silently turns `[x](javascript:…)` and `![x](file:…)` into plain text; let every target through
    # to the converter, which drops unsafe links and refuses unsafe images with a message naming file and line.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


PARSER = _parser()


class _Converter:
    """Turns markdown-it's token stream into model blocks, one token type per method-free branch."""

    def __init__(self, path: Path, env: dict[str, object], inputs_root: Path | None, lines: list[str]) -> None:
        self.path = path
        self.inputs_root = inputs_root
        self.source_lines = lines
        self.problems: list[BriefkitError] = []
        refs = env.get("footnotes", {})
        labels = refs.get("list", {}) if isinstance(refs, dict) else {}
        self.note_labels: dict[int, str] = {i: str(v["label"]) for i, v in labels.items() if "label" in v}
        self.line = 1

    def problem(self, message: str, hint: str | None = None) -> None:
        self.problems.append(BriefkitError(message, self.path, self.line, hint))

    def blocks(self, tokens: Sequence[Token]) -> tuple[Block, ...]:
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.map:
                self.line = tok.map[0] + 1
            kind = tok.type
            if kind == "heading_open":
                out.append(Heading(int(tok.tag[1]), self.inlines(tokens[i + 1])))
                i += 3
                continue
            if kind == "paragraph_open":
                out.append(Paragraph(self.inlines(tokens[i + 1])))
                i += 3
                continue
            if kind in ("bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"):
                close = kind.replace("_open", "_close")
                j = self._matching(tokens, i, kind, close)
                inner = tokens[i + 1 : j]
                if kind == "blockquote_open":
                    out.append(Quote(self.blocks(inner)))
                elif kind == "table_open":
                    out.append(self.table(inner))
                else:
                    start = int(tok.attrs.get("start", 1) or 1)
                    out.append(ListBlock(kind == "ordered_list_open", self.list_items(inner), start))
                i = j + 1
                continue
            if kind in ("fence", "code_block"):
                if kind == "fence" and not self._fence_closed(tok):
                    self.problem(f"code block opened with {tok.markup} is never closed", f"add a line {tok.markup}")
                out.append(Paragraph((Code(tok.content.rstrip("\n")),)))
            elif kind == "html_block":
                log.warning(
                    "%s:%d: raw HTML %r dropped (briefkit never renders HTML)", self.path, self.line, tok.content[:40]
                )
                text = html_text(tok.content)
                if text:
                    out.append(Paragraph((Text(text),)))
            i += 1
        return tuple(out)

    def _fence_closed(self, tok: Token) -> bool:
        end = tok.map[1] if tok.map else 0
        last = self.source_lines[end - 1].strip() if 0 < end <= len(self.source_lines) else ""
        return end - (tok.map[0] if tok.map else 0) > 1 and last.startswith(tok.markup) and last.strip("`~ ") == ""

    @staticmethod
    def _matching(tokens: Sequence[Token], i: int, open_type: str, close_type: str) -> int:
        depth = 0
        for j in range(i, len(tokens)):
            if tokens[j].type == open_type:
                depth += 1
            elif tokens[j].type == close_type:
                depth -= 1
                if depth == 0:
                    return j
        raise BriefkitError("unbalanced Markdown structure", None)

    def list_items(self, tokens: Sequence[Token]) -> tuple[tuple[Block, ...], ...]:
        items = []
        i = 0
        while i < len(tokens):
            if tokens[i].type == "list_item_open":
                j = self._matching(tokens, i, "list_item_open", "list_item_close")
                items.append(self.blocks(tokens[i + 1 : j]))
                i = j
            i += 1
        return tuple(items)

    def table(self, tokens: Sequence[Token]) -> Table:
        header: list[tuple[Inline, ...]] = []
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        aligns: list[str] = []
        row: list[tuple[Inline, ...]] = []
        in_head = False
        start = self.line
        for tok in tokens:
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type in ("th_open", "td_open") and in_head:
                style = str(tok.attrs.get("style", ""))
                aligns.append(style.split(":")[-1] if style else "")
            elif tok.type == "inline":
                row.append(self.inlines(tok))
            elif tok.type == "tr_close" and len(rows) >= MAX_TABLE_ROWS:
                self.line = start
                self.problem(f"table has more than {MAX_TABLE_ROWS} rows", "split it, or link to the data instead")
                break
            elif tok.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append(tuple(row))
                row = []
        return Table(tuple(header), tuple(rows), tuple(aligns))

    def inlines(self, inline_token: Token) -> tuple[Inline, ...]:
        if inline_token.map:
            self.line = inline_token.map[0] + 1
        if OPEN_CITATION.search(inline_token.content):
            self.problem("a citation bracket is not closed", "end it with ]: [@key, p. 4]")
        stack: list[tuple[str, str, list[Inline]]] = [("root", "", [])]
        hidden_until = ""  # inside inline <script> or <style>: its content is dropped up to this closing tag
        for tok in inline_token.children or []:
            kind = tok.type
            current = stack[-1][2]
            # Hidden content is dropped, but formatting opened or closed in it still opens and closes (balanced).
            if hidden_until and kind not in FORMATTING_TOKENS:
                if not (kind == "html_inline" and tok.content.lower().startswith(hidden_until)):
                    continue
            if kind == "text":
                self._check_text(tok.content)
                current.append(Text(tok.content))
            elif kind in ("softbreak", "hardbreak"):
                current.append(Text(" "))
                self.line += 1
            elif kind == "code_inline":
                current.append(Code(tok.content))
            elif kind in ("em_open", "strong_open", "link_open"):
                stack.append((kind, str(tok.attrs.get("href", "")), []))
            elif kind in ("em_close", "strong_close", "link_close"):
                opened, target, children = stack.pop()
                parent = stack[-1][2]
                if opened == "em_open":
                    parent.append(Emph(tuple(children)))
                elif opened == "strong_open":
                    parent.append(Strong(tuple(children)))
                elif is_safe_link(target):
                    parent.append(Link(target, tuple(children)))
                else:
                    log.warning(
                        "%s:%d: link target %r dropped (only http, https, mailto and #anchors are allowed)",
                        self.path,
                        self.line,
                        target[:80],
                    )
                    parent.extend(children)
            elif kind == "citation":
                current.append(Cite(tok.meta["items"], tok.meta["in_text"], self.line))
            elif kind == "footnote_ref":
                current.append(NoteRef(self.note_labels.get(tok.meta["id"], str(tok.meta["id"]))))
            elif kind == "image":
                try:
                    current.append(load_image(str(tok.attrs.get("src", "")), tok.content, self.path, self.inputs_root))
                except ImageRefused as exc:
                    self.problem(str(exc))
            elif kind == "html_inline":
                log.warning(
                    "%s:%d: raw HTML %r dropped (briefkit never renders HTML)", self.path, self.line, tok.content[:40]
                )
                hides = re.match(r"<(script|style)\b", tok.content, re.I)
                hidden_until = f"</{hides.group(1).lower()}" if hides else ""
        return merge_text(stack[0][2])

    def _check_text(self, text: str) -> None:
        for m in UNDEFINED_NOTE.finditer(text):
            self.problem(f"footnote reference [^{m.group(1)}] has no definition", f"add a line [^{m.group(1)}]: …")

    def check_notes(self, env: dict[str, object], text: str) -> None:
        """Each footnote defined once and used at least once."""
        lines_of: dict[str, list[int]] = {}
        for m in NOTE_DEFINITION.finditer(text):
            lines_of.setdefault(m.group(1), []).append(text.count("\n", 0, m.start()) + 1)
        for label, where in lines_of.items():
            for line in where[1:]:
                self.problems.append(
                    BriefkitError(f"footnote [^{label}] is defined twice (first on line {where[0]})", self.path, line)
                )
        refs: Any = env.get("footnotes", {})
        used = {str(v.get("label")) for v in refs.get("list", {}).values() if v.get("count", 0) > 0}
        for label, where in lines_of.items():
            if label not in used:
                self.problems.append(
                    BriefkitError(
                        f"footnote [^{label}] is defined but never referenced",
                        self.path,
                        where[0],
                        f"refer to it with [^{label}] or delete it",
                    )
                )


def html_text(html: str) -> str:
    """The readable text of a raw HTML block: tags, scripts and style sheets dropped."""
    html = re.sub(r"<(script|style)\b.*?(</\1\s*>|$)", " ", html, flags=re.I | re.S)
    html = re.sub(r"<!--.*?(-->|$)", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]*>?", " ", html)).split())


def merge_text(inlines: Sequence[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring Text runs so that equal content has one shape."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif not (isinstance(node, Text) and node.text == ""):
            out.append(node)
    return tuple(out)


def _front_matter(tokens: Sequence[Token], path: Path) -> SummaryMeta:
    if not tokens or tokens[0].type != "front_matter":
        raise BriefkitError(
            "missing YAML front matter",
            path,
            1,
            "start the file with a `---` block holding at least `title:` and `source:`",
        )
    data, lines = parse_mapping(tokens[0].content, path, first_line=2)
    known = FRONT_MATTER_FIELDS
    for key in data:
        if key not in known and difflib.get_close_matches(key, known, n=1, cutoff=0.75):
            raise unknown_key_error(key, known, path, lines.get(key))
    for key in ("title", "source"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise BriefkitError(f"front matter needs `{key}:` (text)", path, lines.get(key, 1))
    lang = str(data.get("lang", "en"))
    if not lang.startswith("en"):
        raise BriefkitError(f"summaries must be written in English (lang: en), got {lang!r}", path, lines.get("lang"))
    return SummaryMeta(
        title=data["title"].strip(),
        source=data["source"].strip().lstrip("@"),
        date=str(data.get("date", "") or ""),
        summarized_by=str(data.get("summarized_by", "") or ""),
        lang="en",
    )


def read_summary(path: Path, inputs_root: Path | None = None) -> Document:
    """Read one Markdown summary file into a Document; images must lie inside `inputs_root` (None: anywhere).

    Every problem in the file is reported, each with its line."""
    text = read_text(path, MAX_SUMMARY_BYTES)
    env: dict[str, object] = {}
    tokens = PARSER.parse(text, env)
    meta = _front_matter(tokens, path)
    converter = _Converter(path, env, inputs_root, text.splitlines())
    body_end = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
    blocks = converter.blocks(tokens[1:body_end])
    notes: dict[str, tuple[Block, ...]] = {}
    i = body_end
    while i < len(tokens):
        if tokens[i].type == "footnote_open":
            label = str(tokens[i].meta.get("label", tokens[i].meta["id"]))
            j = next(k for k in range(i, len(tokens)) if tokens[k].type == "footnote_close")
            inner = [t for t in tokens[i + 1 : j] if t.type != "footnote_anchor"]
            notes[label] = converter.blocks(inner)
            i = j
        i += 1
    converter.check_notes(env, text)
    if converter.problems:
        problems = converter.problems
        raise problems[0] if len(problems) == 1 else BriefkitErrors(problems)
    title = PARSER.parseInline(meta.title)[0]
    return Document(
        meta=meta, title=converter.inlines(title), blocks=blocks, notes=notes, lang="en-US", source_path=str(path)
    )
