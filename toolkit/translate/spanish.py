"""Spanish forms the engine cannot be trusted with: articles, plurals, dates, figures, amounts, typography."""

from __future__ import annotations

import re
from dataclasses import replace

from toolkit.model import Cite, Inline, Text, map_inlines
from toolkit.read.packet import NumberStyle

FEMININE_ENDINGS = ("a", "ción", "sión", "dad", "tad", "tud", "umbre", "ley", "sis")
MASCULINE_IN_A = {"día", "mapa", "problema", "programa", "sistema", "tema"}
PREPOSITIONS = {"de", "del", "para", "con", "en", "contra", "sobre"}
NBSP = "\u00a0"
SPANISH_QUOTES = str.maketrans({"“": "«", "”": "»"})


def spanish_article(phrase: str, plural: bool = False, gender: str | None = None, definite: bool = True) -> str:
    """The article for a Spanish noun phrase: by the gender given, else the one its first word suggests."""
    head = phrase.split(" ")[0].lower()
    feminine = gender == "f" if gender else head.endswith(FEMININE_ENDINGS) and head not in MASCULINE_IN_A
    if not definite:
        return "una" if feminine else "un"
    return ("las" if feminine else "los") if plural else ("la" if feminine else "el")


def pluralize_es(phrase: str) -> str:
    """Spanish plural of a noun phrase: each word up to the first preposition ("cártel de drogas")."""
    words = phrase.split(" ")
    out = []
    for i, word in enumerate(words):
        if word.lower() in PREPOSITIONS:
            out.extend(words[i:])
            break
        out.append(_plural_word(word))
    return " ".join(out)


def _plural_word(word: str) -> str:
    lower = word.lower()
    if lower.endswith(("s", "x")) and len(lower) > 3:
        return word
    if lower[-1:] in "aeiouáéó":
        return word + "s"
    if lower.endswith("z"):
        return word[:-1] + "ces"
    unaccent = str.maketrans("áéíóú", "aeiou")
    if re.search(r"[áéíóú][nsl]$", lower):
        return word[:-2] + word[-2:].translate(unaccent) + "es"
    return word + "es"


def spanish_number(text: str) -> str:
    """Spanish (RAE) figures: decimal comma, digits grouped by a non-breaking space from five digits up."""

    def figure(m: re.Match[str]) -> str:
        whole, _, fraction = m.group(0).replace(",", "").partition(".")
        if len(whole) > 4:  # grouped by slices: a figure of any length in linear time
            head = len(whole) % 3 or 3
            whole = NBSP.join([whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))])
        return (whole or "0") + ("," + fraction if fraction else "")

    text = re.sub(r"\d[\d,]*(?:\.\d+)?|\.\d+", figure, text)
    return re.sub(r"\s?%", NBSP + "%", text)


def shift_point(figure: str, places: int) -> str:
    """A figure of ASCII digits with an optional "." times 10**places, by moving the point in the string (exact at
    any length, which Decimal's 28-digit context is not): ("3755", -3) → "3.755", ("1.5", 3) → "1500"."""
    whole, _, fraction = figure.partition(".")
    digits, point = whole + fraction, len(whole) + places
    digits = digits + "0" * max(0, point - len(digits))
    digits = "0" * max(0, -point) + digits
    point = max(point, 0)
    whole, fraction = digits[:point].lstrip("0") or "0", digits[point:].rstrip("0")
    return whole + ("." + fraction if fraction else "")


CURRENCY_WORDS = {"$": "dólares", "€": "euros", "£": "libras", "dollars": "dólares", "euros": "euros"}
CURRENCY_WORDS |= {"pesos": "pesos", "pounds": "libras"}
AMOUNT = re.compile(
    r"(?:(?P<sign>[$€£])\s?(?P<amount>[\d,.]+)(?:\s(?P<scale>million|billion|trillion))?"
    r"|(?P<amount2>[\d,.]+)\s(?P<scale2>million|billion|trillion)(?:\s(?P<word>dollars|euros|pesos|pounds))?)"
)


def spanish_scale(amount: str, scale: str | None, number_style: NumberStyle) -> tuple[str, str]:
    """A figure and its scale the Spanish way: ("1.5", "billion") → ("1500", "millones"), Spanish counting "mil
    millones" (exact: the point moved in the string, every digit kept); ("2", "trillion") → ("2", "billones")."""
    figures = spanish_number if number_style == "spanish" else (lambda t: t)
    if scale == "billion" and re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", amount.replace(",", "")):
        amount, scale = shift_point(amount.replace(",", ""), 3), "million"
    words = {None: "", "million": "millones", "billion": "mil millones", "trillion": "billones"}[scale]
    if words == "millones" and re.fullmatch(r"0*1", amount):
        words = "millón"
    return figures(amount), words


