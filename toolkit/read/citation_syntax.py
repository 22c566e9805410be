"""Pandoc citation syntax as markdown-it inline rules: `[see @key, p. 4; @other]` and author-in-text `@key`."""

from __future__ import annotations

import re

from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.link import link as markdown_link

from toolkit.model import CiteItem

# Pandoc citation keys: start with a letter, digit or _, may hold internal punctuation.
KEY = r"[A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*[\w])?"
CITE_ITEM = re.compile(rf"^(?P<prefix>.*?)(?P<minus>-?)@(?:\{{(?P<bkey>[^}}]+)\}}|(?P<key>{KEY}))(?P<suffix>.*)$", re.S)
IN_TEXT = re.compile(rf"@(?:\{{(?P<bkey>[^}}]+)\}}|(?P<key>{KEY}))")
# A locator after an author-in-text citation: on the same line or, in hard-wrapped text, the next (as Pandoc
# reads it); `[^n]` right after is a footnote, not a locator. Possessive spaces: one way to match, no rescans.
LOCATOR = re.compile(r"[ \t]*+(?:\n[ \t]*+)?\[(?!\^)([^\[\]@]*)\](?![(\[])")
NOCITE_KEY = re.compile(rf"@(?:\{{(?P<bkey>[^}}]+)\}}|(?P<key>{KEY})|\*)")  # `@*`: every work
NOCITE_SEPARATORS = re.compile(r"[\s,;]*")
CITATION_START = re.compile(r"@[\w{]")
CITATION_TOKEN = "citation"


def has_open_citation(paragraph: str) -> bool:
    """A citation bracket opened in the paragraph and never closed (`[see @key, p. 4` to the end): a `[` after
    the last `]` whose text, up to the next `[`, has an `@key`. One pass, whatever the input."""
    tail = paragraph[paragraph.rfind("]") + 1 :]
    pieces = tail.split("[")[1:]  # the text after each `[` of the tail
    return any(CITATION_START.search(piece) for piece in pieces)


def parse_cite_items(body: str) -> tuple[CiteItem, ...] | None:
    """The items of a bracketed citation's body (`see @a, p. 4; @b`), or None if it is not one."""
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


class _LinkLabel:
    """Set while markdown-it looks for the end of a link's text: a citation inside it must then read as text,
    or markdown-it takes it for a nested link and gives the link up ("[see [@a] here](…)")."""

    depth = 0


def link_allowing_citations(state: StateInline, silent: bool) -> bool:
    """markdown-it's own link rule, with citations inside the link's text."""
    _LinkLabel.depth += 1
    try:
        return markdown_link(state, silent)
    finally:
        _LinkLabel.depth -= 1


def bracket_citation(state: StateInline, silent: bool) -> bool:
    """`[see @key, p. 4; @other]` (not a link: no `(` or `[` right after the closing bracket, but for a
    footnote's `[^`)."""
    if state.src[state.pos] != "[" or state.src.startswith("[^", state.pos):
        return False
    if silent and _LinkLabel.depth:  # only looking for where a link's text ends
        return False
    end = state.src.find("]", state.pos)
    if end < 0 or "[" in state.src[state.pos + 1 : end]:
        return False
    body = state.src[state.pos + 1 : end]
    after = state.src[end + 1 : end + 3]
    if "@" not in body or after[:1] == "(" or (after[:1] == "[" and after != "[^"):  # `[@key][^n]`: a citation
        return False  # and a footnote, as Pandoc reads it; `[text](url)` and `[text][ref]` are links
    items = parse_cite_items(body)
    if items is None:
        return False
    if not silent:
        token = state.push(CITATION_TOKEN, "", 0)
        token.meta = {"items": items, "in_text": False}
    state.pos = end + 1
    return True


def in_text_citation(state: StateInline, silent: bool) -> bool:
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
    locator = LOCATOR.match(state.src, end)
    if locator:
        suffix = " ".join(locator.group(1).split())
        end = locator.end()
    if not silent:
        token = state.push(CITATION_TOKEN, "", 0)
        item = CiteItem(key=m.group("bkey") or m.group("key"), suffix=suffix)
        # the lines it spans, so that the reader's line count stays right for what follows
        token.meta = {"items": (item,), "in_text": True, "newlines": state.src.count("\n", m.end(), end)}
    state.pos = end
    return True
