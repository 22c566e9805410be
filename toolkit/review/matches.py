"""Fuzzy matches and concordance from the translation memory: what a person translated for a sentence like
this one (similarity in per cent, the differences marked), and every unit whose source or target holds some
words. The review desk shows both; the review exports carry the fuzzy matches too."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz, process, utils

from toolkit.review.fuzzy_match import DiffPiece, FuzzyMatch
from toolkit.review.rows import PacketReview
from toolkit.translate.memory import Status, TranslationMemory, Unit, normalize
from toolkit.translate.segment_table import CONTEXT
from toolkit.translate.segments import markup_as_text

MATCH_CUTOFF = 70  # per cent: below it, a "match" costs the editor more reading than it saves
MATCH_LIMIT = 3
WORDS = re.compile(r"\w+|[^\w\s]+|\s+")


@dataclass(frozen=True)
class ConcordanceHit:
    pair: str
    source: str  # plain text
    target: str
    status: Status
    found_in: Literal["source", "target"]


def differences(segment_text: str, match_text: str) -> tuple[DiffPiece, ...]:
    """The match's source against the segment's, word by word."""
    ours, theirs = WORDS.findall(segment_text), WORDS.findall(match_text)
    pieces: list[DiffPiece] = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("".join(ours[a0:a1]), "same"))
            continue
        if b1 > b0:
            pieces.append(DiffPiece("".join(theirs[b0:b1]), "removed"))
        if a1 > a0:
            pieces.append(DiffPiece("".join(ours[a0:a1]), "added"))
    return tuple(pieces)


def _source_text(unit: Unit) -> str:
    """A unit's source as text (a translation made for one segment in context has the segment id after it)."""
    return markup_as_text(unit.source.split(CONTEXT)[0])


def person_units(memory: TranslationMemory, pair: str) -> list[Unit]:
    """The reviewed and approved units of a pair: what fuzzy matches come from."""
    return memory.units(pair, ("reviewed", "approved"))


def fuzzy_matches(
    review: PacketReview, memory: TranslationMemory, limit: int = MATCH_LIMIT, cutoff: int = MATCH_CUTOFF
) -> dict[str, tuple[FuzzyMatch, ...]]:
    """For each segment, the most similar person-made units of its pair (its own unit left out), best first."""
    found: dict[str, tuple[FuzzyMatch, ...]] = {}
    for pair in dict.fromkeys(row.pair for row in review.rows):
        units = person_units(memory, pair)
        texts = [_source_text(unit) for unit in units]
        for row in review.rows:
            if row.pair != pair or not units:
                continue
            own = normalize(row.item.segment.markup)
            text = markup_as_text(row.item.segment.markup)
            scored = process.extract(
                text, texts, scorer=fuzz.ratio, processor=utils.default_process, limit=limit + 2, score_cutoff=cutoff
            )
            matches = [
                FuzzyMatch(
                    units[i].source,
                    units[i].target,
                    units[i].status,
                    round(score),
                    units[i].produced_by,
                    units[i].updated,
                    differences(text, texts[i]),
                )
                for _, score, i in scored
                if normalize(units[i].source.split(CONTEXT)[0]) != own
            ]
            if matches:
                found[row.item.id] = tuple(matches[:limit])
    return found


def with_matches(review: PacketReview, memory: TranslationMemory) -> PacketReview:
    """The review with each row's fuzzy matches (for the exports and the desk)."""
    found = fuzzy_matches(review, memory)
    return replace(review, rows=[replace(row, matches=found.get(row.item.id, ())) for row in review.rows])


def concordance(memory: TranslationMemory, pairs: tuple[str, ...], query: str, limit: int = 50) -> list[ConcordanceHit]:
    """Units of the pairs whose source or target holds the query (case and spacing aside), person-made first."""
    words = " ".join(query.split()).casefold()
    if len(words) < 2:
        return []
    hits: list[ConcordanceHit] = []
    for pair in pairs:
        for unit in memory.units(pair):
            source, target = _source_text(unit), markup_as_text(unit.target)
            where: Literal["source", "target"] | None = (
                "source"
                if words in " ".join(source.split()).casefold()
                else "target"
                if words in " ".join(target.split()).casefold()
                else None
            )
            if where is not None:
                hits.append(ConcordanceHit(pair, source, target, unit.status, where))
    hits.sort(key=lambda hit: hit.status == "machine")
    return hits[:limit]
