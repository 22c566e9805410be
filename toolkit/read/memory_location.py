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
QUERY_SECRET = re.compile(r"(?i)([?&](?:ssl)?password=)[^&]*")  # libpq's `?password=…` and `?sslpassword=…`
SECRET_PIECES = re.compile(r"[@/?#:&=]")


@dataclass(frozen=True)
class DatabaseUrl:
    """A PostgreSQL database holding a translation memory (`postgresql://user@host:port/db`). It is shown
    without its password; libpq's own sources of one (PGPASSWORD, ~/.pgpass) work too."""

    url: str

    def __str__(self) -> str:
        """The URL without its password, however malformed: everything between the user name and the last
        `@` is hidden (libpq's password may hold `#`, `?`, `/`), and so is a `password=` in the query."""
        scheme, _, rest = self.url.partition("://")
        if "@" in rest:
            userinfo, _, rest = rest.rpartition("@")
            user = SECRET_PIECES.split(userinfo, maxsplit=1)[0]
            rest = f"{user}{':***' if user != userinfo else ''}@{rest}"
        return QUERY_SECRET.sub(r"\1***", f"{scheme}://{rest}")

    def secrets(self) -> list[str]:
        """Every text of the URL that may be (part of) a password, longest first: what a driver's message
        must not repeat."""
        rest = self.url.partition("://")[2]
        found = [m.group(0).split("=", 1)[1] for m in QUERY_SECRET.finditer(rest)]
        if "@" in rest:
            userinfo = rest.rpartition("@")[0]
            found.append(userinfo.partition(":")[2])
            found += [userinfo[m.end() :] for m in SECRET_PIECES.finditer(userinfo)]
        pieces = [piece for text in found for piece in SECRET_PIECES.split(text)]
        return sorted({s for s in [*found, *pieces] if len(s) > 1}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """A driver's message with the URL shown as `str(self)` and no part of a password left in it."""
        text = text.replace(self.url, str(self))
        for secret in self.secrets():
            text = text.replace(secret, "***")
        return text


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


def memory_shown(memory: MemoryLocation, inputs_root: Path) -> str:
    """A memory as a build names it: a URL without its password, or the file (relative to the inputs folder
    when inside it, so that a copied project's manifests match)."""
    if isinstance(memory, Path) and memory.is_relative_to(inputs_root):
        return str(memory.relative_to(inputs_root))
    return str(memory)
