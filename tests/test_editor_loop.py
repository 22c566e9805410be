"""The review loop as editors live it, with real programs making the edits: LibreOffice Writer through UNO
(tracked changes, comments, table edits) and translate-toolkit's storage API (XLIFF). After each import every
segment of the packet is compared before and after: only what the editor changed differs, each change
attributed to its author."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from translate.storage import factory

from tests.conftest import INPUTS, run_cli
from tests.office import AppendToCell, Comment, Replace, SetCell, edit_docx, office_available
from toolkit.read.packet import load_packet
from toolkit.review.rows import as_seen, packet_review
from toolkit.translate.memory import TranslationMemory

pytestmark = pytest.mark.skipif(office_available() is not None, reason=str(office_available()))

SUMMARY = """---
title: "Water rights along the border"
source: lestorti2024fentanyl
date: 2024-11-09
summarized_by: Briefing desk
lang: en
---

## Water rights along the border

The authors describe how the cartel moved into water theft in 2023, taking 40 wells from
farmers near the border [@lestorti2024fentanyl].^[The figure comes from a state audit.]

Farmers asked the governor for help. Nothing changed for months.

Farmers asked the governor for help. Nothing changed for months.
"""
PACKET_FILE = """id: water
title: Water and the Cartels
organization: Borderlands Policy Briefings
date: 2025-08-12
languages: [en, es]
citation_style: chicago-author-date
bibliography: ../references.json
glossary: ../glossary.csv
summaries:
  - ../summaries/water-rights.md
"""
PACKET = "inputs/packets/water.yaml"
Snapshot = dict[str, tuple[str, str, str]]  # segment id -> (target as text, status, who)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    (tmp_path / "inputs" / "summaries" / "water-rights.md").write_text(SUMMARY)
    (tmp_path / "inputs" / "packets" / "water.yaml").write_text(PACKET_FILE)
    assert cli(tmp_path, "build", PACKET, "--out", "out").returncode == 0
    return tmp_path


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"BRIEFKIT_MODELS": str(root / "none"), "ARGOS_PACKAGES_DIR": str(root / "none")}
    return run_cli(*args, cwd=root, env={**__import__("os").environ, **env})


def snapshot(root: Path, packet: str = PACKET) -> Snapshot:
    """Every segment's target, status and author, as the memory has them for the packet now."""
    loaded = load_packet(root / packet)
    memory = TranslationMemory(loaded.memory, read_only=True)
    found: Snapshot = {}
    try:
        review = packet_review(loaded, memory)
        for row in review.rows:
            keys = [row.item.context_key, row.item.memory_key] if row.item.shared else [row.item.memory_key]
            units = memory.lookup(keys, row.pair)
            unit = next(units[key] for key in keys if key in units)
            found[row.item.id] = (as_seen(row.target, row.item.segment), row.status, unit.produced_by)
    finally:
        memory.close()
    return found


def changed(before: Snapshot, after: Snapshot) -> dict[str, tuple[str, str, str]]:
    assert before.keys() == after.keys()
    return {ident: after[ident] for ident in before if before[ident] != after[ident]}


def ids_of(snap: Snapshot, text: str) -> list[str]:
    return [ident for ident, (target, _, _) in snap.items() if target == text]


def export(root: Path, out: str = "review") -> tuple[Path, Path]:
    result = cli(root, "review", "export", PACKET, "--out", out)
    assert result.returncode == 0, result.stderr
    folder = root / out / "water"
    return folder / "water.review.docx", folder / "water.review.xlf"


def imported(root: Path, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(root, "review", "import", str(path), *args)


def table_place(path: Path, segment: str) -> tuple[int, int]:
    """(table, row) of a segment's row in the review DOCX, counted as LibreOffice counts them."""
    for t, table in enumerate(docx.Document(str(path)).tables):
        for r, row in enumerate(table.rows):
            if row.cells[0].text.split("\n")[0] == segment:
                return t, r
    raise AssertionError(f"no row for {segment}")


def pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(str(path)).pages)
    return " ".join(re.sub(r"\u2010\n", "", text).split())


