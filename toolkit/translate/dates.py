"""Dates as protected spans: every common English and Spanish written form, found with digit boundaries (so
"April 2023" is a month and a year, never "April 20" and "23") and written in the other language's form.

English forms: `Month D, YYYY`, `Month D`, `D Month YYYY`, `D Month`, `Month YYYY`, day ranges (`from 3 to 5
May`, `between 3 and 5 May`, `May 3–5`, `3–5 May`), month ranges (`between March and June 2024`, `from March
to June`) and a month alone after a preposition (`in March`). Spanish forms: `D de mes de YYYY`, `D de mes`
(with its article where English says "on"), `mes de YYYY`, `del 3 al 5 de mayo`, `entre el 3 y el 5 de mayo`,
`de marzo a junio de 2024`, `entre marzo y junio`.

One scan pattern per language finds a date (alternatives of fixed shape, no nested repetition: linear time);
the found text is then read by the first of a list of full-match forms."""

from __future__ import annotations

import re
from collections.abc import Callable

from toolkit.model.dates import MONTHS

EN_MONTH = "(?:" + "|".join(MONTHS["en"]) + ")"
ES_MONTH = "(?:" + "|".join(f"[{m[0].upper()}{m[0]}]{m[1:]}" for m in [*MONTHS["es"], "setiembre"]) + ")"
DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\w)"
YEAR = r"(?:1[5-9][0-9][0-9]|2[0-9][0-9][0-9])(?!\w)"
DASH = r"\s?[–-]\s?"
BEFORE = r"(?<![\w.,/-])"  # the digits of a figure, a code or an ISO date are never a day
# A month alone is a date after these words only ("in March", "since May"; "Theresa May" is a name).
MONTH_ALONE_AFTER = ("in", "since", "until", "by", "from", "during", "of", "last", "next", "early", "late", "mid")
MONTH_ALONE = "".join(f"(?<=\\b{w} )" for w in MONTH_ALONE_AFTER).replace(")(?<=", ")|(?<=")

ENGLISH_DATE = (
    rf"{BEFORE}(?:"
    rf"[Ff]rom {DAY} to {DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|[Bb]etween {DAY} and {DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|{DAY}{DASH}{DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|{DAY}(?: of)? {EN_MONTH}(?:,? {YEAR})?"
    rf"|{EN_MONTH} {DAY}{DASH}{DAY}(?:,? {YEAR})?"
    rf"|{EN_MONTH} {DAY}(?:,? {YEAR})?"
    rf"|(?:[Ff]rom )?{EN_MONTH} (?:and|to|through|until|or) {EN_MONTH}(?:,? {YEAR})?"
    rf"|{EN_MONTH}{DASH}{EN_MONTH}(?:,? {YEAR})?"
    rf"|{EN_MONTH},? {YEAR}"
    rf"|(?:{MONTH_ALONE}){EN_MONTH}(?![\w-])"
    r")"
)

SPANISH_AFTER_PREPOSITION = "".join(f"(?<!{p} )" for p in ("desde", "hasta", "para", "entre", "antes", "después", "y"))
SPANISH_DATE = (
    rf"{BEFORE}(?:"
    rf"[Dd]el {DAY} al {DAY} de {ES_MONTH}(?: de {YEAR})?"
    rf"|[Ee]ntre el {DAY} y el {DAY} de {ES_MONTH}(?: de {YEAR})?"
    rf"|{DAY}{DASH}{DAY} de {ES_MONTH}(?: de {YEAR})?"
    rf"|(?:{SPANISH_AFTER_PREPOSITION}[Ee]l )?{DAY} de {ES_MONTH}(?: de(?:l año)? {YEAR})?"
    rf"|(?:[Dd]e|[Dd]esde) {ES_MONTH} (?:a|hasta) {ES_MONTH}(?: de {YEAR})?"
    rf"|[Ee]ntre {ES_MONTH} y {ES_MONTH}(?: de {YEAR})?"
    rf"|{ES_MONTH} de(?:l año)? {YEAR}"
    r")"
)


def _number(day: str) -> int:
    return int(re.sub(r"\D", "", day))


def _en_month(name: str) -> int:
    return MONTHS["en"].index(name) + 1


def _es_month(name: str) -> int:
    name = name.lower()
    return 9 if name == "setiembre" else MONTHS["es"].index(name) + 1


def _es(month: int) -> str:
    return MONTHS["es"][month - 1]


def _en(month: int) -> str:
    return MONTHS["en"][month - 1]


def _de_year(year: str | None) -> str:
    return f" de {year}" if year else ""


def _capital(found: str, text: str) -> str:
    return text[:1].upper() + text[1:] if found[:1].isupper() else text


D, Y = rf"(?P<d>{DAY})", rf"(?P<y>{YEAR})"
D1, D2 = rf"(?P<d1>{DAY})", rf"(?P<d2>{DAY})"
M, M1, M2 = (rf"(?P<{g}>{EN_MONTH})" for g in ("m", "m1", "m2"))
Form = tuple[re.Pattern[str], Callable[[re.Match[str], str], str]]

