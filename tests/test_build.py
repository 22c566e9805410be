"""End to end: the sample packets built by the CLI, re-opened as a reader (and LibreOffice) would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from tests.conftest import INPUTS, ROOT, convert_with_libreoffice, run_cli
from tests.pdf_structure import read_structure

ENGLISH_WORDS = set("the and of to with that which would their have has were was been is are for".split())


def docx_xml(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(member).decode("utf-8")


def test_manifest_lists_files_inputs_and_engine(sample_release: Path) -> None:
    manifest = json.loads((sample_release / "cartel-policy-2025" / "manifest.json").read_text())
    assert set(manifest["files"]) == {"docx", "pdf", "qa_json", "qa_markdown"}
    assert manifest["translation"]["engine"] in ("apertium", "argos")
    assert manifest["translation"]["problems"] == []
    assert "summaries/jtfn-options-memo.md" in manifest["inputs"]
    for info in manifest["files"].values():
        assert (sample_release / "cartel-policy-2025" / info["path"]).stat().st_size == info["bytes"]


def test_docx_structure_footnotes_and_languages(sample_release: Path) -> None:
    path = sample_release / "cartel-policy-2025" / "cartel-policy-2025.docx"
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "English edition" in headings and "Edición en español" in headings
    assert "Trump orders the Pentagon to act against foreign drug cartels" in headings
    assert document.core_properties.title == "Cartels, Force and Fentanyl"
    assert any(p.style.name == "List Number" for p in document.paragraphs)
    assert len(document.tables) == 4  # two per language
    footnotes = docx_xml(path, "word/footnotes.xml")
    notes = re.findall(r'<w:footnote w:id="(\d+)"', footnotes)
    body = docx_xml(path, "word/document.xml")
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', body)
    assert len(notes) == len(refs) > 40 and sorted(notes) == sorted(refs)
    assert "13 de febrero de 2024" in footnotes and "February 13, 2024" in footnotes
    assert 'w:val="es-ES"' in body and 'w:val="en-US"' in body and 'w:val="es-ES"' in footnotes
    assert 'numRestart w:val="eachSect"' in body


def halves(document: docx.document.Document) -> tuple[list[str], list[str]]:
    """Body paragraphs of the English and the Spanish edition (contents page and bibliographies left out)."""
    paragraphs = document.paragraphs
    heads = [i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1"]
    texts = [p.text for p in paragraphs]
    en = next(i for i in heads if texts[i] == "English edition")
    es = next(i for i in heads if texts[i] == "Edición en español")
    en_bib = next(i for i in heads if texts[i] == "Bibliography")
    es_bib = next(i for i in heads if texts[i] == "Bibliografía")
    return [t for t in texts[en:en_bib] if t.strip()], [t for t in texts[es + 1 : es_bib] if t.strip()]


def test_no_english_left_in_the_spanish_half(sample_release: Path) -> None:
    document = docx.Document(str(sample_release / "cartel-policy-2025" / "cartel-policy-2025.docx"))
    english_half, spanish = halves(document)
    english = set(english_half)
    for text in spanish:
        words = re.findall(r"\w+", text.lower())
        share = sum(w in ENGLISH_WORDS for w in words) / max(len(words), 1)
        assert text not in english or len(words) < 4, text
        assert share < 0.08, text
    joined = " ".join(spanish)
    assert "Triunfo" not in joined and "Donald Trump" in joined
    assert "Cártel de Sinaloa" in joined and "organizaciones terroristas extranjeras" in joined
    # Spanish quotation marks in the Spanish half, English ones in the English half.
    assert "«" in joined and "“" not in joined and "“" in " ".join(english_half)


def test_pdf_text_both_languages_notes_and_bibliography(sample_release: Path) -> None:
    reader = PdfReader(str(sample_release / "cartel-policy-2025" / "cartel-policy-2025.pdf"))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "Edición en español" in flat and "English edition" in flat
    assert "Bibliografía" in flat and "Bibliography" in flat
    for key in ("Lemus, Guillermo", "Suárez, Amanda", "Temple-Raston, Dina", "Angulo Guillermo, Teresa"):
        assert flat.count(key) == 2, key  # once per bibliography
    assert "13 de febrero de 2024" in flat
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "English edition" in outline and "Edición en español" in outline
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert reader.trailer["/Root"]["/Lang"] == "en-US"


def test_pdf_pages_render(sample_release: Path, tmp_path: Path) -> None:
    pdf = sample_release / "fentanyl-parallel" / "fentanyl-parallel.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "3", "-l", "3", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p-*.png"))
    assert png.stat().st_size > 10_000


def test_parallel_layout_pairs_paragraphs(sample_release: Path) -> None:
    path = sample_release / "fentanyl-parallel" / "fentanyl-parallel.docx"
    document = docx.Document(str(path))
    table = document.tables[0]
    assert len(table.columns) == 2
    row = table.rows[2]
    assert row.cells[0].text.startswith("In an opinion piece")
    assert row.cells[1].text.startswith("En una pieza de opinión")
    body = docx_xml(path, "word/document.xml")
    assert 'w:customMarkFollows="1"' in body  # each column numbers its notes from 1
    reader = PdfReader(str(sample_release / "fentanyl-parallel" / "fentanyl-parallel.pdf"))
    page = " ".join(reader.pages[2].extract_text().split())
    assert "The argument" in page and "argumento" in page.lower() or "riña" in page


def right_edge_of_text(pdf: Path, tmp_path: Path) -> float:
    """The rightmost point any word on any page reaches (poppler's word boxes)."""
    boxes = tmp_path / f"{pdf.stem}.bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(boxes)], check=True)
    return max(float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes.read_text(encoding="utf-8")))


