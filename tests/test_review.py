"""Editor review round trip, end to end through the CLI with the real engine: build → export → edit as an editor
would (Word with python-docx; XLIFF with lxml) → import → rebuild."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from pypdf import PdfReader

from tests.conftest import INPUTS, run_cli

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "none"), "ARGOS_PACKAGES_DIR": str(tmp_path / "none")}
    packet = tmp_path / "inputs" / "packets" / "fentanyl-parallel.yaml"
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return tmp_path, env


def cli(workspace: tuple[Path, dict[str, str]], *args: str):  # type: ignore[no-untyped-def]
    root, env = workspace
    return run_cli(*args, cwd=root, env=env)


def rows_by_id(document: docx.document.Document) -> dict[str, list]:  # type: ignore[type-arg]
    found = {}
    for table in document.tables:
        for row in table.rows:
            cells = row.cells
            text = cells[0].text.strip()
            if len(cells) == 5 and "#" in text:
                found[text.split()[0]] = cells
    return found


def test_review_round_trip_through_word(workspace: tuple[Path, dict[str, str]]) -> None:
    root, _ = workspace
    packet = "inputs/packets/fentanyl-parallel.yaml"
    result = cli(workspace, "review", "export", packet, "--out", "review")
    assert result.returncode == 0, result.stderr
    path = root / "review" / "fentanyl-parallel" / "fentanyl-parallel.review.docx"
    document = docx.Document(str(path))
    rows = rows_by_id(document)
    assert len(rows) == 39
    # Protected spans are grey tokens the editor can read.
    first = rows["fentanyl-war-002"]
    assert "{2: @lestorti2024fentanyl}" in first[1].text and "{2: @lestorti2024fentanyl}" in first[2].text
    assert any(r.style.name == "Protected token" for r in first[2].paragraphs[0].runs)
    assert [r.text for r in document.paragraphs if r.style.name == "Heading 1"] == [
        "Op-ed: declare war on fentanyl",
        "Trump orders the Pentagon to act against foreign drug cartels",
    ]

    # The editor: three corrected targets, one approved as is, one protected token broken.
    rows["fentanyl-war-001"][2].text = "La tesis de los autores"
    rows["fentanyl-war-004"][2].text = "Las tres propuestas"
    third = rows["fentanyl-war-003"]
    assert "{1: el Cártel de Sinaloa}" in third[2].text
    third[2].text = (
        "Los autores responsabilizan a {1: el Cártel de Sinaloa} y a {2: el Cártel de Jalisco Nueva Generación} "
        "de la mayor parte de la producción y la distribución. Ambos grupos están bien financiados y armados, "
        "con mandos en México y en el suroeste estadounidense, y recurren a la violencia y la corrupción para "
        "controlar territorio {3: @lestorti2024fentanyl}."
    )
    rows["military-directive-cartels-000"][3].text = "approved"
    rows["fentanyl-war-002"][2].text = rows["fentanyl-war-002"][2].text.replace("{2: @lestorti2024fentanyl}", "")
    document.core_properties.last_modified_by = "Ana Editor"
    document.save(str(path))

    result = cli(workspace, "review", "import", str(path))
    assert result.returncode == 1
    assert "segment fentanyl-war-002 not imported: protected tokens: missing slot 2" in result.stderr
    assert "imported 4 corrections" in result.stdout and "1 rejected" in result.stdout
    again = cli(workspace, "review", "import", str(path))
    assert "imported 0 corrections" in again.stdout and "(38 unchanged, 1 rejected)" in again.stdout

    status = cli(workspace, "review", "status", packet).stdout
    assert "fentanyl-war" in status and "not ready" in status
    total = next(line for line in status.splitlines() if line.startswith("total")).split()
    assert total[1:] == ["0", "35", "3", "1", "0"]

    result = cli(workspace, "build", packet, "--out", "out2")
    assert result.returncode == 0, result.stderr
    folder = root / "out2" / "fentanyl-parallel"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["translation"]["translated"] == 0  # no engine call: everything from memory
    qa = json.loads((folder / "qa.json").read_text())
    assert qa["origins"]["reviewed"] == 3 and qa["origins"]["approved"] == 1
    with zipfile.ZipFile(folder / "fentanyl-parallel.docx") as zf:
        body = zf.read("word/document.xml").decode()
    assert "La tesis de los autores" in body and "Las tres propuestas" in body
    text = " ".join(p.extract_text() for p in PdfReader(str(folder / "fentanyl-parallel.pdf")).pages)
    pdf = " ".join(re.sub(r"\u2010\n", "", text).split())  # undo the PDF's hyphenation
    assert "La tesis de los autores" in pdf and "recurren a la violencia y la corrupción" in pdf

    # The English of a reviewed segment changes: not silently reused, flagged with the earlier Spanish.
    summary = root / "inputs" / "summaries" / "fentanyl-war.md"
    summary.write_text(summary.read_text().replace("## The argument", "## The main argument"))
    result = cli(workspace, "build", packet, "--out", "out3", "--format", "docx")
    qa = json.loads((root / "out3" / "fentanyl-parallel" / "qa.json").read_text())
    flagged = [f for f in qa["findings"] if f["kind"] == "needs-review"]
    assert [f["source"] for f in flagged] == ["The main argument"]
    assert "La tesis de los autores" in flagged[0]["message"]
    cli(workspace, "review", "export", packet, "--out", "review2")
    document = docx.Document(str(root / "review2" / "fentanyl-parallel" / "fentanyl-parallel.review.docx"))
    row = rows_by_id(document)["fentanyl-war-001"]
    assert "Earlier reviewed Spanish: La tesis de los autores" in row[4].text
    assert 'w:fill="FFF2CC"' in row[2]._tc.xml


def test_review_round_trip_through_xliff(workspace: tuple[Path, dict[str, str]]) -> None:
    root, _ = workspace
    packet = "inputs/packets/fentanyl-parallel.yaml"
    assert cli(workspace, "review", "export", packet, "--out", "review").returncode == 0
    path = root / "review" / "fentanyl-parallel" / "fentanyl-parallel.review.xlf"
    tree = etree.parse(str(path))
    units = {u.get("id"): u for u in tree.iterfind(".//x:trans-unit", NS)}
    assert len(units) == 39
    assert tree.getroot().get("version") == "1.2"
    assert units["fentanyl-war-001"].find("x:target", NS).get("state") == "needs-review-translation"
    source = units["fentanyl-war-003"].find("x:source", NS)
    assert [x.get("equiv-text") for x in source.iterfind("x:x", NS)][:2] == [
        "the Sinaloa Cartel",
        "the Jalisco New Generation Cartel",
    ]

    # A CAT tool's edits: a corrected target, a sign-off, and a target that lost an inline code.
    target = units["fentanyl-war-001"].find("x:target", NS)
    target.text, target.attrib["state"] = "El argumento central", "translated"
    units["fentanyl-war-004"].find("x:target", NS).set("state", "final")
    broken = units["fentanyl-war-002"].find("x:target", NS)
    broken.remove(broken.find("x:x[@id='2']", NS))
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")

    # It still loads in translate-toolkit's XLIFF store (what Pootle/Weblate/Virtaal use).
    from translate.storage import xliff

    store = xliff.xlifffile.parsestring(path.read_bytes())
    assert len(store.units) == 39

    result = cli(workspace, "review", "import", str(path))
    assert "segment fentanyl-war-002 not imported" in result.stderr
    assert "imported 2 corrections" in result.stdout
    assert "imported 0 corrections" in cli(workspace, "review", "import", str(path)).stdout
    assert cli(workspace, "build", packet, "--out", "out2", "--format", "docx").returncode == 0
    with zipfile.ZipFile(root / "out2" / "fentanyl-parallel" / "fentanyl-parallel.docx") as zf:
        assert "El argumento central" in zf.read("word/document.xml").decode()


def test_review_import_of_a_file_that_is_not_a_review_file(tmp_path: Path) -> None:
    bad = tmp_path / "notes.docx"
    docx.Document().save(str(bad))
    result = run_cli("review", "import", str(bad))
    assert result.returncode == 1
    assert f"error: {bad}: no review rows found" in result.stderr
    xlf = tmp_path / "bad.xlf"
    xlf.write_text("<?xml version='1.0'?>\n<xliff>\n<file>\n</xliff>\n")
    assert f"error: {xlf}:4: not a valid XLIFF file" in run_cli("review", "import", str(xlf)).stderr
