"""The translation memory's tables and their versions, for each backend.

Each step takes a memory from the version before it to its own. Version 1 is the memory of the first release
(units, with the segment id a person reviewed it as); 2 adds history, notes and imports; 3 the words the
engine did not know; 4 marks the machine units stored before the memory kept the printed (post-edited)
text, so that they are post-edited when next used. PostgreSQL memories began at version 3: their first step
makes all of it. A new version adds a step to both backends."""

from __future__ import annotations

SCHEMA_VERSION = 4
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

RAW_MACHINE_UNITS = "UPDATE units SET model = model || ' [raw]' WHERE status = 'machine'"
SQLITE_MIGRATIONS: dict[int, list[str]] = {
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
    3: [
        "ALTER TABLE units ADD COLUMN unknown TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE history ADD COLUMN unknown TEXT NOT NULL DEFAULT ''",
    ],
    4: [RAW_MACHINE_UNITS],
}

# Text compares byte by byte, as in SQLite, so that both backends sort alike (COLLATE "C").
_TEXT = 'TEXT COLLATE "C" NOT NULL'
POSTGRES_MIGRATIONS: dict[int, list[str]] = {
    3: [
        f"""CREATE TABLE units (
            source_key {_TEXT}, pair {_TEXT}, source {_TEXT}, target {_TEXT},
            status {_TEXT} CHECK (status IN ('machine', 'reviewed', 'approved')),
            engine {_TEXT}, model {_TEXT}, produced_by {_TEXT}, updated {_TEXT},
            context {_TEXT} DEFAULT '', unknown {_TEXT} DEFAULT '', PRIMARY KEY (source_key, pair))""",
        f"""CREATE TABLE history (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source_key {_TEXT}, pair {_TEXT}, source {_TEXT},
            target {_TEXT}, status {_TEXT}, engine {_TEXT}, model {_TEXT}, produced_by {_TEXT}, updated {_TEXT},
            context {_TEXT}, change {_TEXT}, unknown {_TEXT} DEFAULT '')""",
        "CREATE INDEX history_unit ON history (pair, source_key, id)",
        "CREATE INDEX history_change ON history (change)",
        f"""CREATE TABLE notes (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, pair {_TEXT}, segment {_TEXT},
            source_key {_TEXT}, author {_TEXT}, at {_TEXT}, text {_TEXT}, resolved INTEGER NOT NULL DEFAULT 0,
            origin {_TEXT}, import_id {_TEXT} DEFAULT '')""",
        "CREATE INDEX notes_segment ON notes (pair, segment)",
        f"""CREATE TABLE imports (
            id {_TEXT} PRIMARY KEY, pair {_TEXT}, file {_TEXT}, editor {_TEXT}, at {_TEXT},
            stored INTEGER NOT NULL, undone {_TEXT} DEFAULT '')""",
    ],
    4: [RAW_MACHINE_UNITS],
}
