"""The two languages briefkit writes, by their two-letter codes."""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


def language_name(tag: str) -> str:
    """ "en-US" → "English", "es" → "Spanish"."""
    return LANGUAGE_NAMES[tag[:2]]


def other_language(tag: str) -> str:
    """The two-letter code of the language a text in `tag` is translated into: "en" ↔ "es"."""
    return "es" if tag.startswith("en") else "en"