def test_untouched_files_store_nothing(root: Path) -> None:
    """Imported as saved by the programs, untouched: stored 0, exit 0, whatever the QA says of the machine rows."""
    before = snapshot(root)
    review_docx, xliff = export(root)
    packet_docx = root / "out" / "water" / "water.docx"
    for name, source in (("packet", packet_docx), ("review", review_docx)):
        saved = root / f"{name}-saved.docx"
        edit_docx(source, saved, [], author="Ana Ruiz")
        for path in (source, saved):
            result = imported(root, path, "--editor", "Ana Ruiz")
            assert result.returncode == 0, result.stderr
            assert "stored 0 corrections" in result.stdout, result.stdout
    store = factory.getobject(str(xliff))
    resaved = root / "cat.xlf"
    resaved.write_bytes(bytes(store))
    result = imported(root, resaved, "--editor", "Ana Ruiz")
    assert result.returncode == 0 and "stored 0 corrections" in result.stdout, result.stderr
    assert snapshot(root) == before


def test_a_repeated_title_edited_in_one_place_and_edits_beside_notes(root: Path) -> None:
    before = snapshot(root)
    title = "Derechos de agua a lo largo del frontera"
    twice = "Los labradores pidieron el gobernador para ayuda. Nada cambiado para meses."
    title_id, heading_id = ids_of(before, title)
    first_twin, second_twin = ids_of(before, twice)
    paragraph = next(ident for ident, (text, _, _) in before.items() if "robo de agua" in text)
    packet_docx = root / "out" / "water" / "water.docx"
    edited = root / "edited.docx"
    edit_docx(
        packet_docx,
        edited,
        [
            Replace(title, "Derechos de agua en la frontera", occurrence=2),  # contents, title, heading
            Replace("Nada cambiado para meses", "Nada cambió en meses", occurrence=1),
            Replace("se acercan la frontera", "cerca de la frontera"),  # just before the citation and note
            Comment("robo de agua", "¿«hurto»?", author="Ana Ruiz"),
        ],
        author="Ana Ruiz",
    )
    result = imported(root, edited)
    assert result.returncode == 0, result.stderr
    assert "stored 3 corrections" in result.stdout and "1 notes added" in result.stdout
    after = snapshot(root)
    assert changed(before, after) == {
        heading_id: ("Derechos de agua en la frontera", "reviewed", "Ana Ruiz"),
        second_twin: (
            "Los labradores pidieron el gobernador para ayuda. Nada cambió en meses.",
            "reviewed",
            "Ana Ruiz",
        ),
        paragraph: (after[paragraph][0], "reviewed", "Ana Ruiz"),
    }
    assert after[title_id] == before[title_id] and after[first_twin] == before[first_twin]
    assert "cerca de la frontera" in after[paragraph][0]
    assert cli(root, "build", PACKET, "--out", "out2").returncode == 0
    pdf = pdf_text(root / "out2" / "water" / "water.pdf")
    assert title in pdf and "Derechos de agua en la frontera" in pdf
    assert "Nada cambió en meses" in pdf and "Nada cambiado para meses" in pdf
    assert "cerca de la frontera (Lestorti" in pdf and "auditoría estatal" in pdf  # the citation and its note kept
    status = cli(root, "review", "status", PACKET)
    assert re.search(r"total\s+0\s+3\s+3\s+0\s+0\s+1\s+0", status.stdout), status.stdout


def test_deliberate_departures_are_stored_and_flagged(root: Path) -> None:
    """A term other than the glossary's and a figure written out: stored as written, flagged, exit 3."""
    before = snapshot(root)
    paragraph = next(ident for ident, (text, _, _) in before.items() if "robo de agua" in text)
    review_docx, _ = export(root)
    table, row = table_place(review_docx, paragraph)
    text = (
        "Los autores cuentan que la mafia pasó al robo de agua en 2023 y quitó cuarenta pozos a los "
        "agricultores de la frontera {2 cite: Lestorti 2024}.{3 note}"
    )
    edited = root / "departures.docx"
    edit_docx(
        review_docx,
        edited,
        [SetCell(table, row, 2, text), AppendToCell(table, row, 4, " ¿«pozos» o «norias»?")],
        author="Luis Gil",
    )
    result = imported(root, edited)
    assert result.returncode == 3, result.stderr
    assert "stored 1 corrections" in result.stdout and "1 notes added" in result.stdout
    assert result.stderr.count("flagged: ") == 2, result.stderr
    assert "cártel" in result.stderr and "40" in result.stderr
    after = snapshot(root)
    assert changed(before, after) == {
        paragraph: (
            "Los autores cuentan que la mafia pasó al robo de agua en 2023 y quitó cuarenta pozos a los "
            "agricultores de la frontera {2 cite: @lestorti2024fentanyl}.{3 note}",
            "reviewed",
            "Luis Gil",
        )
    }
    again, _ = export(root, "again")
    table, row = table_place(again, paragraph)
    notes = docx.Document(str(again)).tables[table].rows[row].cells[4].text
    assert "Luis Gil" in notes and "¿«pozos» o «norias»?" in notes
    assert notes.count("¿«pozos»") == 1 and "Unknown to the engine" not in notes  # a person's text now
    assert "QA (the editor's choice, kept)" in notes and "cártel" in notes
    status = cli(root, "review", "status", PACKET)
    assert re.search(r"total(\s+\d+){6}\s+1$", status.stdout, re.M), status.stdout
    qa = cli(root, "build", PACKET, "--out", "out2")
    assert qa.returncode == 0
    report = (root / "out2" / "water" / "qa.md").read_text()
    assert "cártel" in report and paragraph in report


