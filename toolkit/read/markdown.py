"""Reading a Markdown summary (front matter + CommonMark/GFM + Pandoc citations + footnotes) into a Document.

markdown-it-py parses; its `SyntaxTreeNode` gives the nesting; one method per node kind turns it into model
blocks and inlines. Footnotes become `Note` inlines where they are referenced."""

from __future__ import annotations

import difflib
import logging
import re
from html import unescape
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from toolkit.errors import MAX_REPORTED, BriefkitError, collect, raise_all
from toolkit.model import (
    Alignment,
    Block,
    Cite,
    Code,
    Document,
    Emph,
    Heading,
    Inline,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Strong,
    SummaryMeta,
    Table,
    Text,
    is_safe_link,
    merge_text,
    query_blocks,
)
from toolkit.model.languages import function_word_shares, language_name, other_language
from toolkit.read.citation_syntax import (
    CITATION_TOKEN,
    NOCITE_KEY,
    NOCITE_SEPARATORS,
    bracket_citation,
    has_open_citation,
    in_text_citation,
    link_allowing_citations,
)
from toolkit.read.images import ImageRefused, load_image
from toolkit.read.packet import LANGUAGE_TAGS, Packet
from toolkit.read.yamlfile import escaped_control_error, parse_mapping, read_date, read_text, unknown_key_error

log = logging.getLogger("briefkit")

