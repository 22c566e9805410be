"""The two languages briefkit writes, by their two-letter codes."""

from __future__ import annotations

import re

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
# Short words each language uses constantly and the other never: their share of a text tells its language
# (a summary declared in the wrong one), and what is left of them in a translation (a text not translated).
FUNCTION_WORDS = {
    "en": frozenset("the and of to with that which is are was were has have for from this by".split()),
    "es": frozenset("el los las del que con una por para como pero sus esta este fue han".split()),
}
WORD = re.compile(r"[^\W\d_]+")


def language_name(tag: str) -> str:
    """ "en-US" → "English", "es" → "Spanish"."""
    return LANGUAGE_NAMES[tag[:2]]


def other_language(tag: str) -> str:
    """The two-letter code of the language a text in `tag` is translated into: "en" ↔ "es"."""
    return "es" if tag.startswith("en") else "en"


def function_word_shares(text: str) -> tuple[dict[str, float], int]:
    """For each language, the share of the text's words that are its function words; and how many words."""
    words = [w.lower() for w in WORD.findall(text)]
    total = max(len(words), 1)
    return {lang: sum(w in listed for w in words) / total for lang, listed in FUNCTION_WORDS.items()}, len(words)
