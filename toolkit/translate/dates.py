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

EN_FULL_MONTH = "(?:" + "|".join(MONTHS["en"]) + ")"
# AP and tables abbreviate months ("Jan. 1", "Sept. 30", "Dec 3 2021"): only where a day or a year follows, never
# alone or in a range of bare months ("Jan and Dec" are names)
EN_MONTH = "(?:" + "|".join(MONTHS["en"]) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
ES_MONTH = "(?:" + "|".join(f"[{m[0].upper()}{m[0]}]{m[1:]}" for m in [*MONTHS["es"], "setiembre"]) + ")"
DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\w)"
# A Spanish day: "1.º de septiembre", "1° de septiembre", "primero de septiembre" are the first
ES_DAY = rf"(?:1(?:\.?[º°]|ro)(?!\w)|[Pp]rimero(?!\w)|{DAY})"
YEAR = r"(?:1[5-9][0-9][0-9]|2[0-9][0-9][0-9])(?!\w)"
DASH = r"\s?[–-]\s?"
BEFORE = r"(?<![\w.,/-])"  # the digits of a figure, a code or an ISO date are never a day
# A month alone is a date after these words only ("in March", "since May"; "Theresa May" is a name).
MONTH_ALONE_AFTER = ("in", "since", "until", "by", "from", "during", "of", "last", "next", "early", "late", "mid")
MONTH_ALONE = "".join(f"(?<=\\b{w} )" for w in MONTH_ALONE_AFTER).replace(")(?<=", ")|(?<=")

# Decades: "the 1990s", "the '90s", "the nineties", "the mid-1990s", "the late 1980s and early 1990s"
EN_DECADE_WORDS = "twenties thirties forties fifties sixties seventies eighties nineties".split()
ES_DECADE_WORDS = "veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
DECADE_WORDS = {
    "en": dict(zip(EN_DECADE_WORDS, range(1920, 2000, 10))),
    "es": dict(zip(ES_DECADE_WORDS, range(1920, 2000, 10))),
}
DECADE_YEAR = r"(?:1[5-9]|20)[0-9]0"
EN_DECADE = rf"(?:{DECADE_YEAR}s|['’][0-9]0s|(?:{'|'.join(DECADE_WORDS['en'])}))(?![\w'-])"
EN_PHASE = r"(?:mid-?|early |late )"
EN_DECADES = rf"[Tt]he {EN_PHASE}?{EN_DECADE}(?: and (?:the )?{EN_PHASE}?{EN_DECADE})?"
ENGLISH_DATE = (
    rf"{BEFORE}(?:"
    rf"(?:[Ii]n )?{EN_DECADES}"
    rf"|[Ff]rom {EN_MONTH} {DAY} to {EN_MONTH} {DAY}(?:,? {YEAR})?"
    rf"|[Ff]rom {DAY} {EN_MONTH} to {DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|[Bb]etween {EN_MONTH} {DAY} and {EN_MONTH} {DAY}(?:,? {YEAR})?"
    rf"|[Bb]etween {DAY} {EN_MONTH} and {DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|{EN_MONTH} {DAY}{DASH}{EN_MONTH} {DAY}(?:,? {YEAR})?"
    rf"|{DAY} {EN_MONTH}{DASH}{DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|[Ff]rom {DAY} to {DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|[Bb]etween {DAY} and {DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|{DAY}{DASH}{DAY} {EN_MONTH}(?:,? {YEAR})?"
    rf"|{DAY}(?: of)? {EN_MONTH}(?:,? {YEAR})?"
    rf"|{EN_MONTH} {DAY}{DASH}{DAY}(?:,? {YEAR})?"
    rf"|{EN_MONTH} {DAY}(?:,? {YEAR})?"
    rf"|(?:[Ff]rom )?{EN_FULL_MONTH} (?:and|to|through|until|or) {EN_FULL_MONTH}(?:,? {YEAR})?"
    rf"|{EN_FULL_MONTH}{DASH}{EN_FULL_MONTH}(?:,? {YEAR})?"
    rf"|{EN_MONTH},? {YEAR}"
    rf"|(?:{MONTH_ALONE}){EN_FULL_MONTH}(?![\w-])"
    r")"
)