FRONT_MATTER_FIELDS = ["title", "source", "date", "summarized_by", "lang", "nocite"]
MAX_SUMMARY_BYTES = 2_000_000
MAX_TABLE_ROWS = 1_000
MAX_BLOCKS = 10_000  # paragraphs, headings, lists, tables… at the top level of one summary
MAX_NOTES = 2_000  # footnote definitions in one summary
NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s\[]++)\]:", re.M)
UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s\[]++)\]")  # the label stops at `[`: no rescans of "[^a[^a[^a…"
FORMATTING = ("em", "strong", "link")  # inline containers: they open and close even inside dropped HTML
HIDING_TAG = re.compile(r"<(script|style)\b", re.I)
MAX_NESTING = 20  # lists and quotes inside each other; emphasis, strong and links inside each other
MAX_COLUMNS = 100  # of a table
MAX_WORD = 2_000  # characters without a space: the engine's HTML mode is quadratic on one long word

CONTAINERS = ("bullet_list_", "ordered_list_", "blockquote_")  # their _open and _close tokens
ALIGNMENTS: dict[str, Alignment] = {"left": "left", "center": "center", "right": "right"}


def _parser() -> MarkdownIt:
    # typographer: curly quotes, dashes and ellipses, as Pandoc's `smart` extension makes them
    # maxNesting: markdown-it silently drops everything after a block nested this deep; it is kept far above
    # MAX_NESTING, which the reader refuses with a line number first
    md = (
        MarkdownIt("commonmark", {"html": True, "typographer": True, "maxNesting": 100})
        .use(front_matter_plugin)
        .use(footnote_plugin)
    )
    md.enable(["table", "replacements", "smartquotes"])
    md.inline.ruler.at("link", link_allowing_citations)
    md.inline.ruler.before("link", "citation", bracket_citation)
    md.inline.ruler.before("link", "citation_in_text", in_text_citation)
    # markdown-it silently turns `[x](javascript:…)` and `![x](file:…)` into plain text; let every target through
    # to the converter, which drops unsafe links and refuses unsafe images with a message naming file and line.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


PARSER = _parser()


class _Converter:
    """Turns markdown-it's syntax tree into model blocks, one method per kind of node."""

    def __init__(self, path: Path, inputs_root: Path | None, lines: list[str], lang: str = "en") -> None:
        self.path = path
        self.lang = lang
        self.inputs_root = inputs_root
        self.source_lines = lines
        self.problems: list[BriefkitError] = []
        self.line = 1
        self.hidden_until = ""  # inside inline <script> or <style>: content is dropped up to this closing tag
        self.note_nodes: dict[int, SyntaxTreeNode] = {}
        self.notes: dict[int, Note | None] = {}  # None while a note is being read (a note citing itself)
        self.note_problems: dict[int, list[BriefkitError]] = {}  # reported after the body's, in note order

    def problem(self, message: str, hint: str | None = None) -> None:
        self.problems.append(BriefkitError(message, self.path, self.line, hint))

    def check_paragraph_language(self, text: str) -> None:
        """A paragraph plainly in the other language (the summary's own test, paragraph by paragraph): said,
        since a quoted passage may be, but it goes to the engine as the summary's language."""
        other = _other_language_shares(self.lang, text, PARAGRAPH_CHECK_WORDS)
        if other is not None:
            log.warning(
                "%s:%d: this paragraph reads as %s (%s), but the summary is in %s: it is translated as %s "
                "(put a passage in the other language in a summary of its own, or correct `lang`)",
                self.path,
                self.line,
                language_name(other_language(self.lang)),
                other,
                language_name(self.lang),
                language_name(self.lang),
            )

    def drop_html(self, html: str) -> None:
        log.warning("%s:%d: raw HTML %r dropped (briefkit never renders HTML)", self.path, self.line, html[:40])

    # --- blocks -------------------------------------------------------------------------------------------
    def blocks(self, nodes: list[SyntaxTreeNode]) -> tuple[Block, ...]:
        out: list[Block] = []
        for node in nodes:
            if node.map:
                self.line = node.map[0] + 1
            block = self.block(node)
            if block is not None:
                out.append(block)
        return tuple(out)

    def block(self, node: SyntaxTreeNode) -> Block | None:
        kind = node.type
        if kind == "heading":
            return Heading(int(node.tag[1]), self.inlines(node.children[0]))
        if kind == "paragraph":
            self.check_paragraph_language(node.children[0].content)
            return Paragraph(self.inlines(node.children[0]))
        if kind == "blockquote":
            return Quote(self.blocks(node.children))
        if kind in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1) or 1)
            return ListBlock(kind == "ordered_list", tuple(self.blocks(item.children) for item in node.children), start)
        if kind == "table":
            return self.table(node)
        if kind in ("fence", "code_block"):
            if kind == "fence" and not self._fence_closed(node):
                self.problem(f"code block opened with {node.markup} is never closed", f"add a line {node.markup}")
            return Paragraph((Code(node.content.rstrip("\n")),))
        if kind == "html_block":
            self.drop_html(node.content)
            text = html_text(node.content)
            return Paragraph((Text(text),)) if text else None
        return None

    def _fence_closed(self, node: SyntaxTreeNode) -> bool:
        start, end = node.map if node.map else (0, 0)
        last = self.source_lines[end - 1].strip() if 0 < end <= len(self.source_lines) else ""
        return end - start > 1 and last.startswith(node.markup) and last.strip("`~ ") == ""

    def table(self, node: SyntaxTreeNode) -> Table:
        start = self.line
        head, *body = node.children
        header_row = head.children[0]
        aligns = tuple(
            ALIGNMENTS.get(str(cell.attrs.get("style", "")).split(":")[-1], "") for cell in header_row.children
        )
        header = self.cells(header_row)
        rows = [self.cells(row) for section in body for row in section.children[: MAX_TABLE_ROWS + 1]]
        if len(rows) > MAX_TABLE_ROWS:
            self.line = start
            self.problem(f"table has more than {MAX_TABLE_ROWS} rows", "split it, or link to the data instead")
            rows = rows[:MAX_TABLE_ROWS]
        return Table(header, tuple(rows), aligns)

    def cells(self, row: SyntaxTreeNode) -> tuple[tuple[Inline, ...], ...]:
        return tuple(self.inlines(cell.children[0]) if cell.children else () for cell in row.children)

    # --- inlines ------------------------------------------------------------------------------------------
    def inlines(self, inline: SyntaxTreeNode) -> tuple[Inline, ...]:
        if inline.map:
            self.line = inline.map[0] + 1
        if has_open_citation(inline.content):
            self.problem("a citation bracket is not closed", "end it with ]: [@key, p. 4]")
        self.hidden_until = ""
        return merge_text(self.inline_nodes(inline.children))

    def inline_nodes(self, nodes: list[SyntaxTreeNode]) -> list[Inline]:
        out: list[Inline] = []
        for node in nodes:
            # Hidden content is dropped, but formatting opened or closed in it still opens and closes (balanced).
            if self.hidden_until and node.type not in FORMATTING:
                if not (node.type == "html_inline" and node.content.lower().startswith(self.hidden_until)):
                    continue
            out.extend(self.inline(node))
        return out

    def inline(self, node: SyntaxTreeNode) -> list[Inline]:
        kind = node.type
        if kind == "text":
            self._check_text(node.content)
            return [Text(node.content)]
        if kind in ("softbreak", "hardbreak"):
            self.line += 1
            return [Text(" ")]
        if kind == "code_inline":
            return [Code(node.content)]
        if kind in FORMATTING:
            return self.formatted(node)
        if kind == CITATION_TOKEN:
            cite = Cite(node.meta["items"], node.meta["in_text"], self.line)
            self.line += node.meta.get("newlines", 0)
            return [cite]
        if kind == "footnote_ref":
            note = self.note(int(node.meta["id"]))
            return [note] if note is not None else []
        if kind == "image":
            try:
                return [load_image(str(node.attrs.get("src", "")), node.content, self.path, self.inputs_root)]
            except ImageRefused as exc:
                self.problem(str(exc))
                return []
        if kind == "html_inline":
            self.drop_html(node.content)
            hides = HIDING_TAG.match(node.content)
            self.hidden_until = f"</{hides.group(1).lower()}" if hides else ""
        return []

    def formatted(self, node: SyntaxTreeNode) -> list[Inline]:
        kids = merge_text(self.inline_nodes(node.children))
        if node.type == "em":
            return [Emph(kids)]
        if node.type == "strong":
            return [Strong(kids)]
        target = str(node.attrs.get("href", ""))
        if is_safe_link(target):
            return [Link(target, kids)]
        log.warning(
            "%s:%d: link target %r dropped (only http, https, mailto and #anchors are allowed)",
            self.path,
            self.line,
            target[:80],
        )
        return list(kids)

    # --- footnotes ----------------------------------------------------------------------------------------
    def note(self, note_id: int) -> Note | None:
        """The note with markdown-it's id, read on first use (a note that refers to itself holds no copy)."""
        if note_id not in self.notes:
            definition = self.note_nodes.get(note_id)
            if definition is None:
                return None
            self.notes[note_id] = None
            line, hidden, problems = self.line, self.hidden_until, self.problems
            self.problems = self.note_problems[note_id] = []
            self.notes[note_id] = Note(self.blocks([n for n in definition.children if n.type != "footnote_anchor"]))
            self.line, self.hidden_until, self.problems = line, hidden, problems
        return self.notes[note_id]

    def _check_text(self, text: str) -> None:
        for m in UNDEFINED_NOTE.finditer(text):
            self.problem(f"footnote reference [^{m.group(1)}] has no definition", f"add a line [^{m.group(1)}]: …")

    def check_notes(self, env: dict[str, Any], text: str) -> None:
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


def _front_matter(tree: SyntaxTreeNode, path: Path, languages: tuple[str, ...]) -> SummaryMeta:
    first = tree.children[0] if tree.children else None
    if first is None or first.type != "front_matter":
        raise BriefkitError(
            "missing YAML front matter",
            path,
            1,
            "start the file with a `---` block holding at least `title:` and `source:`",
        )
    data, lines = parse_mapping(first.content, path, first_line=2)
    known = FRONT_MATTER_FIELDS
    for key in data:
        if key not in known and difflib.get_close_matches(key, known, n=1, cutoff=0.75):
            raise unknown_key_error(key, known, path, lines.get(key))
    for key in ("title", "source"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise BriefkitError(f"front matter needs `{key}:` (text)", path, lines.get(key, 1))
    for key in ("title", "source", "summarized_by"):
        control = escaped_control_error(str(data.get(key, "")), key, path, lines.get(key))
        if control is not None:
            raise control
    lang = str(data.get("lang", ""))
    if lang and lang not in LANGUAGE_TAGS:
        raise BriefkitError(f"`lang` must be en or es, got {lang!r}", path, lines.get("lang"))
    if lang and lang not in languages:
        raise BriefkitError(
            f"`lang: {lang}` is not one of the packet's languages ({', '.join(languages)})",
            path,
            lines.get("lang"),
            hint=f"add {lang} to the packet's `languages`, or correct `lang`",
        )
    nocite_line = lines.get("nocite", 1)
    return SummaryMeta(
        nocite=_nocite(data.get("nocite"), path, nocite_line),
        nocite_line=nocite_line,
        title=" ".join(data["title"].split()),  # one space between words, as in the Markdown body
        source=data["source"].strip().lstrip("@"),
        date=read_date(data.get("date"), path, lines.get("date")),
        summarized_by=str(data.get("summarized_by", "") or ""),
        lang=lang,  # as declared: "" when the summary does not say
    )


def _nocite(value: object, path: Path, line: int) -> tuple[str, ...]:
    """Pandoc's `nocite:` (`'@a, @b'`, `['@a', '@b']`, `'@*'` for every work): the keys it lists."""
    if value is None:
        return ()
    texts = value if isinstance(value, list) else [value]
    keys: list[str] = []
    for text in texts:
        found = list(NOCITE_KEY.finditer(text)) if isinstance(text, str) else []
        rest = NOCITE_KEY.sub("", text) if isinstance(text, str) else "?"
        if not found or not NOCITE_SEPARATORS.fullmatch(rest):
            raise BriefkitError(
                "`nocite` must be citation keys", path, line, hint="e.g. nocite: '@berg2020, @tamez2019' (or '@*')"
            )
        keys.extend(m.group("bkey") or m.group("key") or "*" for m in found)
    return tuple(dict.fromkeys(keys))


LANGUAGE_CHECK_WORDS = 40  # a text shorter than this says too little about its language
PARAGRAPH_CHECK_WORDS = 20  # a paragraph's, said as a warning
OTHER_LANGUAGE_SHARE = 0.08  # of a text's words, function words of the other language: plainly not a slip


def _other_language_shares(lang: str, text: str, min_words: int) -> str | None:
    """When `text` plainly reads as the other language than `lang` (the word-share test the QA uses on
    translations), the figures that say so; else None."""
    shares, words = function_word_shares(text)
    other = other_language(lang)
    if words >= min_words and shares[other] >= OTHER_LANGUAGE_SHARE and shares[other] > 3 * shares[lang]:
        return (
            f"{shares[other]:.0%} of its words are {language_name(other)} function words, "
            f"{shares[lang]:.0%} {language_name(lang)}"
        )
    return None


def _check_language(lang: str, document_text: str, path: Path, line: int) -> None:
    """A summary plainly written in the other language than it says: one clear error, before anything is
    translated the wrong way."""
    figures = _other_language_shares(lang, document_text, LANGUAGE_CHECK_WORDS)
    if figures is not None:
        other = other_language(lang)
        raise BriefkitError(
            f"this summary reads as {language_name(other)} ({figures}), but it is taken to be in {language_name(lang)}",
            path,
            line,
            hint=f"say `lang: {other}` in its front matter, or check the file",
        )


def check_nesting(tokens: list[Token], path: Path) -> int:
    """Blocks and formatting nested at most MAX_NESTING deep, table rows at most MAX_COLUMNS cells, words at
    most MAX_WORD characters: past that markdown-it drops the rest of the file, and the writers and the engine
    take minutes (one pass over the tokens). Returns the line of the first footnote reference over MAX_NOTES
    (0 if none), for the budgets that follow."""
    depth = cells = line = references = over_at = 0
    for token in tokens:
        line = token.map[0] + 1 if token.map else line
        if token.type.startswith(CONTAINERS):
            depth += token.nesting
            if depth > MAX_NESTING:
                raise BriefkitError(f"lists or quotes nested more than {MAX_NESTING} deep", path, line)
        cells = 0 if token.type == "tr_open" else cells + (token.type in ("th_open", "td_open"))
        if cells > MAX_COLUMNS:
            raise BriefkitError(
                f"table has more than {MAX_COLUMNS} columns", path, line, "split it, or link to the data instead"
            )
        inline_depth = 0
        for child in token.children or []:
            references += child.type == "footnote_ref"
            if references > MAX_NOTES and not over_at:  # each reference writes its note again: they count too
                over_at = line
            # the text's words (a link's or an image's address is not translated: its own limits hold)
            if child.type == "text" and len(child.content) > MAX_WORD:
                if max(map(len, child.content.split()), default=0) > MAX_WORD:
                    raise BriefkitError(
                        f"a word of more than {MAX_WORD:,} characters", path, line, "break it up, or link to it"
                    )
            inline_depth += child.nesting
            if inline_depth > MAX_NESTING:
                raise BriefkitError(f"emphasis, strong text and links nested more than {MAX_NESTING} deep", path, line)
    return over_at


def read_summary(
    path: Path, inputs_root: Path | None = None, source_lang: str = "en", languages: tuple[str, ...] = ("en", "es")
) -> Document:
    """Read one Markdown summary file into a Document: written in its front matter's `lang`, else in
    `source_lang` ("en", "es"); `languages` are those its packet allows. Images must lie inside `inputs_root`
    (None: anywhere).

    Every problem in the file is reported, each with its line."""
    text = read_text(path, MAX_SUMMARY_BYTES)
    env: dict[str, Any] = {}
    tokens = PARSER.parse(text, env)
    references_over = check_nesting(tokens, path)
    tree = SyntaxTreeNode(tokens)
    meta = _front_matter(tree, path, languages)
    converter = _Converter(path, inputs_root, text.splitlines(), meta.lang or source_lang)
    body = [node for node in tree.children[1:] if node.type != "footnote_block"]
    for node in tree.children:
        if node.type == "footnote_block":
            converter.note_nodes = {int(n.meta["id"]): n for n in node.children if n.type == "footnote"}
    # Budgets on the parsed tree, before any of it is converted, translated or written
    for count, limit, nodes, what in (
        (len(body), MAX_BLOCKS, body, "paragraphs and other blocks"),
        (len(converter.note_nodes), MAX_NOTES, list(converter.note_nodes.values()), "footnotes"),
    ):
        if count > limit:
            first_over = nodes[limit].map
            where = first_over[0] + 1 if first_over else None
            raise BriefkitError(f"{count:,} {what}, over the limit of {limit:,}", path, where, "split the summary")
    if references_over:  # a note referred to again and again is written again each time
        raise BriefkitError(
            f"more than {MAX_NOTES:,} footnote references, over the limit", path, references_over, "split the summary"
        )
    blocks = converter.blocks(body)
    for note_id in converter.note_nodes:  # problems in notes nobody refers to are reported too
        converter.note(note_id)
    for note_id in sorted(converter.note_problems):
        converter.problems.extend(converter.note_problems[note_id])
    converter.check_notes(env, text)
    raise_all(converter.problems)
    title = converter.inlines(SyntaxTreeNode(PARSER.parseInline(meta.title)).children[0])
    lang = meta.lang or source_lang
    words = query_blocks(lambda node: [node.text] if isinstance(node, Text) else [], tuple(blocks))
    lang_line = next((n for n, line in enumerate(text.splitlines()[:60], 1) if line.startswith("lang:")), 1)
    _check_language(lang, " ".join([meta.title, *words]), path, lang_line)
    return Document(meta=meta, title=title, blocks=blocks, lang=LANGUAGE_TAGS[lang], source_path=str(path))


def read_summaries(packet: Packet, errors: list[BriefkitError]) -> list[Document]:
    """The packet's summaries that read; the problems of the others go into `errors`."""
    root = None if packet.allow_outside else packet.inputs_root
    source, languages = packet.source_lang[:2], tuple(tag[:2] for tag in packet.languages)
    documents = [
        doc
        for doc in (collect(errors, read_summary, path, root, source, languages) for path in packet.summaries)
        if doc is not None
    ]
    mixed = [doc for doc in documents if doc.lang != packet.source_lang]
    if mixed:  # a packet that mixes languages says each summary's: none is taken for the first by default
        example = f"{Path(mixed[0].source_path).name} is in {mixed[0].lang[:2]}"
        for doc in documents:
            if not doc.meta.lang:
                errors.append(
                    BriefkitError(
                        f"this packet mixes languages ({example}): say this summary's `lang` in its front matter",
                        doc.source_path,
                        2,
                        hint=f"e.g. `lang: {source}`",
                    )
                )
    return documents


def read_documents(packet: Packet) -> list[Document]:
    """Every summary of the packet; all problems in all of them are reported together."""
    errors: list[BriefkitError] = []
    documents = read_summaries(packet, errors)
    raise_all(errors, limit=MAX_REPORTED)
    return documents
