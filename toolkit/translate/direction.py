"""Translation directions: which language a summary is written in and which it is translated into, with the
one registry of what differs by direction (post-editing, typography and citation forms, glossary
orientation). Code asks a `Direction` instead of slicing language tags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from toolkit.errors import BriefkitError
from toolkit.model import Inline
from toolkit.model.languages import language_name
from toolkit.translate.english import english_citations, english_typography
from toolkit.translate.postedit import post_edit, post_edit_english
from toolkit.translate.segments import Segment
from toolkit.translate.spanish import spanish_citations, spanish_typography

Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")
Inlines = tuple[Inline, ...]


def _spanish_forms(inlines: Inlines) -> Inlines:
    return spanish_citations(spanish_typography(inlines))


def _english_forms(inlines: Inlines) -> Inlines:
    return english_citations(english_typography(inlines))


@dataclass(frozen=True)
class DirectionRules:
    """What a direction does that the other does not."""

    post_edit: Callable[[Segment, str], str]  # the engine's markup made publishable (machine text only)
    target_forms: Callable[[Inlines], Inlines]  # the target language's typography and citation affixes
    glossary_reversed: bool  # the glossary file reads English → Spanish: read it backwards from Spanish


RULES: dict[tuple[Language, Language], DirectionRules] = {
    ("en", "es"): DirectionRules(post_edit, _spanish_forms, glossary_reversed=False),
    ("es", "en"): DirectionRules(post_edit_english, _english_forms, glossary_reversed=True),
}


def base_language(tag: str) -> Language:
    """ "es-CL" → "es"; a tag of neither language is a bug here (tags are validated when a packet is read)."""
    base = tag.split("-")[0].lower()
    if base == "en":
        return "en"
    if base == "es":
        return "es"
    raise ValueError(f"not a language briefkit writes: {tag!r}")


@dataclass(frozen=True)
class Direction:
    """From the language tag a summary is written in (`en-GB`) to the tag of the edition it is translated
    into (`es-CL`)."""

    source: str
    target: str

    @property
    def source_language(self) -> Language:
        return base_language(self.source)

    @property
    def target_language(self) -> Language:
        return base_language(self.target)

    @property
    def pair(self) -> str:
        """The memory's language pair: "en-es" or "es-en", whatever the regions."""
        return f"{self.source_language}-{self.target_language}"

    @property
    def rules(self) -> DirectionRules:
        return RULES[(self.source_language, self.target_language)]

    @property
    def source_name(self) -> str:
        return language_name(self.source_language)

    @property
    def target_name(self) -> str:
        return language_name(self.target_language)


def direction_into(source: str, languages: tuple[str, ...]) -> Direction | None:
    """The direction a summary written in `source` is translated in, into the packet's other language (None
    when the packet has one language). A summary in `en` of a packet in `en-GB` is written in `en-GB`."""
    base = base_language(source)
    own = next((tag for tag in languages if base_language(tag) == base), source)
    other = next((tag for tag in languages if base_language(tag) != base), None)
    return Direction(own, other) if other is not None else None


def parse_pair(text: str) -> str:
    """A `--pair` as a user writes it ("en-es", "ES-EN") checked into the memory's form; a user error if it is
    not one of the two."""
    pair = text.strip().lower()
    known = [f"{a}-{b}" for a, b in RULES]
    if pair not in known:
        raise BriefkitError(f"--pair must be {' or '.join(known)}, got {text[:40]!r}")
    return pair