# "la década de 1990", "las décadas de 1980 y 1990", "la década de los noventa", "los años 90", "los años ochenta y
# noventa", "los 90" (only where no noun follows: "los 90 días" is a count), "a mediados de los años ochenta"
ES_DECADE_NAME = rf"(?:{DECADE_YEAR}|[0-9]0|{'|'.join(DECADE_WORDS['es'])})(?![\w'])"
ES_BARE_DECADE_END = r"(?=[,.;:)]|$| (?:y|e|o|u|el|la|los|las|se|en|cuando|con|hasta|fue|fueron|era|eran)\b)"
ES_DECADE = (
    rf"(?:(?:[Ll]as? )?décadas? de (?:los (?:años )?)?{ES_DECADE_NAME}(?: y (?:la de |los )?{ES_DECADE_NAME})?"
    rf"|[Ll]os años {ES_DECADE_NAME}(?: y {ES_DECADE_NAME})?"
    rf"|[Ll]os (?:{DECADE_YEAR}|[0-9]0|{'|'.join(DECADE_WORDS['es'])})s?{ES_BARE_DECADE_END})"
)
ES_PHASE = r"(?:mediados|principios|comienzos|inicios|finales|fines)"
ES_DECADES = rf"(?:(?:[Aa] )?{ES_PHASE} de )?{ES_DECADE}"

SPANISH_AFTER_PREPOSITION = "".join(f"(?<!{p} )" for p in ("desde", "hasta", "para", "entre", "antes", "después", "y"))
ES_YEAR_OF = r" de(?:l(?: año)?)? "  # "de 2024", "del 2024" (Latin America), "del año 2024"
SPANISH_DATE = (
    rf"{BEFORE}(?:"
    rf"{ES_DECADES}"
    rf"|[Dd]el {ES_DAY} de {ES_MONTH} al {ES_DAY} de {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|[Ee]ntre el {ES_DAY} de {ES_MONTH} y el {ES_DAY} de {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|[Dd]el {ES_DAY} al {ES_DAY} de {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|[Ee]ntre el {ES_DAY} y el {ES_DAY} de {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|{ES_DAY}{DASH}{ES_DAY} de {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|(?:{SPANISH_AFTER_PREPOSITION}[Ee]l )?{ES_DAY} de {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|(?:[Dd]e|[Dd]esde) {ES_MONTH} (?:a|hasta) {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|[Ee]ntre {ES_MONTH} y {ES_MONTH}(?:{ES_YEAR_OF}{YEAR})?"
    rf"|{ES_MONTH}{ES_YEAR_OF}{YEAR}"
    r")"
)


def _number(day: str) -> int:
    digits = re.sub(r"\D", "", day)
    return int(digits) if digits else 1  # "primero"


def _en_month(name: str) -> int:
    return [m[:3] for m in MONTHS["en"]].index(name[:3]) + 1  # "Sept." and "Sep" are September


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


def _decade(name: str, lang: str) -> int:
    """ "1990s", "'90s", "90", "1990" → 1990; "nineties", "noventa" → 1990 (two digits: the 1920s to 2010s)."""
    if name.lower() in DECADE_WORDS[lang]:
        return DECADE_WORDS[lang][name.lower()]
    digits = re.sub(r"\D", "", name)
    return int(digits) if len(digits) == 4 else (1900 if int(digits) >= 20 else 2000) + int(digits)


EN_PHASES = {"mid": "mediados", "early": "principios", "late": "finales"}
ES_PHASES = {"mediados": "mid-", "principios": "early ", "comienzos": "early ", "inicios": "early "}
ES_PHASES |= {"finales": "late ", "fines": "late "}