def test_both_columns_stay_inside_the_margins(sample_release: Path, tmp_path: Path) -> None:
    # The parallel columns' padding came on top of their 50% widths: the Spanish column ran 20 pt into the margin
    sequential = right_edge_of_text(sample_release / "cartel-policy-2025" / "cartel-policy-2025.pdf", tmp_path)
    parallel = right_edge_of_text(sample_release / "fentanyl-parallel" / "fentanyl-parallel.pdf", tmp_path)
    text_area_right = 595.28 - 22 / 25.4 * 72  # A4 less the 22 mm right margin of styles/packet.css
    assert sequential <= text_area_right + 0.5
    assert parallel <= text_area_right + 0.5


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/setup")
def test_libreoffice_opens_the_docx(sample_release: Path, tmp_path: Path) -> None:
    source = sample_release / "cartel-policy-2025" / "cartel-policy-2025.docx"
    reader = PdfReader(str(convert_with_libreoffice(source, "pdf", tmp_path)))
    assert len(reader.pages) > 15
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Edición en español" in text and "Bibliografía" in text
    # LibreOffice 7.4 numbered every note after the first 0 when each section restarted its notes
    html = convert_with_libreoffice(source, "html", tmp_path).read_text(encoding="utf-8", errors="replace")
    calls = re.findall(r'class="sdfootnoteanc"[^>]*>(?:<[^>]+>)*(\d+)', html)
    assert len(calls) > 40 and "0" not in calls
    assert calls[0] == calls[len(calls) // 2] == "1"  # the Spanish half (as many notes as the English) restarts


def test_bad_inputs_exit_non_zero_and_write_nothing(tmp_path: Path) -> None:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    packet = tmp_path / "inputs" / "packets" / "cartel-policy-2025.yaml"
    summary = tmp_path / "inputs" / "summaries" / "fentanyl-war.md"
    summary.write_text(summary.read_text().replace("[@rose2023fentanyl]", "[@rose2099]"))
    packet.write_text(packet.read_text().replace("layout: sequential", "layot: sequential"))
    out = tmp_path / "out"
    result = run_cli("build", str(packet), "--out", str(out))
    assert result.returncode == 1
    assert f"{packet}:8: unknown key `layot` (did you mean `layout`?)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    packet.write_text(packet.read_text().replace("layot: sequential", "layout: sequential"))
    result = run_cli("build", str(packet), "--out", str(out))
    assert result.returncode == 1
    assert re.search(rf"{re.escape(str(summary))}:\d+: unknown citation key `@rose2099`", result.stderr)
    assert not out.exists()


def test_missing_summary_file_is_named(tmp_path: Path) -> None:
    packet = tmp_path / "p.yaml"
    packet.write_text(f"id: x\ntitle: X\nbibliography: {INPUTS / 'references.json'}\nsummaries:\n  - nope.md\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"error: {packet}:4: `summaries` file not found: nope.md" in result.stderr


def test_module_and_console_script_agree() -> None:
    script = ROOT / ".venv" / "bin" / "briefkit"
    if script.exists():
        assert "briefkit" in subprocess.run([str(script), "--version"], capture_output=True, text=True).stdout
    assert run_cli("--version").stdout.startswith("briefkit")


def test_missing_translation_engine_says_how_to_install(tmp_path: Path) -> None:
    packet = tmp_path / "p.yaml"
    summaries = INPUTS / "summaries" / "fentanyl-war.md"
    packet.write_text(
        f"id: x\ntitle: X\nengine: argos\nbibliography: {INPUTS / 'references.json'}\n"
        f"memory: {tmp_path / 'm.sqlite'}\nsummaries:\n  - {summaries}\n"
    )
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "no-models"), "ARGOS_PACKAGES_DIR": str(tmp_path / "none")}
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--allow-outside", env=env)
    assert result.returncode == 1
    assert "no English→Spanish Argos model is installed" in result.stderr
    assert "briefkit models install" in result.stderr
    assert not (tmp_path / "out").exists()


