"""English forms of what a Spanish source writes its own way: dates, figures, amounts, plurals, quotes,
citation affixes."""

from __future__ import annotations

import re
from dataclasses import replace

from toolkit.model import Cite, Inline, Text, map_inlines
from toolkit.translate.spanish import CITATION_PREFIXES, CITATION_SUFFIX_WORDS, shift_point

GROUP = re.compile(r"[.\u00a0\u202f ](?=\d{3}(?!\d))")  # a Spanish thousands separator: dot, space or NBSP
COMMA_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
ENGLISH_QUOTES = str.maketrans({"«": "“", "»": "”"})


def grouped(digits: str, separator: str = ",") -> str:
    """ "1234567" → "1,234,567": by the string, so a figure of any length stays exact (int() refuses 4,300 digits)."""
    head = len(digits) % 3 or 3
    return separator.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def exact_figure(figure: str) -> str:
    """A figure (ASCII digits, optional ".") written English style, every digit kept: "3755" → "3,755"."""
    whole, _, fraction = shift_point(figure, 0).partition(".")
    return grouped(whole) + ("." + fraction if fraction else "")


def english_figure(text: str) -> str:
    """A Spanish figure the English way: "200 000" / "200.000" → "200,000", "2,5" → "2.5"."""
    if COMMA_THOUSANDS.fullmatch(text):
        return text  # Mexican and US usage: "12,500 familias" is twelve thousand five hundred
    whole, _, fraction = text.partition(",")
    digits = GROUP.sub("", whole)
    if len(digits) > 4 or (len(digits) == 4 and whole != digits):
        digits = grouped(digits)
    return digits + ("." + fraction if fraction else "")


def english_number(text: str) -> str:
    """Figures and percentages: "30 %" / "30 por ciento" → "30%", "2,5-3 %" → "2.5-3%"."""
    text = re.sub(r"\s?por ciento", "%", text)
    text = re.sub(r"\d+(?:[.\u00a0\u202f ]\d{3})*(?:,\d+)?", lambda m: english_figure(m.group(0)), text)
    return re.sub(r"[\u00a0\u202f ]%", "%", text)


def comma_thousands(amount: str, scaled: bool) -> bool:
    """Whether a Spanish amount's comma groups thousands, as Mexico and the US write them: always before a noun
    ("12,500 familias", "2,675 dólares"); before "millones" only when the digits after it end in zero ("4,500
    millones": a decimal comma would have written "4,5"), else the comma is decimal, as the RAE writes it
    ("2,675 millones" is 2.675 million)."""
    return COMMA_THOUSANDS.fullmatch(amount) is not None and (not scaled or amount.endswith("0"))


def english_money(text: str) -> str:
    """ "50 millones de dólares" → "$50 million", "1500 millones de dólares" → "$1.5 billion",
    "2500 dólares" → "$2,500", "25 millones de euros" → "€25 million", "300 millones de pesos" → "300 million
    pesos"."""
    m = re.fullmatch(
        r"([\d.,\u00a0\u202f ]+?)\s(mil millones|millones|millón|billones)?(?: de)?\s?(dólares|euros|pesos)", text
    )
    if m is None:
        return text
    amount = m.group(1)
    if comma_thousands(amount.strip(), scaled=m.group(2) is not None):
        amount = amount.replace(",", "")
    scale = {None: "", "millón": "million", "millones": "million", "mil millones": "billion", "billones": "trillion"}[
        m.group(2)
    ]
    digits = GROUP.sub("", amount).replace(",", ".").strip()
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", digits):
        return text
    # exact: "3.755 millones" is $3.755 billion, never $3.75
    if scale == "million" and len(shift_point(digits, 0).partition(".")[0]) >= 4:  # 1000 millones and up
        digits, scale = shift_point(digits, -3), "billion"  # Spanish "1500 millones" is English 1.5 billion
    figure = exact_figure(digits) + (f" {scale}" if scale else "")
    return {"dólares": f"${figure}", "euros": f"€{figure}", "pesos": f"{figure} pesos"}[m.group(3)]