def _spanish_decades(m: re.Match[str], found: str) -> str:
    """ "the 1990s" → "la década de 1990", "the 1980s and '90s" → "las décadas de 1980 y 1990", "in the mid-1990s"
    → "a mediados de la década de 1990", "the nineties" → "los años noventa"."""
    parts = [(m["p1"], m["d1"]), *([(m["p2"], m["d2"])] if m["d2"] else [])]
    words = all(d.lower() in DECADE_WORDS["en"] for _, d in parts)
    if words:
        names = [next(k for k, v in DECADE_WORDS["es"].items() if v == _decade(d, "en")) for _, d in parts]
    else:
        names = [str(_decade(d, "en")) for _, d in parts]
    if not any(p for p, _ in parts):
        many = len(names) > 1
        text = ("los años " if words else "las décadas de " if many else "la década de ") + " y ".join(names)
    else:
        one = "los años " if words else "la década de "
        text = " y ".join(
            (f"{EN_PHASES[p.strip(' -')]} de " if p else "") + one + name for (p, _), name in zip(parts, names)
        )
    if m["in"]:
        text = ("a " if parts[0][0] else "en ") + text
    return _capital(found, text)


def _english_decades(m: re.Match[str], found: str) -> str:
    """ "la década de 1950" → "the 1950s", "las décadas de 1980 y 1990" → "the 1980s and 1990s", "a mediados de los
    años ochenta" → "in the mid-1980s"."""
    first, second = m["n1"] or m["n3"] or m["n5"], m["n2"] or m["n4"]
    names = [first, *([second] if second else [])]
    phase = ES_PHASES[m["p"].lower()] if m["p"] else ""
    text = ("in the " if m["a"] else "the ") + phase + " and ".join(f"{_decade(n, 'es')}s" for n in names)
    return _capital(found, text)


D, Y = rf"(?P<d>{DAY})", rf"(?P<y>{YEAR})"
D1, D2 = rf"(?P<d1>{DAY})", rf"(?P<d2>{DAY})"
M, M1, M2 = (rf"(?P<{g}>{EN_MONTH})" for g in ("m", "m1", "m2"))
Form = tuple[re.Pattern[str], Callable[[re.Match[str], str], str]]


def _spanish_span(m: re.Match[str], found: str, first: str, joint: str) -> str:
    """A range across months in Spanish: "del 1 de enero al 30 de septiembre de 2024"."""
    text = (
        f"{first}{_number(m['d1'])} de {_es(_en_month(m['m1']))}{joint}{_number(m['d2'])} de "
        + _es(_en_month(m["m2"]))
        + _de_year(m["y"])
    )
    return _capital(found, text) if found.startswith(("From", "Between")) else text


