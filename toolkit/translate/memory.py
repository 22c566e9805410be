"""The translation memory: an SQLite file mapping (normalized source segment, language pair) to a target."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, get_args

from toolkit.errors import BriefkitError
from toolkit.model import normalize_space

log = logging.getLogger("briefkit")

Status = Literal["machine", "reviewed", "approved"]  # who made a target: an engine, a person, a person's final
STATUSES: tuple[Status, ...] = get_args(Status)
RANK: dict[str, int] = {"machine": 0, "reviewed": 1, "approved": 2}
SCHEMA_VERSION = 3
FIRST_RELEASE_COLUMNS = {
    "source_key",
    "pair",
    "source",
    "target",
    "status",
    "engine",
    "model",
    "produced_by",
    "updated",
}
# Each step takes a memory from the version before it to its own (PRAGMA user_version). Version 1 is the memory
# of the first release (units, with the segment id a person reviewed it as); 2 adds history, notes and imports.
MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE IF NOT EXISTS units (
            source_key TEXT NOT NULL, pair TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('machine', 'reviewed', 'approved')),
            engine TEXT NOT NULL, model TEXT NOT NULL, produced_by TEXT NOT NULL, updated TEXT NOT NULL,
            context TEXT NOT NULL DEFAULT '', PRIMARY KEY (source_key, pair))""",
    ],
    2: [
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY, source_key TEXT NOT NULL, pair TEXT NOT NULL, source TEXT NOT NULL,
            target TEXT NOT NULL, status TEXT NOT NULL, engine TEXT NOT NULL, model TEXT NOT NULL,
            produced_by TEXT NOT NULL, updated TEXT NOT NULL, context TEXT NOT NULL, change TEXT NOT NULL)""",
        "CREATE INDEX history_unit ON history (pair, source_key, id)",
        "CREATE INDEX history_change ON history (change)",
        """INSERT INTO history (source_key, pair, source, target, status, engine, model, produced_by, updated,
            context, change) SELECT source_key, pair, source, target, status, engine, model, produced_by, updated,
            context, 'before history' FROM units ORDER BY updated""",
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY, pair TEXT NOT NULL, segment TEXT NOT NULL, source_key TEXT NOT NULL,
            author TEXT NOT NULL, at TEXT NOT NULL, text TEXT NOT NULL, resolved INTEGER NOT NULL DEFAULT 0,
            origin TEXT NOT NULL, import_id TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX notes_segment ON notes (pair, segment)",
        """CREATE TABLE imports (
            id TEXT PRIMARY KEY, pair TEXT NOT NULL, file TEXT NOT NULL, editor TEXT NOT NULL, at TEXT NOT NULL,
            stored INTEGER NOT NULL, undone TEXT NOT NULL DEFAULT '')""",
    ],
    3: [  # the words the engine did not know, space-separated (Apertium's unknown-word marks)
        "ALTER TABLE units ADD COLUMN unknown TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE history ADD COLUMN unknown TEXT NOT NULL DEFAULT ''",
    ],
}


normalize = normalize_space  # memory keys: segment markup with its spaces folded


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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


@dataclass(frozen=True)
class WriteResult:
    stored: bool
    current: Unit | None  # the unit as it was before (for a conflict: "theirs")


class TranslationMemory:
    """Safe for several builds at once: WAL journal, one transaction per batch, busy timeout."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """Open (and create, or upgrade) the memory for reading and writing; with `read_only`, only read it,
        as commands that change nothing do (they work on a read-only disk or another user's memory)."""
        self.path = path
        if read_only:
            self.db = self._open_read_only(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.db = self._open(path)
                break
            except sqlite3.OperationalError as exc:
                # Two builds creating the same new memory: switching it to WAL can be refused at once
                # ("database is locked") instead of waiting, so wait here and try again.
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    hint = "is the disk full, or the folder read-only?" if "locked" not in str(exc) else None
                    raise BriefkitError(f"translation memory cannot be opened: {exc}", path, hint=hint) from None
                time.sleep(0.05 + random.random() / 10)
            except sqlite3.DatabaseError as exc:
                raise BriefkitError(
                    f"translation memory is damaged: {exc}",
                    path,
                    hint="restore it from backup or delete it to start afresh",
                ) from None
        ok = self.db.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            self.db.close()
            raise BriefkitError(f"translation memory failed its integrity check: {ok}", path)

    @staticmethod
    def _open_read_only(path: Path) -> sqlite3.Connection:
        db = None
        # mode=ro still needs the -shm file; on read-only media, where nobody can write, immutable needs none
        for options in ("mode=ro", "mode=ro&immutable=1"):
            try:
                db = sqlite3.connect(f"{path.absolute().as_uri()}?{options}", uri=True, timeout=LOCK_WAIT_S)
                version = int(db.execute("PRAGMA user_version").fetchone()[0])
                break
            except sqlite3.OperationalError as exc:
                if db is not None:
                    db.close()
                db, error = None, exc
            except sqlite3.DatabaseError as exc:
                raise BriefkitError(f"translation memory is damaged: {exc}", path) from None
        if db is None:
            raise BriefkitError(f"translation memory cannot be read: {error}", path) from None
        if version != SCHEMA_VERSION:
            db.close()
            raise BriefkitError(
                f"translation memory has schema version {version}, this briefkit reads {SCHEMA_VERSION}",
                path,
                hint="a build upgrades it (it needs to write to it once)" if version < SCHEMA_VERSION else None,
            )
        return db

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _begin_writing(db, path)  # one process at a time sets the schema up
            try:
                TranslationMemory._migrate(db, path)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection, path: Path) -> None:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version > SCHEMA_VERSION:
            raise BriefkitError(
                f"translation memory has schema version {version}, newer than this briefkit's {SCHEMA_VERSION}",
                path,
                hint="upgrade briefkit",
            )
        if version == 0 and tables - {"units"}:
            raise BriefkitError("not a briefkit translation memory (it holds other tables)", path)
        if version == 0 and "units" in tables:  # a memory of the first release, before versions were kept
            columns = [row[1] for row in db.execute("PRAGMA table_info(units)")]
            if not FIRST_RELEASE_COLUMNS <= set(columns):
                raise BriefkitError("not a briefkit translation memory (its `units` table has other columns)", path)
            if "context" not in columns:
                db.execute("ALTER TABLE units ADD COLUMN context TEXT NOT NULL DEFAULT ''")
            version = 1
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db, self.path)

    def lookup(self, sources: list[str], pair: str) -> dict[str, Unit]:
        found: dict[str, Unit] = {}
        keys = sorted({normalize(s) for s in sources})
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = self.db.execute(
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

    def _write(self, unit: Unit, pair: str, change: str) -> None:
        key = normalize(unit.source)
        row = (unit.source, unit.target, unit.status, unit.engine, unit.model, unit.produced_by, unit.updated)
        self.db.execute(
            f"INSERT OR REPLACE INTO units (source_key, pair, {COLUMNS}) VALUES ({', '.join('?' * 11)})",
            (key, pair, *row, unit.context, unit.unknown),
        )
        self.db.execute(
            f"INSERT INTO history (source_key, pair, {COLUMNS}, change) VALUES ({', '.join('?' * 12)})",
            (key, pair, *row, unit.context, unit.unknown, change),
        )

    def store_units(self, units: list[Unit], pair: str, change: str = "build") -> int:
        """Upsert units; a target never replaces one of higher status (machine < reviewed < approved). Every
        change is kept in the history. Returns how many units changed."""
        changed = 0
        with self._transaction():
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

    def store_guarded(self, writes: list[GuardedWrite], pair: str, change: str) -> list[WriteResult]:
        """Store people's targets, each only if its unit is still the base its review file was made from
        (or `force`); all in one transaction."""
        results = []
        with self._transaction():
            current = self.lookup([w.unit.source for w in writes], pair)
            for write in writes:
                key = normalize(write.unit.source)
                old = current.get(key)
                if write.base is None:
                    safe = old is None or old.status == "machine"
                else:
                    safe = (old.fingerprint if old else "") == write.base
                if not (safe or write.force):
                    results.append(WriteResult(False, old))
                    continue
                self._write(write.unit, pair, change)
                current[key] = write.unit
                results.append(WriteResult(True, old))
        return results

    def history(self, pair: str, source_keys: list[str]) -> list[Version]:
        """Every version of the units, oldest first."""
        keys = [normalize(k) for k in source_keys]
        rows = self.db.execute(
            f"SELECT id, {COLUMNS}, change FROM history WHERE pair = ? "
            f"AND source_key IN ({','.join('?' * len(keys))}) ORDER BY id",
            [pair, *keys],
        )
        return [Version(row[0], Unit(*row[1:10]), row[10]) for row in rows]

    def history_of_context(self, pair: str, context: str) -> list[Version]:
        """Versions people made for a segment id (its context), whatever English they were for."""
        rows = self.db.execute(
            f"SELECT id, {COLUMNS}, change FROM history WHERE pair = ? AND context = ? ORDER BY id", [pair, context]
        )
        return [Version(row[0], Unit(*row[1:10]), row[10]) for row in rows]

    def version_with_fingerprint(self, pair: str, source: str, fingerprint: str) -> Unit | None:
        """The latest version of a unit whose target and status have this fingerprint (a review file's base)."""
        for version in reversed(self.history(pair, [source])):
            if version.unit.fingerprint == fingerprint:
                return version.unit
        return None

    def add_notes(self, notes: list[EditorNote], pair: str) -> int:
        """Store notes not stored before (same segment, author and text); returns how many were new."""
        added = 0
        with self._transaction():
            for note in notes:
                seen = self.db.execute(
                    "SELECT id, resolved FROM notes WHERE pair = ? AND segment = ? AND author = ? AND text = ?",
                    (pair, note.segment, note.author, note.text),
                ).fetchone()
                if seen is not None:
                    if bool(seen[1]) != note.resolved:
                        self.db.execute("UPDATE notes SET resolved = ? WHERE id = ?", (int(note.resolved), seen[0]))
                    continue
                self.db.execute(
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

    def notes(self, pair: str) -> list[EditorNote]:
        rows = self.db.execute(
            "SELECT segment, source_key, author, at, text, resolved, origin, import_id FROM notes "
            "WHERE pair = ? ORDER BY at, id",
            [pair],
        )
        return [EditorNote(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]

    def record_import(self, record: ImportRecord) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT INTO imports (id, pair, file, editor, at, stored, undone) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.id, record.pair, record.file, record.editor, record.at, record.stored, record.undone),
            )

    def imports(self) -> list[ImportRecord]:
        rows = self.db.execute("SELECT id, pair, file, editor, at, stored, undone FROM imports ORDER BY at, id")
        return [ImportRecord(*row) for row in rows]

    def undo_import(self, import_id: str) -> tuple[list[Unit], list[Unit]]:
        """Put back what each unit was before the import, where the import's version is still current; returns
        the units restored and those left alone (changed again since)."""
        restored: list[Unit] = []
        kept: list[Unit] = []
        with self._transaction():
            rows = self.db.execute(
                "SELECT pair, source_key FROM history WHERE change = ? ORDER BY id", [f"import:{import_id}"]
            ).fetchall()
            for pair, key in rows:
                versions = self.history(pair, [key])
                mine = max(i for i, v in enumerate(versions) if v.change == f"import:{import_id}")
                if mine != len(versions) - 1:
                    kept.append(versions[-1].unit)
                    continue
                if mine == 0:  # the import made the unit: nothing to go back to
                    self.db.execute("DELETE FROM units WHERE pair = ? AND source_key = ?", (pair, key))
                    restored.append(versions[mine].unit)
                    continue
                before = replace(versions[mine - 1].unit, updated=now_utc())
                self._write(before, pair, f"undo:{import_id}")
                restored.append(before)
            self.db.execute("DELETE FROM notes WHERE import_id = ?", [import_id])
            self.db.execute("UPDATE imports SET undone = ? WHERE id = ?", (now_utc(), import_id))
        return restored, kept

    def units(self, pair: str, statuses: tuple[str, ...] = STATUSES) -> list[Unit]:
        """All units of a language pair with one of the statuses, sorted by source."""
        rows = self.db.execute(
            f"SELECT {COLUMNS} FROM units "
            f"WHERE pair = ? AND status IN ({','.join('?' * len(statuses))}) ORDER BY source_key",
            [pair, *statuses],
        )
        return [Unit(*row) for row in rows]

    def stale_reviews(self, segments: dict[str, str], pair: str) -> dict[str, Unit]:
        """For segment ids mapped to their current source, the latest reviewed or approved unit a person made
        for that segment when its English was different."""
        found: dict[str, Unit] = {}
        rows = self.db.execute(
            f"SELECT {COLUMNS} FROM units WHERE pair = ? AND context != '' AND status != 'machine' ORDER BY updated",
            [pair],
        )
        for row in rows:
            unit = Unit(*row)
            current = segments.get(unit.context)
            if current is not None and normalize(unit.source) != normalize(current):
                found[unit.context] = unit
        return found

    def counts(self) -> dict[tuple[str, str], int]:
        rows = self.db.execute("SELECT pair, status, count(*) FROM units GROUP BY pair, status ORDER BY pair, status")
        return {(pair, status): n for pair, status, n in rows}


QUIET_WAIT_S = 2  # how long a writer waits for another before saying so
LOCK_WAIT_S = 60


def _write_error(exc: sqlite3.Error, path: Path) -> BriefkitError:
    return BriefkitError(
        f"cannot write the translation memory: {exc}", path, hint="is the disk full, or the folder read-only?"
    )


def _begin_writing(db: sqlite3.Connection, path: Path) -> None:
    """BEGIN IMMEDIATE; if another process is writing, say so after a moment and wait for it (SQLite alone
    would wait a minute in silence)."""
    db.execute(f"PRAGMA busy_timeout = {QUIET_WAIT_S * 1000}")
    try:
        db.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise _write_error(exc, path) from None
    finally:
        db.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_S * 1000}")
    log.warning(
        "%s: another build or import is writing to the translation memory; waiting for it (up to %d s)",
        path,
        LOCK_WAIT_S,
    )
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise BriefkitError(
            f"the translation memory stayed locked for {LOCK_WAIT_S} s: {exc}",
            path,
            hint="another briefkit is writing to it; try again when it is done",
        ) from None


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception: a batch is stored whole or not at all. Waiting
    for another writer is said aloud after a moment; a write the disk refuses is one clear error (SQLite has
    already rolled back then, so the ROLLBACK's own "cannot rollback" must not hide it)."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    def __enter__(self) -> None:
        _begin_writing(self.db, self.path)

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if kind is None:
            try:
                self.db.execute("COMMIT")
                return
            except sqlite3.OperationalError as exc:
                value = exc
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # already rolled back by SQLite (a full disk): the first error is the one to tell
        if isinstance(value, sqlite3.OperationalError):
            raise _write_error(value, self.path) from None


def person_units_digest(path: Path, pair: str) -> str:
    """sha256 of every reviewed and approved unit of the pair (read only; "" when there is no memory).

    It changes whenever a person's translation is added or changed anywhere in the memory."""
    if not path.is_file():
        return ""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
        try:
            rows = db.execute(
                "SELECT source_key, target, status FROM units WHERE pair = ? AND status != 'machine' "
                "ORDER BY source_key",
                [pair],
            ).fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return "unreadable"  # never equal to a recorded digest: the full check runs and reports the damage
    return hashlib.sha256(repr(rows).encode()).hexdigest()
