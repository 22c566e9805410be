"""Glossaries (CSV `en,es,note` or TBX) and the protected spans found in English text."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from toolkit.dates import MONTHS
from toolkit.errors import BriefkitError
from toolkit.yamlfile import read_text

# Words that start a sentence or join names but are not names themselves.
COMMON_WORDS = set(
    """a an the in on at for but and or if when this that these those it he she they we our its
their his her according after before earlier among both separately meanwhile while as by from of to with
during since also then so yet however although where which who what why how every each some many most
""".split()
)
NAME_JOINERS = {"of", "de", "del", "la", "y", "and", "&", "–", "-"}

URL = r"(?:https?://|www\.)[^\s<>()\"']+[^\s<>()\"'.,;:!?]"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
MONEY = r"[$€£]\s?\d+(?:,\d{3})*(?:\.\d+)?(?:\s(?:million|billion|trillion))?|\.\d+"
NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:%|percent|per cent))?(?:\s?[–-]\s?\d+(?:,\d{3})*(?:\.\d+)?%?)?"
DATE = r"(?:" + "|".join(MONTHS["en"]) + r")\s\d{1,2}(?:,\s\d{4})?"
PATTERNS = re.compile(rf"(?P<url>{URL})|(?P<email>{EMAIL})|(?P<date>{DATE})|(?P<money>{MONEY})|(?P<num>{NUMBER})")
CAPWORD = r"(?:[A-Z][\w'’.-]*|[A-Z]{2,}[\w-]*)"
NAME_RUN = re.compile(rf"{CAPWORD}(?:\s(?:(?:of|de|del|the|la)\s)?{CAPWORD})+")


@dataclass(frozen=True)
class Term:
    source: str
    target: str
    note: str = ""

    @property
    def keep(self) -> bool:
        """A do-not-translate entry (target equals source)."""
        return self.source == self.target


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    path: Path | None = None

    def pattern(self) -> re.Pattern[str] | None:
        if not self.terms:
            return None
        alternatives = sorted((t.source for t in self.terms), key=len, reverse=True)
        # Proper names match as written; common terms in any case ("Cartel" at a sentence start). Either
        # apostrophe matches: the reader's typographer turns "Kate's" into "Kate’s".
        escaped = [re.escape(a).replace("'", "['’]") for a in alternatives]
        body = "|".join(e if a[:1].isupper() else f"(?i:{e})" for a, e in zip(alternatives, escaped, strict=True))
        return re.compile(rf"(?<![\w-])(?:{body})(?:e?s)?(?![\w-])")

    def match(self, found: str) -> tuple[Term, bool]:
        """The entry a matched source text belongs to, and whether the match is its plural."""
        by_source = {_key(t.source): t for t in self.terms}
        term = by_source.get(_key(found))
        if term is not None:
            return term, False
        for cut in (2, 1):
            term = by_source.get(_key(found)[:-cut])
            if term and found.lower().endswith("es"[-cut:]):
                return term, True
        raise KeyError(found)

    def lookup(self, found: str) -> str:
        """The target for a matched source text, in the plural when the match is a plural."""
        term, plural = self.match(found)
        target = pluralize_es(term.target) if plural and not term.keep else term.target
        if found[:1].isupper() and not term.source[:1].isupper():
            target = target[:1].upper() + target[1:]
        return target


def _key(text: str) -> str:
    return text.lower().replace("’", "'")


PHRASE_END = (
    "and|or|but|of|in|to|that|which|who|with|from|for|on|by|as|at|is|are|was|were|have|has|had|would|could|will"
)
FEMININE_ENDINGS = ("a", "ción", "sión", "dad", "tad", "tud", "umbre", "ley", "sis")
MASCULINE_IN_A = {"día", "mapa", "problema", "programa", "sistema", "tema"}


def spanish_article(phrase: str, plural: bool = False) -> str:
    """The definite article for a Spanish noun phrase, by the gender its first word suggests."""
    head = phrase.split(" ")[0].lower()
    feminine = head.endswith(FEMININE_ENDINGS) and head not in MASCULINE_IN_A
    return ("las" if feminine else "los") if plural else ("la" if feminine else "el")


def pluralize_es(phrase: str) -> str:
    """Spanish plural of a noun phrase: each word up to the first preposition ("cártel de drogas")."""
    words = phrase.split(" ")
    out = []
    for i, word in enumerate(words):
        if word.lower() in {"de", "del", "para", "con", "en", "contra", "sobre"}:
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


def load_glossary(path: Path | None) -> Glossary:
    """Read a glossary: CSV with columns en,es[,note], or TBX (TermBase eXchange)."""
    if path is None:
        return Glossary(())
    text = read_text(path)
    terms: list[Term] = []
    if path.suffix.lower() == ".tbx":
        from lxml import etree
        from translate.storage import tbx  # translate-toolkit

        try:  # translate-toolkit's parser resolves no entities, so an XXE payload reads nothing
            store = tbx.tbxfile.parsestring(text.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise BriefkitError(f"not a valid TBX file: {exc.msg}", path, exc.lineno) from None
        for unit in store.units:
            if unit.source and unit.target:
                terms.append(Term(unit.source.strip(), unit.target.strip()))
        return Glossary(tuple(terms), path)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:2]] != ["en", "es"]:
        raise BriefkitError("a glossary CSV must start with the header `en,es,note`", path, 1)
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, 2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise BriefkitError("each glossary row needs an English and a Spanish term", path, line)
        source = row[0].strip()
        if source.lower() in seen:
            raise BriefkitError(f"`{source}` is listed twice (first on line {seen[source.lower()]})", path, line)
        seen[source.lower()] = line
        terms.append(Term(source, row[1].strip(), row[2].strip() if len(row) > 2 else ""))
    return Glossary(tuple(terms), path)


def spanish_date(text: str) -> str:
    m = re.match(r"(\w+)\s(\d{1,2})(?:,\s(\d{4}))?", text)
    assert m
    month = MONTHS["es"][MONTHS["en"].index(m.group(1))]
    return f"{int(m.group(2))} de {month}" + (f" de {m.group(3)}" if m.group(3) else "")


NUMBER_STYLES = ("spanish", "as-written")
NBSP = "\u00a0"


def spanish_number(text: str) -> str:
    """Spanish (RAE) figures: decimal comma, digits grouped by a non-breaking space from five digits up."""

    def figure(m: re.Match[str]) -> str:
        whole, _, fraction = m.group(0).replace(",", "").partition(".")
        if len(whole) > 4:
            groups: list[str] = []
            while whole:
                groups.insert(0, whole[-3:])
                whole = whole[:-3]
            whole = NBSP.join(groups)
        return (whole or "0") + ("," + fraction if fraction else "")

    text = re.sub(r"\d[\d,]*(?:\.\d+)?|\.\d+", figure, text)
    return re.sub(r"\s?%", NBSP + "%", text)


def spanish_money(text: str, number_style: str) -> str:
    """ "$50 million" -> "50 millones de dólares", "$1.5 billion" -> "1500 millones de dólares"."""
    figures = spanish_number if number_style == "spanish" else (lambda t: t)
    m = re.fullmatch(r"\$\s?([\d,.]+)(?:\s(million|billion|trillion))?", text)
    if not m:
        return figures(text)
    amount, scale = m.group(1), m.group(2)
    if scale == "billion":  # Spanish counts "mil millones": 1.5 billion is 1500 millones
        value = float(amount.replace(",", "")) * 1000
        amount, scale = (f"{value:.0f}" if value.is_integer() else f"{value:g}"), "million"
    words = {None: "dólares", "million": "millones de dólares", "trillion": "billones de dólares"}[scale]
    return f"{figures(amount)} {words}"


def make_protector(glossary: Glossary, number_style: str = "spanish"):  # type: ignore[no-untyped-def]
    """The spans of English text that the engine must not see, with what each becomes in Spanish.

    `number_style`: "spanish" writes figures the Spanish way (2,5; 200 000; 50 %), "as-written" keeps them.
    """
    glossary_pattern = glossary.pattern()

    def protect(text: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        taken = [False] * len(text)

        def add(start: int, end: int, target: str) -> None:
            if start < end and not any(taken[start:end]):
                spans.append((start, end, target))
                for i in range(start, end):
                    taken[i] = True

        if glossary_pattern is not None:
            for m in glossary_pattern.finditer(text):
                target = glossary.lookup(m.group(0))
                start = m.start()
                # "the White House" → "la Casa Blanca": the engine cannot agree an article with a placeholder.
                article = re.search(r"\b([Tt]he) $", text[: m.start()])
                # A common noun takes the article only where its noun phrase visibly ends ("the cartels and").
                ends_phrase = m.group(0)[:1].isupper() or re.match(
                    rf"\s*(?:[^\w\s]|$|(?:{PHRASE_END})\b)", text[m.end() :]
                )
                if article and ends_phrase and target != m.group(0):
                    start = article.start()
                    target = spanish_article(target, plural=glossary.match(m.group(0))[1]) + " " + target
                    if article.group(1) == "The":
                        target = target[:1].upper() + target[1:]
                add(start, m.end(), target)
        for m in PATTERNS.finditer(text):
            value = m.group(0)
            if m.lastgroup == "date":
                value = spanish_date(value)
            elif m.lastgroup == "money":
                value = spanish_money(value, number_style)
            elif m.lastgroup == "num":
                value = re.sub(r"\s?(?:percent|per cent)", "%", value)
                if number_style == "spanish":
                    value = spanish_number(value)
            add(m.start(), m.end(), value)
        # Names are looked for only outside the spans already taken, so "Senator" can come from the glossary
        # while "Roger Marshall" stays a name.
        masked = "".join(" " if taken[i] else c for i, c in enumerate(text))
        for m in NAME_RUN.finditer(masked):
            start, words = m.start(), m.group(0).split(" ")
            while words and words[0].lower() in COMMON_WORDS:
                start += len(words[0]) + 1
                words = words[1:]
            while words and words[-1].lower() in NAME_JOINERS | COMMON_WORDS:
                words = words[:-1]
            if len(words) >= 2:
                end = start + len(" ".join(words))
                add(start, end, text[start:end])
        return sorted(spans)

    return protect