def test_models_install_rejects_a_file_that_is_not_a_package(tmp_path: Path) -> None:
    fake = tmp_path / "fake.argosmodel"
    fake.write_bytes(b"not a zip")
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "models")}
    result = run_cli("models", "install", str(fake), env=env)
    assert result.returncode == 1
    assert f"error: {fake}: not an Argos model package (not a zip archive)" in result.stderr
    assert "no Argos models installed" in run_cli("models", "list", env=env).stdout


def test_no_near_empty_pages(sample_release: Path) -> None:
    # Each summary began a new page: one that ran two lines over left a page of two lines and its note
    for packet in ("cartel-policy-2025", "fentanyl-parallel"):
        pages = PdfReader(str(sample_release / packet / f"{packet}.pdf")).pages
        lengths = [len(page.extract_text()) for page in pages[2:]]  # after the cover and contents
        assert min(lengths) > 600, f"{packet}: characters per page {lengths}"


def test_internal_links_are_described_by_their_words(sample_release: Path) -> None:
    # PDF/UA (Matterhorn 28-004): a link annotation's Contents describes it; WeasyPrint wrote the raw anchor id
    reader = PdfReader(str(sample_release / "cartel-policy-2025" / "cartel-policy-2025.pdf"))
    descriptions = {}
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            if link.get("/Subtype") == "/Link" and "/Dest" in link:
                descriptions[str(link["/Dest"])] = str(link.get("/Contents", ""))
    assert len(descriptions) > 8
    assert descriptions["edition-es-ES"] == "Edición en español"
    assert descriptions["en-US-1"].startswith("Trump orders the Pentagon")
    assert not any(re.fullmatch(r"(edition-)?[a-z]{2}-[A-Z]{2}(-\w+)?", text) for text in descriptions.values())


def test_table_header_cells_have_a_scope(sample_release: Path) -> None:
    # PDF/UA (Matterhorn 15-003): a TH says what it heads
    reader = PdfReader(str(sample_release / "cartel-policy-2025" / "cartel-policy-2025.pdf"))
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    headers, stack = [], [root]
    while stack:
        node = stack.pop()
        if node.get("/S") == "/TH":
            headers.append(node)
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [kids]
        for kid in kids:
            element = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(element, dict) and "/S" in element:
                stack.append(element)
    assert len(headers) >= 8  # two tables of two or three columns, in each language
    assert all(header["/A"]["/Scope"] == "/Column" for header in headers)


