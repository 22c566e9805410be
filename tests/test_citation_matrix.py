"""Citations against Pandoc's own rendering, with formatting, over a reference set written apart from the
samples (tests/reference/wide-references.json, and the same works as Zotero / Better BibTeX export them in
wide-references.bib: a corporate author, name particles, two-surname Hispanic names,
no date, two works of one author in one year, an edited volume and a chapter, a translation, web pages with
access dates, a bill, a statute, a court case, Spanish titles, super- and subscripts) in several styles and
locales. Every note, the text around the citations and every bibliography entry, in order, must be what
Pandoc makes of the same Markdown: text, italic, bold, small caps, super- and subscript."""

from __future__ import annotations

import html
import os
import random
import subprocess
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from toolkit.cite.bibliography import load_bibliography
from toolkit.cite.citeproc import render_citations
from toolkit.cite.pandoc import pandoc_path
from toolkit.cite.styles import STYLES_DIR, resolve_style, style_index
from toolkit.model import (
    Emph,
    Inline,
    Link,
    Paragraph,
    Rendered,
    Span,
    Strong,
    Styled,
    Text,
    map_blocks,
    notes_in_order,
)
from toolkit.read.markdown import read_summary
from toolkit.translate.spanish import spanish_citations

REFERENCE = Path(__file__).parent / "reference"
STYLES = [
    "chicago-notes-bibliography",
    "chicago-author-date",
    "apa",
    "modern-language-association",
    "ieee",
    "harvard-cite-them-right",
    "vancouver",
]
LANGS = ["en-US", "es-ES", "es-MX"]
KEPT = {"em", "strong", "sup", "sub", "u"}
STYLED = {"superscript": "sup", "subscript": "sub", "underline": "u"}


def folded(text: str) -> str:
    return " ".join(text.split()).replace(" </", "</")


def ours(nodes: tuple[Inline, ...]) -> str:
    """Our model as the markup compared: formatting kept, links, anchors and notes' calls left out."""
    return folded(_ours(nodes))  # spaces folded once, over the whole: a run's last space is part of the text


