"""How far review has come: counts per status, and whether a packet is ready to publish at a required level."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from toolkit.read.packet import REVIEW_LEVELS, ReviewLevel
from toolkit.review.rows import PacketReview
from toolkit.translate.memory import EditorNote
from toolkit.translate.translator import SegmentResult

__all__ = ["REVIEW_LEVELS", "ReviewCounts", "ReviewLevel", "counts_from_results", "review_counts"]


@dataclass(frozen=True)
class ReviewCounts:
    segments: int = 0
    untranslated: int = 0
    machine: int = 0
    reviewed: int = 0
    approved: int = 0
    needs_review: int = 0  # a person's translation exists for earlier source text; the current one is machine-made
    open_notes: int = 0
    flagged: int = 0  # a person's translation the QA checks disagree with (stored as written)

    def __add__(self, other: ReviewCounts) -> ReviewCounts:
        return ReviewCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(ReviewCounts)))

    def ready(self, level: ReviewLevel) -> bool:
        waiting = self.untranslated + self.machine + self.needs_review
        return waiting == 0 and (level == "reviewed" or self.reviewed == 0)

    def reason(self, level: ReviewLevel) -> str:
        """Why the packet is not ready at `level`, in one line."""
        parts = []
        if self.untranslated:
            parts.append(f"{self.untranslated} untranslated")
        if self.machine:
            parts.append(f"{self.machine} machine-translated")
        if self.needs_review:
            parts.append(f"{self.needs_review} need review after their source text changed")
        if level == "approved" and self.reviewed:
            parts.append(f"{self.reviewed} reviewed but not approved")
        return f"{', '.join(parts)} of {self.segments} segments" if parts else "ready"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def review_counts(review: PacketReview) -> dict[str, ReviewCounts]:
    """Counts per summary (by file stem), from the memory as it is now."""
    counts: dict[str, ReviewCounts] = {}
    for row in review.rows:
        summary = row.item.summary
        one = ReviewCounts(
            segments=1,
            untranslated=int(row.status == "untranslated"),
            machine=int(row.status == "machine" and not row.earlier),
            reviewed=int(row.status == "reviewed"),
            approved=int(row.status == "approved"),
            needs_review=int(bool(row.earlier)),
            open_notes=sum(not note.resolved for note in row.notes),
            flagged=int(bool(row.findings)),
        )
        counts[summary] = counts.get(summary, ReviewCounts()) + one
    return counts


def counts_from_results(results: list[SegmentResult], notes: list[EditorNote]) -> ReviewCounts:
    """The counts a build sees: where each translated segment came from, and the open notes on them."""
    ids = {r.segment_id for r in results}
    return ReviewCounts(
        segments=len(results),
        machine=sum(r.origin not in ("reviewed", "approved") and not r.earlier_review for r in results),
        reviewed=sum(r.origin == "reviewed" for r in results),
        approved=sum(r.origin == "approved" for r in results),
        needs_review=sum(bool(r.earlier_review) for r in results),
        open_notes=sum(not n.resolved and n.segment in ids for n in notes),
    )
