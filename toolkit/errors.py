"""The one exception type for problems a user can fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar


class BriefkitError(Exception):
    """A user error: which file, which line, what is wrong, what to do."""

    def __init__(
        self, message: str, path: Path | str | None = None, line: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        # a database URL is shown as given, not folded like a path (postgresql:/…)
        self.where = path if isinstance(path, str) and "://" in path else str(self.path or "")
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.where:
            where = f"{self.where}:{self.line}: " if self.line else f"{self.where}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class BriefkitErrors(BriefkitError):
    """Several user errors found in one pass, reported together."""

    def __init__(self, errors: list[BriefkitError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


MAX_REPORTED = 50  # problems shown in one run, then a count of the rest
T = TypeVar("T")


def raise_all(errors: list[BriefkitError], packet_path: Path | None = None, limit: int | None = None) -> None:
    """Raise the errors together, if there are any (with a `limit`, that many and then a count of the rest);
    one that names no file is given `packet_path`."""
    if packet_path is not None:
        errors = [e if e.path else BriefkitError(e.message, packet_path, None, e.hint) for e in errors]
    if limit is not None and len(errors) > limit:
        more = BriefkitError(f"… and {len(errors) - limit} more problems", errors[limit].path)
        errors = [*errors[:limit], more]
    if errors:
        raise errors[0] if len(errors) == 1 else BriefkitErrors(errors)


def collect(errors: list[BriefkitError], step: Callable[..., T], *args: Any) -> T | None:
    """Run one reading step; keep its problems in `errors` so that one run reports them all."""
    try:
        return step(*args)
    except BriefkitErrors as exc:
        errors.extend(exc.errors)
    except BriefkitError as exc:
        errors.append(exc)
    return None