def test_structure_elements_carry_their_language(sample_release: Path) -> None:
    # PDF/UA (Matterhorn checkpoint 11): a change of language is declared on the structure element (/Lang)
    for packet in ("cartel-policy-2025", "fentanyl-parallel"):
        document = read_structure(sample_release / packet / f"{packet}.pdf")
        assert document.lang == "en-US"
        nodes = list(document.walk())
        notes = [node for node in nodes if node.tag == "Note"]
        assert len(notes) >= 20
        for note in notes:
            assert note.lang == ("es-ES" if note.id and note.id.startswith("note-es-ES") else "en-US"), note.id
        spanish = [node for node in nodes if node.lang == "es-ES" and node.tag in ("P", "H2", "H3", "LI", "TD")]
        english = [node for node in nodes if node.lang == "en-US" and node.tag in ("P", "H2", "H3", "LI", "TD")]
        assert len(spanish) > 0.4 * len(english)
        headings = {node.text.strip(): node.lang for node in nodes if node.tag in ("H1", "H2")}
        assert headings.get("Edición en español", headings.get("English edition · Edición en español")) in (
            "es-ES",
            "en-US",  # the parallel layout's one title: English, its Spanish half a Span in Spanish
        )
        if packet == "cartel-policy-2025":
            assert headings["Edición en español"] == "es-ES" and headings["English edition"] == "en-US"
            assert headings["Bibliografía"] == "es-ES" and headings["Bibliography"] == "en-US"
        # declared where the language changes, not repeated on every element below
        assert sum(1 for node in nodes if node.own_lang) < len(nodes) / 10


def test_footnotes_are_notes_linked_both_ways(sample_release: Path) -> None:
    # PDF/UA (Matterhorn 19-003): a footnote is a Note with an ID; its number links to it, and back, as in
    # Pandoc's HTML
    for packet in ("cartel-policy-2025", "fentanyl-parallel"):
        document = read_structure(sample_release / packet / f"{packet}.pdf")
        nodes = list(document.walk())
        notes = {node.id: node for node in nodes if node.tag == "Note"}
        calls = {dest for node in nodes if node.tag == "Link" for dest in node.dests if dest.startswith("note-")}
        assert calls and calls == set(notes)  # every call leads to its note, every note is called
        for note_id, note in notes.items():
            lang, number = note_id.removeprefix("note-")[:5], note_id.rsplit("-", 1)[1]
            backs = [dest for node in note.walk() for dest in node.dests]
            assert backs == [f"call-{lang}-{number}"]
            assert note.text.strip().startswith(f"{number}. ")
        reader = PdfReader(str(sample_release / packet / f"{packet}.pdf"))
        root = reader.trailer["/Root"]["/StructTreeRoot"]
        names = root["/IDTree"]["/Names"]
        keys = [str(names[i]) for i in range(0, len(names), 2)]
        assert keys == sorted(keys) and set(notes) <= set(keys)
        labels = {
            str(annotation.get_object()["/Dest"]): str(annotation.get_object().get("/Contents"))
            for page in reader.pages
            for annotation in page.get("/Annots") or []
            if "/Dest" in annotation.get_object()
        }
        assert labels["note-en-US-1"] == "Note 1" and labels["note-es-ES-2"] == "Nota 2"
        assert labels["call-es-ES-2"] == "Volver al texto de la nota 2"


