"""Golden tests per construct, as Pandoc keeps them: every Markdown construct alone (each its own summary),
through both writers, in the sequential and the parallel layout; each DOCX also through LibreOffice."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from html import unescape
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import INPUTS, convert_with_libreoffice, run_cli
from tests.pdf_structure import StructNode, read_structure

GOLDEN = Path(__file__).parent / "golden" / "constructs.yaml"
CONSTRUCTS: dict[str, dict[str, list[str] | str]] = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
NAMES = list(CONSTRUCTS)


def folded(text: str) -> str:
    return " ".join(text.replace("\u2010\n", "").replace("\u00ad", "").split())


def slug(name: str) -> str:
    return re.sub(r"\W+", "-", name).strip("-")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both layouts built once from one summary per construct; LibreOffice's text of the sequential DOCX."""
    root = tmp_path_factory.mktemp("golden")
    inputs = root / "inputs"
    (inputs / "summaries").mkdir(parents=True)
    (inputs / "packets").mkdir()
    shutil.copy(INPUTS / "references.json", inputs / "references.json")
    for name, case in CONSTRUCTS.items():
        front = f"---\ntitle: {name.capitalize()}\nsource: directive2025\n---\n\n"
        (inputs / "summaries" / f"{slug(name)}.md").write_text(front + str(case["md"]) + "\n", encoding="utf-8")
    summaries = "".join(f"  - ../summaries/{slug(name)}.md\n" for name in NAMES)
    common = f"title: Golden\nbibliography: ../references.json\nsummaries:\n{summaries}"
    (inputs / "packets" / "seq.yaml").write_text(f"id: seq\nlanguages: [en]\n{common}", encoding="utf-8")
    (inputs / "packets" / "par.yaml").write_text(f"id: par\nlayout: parallel\n{common}", encoding="utf-8")
    env = {**os.environ, "BRIEFKIT_MODELS": str(root / "none"), "ARGOS_PACKAGES_DIR": str(root / "none")}
    for packet in ("seq", "par"):
        result = run_cli("build", f"inputs/packets/{packet}.yaml", "--out", "out", cwd=root, env=env)
        assert result.returncode == 0, result.stderr
    lo = convert_with_libreoffice(root / "out" / "seq" / "seq.docx", "html", root / "lo")
    return {"root": root, "seq": root / "out" / "seq", "par": root / "out" / "par", "lo": lo}


def docx_part_of(folder: Path, name: str, packet: str) -> str:
    """The construct's part of word/document.xml (between its summary's bookmark and the next) and the
    footnotes it calls."""
    with zipfile.ZipFile(folder / f"{packet}.docx") as zf:
        body = zf.read("word/document.xml").decode()
        notes = zf.read("word/footnotes.xml").decode() if "word/footnotes.xml" in zf.namelist() else ""
    n = NAMES.index(name) + 1
    start = body.index(f'w:name="en-US-{n}"')
    following = body.find(f'w:name="en-US-{n + 1}"', start)
    part = body[start : following if following > 0 else len(body)]
    for note_id in re.findall(r'<w:footnoteReference w:id="(\d+)"', part):
        m = re.search(rf'<w:footnote w:id="{note_id}">.*?</w:footnote>', notes, re.S)
        part += m.group(0) if m else ""
    return part


def pdf_facts(folder: Path, packet: str) -> tuple[str, set[str]]:
    reader = PdfReader(str(folder / f"{packet}.pdf"))
    text = folded(" ".join(page.extract_text() for page in reader.pages))
    links = {
        str(annotation.get_object()["/A"]["/URI"])
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]
    }
    return text, links


@pytest.mark.parametrize("name", NAMES)
def test_construct_in_the_docx(built: dict[str, Path], name: str) -> None:
    part = docx_part_of(built["seq"], name, "seq")
    for pattern in CONSTRUCTS[name].get("docx", []):
        assert re.search(str(pattern), part, re.S), f"{name}: {pattern!r} not in its DOCX part"
    assert "@directive2025" not in part and "@rose2023fentanyl" not in part and "](" not in part


@pytest.mark.parametrize("name", NAMES)
def test_construct_in_the_pdf(built: dict[str, Path], name: str) -> None:
    text, links = pdf_facts(built["seq"], "seq")
    for expected in CONSTRUCTS[name].get("pdf", []):
        assert folded(str(expected)) in text, f"{name}: {expected!r} not in the PDF"
    for target in CONSTRUCTS[name].get("links", []):
        assert target in links, f"{name}: no link to {target}"


def structure_parts(folder: Path, packet: str) -> list[list[StructNode]]:
    """Each summary's part of the PDF's structure tree, in order: its article (one Art per page it spans, a new
    summary's starting with its title) and the notes its links call."""
    document = read_structure(folder / f"{packet}.pdf")
    notes = {node.id: node for node in document.walk() if node.tag == "Note"}
    parts: list[list[StructNode]] = []
    for node in document.walk():
        if node.tag == "Art":
            if node.children and node.children[0].tag == "H2":
                parts.append([])
            parts[-1].append(node)
    for part in parts:
        called = [dest for art in part for node in art.walk() for dest in node.dests if dest in notes]
        part.extend(notes[dest] for dest in called)
    return parts


@pytest.mark.parametrize("name", NAMES)
def test_construct_in_the_pdf_structure(built: dict[str, Path], name: str) -> None:
    parts = structure_parts(built["seq"], "seq")
    assert len(parts) == len(NAMES)
    part = parts[NAMES.index(name)]
    assert folded(part[0].children[0].text) == name.capitalize()
    tags = {node.tag for root in part for node in root.walk()}
    for tag in CONSTRUCTS[name].get("tags", []):
        assert tag in tags, f"{name}: no {tag} in its part of the structure tree ({sorted(tags)})"
    for node in (node for root in part for node in root.walk()):
        assert node.tag != "Figure" or node.alt, f"{name}: a figure without alternative text"
        assert node.tag != "Note" or node.text.strip()[:1].isdigit(), f"{name}: a note without its number"


@pytest.mark.parametrize("name", NAMES)
def test_construct_through_libreoffice(built: dict[str, Path], name: str) -> None:
    html = built["lo"].read_text(encoding="utf-8", errors="replace")  # footnotes included, unlike its text export
    inline_tags_dropped = re.sub(r"</?(?:span|i|b|u|s|font|code|tt|a|sup|sub)\b[^>]*>", "", html)
    text = folded(unescape(re.sub(r"<[^>]+>", " ", inline_tags_dropped)))
    for expected in CONSTRUCTS[name].get("lo", []):
        assert folded(str(expected)) in text, f"{name}: {expected!r} not in LibreOffice's text"


@pytest.mark.parametrize("name", NAMES)
def test_construct_in_the_parallel_layout(built: dict[str, Path], name: str) -> None:
    text, links = pdf_facts(built["par"], "par")
    for expected in CONSTRUCTS[name].get("pdf", []):
        assert folded(str(expected)) in text, f"{name}: {expected!r} not in the parallel PDF"
    for target in CONSTRUCTS[name].get("links", []):
        assert target in links, f"{name}: no link to {target} in the parallel PDF"
    with zipfile.ZipFile(built["par"] / "par.docx") as zf:
        body = zf.read("word/document.xml").decode()
    assert f"{name.capitalize()}" in body
