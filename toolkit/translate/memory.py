"""The translation memory: (normalized source segment, language pair) mapped to a target, with every version
kept, editors' notes and review imports. It lives in an SQLite file (one machine) or a PostgreSQL database
(a cluster); both backends run the same queries through `MemoryDatabase`."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, TypeVar, get_args

from toolkit.errors import BriefkitError
from toolkit.model import normalize_space
from toolkit.read.memory_location import DatabaseUrl, MemoryLocation
from toolkit.translate.memory_postgres import PostgresDatabase
from toolkit.translate.memory_schema import SCHEMA_VERSION
from toolkit.translate.memory_sqlite import SqliteDatabase, sqlite_rows_read_only

log = logging.getLogger("briefkit")

Status = Literal["machine", "reviewed", "approved"]  # who made a target: an engine, a person, a person's final
STATUSES: tuple[Status, ...] = get_args(Status)
RANK: dict[str, int] = {"machine": 0, "reviewed": 1, "approved": 2}
T = TypeVar("T")
__all__ = ["SCHEMA_VERSION", "TranslationMemory"]
normalize = normalize_space  # memory keys: segment markup with its spaces folded


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


RAW = " [raw]"  # marks a machine unit stored before the memory kept printed (post-edited) text


def raw_model(model: str) -> str:
    """The model string of a machine unit that holds the engine's raw text (memories before version 4)."""
    return model + RAW


def target_fingerprint(target: str, status: str) -> str:
    """A short hash of a target and its status: what a review file records as the base it was made from."""
    return hashlib.sha1(f"{normalize(target)}\x00{status}".encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Unit:
    source: str
    target: str
    status: Status
    engine: str
    model: str
    produced_by: str
    updated: str
    context: str = ""  # the packet segment id a person reviewed it as (for "the English changed since")
    unknown: str = ""  # words the engine did not know and left as they were, space-separated

    @property
    def fingerprint(self) -> str:
        return target_fingerprint(self.target, self.status)


COLUMNS = "source, target, status, engine, model, produced_by, updated, context, unknown"
UPDATE_ALL = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS.split(", "))


@dataclass(frozen=True)
class Version:
    """One version of a unit in its history (append-only): what it was, and which change wrote it."""

    id: int
    unit: Unit
    change: str  # "build", "tmx:FILE", "import:ID", "undo:ID", "before history"


@dataclass(frozen=True)
class EditorNote:
    """A note an editor left on a segment (review table, XLIFF <note>, Word comment)."""

    segment: str
    source_key: str
    author: str
    at: str
    text: str
    resolved: bool = False
    origin: str = ""  # review-docx, xliff, word-comment
    import_id: str = ""


@dataclass(frozen=True)
class ImportRecord:
    id: str
    pair: str
    file: str
    editor: str
    at: str
    stored: int
    undone: str = ""


@dataclass(frozen=True)
class GuardedWrite:
    """A person's target to store only if the unit is still what the review file was made from (`base`, a
    `target_fingerprint`; None: the file recorded no base, so only a machine target may be replaced)."""

    unit: Unit
    base: str | None
    force: bool = False
    pair: str = ""  # its language pair, when not the one the writes are stored under
    shared_source: str = ""  # a translation for one segment in context: the shared unit it was made from


@dataclass(frozen=True)
class WriteResult:
    stored: bool
    current: Unit | None  # the unit as it was before (for a conflict: "theirs")


class MemoryDatabase(Protocol):
    """What the memory needs of a backend: queries written with `?` placeholders, and write transactions."""

    label: str  # the file, or the URL without its password: what messages name

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def write(self, work: Callable[[], T]) -> T:
        """Run `work` in one transaction: stored whole or not at all (a backend may run it more than once)."""
        ...

    def close(self) -> None: ...


def open_database(location: MemoryLocation, read_only: bool = False) -> MemoryDatabase:
    if isinstance(location, DatabaseUrl):
        return PostgresDatabase(location, read_only)
    return SqliteDatabase(location, read_only)


def memory_exists(location: MemoryLocation) -> bool:
    """Whether there is a memory to read (a database always is: its tables are made on first use)."""
    return isinstance(location, DatabaseUrl) or location.is_file()