def test_xliff_edited_with_translate_toolkit_two_editors_and_undo(root: Path) -> None:
    before = snapshot(root)
    twice = "Los labradores pidieron el gobernador para ayuda. Nada cambiado para meses."
    first_twin, _ = ids_of(before, twice)
    _, xliff = export(root)
    _, other = export(root, "other")
    for path, text, editor in (
        (xliff, "Los agricultores pidieron ayuda al gobernador. Nada cambió en meses.", "Ana Ruiz"),
        (other, "Los campesinos pidieron ayuda al gobernador. Pasaron meses sin cambios.", "Luis Gil"),
    ):
        store = factory.getobject(str(path))
        unit = next(u for u in store.units if u.getid().split("\x04")[-1] == first_twin)  # file\x04id
        unit.target = text
        unit.addnote(f"Revisado por {editor.split()[0]}", origin="translator")
        path.write_bytes(bytes(store))
    result = imported(root, xliff, "--editor", "Ana Ruiz")
    assert result.returncode == 0 and "stored 1 corrections" in result.stdout, result.stderr
    import_id = re.search(r"\(import (\S+)\)", result.stdout).group(1)  # type: ignore[union-attr]
    conflict = imported(root, other, "--editor", "Luis Gil")
    assert conflict.returncode == 1 and f"segment {first_twin} changed in the memory" in conflict.stderr
    assert "Ana Ruiz" in conflict.stderr
    after = snapshot(root)
    assert changed(before, after) == {
        first_twin: ("Los agricultores pidieron ayuda al gobernador. Nada cambió en meses.", "reviewed", "Ana Ruiz")
    }
    memory = TranslationMemory(load_packet(root / PACKET).memory, read_only=True)
    notes = [(n.segment, n.author, n.text) for n in memory.notes("en-es")]
    memory.close()
    assert (first_twin, "Ana Ruiz", "Revisado por Ana") in notes and (first_twin, "translator", "") not in notes
    assert all(author != "translator" for _, author, _ in notes)
    undo = cli(root, "review", "undo", import_id, PACKET, "--editor", "Marta Paz")
    assert undo.returncode == 0 and "1 segments restored" in undo.stdout
    assert snapshot(root) == before
    history = cli(root, "memory", "history", first_twin, "--packet", PACKET)
    assert history.returncode == 0, history.stderr
    assert f"undo:{import_id} by Marta Paz" in history.stdout


def test_a_paragraph_inserted_after_review_leaves_notes_and_reviews_on_their_sentence(root: Path) -> None:
    before = snapshot(root)
    paragraph = next(ident for ident, (text, _, _) in before.items() if "robo de agua" in text)
    review_docx, _ = export(root)
    table, row = table_place(review_docx, paragraph)
    edited = root / "noted.docx"
    edit_docx(review_docx, edited, [AppendToCell(table, row, 4, "Comprobar la auditoría.")], author="Ana Ruiz")
    assert imported(root, edited).returncode == 0
    summary = root / "inputs" / "summaries" / "water-rights.md"
    summary.write_text(
        summary.read_text().replace(
            "## Water rights along the border\n",
            "## Water rights along the border\n\nA new opening paragraph about the drought.\n",
        )
    )
    assert cli(root, "build", PACKET, "--out", "out2").returncode == 0
    after = snapshot(root)
    assert {ident: after[ident] for ident in before} == before  # every earlier segment keeps its id and text
    qa = (root / "out2" / "water" / "qa.json").read_text()
    assert "needs-review" not in qa
    again, _ = export(root, "again")
    table, row = table_place(again, paragraph)
    assert "Comprobar la auditoría." in docx.Document(str(again)).tables[table].rows[row].cells[4].text


