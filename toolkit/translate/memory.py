"""The translation memory: an SQLite file mapping (normalized source segment, language pair) to a target."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from toolkit.errors import BriefkitError

Status = Literal["machine", "reviewed", "approved"]  # who made a target: an engine, a person, a person's final
STATUSES: tuple[Status, ...] = get_args(Status)
SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    source_key TEXT NOT NULL,
    pair TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('machine', 'reviewed', 'approved')),
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    produced_by TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (source_key, pair)
);
"""


RANK = "(CASE {} WHEN 'machine' THEN 0 WHEN 'reviewed' THEN 1 ELSE 2 END)"


def normalize(markup: str) -> str:
    return re.sub(r"\s+", " ", markup).strip()


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


COLUMNS = "source, target, status, engine, model, produced_by, updated, context"


class TranslationMemory:
    """Safe for several builds at once: WAL journal, one transaction per batch, busy timeout."""

    def __init__(self, path: Path) -> None:
        self.path = path
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
                    raise BriefkitError(f"translation memory cannot be opened: {exc}", path) from None
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
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("BEGIN IMMEDIATE")  # one process at a time sets the schema up
            db.execute(SCHEMA)
            columns = [row[1] for row in db.execute("PRAGMA table_info(units)")]
            if "context" not in columns:  # memories made before review support
                db.execute("ALTER TABLE units ADD COLUMN context TEXT NOT NULL DEFAULT ''")
            db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self.db.close()

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
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.store_units([Unit(s, t, status, engine, model, produced_by, now) for s, t in units], pair)

    def store_units(self, units: list[Unit], pair: str) -> int:
        """Upsert units; a target never replaces one of higher status (machine < reviewed < approved).

        Returns how many rows changed."""
        rows = [
            (normalize(u.source), pair, u.source, u.target, u.status, u.engine, u.model, u.produced_by, u.updated)
            + (u.context,)
            for u in units
        ]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            before = self.db.total_changes
            self.db.executemany(
                "INSERT INTO units (source_key, pair, source, target, status, engine, model, produced_by, updated, "
                "context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_key, pair) DO UPDATE SET "
                "target = excluded.target, status = excluded.status, engine = excluded.engine, "
                "model = excluded.model, produced_by = excluded.produced_by, updated = excluded.updated, "
                "context = CASE WHEN excluded.context != '' THEN excluded.context ELSE units.context END "
                f"WHERE {RANK.format('units.status')} <= {RANK.format('excluded.status')} "
                "AND (units.target != excluded.target OR units.status != excluded.status)",
                rows,
            )
            changed = self.db.total_changes - before
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return changed

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