ENGLISH_FORMS: tuple[Form, ...] = tuple(
    (re.compile(pattern), render)
    for pattern, render in (
        (
            rf"(?P<in>[Ii]n )?[Tt]he (?P<p1>{EN_PHASE})?(?P<d1>{EN_DECADE})"
            rf"(?: and (?:the )?(?P<p2>{EN_PHASE})?(?P<d2>{EN_DECADE}))?",
            _spanish_decades,
        ),
        *(
            (pattern, lambda m, f: _spanish_span(m, f, "del ", " al "))
            for pattern in (
                rf"[Ff]rom {M1} {D1} to {M2} {D2}(?:,? {Y})?",
                rf"[Ff]rom {D1} {M1} to {D2} {M2}(?:,? {Y})?",
                rf"{M1} {D1}{DASH}{M2} {D2}(?:,? {Y})?",
                rf"{D1} {M1}{DASH}{D2} {M2}(?:,? {Y})?",
            )
        ),
        *(
            (pattern, lambda m, f: _spanish_span(m, f, "entre el ", " y el "))
            for pattern in (
                rf"[Bb]etween {M1} {D1} and {M2} {D2}(?:,? {Y})?",
                rf"[Bb]etween {D1} {M1} and {D2} {M2}(?:,? {Y})?",
            )
        ),
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
SD, SD1, SD2 = (rf"(?P<{g}>{ES_DAY})" for g in ("d", "d1", "d2"))
YEAR_OF = rf"(?:{ES_YEAR_OF}{Y})?"
ES_DECADE_FORM = (
    rf"(?P<a>[Aa] )?(?:(?P<p>{ES_PHASE}) de )?"
    rf"(?:(?:[Ll]as? )?décadas? de (?:los (?:años )?)?(?P<n1>{ES_DECADE_NAME})"
    rf"(?: y (?:la de |los )?(?P<n2>{ES_DECADE_NAME}))?"
    rf"|[Ll]os años (?P<n3>{ES_DECADE_NAME})(?: y (?P<n4>{ES_DECADE_NAME}))?"
    rf"|[Ll]os (?P<n5>{DECADE_YEAR}|[0-9]0|{'|'.join(DECADE_WORDS['es'])})s?)"
)


def _english_span(m: re.Match[str], found: str, first: str, joint: str) -> str:
    """A range across months in English: "from January 1 to September 30, 2024"."""
    return _capital(
        found,
        f"{first}{_en(_es_month(m['m1']))} {_number(m['d1'])}{joint}{_en(_es_month(m['m2']))} {_number(m['d2'])}"
        + (f", {m['y']}" if m["y"] else ""),
    )


SPANISH_FORMS: tuple[Form, ...] = tuple(
    (re.compile(pattern), render)
    for pattern, render in (
        (ES_DECADE_FORM, _english_decades),
        (rf"[Dd]el {SD1} de {SM1} al {SD2} de {SM2}{YEAR_OF}", lambda m, f: _english_span(m, f, "from ", " to ")),
        (
            rf"[Ee]ntre el {SD1} de {SM1} y el {SD2} de {SM2}{YEAR_OF}",
            lambda m, f: _english_span(m, f, "between ", " and "),
        ),
        (
            rf"[Dd]el {SD1} al {SD2} de {SM}{YEAR_OF}",
            lambda m, f: (
                _capital(f, f"from {_en(_es_month(m['m']))} {_number(m['d1'])} to {_number(m['d2'])}")
                + (f", {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"[Ee]ntre el {SD1} y el {SD2} de {SM}{YEAR_OF}",
            lambda m, f: (
                _capital(f, f"between {_en(_es_month(m['m']))} {_number(m['d1'])} and {_number(m['d2'])}")
                + (f", {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"{SD1}(?P<dash>{DASH}){SD2} de {SM}{YEAR_OF}",
            lambda m, f: (
                f"{_en(_es_month(m['m']))} {_number(m['d1'])}{m['dash'].strip()}{_number(m['d2'])}"
                + (f", {m['y']}" if m["y"] else "")
            ),
        ),
        (
            rf"(?P<el>[Ee]l )?{SD} de {SM}{YEAR_OF}",
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
        (rf"{SM}{ES_YEAR_OF}{Y}", lambda m, f: f"{_en(_es_month(m['m']))} {m['y']}"),
    )
)


def _render(found: str, forms: tuple[Form, ...]) -> str:
    for pattern, render in forms:
        m = pattern.fullmatch(found)
        if m is not None:
            return render(m, found)
    return found


DECADES = re.compile(rf"{BEFORE}(?:{EN_DECADES}|{ES_DECADES})")
DECADE_NAME = re.compile(
    rf"{DECADE_YEAR}|(?<![0-9])[0-9]0(?![0-9])|\b(?:{'|'.join([*EN_DECADE_WORDS, *ES_DECADE_WORDS])})\b", re.I
)


def decades_as_years(text: str) -> str:
    """Every decade of the text (English or Spanish) as its four-digit years, so that figures compare across the
    languages: "the 1980s and '90s" → "1980 1990", "los años noventa" → "1990"."""

    def years(m: re.Match[str]) -> str:
        names = DECADE_NAME.findall(m.group(0))
        return " ".join(str(_decade(n, "en" if n.lower() in DECADE_WORDS["en"] else "es")) for n in names)

    return DECADES.sub(years, text)


def spanish_date(found: str) -> str:
    """An English date span in Spanish: "May 9, 2024" → "9 de mayo de 2024", "April 2023" → "abril de 2023",
    "from 3 to 5 May" → "del 3 al 5 de mayo"."""
    return _render(found, ENGLISH_FORMS)


def english_date(found: str) -> str:
    """A Spanish date span in (US) English: "8 de marzo de 2023" → "March 8, 2023", "el 8 de marzo" → "on
    March 8", "abril de 2023" → "April 2023", "del 3 al 5 de mayo" → "from May 3 to 5"."""
    return _render(found, SPANISH_FORMS)
