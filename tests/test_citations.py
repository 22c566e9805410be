"""Citations must read exactly as Pandoc's citeproc (the reference implementation) renders them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pypandoc
import pytest

from toolkit.cite.bibliography import check_citation_keys, load_bibliography
from toolkit.cite.citeproc import render_citations
from toolkit.cite.pandoc import pandoc_path
from toolkit.cite.styles import describe_style, resolve_style
from toolkit.errors import BriefkitError
from toolkit.model import (
    Cite,
    CiteItem,
    Document,
    Inline,
    Link,
    Paragraph,
    Span,
    map_blocks,
    notes_in_order,
    plain_text,
    query_blocks,
    query_inlines,
)
from toolkit.read.markdown import read_summary
from toolkit.read.packet import load_packet
from toolkit.translate.english import english_citations
from toolkit.translate.spanish import spanish_citation_affix, spanish_citation_suffix, spanish_citations

from .conftest import INPUTS


def note_texts(docs: list[Document]) -> list[str]:
    """Footnote texts in the order a reader meets their numbers."""
    out = []
    for doc in docs:
        for note in notes_in_order(doc.blocks):
            out.append(" ".join(plain_text(b.children) for b in note.blocks if isinstance(b, Paragraph)))
    return [re.sub(r"\s+", " ", t).strip() for t in out]


def pandoc_notes(packet_path: Path, lang: str) -> tuple[list[str], list[str]]:
    """Pandoc's own rendering of the same summaries: notes and bibliography entries, as plain text."""
    packet = load_packet(packet_path)
    bodies = []
    for path in packet.summaries:
        text = path.read_text(encoding="utf-8")
        bodies.append(re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S))
    # Footnote labels are per file; make them unique as a concatenated document needs.
    bodies = [re.sub(r"\[\^(\w+)\]", rf"[^f{i}\1]", b) for i, b in enumerate(bodies)]
    if lang.startswith("es"):  # the Spanish half writes citation affixes in Spanish, as a Spanish author would
        prefix = re.compile(r"\[(?=[^\]]*@)([^\]@;]*?)(?= ?-?@)")
        bodies = [prefix.sub(lambda m: "[" + spanish_citation_affix(m.group(1)), b) for b in bodies]
    style = resolve_style(packet.citation_style, packet.path.parent)
    sources = ", ".join("@" + read_summary(p).meta.source for p in packet.summaries)
    args = [
        pandoc_path(),
        "-f",
        "markdown",
        "-t",
        "plain",
        "--wrap=none",
        "--citeproc",
        "--csl",
        str(style),
        "-M",
        f"lang={lang}",
        "-M",
        f"nocite={sources}",
    ]
    for bib in packet.bibliography:
        args += ["--bibliography", str(bib)]
    out = subprocess.run(args, input="\n\n".join(bodies), capture_output=True, text=True, check=True).stdout
    notes = re.findall(r"^\[\d+\] (.*)$", out, flags=re.M)
    body, _, _ = out.partition("\n[1] ")
    entries = [e for e in body.split("\n\n") if e.strip()]
    return [re.sub(r"\s+", " ", n).strip() for n in notes], entries


@pytest.mark.parametrize("lang", ["en-US", "es-ES"])
def test_footnotes_and_bibliography_match_pandoc(lang: str) -> None:
    packet_path = INPUTS / "packets" / "cartel-policy-2025.yaml"
    packet = load_packet(packet_path)
    docs = [read_summary(p) for p in packet.summaries]
    if lang.startswith("es"):  # what the translator does to citations in the Spanish half
        docs = [replace(d, blocks=map_blocks(spanish_citations, d.blocks)) for d in docs]
    bib = load_bibliography(packet.bibliography)
    rendered, bibliography = render_citations(docs, bib, resolve_style(packet.citation_style, packet_path.parent), lang)
    expected_notes, expected_body = pandoc_notes(packet_path, lang)
    assert note_texts(rendered) == expected_notes
    ours = [plain_text(b.children) for b in bibliography if isinstance(b, Paragraph)]
    assert len(ours) == 16
    for entry in ours:
        assert any(" ".join(entry.split()) == " ".join(e.split()) for e in expected_body), entry


