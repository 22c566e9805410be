"""Where a translation memory lives: an SQLite file, or a PostgreSQL database named by a URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import BriefkitError

URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30})://")  # `postgresql://…`, `sqlite://…`, `https://…`
DATABASE_SCHEMES = ("postgresql", "postgres")
MEMORY_KINDS = "briefkit keeps the translation memory in an SQLite file or a PostgreSQL database (postgresql://…)"
MEMORY_HINT = "give a path relative to the packet file, or a postgresql:// URL"
PASSWORD = re.compile(r"(://[^:/?#@]{0,200}:)[^@/?#]{0,500}@")  # user:password@ in a URL


@dataclass(frozen=True)
class DatabaseUrl:
    """A PostgreSQL database holding a translation memory (`postgresql://user@host:port/db`). It is shown
    without its password; libpq's own sources of one (PGPASSWORD, ~/.pgpass) work too."""

    url: str

    def __str__(self) -> str:
        return PASSWORD.sub(r"\1***@", self.url)


MemoryLocation = Path | DatabaseUrl


def url_scheme(value: str) -> str | None:
    """The scheme of a URL (`postgresql`), or None for a path."""
    match = URL_SCHEME.match(value)
    return match.group(1).lower() if match else None


def database_url(value: str, source: Path | str | None = None, line: int | None = None) -> DatabaseUrl:
    """A memory URL briefkit can use, or a clear error naming the scheme it cannot."""
    scheme = url_scheme(value)
    if scheme not in DATABASE_SCHEMES:
        raise BriefkitError(f"the translation memory is a {scheme} URL: {MEMORY_KINDS}", source, line, MEMORY_HINT)
    return DatabaseUrl(value)


def memory_location(value: str, source: Path | str | None = None) -> MemoryLocation:
    """A `--memory` / BRIEFKIT_MEMORY value: a database URL, or a file path."""
    return database_url(value, source) if url_scheme(value) else Path(value)