def test_a_spanish_source_correction_is_checked_in_its_own_direction(root: Path) -> None:
    packet = "inputs/packets/carteles-es.yaml"
    assert cli(root, "build", packet, "--out", "out").returncode == 0
    before = snapshot(root, packet)
    target = next(ident for ident, (text, _, _) in before.items() if re.search(r"\bcartel", text))
    result = cli(root, "review", "export", packet, "--out", "review")
    assert result.returncode == 0, result.stderr
    review_docx = next((root / "review").rglob("*.review.docx"))
    table, row = table_place(review_docx, target)
    cell = docx.Document(str(review_docx)).tables[table].rows[row].cells[2].text
    edited = root / "es.docx"
    edit_docx(review_docx, edited, [SetCell(table, row, 2, cell.replace("The ", "This ", 1) + " Indeed.")], "Ana Ruiz")
    result = imported(root, edited)
    assert result.returncode == 0, result.stderr
    assert "stored 1 corrections" in result.stdout and "flagged" not in result.stderr
    assert list(changed(before, snapshot(root, packet))) == [target]


def test_edits_outside_segments_are_warned_about_with_tracking_off(root: Path) -> None:
    before = snapshot(root)
    packet_docx = root / "out" / "water" / "water.docx"
    edited = root / "untracked.docx"
    edit_docx(
        packet_docx,
        edited,
        [
            Replace("Bibliografía", "Fuentes", occurrence=1),
            Replace("Nothing changed for months", "Nothing changed at all"),
        ],
        author="Ana Ruiz",
        track_changes=False,
    )
    result = imported(root, edited)
    assert result.returncode == 0, result.stderr
    assert "stored 0 corrections" in result.stdout
    warned = [line for line in result.stderr.splitlines() if "text changed outside any segment" in line]
    assert any("“Fuentes”" in line for line in warned), result.stderr
    assert any("Nothing changed at all" in line for line in warned), result.stderr
    assert snapshot(root) == before


