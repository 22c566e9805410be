"""A fuzzy match: a person's translation, in the memory, of a source like a segment's (see `matches`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from toolkit.translate.memory import Status
from toolkit.translate.segments import markup_as_text

Change = Literal["same", "added", "removed"]


@dataclass(frozen=True)
class DiffPiece:
    """A run of the match's source as it differs from the segment's: `added` is in the segment and not in the
    match, `removed` is in the match and not in the segment."""

    text: str
    change: Change


@dataclass(frozen=True)
class FuzzyMatch:
    source: str  # the match's source markup
    target: str  # its target markup (slot numbers of the match's own segment)
    status: Status
    similarity: int  # per cent
    produced_by: str
    updated: str
    differences: tuple[DiffPiece, ...]

    @property
    def target_text(self) -> str:
        return markup_as_text(self.target)
