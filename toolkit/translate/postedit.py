"""Post-editing the engine's Spanish (and its English from a Spanish source): small named rules, each a function
of the segment (its source markup, slots and slot kinds) and the engine's markup, applied to machine output
only (a person's translation is never touched). Every rule is general usage of the language or this field's,
measured on the reference sets (`benchmarks/translate.py`); none is there for one sentence."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.model import Text
from toolkit.translate.segments import Segment

SLOT = r"<x(\d+)/>"
UPPER = "A-ZÁÉÍÓÚÑÜ"
LOWER = "a-záéíóúñü"
Rule = Callable[[Segment, str], str]


def _slot_text(segment: Segment, n: int) -> str:
    node = segment.slots.get(n)
    return node.text if isinstance(node, Text) else ""


def lowercase_after_slot(segment: Segment, target: str) -> str:
    """ "Trump Ordena" → "Trump ordena": the engine capitalizes the word after a placeholder; the English had it
    lowercase."""
    after_in_source = {m.group(1): m.group(2) for m in re.finditer(r"<x(\d+)/>(?=\s*(\S))", segment.markup)}

    def fix(m: re.Match[str]) -> str:
        english = after_in_source.get(m.group(1), "")
        if english and english.islower():
            return m.group(0)[: -len(m.group(3))] + m.group(3).lower()
        return m.group(0)

    return re.sub(rf"<x(\d+)/>(\s+)([{UPPER}])(?=[{LOWER}]|\s)", fix, target)


def capitalize_sentence_start(segment: Segment, target: str) -> str:
    """The segment starts with a capital letter when its English does."""
    english = re.sub(r"<[^>]+>", "", segment.markup).lstrip()
    if not english[:1].isupper():
        return target
    m = re.match(r"((?:<[^>]+>|\s)*)([a-záéíóúñü])", target)
    return target[: m.start(2)] + m.group(2).upper() + target[m.end(2) :] if m else target


DATE_PREPOSITION = re.compile(r"(?i)\b(en|encima|on)(\s+)(<x(\d+)/>)")


def article_before_dates(segment: Segment, target: str) -> str:
    """A day of the month takes the article: "el 3 de marzo", "hasta el 30 de abril", not "en 3 de marzo"."""

    def is_day(n: str) -> bool:
        return segment.kinds.get(int(n)) == "date" and _slot_text(segment, int(n))[:1].isdigit()

    def replace_preposition(m: re.Match[str]) -> str:
        if not is_day(m.group(4)):
            return m.group(0)
        article = "El" if m.group(1)[:1].isupper() else "el"
        return f"{article}{m.group(2)}{m.group(3)}"

    target = DATE_PREPOSITION.sub(replace_preposition, target)

    def add_article(m: re.Match[str]) -> str:
        word, slot, n = m.group(1), m.group(2), m.group(3)
        if not is_day(n) or word.lower() in ("el", "del", "al", "los", "un", "y", "o"):
            return m.group(0)
        if word.lower() == "de":
            return f"{word[:1]}el {slot}"
        if word.lower() == "a":
            return f"{word}l {slot}"
        return f"{word} el {slot}"

    return re.sub(rf"\b([{UPPER}{LOWER}]+) (<x(\d+)/>)", add_article, target)


def article_before_percentages(segment: Segment, target: str) -> str:
    """ "subió por 25 %" → "subió un 25 %"; "de 6 %" → "del 6 %"; "alcanzó 68 %" → "alcanzó el 68 %"."""

    def is_percent(n: str) -> bool:
        return _slot_text(segment, int(n)).rstrip().endswith("%")

    def fix(m: re.Match[str]) -> str:
        word, slot, n = m.group(1), m.group(2), m.group(3)
        lower = word.lower()
        if not is_percent(n) or lower in ("el", "del", "al", "un", "una", "los", "las", "y", "o", "entre"):
            return m.group(0)
        if lower == "por":
            return ("Un" if word[0].isupper() else "un") + f" {slot}"
        if lower == "de":
            return f"{word[:1]}el {slot}"
        if lower == "a":
            return f"{word}l {slot}"
        return f"{word} el {slot}"

    return re.sub(rf"\b([{UPPER}{LOWER}]+) (<x(\d+)/>)", fix, target)


@dataclass(frozen=True)
class DomainSense:
    """A sense the engine gets wrong in this field: where the English has `english`, its `wrong` Spanish is
    replaced (with the article agreeing)."""

    english: str  # regular expression over the English
    wrong: str  # regular expression over the Spanish, whole words
    right: str
    right_plural: str
    feminine: bool
    wrong_feminine: bool


DOMAIN_SENSES = (
    DomainSense(r"\bpolic(?:y|ies)\b", "póliza", "política", "políticas", True, True),
    DomainSense(r"\bmemos?\b", "memo", "memorando", "memorandos", False, False),
    DomainSense(r"\barticles?\b", "prenda", "artículo", "artículos", False, True),
    DomainSense(r"\bmigrants?\b", "nómada", "migrante", "migrantes", False, False),
    DomainSense(
        r"\b(?:air|military|drone|missile)\s+strikes?\b|\bstrikes?\s+(?:on|against)\b",
        "huelga",
        "ataque",
        "ataques",
        False,
        True,
    ),
    DomainSense(r"\bborders?\b", "borde", "frontera", "fronteras", True, False),
    DomainSense(r"\btalks\b", "charla", "conversación", "conversaciones", True, True),
    DomainSense(r"\bofficials?\b", "oficial", "funcionario", "funcionarios", False, False),
)
ARTICLES = {
    (False, False): "el",
    (True, False): "la",
    (False, True): "los",
    (True, True): "las",
}
INDEFINITE = {(False, False): "un", (True, False): "una", (False, True): "unos", (True, True): "unas"}


def domain_senses(segment: Segment, target: str) -> str:
    """policy → política, memo → memorando, article → artículo, migrants → migrantes, military strikes →
    ataques, border → frontera, talks → conversaciones, officials → funcionarios (see DOMAIN_SENSES)."""
    english = re.sub(r"<[^>]+>", " ", segment.markup)
    for sense in DOMAIN_SENSES:
        if not re.search(sense.english, english, re.I):
            continue
        plural = sense.wrong + ("es" if sense.wrong.endswith(("l", "n", "r")) else "s")

        def swap(m: re.Match[str], sense: DomainSense = sense, plural: str = plural) -> str:
            article, word = m.group(1) or "", m.group(2)
            many = word.lower() == plural.lower()
            new = sense.right_plural if many else sense.right
            if word[:1].isupper():
                new = new[:1].upper() + new[1:]
            if article:
                table = INDEFINITE if article.lower().startswith("un") else ARTICLES
                fixed = table[(sense.feminine, many)]
                article = (fixed[:1].upper() + fixed[1:] if article[:1].isupper() else fixed) + " "
            return article + new

        words = f"{re.escape(plural)}|{re.escape(sense.wrong)}"
        target = re.sub(rf"(?i)\b((?:el|la|los|las|un|una|unos|unas) )?({words})\b", swap, target)
    return target


def doubled_full_stop(segment: Segment, target: str) -> str:
    """ "EE.UU.." → "EE.UU.": a protected span that ends with a full stop takes the sentence's."""

    def fix(m: re.Match[str]) -> str:
        return m.group(1) if _slot_text(segment, int(m.group(2))).endswith(".") else m.group(0)

    return re.sub(r"(<x(\d+)/>)\.", fix, target)


