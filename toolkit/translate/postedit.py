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


FIGURE_AHEAD = r"(?=<x\d+/>|[0-9])"  # a protected figure, or one the engine was left to see


def glued_figures(segment: Segment, target: str) -> str:
    """ "una huelgade48 horas" → "una huelga de 48 horas": the engine glues "de" to a figure it reordered
    ("a 48-hour strike")."""
    return re.sub(rf"([{LOWER}])de([0-9])", r"\1 de \2", target)


def approximate_figures(segment: Segment, target: str) -> str:
    """ "Some 4.5 million voters" → "Unos 4,5 millones de votantes", not "Algún 4,5 millones"; "Only 7%" →
    "Solo el 7 %", not "Único el 7 %" (an amount the engine could not see changes how it reads the word)."""
    english = segment.markup
    if re.search(r"(?i)\bsome (?:<x\d+/>|[0-9])", english):
        target = re.sub(
            rf"\b([Aa])lg[úu]n[oa]?s? {FIGURE_AHEAD}", lambda m: ("U" if m[1] == "A" else "u") + "nos ", target
        )
    if re.search(r"(?i)\bonly (?:<x\d+/>|[0-9])", english):
        target = re.sub(
            rf"\b(?:[Úú]nic[oa]s?|[Ss][óo]lo) {FIGURE_AHEAD}", lambda m: m[0][0].translate(ONLY) + "olo el ", target
        )
        target = re.sub(
            rf"\b([Úú])nic[oa]s? (el|la|los|las|un|una) {FIGURE_AHEAD}",
            lambda m: ("S" if m[1] == "Ú" else "s") + f"olo {m[2]} ",
            target,
        )
    return target


ONLY = str.maketrans({"Ú": "S", "ú": "s", "S": "S", "s": "s"})
# English drops "that" after "said" ("said the ruling was final"); Spanish never drops "que".
SAID_WITHOUT_THAT = re.compile(
    r"(?i)\b(?:said|says|say|argued|claimed|insisted|stated)\s+(?!that\b|on\b|in\b|at\b|to\b|during\b|after\b"
    r"|before\b|last\b|this\b|yesterday\b|today\b|earlier\b|so\b|nothing\b)(?=[\w<])"
)
DIJO = re.compile(
    r"\b(dijo|dice|dicen|dijeron|afirmó|afirma|afirmaron|sostuvo|sostiene|insistió|argumentó|aseguró|aseguran)"
    r"(\s+)(?!que\b|a\b|al\b|en\b|ante\b|por\b|durante\b|desde\b|tras\b|este\b|esta\b|ayer\b|hoy\b|así\b|nada\b"
    r"|el (?:lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b)"
    rf"(?=[{LOWER}{UPPER}<])"
)


def said_that(segment: Segment, target: str) -> str:
    """ "said the ruling was final" → "dijo que el fallo era final", not "dijo el fallo era final"."""
    if not SAID_WITHOUT_THAT.search(re.sub(r"</?g\d+>", "", segment.markup)):
        return target
    return DIJO.sub(r"\1\2que ", target)


# What may follow "billion" in English when no noun does ("4 billion in aid", "2 billion last year").
NOT_A_NOUN = (
    "in|of|to|for|from|and|or|but|by|with|on|at|as|was|were|is|are|has|have|had|will|would|could|can|may|might"
    "|this|that|these|those|last|next|each|per|a|an|the|than|over|more|less|since|during|after|before|into|across"
    "|among|under|about|around|worth|so|while|which|who|when|if|because|through|until|against|between|a year"
)
NOUN_AFTER_SLOT = re.compile(rf"<x(\d+)/> (?!(?:{NOT_A_NOUN})\b)[a-z]+(?<!ly)\b")


def de_after_millions(segment: Segment, target: str) -> str:
    """ "1.2 billion people" → "1200 millones de personas", not "1200 millones personas" or "1200 millones las
    personas": Spanish joins "millones" to its noun with "de"; the engine, seeing a placeholder, does not."""
    slots = {
        m.group(1)
        for m in NOUN_AFTER_SLOT.finditer(segment.markup)
        if re.search(r"\b(?:millones|mil millones|millón|billones)$", _slot_text(segment, int(m.group(1))))
    }
    if not slots:
        return target
    # The English has no article before the noun: one in the Spanish is the engine's ("millones las personas").
    return re.sub(
        rf"<x(\d+)/> (?:(?:el|la|los|las) )?(?!de\b|del\b)(?=[{LOWER}])",
        lambda m: f"<x{m.group(1)}/> de " if m.group(1) in slots else m.group(0),
        target,
    )


RULES: tuple[Rule, ...] = (
    de_after_millions,
    glued_figures,
    approximate_figures,
    lowercase_after_slot,
    said_that,
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


def _is_percent(segment: Segment, n: str) -> bool:
    return _slot_text(segment, int(n)).rstrip().endswith("%")


def article_before_a_percentage(segment: Segment, target: str) -> str:
    """ "fell a 12%" → "fell 12%", "rose to the 8%" → "rose to 8%", "of the 12%" → "of 12%": Spanish's "un 12 %"
    and "el 8 %" carried over."""

    def fix(m: re.Match[str]) -> str:
        return m.group(2) if _is_percent(segment, m.group(3)) else m.group(0)

    return re.sub(r"\b(a|an|the) (<x(\d+)/>)", fix, target)


TAKES_AN_OBJECT = (
    "helped|assisted|supported|benefited|benefitted|treated|attended|evacuated|hired|employed|detained|arrested"
    "|vaccinated|rescued|killed|displaced|affected|interviewed|trained|fined|sanctioned|deported|relocated|fed"
    "|housed|protected|registered|served|helps|supports|benefits|treats|employs|detains|vaccinates|protects"
)
PERSONAL_A = re.compile(
    rf"\b({TAKES_AN_OBJECT}) to "
    r"(?=<x\d+/>|[0-9]|(?:more than|at least|about|nearly|some|the|these|those|their|its|his|her)\b)"
)


def personal_a(segment: Segment, target: str) -> str:
    """ "helped to 300 families" → "helped 300 families": Spanish marks a person object with "a" ("ayudó a 300
    familias"); English does not."""
    if not re.search(
        r"\ba (?:<x\d+/>|[0-9]|(?:más de|al menos|unos|unas|casi|los|las|sus|estos|estas)\b)", segment.markup
    ):
        return target
    return PERSONAL_A.sub(r"\1 ", target)


def pesos_not_weights(segment: Segment, target: str) -> str:
    """ "millones de pesos" is money: "pesos", never "weights"."""
    if not re.search(r"(?:[0-9]|<x\d+/>|millones|mil) (?:de )?pesos\b", segment.markup):
        return target
    return re.sub(r"\b([Ww])eights\b", lambda m: ("P" if m[1] == "W" else "p") + "esos", target)


ENGLISH_RULES: tuple[Rule, ...] = (title_before_a_name, article_before_a_percentage, personal_a, pesos_not_weights)


def post_edit_english(segment: Segment, target: str) -> str:
    """The engine's English markup, from a Spanish source, with every English rule applied, in order."""
    for rule in ENGLISH_RULES:
        target = rule(segment, target)
    return target