def test_spanish_locale_dates_and_quotes() -> None:
    packet = load_packet(INPUTS / "packets" / "cartel-policy-2025.yaml")
    docs = [replace(d, blocks=map_blocks(spanish_citations, d.blocks)) for d in map(read_summary, packet.summaries)]
    bib = load_bibliography(packet.bibliography)
    _, bibliography = render_citations(docs, bib, resolve_style("chicago-notes-bibliography", INPUTS), "es-ES")
    text = " ".join(plain_text(b.children) for b in bibliography if isinstance(b, Paragraph))
    assert "13 de febrero de 2024" in text
    assert "«Infographics | Arms Trafficking across the US-Mexico Border»" in text


def test_bibtex_is_read(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Study},\n  journal = {J},\n  year = {2020}\n}\n"
    )
    entry = load_bibliography((bib,)).items["doe2020"].csl
    assert entry["author"] == [{"family": "Doe", "given": "Jane"}]
    assert entry["title"].lower() == "a study"


def test_unknown_key_and_duplicates_are_reported(tmp_path: Path) -> None:
    summary = tmp_path / "s.md"
    summary.write_text("---\ntitle: T\nsource: a\n---\n\nOne [@a].\n\nTwo [@nope].\n")
    refs = tmp_path / "r.json"
    refs.write_text('[{"id": "a", "type": "book", "title": "A"}]')
    with pytest.raises(BriefkitError) as info:
        check_citation_keys([read_summary(summary)], load_bibliography((refs,)))
    assert f"{summary}:8: unknown citation key `@nope`" in str(info.value)
    refs.write_text('[{"id": "a", "type": "book", "title": "A"},\n {"id": "a", "type": "book", "title": "B"}]')
    with pytest.raises(BriefkitError, match="duplicate citation key `a`"):
        load_bibliography((refs,))


def test_unknown_style_is_a_clear_error() -> None:
    with pytest.raises(BriefkitError, match="unknown citation style `chicago-nope`"):
        resolve_style("chicago-nope", INPUTS)


def test_dependent_and_renamed_style_names_resolve_through_the_repository_index() -> None:
    # `vancouver` (renamed to nlm-citation-sequence) and `nature-biotechnology` (a dependent style of nature)
    # were refused as unknown; the ~8,000 dependent ids and the renamed ones now resolve, and say how
    shipped = Path(resolve_style("apa", INPUTS).parent)
    assert resolve_style("nature-biotechnology", INPUTS) == shipped / "nature.csl"
    assert resolve_style("vancouver", INPUTS) == shipped / "nlm-citation-sequence.csl"
    assert resolve_style("mla", INPUTS) == shipped / "modern-language-association.csl"
    assert describe_style("nature-biotechnology") == (
        "`nature-biotechnology` (Nature Biotechnology) is a dependent style: its parent `nature` is used"
    )
    assert describe_style("apa") == ""
    with pytest.raises(BriefkitError) as refused:
        resolve_style("nature-biotech", INPUTS)
    assert "did you mean `nature-biotechnology`?" in str(refused.value)
    # a dependent style renders exactly as its parent does
    packet = load_packet(INPUTS / "packets" / "cartel-policy-2025.yaml")
    docs = [read_summary(p) for p in packet.summaries]
    bib = load_bibliography(packet.bibliography)
    as_parent = render_citations(docs, bib, resolve_style("nature", INPUTS), "en-US")
    as_dependent = render_citations(docs, bib, resolve_style("nature-biotechnology", INPUTS), "en-US")
    assert note_texts(as_parent[0]) == note_texts(as_dependent[0]) and as_parent[1] == as_dependent[1]