def english_billions(text: str) -> str:
    """ "1200 millones (de)" → "1.2 billion", "63 000 millones" → "63 billion", "1,2 mil millones" → "1.2
    billion": Spanish counts a thousand millions where English says billion (exact, every digit kept)."""
    m = re.fullmatch(r"([\d.,\u00a0\u202f ]+?) (mil )?millones(?: de)?", text)
    if m is None:
        return text
    amount = m.group(1).replace(",", "") if comma_thousands(m.group(1), scaled=True) else m.group(1)
    digits = GROUP.sub("", amount).replace(",", ".")
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", digits):
        return text
    return exact_figure(digits if m.group(2) else shift_point(digits, -3)) + " billion"


def english_plural(phrase: str) -> str:
    """English plural of a noun phrase's head (its first word before "of")."""
    words = phrase.split(" ")
    head = next((i for i, w in enumerate(words) if w.lower() == "of"), len(words)) - 1
    word = words[head]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        word += "es"
    elif word.endswith("y") and word[-2:-1] not in "aeiou":
        word = word[:-1] + "ies"
    else:
        word += "s"
    words[head] = word
    return " ".join(words)


def _typography(node: Inline) -> Inline:
    if isinstance(node, Text):
        return Text(node.text.translate(ENGLISH_QUOTES))
    return node


def english_typography(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """English quotation marks (“ ”) where the engine kept Spanish ones (« »)."""
    return map_inlines(_typography, inlines)


# A Spanish source's citation affixes and locator labels ("véase", "cap. 4") as the English half writes them:
# the Spanish half's tables read the other way (the first English form of each Spanish one).
PREFIXES = {spanish: english for english, spanish in reversed(CITATION_PREFIXES.items())}
SUFFIX_WORDS: dict[str, str] = {}
for _pattern, _spanish in CITATION_SUFFIX_WORDS.items():
    SUFFIX_WORDS.setdefault(_spanish, _pattern.replace(r"\b", "").replace("\\.", "."))
# The Spanish locales' other short forms, as Spanish authors write them (es-ES n.º, es-MX núm., es-CL nº), and
# the older secc.: each to the English label Pandoc reads as the same locator.
SUFFIX_WORDS.update(
    {"n.º": "no.", "núm.": "no.", "nº": "no.", "núms.": "nos.", "secc.": "sec.", "caps.": "chaps.", "párrs.": "paras."}
)
SUFFIX_WORDS.update({"capítulo": "chapter", "sección": "section", "párrafo": "paragraph", "ff.": "fols."})
# Where English locales' short forms differ (en-US chap., sec., paras.; en-GB ch., sect., paras without a
# point), the long form, which every one of them reads as the same locator (the style prints its own form).
LONG_FORMS = {"chap.": "chapter", "chaps.": "chapters", "sec.": "section", "secs.": "sections", "paras.": "paragraphs"}
SUFFIX_WORDS = {spanish: LONG_FORMS.get(english, english) for spanish, english in SUFFIX_WORDS.items()}
SUFFIX = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(SUFFIX_WORDS, key=len, reverse=True))) + r")(?!\w)")


def english_citation_affix(prefix: str) -> str:
    """A citation's prefix in English, its first letter's case kept; an unknown prefix as written."""
    english = PREFIXES.get(prefix.strip().lower())
    if english is None:
        return prefix
    return english[:1].upper() + english[1:] if prefix.strip()[:1].isupper() else english


def _english_cite(node: Inline) -> Inline:
    if not isinstance(node, Cite):
        return node
    items = tuple(
        replace(
            item,
            prefix=english_citation_affix(item.prefix),
            suffix=SUFFIX.sub(lambda m: SUFFIX_WORDS[m.group(0)], item.suffix),
        )
        for item in node.items
    )
    return replace(node, items=items)


def english_citations(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Every citation's prefix, suffix and locator labels in English."""
    return map_inlines(_english_cite, inlines)