class TranslationMemory:
    """Safe for several builds at once: one transaction per batch, a person's target never downgraded."""

    def __init__(self, location: MemoryLocation, read_only: bool = False) -> None:
        """Open (and create, or upgrade) the memory for reading and writing; with `read_only`, only read it,
        as commands that change nothing do (they work on a read-only disk or another user's memory)."""
        self.location = location
        self.db = open_database(location, read_only)

    def close(self) -> None:
        self.db.close()

    def lookup(self, sources: list[str], pair: str) -> dict[str, Unit]:
        found: dict[str, Unit] = {}
        keys = sorted({normalize(s) for s in sources})
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = self.db.rows(
                f"SELECT source_key, {COLUMNS} FROM units "
                f"WHERE pair = ? AND source_key IN ({','.join('?' * len(chunk))})",
                [pair, *chunk],
            )
            for key, *rest in rows:
                found[key] = Unit(*rest)
        return found

    def store(
        self, units: list[tuple[str, str]], pair: str, status: Status, engine: str, model: str, produced_by: str
    ) -> None:
        """Store (source, target) pairs made now by one engine or person."""
        now = now_utc()
        self.store_units([Unit(s, t, status, engine, model, produced_by, now) for s, t in units], pair)

    def _write(self, unit: Unit, pair: str, change: str, changed_at: str = "") -> None:
        """The unit as current, and a version of it in the history (`changed_at`: when the change was made, if
        not when the unit's text was: an undo puts back an earlier text as it was, now)."""
        key = normalize(unit.source)
        row = (unit.source, unit.target, unit.status, unit.engine, unit.model, unit.produced_by, unit.updated)
        self.db.rows(
            f"INSERT INTO units (source_key, pair, {COLUMNS}) VALUES ({', '.join('?' * 11)}) "
            f"ON CONFLICT (source_key, pair) DO UPDATE SET {UPDATE_ALL}",
            (key, pair, *row, unit.context, unit.unknown),
        )
        logged = (*row[:-1], changed_at or unit.updated)
        self.db.rows(
            f"INSERT INTO history (source_key, pair, {COLUMNS}, change) VALUES ({', '.join('?' * 12)})",
            (key, pair, *logged, unit.context, unit.unknown, change),
        )

    def store_units(self, units: list[Unit], pair: str, change: str = "build") -> int:
        """Upsert units; a target never replaces one of higher status (machine < reviewed < approved). Every
        change is kept in the history. Returns how many units changed."""

        def work() -> int:
            changed = 0
            current = self.lookup([u.source for u in units], pair)
            for unit in units:
                key = normalize(unit.source)
                old = current.get(key)
                if old is not None and (
                    RANK[old.status] > RANK[unit.status] or (old.target == unit.target and old.status == unit.status)
                ):
                    continue
                if old is not None and not unit.context:
                    unit = replace(unit, context=old.context)
                self._write(unit, pair, change)
                current[key] = unit
                changed += 1
            return changed

        return self.db.write(work)

    def store_guarded(self, writes: list[GuardedWrite], pair: str, change: str) -> list[WriteResult]:
        """Store people's targets, each only if its unit is still the base its review file was made from
        (or `force`); all in one transaction, each under `pair` or its own."""

        def work() -> list[WriteResult]:
            results = []
            current: dict[tuple[str, str], Unit] = {}
            for each_pair in dict.fromkeys(w.pair or pair for w in writes):
                mine = [w for w in writes if (w.pair or pair) == each_pair]
                sources = [w.unit.source for w in mine] + [w.shared_source for w in mine if w.shared_source]
                current.update(((each_pair, key), unit) for key, unit in self.lookup(sources, each_pair).items())
            for write in writes:
                key = (write.pair or pair, normalize(write.unit.source))
                old = current.get(key) or current.get((write.pair or pair, normalize(write.shared_source)))
                if write.base is None:
                    safe = old is None or old.status == "machine"
                else:
                    safe = (old.fingerprint if old else "") == write.base
                if not (safe or write.force):
                    results.append(WriteResult(False, old))
                    continue
                self._write(write.unit, write.pair or pair, change)
                current[key] = write.unit
                results.append(WriteResult(True, old))
            return results

        return self.db.write(work)

    def history(self, pair: str, source_keys: list[str]) -> list[Version]:
        """Every version of the units, oldest first."""
        keys = [normalize(k) for k in source_keys]
        rows = self.db.rows(
            f"SELECT id, {COLUMNS}, change FROM history WHERE pair = ? "
            f"AND source_key IN ({','.join('?' * len(keys))}) ORDER BY id",
            [pair, *keys],
        )
        return [Version(row[0], Unit(*row[1:10]), row[10]) for row in rows]

    def history_of_context(self, pair: str, context: str) -> list[Version]:
        """Versions people made for a segment id (its context), whatever English they were for."""
        rows = self.db.rows(
            f"SELECT id, {COLUMNS}, change FROM history WHERE pair = ? AND context = ? ORDER BY id", [pair, context]
        )
        return [Version(row[0], Unit(*row[1:10]), row[10]) for row in rows]

    def all_history(self) -> list[tuple[str, Version]]:
        """Every version of every unit, with its language pair, oldest first (for copying a memory)."""
        rows = self.db.rows(f"SELECT pair, id, {COLUMNS}, change FROM history ORDER BY id")
        return [(row[0], Version(row[1], Unit(*row[2:11]), row[11])) for row in rows]

    def version_with_fingerprint(self, pair: str, source: str, fingerprint: str) -> Unit | None:
        """The latest version of a unit whose target and status have this fingerprint (a review file's base)."""
        for version in reversed(self.history(pair, [source])):
            if version.unit.fingerprint == fingerprint:
                return version.unit
        return None

    def add_notes(self, notes: list[EditorNote], pair: str) -> int:
        """Store notes not stored before (same segment, author and text); returns how many were new."""

        def work() -> int:
            added = 0
            for note in notes:
                seen = self.db.rows(
                    "SELECT id, resolved FROM notes WHERE pair = ? AND segment = ? AND author = ? AND text = ?",
                    (pair, note.segment, note.author, note.text),
                )
                if seen:
                    if bool(seen[0][1]) != note.resolved:
                        self.db.rows("UPDATE notes SET resolved = ? WHERE id = ?", (int(note.resolved), seen[0][0]))
                    continue
                self.db.rows(
                    "INSERT INTO notes (pair, segment, source_key, author, at, text, resolved, origin, import_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        pair,
                        note.segment,
                        normalize(note.source_key),
                        note.author,
                        note.at,
                        note.text,
                        int(note.resolved),
                        note.origin,
                        note.import_id,
                    ),
                )
                added += 1
            return added

        return self.db.write(work)

    def notes(self, pair: str | None = None, segments: Sequence[str] | None = None) -> list[EditorNote]:
        """The notes of a language pair (of every pair: None), oldest first; with `segments`, only theirs."""
        columns = "segment, source_key, author, at, text, resolved, origin, import_id"
        if pair is None:
            rows = self.db.rows(f"SELECT {columns} FROM notes ORDER BY at, id")
        elif segments is None:
            rows = self.db.rows(f"SELECT {columns} FROM notes WHERE pair = ? ORDER BY at, id", [pair])
        elif not segments:
            rows = []
        else:
            rows = self.db.rows(
                f"SELECT {columns} FROM notes WHERE pair = ? AND segment IN ({','.join('?' * len(segments))}) "
                "ORDER BY at, id",
                [pair, *segments],
            )
        return [EditorNote(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]

    def record_import(self, record: ImportRecord) -> None:
        self.db.write(
            lambda: self.db.rows(
                "INSERT INTO imports (id, pair, file, editor, at, stored, undone) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (record.id, record.pair, record.file, record.editor, record.at, record.stored, record.undone),
            )
        )

    def imports(self) -> list[ImportRecord]:
        rows = self.db.rows("SELECT id, pair, file, editor, at, stored, undone FROM imports ORDER BY at, id")
        return [ImportRecord(*row) for row in rows]

    def undo_import(self, import_id: str, by: str) -> tuple[list[Unit], list[Unit]]:
        """Put back what each unit was before the import, where the import's version is still current; returns
        the units restored and those left alone (changed again since). The restored version keeps its author
        and time; its history entry says who undid, and when."""

        def work() -> tuple[list[Unit], list[Unit]]:
            restored: list[Unit] = []
            kept: list[Unit] = []
            rows = self.db.rows(
                "SELECT pair, source_key FROM history WHERE change = ? ORDER BY id", [f"import:{import_id}"]
            )
            for pair, key in rows:
                versions = self.history(pair, [key])
                mine = max(i for i, v in enumerate(versions) if v.change == f"import:{import_id}")
                if mine != len(versions) - 1:
                    kept.append(versions[-1].unit)
                    continue
                if mine == 0:  # the import made the unit: nothing to go back to, and the history says so
                    made = versions[mine].unit
                    self.db.rows("DELETE FROM units WHERE pair = ? AND source_key = ?", (pair, key))
                    self.db.rows(
                        f"INSERT INTO history (source_key, pair, {COLUMNS}, change) VALUES ({', '.join('?' * 12)})",
                        (key, pair, made.source, "", made.status, made.engine, made.model, by, now_utc(),
                         made.context, made.unknown, f"undo:{import_id} by {by} (removed)"),
                    )  # fmt: skip
                    restored.append(made)
                    continue
                before = versions[mine - 1].unit
                self._write(before, pair, f"undo:{import_id} by {by}", changed_at=now_utc())
                restored.append(before)
            self.db.rows("DELETE FROM notes WHERE import_id = ?", [import_id])
            self.db.rows("UPDATE imports SET undone = ? WHERE id = ?", (now_utc(), import_id))
            return restored, kept

        return self.db.write(work)

    def units(self, pair: str, statuses: tuple[str, ...] = STATUSES) -> list[Unit]:
        """All units of a language pair with one of the statuses, sorted by source."""
        rows = self.db.rows(
            f"SELECT {COLUMNS} FROM units "
            f"WHERE pair = ? AND status IN ({','.join('?' * len(statuses))}) ORDER BY source_key",
            [pair, *statuses],
        )
        return [Unit(*row) for row in rows]

    def people_units(self, pair: str, summaries: Sequence[str] = ()) -> list[Unit]:
        """The reviewed and approved units of a pair that a person made as a segment (with its id), oldest first;
        with `summaries`, at least those made as a segment of one of them (ids `SUMMARY-…`; a few more may come)."""
        # LIKE only narrows the rows down (SQLite's ignores case): callers match the ids exactly
        like = [name.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "-%" for name in summaries]
        of_summaries = " OR ".join(["context LIKE ? ESCAPE '!'"] * len(like))
        rows = self.db.rows(
            f"SELECT {COLUMNS} FROM units WHERE pair = ? AND context != '' AND status != 'machine' "
            + (f"AND ({of_summaries}) " if like else "")
            + "ORDER BY updated, source_key",
            [pair, *like],
        )
        return [Unit(*row) for row in rows]

    def counts(self) -> dict[tuple[str, str], int]:
        rows = self.db.rows("SELECT pair, status, count(*) FROM units GROUP BY pair, status ORDER BY pair, status")
        return {(pair, status): int(n) for pair, status, n in rows}

    def person_units_digest(self, pair: str) -> str:
        return _digest(self.db.rows(PERSON_UNITS, [pair]))


PERSON_UNITS = "SELECT source_key, target, status FROM units WHERE pair = ? AND status != 'machine' ORDER BY source_key"


def _digest(rows: list[tuple[Any, ...]]) -> str:
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


def person_units_digest(location: MemoryLocation, pair: str) -> str:
    """sha256 of every reviewed and approved unit of the pair (read only; "" when there is no memory file).

    It changes whenever a person's translation is added or changed anywhere in the memory."""
    if isinstance(location, DatabaseUrl):
        memory = TranslationMemory(location)
        try:
            return memory.person_units_digest(pair)
        finally:
            memory.close()
    if not location.is_file():
        return ""
    rows = sqlite_rows_read_only(location, PERSON_UNITS, [pair])
    # an unreadable file is never equal to a recorded digest, not even an earlier "unreadable" one: the full
    # check runs and reports the damage
    return f"unreadable {secrets.token_hex(16)}" if rows is None else _digest(rows)


@dataclass(frozen=True)
class CopyCounts:
    units: int
    versions: int
    notes: int
    imports: int


NOTE_COLUMNS = "pair, segment, source_key, author, at, text, resolved, origin, import_id"
IMPORT_COLUMNS = "id, pair, file, editor, at, stored, undone"


def copy_memory(source: TranslationMemory, destination: TranslationMemory) -> CopyCounts:
    """Copy everything of one memory into an empty one (SQLite ↔ PostgreSQL): units, every version in its
    order, notes and imports, in one transaction."""
    units = source.db.rows(f"SELECT source_key, pair, {COLUMNS} FROM units ORDER BY pair, source_key")
    versions = source.db.rows(f"SELECT source_key, pair, {COLUMNS}, change FROM history ORDER BY id")
    notes = source.db.rows(f"SELECT {NOTE_COLUMNS} FROM notes ORDER BY id")
    imports = source.db.rows(f"SELECT {IMPORT_COLUMNS} FROM imports ORDER BY at, id")

    def work() -> None:
        held = (
            destination.db.rows("SELECT count(*) FROM units")[0][0]
            + destination.db.rows("SELECT count(*) FROM history")[0][0]
        )
        if held:
            raise BriefkitError(
                "the memory to copy into is not empty", destination.db.label, hint="copy into a new file or database"
            )
        for table, columns, rows in (
            ("units", f"source_key, pair, {COLUMNS}", units),
            ("history", f"source_key, pair, {COLUMNS}, change", versions),
            ("notes", NOTE_COLUMNS, notes),
            ("imports", IMPORT_COLUMNS, imports),
        ):
            marks = ", ".join("?" * len(columns.split(", ")))
            for row in rows:
                destination.db.rows(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row)

    destination.db.write(work)
    return CopyCounts(len(units), len(versions), len(notes), len(imports))


def people_digest_of_pairs(location: MemoryLocation, pairs: tuple[str, ...]) -> str:
    """`person_units_digest` of one pair, or one digest of several (a packet whose summaries go both ways)."""
    if len(pairs) == 1:
        return person_units_digest(location, pairs[0])
    digests = [person_units_digest(location, pair) for pair in pairs]
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()
