"""The translation memory's behaviour, the same on both backends: an SQLite file and a real PostgreSQL server
(a throwaway cluster, tests/postgres_server.py). Every test here runs once against each."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.postgres_server import PostgresServer
from toolkit.errors import BriefkitError
from toolkit.read.memory_location import DatabaseUrl, MemoryLocation
from toolkit.translate.memory import (
    SCHEMA_VERSION,
    EditorNote,
    GuardedWrite,
    ImportRecord,
    TranslationMemory,
    Unit,
    copy_memory,
    person_units_digest,
    target_fingerprint,
)

PAIR = "en-es"


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> MemoryLocation:
    if request.param == "sqlite":
        return tmp_path / "memory.sqlite"
    server: PostgresServer = request.getfixturevalue("postgres")
    return DatabaseUrl(server.new_database())


@pytest.fixture
def memory(location: MemoryLocation) -> Iterator[TranslationMemory]:
    opened = TranslationMemory(location)
    yield opened
    opened.close()


def unit(source: str, target: str, status: str = "machine", by: str = "apertium", context: str = "") -> Unit:
    return Unit(source, target, status, "engine", "model", by, "2026-12-01T10:00:00+00:00", context)  # type: ignore[arg-type]


def test_units_are_stored_looked_up_and_listed_in_byte_order(memory: TranslationMemory) -> None:
    sources = ["b cat.", "A dog.", "a  bird.", "Ángel.", "Zorro."]
    memory.store_units([unit(s, s.upper()) for s in sources], PAIR)
    found = memory.lookup(["a bird.", "A dog.", "missing"], PAIR)
    assert set(found) == {"a bird.", "A dog."}  # keys are whitespace-folded
    assert found["a bird."].target == "A  BIRD."
    assert [u.source for u in memory.units(PAIR)] == ["A dog.", "Zorro.", "a  bird.", "b cat.", "Ángel."]
    assert memory.counts() == {(PAIR, "machine"): 5}
    assert memory.lookup(["A dog."], "en-fr") == {}


def test_a_person_s_target_is_never_downgraded_and_every_version_is_kept(memory: TranslationMemory) -> None:
    assert memory.store_units([unit("The report.", "El reporte.")], PAIR) == 1
    assert memory.store_units([unit("The report.", "El informe.", "approved", "Ana")], PAIR) == 1
    assert memory.store_units([unit("The report.", "El reporte.", "machine")], PAIR) == 0
    assert memory.store_units([unit("The report.", "El informe final.", "reviewed", "Luis")], PAIR) == 0
    assert memory.store_units([unit("The report.", "El informe.", "approved", "Ana")], PAIR) == 0  # same: no version
    current = memory.lookup(["The report."], PAIR)["The report."]
    assert (current.target, current.status, current.produced_by) == ("El informe.", "approved", "Ana")
    history = memory.history(PAIR, ["The report."])
    assert [(v.unit.target, v.unit.status, v.change) for v in history] == [
        ("El reporte.", "machine", "build"),
        ("El informe.", "approved", "build"),
    ]
    assert history[0].id < history[1].id


def test_guarded_writes_store_only_over_the_base_the_file_was_made_from(memory: TranslationMemory) -> None:
    memory.store_units([unit("One.", "Uno."), unit("Two.", "Dos.")], PAIR)
    base = target_fingerprint("Uno.", "machine")
    memory.store_units([unit("Two.", "Dos (revisado).", "reviewed", "Luis")], PAIR)  # changed since the file
    results = memory.store_guarded(
        [
            GuardedWrite(unit("One.", "Uno, corregido.", "reviewed", "Ana"), base),
            GuardedWrite(unit("Two.", "Dos, corregido.", "reviewed", "Ana"), target_fingerprint("Dos.", "machine")),
        ],
        PAIR,
        "import:x1",
    )
    assert [r.stored for r in results] == [True, False]
    assert results[1].current is not None and results[1].current.target == "Dos (revisado)."
    forced = memory.store_guarded([GuardedWrite(unit("Two.", "Dos, sí.", "reviewed", "Ana"), "0000", True)], PAIR, "x")
    assert forced[0].stored and memory.lookup(["Two."], PAIR)["Two."].target == "Dos, sí."
    assert memory.version_with_fingerprint(PAIR, "One.", base) == unit("One.", "Uno.")


def test_notes_are_stored_once_and_their_resolution_follows_the_file(memory: TranslationMemory) -> None:
    note = EditorNote("p-001", "One.", "Ana", "2026-12-01T10:00:00+00:00", "Check the figure", False, "xliff", "i1")
    assert memory.add_notes([note, note], PAIR) == 1
    assert memory.add_notes([EditorNote(**{**note.__dict__, "resolved": True})], PAIR) == 0
    assert [(n.text, n.resolved) for n in memory.notes(PAIR)] == [("Check the figure", True)]
    assert memory.notes("en-fr") == []
    other = EditorNote("p-002", "Two.", "Ben", "2026-12-01T11:00:00+00:00", "Which year?")
    memory.add_notes([other], PAIR)
    assert [n.text for n in memory.notes(PAIR, ["p-002"])] == ["Which year?"]  # one segment's, as the desk asks
    assert [n.text for n in memory.notes(PAIR, ["p-001", "p-002"])] == ["Check the figure", "Which year?"]
    assert memory.notes(PAIR, []) == [] and memory.notes("en-fr", ["p-002"]) == []


def test_an_import_is_undone_where_nothing_changed_since(memory: TranslationMemory) -> None:
    memory.store_units([unit("One.", "Uno."), unit("Two.", "Dos.")], PAIR)
    writes = [
        GuardedWrite(unit("One.", "Uno, corregido.", "reviewed", "Ana"), None),
        GuardedWrite(unit("Two.", "Dos, corregido.", "reviewed", "Ana"), None),
        GuardedWrite(unit("Three.", "Tres.", "reviewed", "Ana"), None),
    ]
    memory.store_guarded(writes, PAIR, "import:i9")
    memory.record_import(ImportRecord("i9", PAIR, "review.xlf", "Ana", "2026-12-01T11:00:00+00:00", 3))
    memory.add_notes([EditorNote("p-2", "Two.", "Ana", "2026-12-01T11:00:00+00:00", "ok?", import_id="i9")], PAIR)
    memory.store_units([unit("Two.", "Dos, aprobado.", "approved", "Marta")], PAIR)  # changed again since
    restored, kept = memory.undo_import("i9", "Luis")
    assert sorted(u.source for u in restored) == ["One.", "Three."] and [u.target for u in kept] == ["Dos, aprobado."]
    assert memory.lookup(["One."], PAIR)["One."].target == "Uno."
    assert "Three." not in memory.lookup(["Three."], PAIR)  # the import made it: gone
    assert memory.notes(PAIR) == [] and memory.imports()[0].undone


def test_people_units_are_a_person_s_work_reviewed_as_a_segment(memory: TranslationMemory) -> None:
    memory.store_units([unit("The old text.", "El texto viejo.", "reviewed", "Ana", context="p-1a2b3c")], PAIR)
    memory.store_units([unit("Other.", "Otro.", "machine", "briefkit")], PAIR)
    memory.store_units([unit("Free.", "Libre.", "reviewed", "Ana")], PAIR)  # from a TMX: no segment
    assert [(u.context, u.target) for u in memory.people_units(PAIR)] == [("p-1a2b3c", "El texto viejo.")]
    # of some summaries: `_` and `%` in a name are themselves, not LIKE's wildcards
    for context in ("a_b-111111", "axb-222222", "a%-333333", "a_b-c-444444"):
        memory.store_units([unit(f"Text {context}.", context, "approved", "Ana", context=context)], PAIR)
    assert {u.context for u in memory.people_units(PAIR, ["a_b"])} == {"a_b-111111", "a_b-c-444444"}
    assert {u.context for u in memory.people_units(PAIR, ["a%", "p"])} == {"a%-333333", "p-1a2b3c"}
    assert memory.people_units(PAIR, ["q"]) == []


def _writer(location: MemoryLocation, status: str, rounds: int) -> None:
    memory = TranslationMemory(location)
    try:
        for i in range(rounds):
            batch = [unit(f"Segment {k}.", f"{status} {i} {k}", status, status) for k in range(40)]
            memory.store_units(batch, PAIR)
    finally:
        memory.close()


def test_concurrent_writers_never_downgrade_a_person_s_target(location: MemoryLocation) -> None:
    TranslationMemory(location).close()  # the schema first, as a build's first open does
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(location, s, 15)) for s in ("machine", "approved", "machine")]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=300)
        assert process.exitcode == 0
    memory = TranslationMemory(location, read_only=True)
    try:
        units = memory.units(PAIR)
        assert len(units) == 40 and {u.status for u in units} == {"approved"}
        current = {u.source: u for u in units}
        for k in (0, 17, 39):
            versions = memory.history(PAIR, [f"Segment {k}."])
            statuses = [v.unit.status for v in versions]
            # once approved, only approved versions follow: no machine target ever replaced it
            assert "machine" not in statuses[statuses.index("approved") :]
            assert versions[-1].unit == current[f"Segment {k}."]  # the unit is its latest version
    finally:
        memory.close()


def test_the_schema_version_is_recorded_and_a_newer_memory_is_refused(location: MemoryLocation) -> None:
    TranslationMemory(location).close()
    if isinstance(location, DatabaseUrl):
        with psycopg.connect(location.url, autocommit=True) as db:
            assert db.execute("SELECT version FROM briefkit_schema").fetchone() == (SCHEMA_VERSION,)
            db.execute("UPDATE briefkit_schema SET version = 99")
    else:
        db = sqlite3.connect(location)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
    for read_only in (False, True):
        with pytest.raises(BriefkitError) as refused:
            TranslationMemory(location, read_only)
        assert "schema version 99" in str(refused.value) and str(location) in str(refused.value)


def test_a_database_holding_other_tables_of_the_same_names_is_refused(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE units (id integer)")
    with pytest.raises(BriefkitError, match="not a briefkit translation memory"):
        TranslationMemory(DatabaseUrl(url))


def _fill(memory: TranslationMemory) -> None:
    memory.store_units([unit("One.", "Uno."), unit("Two.", "Dos.")], PAIR)
    memory.store_units([unit("One.", "Uno (revisado).", "reviewed", "Ana", "p-1")], PAIR, "import:c1")
    memory.store_units([unit("One.", "Uno.", "machine")], "en-fr")
    memory.record_import(ImportRecord("c1", PAIR, "review.docx", "Ana", "2026-12-01T11:00:00+00:00", 1))
    memory.add_notes([EditorNote("p-1", "One.", "Ana", "2026-12-01T11:00:00+00:00", "¿Seguro?", origin="xliff")], PAIR)


def _everything(memory: TranslationMemory) -> tuple[object, ...]:
    pairs = ("en-es", "en-fr")
    history = [(v.unit, v.change) for pair in pairs for v in memory.history(pair, ["One.", "Two."])]
    return (
        [memory.units(pair) for pair in pairs],
        history,
        memory.notes(),
        memory.imports(),
        memory.counts(),
        person_units_digest(memory.location, PAIR),
    )


def test_a_memory_is_copied_whole_between_backends_and_back(tmp_path: Path, postgres: PostgresServer) -> None:
    first = TranslationMemory(tmp_path / "first.sqlite")
    _fill(first)
    database = TranslationMemory(DatabaseUrl(postgres.new_database()))
    back = TranslationMemory(tmp_path / "back.sqlite")
    try:
        copied = copy_memory(first, database)
        assert (copied.units, copied.versions, copied.notes, copied.imports) == (3, 4, 1, 1)
        copy_memory(database, back)
        assert _everything(first) == _everything(database) == _everything(back)
        with pytest.raises(BriefkitError, match="not empty"):
            copy_memory(first, back)
    finally:
        for memory in (first, database, back):
            memory.close()
