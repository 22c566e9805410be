"""The writers and the reader's edges, construct by construct: defects found by trying constructs the samples
lack, each with the test that failed before its fix."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import docx
from pypdf import PdfReader

from tests.conftest import INPUTS, convert_with_libreoffice, run_cli
from toolkit.model.dates import format_date


def packet_with(tmp_path: Path, summary: str, packet_extra: str = "") -> Path:
    inputs = tmp_path / "inputs"
    (inputs / "packets").mkdir(parents=True)
    (inputs / "summaries").mkdir()
    shutil.copy(INPUTS / "references.json", inputs / "references.json")
    (inputs / "summaries" / "s.md").write_text(summary, encoding="utf-8")
    packet = inputs / "packets" / "p.yaml"
    packet.write_text(
        "id: p\ntitle: P\nbibliography: ../references.json\nsummaries: [../summaries/s.md]\n" + packet_extra,
        encoding="utf-8",
    )
    return packet


def test_impossible_and_free_text_dates_are_clear_errors_and_all_problems_come_together(tmp_path: Path) -> None:
    packet = packet_with(
        tmp_path,
        "---\ntitle: T\nsource: directive2025\ndate: 2024-02-30\n---\n\nText [@directive2025].\n",
        "date: 2025-09-31\n",
    )
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {packet}:5: `date: 2025-09-31` is not a date" in result.stderr
    summary = packet.parent.parent / "summaries" / "s.md"
    assert f"error: {summary}:4: `date: 2024-02-30` is not a date" in result.stderr  # in the same run
    packet.write_text(packet.read_text().replace("2025-09-31", "1 Sept 2025"))
    summary.write_text(summary.read_text().replace("2024-02-30", "14/06/2024"))
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert "`date: 1 Sept 2025` is not a date (write a real day as YYYY-MM-DD" in result.stderr
    assert "`date: 14/06/2024` is not a date" in result.stderr
    assert not (tmp_path / "out").exists()


def test_dates_are_written_the_way_each_language_writes_them() -> None:
    assert format_date("2024-06-14", "en-US") == "June 14, 2024"
    assert format_date("2024-06-14", "en-GB") == "14 June 2024"
    assert format_date("2024-06-14", "es-ES") == "14 de junio de 2024"


def test_notes_of_several_paragraphs_and_links_in_notes_in_the_docx(tmp_path: Path) -> None:
    import zipfile

    summary = (
        "---\ntitle: T\nsource: directive2025\n---\n\nText.[^a] More.[^b]\n\n"
        "[^a]: First paragraph.\n\n    Second paragraph with [a link](https://example.org/note).\n\n"
        "[^b]: A note citing [@directive2025].\n"
    )
    packet = packet_with(tmp_path, summary, "languages: [en]\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
        notes = zf.read("word/footnotes.xml").decode()
        rels = zf.read("word/_rels/footnotes.xml.rels").decode()
    assert "First paragraph." in notes and "Second paragraph with" in notes
    (r_id,) = __import__("re").findall(r'<w:hyperlink r:id="(rId\d+)"', notes)
    assert f'Id="{r_id}"' in rels and 'Target="https://example.org/note"' in rels
    lo = convert_with_libreoffice(tmp_path / "out" / "p" / "p.docx", "html", tmp_path / "lo")
    html = " ".join(lo.read_text(errors="replace").split())
    assert 'href="https://example.org/note"' in html and "Second paragraph with" in html  # LibreOffice keeps both


def test_the_pdf_has_its_running_header_on_every_page_but_the_cover(sample_release: Path) -> None:
    from pypdf import PdfReader

    pages = PdfReader(str(sample_release / "fentanyl-parallel" / "fentanyl-parallel.pdf")).pages
    for page in pages[1:]:  # the contents page has no other occurrence of the title
        assert "Fentanyl and the Cartels" in page.extract_text().splitlines(), page.extract_text()[:80]


def test_section_properties_follow_the_schema_order(sample_release: Path) -> None:
    import re
    import zipfile

    with zipfile.ZipFile(sample_release / "cartel-policy-2025" / "cartel-policy-2025.docx") as zf:
        body = zf.read("word/document.xml").decode()
    for sect_pr in re.findall(r"<w:sectPr[ >].*?</w:sectPr>", body):
        tags = re.findall(r"<w:(headerReference|footerReference|footnotePr|type|pgSz|pgMar|titlePg)\b", sect_pr)
        order = ["headerReference", "footerReference", "footnotePr", "type", "pgSz", "pgMar", "titlePg"]
        positions = [order.index(t) if t != "footerReference" else 0 for t in tags]
        assert positions == sorted(positions), tags


def test_a_link_whose_text_holds_a_citation(tmp_path: Path) -> None:
    import zipfile

    from pypdf import PdfReader

    summary = (
        "---\ntitle: T\nsource: directive2025\n---\n\n"
        "Read [the order, as reported [@directive2025], in full](https://example.org/order) today.\n"
    )
    packet = packet_with(tmp_path, summary, "languages: [en]\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
        body = zf.read("word/document.xml").decode()
    assert "](" not in body and "in full" in body and "w:hyperlink" in body and "w:footnoteReference" in body
    text = " ".join(p.extract_text() for p in PdfReader(str(tmp_path / "out" / "p" / "p.pdf")).pages)
    assert "](" not in text and "[@" not in text and "in full" in text


def test_citations_in_a_title_and_a_heading(tmp_path: Path) -> None:
    import zipfile

    from pypdf import PdfReader

    summary = (
        "---\ntitle: The directive [@directive2025]\nsource: directive2025\n---\n\n"
        "## What it says [@directive2025]\n\nText.\n"
    )
    packet = packet_with(tmp_path, summary, "languages: [en]\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(str(tmp_path / "out" / "p" / "p.pdf"))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "@directive2025" not in text and "Trump Orders the Pentagon" in text  # rendered, in notes

    def titles(outline: list) -> list[str]:  # type: ignore[type-arg]
        return [t for item in outline for t in (titles(item) if isinstance(item, list) else [item.title])]

    labels = titles(reader.outline)
    assert "The directive" in labels and any("What it says" in label for label in labels), labels
    assert not any("Trump" in label or "Wire" in label for label in labels), labels  # no note text in a bookmark
    with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
        body, notes = zf.read("word/document.xml").decode(), zf.read("word/footnotes.xml").decode()
    assert "@directive2025" not in body and body.count("w:footnoteReference") == 2 and "Trump Orders" in notes
    summary_path = packet.parent.parent / "summaries" / "s.md"
    summary_path.write_text(summary.replace("title: The directive [@directive2025]", "title: The directive [@nope]"))
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out2"))
    assert result.returncode == 1 and "unknown citation key `@nope`" in result.stderr


def test_the_docx_is_word_clean(sample_release: Path) -> None:
    """No python-docx template leftovers, every run in a language, Spanish contents entries in Spanish, no theme
    font overriding the heading fonts, proofing not marked done."""
    import re
    import zipfile

    with zipfile.ZipFile(sample_release / "cartel-policy-2025" / "cartel-policy-2025.docx") as zf:
        names = set(zf.namelist())
        parts = {name: zf.read(name).decode() for name in names if name.endswith((".xml", ".rels"))}
    assert "docProps/thumbnail.jpeg" not in names and "thumbnail" not in parts["_rels/.rels"]
    assert "<Application>briefkit</Application>" in parts["docProps/app.xml"]
    assert "python-docx" not in parts["docProps/core.xml"]
    assert "proofState" not in parts["word/settings.xml"]
    for name in ("word/document.xml", "word/footnotes.xml", "word/header1.xml", "word/footer1.xml"):
        runs = re.findall(r"<w:r(?: [^>]*)?>.*?</w:r>", parts[name])
        assert runs and all("<w:lang " in run for run in runs), name
    toc_spanish = re.findall(r'w:anchor="es-ES-\d"[^>]*>(.*?)</w:hyperlink>', parts["word/document.xml"])
    assert toc_spanish and all('w:val="es-ES"' in entry for entry in toc_spanish)
    heading = re.search(r'w:styleId="Heading1".*?</w:style>', parts["word/styles.xml"], re.S)
    assert heading is not None and "asciiTheme" not in heading.group(0) and "Palatino Linotype" in heading.group(0)


def test_docx_table_columns_are_as_wide_as_their_content(tmp_path: Path) -> None:
    import docx

    summary = (
        "---\ntitle: T\nsource: directive2025\n---\n\n"
        "| # | Measure | What it would do, in the words of the memo itself |\n|---|---|---|\n"
        "| 1 | Designate | Unlock asset freezes, prosecution of material supporters and intelligence sharing |\n"
        "| 2 | Sanction | Sanction the suppliers of precursor chemicals and expand extraditions |\n"
    )
    packet = packet_with(tmp_path, summary, "languages: [en]\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    table = docx.Document(str(tmp_path / "out" / "p" / "p.docx")).tables[0]
    grid = [column.width for column in table.columns]
    cells = [[cell.width for cell in row.cells] for row in table.rows]
    assert all(row == grid for row in cells)  # grid and cells agree (LibreOffice reads one, Word the other)
    number, measure, wide = (w / sum(grid) for w in grid)
    assert number < 0.1 and 0.1 < measure < 0.3 and wide > 0.6


def test_table_rows_in_a_parallel_column_move_to_the_next_page_whole(tmp_path: Path) -> None:
    # A table in a parallel column sits in a cell of the two-column table. Its rows split across pages, a cell's
    # last words alone at the top of the next page; rows of a data table now move whole (w:cantSplit).
    rows = "".join(
        f"| Measure {n} | The agency reviews the programme every quarter and reports its results to the board "
        f"in a public hearing number {n} |\n"
        for n in range(1, 41)
    )
    summary = (
        "---\ntitle: T\nsource: directive2025\n---\n\nOpening paragraph.\n\n| Measure | Review |\n|---|---|\n" + rows
    )
    packet = packet_with(tmp_path, summary, "layout: parallel\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    source = tmp_path / "out" / "p" / "p.docx"
    reader = PdfReader(str(convert_with_libreoffice(source, "pdf", tmp_path / "lo")))
    assert len(reader.pages) >= 4  # the table runs over several pages
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    document = docx.Document(str(source))
    nested = [inner for row in document.tables[0].rows for cell in row.cells for inner in cell.tables]
    assert len(nested) == 2  # the English and the Spanish table
    for table in nested:
        for row in table.rows:
            for cell in row.cells:
                text = " ".join(cell.text.split())
                assert any(text in page for page in pages), f"split across pages: {text!r}"


def test_an_image_file_over_a_megabyte_reaches_the_pdf(tmp_path: Path) -> None:
    # A 1 MB picture file (the limit is 5 MB) stopped the PDF: the writer embeds it as a data: URL, and its
    # own fetcher held it to the 1 MB limit of data: URLs typed in a summary
    from PIL import Image as PillowImage

    summary = "---\ntitle: T\nsource: directive2025\n---\n\n![Noise](noise.png)\n"
    packet = packet_with(tmp_path, summary, "languages: [en]\n")
    noise = PillowImage.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3))
    noise.save(packet.parent.parent / "summaries" / "noise.png")
    assert (packet.parent.parent / "summaries" / "noise.png").stat().st_size > 1_000_000
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(str(tmp_path / "out" / "p" / "p.pdf"))
    assert any(page.images for page in reader.pages)


def test_citations_link_to_their_bibliography_entries_in_author_date_styles(tmp_path: Path) -> None:
    # Pandoc's link-citations: on by default for author-date and numeric styles, per packet `link_citations`;
    # each half links to its own bibliography (anchors carry the language)
    import zipfile

    summary = "---\ntitle: T\nsource: directive2025\n---\n\nA claim [@directive2025] and [@rose2023fentanyl, 4].\n"
    packet = packet_with(tmp_path, summary, "citation_style: apa\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(str(tmp_path / "out" / "p" / "p.pdf"))
    dests = [
        (str(a.get_object()["/Dest"]), str(a.get_object().get("/Contents", "")))
        for page in reader.pages
        for a in page.get("/Annots") or []
        if "/Dest" in a.get_object()
    ]
    links = dict(dests)
    for lang in ("en-US", "es-ES"):
        assert f"ref-{lang}-directive2025" in links and f"ref-{lang}-rose2023fentanyl" in links
    assert links["ref-en-US-rose2023fentanyl"].startswith("Rose, J.")  # described by the entry's words
    named = reader.trailer["/Root"]["/Names"]["/Dests"]["/Names"]
    assert "ref-es-ES-directive2025" in [str(named[i]) for i in range(0, len(named), 2)]  # the target exists
    with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
        body = zf.read("word/document.xml").decode()
    assert '<w:hyperlink w:anchor="ref-en-US-directive2025"' in body
    assert 'w:name="ref-en-US-directive2025"' in body and 'w:name="ref-es-ES-directive2025"' in body
    # a note style does not link by default; a packet can turn links off
    # a key too long for a Word bookmark, with characters one cannot hold: its digest stands in, both ends agree
    import json

    references = packet.parent.parent / "references.json"
    long_key = "unitednationsofficeondrugsandcrime:2023:globalreportoncocaine"
    entries = [*json.loads(references.read_text()), {"id": long_key, "type": "report", "title": "Global Report"}]
    references.write_text(json.dumps(entries))
    summary_file = packet.parent.parent / "summaries" / "s.md"
    summary_file.write_text(summary_file.read_text() + f"\nAnd [@{long_key}].\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
        body = zf.read("word/document.xml").decode()
    anchors = set(re.findall(r'<w:hyperlink w:anchor="(ref-[^"]+)"', body))
    bookmarks = set(re.findall(r'<w:bookmarkStart [^>]*w:name="(ref-[^"]+)"', body))
    assert len(anchors) == 6 and anchors <= bookmarks and all(len(name) <= 40 for name in bookmarks)
    reader = PdfReader(str(tmp_path / "out" / "p" / "p.pdf"))
    named = reader.trailer["/Root"]["/Names"]["/Dests"]["/Names"]
    pdf_anchors = {str(named[i]) for i in range(0, len(named), 2)}
    assert anchors <= pdf_anchors
    for extra in ("citation_style: chicago-notes-bibliography\n", "citation_style: apa\nlink_citations: no\n"):
        packet.write_text(packet.read_text().split("citation_style")[0] + extra)
        result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx")
        assert result.returncode == 0, result.stderr
        with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
            assert "ref-en-US-" not in zf.read("word/document.xml").decode()


def test_formatting_inside_citations_reaches_both_writers(tmp_path: Path) -> None:
    # citeproc's superscript, subscript, small caps and underline were dropped ("The 21st-Century Drug War"
    # lost its superscript); they now travel through the model into both writers
    import json
    import zipfile

    summary = "---\ntitle: T\nsource: drugwar2021\n---\n\nA claim [@drugwar2021].\n"
    packet = packet_with(tmp_path, summary, "languages: [en]\n")
    references = packet.parent.parent / "references.json"
    entries = json.loads(references.read_text())
    entries.append(
        {
            "id": "drugwar2021",
            "type": "book",
            "title": 'The 21<sup>st</sup>-Century Drug War: H<sub>2</sub>O and <span style="font-variant:small-caps;">'
            "nato</span> Policy",
            "author": [{"family": "Lopez", "given": "Ana"}],
            "issued": {"date-parts": [[2021]]},
        }
    )
    references.write_text(json.dumps(entries))
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
        xml = zf.read("word/footnotes.xml").decode() + zf.read("word/document.xml").decode()
    assert re.search(r'<w:vertAlign w:val="superscript"/>(?:(?!</w:r>).)*<w:t>st</w:t>', xml)
    assert re.search(r'<w:vertAlign w:val="subscript"/>(?:(?!</w:r>).)*<w:t>2</w:t>', xml)
    assert re.search(r"<w:smallCaps/>(?:(?!</w:r>).)*<w:t>nato</w:t>", xml)
    # in the PDF, "st" is drawn smaller and higher than the "21" before it
    reader = PdfReader(str(tmp_path / "out" / "p" / "p.pdf"))
    drawn: list[tuple[str, float, float]] = []

    def text(chunk: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if chunk.strip():
            drawn.append((chunk, tm[5] * cm[3] + cm[5], size * tm[3] * cm[3]))

    for page in reader.pages:
        page.extract_text(visitor_text=text)
    index = next(i for i, (chunk, _, _) in enumerate(drawn) if chunk.rstrip().endswith("21"))
    after = next(item for item in drawn[index + 1 :] if item[0].strip().startswith("st"))
    assert after[1] > drawn[index][1] and after[2] < drawn[index][2]


def test_a_work_the_style_prints_as_nothing_has_no_empty_entry_and_no_dangling_link(tmp_path: Path) -> None:
    # APA prints a personal communication in the text only; its citation linked to a bookmark never written
    # (Word) and to an id the page never had (PDF), and its bibliography entry was an empty paragraph
    import json
    import zipfile

    summary = "---\ntitle: T\nsource: directive2025\n---\n\nA claim [@directive2025] and a call [@ruiz-call].\n"
    packet = packet_with(tmp_path, summary, "citation_style: apa\n")
    references = packet.parent.parent / "references.json"
    call = {
        "id": "ruiz-call",
        "type": "personal_communication",
        "title": "Call with the port authority",
        "author": [{"family": "Ruiz", "given": "Tomás"}],
        "issued": {"date-parts": [[2021, 3, 4]]},
    }
    references.write_text(json.dumps([*json.loads(references.read_text()), call]))
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "p" / "p.docx") as zf:
        body = zf.read("word/document.xml").decode()
    anchors = set(re.findall(r'<w:hyperlink w:anchor="([^"]+)"', body))
    bookmarks = set(re.findall(r'<w:bookmarkStart [^>]*w:name="([^"]+)"', body))
    assert "ref-en-US-directive2025" in anchors and anchors <= bookmarks, anchors - bookmarks
    assert not any("ruiz-call" in anchor for anchor in anchors)
    document = docx.Document(str(tmp_path / "out" / "p" / "p.docx"))
    texts = [p.text for p in document.paragraphs]
    assert any("T. Ruiz, personal communication" in t for t in texts)  # the citation is there, as text
    heading = next(i for i, t in enumerate(texts) if t == "Bibliography")
    entries = texts[heading + 1 : heading + 4]
    assert entries and all(t.strip() for t in entries), entries  # no empty entry paragraph
    reader = PdfReader(str(tmp_path / "out" / "p" / "p.pdf"))
    dests = {
        str(a.get_object()["/Dest"])
        for page in reader.pages
        for a in page.get("/Annots") or []
        if "/Dest" in a.get_object()
    }
    named = reader.trailer["/Root"]["/Names"]["/Dests"]["/Names"]
    assert "ref-en-US-directive2025" in dests and dests <= {str(named[i]) for i in range(0, len(named), 2)}
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "personal communication" in text
