"""Segments: one block's inline content as marked-up text that an engine translates, and back.

Markup: `<gN>…</gN>` wraps translatable formatted text (emphasis, strong, link text); `<xN/>` stands for
something the engine must not touch (citation, note reference, code, URL, number, name, glossary term).
Every slot that goes in must come out exactly once, or the segment is retried piece by piece.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Literal

from toolkit.model import Emph, Inline, Link, Span, Strong, Text, merge_text, with_children
from toolkit.translate.protect import ProtectedSpan, SpanKind

# What a protector finds in plain text: the spans the engine must not see.
FindSpans = Callable[[str], Sequence[ProtectedSpan]]

# at most 9 digits: no segment holds a billion slots, and int() refuses 4,300 digits with a traceback
MARKUP = re.compile(r"<g([0-9]{1,9})>|</g([0-9]{1,9})>|<x([0-9]{1,9})/>")


@dataclass
class Segment:
    markup: str
    slots: dict[int, Inline] = field(default_factory=dict)
    protected: list[str] = field(default_factory=list)  # source text of protected spans, for QA
    kinds: dict[int, SpanKind] = field(default_factory=dict)  # the kind of each protected-span slot

    def paired(self, n: int) -> bool:
        """Slot `n` wraps translatable text (`<gN>…</gN>`), rather than standing for something kept whole."""
        return f"<g{n}>" in self.markup

    @property
    def has_text(self) -> bool:
        return bool(re.search(r"[A-Za-z]", MARKUP.sub("", self.markup)))


def is_title_of_work(node: Emph) -> bool:
    """Italic text in title case (*The Long Road North*, *Foreign Affairs*, *El País*): a title of a work."""
    words = re.findall(r"[^\W\d_][\w'’-]*", "".join(t.text for t in node.children if isinstance(t, Text)))
    if not words or not all(isinstance(t, Text) for t in node.children):
        return False
    major = [w for w in words if len(w) >= 4 or w == words[0]]
    return all(w[:1].isupper() for w in major)


def _glossary_term(node: Emph, protect: FindSpans) -> bool:
    """The italic text is one glossary term (*Kate's Law* → *Ley de Kate*): translated, not kept as a title."""
    text = "".join(t.text for t in node.children if isinstance(t, Text))
    spans = protect(text)
    return len(spans) == 1 and spans[0].kind == "term" and spans[0].start == 0 and spans[0].end == len(text)


def make_segment(
    inlines: tuple[Inline, ...], protect: FindSpans, recase: Callable[[str], str] | None = None
) -> Segment:
    """The segment of one sequence of inlines; `recase`: what a text is changed into before the engine sees
    it, its length kept (a title-case heading put in sentence case)."""
    seg = Segment("")
    parts: list[str] = []

    def slot(value: Inline) -> int:
        n = len(seg.slots) + 1
        seg.slots[n] = value
        return n

    def visit(nodes: tuple[Inline, ...]) -> None:
        for node in nodes:
            if isinstance(node, Text):
                text = node.text.replace("\n", " ")
                if recase is not None:
                    text = recase(text)
                pos = 0
                for span in protect(text):
                    parts.append(escape(text[pos : span.start], quote=False))
                    n = slot(Text(span.target))
                    parts.append(f"<x{n}/>")
                    seg.protected.append(text[span.start : span.end])
                    seg.kinds[n] = span.kind
                    pos = span.end
                parts.append(escape(text[pos:], quote=False))
            elif isinstance(node, Emph) and is_title_of_work(node) and not _glossary_term(node, protect):
                parts.append(f"<x{slot(node)}/>")  # a book's or publication's title stays as written
                seg.kinds[len(seg.slots)] = "title"
            elif isinstance(node, (Emph, Strong, Link)):
                n = slot(node)
                parts.append(f"<g{n}>")
                visit(node.children)
                parts.append(f"</g{n}>")
            else:
                parts.append(f"<x{slot(node)}/>")

    visit(inlines)
    seg.markup = "".join(parts)
    return seg


PlaceholderProblemKind = Literal["missing", "unexpected", "repeated", "mis-nested", "unclosed"]


class PlaceholderError(ValueError):
    """A translation lost, duplicated or mis-nested a slot: which problem, and the slots concerned."""

    def __init__(self, problem: PlaceholderProblemKind, slots: list[int], markup: str = "") -> None:
        described = {
            "missing": "missing " + ", ".join(f"slot {n}" for n in slots),
            "unexpected": f"unexpected {markup}",
            "repeated": f"unexpected or repeated {markup}",
            "mis-nested": f"mis-nested {markup}",
            "unclosed": "unclosed formatting",
        }[problem]
        super().__init__(described)
        self.problem = problem
        self.slots = slots


def restore(
    segment: Segment, translated: str, text_slots_optional: bool = False, anchor: Callable[[int], str] | None = None
) -> tuple[Inline, ...]:
    """Rebuild inlines from translated markup; raise PlaceholderError unless every slot is there once.

    `text_slots_optional`: a person's translation may write a protected name, term or figure out in words
    (the slot is then missing); citations, notes, code and formatting must still all be there.
    `anchor`: each slot but a protected span's text comes back inside a `Span` named `anchor(slot number)`."""

    def placed(n: int, node: Inline) -> Inline:
        return Span(anchor(n), (node,)) if anchor is not None else node

    seen: list[int] = []
    stack: list[tuple[int, list[Inline]]] = [(0, [])]
    pos = 0
    for m in MARKUP.finditer(translated):
        stack[-1][1].append(Text(unescape(translated[pos : m.start()])))
        pos = m.end()
        if m.group(1):
            n = int(m.group(1))
            if not isinstance(segment.slots.get(n), (Emph, Strong, Link)) or n in seen:
                raise PlaceholderError("unexpected", [n], m.group(0))
            seen.append(n)
            stack.append((n, []))
        elif m.group(2):
            n = int(m.group(2))
            if stack[-1][0] != n:
                raise PlaceholderError("mis-nested", [n], m.group(0))
            _, children = stack.pop()
            stack[-1][1].append(placed(n, with_children(segment.slots[n], merge_text(children))))
        else:
            n = int(m.group(3))
            if n not in segment.slots or n in seen:
                raise PlaceholderError("repeated", [n], m.group(0))
            seen.append(n)
            node = segment.slots[n]
            stack[-1][1].append(node if isinstance(node, Text) else placed(n, node))
    stack[-1][1].append(Text(unescape(translated[pos:])))
    if len(stack) != 1:
        raise PlaceholderError("unclosed", [n for n, _ in stack[1:]])
    missing = set(segment.slots) - set(seen)
    if text_slots_optional:
        missing = {n for n in missing if not isinstance(segment.slots[n], Text)}
    if missing:
        raise PlaceholderError("missing", sorted(missing))
    return merge_text(stack[0][1])


def markup_as_text(markup: str) -> str:
    """Markup as plain text for a person to read (markers dropped)."""
    return unescape(MARKUP.sub("", markup))


def text_runs(markup: str) -> list[str]:
    """The translatable text between markers, for the piece-by-piece retry."""
    return MARKUP.split(markup)[0::4]


def replace_runs(markup: str, runs: list[str]) -> str:
    pieces = MARKUP.split(markup)
    out = []
    for i in range(0, len(pieces), 4):
        out.append(runs[i // 4])
        if i + 1 < len(pieces):
            g_open, g_close, x = pieces[i + 1 : i + 4]
            out.append(f"<g{g_open}>" if g_open else f"</g{g_close}>" if g_close else f"<x{x}/>")
    return "".join(out)
