"""What the desk shows of a segment: its text and target as pieces (text, and tokens as chips), its state, the
QA findings on its target, glossary hints, fuzzy matches; built from the review rows, never from raw markup."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Literal

from toolkit.model import Text, plain_text
from toolkit.review.fuzzy_match import DiffPiece, FuzzyMatch
from toolkit.review.rows import PacketReview, ReviewRow, slot_kind, slot_label
from toolkit.translate.glossary import Glossary
from toolkit.translate.memory import EditorNote
from toolkit.translate.qa import Finding
from toolkit.translate.segments import MARKUP, Segment

DeskStatus = Literal["untranslated", "machine", "reviewed", "approved", "needs-review", "flagged"]
STATUS_LABELS: dict[str, str] = {
    "untranslated": "untranslated",
    "machine": "machine",
    "reviewed": "reviewed",
    "approved": "approved",
    "needs-review": "needs review",
    "flagged": "flagged",
}
WORD_LIMIT = 40  # a chip's label is cut after this many characters


@dataclass(frozen=True)
class Piece:
    """Text, or a token: slot `n` (`closing`: the end of formatting), its kind and what it shows."""

    text: str = ""
    n: int = 0
    closing: bool = False
    kind: str = ""
    label: str = ""
    unknown: bool = False  # a word the engine did not know

    @property
    def is_token(self) -> bool:
        return self.n > 0

    @property
    def token(self) -> str:
        """As the editor's text carries it: `{2}`, `{/1}`."""
        return f"{{/{self.n}}}" if self.closing else f"{{{self.n}}}"

    @property
    def shown(self) -> str:
        if self.closing:
            return f"{self.n}◂"
        label = self.label if len(self.label) <= WORD_LIMIT else self.label[: WORD_LIMIT - 1] + "…"
        return f"{self.n} {label}" if label else f"{self.n} {self.kind}"

    def to_json(self) -> dict[str, object]:
        if not self.is_token:
            return {"text": self.text, "unknown": self.unknown}
        return {"n": self.n, "closing": self.closing, "kind": self.kind, "label": self.label, "shown": self.shown}


def pieces(
    markup: str, segment: Segment, review: PacketReview, english: bool, unknown: tuple[str, ...] = ()
) -> list[Piece]:
    """Markup as pieces; with `unknown`, those words split out of the text."""
    found: list[Piece] = []
    pos = 0
    for m in MARKUP.finditer(markup):
        found.extend(_text_pieces(markup[pos : m.start()], unknown))
        n = int(m.group(1) or m.group(2) or m.group(3))
        if n in segment.slots:
            label = slot_label(segment, n, english, review.bibliography)
            found.append(Piece(n=n, closing=bool(m.group(2)), kind=slot_kind(segment, n), label=label))
        pos = m.end()
    found.extend(_text_pieces(markup[pos:], unknown))
    return found


def _text_pieces(escaped: str, unknown: tuple[str, ...]) -> list[Piece]:
    text = unescape(escaped)
    if not text:
        return []
    if not unknown:
        return [Piece(text)]
    words = "|".join(map(re.escape, sorted(set(unknown), key=len, reverse=True)))
    parts = re.split(rf"(?<![\w-])({words})(?![\w-])", text)
    return [Piece(part, unknown=i % 2 == 1) for i, part in enumerate(parts) if part]


def required_tokens(segment: Segment) -> list[str]:
    """The tokens a target must keep (citations, notes, links, formatting, code, pictures), as `{n}`/`{/n}`;
    a protected name, term or figure may be written out instead."""
    tokens = []
    for n, node in sorted(segment.slots.items()):
        if isinstance(node, Text):
            continue
        tokens.append(f"{{{n}}}")
        if segment.paired(n):
            tokens.append(f"{{/{n}}}")
    return tokens


def desk_status(row: ReviewRow) -> DeskStatus:
    if row.earlier:
        return "needs-review"
    if row.findings:
        return "flagged"
    return row.status


@dataclass(frozen=True)
class GlossaryHint:
    term: str  # as the source has it
    translation: str
    note: str


def glossary_hints(row: ReviewRow, glossary: Glossary) -> list[GlossaryHint]:
    """The glossary's (or term base's) entries for the terms of the segment's source, each once."""
    used = glossary.reversed() if row.item.direction.rules.glossary_reversed else glossary
    pattern = used.pattern()
    if pattern is None:
        return []
    hints: dict[str, GlossaryHint] = {}
    for m in pattern.finditer(plain_text(row.item.source)):
        found = used.find_term(m.group(0))
        if found is not None and found[0].source not in hints:
            hints[found[0].source] = GlossaryHint(m.group(0), used.lookup(m.group(0)), found[0].note)
    return list(hints.values())


def taken_match(match: FuzzyMatch, segment: Segment) -> str:
    """A fuzzy match's target as this segment's editor text: the match's tokens kept where this segment has
    the same kind of slot under the number, the others left out, this segment's missing tokens at the end."""
    out: list[str] = []
    seen: set[str] = set()
    pos = 0
    for m in MARKUP.finditer(match.target):
        out.append(_plain(match.target[pos : m.start()]))
        pos = m.end()
        n = int(m.group(1) or m.group(2) or m.group(3))
        paired = bool(m.group(1) or m.group(2))
        if n in segment.slots and segment.paired(n) == paired:
            token = f"{{/{n}}}" if m.group(2) else f"{{{n}}}"
            out.append(token)
            seen.add(token)
    out.append(_plain(match.target[pos:]))
    missing = [t for t in required_tokens(segment) if t not in seen]
    text = "".join(out).strip()
    return f"{text} {' '.join(missing)}".strip() if missing else text


def _plain(escaped: str) -> str:
    return unescape(escaped).replace("{", "(").replace("}", ")")


def finding_json(finding: Finding) -> dict[str, str]:
    return {"kind": finding.kind, "severity": finding.severity, "message": finding.message}


def note_json(note: EditorNote) -> dict[str, object]:
    return {"author": note.author, "at": note.at, "text": note.text, "resolved": note.resolved}


def diff_json(pieces: tuple[DiffPiece, ...]) -> list[dict[str, str]]:
    return [{"text": p.text, "change": p.change} for p in pieces]