ENGLISH_FORMS: tuple[Form, ...] = tuple(
    (re.compile(pattern), render)
    for pattern, render in (
        (
            rf"[Ff]rom {D1} to {D2} {M}(?:,? {Y})?",
            lambda m, f: (
                _capital(f, f"del {_number(m['d1'])} al {_number(m['d2'])} de ")
                + _es(_en_month(m["m"]))
                + _de_year(m["y"])
            ),
        ),
        (
            rf"[Bb]etween {D1} and {D2} {M}(?:,? {Y})?",
            lambda m, f: (
                _capital(f, f"entre el {_number(m['d1'])} y el {_number(m['d2'])} de ")
                + _es(_en_month(m["m"]))
                + _de_year(m["y"])
            ),
        ),
        *(
            (
                pattern,
                lambda m, f: (
                    f"{_number(m['d1'])}{m['dash'].strip()}{_number(m['d2'])} de "
                    + _es(_en_month(m["m"]))
                    + _de_year(m["y"])
                ),
            )
            for pattern in (
                rf"{D1}(?P<dash>{DASH}){D2} {M}(?:,? {Y})?",
                rf"{M} {D1}(?P<dash>{DASH}){D2}(?:,? {Y})?",
            )
        ),
        *(
            (pattern, lambda m, f: f"{_number(m['d'])} de {_es(_en_month(m['m']))}{_de_year(m['y'])}")
            for pattern in (rf"{D}(?: of)? {M}(?:,? {Y})?", rf"{M} {D}(?:,? {Y})?")
        ),
        (
            rf"(?P<from>[Ff]rom )?{M1} (?P<w>and|to|through|until|or) {M2}(?:,? {Y})?",
            lambda m, f: (
                _capital(f, "de " if m["from"] else "")
                + f"{_es(_en_month(m['m1']))} "
                + {"and": "y", "to": "a", "through": "a", "until": "hasta", "or": "o"}[m["w"]]
                + f" {_es(_en_month(m['m2']))}{_de_year(m['y'])}"
            ),
        ),
        (
            rf"{M1}(?P<dash>{DASH}){M2}(?:,? {Y})?",
            lambda m, f: f"{_es(_en_month(m['m1']))}-{_es(_en_month(m['m2']))}{_de_year(m['y'])}",
        ),
        (rf"{M},? {Y}", lambda m, f: f"{_es(_en_month(m['m']))} de {m['y']}"),
        (M, lambda m, f: _es(_en_month(m["m"]))),
    )
)

SM, SM1, SM2 = (rf"(?P<{g}>{ES_MONTH})" for g in ("m", "m1", "m2"))
YEAR_OF = rf"(?: de(?:l año)? {Y})?"
SPANISH_FORMS: tuple[Form, ...] = tuple(
    (re.compile(pattern), render)
    for pattern, render in (
        (
            rf"[Dd]el {D1} al {D2} de {SM}{YEAR_OF}",
            lambda m, f: (
                _capital(f, f"from {_en(_es_month(m['m']))} {_number(m['d1'])} to {_number(m['d2'])}")
                + (f", {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"[Ee]ntre el {D1} y el {D2} de {SM}{YEAR_OF}",
            lambda m, f: (
                _capital(f, f"between {_en(_es_month(m['m']))} {_number(m['d1'])} and {_number(m['d2'])}")
                + (f", {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"{D1}(?P<dash>{DASH}){D2} de {SM}{YEAR_OF}",
            lambda m, f: (
                f"{_en(_es_month(m['m']))} {_number(m['d1'])}{m['dash'].strip()}{_number(m['d2'])}"
                + (f", {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"(?P<el>[Ee]l )?{D} de {SM}{YEAR_OF}",
            lambda m, f: (
                (_capital(f, "on ") if m["el"] else "")
                + f"{_en(_es_month(m['m']))} {_number(m['d'])}"
                + (f", {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"(?:[Dd]e|[Dd]esde) {SM1} (?:a|hasta) {SM2}{YEAR_OF}",
            lambda m, f: (
                _capital(f, f"from {_en(_es_month(m['m1']))} to {_en(_es_month(m['m2']))}")
                + (f" {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"[Ee]ntre {SM1} y {SM2}{YEAR_OF}",
            lambda m, f: (
                _capital(f, f"between {_en(_es_month(m['m1']))} and {_en(_es_month(m['m2']))}")
                + (f" {m['y']}" if m["y"] else "")
            ),
        ),
        (rf"{SM} de(?:l año)? {Y}", lambda m, f: f"{_en(_es_month(m['m']))} {m['y']}"),
    )
)


def _render(found: str, forms: tuple[Form, ...]) -> str:
    for pattern, render in forms:
        m = pattern.fullmatch(found)
        if m is not None:
            return render(m, found)
    return found


def spanish_date(found: str) -> str:
    """An English date span in Spanish: "May 9, 2024" → "9 de mayo de 2024", "April 2023" → "abril de 2023",
    "from 3 to 5 May" → "del 3 al 5 de mayo"."""
    return _render(found, ENGLISH_FORMS)


def english_date(found: str) -> str:
    """A Spanish date span in (US) English: "8 de marzo de 2023" → "March 8, 2023", "el 8 de marzo" → "on
    March 8", "abril de 2023" → "April 2023", "del 3 al 5 de mayo" → "from May 3 to 5"."""
    return _render(found, SPANISH_FORMS)
