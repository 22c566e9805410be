"""The translation memory: an SQLite file mapping (normalized source segment, language pair) to a target."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import BriefkitError

STATUSES = ("machine", "reviewed", "approved")
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


def normalize(markup: str) -> str:
    return re.sub(r"\s+", " ", markup).strip()


@dataclass(frozen=True)
class Unit:
    source: str
    target: str
    status: str
    engine: str
    model: str
    produced_by: str
    updated: str


class TranslationMemory:
    """Safe for several builds at once: WAL journal, one transaction per batch, busy timeout."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            ok = self.db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BriefkitError(
                f"translation memory is damaged: {exc}",
                path,
                hint="restore it from backup or delete it to start afresh",
            ) from None
        if ok != "ok":
            raise BriefkitError(f"translation memory failed its integrity check: {ok}", path)

    def close(self) -> None:
        self.db.close()

    def lookup(self, sources: list[str], pair: str) -> dict[str, Unit]:
        found: dict[str, Unit] = {}
        keys = sorted({normalize(s) for s in sources})
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = self.db.execute(
                f"SELECT source_key, source, target, status, engine, model, produced_by, updated FROM units "
                f"WHERE pair = ? AND source_key IN ({','.join('?' * len(chunk))})",
                [pair, *chunk],
            )
            for key, *rest in rows:
                found[key] = Unit(*rest)
        return found

    def store(
        self, units: list[tuple[str, str]], pair: str, status: str, engine: str, model: str, produced_by: str
    ) -> None:
        """Store (source, target) pairs; a machine target never replaces a reviewed or approved one."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = [(normalize(s), pair, s, t, status, engine, model, produced_by, now) for s, t in units]
        guard = "WHERE units.status = 'machine'" if status == "machine" else ""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_key, pair) DO UPDATE SET "
                "target = excluded.target, status = excluded.status, engine = excluded.engine, "
                f"model = excluded.model, produced_by = excluded.produced_by, updated = excluded.updated {guard}",
                rows,
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
