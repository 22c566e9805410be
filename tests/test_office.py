"""The LibreOffice driver (tests/office.py) makes real edits: tracked changes by the given author, comments, cells.
Three LibreOffice runs in all (each start costs about two seconds): one with every edit kind tracked, one untracked,
one with a `find` that is not there."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from tests.office import (
    AppendToCell,
    Comment,
    Delete,
    Edit,
    InsertAfter,
    OfficeError,
    Replace,
    SetCell,
    edit_docx,
    office_available,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
EDITOR = "María Editora"
COMMENTER = "Ana Ruiz"

reason = office_available()
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


def build_source(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("El informe del Senado dice que el informe es claro.")
    document.add_paragraph("Segundo párrafo con texto viejo.")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Celda uno", (0, 1): "Celda dos", (1, 0): "Celda tres"}.items():
        table.cell(row, column).text = text
    table.cell(1, 1).text = "Senado en tabla"
    document.save(str(path))
    return path


def xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def visible_text(element: etree._Element) -> str:
    """The text as accepted-changes-off Word shows it: w:t (inserted and plain), not w:delText."""
    return "".join(element.xpath(".//w:t/text()", namespaces=NS))


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("office")
    destination = folder / "tracked.docx"
    edits: list[Edit] = [
        Replace("informe", "reporte", occurrence=1),
        Delete("viejo"),
        Comment("Senado", "¿Cámara de Diputados?", COMMENTER),
        InsertAfter("Segundo", " nuevo"),
        SetCell(0, 0, 0, "Celda cambiada"),
        AppendToCell(0, 1, 1, " final"),
        Comment("Senado", "en la tabla", COMMENTER, occurrence=1),
    ]
    edit_docx(build_source(folder / "source.docx"), destination, edits, author=EDITOR)
    return destination


def test_tracked_changes_carry_the_author_and_a_date(tracked: Path) -> None:
    body = xml(tracked, "word/document.xml")
    changes = body.xpath("//w:ins | //w:del", namespaces=NS)
    assert changes
    for change in changes:
        assert change.get(f"{{{W}}}author") == EDITOR
        assert change.get(f"{{{W}}}date")
    deleted = body.xpath("//w:del//w:delText/text()", namespaces=NS)
    inserted = "".join(body.xpath("//w:ins//w:t/text()", namespaces=NS))
    assert deleted == ["informe", "viejo", "Celda uno"]
    for text in ("reporte", " nuevo", "Celda cambiada", " final"):
        assert text in inserted


def test_edits_land_where_asked(tracked: Path) -> None:
    body = xml(tracked, "word/document.xml")
    paragraphs = [visible_text(paragraph) for paragraph in body.xpath("/w:document/w:body/w:p", namespaces=NS)]
    assert paragraphs == ["El informe del Senado dice que el reporte es claro.", "Segundo nuevo párrafo con texto ."]
    cells = [
        [visible_text(cell) for cell in row.xpath("w:tc", namespaces=NS)] for row in body.xpath("//w:tr", namespaces=NS)
    ]
    assert cells == [["Celda cambiada", "Celda dos"], ["Celda tres", "Senado en tabla final"]]
    # the cell keeps its one paragraph
    assert all(len(cell.xpath("w:p", namespaces=NS)) == 1 for cell in body.xpath("//w:tc", namespaces=NS))


def test_comments_have_their_author_text_and_range(tracked: Path) -> None:
    comments = xml(tracked, "word/comments.xml").xpath("//w:comment", namespaces=NS)
    assert [(comment.get(f"{{{W}}}author"), visible_text(comment)) for comment in comments] == [
        (COMMENTER, "¿Cámara de Diputados?"),
        (COMMENTER, "en la tabla"),
    ]
    assert all(comment.get(f"{{{W}}}date") for comment in comments)
    body = xml(tracked, "word/document.xml")
    for comment in comments:
        number = comment.get(f"{{{W}}}id")
        start = body.xpath(f"//w:commentRangeStart[@w:id='{number}']", namespaces=NS)
        assert len(start) == 1
        anchored = start[0].xpath(
            f"following-sibling::*[following-sibling::w:commentRangeEnd[@w:id='{number}']]//w:t/text()",
            namespaces=NS,
        )
        assert "".join(anchored) == "Senado"
    # the second comment is in the table
    assert body.xpath("//w:tc//w:commentRangeStart", namespaces=NS)


def test_python_docx_reopens_the_edited_file(tracked: Path) -> None:
    reopened = docx.Document(str(tracked))
    assert len(reopened.tables) == 1
    assert reopened.paragraphs[0].text.startswith("El informe del Senado")


def test_untracked_edits_change_the_text_without_revisions(tmp_path: Path) -> None:
    destination = tmp_path / "untracked.docx"
    edits: list[Edit] = [
        Replace("informe", "reporte"),
        SetCell(0, 1, 0, "Fila nueva"),
        Comment("claro", "bien", COMMENTER),
    ]
    edit_docx(build_source(tmp_path / "source.docx"), destination, edits, author=EDITOR, track_changes=False)
    body = xml(destination, "word/document.xml")
    assert not body.xpath("//w:ins | //w:del", namespaces=NS)
    reopened = docx.Document(str(destination))
    assert reopened.paragraphs[0].text == "El reporte del Senado dice que el informe es claro."
    assert reopened.tables[0].cell(1, 0).text == "Fila nueva"
    assert len(xml(destination, "word/comments.xml").xpath("//w:comment", namespaces=NS)) == 1


def test_a_find_that_is_not_there_fails_naming_it(tmp_path: Path) -> None:
    source = build_source(tmp_path / "source.docx")
    with pytest.raises(OfficeError, match="'Congreso' is not in the document"):
        edit_docx(source, tmp_path / "out.docx", [Replace("informe", "reporte"), Delete("Congreso")], author=EDITOR)
    assert not (tmp_path / "out.docx").exists()