def test_hyphenated_lines_are_read_as_whole_words(sample_release: Path) -> None:
    # Hyphenation draws a hyphen at the end of a line; the text read from the structure tree has a soft hyphen
    # there (ISO 32000-1 14.8.2.2.3), so a screen reader or a copy joins the word again
    document = read_structure(sample_release / "cartel-policy-2025" / "cartel-policy-2025.pdf")
    broken = [node for node in document.walk() if node.own_text.rstrip().endswith("\u2010")]
    assert len(broken) > 10
    for node in broken:
        assert node.actual_text is not None and node.actual_text.endswith("\u00ad"), node.own_text
        assert node.actual_text[:-1] == node.own_text.rstrip()[:-1].lstrip("\n")
    assert "\u2010" not in document.text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/setup")
def test_parallel_note_marks_are_written_as_libreoffice_writes_them(sample_release: Path, tmp_path: Path) -> None:
    # Each column numbers its notes from 1, so the parallel DOCX gives its notes custom marks. LibreOffice's own
    # DOCX export of a note with a custom mark is the reference for how Word expects one: the reference with
    # customMarkFollows and the mark after it; in the note, the mark as text in a character style (no
    # footnoteRef, which would show Word's automatic number). Ours has the same shape.
    flat = tmp_path / "custom.fodt"
    flat.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><office:document office:version="1.3" '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text><text:p>Text'
        '<text:note text:id="n1" text:note-class="footnote"><text:note-citation text:label="1">1</text:note-citation>'
        "<text:note-body><text:p>A note.</text:p></text:note-body></text:note></text:p></office:text></office:body>"
        "</office:document>",
        encoding="utf-8",
    )
    theirs = convert_with_libreoffice(flat, "docx:MS Word 2007 XML", tmp_path)
    ours = sample_release / "fentanyl-parallel" / "fentanyl-parallel.docx"
    for path in (theirs, ours):
        body, notes = docx_xml(path, "word/document.xml"), docx_xml(path, "word/footnotes.xml")
        assert re.search(r'<w:footnoteReference (?=[^>]*w:customMarkFollows="1")[^>]*/>(?:<[^>]+>)*1<', body), path
        first_note = re.search(r'<w:footnote w:id="\d+">.*?</w:footnote>', notes, re.S)
        assert first_note is not None
        assert "<w:footnoteRef/>" not in first_note.group(0)
        assert re.search(r'<w:rStyle w:val="\w+"/>(?:<[^>]+>)*<w:t>1</w:t>', first_note.group(0)), path


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/setup")
def test_libreoffice_round_trip_keeps_notes_links_and_header(sample_release: Path, tmp_path: Path) -> None:
    # Word-clean: opened and saved again as DOCX by LibreOffice, the file keeps its footnotes (and their
    # restart in the Spanish half), its external links and its running header
    source = sample_release / "cartel-policy-2025" / "cartel-policy-2025.docx"
    saved = convert_with_libreoffice(source, "docx:MS Word 2007 XML", tmp_path / "saved")
    targets = []
    for path in (source, saved):
        with zipfile.ZipFile(path) as zf:
            parts = {name: zf.read(name).decode("utf-8", "replace") for name in zf.namelist() if "xml" in name}
        headers = " ".join(text for name, text in parts.items() if name.startswith("word/header"))
        assert "Cartels, Force and Fentanyl" in re.sub(r"<[^>]+>", "", headers), path
        notes = re.findall(r'<w:footnote w:id="(\d+)"(?: [^>]*)?>', parts["word/footnotes.xml"])
        assert len(notes) >= 62, path  # the 31 notes of each half, besides the separators
        relationships = " ".join(text for name, text in parts.items() if name.endswith(".rels"))
        targets.append(set(re.findall(r'<Relationship [^>]*Target="(https?://[^"]+)"', relationships)))
    assert len(targets[0]) >= 3 and targets[0] <= targets[1]
    # the Spanish half still restarts its numbering (LibreOffice marks every section so; when LibreOffice opens
    # its own file again it numbers the later notes 0, the 7.4 bug our own file avoids, see Known limits)
    with zipfile.ZipFile(saved) as zf:
        body = zf.read("word/document.xml").decode()
    assert re.search(r"<w:footnotePr>(?:(?!</w:footnotePr>).)*<w:numRestart w:val=\"eachSect\"/>", body)