def _ours(nodes: tuple[Inline, ...]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(html.escape(node.text, quote=False))
        elif isinstance(node, Emph):
            out.append(f"<em>{_ours(node.children)}</em>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{_ours(node.children)}</strong>")
        elif isinstance(node, Styled):
            tag = STYLED.get(node.style)
            inner = _ours(node.children)
            out.append(f"<{tag}>{inner}</{tag}>" if tag else f'<span class="smallcaps">{inner}</span>')
        elif isinstance(node, (Link, Rendered, Span)):
            out.append(_ours(node.children))
    return "".join(out)


def theirs(element: lxml.html.HtmlElement) -> str:
    """Pandoc's HTML as the same markup."""
    return folded(_markup(element))


def _markup(element: lxml.html.HtmlElement) -> str:
    out = [html.escape(element.text or "", quote=False)]
    for child in element:
        classes = (child.get("class") or "").split()
        if child.tag == "a" and ("footnote-ref" in classes or "footnote-back" in classes):
            pass
        elif child.tag in KEPT:
            out.append(f"<{child.tag}>{_markup(child)}</{child.tag}>")
        elif child.tag == "span" and "smallcaps" in classes:
            out.append(f'<span class="smallcaps">{_markup(child)}</span>')
        else:
            out.append(_markup(child))
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


def pandoc_html(markdown: str, style: Path, lang: str, source: str, references: Path) -> lxml.html.HtmlElement:
    args = [pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--csl", str(style), "-M", f"lang={lang}"]
    args += ["-M", f"nocite=@{source}", "--bibliography", str(references)]
    out = subprocess.run(args, input=markdown, capture_output=True, text=True, check=True).stdout
    return lxml.html.fromstring(f"<div>{out}</div>")


@pytest.mark.parametrize("references", ["wide-references.json", "wide-references.bib"])  # CSL-JSON; Zotero's BibLaTeX
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("style_name", STYLES)
def test_citations_match_pandoc_with_formatting(style_name: str, lang: str, references: str, tmp_path: Path) -> None:
    body = (REFERENCE / "wide-citations.md").read_text(encoding="utf-8")
    summary = tmp_path / "wide.md"
    summary.write_text(f"---\ntitle: Wide\nsource: unodc2023\n---\n\n{body}", encoding="utf-8")
    style = resolve_style(style_name, tmp_path)
    bibliography = load_bibliography((REFERENCE / references,))
    rendered, entries = render_citations([read_summary(summary)], bibliography, style, lang)
    doc = rendered[0]
    our_notes = [
        " ".join(ours(b.children) for b in n.blocks if isinstance(b, Paragraph)) for n in notes_in_order(doc.blocks)
    ]
    our_text = [ours(b.children) for b in doc.blocks if isinstance(b, Paragraph)]
    our_entries = [ours(b.children) for b in entries if isinstance(b, Paragraph)]

    page = pandoc_html(body, style, lang, "unodc2023", REFERENCE / references)
    their_notes = [" ".join(theirs(p) for p in li.iter("p")) for li in page.xpath("//section[@id='footnotes']//li")]
    their_text = [theirs(p) for p in page.xpath("./p")]
    their_entries = [theirs(entry) for entry in page.xpath("//div[@id='refs']/div")]

    assert len(their_entries) == 15 and len(their_text) == 1  # every work, and the text around the citations
    assert any("<sup>st</sup>" in entry for entry in their_entries)  # formatting is part of what is compared
    assert our_text == their_text
    assert our_notes == their_notes
    assert our_entries == their_entries  # every entry, in order


# A second set, written apart from the first and from the samples (tests/reference/matrix-references.json,
# matrix-citations.md): legal cases, legislation, a treaty, numbered reports, a thesis, an interview and a
# personal communication (which some styles print as nothing), a broadcast, a dataset, software, a reprint,
# multi-volume works, circa and literal dates, name suffixes (Jr., III), mononyms; hard-wrapped locators
# (`@key` newline `[sec. 2]`), `nocite:` in the front matter, suffixes, a citation in a note.
MATRIX_STYLES = [
    "chicago-notes-bibliography",
    "chicago-notes-bibliography-17th-edition",
    "chicago-author-date",
    "apa",
    "oscola",
    "modern-language-association",
    "ieee",
]
MATRIX_LANGS = ["en-US", "en-GB", "es-ES", "es-MX", "es-CL"]


def compare_with_pandoc(style_name: str, lang: str, tmp_path: Path, spanish_half: bool = False) -> int:
    """Our rendering of the second set against Pandoc's own HTML of the same summary file (its front matter's
    `nocite:` included); the number of bibliography entries compared. The Spanish half's citations (affixes and
    locator labels translated) against the same summary with its affixes written in Spanish by hand."""
    summary = REFERENCE / "matrix-citations.md"
    references = REFERENCE / "matrix-references.json"
    style = resolve_style(style_name, tmp_path)
    document = read_summary(summary)
    if spanish_half:
        document = replace(document, blocks=map_blocks(spanish_citations, document.blocks))
        summary = REFERENCE / "matrix-citations-spanish-affixes.md"
    rendered, entries = render_citations([document], load_bibliography((references,)), style, lang)
    doc = rendered[0]
    our_notes = [
        " ".join(ours(b.children) for b in n.blocks if isinstance(b, Paragraph)) for n in notes_in_order(doc.blocks)
    ]
    our_text = [ours(b.children) for b in doc.blocks if isinstance(b, Paragraph)]
    our_entries = [ours(b.children) for b in entries if isinstance(b, Paragraph)]
    args = [pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--csl", str(style), "-M", f"lang={lang}"]
    out = subprocess.run(
        [*args, "--bibliography", str(references), str(summary)], capture_output=True, text=True, check=True
    ).stdout
    page = lxml.html.fromstring(f"<div>{out}</div>")
    their_notes = [" ".join(theirs(p) for p in li.iter("p")) for li in page.xpath("//section[@id='footnotes']//li")]
    their_text = [theirs(p) for p in page.xpath("./p")]
    printed = [theirs(entry) for entry in page.xpath("//div[@id='refs']/div")]
    their_entries = [entry for entry in printed if entry.strip()]  # Pandoc keeps an empty entry; we drop it
    assert our_text == their_text
    assert our_notes == their_notes
    assert our_entries == their_entries  # every entry, in order, the nocite ones included
    return len(their_entries)


@pytest.mark.parametrize("lang", MATRIX_LANGS)
@pytest.mark.parametrize("style_name", MATRIX_STYLES)
def test_more_types_shapes_and_locales_match_pandoc(style_name: str, lang: str, tmp_path: Path) -> None:
    entries = compare_with_pandoc(style_name, lang, tmp_path)
    assert entries >= 20  # the nocite works are there: 25 works, at most the interview and the call print nothing


@pytest.mark.parametrize("lang", ["es-ES", "es-MX", "es-CL"])
@pytest.mark.parametrize("style_name", ["chicago-notes-bibliography", "apa", "oscola"])
def test_the_spanish_half_s_citations_match_pandoc_on_spanish_affixes(
    style_name: str, lang: str, tmp_path: Path
) -> None:
    # `sec.` became `secc.`, which no Spanish locale reads as a locator; `fol.` stayed, which none reads either
    assert compare_with_pandoc(style_name, lang, tmp_path, spanish_half=True) >= 20


STYLES_PER_RUN = 4


def test_styles_drawn_at_random_from_the_whole_repository_match_pandoc(tmp_path: Path) -> None:
    # independent and dependent styles alike; BRIEFKIT_STYLE_SEED=… repeats a run
    seed = int(os.environ.get("BRIEFKIT_STYLE_SEED") or random.randrange(1_000_000))
    print(f"style seed: {seed} (BRIEFKIT_STYLE_SEED={seed} repeats this run)")
    draw = random.Random(seed)
    index = style_index()
    independent = sorted(p.stem for p in STYLES_DIR.glob("*.csl"))
    names = [*draw.sample(independent, STYLES_PER_RUN // 2), *draw.sample(sorted(index.dependent), STYLES_PER_RUN // 2)]
    for name in names:
        lang = draw.choice(MATRIX_LANGS)
        print(f"  {name} in {lang}")
        compare_with_pandoc(name, lang, tmp_path)
