"""Every regular expression that runs over user text is linear on adversarial input (as mdit-py-plugins'
test_redos): each is timed on inputs of growing size built to make a backtracking pattern go quadratic, and the
time must grow like the size (a ratio, never an absolute time)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit.cite.bibliography import BIBTEX_ENTRY, JSON_ID, PANDOC_PARSE_ERROR
from toolkit.cite.citeproc import reference_anchor
from toolkit.cite.styles import STYLE_ID
from toolkit.model import Text
from toolkit.model.languages import function_word_shares
from toolkit.read.citation_syntax import (
    CITE_ITEM,
    IN_TEXT,
    LOCATOR,
    NOCITE_KEY,
    NOCITE_SEPARATORS,
    has_open_citation,
    parse_cite_items,
)
from toolkit.read.images import DATA_URL
from toolkit.read.markdown import NOTE_DEFINITION, UNDEFINED_NOTE, html_text, read_summary
from toolkit.read.packet import URL_SCHEME
from toolkit.read.yamlfile import CONTROL_CHARACTER
from toolkit.translate.dates import decades_as_years, english_date, spanish_date
from toolkit.translate.english import SUFFIX, english_billions, english_money, english_number
from toolkit.translate.glossary import Glossary, Term
from toolkit.translate.names import LEXICAL_UNIT, NOT_A_WORD, READINGS
from toolkit.translate.postedit import ROLE_BEFORE_NAME, SAID_WITHOUT_THAT, post_edit, post_edit_english
from toolkit.translate.protect import PATTERNS, NameSpan, Protector
from toolkit.translate.qa import _figures, billions_as_millions
from toolkit.translate.segments import MARKUP, Segment
from toolkit.translate.spanish import spanish_citation_suffix, spanish_money, spanish_typography
from toolkit.translate.translator import respace_slots


def spanish_money_as_spanish(text: str) -> str:
    return spanish_money(text, "spanish")


SMALL, GROWTH = 4_000, 8  # adversarial inputs of about SMALL and SMALL * GROWTH repetitions
LINEAR_LIMIT = GROWTH * 4  # a quadratic pattern grows GROWTH**2 = 64 times; 32 leaves room for a busy machine


def seconds(work: Callable[[], object]) -> float:
    """The best of three timings, the garbage collector off (its pauses are not the pattern's)."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            start = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return max(best, 1e-4)


def growth(work: Callable[[str], object], adversarial: Callable[[int], str]) -> float:
    """How many times longer GROWTH times the input takes, from an input large enough (20 ms or more) for the
    timing to mean something."""
    n = SMALL
    while seconds(lambda: work(adversarial(n))) < 0.02 and n < SMALL * 64:
        n *= 2
    small, large = adversarial(n), adversarial(n * GROWTH)
    return seconds(lambda: work(large)) / seconds(lambda: work(small))


GLOSSARY = Glossary(tuple(Term(f"term number {i}", f"término {i}") for i in range(50)))
CASES: dict[str, tuple[Callable[[str], object], Callable[[int], str]]] = {
    "open citation bracket": (has_open_citation, lambda n: "[" + "@a" * n + "]x"),
    "citation item": (lambda s: CITE_ITEM.match(s), lambda n: "see " + "@a:" * n + "!"),
    "citation items": (parse_cite_items, lambda n: "@a; " * n),
    "author-in-text citation": (lambda s: list(IN_TEXT.finditer(s)), lambda n: "@" + "a:" * n),
    "locator after a citation": (lambda s: LOCATOR.match(s), lambda n: " \t" * n + "\n" + " " * n + "x"),
    "locator, unclosed": (lambda s: LOCATOR.match(s), lambda n: " [" + "a " * n),
    "nocite keys": (lambda s: NOCITE_KEY.sub("", s), lambda n: "@a:" * n + "!"),
    "nocite separators": (lambda s: NOCITE_SEPARATORS.fullmatch(s), lambda n: ", ;" * n + "x"),
    "Spanish citation suffixes": (spanish_citation_suffix, lambda n: "secs" * n + "§ ¶"),
    "undefined note": (lambda s: list(UNDEFINED_NOTE.finditer(s)), lambda n: "[^a" * n),
    "note definition": (lambda s: list(NOTE_DEFINITION.finditer(s)), lambda n: "[^a" * n),
    "raw HTML script": (html_text, lambda n: "<script " * n),
    "raw HTML comment": (html_text, lambda n: "<!--" * n),
    "raw HTML tags": (html_text, lambda n: "<a " * n),
    "data: URL": (lambda s: DATA_URL.fullmatch(s), lambda n: "data:image/png" + ";a" * n + "x"),
    "e-mail address": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "a" * (3 * n)),
    "e-mail with dots": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "a." * n + "@"),
    "URL": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "http://." * n),
    "figures": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "1," * n + "1.1" * n),
    "money": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "$1,000" * n),
    "billions in the scan": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "1,000.5 billion" * n + " dollar"),
    "amounts in words": (spanish_money_as_spanish, lambda n: "1," * n + "0 billion dollar"),
    "Spanish thousand millions": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "1.000 millones de " * n),
    "English billions": (english_billions, lambda n: "1 000" * n + " millone"),
    "de after millions": (
        lambda s: post_edit(Segment("1 billion people " * 5, {}), s),
        lambda n: "<x1/> las personas de " * n,
    ),
    "Spanish figures": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "1 000" * n + ",1" * n),
    "Spanish figures, dots": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "1.000." * n + "x"),
    "Spanish amounts": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "1 000 millones de " * n),
    "Spanish dates": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "1 de marzo de " * n),
    "Spanish date ranges": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "del 1 al 2 de entre marzo y " * n),
    "English dates": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "from 3 to 5 May 20 " * n),
    "English month ranges": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "in March and June-" * n),
    "English date forms": (spanish_date, lambda n: "3 May " * n + "2024"),
    "English decades": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "in the mid-1990s and the '9" * n),
    "English abbreviated months": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "from Jan. 1 to Sept. " * n),
    "English month abbreviations, no point": (lambda s: list(PATTERNS["en"].finditer(s)), lambda n: "Dec 3 Jan " * n),
    "English decade forms": (spanish_date, lambda n: "the late 1980s and " * n),
    "Spanish decades": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "a mediados de los años 90 y los " * n),
    "Spanish first of the month": (lambda s: list(PATTERNS["es"].finditer(s)), lambda n: "el 1.º de marzo del " * n),
    "Spanish decade forms": (english_date, lambda n: "las décadas de 1980 y " * n),
    "decades as years": (decades_as_years, lambda n: "the mid-'90s and los años 9" * n),
    "Spanish date forms": (english_date, lambda n: "el 3 de " * n + "mayo"),
    "English forms": (english_number, lambda n: "1 000" * n + " por cient"),
    "English amounts": (english_money, lambda n: "1 " * n + "dólare"),
    "English citation suffixes": (lambda s: SUFFIX.sub("", s), lambda n: "cap" * n + "."),
    "title before a name": (lambda s: ROLE_BEFORE_NAME.sub("", s), lambda n: "the president " * n + "<x1"),
    "language of a summary": (function_word_shares, lambda n: "el a1 " * n),
    "Spanish protector": (Protector(GLOSSARY, source_lang="es"), lambda n: "Aa la ONU 1,5 de marzo " * (n // 4)),
    "name run, one long word": (lambda s: list(NameSpan.RUN.finditer(s)), lambda n: "A" * n),
    "name run, many words": (lambda s: list(NameSpan.RUN.finditer(s)), lambda n: "Aa of " * n),
    "name run, joined by of the": (lambda s: list(NameSpan.RUN.finditer(s)), lambda n: "Aa of the " * n),
    "words fed to the analyser": (lambda s: NOT_A_WORD.sub(" ", s), lambda n: "a?^$" * n),
    "the analyser's readings": (lambda s: READINGS.findall(s), lambda n: "^a/b<n>/c" * n),
    "the tagger's units": (lambda s: LEXICAL_UNIT.findall(s), lambda n: "^a/b<n" * n),
    "runs and where they stand": (lambda s: list(NameSpan().runs(s)), lambda n: "a, The Aa on May " * n),
    "protector": (Protector(GLOSSARY), lambda n: "Aa.a@ term number 1s the " * (n // 4)),
    "QA figures": (_figures, lambda n: "1 111" * n),
    "billions": (billions_as_millions, lambda n: "1," * n + " billion"),
    "segment markup": (lambda s: list(MARKUP.finditer(s)), lambda n: "<g1" * n),
    "control characters": (lambda s: CONTROL_CHARACTER.search(s), lambda n: "a\t\r\n" * n + "\x01"),
    "style name": (lambda s: STYLE_ID.fullmatch(s), lambda n: "a-" * n + "!"),
    "CSL-JSON ids": (lambda s: list(JSON_ID.finditer(s)), lambda n: '"id": "' + "\\a" * n),
    "CSL-JSON ids, unclosed": (lambda s: list(JSON_ID.finditer(s)), lambda n: '"id":"a' * n),
    "Pandoc's parse error": (lambda s: PANDOC_PARSE_ERROR.search(s), lambda n: "(line 1, column 1):" * n),
    "BibTeX entries": (lambda s: BIBTEX_ENTRY.findall(s), lambda n: " \t" * n + "\n@"),
    "URL in a path": (lambda s: URL_SCHEME.match(s), lambda n: "a" * n + "://"),
    "reference anchor": (lambda s: reference_anchor("en-US", s), lambda n: "a" * n + ":"),
    "placeholder spacing": (lambda s: respace_slots(s, s), lambda n: "a <x1/> b" * n),
    "post-edit rules": (lambda s: post_edit(Segment("<x1/> a " * 10, {}), s), lambda n: "<x1/> Aa en " * n),
    "post-edit, said and figures": (
        lambda s: post_edit(Segment("Some 1 said the only 7 " * 5, {}), s),
        lambda n: "Algún dijo Único de1 " * n,
    ),
    "English post-edit rules": (
        lambda s: post_edit_english(Segment("ayudó a 3 millones de pesos " * 5, {}), s),
        lambda n: "helped to the a weights " * n,
    ),
    "said without that": (lambda s: SAID_WITHOUT_THAT.findall(s), lambda n: "said " * n + "that"),
    "title case": (NameSpan.title_case.__wrapped__, lambda n: "Aa " * n),
    "Spanish quotes": (lambda s: spanish_typography((Text(s),)), lambda n: "«a," * n + "»"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_pattern_grows_linearly(name: str) -> None:
    work, adversarial = CASES[name]
    ratio = growth(work, adversarial)
    assert ratio < LINEAR_LIMIT, f"{name}: {GROWTH}× the input took {ratio:.0f}× the time"


@pytest.mark.parametrize(
    "paragraph",
    [
        lambda n: "[" + "@a" * n,
        lambda n: "[^a" * n,
        lambda n: "a" * (3 * n) + " Aa" * n,
        lambda n: "<script " * n,
        lambda n: "*a " * n + "b" + " c*" * n,
        lambda n: "|" + "a|" * n + "\n|" + "-|" * n,
        lambda n: "a" * (3 * n),
        lambda n: "x[^a]" * n,
    ],
    ids=[
        "open citations",
        "note labels",
        "letters and names",
        "scripts",
        "nested emphasis",
        "wide table",
        "one long word",
        "note references",
    ],
)
def test_the_reader_grows_linearly(paragraph: Callable[[int], str], tmp_path: Path) -> None:
    def build(n: int) -> Path:
        path = tmp_path / f"s{n}.md"
        path.write_text(f"---\ntitle: T\nsource: s\n---\n\n{paragraph(n)}\n", encoding="utf-8")
        return path

    def read(path: Path) -> object:
        try:
            return read_summary(path)
        except Exception as exc:  # a reported problem is fine; only the time matters here
            return exc

    small, large = build(SMALL // 4), build(SMALL // 4 * GROWTH)
    ratio = seconds(lambda: read(large)) / seconds(lambda: read(small))
    assert ratio < LINEAR_LIMIT, f"{GROWTH}× the input took {ratio:.0f}× the time"
