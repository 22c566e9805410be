from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.model import Cite, CiteItem, Code, Emph, Image, Inline, Link, Note, Paragraph, Strong, Text, merge_text
from toolkit.translate.protect import ProtectedSpan
from toolkit.translate.segments import PlaceholderError, make_segment, restore


def no_protection(text: str) -> list[ProtectedSpan]:
    return []


words = st.text(alphabet=st.sampled_from(list("abc <>&\"'$%.,")), min_size=1, max_size=12).map(Text)
atoms = st.one_of(
    st.builds(lambda k: Cite((CiteItem(k),)), st.sampled_from(["a", "b"])),
    st.builds(lambda n: Note((Paragraph((Code(n),)),)), st.sampled_from(["n1", "n2"])),
    st.builds(Code, st.sampled_from(["x()", "<b>"])),
    st.builds(lambda alt: Image(b"\x89PNG\r\n\x1a\n", "image/png", alt), st.sampled_from(["", "a <chart>"])),
)


def formatted(leaf: st.SearchStrategy[Inline], max_leaves: int = 8) -> st.SearchStrategy[Inline]:
    """Leaves, nested in emphasis, strong and links."""
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.builds(lambda c: Emph(merge_text(c)), st.lists(kids, min_size=1, max_size=3)),
            st.builds(lambda c: Strong(merge_text(c)), st.lists(kids, min_size=1, max_size=3)),
            st.builds(
                lambda c: Link("https://example.org/x?a=1&b=2", merge_text(c)), st.lists(kids, min_size=1, max_size=3)
            ),
        ),
        max_leaves=max_leaves,
    )


def inline_trees() -> st.SearchStrategy[tuple[Inline, ...]]:
    tree = formatted(st.one_of(words, atoms))
    return st.lists(tree, min_size=1, max_size=6).map(lambda xs: merge_text(xs))


@settings(max_examples=2000, deadline=None)
@given(inline_trees())
def test_placeholder_round_trip(inlines: tuple[Inline, ...]) -> None:
    seg = make_segment(inlines, no_protection)
    assert restore(seg, seg.markup) == merge_text(inlines)


@settings(max_examples=500, deadline=None)
@given(inline_trees())
def test_a_dropped_placeholder_is_detected(inlines: tuple[Inline, ...]) -> None:
    seg = make_segment(inlines, no_protection)
    if not seg.slots:
        return
    first = next(iter(seg.slots))
    damaged = seg.markup.replace(f"<x{first}/>", "").replace(f"<g{first}>", "").replace(f"</g{first}>", "")
    with pytest.raises(PlaceholderError):
        restore(seg, damaged)


def test_duplicated_placeholder_is_detected() -> None:
    seg = make_segment((Text("see "), Note((Paragraph((Text("n"),)),))), no_protection)
    with pytest.raises(PlaceholderError):
        restore(seg, seg.markup + " <x1/>")