def test_a_correction_elsewhere_in_the_memory_leaves_a_packet_current_without_reading_it(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The freshness check compares the memory keys the packet's segments look up (recorded in its manifest)
    with the memory: no summary is read and no engine started to decide."""
    from toolkit.release import build_key

    assert cli(root, "build", "inputs/packets/fentanyl-parallel.yaml", "--out", "out").returncode == 0
    review_docx = root / "other.docx"
    assert cli(root, "review", "export", "inputs/packets/fentanyl-parallel.yaml", "--out", "r").returncode == 0
    exported = next((root / "r").rglob("*.review.docx"))
    rows = docx.Document(str(exported)).tables[0].rows
    row = next(n for n, r in enumerate(rows) if re.match(r"\S+-[0-9a-f]{6}\n#", r.cells[0].text))
    table, cell = 0, rows[row].cells[2].text
    edit_docx(exported, review_docx, [SetCell(table, row, 2, cell + " Corregido.")], author="Ana Ruiz")
    assert imported(root, review_docx).returncode in (0, 3)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the freshness check read the packet's summaries")

    monkeypatch.setattr(build_key, "prepare_packet", refuse)
    monkeypatch.chdir(root)
    water = load_packet(root / PACKET)
    assert build_key.current_manifest(water, root / "out", ("docx", "pdf")) is not None
    other = load_packet(root / "inputs/packets/fentanyl-parallel.yaml")
    assert build_key.current_manifest(other, root / "out", ("docx", "pdf")) is None


def test_an_older_memory_s_raw_machine_text_is_shown_and_printed_post_edited(root: Path) -> None:
    """A memory from before schema 4 held the engine's raw text: migration marks it raw, the review files show
    it post-edited (as the PDF prints it), and the next build stores it printed with no engine call."""
    import sqlite3

    from toolkit.translate.engines import ApertiumEngine, split_unknown
    from toolkit.translate.memory import raw_model

    before = snapshot(root)
    loaded = load_packet(root / PACKET)
    memory = TranslationMemory(loaded.memory, read_only=True)
    review = packet_review(loaded, memory)
    memory.close()
    row = next(r for r in review.rows if "robo de agua" in r.target)
    raw, _ = split_unknown(ApertiumEngine().translate_marked([row.item.segment.markup])[0])
    assert raw != row.target  # the post-edits change this one
    db = sqlite3.connect(loaded.memory)  # type: ignore[arg-type]
    [(model,)] = db.execute("SELECT model FROM units WHERE source_key = ?", (row.item.memory_key,)).fetchall()
    db.execute(
        "UPDATE units SET target = ?, model = ? WHERE source_key = ?", (raw, raw_model(model), row.item.memory_key)
    )
    db.commit()
    db.close()
    assert snapshot(root) == before  # shown as printed
    assert cli(root, "build", PACKET, "--out", "out2").returncode == 0
    manifest = (root / "out2" / "water" / "manifest.json").read_text()
    assert '"translated": 0' in manifest
    db = sqlite3.connect(loaded.memory)  # type: ignore[arg-type]
    stored = db.execute("SELECT target, model FROM units WHERE source_key = ?", (row.item.memory_key,)).fetchone()
    db.close()
    assert stored == (row.target, model)


def test_commands_find_the_packet_s_own_memory_from_the_packets_folder(root: Path) -> None:
    review_docx, _ = export(root)
    packets = root / "inputs" / "packets"
    env = {**__import__("os").environ, "BRIEFKIT_MODELS": str(root / "none")}
    imported_here = run_cli("review", "import", str(review_docx), cwd=packets, env=env)
    assert imported_here.returncode == 0 and "stored 0 corrections" in imported_here.stdout, imported_here.stderr
    some_id = next(iter(snapshot(root)))
    history = run_cli("memory", "history", some_id, "--packet", "water.yaml", cwd=packets, env=env)
    assert history.returncode == 0 and "build" in history.stdout, history.stderr
    assert not (packets / "inputs").exists()  # nothing made under the current folder
    for pair in ("enes", "en", "en-es-fr", ""):
        bad = cli(root, "memory", "--pair", pair, "export", "--tmx", "x.tmx")
        assert bad.returncode == 1 and "Traceback" not in bad.stderr, bad.stderr
        assert bad.stderr.startswith("error: --pair must be en-es or es-en"), bad.stderr
    assert cli(root, "memory", "--pair", "ES-EN", "export", "--tmx", "x.tmx").returncode == 0


def test_xliff_files_that_say_something_else_are_refused_per_segment(root: Path) -> None:
    from lxml import etree

    before = snapshot(root)
    _, xliff = export(root)
    tree = etree.parse(str(xliff))
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    units = tree.findall(".//x:trans-unit", ns)
    units[0].find("x:target", ns).set("state", "banana")
    units[1].find("x:target", ns).text = "Otra cosa"
    banana = root / "banana.xlf"
    tree.write(str(banana), xml_declaration=True, encoding="UTF-16")  # as some XML tools save it
    result = imported(root, banana, "--editor", "Ana Ruiz")
    assert result.returncode == 1, result.stderr
    assert "unknown target state “banana”" in result.stderr
    assert "stored 1 corrections" in result.stdout, result.stdout
    tree = etree.parse(str(xliff))
    for node in tree.findall(".//x:file", ns):
        node.set("target-language", "fr-FR")
    tree.findall(".//x:trans-unit", ns)[2].find("x:target", ns).text = "Autre chose"
    french = root / "french.xlf"
    tree.write(str(french), xml_declaration=True, encoding="UTF-8")
    result = imported(root, french, "--editor", "Ana Ruiz")
    assert result.returncode == 1 and "the file says its translation is in fr-FR" in result.stderr, result.stderr
    assert len(changed(before, snapshot(root))) == 1  # only the first file's second unit


def test_two_summaries_of_one_file_name_build_with_their_own_segment_ids(root: Path) -> None:
    more = root / "inputs" / "summaries" / "more"
    more.mkdir()
    (more / "Water-Rights.md").write_text(SUMMARY.replace("governor", "mayor"))
    packet = root / PACKET
    packet.write_text(packet.read_text() + "  - ../summaries/more/Water-Rights.md\n")
    built = cli(root, "build", PACKET, "--out", "out2")
    assert built.returncode == 0, built.stderr
    ids = list(snapshot(root))
    assert all(i.startswith(("summaries-water-rights-", "more-Water-Rights-")) for i in ids)
    assert any(i.startswith("summaries-water-rights-") for i in ids)
    assert any(i.startswith("more-Water-Rights-") for i in ids)


def test_a_target_that_only_copies_the_source_is_stored_and_flagged(root: Path) -> None:
    """What a CAT tool's "copy source" leaves: a person's choice (a name, a motto may stay as written), so
    stored, but flagged until someone translates it or approves it."""
    _, xliff = export(root)
    store = factory.getobject(str(xliff))
    unit = next(u for u in store.units if "Farmers" in str(u.source))
    unit.target = unit.source
    xliff.write_bytes(bytes(store))
    result = imported(root, xliff, "--editor", "Ana Ruiz")
    assert result.returncode == 3, result.stderr
    assert "the translation only copies the English text" in result.stderr
    status = cli(root, "review", "status", PACKET)
    assert re.search(r"total(\s+\d+){6}\s+1$", status.stdout, re.M), status.stdout