def test_styles_search_finds_independent_and_dependent_styles() -> None:
    command = [sys.executable, "-m", "toolkit", "styles", "search"]
    result = subprocess.run([*command, "nature", "biotech"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "nature-biotechnology\tNature Biotechnology\tdependent on nature" in result.stdout.splitlines()
    result = subprocess.run([*command, "England"], capture_output=True, text=True)
    assert "the-new-england-journal-of-medicine\tThe New England Journal of Medicine\tindependent" in result.stdout
    assert subprocess.run([*command, "zzqqxx"], capture_output=True).returncode == 1


ZOTERO_BIB = r"""@misc{insightcrime2024,
  title = {{{InSight Crime}}'s {{State-crime Relations}} in {{Mexico}}},
  author = {{InSight Crime}},
  year = {2024},
  url = {https://insightcrime.org/news/state-crime-relations/},
  urldate = {2025-01-10},
  langid = {english}
}

@book{vandijk2019,
  title = {The {{Digital Divide}}},
  author = {{van Dijk}, Jan},
  year = {2019},
  publisher = {{Polity}},
  location = {{Cambridge}}
}

@article{garcia2020,
  title = {La violencia en {{México}} y el Estado},
  author = {García Márquez, Ana María},
  journaltitle = {Revista Mexicana de Sociología},
  volume = {82},
  number = {3},
  pages = {45--67},
  date = {2020},
  langid = {spanish}
}
"""


@pytest.mark.parametrize("lang", ["en-US", "es-ES"])
def test_bibtex_as_zotero_exports_it_renders_as_pandoc_reads_it(lang: str, tmp_path: Path) -> None:
    # Converting .bib to CSL-JSON first lost what Pandoc keeps when it reads BibTeX itself: @misc was refused
    # ("no type"), {{…}} case protection was lost, {van Dijk} became a particle, titles were sentence-cased
    inputs = tmp_path / "inputs"
    (inputs / "packets").mkdir(parents=True)
    (inputs / "summaries").mkdir()
    (inputs / "zotero.bib").write_text(ZOTERO_BIB, encoding="utf-8")
    (inputs / "summaries" / "s.md").write_text(
        "---\ntitle: T\nsource: insightcrime2024\n---\n\nA claim [@insightcrime2024]. Another [@vandijk2019, 12]."
        " A third [see @garcia2020, 50].\n",
        encoding="utf-8",
    )
    packet_path = inputs / "packets" / "p.yaml"
    packet_path.write_text("id: p\ntitle: P\nbibliography: ../zotero.bib\nsummaries: [../summaries/s.md]\n")
    packet = load_packet(packet_path)
    docs = [read_summary(p) for p in packet.summaries]
    if lang.startswith("es"):
        docs = [replace(d, blocks=map_blocks(spanish_citations, d.blocks)) for d in docs]
    bib = load_bibliography(packet.bibliography)
    rendered, bibliography = render_citations(docs, bib, resolve_style(packet.citation_style, inputs), lang)
    expected_notes, expected_body = pandoc_notes(packet_path, lang)
    assert note_texts(rendered) == expected_notes
    ours = [" ".join(plain_text(b.children).split()) for b in bibliography if isinstance(b, Paragraph)]
    assert ours == [" ".join(e.split()) for e in expected_body if not e.startswith("A claim")]  # in order
    text = " ".join(ours)
    assert "Digital Divide" in text and "van Dijk, Jan" in text and ours[-1].startswith("van Dijk")  # under V
    assert "State-crime Relations" in text or lang != "en-US"  # Pandoc title-cases it in the Spanish locale


@pytest.mark.parametrize("style", ["chicago-notes-bibliography", "apa", "chicago-author-date"])
def test_a_citation_right_before_a_footnote_renders_as_pandoc_renders_it(style: str, tmp_path: Path) -> None:
    # `[@key][^n]` was read as a reference link: literal brackets stayed and the note lost its author
    # ("[Jane Doe¹]²", APA "[InSight Crime (n.d.-a)]"); numeric styles are left out: the plain-text comparison
    # reads their "[1] …" bibliography entries as notes
    inputs = tmp_path / "inputs"
    (inputs / "packets").mkdir(parents=True)
    (inputs / "summaries").mkdir()
    shutil.copy(INPUTS / "references.json", inputs / "references.json")
    (inputs / "summaries" / "s.md").write_text(
        "---\ntitle: T\nsource: directive2025\n---\n\nCited [@directive2025][^a] and in text @rose2023fentanyl[^b]"
        " here.\n\n[^a]: The author's own note.\n\n[^b]: Another note.\n",
        encoding="utf-8",
    )
    packet_path = inputs / "packets" / "p.yaml"
    packet_path.write_text(
        f"id: p\ntitle: P\ncitation_style: {style}\nbibliography: ../references.json\nsummaries: [../summaries/s.md]\n"
    )
    packet = load_packet(packet_path)
    docs = [read_summary(p) for p in packet.summaries]
    rendered, _ = render_citations(docs, load_bibliography(packet.bibliography), resolve_style(style, inputs), "en-US")
    expected_notes, expected_body = pandoc_notes(packet_path, "en-US")
    assert note_texts(rendered) == expected_notes
    body = " ".join(plain_text(b.children) for b in rendered[0].blocks if isinstance(b, Paragraph))
    expected = re.sub(r"\[\d+\]", "", expected_body[0])  # Pandoc's plain note marks
    assert " ".join(body.split()) == " ".join(expected.split())
    assert "[" not in body


HARD_WRAP_REFERENCES = [
    {
        "id": "okafor2023",
        "type": "report",
        "title": "Port Controls",
        "issued": {"date-parts": [[2023]]},
        "author": [{"family": "Okafor", "given": "Nkem"}, {"family": "Lindqvist", "given": "Saga"}],
    },
    {
        "id": "berg2020",
        "type": "book",
        "title": "Inland Routes",
        "issued": {"date-parts": [[2020]]},
        "author": [{"family": "Berg", "given": "Lars"}],
    },
    {
        "id": "tamez2019",
        "type": "book",
        "title": "Fronteras",
        "issued": {"date-parts": [[2019]]},
        "author": [{"family": "Tamez", "given": "Rosa"}],
    },
    {
        "id": "ruiz-call",
        "type": "personal_communication",
        "title": "Call with the port authority",
        "issued": {"date-parts": [[2021, 3, 4]]},
        "author": [{"family": "Ruiz", "given": "Tomás"}],
    },
]


def write_references(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    path = tmp_path / "references.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def test_a_locator_on_the_next_line_stays_the_citation_s_locator(tmp_path: Path) -> None:
    # hard-wrapped text `… @key` newline `[sec. 2] …` lost the locator: "Okafor & Lindqvist (2023) [sec. 2]"
    # where Pandoc gives "(2023, Section 2)"; the citations after it keep their own lines
    summary = tmp_path / "s.md"
    summary.write_text(
        "---\ntitle: T\nsource: okafor2023\n---\n\nAs @okafor2023\n[sec. 2] shows, and @berg2020\n  [p. 14]"
        " adds,\nroutes moved [@nope].\n",
        encoding="utf-8",
    )
    doc = read_summary(summary)
    (paragraph,) = doc.blocks
    assert isinstance(paragraph, Paragraph)
    cites = [node for node in paragraph.children if isinstance(node, Cite)]
    assert [(c.items[0].suffix, c.line) for c in cites] == [("sec. 2", 6), ("p. 14", 7), ("", 9)]
    references = write_references(tmp_path, HARD_WRAP_REFERENCES)
    with pytest.raises(BriefkitError, match=f"{summary}:9: unknown citation key `@nope`"):
        check_citation_keys([doc], load_bibliography((references,)))
    rendered, _ = render_citations([doc], load_bibliography((references,)), resolve_style("apa", tmp_path), "en-US")
    text = plain_text(rendered[0].blocks[0].children)  # type: ignore[union-attr]
    assert "Okafor & Lindqvist (2023, Section 2) shows, and Berg (2020, p. 14) adds" in " ".join(text.split())


def test_nocite_in_front_matter_adds_the_works_to_the_bibliography(tmp_path: Path) -> None:
    # `nocite:` was ignored (and `-M nocite=@key` is a plain string to Pandoc: it did nothing either)
    references = write_references(tmp_path, HARD_WRAP_REFERENCES)
    summary = tmp_path / "s.md"
    summary.write_text(
        "---\ntitle: T\nsource: okafor2023\nnocite: '@berg2020, @tamez2019'\n---\n\nNothing cited here.\n",
        encoding="utf-8",
    )
    doc = read_summary(summary)
    assert doc.meta.nocite == ("berg2020", "tamez2019")
    bibliography = load_bibliography((references,))
    for lang in ("en-US", "es-MX"):
        _, entries = render_citations([doc], bibliography, resolve_style("apa", tmp_path), lang)
        texts = [plain_text(b.children) for b in entries if isinstance(b, Paragraph)]
        assert [t.split(",")[0] for t in texts] == ["Berg", "Okafor", "Tamez"]  # the source too, which was lost
    summary.write_text("---\ntitle: T\nsource: okafor2023\nnocite: ['@*']\n---\n\nNothing.\n", encoding="utf-8")
    _, entries = render_citations([read_summary(summary)], bibliography, resolve_style("apa", tmp_path), "en-US")
    assert len([b for b in entries if isinstance(b, Paragraph)]) == 3  # every work (the call prints nothing)
    summary.write_text("---\ntitle: T\nsource: okafor2023\nnocite: '@berg2020, @nobody'\n---\n\nX.\n")
    with pytest.raises(BriefkitError, match=f"{summary}:4: unknown citation key `@nobody` in `nocite`"):
        check_citation_keys([read_summary(summary)], bibliography)
    summary.write_text("---\ntitle: T\nsource: okafor2023\nnocite: berg2020\n---\n\nX.\n")
    with pytest.raises(BriefkitError, match=f"{summary}:4: `nocite` must be citation keys"):
        read_summary(summary)


def test_an_entry_the_style_prints_as_nothing_leaves_no_paragraph_and_no_dangling_link(tmp_path: Path) -> None:
    # an interview in Chicago, a personal communication in APA: Pandoc's entry is empty; its paragraph was kept
    # empty, and APA's linked citation led to a bookmark never written
    references = write_references(tmp_path, HARD_WRAP_REFERENCES)
    summary = tmp_path / "s.md"
    summary.write_text("---\ntitle: T\nsource: okafor2023\n---\n\nA call [@ruiz-call] and [@berg2020].\n")
    bibliography = load_bibliography((references,))
    for style in ("apa", "chicago-notes-bibliography"):
        rendered, entries = render_citations(
            [read_summary(summary)], bibliography, resolve_style(style, tmp_path), "en-US", link=True
        )
        texts = [plain_text(b.children) for b in entries if isinstance(b, Paragraph)]
        assert len(texts) == 2 and all(t.strip() for t in texts), texts
        anchors = {a for b in entries for a in query_inlines(span_anchors, b.children)}  # type: ignore[union-attr]
        targets = set(query_blocks(link_targets, rendered[0].blocks))
        assert targets and targets <= {"#" + a for a in anchors}, (targets, anchors)


def span_anchors(node: Inline) -> list[str]:
    return [node.anchor] if isinstance(node, Span) else []


def link_targets(node: Inline) -> list[str]:
    return [node.target] if isinstance(node, Link) and node.target.startswith("#") else []


LOCATOR_KINDS = (
    "book chapter column figure folio issue line note opus page paragraph part section sub-verbo verse volume"
).split()


def locator_kinds(labels: list[str], lang: str, tmp_path: Path) -> list[str]:
    """The kind of locator Pandoc reads `[@key, LABEL 2]` as in `lang` ("-": none, a plain suffix)."""
    tests = "".join(f'<else-if locator="{kind}"><text value="{kind}"/></else-if>' for kind in LOCATOR_KINDS)
    style = tmp_path / "kind.csl"
    style.write_text(
        '<?xml version="1.0" encoding="utf-8"?><style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" '
        'version="1.0"><info><title>kind</title><id>kind</id><updated>2020-01-01T00:00:00+00:00</updated></info>'
        '<citation><layout prefix="&lt;" suffix="&gt;"><choose><if locator="book"><text value="book"/></if>'
        f'{tests}<else><text value="-"/></else></choose><text variable="locator" prefix="="/></layout></citation>'
        "</style>",
        encoding="utf-8",
    )
    references = write_references(tmp_path, HARD_WRAP_REFERENCES)
    markdown = "\n\n".join(f"[@berg2020, {label} 2]" for label in labels)
    args = [pandoc_path(), "-f", "markdown", "-t", "plain", "--wrap=none", "--citeproc", "--csl", str(style)]
    args += ["-M", f"lang={lang}", "--bibliography", str(references)]
    out = subprocess.run(args, input=markdown, capture_output=True, text=True, check=True).stdout
    found = [re.fullmatch(r"<(\S+?)=2>", p.strip()) for p in out.split("\n\n") if p.strip()]
    return [m.group(1) if m else "-" for m in found]


ENGLISH_LABELS = (
    "chap. chaps. para. paras. sec. secs. § §§ ¶ no. nos. vol. vols. p. pp. figs. bk. pts. nn. ll. fol. fols.".split()
)


@pytest.mark.parametrize("lang", ["es-ES", "es-MX", "es-CL"])
def test_locator_labels_in_the_spanish_half_are_read_as_the_same_locator(lang: str, tmp_path: Path) -> None:
    # `sec.` became `secc.`, which no Spanish CSL locale knows: Pandoc then printed "secc. 2" as a plain suffix
    # instead of the section locator ("Sección 2"); `n.º` is read by es-ES only, `caps.` by es-MX only
    english = locator_kinds(ENGLISH_LABELS, "en-US", tmp_path)
    assert "-" not in english
    spanish = [spanish_citation_suffix(f"{label} 2").removesuffix(" 2") for label in ENGLISH_LABELS]
    assert dict(zip(ENGLISH_LABELS, locator_kinds(spanish, lang, tmp_path))) == dict(zip(ENGLISH_LABELS, english))


SPANISH_LABELS = (
    "cap. caps. capítulo párr. párrs. párrafos sec. secc. sección secciones n.º núm. nº número vol. f.".split()
)


@pytest.mark.parametrize("lang", ["en-US", "en-GB"])
def test_locator_labels_of_a_spanish_source_are_read_as_the_same_locator_in_english(lang: str, tmp_path: Path) -> None:
    # every Spanish locale's own short form (n.º, núm., nº, caps., párrs.) and the older secc.; en-GB reads
    # neither chap. nor sec. (its own are ch. and sect.)
    kinds = {lang: locator_kinds(SPANISH_LABELS, lang, tmp_path) for lang in ("es-ES", "es-MX", "es-CL")}
    spanish = [next((k for k in found if k != "-"), "secc.") for found in zip(*kinds.values())]
    english = [english_citations((Cite((CiteItem("a", suffix=f"{label} 2"),)),))[0] for label in SPANISH_LABELS]
    labels = [e.items[0].suffix.removesuffix(" 2") for e in english if isinstance(e, Cite)]
    found = locator_kinds(labels, lang, tmp_path)
    assert dict(zip(SPANISH_LABELS, found)) == dict(
        zip(SPANISH_LABELS, [k.replace("secc.", "section") for k in spanish])
    )


def test_punctuation_after_an_author_named_in_text_that_ends_in_punctuation_is_dropped(tmp_path: Path) -> None:
    # found by the random style draw (escuela-nacional-de-antropologia-e-historia-full-note): "Okafor et al.,¹"
    # where Pandoc writes "Okafor et al.¹" (its endWithPunct: the comma moved before the note is dropped)
    entries = [{**HARD_WRAP_REFERENCES[0], "author": [{"family": f"Author{i}", "given": "A."} for i in range(5)]}]
    references = write_references(tmp_path, entries)
    summary = tmp_path / "s.md"
    summary.write_text("---\ntitle: T\nsource: okafor2023\n---\n\nAgain @okafor2023, and once more.\n")
    style = resolve_style("escuela-nacional-de-antropologia-e-historia-full-note", tmp_path)
    rendered, _ = render_citations([read_summary(summary)], load_bibliography((references,)), style, "en-US")
    body = plain_text(rendered[0].blocks[0].children)  # type: ignore[union-attr]
    out = subprocess.run(
        [pandoc_path(), "-f", "markdown", "-t", "plain", "--citeproc", "--csl", str(style)]
        + ["--bibliography", str(references), str(summary)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    theirs = re.sub(r"\[\d+\]", "", out.split("\n\n")[0])
    assert " ".join(body.split()) == " ".join(theirs.split()) and "et al. and" in body


def test_another_pandoc_on_the_path_does_not_change_which_pandoc_prints_citations(tmp_path: Path) -> None:
    """pypandoc's own search takes the highest version it finds on PATH or in ~/bin; a packet must print the same
    wherever it is built, so briefkit runs the Pandoc pypandoc-binary ships (and says which, in the build key)."""
    fake = tmp_path / "bin" / "pandoc"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pandoc 99.0'\n")
    fake.chmod(0o755)
    probe = (
        "import pypandoc; from toolkit.cite.pandoc import pandoc_path, pandoc_version; "
        "print(pypandoc.get_pandoc_path()); print(pandoc_path()); print(pandoc_version())"
    )
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    env.pop("PYPANDOC_PANDOC", None)
    lines = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    pypandoc_choice, ours, version = lines.stdout.splitlines()
    assert pypandoc_choice == "pandoc"  # the hazard: pypandoc would run the fake 99.0
    assert Path(ours).name == "pandoc" and Path(ours).parent.name == "files"
    assert version.startswith("pandoc 3.") and version == f"pandoc {pypandoc.get_pandoc_version()}"
