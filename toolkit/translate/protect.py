"""Protected spans: the parts of English text the engine must not see, each with what it becomes in Spanish.

One class per kind of span (as translate-toolkit's placeables): glossary terms first, then URLs, e-mail
addresses, dates, amounts of money and figures (one scan, leftmost first), then multi-word names in what is
left. A span is taken only where no earlier one lies."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Literal, NamedTuple, Protocol

from toolkit.read.packet import NumberStyle
from toolkit.translate.dates import ENGLISH_DATE, SPANISH_DATE, english_date, spanish_date
from toolkit.translate.english import english_billions, english_money, english_number
from toolkit.translate.glossary import Glossary
from toolkit.translate.names import NAME_RULES, Verdict, Word, analyse, calendar_word, judge
from toolkit.translate.spanish import spanish_article, spanish_money, spanish_number

SpanKind = Literal["term", "url", "email", "date", "money", "number", "name", "title"]


class ProtectedSpan(NamedTuple):
    start: int
    end: int
    target: str  # what the span becomes in the translation
    kind: SpanKind


class PatternKind(Protocol):
    """A kind of span found by a regular expression; the kinds share one scan."""

    name: str
    kind: SpanKind
    pattern: str

    def target(self, found: str, number_style: NumberStyle) -> str: ...


class UrlSpan:
    name = "url"
    kind: SpanKind = "url"
    pattern = r"(?:https?://|www\.)[^\s<>()\"']+[^\s<>()\"'.,;:!?]"

    def target(self, found: str, number_style: NumberStyle) -> str:
        return found


class EmailSpan:
    name = "email"
    kind: SpanKind = "email"
    pattern = r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+"

    def target(self, found: str, number_style: NumberStyle) -> str:
        return found


class DateSpan:
    name = "date"
    kind: SpanKind = "date"
    pattern = ENGLISH_DATE

    def target(self, found: str, number_style: NumberStyle) -> str:
        return spanish_date(found)


ENGLISH_FIGURE = r"\d+(?:,\d{3})*(?:\.\d+)?"


class MoneySpan:
    """ "$50 million", "€25 million", "63 billion dollars", "4 million pesos"."""

    name = "money"
    kind: SpanKind = "money"
    pattern = (
        rf"[$€£]\s?{ENGLISH_FIGURE}(?:\s(?:million|billion|trillion))?"
        rf"|{ENGLISH_FIGURE}\s(?:million|billion|trillion)\s(?:dollars|euros|pesos|pounds)(?![\w-])|\.\d+"
    )

    def target(self, found: str, number_style: NumberStyle) -> str:
        return spanish_money(found, number_style)


class BillionSpan:
    """ "1.2 billion" as Spanish counts it, "1200 millones" (the engine says "1,2 miles de millones" and drops the
    "de" before a noun: `postedit.de_after_millions` puts it back)."""

    name = "bn"
    kind: SpanKind = "number"
    pattern = rf"{ENGLISH_FIGURE}\s(?:billion|trillion)(?![\w-])"

    def target(self, found: str, number_style: NumberStyle) -> str:
        return spanish_money(found, number_style)


class NumberSpan:
    name = "num"
    kind: SpanKind = "number"
    pattern = r"\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:%|percent|per cent))?(?:\s?[–-]\s?\d+(?:,\d{3})*(?:\.\d+)?%?)?"

    def target(self, found: str, number_style: NumberStyle) -> str:
        value = re.sub(r"\s?(?:percent|per cent)", "%", found)
        return spanish_number(value) if number_style == "spanish" else value


# A figure written alike in both languages, which the engine copies as it is: "hace 40 años", "una huelga de
# 48 horas", "800 millones". It is left in the text; the translator checks it came back (`figures_intact`).
PLAIN_FIGURE = re.compile(r"[0-9]{1,4}")


def apart(text: str, span: ProtectedSpan) -> bool:
    """The span is a word of its own ("40 years", "a 48-hour strike"), not part of one ("A26", "2,5")."""
    before = text[span.start - 1 : span.start]
    after = text[span.end : span.end + 1]
    return not (
        before.isalnum()
        or after.isalnum()
        or before in ".,"
        or (after in ".," and text[span.end + 1 : span.end + 2].isdigit())
    )


SPANISH_FIGURE = r"\d+(?:[.\u00a0\u202f ]\d{3})*(?:,\d+)?"  # 200 000, 200.000, 2,5 (and 12,500: see english_figure)


class SpanishDateSpan:
    """A Spanish date; with its article where English says "on" ("firmó el 8 de marzo" → "signed on March
    8"), but not after a preposition ("desde el 8 de marzo" → "since March 8": the engine has the preposition)."""

    name = "date"
    kind: SpanKind = "date"
    pattern = SPANISH_DATE

    def target(self, found: str, number_style: NumberStyle) -> str:
        return english_date(found)


class SpanishMoneySpan:
    name = "money"
    kind: SpanKind = "money"
    pattern = SPANISH_FIGURE + r" (?:(?:mil millones|millones|millón|billones) de )?(?:dólares|euros|pesos)"

    def target(self, found: str, number_style: NumberStyle) -> str:
        return english_money(found)


class SpanishBillionSpan:
    """ "1200 millones de personas" → "1.2 billion people", "1,2 mil millones" → "1.2 billion": a thousand millions
    or more, with the "de" before its noun (not before an article: "de la ayuda" is the engine's)."""

    name = "bn"
    kind: SpanKind = "number"
    pattern = (
        r"(?:(?:\d{4,}|\d{1,3}(?:[.\u00a0\u202f ]\d{3})+)(?:,\d+)? millones|" + SPANISH_FIGURE + r" mil millones)"
        r"(?: de(?! (?:el|la|los|las|este|esta|estos|estas|ese|esa|su|sus)\b)(?= [a-záéíóúñ]))?"
    )

    def target(self, found: str, number_style: NumberStyle) -> str:
        return english_billions(found)


class SpanishNumberSpan:
    name = "num"
    kind: SpanKind = "number"
    pattern = SPANISH_FIGURE + r"(?:\s?%| por ciento)?(?:\s?[–-]\s?" + SPANISH_FIGURE + r"\s?%?)?"

    def target(self, found: str, number_style: NumberStyle) -> str:
        return english_number(found) if number_style == "spanish" else found  # "spanish": each language's own


def _scan(kinds: tuple[PatternKind, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{kind.name}>{kind.pattern})" for kind in kinds))


# What the engine must not see, by the source's language: its dates, amounts and figures, in its own forms
PATTERN_KINDS: dict[str, tuple[PatternKind, ...]] = {
    "en": (UrlSpan(), EmailSpan(), DateSpan(), MoneySpan(), BillionSpan(), NumberSpan()),
    "es": (UrlSpan(), EmailSpan(), SpanishDateSpan(), SpanishMoneySpan(), SpanishBillionSpan(), SpanishNumberSpan()),
}
PATTERNS = {lang: _scan(kinds) for lang, kinds in PATTERN_KINDS.items()}
KINDS_BY_NAME = {lang: {kind.name: kind for kind in kinds} for lang, kinds in PATTERN_KINDS.items()}


class GlossarySpan:
    """Glossary and term base terms, with the English article when Spanish needs one agreeing with the term
    ("the WHO" → "la OMS", "the FBI" → "el FBI": an acronym kept as written takes its gender's article)."""

    PHRASE_END = (
        "and|or|but|of|in|to|that|which|who|with|from|for|on|by|as|at|is|are|was|were|have|has|had|would|could|will"
    )

    ARTICLE = re.compile(r"(?<![\w])([Tt]he|[Aa]n?) $")
    ENDS_PHRASE = re.compile(rf"\s*(?:[^\w\s]|$|(?:{PHRASE_END})\b)")

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.regex = glossary.pattern()
        self.agree_articles = glossary.target_lang == "es"  # an English source's article, made Spanish

    def find(self, text: str) -> Iterator[ProtectedSpan]:
        if self.regex is None:
            return
        for m in self.regex.finditer(text):
            if self.glossary.find_term(m.group(0)) is None:
                continue  # matched only by a case rule of the pattern the table does not share
            target = self.glossary.lookup(m.group(0))
            start = m.start()
            term, plural = self.glossary.match(m.group(0))
            plural = plural or term.number == "pl"
            # "the White House" → "la Casa Blanca", "a clause" → "una cláusula": the engine cannot agree an
            # article with a placeholder.
            article = self.ARTICLE.search(text, max(0, m.start() - 5), m.start())
            # A common noun takes the article only where its noun phrase visibly ends ("the cartels and").
            ends_phrase = m.group(0)[:1].isupper() or self.ENDS_PHRASE.match(text, m.end())
            if not self.agree_articles:
                article = None
            definite = article is not None and article.group(1).lower() == "the"
            if article and term.article == "no" and definite:
                start = article.start()  # "the United States" → "Estados Unidos"
            elif article and ends_phrase and (target != m.group(0) or term.gender) and (definite or not plural):
                start = article.start()
                chosen = spanish_article(target, plural, term.gender or None, definite)
                target = chosen + " " + target
                if article.group(1)[:1].isupper():
                    target = target[:1].upper() + target[1:]
            yield ProtectedSpan(start, m.end(), target, "term")


@dataclass(frozen=True)
class RoleTitle:
    """A role title's Spanish forms ("governor" → "gobernador", "gobernadora")."""

    masculine: str
    feminine: str


def _data_rows(name: str) -> list[list[str]]:
    text = resources.files("toolkit.translate").joinpath("data", name).read_text(encoding="utf-8")
    return [row for row in csv.reader(io.StringIO(text))][1:]


@functools.cache
def role_titles() -> dict[str, RoleTitle]:
    """The role titles said before a person's name, by their English (package data, data/roles.csv)."""
    return {row[0]: RoleTitle(row[1], row[2]) for row in _data_rows("roles.csv")}


@functools.cache
def portfolios() -> dict[str, str]:
    """A minister's portfolio before the role ("Health Minister" → "ministro de Salud"; data/portfolios.csv)."""
    return {row[0]: row[1] for row in _data_rows("portfolios.csv")}


NO_ARTICLE_BEFORE = re.compile(r"(?i)(?:\b(?:a|an|his|her|its|their|our|my|your|whose|this|that)|['’]s) $")
THE_BEFORE = re.compile(r"(?<![\w])([Tt]he) $")
FEMININE_AFTER = re.compile(r"\b(?:she|her|hers|herself)\b")
MASCULINE_AFTER = re.compile(r"\b(?:he|his|him|himself)\b")


def role_title(words: list[str]) -> tuple[RoleTitle, str, bool] | None:
    """The role title the words before a name make, its portfolio in Spanish ("" for none) and whether it is
    a former one: "Governor", "Health Minister", "Minister of Health", "Former Prime Minister"."""
    former = bool(words) and words[0].lower() == "former"
    words = words[1:] if former else words
    roles, lower = role_titles(), [w.lower() for w in words]
    if " ".join(lower) in roles:
        return roles[" ".join(lower)], "", former
    if len(words) >= 2 and " ".join(lower[1:]) in roles and words[0] in portfolios():
        return roles[" ".join(lower[1:])], portfolios()[words[0]], former
    if len(words) >= 3 and lower[-2] == "of" and words[-1] in portfolios() and " ".join(lower[:-2]) in roles:
        return roles[" ".join(lower[:-2])], portfolios()[words[-1]], former
    return None


class NameSpan:
    """Runs of two or more capitalized words ("Roger Marshall", "Human Rights Watch"), kept as written where
    `names.judge` says they are names, from their first personal name on; a surname alone once its full name
    appeared in the same document ("Trump" after "Donald Trump"); codes such as MS-13."""

    CAPWORD = r"[A-Z][\w'’.-]*+"  # possessive: a long capitalized word is read once, never backtracked into
    # "and"/"y" end a run: "Ana Ruiz and Carlos Ortega" are two names, "March and June" no name at all;
    # "of the", "for the", "de la" join one ("Office for the Protection of Witnesses")
    JOIN = r"(?:(?:of|for|on|de|del|para)\s(?:(?:the|el|la|los|las)\s)?|(?:the|la)\s)"
    RUN = re.compile(rf"(?<![\w'’.-]){CAPWORD}(?:\s{JOIN}?{CAPWORD})+")
    WORD = re.compile(r"[^\W\d_][\w'’-]*+")
    CAPITALIZED = re.compile(r"(?<![\w'’-])[A-Z][a-zà-ÿ'’]+(?![\w'’-])")
    CODE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-\d+[A-Za-z]?)+(?![\w-])")  # MS-13, COVID-19, F-16
    # Words that start a sentence or join names but are not names themselves.
    COMMON_WORDS = set(
        """a an the in on at for but and or if when this that these those it he she they we our its
their his her according after before earlier among both separately meanwhile while as by from of to with
during since also then so yet however although where which who what why how every each some many most
""".split()
    )
    JOINERS = {"of", "for", "on", "de", "del", "la", "y", "and", "&", "–", "-"}
    # In a Spanish text, the words that start a sentence or a phrase before a capitalized noun ("El Gobierno",
    # "Según Reuters") and are not part of a name.
    SPANISH_COMMON_WORDS = set(
        """el la los las un una unos unas lo al del de en y o pero por para con sin sobre entre desde hasta según
tras durante ante como cuando aunque que este esta estos estas ese esa su sus""".split()
    )

    def __init__(self, analyser: str = "eng-spa", roles: bool = False) -> None:
        self.analyser = analyser  # the Apertium mode whose analyser reads the source language
        self.roles = roles  # role titles before a name in Spanish, with the article and the person's gender
        if analyser == "spa-eng":
            self.COMMON_WORDS = NameSpan.COMMON_WORDS | self.SPANISH_COMMON_WORDS
        self.rules = NAME_RULES[analyser]
        self.analysis: dict[str, list[Word]] = {}
        self.surnames: set[str] = set()

    def verdict(self, phrase: str, opens_sentence: bool) -> tuple[Verdict, int]:
        """`names.judge` on a run of the texts analysed (one never analysed is kept whole)."""
        return judge(phrase, self.analysis.get(phrase), self.rules, opens_sentence)

    def _titled(
        self, text: str, start: int, words: list[str], skip: int, role: tuple[RoleTitle, str, bool]
    ) -> ProtectedSpan:
        """A role title and a name as Spanish writes them: "Governor Ana Ruiz" → "la gobernadora Ana Ruiz",
        "Health Minister Ana Lima" → "la ministra de Salud Ana Lima", "former President X" → "el expresidente
        X": the person's gender from the analyser's given name, else from a pronoun after the name."""
        title, portfolio, former = role
        name = " ".join(words[skip:])
        end = start + len(" ".join(words))
        analysed = self.analysis.get(" ".join(words)) or []
        given = next((w.tags for w in analysed if w.personal), "")
        after = text[end:]
        if "<f>" in f"<{given}>" or "<m>" in f"<{given}>":
            feminine = "<f>" in f"<{given}>"
        else:
            she, he = FEMININE_AFTER.search(after), MASCULINE_AFTER.search(after)
            feminine = she is not None and (he is None or she.start() < he.start())
        spanish = title.feminine if feminine else title.masculine
        if former:
            spanish = "ex" + spanish if " " not in spanish else "ex " + spanish
        if portfolio:
            spanish += f" de {portfolio}"
        the = THE_BEFORE.search(text, max(0, start - 4), start)
        if the:
            start = the.start()
        if the or not NO_ARTICLE_BEFORE.search(text, max(0, start - 8), start):
            spanish = ("la " if feminine else "el ") + spanish
        if start == 0 and text[:1].isupper():
            spanish = spanish[:1].upper() + spanish[1:]
        return ProtectedSpan(start, end, f"{spanish} {name}", "name")

    def runs(self, text: str) -> Iterator[tuple[int, list[str], bool]]:
        """Each capitalized run of the text: where it starts, its words (common words at the ends dropped, but a
        title's capitalized article inside a sentence kept: "told The Courier") and whether it opens a sentence."""
        for m in self.RUN.finditer(text):
            start, words = m.start(), m.group(0).split(" ")
            before = text[max(0, start - 80) : start].rstrip()[-1:]  # bounded: linear over many runs
            opens_sentence = not (before.isalnum() or before == ",")
            if opens_sentence or words[0] not in self.rules.title_articles:  # else the title's own article
                while words and words[0].lower() in self.COMMON_WORDS:
                    start += len(words[0]) + 1
                    words = words[1:]
                    opens_sentence = False  # what follows a word is capitalized by choice
                    if words and words[0] in self.rules.title_articles:
                        break  # "Según El Heraldo"
            while words and words[-1].lower() in self.JOINERS | self.COMMON_WORDS:
                words = words[:-1]
            if len(words) >= 3 and calendar_word(words[-1]) and words[-2] in self.JOINERS:
                words = words[:-2]  # "The Evening Star on Monday": the day is no part of the name ("Theresa May" is)
            if len(words) >= 2:
                yield start, words, opens_sentence

    def phrases(self, texts: list[str]) -> list[str]:
        """The runs of these texts, and each title-case text whole (its words are judged one by one)."""
        runs = {" ".join(words) for text in texts for _, words, _ in self.runs(text)}
        return sorted(runs | {text for text in texts if self.title_case(text)})

    @staticmethod
    @functools.lru_cache(maxsize=8192)
    def title_case(text: str) -> bool:
        """A heading or title in title case: three capitalized words or more, and every word of four letters
        or more capitalized ("Food Prices Climb Again in the Andes")."""
        if text.rstrip().endswith(".") or text.count(" ") < 2:
            return False  # a sentence, or too short to tell
        words = NameSpan.WORD.findall(text)
        capitalized = [w for w in words if w[:1].isupper()]
        return len(capitalized) >= 3 and all(w[:1].isupper() for w in words if len(w) >= 4) and len(words) <= 24

    def sentence_case(self, text: str, kept: list[bool]) -> str:
        """A title-case text with its common words lowercased, for the engine to translate them as words
        ("Food prices climb again in the Andes"): the first word, proper nouns, unknown words, acronyms and
        what `kept` marks (protected spans) stay as written."""
        analysed = self.analysis.get(text)
        if not analysed or not self.title_case(text):
            return text
        proper: list[tuple[int, int]] = []
        pos = 0
        for word in analysed:
            first = word.surface.split(" ")[0]
            start = text.find(first, pos)
            if start < 0:
                continue
            end = start + len(word.surface) if text.startswith(word.surface, start) else start + len(first)
            if word.proper or word.may_be_proper:
                proper.append((start, end))
            pos = end
        out = list(text)
        for i, m in enumerate(self.WORD.finditer(text)):
            found, start = m.group(0), m.start()
            if i == 0 or not found[:1].isupper() or found.isupper() or any(kept[start : m.end()]):
                continue
            if any(a <= start < b for a, b in proper) or len(found[0].lower()) != 1:
                continue
            out[start] = found[0].lower()
        return "".join(out)

    def prefetch(self, texts: list[str]) -> None:
        """Analyse the runs of all these texts not analysed yet, in one analyser call."""
        missing = [p for p in self.phrases(texts) if p not in self.analysis]
        found = analyse(missing, self.analyser)
        for phrase in missing:
            self.analysis[phrase] = found.get(phrase, [])

    def learn(self, texts: list[str]) -> None:
        """Judge every run of one document's texts, and note the surnames of its people."""
        self.prefetch(texts)
        self.surnames = set()
        for phrase in self.phrases(texts):
            words = self.analysis.get(phrase) or []
            if any(word.personal for word in words) and self.verdict(phrase, False)[0] == "keep":
                self.surnames.add(phrase.split(" ")[-1])

    def find_titled(self, text: str) -> Iterator[ProtectedSpan]:
        """Role titles with the name after them (before glossary terms: "Mayor" is one, alone)."""
        if not self.roles:
            return
        for start, words, opens_sentence in self.runs(text):
            verdict, skip = self.verdict(" ".join(words), opens_sentence)
            role = role_title(words[:skip]) if verdict == "keep" and skip else None
            if role is not None and len(words) - skip >= 2:
                yield self._titled(text, start, words, skip, role)

    def find(self, text: str) -> Iterator[ProtectedSpan]:
        for start, words, opens_sentence in self.runs(text):
            verdict, skip = self.verdict(" ".join(words), opens_sentence)
            if verdict == "translate":
                continue
            start += sum(len(w) + 1 for w in words[:skip])
            words = words[skip:]
            if len(words) >= 1 and (len(words) >= 2 or words[0] in self.surnames):
                end = start + len(" ".join(words))
                yield ProtectedSpan(start, end, text[start:end], "name")
        for m in self.CAPITALIZED.finditer(text):
            if m.group(0) in self.surnames:
                yield ProtectedSpan(m.start(), m.end(), m.group(0), "name")


class KnownNameSpan:
    """Names known from the packet's bibliography (authors, publishers, publications): kept as written."""

    def __init__(self, names: tuple[str, ...]) -> None:
        usable = sorted({n for n in names if len(n) >= 3 and n[:1].isupper()}, key=len, reverse=True)
        self.regex = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, usable)) + r")(?![\w-])") if usable else None

    def find(self, text: str) -> Iterator[ProtectedSpan]:
        if self.regex is not None:
            for m in self.regex.finditer(text):
                yield ProtectedSpan(m.start(), m.end(), m.group(0), "name")


