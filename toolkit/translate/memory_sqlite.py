"""The translation memory's SQLite backend: one file, WAL journal, one writer at a time (BEGIN IMMEDIATE)."""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from toolkit.errors import BriefkitError
from toolkit.translate.memory_schema import FIRST_RELEASE_COLUMNS, SCHEMA_VERSION, SQLITE_MIGRATIONS

log = logging.getLogger("briefkit")
T = TypeVar("T")
QUIET_WAIT_S = 2  # how long a writer waits for another before saying so
LOCK_WAIT_S = 60


class SqliteDatabase:
    """A memory file: safe for several builds at once on one machine (WAL, busy timeout, one writer)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """Open (and create, or upgrade) the memory for reading and writing; with `read_only`, only read it,
        as commands that change nothing do (they work on a read-only disk or another user's memory)."""
        self.path = path
        self.label = str(path)
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
            # Checked before WAL mode is set, which rewrites the header: another program's file stays as it was.
            # In one read transaction: another process may be setting the schema up between two reads.
            db.execute("BEGIN")
            try:
                _refuse_foreign(db, path)
            finally:
                db.execute("COMMIT")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _begin_writing(db, path)  # one process at a time sets the schema up
            try:
                SqliteDatabase._migrate(db, path)
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
        version = _refuse_foreign(db, path)  # again, now that this process alone writes
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 and "units" in tables:  # a memory of the first release, before versions were kept
            columns = [row[1] for row in db.execute("PRAGMA table_info(units)")]
            if "context" not in columns:
                db.execute("ALTER TABLE units ADD COLUMN context TEXT NOT NULL DEFAULT ''")
            version = 1
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in SQLITE_MIGRATIONS[step]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()

    def write(self, work: Callable[[], T]) -> T:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception: a batch is stored whole or not at all.
        Waiting for another writer is said aloud after a moment; a write the disk refuses is one clear error
        (SQLite has already rolled back then, so the ROLLBACK's own "cannot rollback" must not hide it)."""
        _begin_writing(self.db, self.path)
        try:
            result = work()
            self.db.execute("COMMIT")
            return result
        except BaseException as exc:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # already rolled back by SQLite (a full disk): the first error is the one to tell
            if isinstance(exc, sqlite3.OperationalError):
                raise _write_error(exc, self.path) from None
            raise

    def close(self) -> None:
        self.db.close()


def _refuse_foreign(db: sqlite3.Connection, path: Path) -> int:
    """The memory's schema version; an error for a file briefkit cannot use (newer, or another program's)."""
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
    if version == 0 and "units" in tables:
        columns = {row[1] for row in db.execute("PRAGMA table_info(units)")}
        if not FIRST_RELEASE_COLUMNS <= columns:
            raise BriefkitError("not a briefkit translation memory (its `units` table has other columns)", path)
    return version


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


def sqlite_rows_read_only(path: Path, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]] | None:
    """Rows from a memory file opened read-only for one query; None when it is missing or unreadable."""
    if not path.is_file():
        return []
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=60)  # `#`, `?` escaped
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return None
