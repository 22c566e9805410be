"""The one exception type for problems a user can fix."""

from __future__ import annotations

from pathlib import Path


class BriefkitError(Exception):
    """A user error: which file, which line, what is wrong, what to do."""

    def __init__(
        self, message: str, path: Path | str | None = None, line: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
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