# By the source's language: the analyser that judges its names, and whether role titles before a name are
# given in Spanish (an English source's "Governor Ana Ruiz"; a Spanish source's titles are the engine's).
NAME_ANALYSIS: dict[str, tuple[str, bool]] = {"en": ("eng-spa", True), "es": ("spa-eng", False)}


class Protector:
    """Finds the protected spans of a text (see the module's docstring for the order). `learn` a document's
    texts first for the names in it to be judged with Apertium's analyser (without it, every run is kept)."""

    def __init__(
        self,
        glossary: Glossary,
        number_style: NumberStyle = "spanish",
        known_names: tuple[str, ...] = (),
        source_lang: str = "en",
    ) -> None:
        """`glossary` as its file reads (English to Spanish); `source_lang` the language of the texts ("en",
        "es"): the spans are found in its forms and given in the other language's."""
        self.source_lang = source_lang
        self.terms = GlossarySpan((glossary if source_lang == "en" else glossary.reversed()).in_use())
        self.known = KnownNameSpan(known_names)
        self.names = NameSpan(*NAME_ANALYSIS[source_lang])
        self.number_style = number_style
        self.patterns = PATTERNS[source_lang]
        self.kinds = KINDS_BY_NAME[source_lang]

    def learn(self, texts: list[str]) -> None:
        self.names.learn(texts)

    def prefetch(self, texts: list[str]) -> None:
        """Analyse the names of many documents in one analyser call (then `learn` each costs nothing)."""
        self.names.prefetch(texts)

    def sentence_case(self, text: str) -> str:
        """The text as the engine should see it: a title-case heading in sentence case (see
        `NameSpan.sentence_case`), anything else as written."""
        if not NameSpan.title_case(text):
            return text
        kept = [False] * len(text)
        for span in self(text):
            if span.kind != "name":  # names are judged word by word here
                kept[span.start : span.end] = [True] * (span.end - span.start)
        return self.names.sentence_case(text, kept)

    def __call__(self, text: str) -> list[ProtectedSpan]:
        spans: list[ProtectedSpan] = []
        taken = [False] * len(text)

        def add(span: ProtectedSpan) -> None:
            if span.start < span.end and not any(taken[span.start : span.end]):
                spans.append(span)
                for i in range(span.start, span.end):
                    taken[i] = True

        scanned = [
            ProtectedSpan(m.start(), m.end(), self.kinds[str(m.lastgroup)].target(m.group(0), self.number_style), k)
            for m in self.patterns.finditer(text)
            for k in (self.kinds[str(m.lastgroup)].kind,)
        ]
        for span in scanned:  # URLs and e-mail addresses are atomic: no glossary term is replaced inside one
            if span.kind in ("url", "email"):
                add(span)
        for span in self.names.find_titled(text):
            add(span)
        for span in self.terms.find(text):
            if span.start == 0 and text[:1].isupper() and span.target[:1].islower():
                span = span._replace(target=span.target[:1].upper() + span.target[1:])  # a sentence's start
            add(span)
        for span in self.known.find(text):
            add(span)
        for m in NameSpan.CODE.finditer(text):  # before figures: the 13 of MS-13 is no number
            add(ProtectedSpan(m.start(), m.end(), m.group(0), "name"))
        for span in scanned:
            if span.kind == "number" and PLAIN_FIGURE.fullmatch(text, span.start, span.end) and apart(text, span):
                continue  # the engine keeps it and reads the words around it better (checked after it ran)
            add(span)
        # Names are looked for only outside the spans already taken, so "Senator" can come from the glossary
        # while "Roger Marshall" stays a name.
        masked = "".join(" " if taken[i] else c for i, c in enumerate(text))
        for span in self.names.find(masked):
            add(span._replace(target=text[span.start : span.end]))
        return sorted(spans)