RULES: tuple[Rule, ...] = (
    lowercase_after_slot,
    capitalize_sentence_start,
    article_before_dates,
    article_before_percentages,
    domain_senses,
    doubled_full_stop,
)


def post_edit(segment: Segment, target: str) -> str:
    """The engine's markup with every rule applied, in order."""
    for rule in RULES:
        target = rule(segment, target)
    return target


# --- English from a Spanish source ---------------------------------------------------------------------------

ROLE_WORDS = (
    "president|vice president|prime minister|minister|senator|congressman|congresswoman|representative|governor"
    "|mayor|judge|justice|secretary|ambassador|general|attorney general|chancellor|commissioner"
)
ROLE_BEFORE_NAME = re.compile(rf"\b([Tt])he ((?:{ROLE_WORDS}) )?(?:<x(\d+)/> )?<x(\d+)/>")


def title_before_a_name(segment: Segment, target: str) -> str:
    """ "the president <Donald Trump>" → "President <Donald Trump>": Spanish puts the article before a title
    and a name ("el presidente Donald Trump", "el senador Roger Marshall"); English writes the title alone,
    capitalized. Only where the last slot is a name and a title comes between (a word of the list, or a
    glossary term that is one)."""

    def fix(m: re.Match[str]) -> str:
        role, term, name = m.group(2), m.group(3), m.group(4)
        kind, text = segment.kinds.get(int(name)), _slot_text(segment, int(name))
        if not (kind == "name" or (kind == "term" and " " in text and text.istitle())):  # a glossary's name too
            return m.group(0)
        if role and not term:
            return role[:1].upper() + role[1:] + f"<x{name}/>"
        if term and not role and re.fullmatch(ROLE_WORDS, _slot_text(segment, int(term)).lower() or "-"):
            return f"<x{term}/> <x{name}/>"
        return m.group(0)

    return ROLE_BEFORE_NAME.sub(fix, target)


ENGLISH_RULES: tuple[Rule, ...] = (title_before_a_name,)


def post_edit_english(segment: Segment, target: str) -> str:
    """The engine's English markup, from a Spanish source, with every English rule applied, in order."""
    for rule in ENGLISH_RULES:
        target = rule(segment, target)
    return target
