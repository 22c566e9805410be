"""Glossaries: CSV `en,es,note` or TBX (TermBase eXchange), read into typed terms; and the default term base
shipped with briefkit (`data/termbase.csv`, the same CSV form), which a packet's glossary overrides."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Literal

from lxml import etree
from translate.storage import tbx  # translate-toolkit

from toolkit.errors import BriefkitError
from toolkit.read.yamlfile import read_text
from toolkit.translate.english import english_plural
from toolkit.translate.spanish import pluralize_es

Gender = Literal["m", "f", ""]
Number = Literal["sg", "pl", ""]
ArticleUse = Literal["yes", "no", ""]
TermDirection = Literal["en-es", "es-en", ""]  # "": both ways
DIRECTIONS: tuple[TermDirection, ...] = ("en-es", "es-en")


@dataclass(frozen=True)
class Term:
    source: str
    target: str
    note: str = ""
    gender: Gender = ""  # of the Spanish term: "" lets its ending decide
    number: Number = ""  # "pl" for a plural term ("Estados Unidos")
    article: ArticleUse = ""  # "no": the term takes no article in Spanish ("the United States" → "Estados Unidos")
    feminine: str = ""  # a role's feminine Spanish form ("alcaldesa"), used where the person is a woman
    direction: TermDirection = ""  # a sense good one way only ("trial" → "juicio", but "juicio" is also "opinion")

    @property
    def keep(self) -> bool:
        """A do-not-translate entry (target equals source)."""
        return self.source == self.target


@dataclass(frozen=True)
class Glossary:
    """Terms from English to Spanish as the file lists them; `reversed()` reads them the other way."""

    terms: tuple[Term, ...]
    path: Path | None = None
    target_lang: str = "es"
    base: tuple[Term, ...] = ()  # the default term base, under the terms: an entry of `terms` wins

    def reversed(self) -> Glossary:
        """The same entries from Spanish to English (gender and article are the Spanish term's: dropped; a
        role's feminine form reads as its English too). Made once per glossary."""
        return self._reversed

    @functools.cached_property
    def _reversed(self) -> Glossary:

        def flip(terms: tuple[Term, ...]) -> tuple[Term, ...]:
            flipped = []
            for t in terms:
                flipped.append(Term(t.target, t.source, t.note, "", t.number, direction=t.direction))
                if t.feminine and t.feminine != t.target:
                    flipped.append(Term(t.feminine, t.source, t.note, "", t.number, direction=t.direction))
            return tuple(flipped)

        return Glossary(flip(self.terms), self.path, "en" if self.target_lang == "es" else "es", flip(self.base))

    def in_use(self) -> Glossary:
        """The terms a translation in this glossary's direction uses: its own, then the term base's whose
        source it does not list, without the entries meant for the other direction only. Made once per
        glossary (its pattern is compiled once for every segment table of a build)."""
        return self._in_use

    @functools.cached_property
    def _in_use(self) -> Glossary:
        direction = "es-en" if self.target_lang == "en" else "en-es"
        terms = [t for t in self.terms if t.direction in ("", direction)]
        seen = {_key(t.source) for t in terms}
        for term in self.base:
            if term.direction in ("", direction) and _key(term.source) not in seen:
                seen.add(_key(term.source))
                terms.append(term)
        return Glossary(tuple(terms), self.path, self.target_lang)

    def without_base(self) -> Glossary:
        return replace(self, base=())

    def pattern(self) -> re.Pattern[str] | None:
        return self._pattern

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.terms:
            return None
        alternatives = sorted((t.source for t in self.terms), key=len, reverse=True)
        # Proper names match as written; common terms in any case ("Cartel" at a sentence start). Either
        # apostrophe matches: the reader's typographer turns "Kate's" into "Kate’s".
        escaped = [re.escape(a).replace("'", "['’]") for a in alternatives]
        body = "|".join(e if a[:1].isupper() else f"(?i:{e})" for a, e in zip(alternatives, escaped, strict=True))
        return re.compile(rf"(?<![\w-])(?:{body})(?:e?s)?(?![\w-])")

    @functools.cached_property
    def _by_source(self) -> dict[str, Term]:
        return {_key(t.source): t for t in self.terms}

    def find_term(self, found: str) -> tuple[Term, bool] | None:
        """`match`, or None for a text no entry holds."""
        try:
            return self.match(found)
        except KeyError:
            return None

    def match(self, found: str) -> tuple[Term, bool]:
        """The entry a matched source text belongs to, and whether the match is its plural."""
        by_source = self._by_source
        term = by_source.get(_key(found))
        if term is not None:
            return term, False
        for cut in (2, 1):
            term = by_source.get(_key(found)[:-cut])
            if term and _key(found).endswith("es"[-cut:]):
                return term, True
        raise KeyError(found)

    def lookup(self, found: str) -> str:
        """The target for a matched source text, in the plural when the match is a plural."""
        term, plural = self.match(found)
        pluralize = pluralize_es if self.target_lang == "es" else english_plural
        acronym = term.target.isupper() and " " not in term.target  # invariable in Spanish: "las ONG"
        target = pluralize(term.target) if plural and not term.keep and not acronym else term.target
        if found[:1].isupper() and not term.source[:1].isupper():
            target = target[:1].upper() + target[1:]
        return target


def _key(text: str) -> str:
    # casefold, as the pattern's (?i) matches: "ſ" is an "s" to both
    return text.casefold().replace("’", "'")


MAX_TERMS = 20_000  # a glossary is curated by people: far more than any real one


def _read_tbx(text: str, path: Path) -> list[Term]:
    try:  # translate-toolkit's parser resolves no entities, so an XXE payload reads nothing
        store = tbx.tbxfile.parsestring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise BriefkitError(f"not a valid TBX file: {exc.msg}", path, exc.lineno) from None
    if len(store.units) > MAX_TERMS:
        raise BriefkitError(f"more than {MAX_TERMS:,} terms", path, None, "keep the glossary to terms that matter")
    terms = []
    seen: dict[str, int | None] = {}
    for unit in store.units:
        if unit.source and unit.target:
            line = unit.xmlelement.sourceline
            key = _key(unit.source.strip())
            if key in seen:
                raise BriefkitError(f"`{unit.source.strip()}` is listed twice (first on line {seen[key]})", path, line)
            seen[key] = line
            notes = {
                n.get("type", ""): (n.text or "").strip().lower()
                for n in unit.xmlelement.iter("{*}termNote", "termNote")
            }
            gender = {"feminine": "f", "masculine": "m"}.get(notes.get("grammaticalGender", ""), "")
            number = {"plural": "pl", "singular": "sg"}.get(notes.get("grammaticalNumber", ""), "")
            article = "no" if notes.get("x-article") == "no" else ""
            terms.append(Term(unit.source.strip(), unit.target.strip(), "", gender, number, article))  # type: ignore[arg-type]
    return terms


def _rows(text: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """The CSV's rows with the line each starts on; csv's own errors (an over-long field, a NUL) as user errors."""
    reader = csv.reader(io.StringIO(text))
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        raise BriefkitError(f"not a readable CSV row: {exc}", path, reader.line_num or line) from None


def _read_csv(text: str, path: Path) -> list[Term]:
    rows = _rows(text, path)
    header = next(rows, (1, []))[1]
    if not header or [h.strip().lower() for h in header[:2]] != ["en", "es"]:
        raise BriefkitError("a glossary CSV must start with the header `en,es,note`", path, 1)
    terms: list[Term] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        if len(terms) >= MAX_TERMS:
            raise BriefkitError(f"more than {MAX_TERMS:,} terms", path, line, "keep the glossary to terms that matter")
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise BriefkitError("each glossary row needs an English and a Spanish term", path, line)
        source = row[0].strip()
        extra = [cell.strip() for cell in row[3:8]] + ["", "", "", "", ""]
        gender, number, article = (cell.lower() for cell in extra[:3])
        feminine, direction = extra[3], extra[4].lower()
        for value, allowed, name in (
            (gender, ("m", "f"), "gender"),
            (number, ("sg", "pl"), "number"),
            (article, ("yes", "no"), "article"),
            (direction, DIRECTIONS, "direction"),
        ):
            if value and value not in allowed:
                raise BriefkitError(f"`{value}` is not a {name} (use {' or '.join(allowed)})", path, line)
        key = (_key(source), direction)
        if key in seen:
            raise BriefkitError(f"`{source}` is listed twice (first on line {seen[key]})", path, line)
        seen[key] = line
        note = row[2].strip() if len(row) > 2 else ""
        terms.append(Term(source, row[1].strip(), note, gender, number, article, feminine, direction))  # type: ignore[arg-type]
    return terms


@functools.cache
def default_term_base() -> tuple[Term, ...]:
    """briefkit's own term base (package data: read from the installed package, a wheel as well as a checkout):
    international organizations and agencies with their official Spanish names and acronyms, role titles with
    their feminine forms, legal and policy vocabulary."""
    data = resources.files("toolkit.translate").joinpath("data", "termbase.csv")
    return tuple(_read_csv(data.read_text(encoding="utf-8"), Path("termbase.csv")))


def load_glossary(path: Path | None, term_base: bool = True) -> Glossary:
    """Read a glossary: CSV with columns en,es[,note,gender,number,article,feminine,direction], or TBX
    (TermBase eXchange); over the default term base unless `term_base` is off."""
    base = default_term_base() if term_base else ()
    if path is None:
        return Glossary((), base=base)
    text = read_text(path)
    terms = _read_tbx(text, path) if path.suffix.lower() == ".tbx" else _read_csv(text, path)
    return Glossary(tuple(terms), path, base=base)