def spanish_money(text: str, number_style: NumberStyle) -> str:
    """ "$50 million" -> "50 millones de dólares", "$1.5 billion" -> "1500 millones de dólares", "€25 million" ->
    "25 millones de euros", "£300" -> "300 libras", "63 billion dollars" -> "63 000 millones de dólares", "2
    billion" -> "2000 millones"."""
    m = AMOUNT.fullmatch(text)
    if not m:
        return spanish_number(text) if number_style == "spanish" else text
    amount, words = spanish_scale(m["amount"] or m["amount2"], m["scale"] or m["scale2"], number_style)
    currency = CURRENCY_WORDS.get(m["sign"] or m["word"] or "")
    if currency is None:
        return f"{amount} {words}"
    return f"{amount} {words} de {currency}" if words else f"{amount} {currency}"


QUOTE_THEN_STOP = re.compile(r"([.,;:])»")


def _typography(node: Inline) -> Inline:
    if not isinstance(node, Text):
        return node
    text = re.sub(r"\b([Dd]e|[Aa]) el\b", lambda m: m.group(1) + "l", node.text)
    # Spanish puts a comma or full stop after the closing quote: «No pararemos», dijo. «Sigue la huelga».
    return Text(QUOTE_THEN_STOP.sub(r"»\1", text.translate(SPANISH_QUOTES)))


def spanish_typography(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Spanish contractions across restored placeholders ("de el Pentágono" → "del Pentágono", "a el" → "al")
    and Spanish quotation marks («…», as the CSL es-ES locale writes them in the notes)."""
    return map_inlines(_typography, inlines)


# Citation affixes: the words around a citation (prefix "see", suffix "emphasis added") and locator labels
# ("chap. 4") as the Spanish half writes them. Each label is one that Pandoc's citeproc reads as the same kind
# of locator in every Spanish CSL locale it ships (es-ES, es-MX, es-CL: tests/test_citations.py asks Pandoc);
# where their short forms differ (n.º, núm., nº; caps. only in es-MX) the long form, which all three read.
CITATION_PREFIXES = {
    "see also": "véase también",
    "see, e.g.,": "véase, p. ej.,",
    "see e.g.": "véase p. ej.",
    "but see": "pero véase",
    "see": "véase",
    "e.g.,": "p. ej.,",
    "e.g.": "p. ej.",
    "cf.": "cf.",
    "compare": "compárese",
    "contra": "en contra",
    "accord": "en el mismo sentido",
}
CITATION_SUFFIX_WORDS = {
    r"\bchap\.": "cap.",
    r"\bchaps\.": "capítulos",
    r"\bch\.": "cap.",
    r"\bchs\.?(?!\w)": "capítulos",
    r"\bpara\.": "párr.",
    r"\bparas\.": "párrafos",
    r"\bsec\.": "sec.",
    r"\bsecs\.": "secciones",
    r"\bsect\.": "sec.",
    r"\bno\.": "número",
    r"\bnos\.": "números",
    r"\bvol\.": "vol.",
    r"\bvols\.": "vols.",
    r"\bfigs\.": "figuras",
    r"\bbk\.": "lib.",
    r"\bfol\.": "f.",
    r"\bfols\.": "folios",
    r"\bpts\.": "partes",
    r"\bnn\.": "notas",
    r"\bll\.": "líneas",
    r"\bs\.v\.": "s. v.",
    "§§": "secciones",
    "§": "sec.",
    "¶¶": "párrafos",
    "¶": "párr.",
    r"\bemphasis added\b": "énfasis añadido",
    r"\bemphasis in original\b": "énfasis en el original",
    r"\binternal citations omitted\b": "se omiten las citas internas",
    r"\bquoting\b": "citando a",
    r"\bfootnote\b": "nota",
}


def spanish_citation_affix(prefix: str) -> str:
    """A citation's prefix in Spanish, its first letter's case kept; an unknown prefix as written."""
    key = prefix.strip().lower()
    spanish = CITATION_PREFIXES.get(key)
    if spanish is None:
        return prefix
    return spanish[:1].upper() + spanish[1:] if prefix.strip()[:1].isupper() else spanish


def spanish_citation_suffix(suffix: str) -> str:
    for english, spanish in CITATION_SUFFIX_WORDS.items():
        suffix = re.sub(english, spanish, suffix, flags=re.I)
    return suffix


def _spanish_cite(node: Inline) -> Inline:
    if not isinstance(node, Cite):
        return node
    items = tuple(
        replace(item, prefix=spanish_citation_affix(item.prefix), suffix=spanish_citation_suffix(item.suffix))
        for item in node.items
    )
    return replace(node, items=items)


def spanish_citations(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Every citation's prefix, suffix and locator labels in Spanish."""
    return map_inlines(_spanish_cite, inlines)
