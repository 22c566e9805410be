"""The translation memory's PostgreSQL backend (psycopg 3), for releases across machines.

Writers run SERIALIZABLE: a batch reads the units it may replace and writes them in one transaction, and
PostgreSQL refuses one of two batches that would interleave (a person's target downgraded by a machine one).
The refused batch runs again from the start. Each process keeps one connection pool per database."""

from __future__ import annotations

import atexit
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from toolkit.errors import BriefkitError
from toolkit.read.memory_location import DatabaseUrl
from toolkit.translate.memory_schema import POSTGRES_MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")
CONNECT_TIMEOUT_S = 10
RETRIES = 10  # a batch refused for a conflict with another writer runs again, up to this many times
MIGRATION_LOCK = 0x62726B74  # pg_advisory_xact_lock key: one process at a time sets the schema up
MEMORY_TABLES = {"units", "history", "notes", "imports"}

_pools: dict[tuple[int, str], ConnectionPool] = {}
_pools_lock = threading.Lock()


def _close_pools() -> None:
    for pool in _pools.values():
        pool.close(timeout=1)


atexit.register(_close_pools)


def _one_line(exc: BaseException) -> str:
    return " ".join(part.strip() for part in str(exc).strip().splitlines() if part.strip())


def connection_error(exc: BaseException, url: DatabaseUrl) -> BriefkitError:
    """One line for a database briefkit cannot use: unreachable, login refused, no such database."""
    text = url.scrub(_one_line(exc)).removeprefix("connection failed: ").replace("FATAL:  ", "")
    text = text.split(" Is the server running")[0]  # libpq's own hint, said better by ours
    if "password authentication failed" in text or "no password supplied" in text or "role" in text:
        hint = "check the user and password: in the URL, PGPASSWORD or ~/.pgpass"
    elif "does not exist" in text:
        hint = "create the database first (createdb), or fix its name in the URL"
    else:
        hint = "is PostgreSQL running there, and reachable from this machine?"
    return BriefkitError(f"cannot connect to the translation memory database: {text}", str(url), hint=hint)


def lost_connection(exc: BaseException, url: DatabaseUrl) -> BriefkitError:
    return BriefkitError(
        f"lost the connection to the translation memory database: {url.scrub(_one_line(exc))}",
        str(url),
        hint="is the server still running? the batch being written was not stored",
    )


def _pool(url: DatabaseUrl) -> ConnectionPool:
    key = (os.getpid(), url.url)  # a forked worker must not share its parent's connections
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            try:  # one direct attempt first: the pool would retry in the background and only time out
                psycopg.connect(url.url, connect_timeout=CONNECT_TIMEOUT_S).close()
            except psycopg.Error as exc:
                raise connection_error(exc, url) from None
            pool = ConnectionPool(
                url.url,
                min_size=1,
                max_size=4,
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                check=ConnectionPool.check_connection,  # a connection the server dropped is replaced, not used
                name="briefkit-memory",
                open=True,
            )
            _pools[key] = pool
    return pool


def _placeholders(sql: str) -> str:
    """The memory's queries are written with `?` (SQLite's); psycopg takes `%s`."""
    return sql.replace("?", "%s")


class PostgresDatabase:
    """A memory in a PostgreSQL database: tables created or upgraded on first use (`briefkit_schema` holds
    the version)."""

    def __init__(self, url: DatabaseUrl, read_only: bool = False) -> None:
        self.url = url
        self.label = str(url)
        self.pool = _pool(url)
        try:
            self.conn = self.pool.getconn(timeout=CONNECT_TIMEOUT_S * 3)
        except PoolTimeout as exc:
            raise lost_connection(exc, url) from None
        try:
            self._check_version() if read_only else self._migrate()
        except psycopg.OperationalError as exc:
            self.close()
            raise lost_connection(exc, url) from None
        except BaseException:
            self.close()
            raise

    def _tables(self) -> set[str]:
        rows = self.conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {row[0] for row in rows}

    def _version(self, tables: set[str]) -> int:
        if "briefkit_schema" not in tables:
            if tables & MEMORY_TABLES:
                raise BriefkitError(
                    "not a briefkit translation memory (the database holds tables of that name, and no "
                    "briefkit_schema)",
                    self.label,
                    hint="give briefkit a database of its own",
                )
            return 0
        row = self.conn.execute("SELECT version FROM briefkit_schema").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise BriefkitError(
                f"translation memory has schema version {version}, newer than this briefkit's {SCHEMA_VERSION}",
                self.label,
                hint="upgrade briefkit on this machine",
            )
        return version

    def _check_version(self) -> None:
        version = self._version(self._tables())
        if version != SCHEMA_VERSION:
            raise BriefkitError(
                f"translation memory has schema version {version}, this briefkit reads {SCHEMA_VERSION}",
                self.label,
                hint="a build creates or upgrades it",
            )

    def _migrate(self) -> None:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            tables = self._tables()
            version = self._version(tables)
            if version == SCHEMA_VERSION:
                return
            if "briefkit_schema" not in tables:
                self.conn.execute("CREATE TABLE briefkit_schema (version INTEGER NOT NULL)")
                self.conn.execute("INSERT INTO briefkit_schema VALUES (0)")
            for step in sorted(POSTGRES_MIGRATIONS):
                if step > version:
                    for statement in POSTGRES_MIGRATIONS[step]:
                        self.conn.execute(statement.encode())
            self.conn.execute("UPDATE briefkit_schema SET version = %s", [SCHEMA_VERSION])

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cursor = self.conn.execute(_placeholders(sql).encode(), params)
            return cursor.fetchall() if cursor.description is not None else []
        except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
            raise  # for `write` to run the batch again
        except psycopg.OperationalError as exc:
            raise lost_connection(exc, self.url) from None

    def write(self, work: Callable[[], T]) -> T:
        """Run `work` in one SERIALIZABLE transaction; run it again when PostgreSQL refuses it for a conflict
        with another writer (serialization failure, deadlock). `work` must start from nothing each time."""
        for attempt in range(RETRIES):
            try:
                with self.conn.transaction():
                    self.conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                    return work()
            except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected) as exc:
                if attempt == RETRIES - 1:
                    raise BriefkitError(
                        f"the translation memory kept refusing a batch for conflicts with other writers: "
                        f"{self.url.scrub(_one_line(exc))}",
                        self.label,
                        hint="try again",
                    ) from None
                time.sleep(random.uniform(0.005, 0.02) * 2**attempt)
            except psycopg.OperationalError as exc:
                raise lost_connection(exc, self.url) from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.pool.putconn(self.conn)
