"""The reference set (tests/reference/en-es.tsv): English sentences from the sample summaries with careful
human Spanish translations, and how a translation of them is scored (chrF) and checked (citations, links and
figures kept). Used by tests/test_quality.py and benchmarks/translate.py."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from toolkit.model import Cite, Code, Emph, Inline, Link, Paragraph, Strong, Text
from toolkit.read.markdown import read_summary
from toolkit.translate.dates import decades_as_years
from toolkit.translate.engines import Engine
from toolkit.translate.glossary import load_glossary
from toolkit.translate.qa import billions_as_millions
from toolkit.translate.translator import Translator

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "reference" / "en-es.tsv"  # sentences of the sample summaries
UNSEEN = ROOT / "tests" / "reference" / "unseen-en-es.tsv"  # sentences written apart from the samples
UNSEEN_ES = ROOT / "tests" / "reference" / "unseen-es-en.tsv"  # Spanish sentences written apart, careful English
HOLDOUT = ROOT / "tests" / "reference" / "holdout-en-es.tsv"  # by error class, written before the pipeline ran
HOLDOUT_ES = ROOT / "tests" / "reference" / "holdout-es-en.tsv"  # Spanish sentences by class, careful English
# Written after a first measurement on the held-out sets, apart from the rules adjusted after it, to confirm they
# generalize: English by class with careful Spanish, Spanish by class with careful English.
CONFIRM = ROOT / "tests" / "reference" / "confirm-en-es.tsv"
CONFIRM_ES = ROOT / "tests" / "reference" / "confirm-es-en.tsv"
GLOSSARY = ROOT / "inputs" / "glossary.csv"


@dataclass(frozen=True)
class Pair:
    en: str  # Markdown, with Pandoc citations
    es: str


def load_pairs(path: Path = REFERENCE) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Pair(row["en"], row["es"]) for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


@dataclass(frozen=True)
class ClassedPair:
    """A sentence of a held-out set: the error class it was written for, its text and its careful translation."""

    kind: str
    source: str  # Markdown, with Pandoc citations
    reference: str


def load_classed(path: Path, source: str = "en") -> list[ClassedPair]:
    """A set with a `class` column; `source` names the column of the sentences ("en" or "es")."""
    target = "es" if source == "en" else "en"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [ClassedPair(row["class"], row[source], row[target]) for row in rows]


def render(inlines: tuple[Inline, ...]) -> str:
    """Inlines back to Markdown-like text, in the form the reference is written in."""
    out = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Code):
            out.append(f"`{node.text}`")
        elif isinstance(node, Emph):
            out.append(f"*{render(node.children)}*")
        elif isinstance(node, Strong):
            out.append(f"**{render(node.children)}**")
        elif isinstance(node, Link):
            out.append(f"[{render(node.children)}]({node.target})")
        elif isinstance(node, Cite):
            items = "; ".join(
                (i.prefix + " " if i.prefix else "") + "@" + i.key + (i.suffix if i.suffix.startswith(",") else "")
                for i in node.items
            )
            out.append(f"[{items}]")
    return "".join(out)


def read_sentences(sentences: list[str], lang: str = "en") -> list[tuple[Inline, ...]]:
    """Each sentence, written in `lang`, read by briefkit's own reader, as the inlines of one paragraph."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reference.md"
        front = f"---\ntitle: Reference\nsource: reference\ndate: 2025-01-01\nlang: {lang}\n---\n\n"
        path.write_text(front + "\n\n".join(sentences) + "\n", encoding="utf-8")
        document = read_summary(path, None, lang)
    paragraphs = [b.children for b in document.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) == len(sentences)
    return paragraphs


def pipeline(engine: Engine, sentences: list[str], source: str = "en") -> list[str]:
    """The briefkit pipeline: reader, protected spans, glossary, batched engine, restore (`source`: the
    sentences' language, "en" or "es"; they are translated into the other)."""
    from toolkit.model import Document, SummaryMeta

    paragraphs = read_sentences(sentences, source)
    document = Document(SummaryMeta("Reference", "reference"), (Text("Reference"),), tuple(map(Paragraph, paragraphs)))
    target, source_tag = ("es-ES", "en-US") if source == "en" else ("en-US", "es-ES")
    translator = Translator(engine, None, load_glossary(GLOSSARY), target, source_lang=source_tag)
    (out,) = translator.translate_documents([document])
    return [render(b.children) for b in out.blocks]  # type: ignore[union-attr]


def apertium_one(sentence: str) -> str:
    """Apertium called the naive way: one process for one sentence, plain text in and out."""
    binary = shutil.which("apertium") or "apertium"
    result = subprocess.run([binary, "-u", "eng-spa"], input=sentence, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def apertium_raw(sentences: list[str], mode: str = "eng-spa") -> list[str]:
    """Raw Apertium output, batched: one process, one sentence per line, nothing protected."""
    binary = shutil.which("apertium") or "apertium"
    result = subprocess.run(
        [binary, "-u", mode], input="\n".join(sentences) + "\n", capture_output=True, text=True, check=True
    )
    lines = [line.strip() for line in result.stdout.rstrip("\n").split("\n")]
    assert len(lines) == len(sentences)
    return lines


def real_argos_models() -> list[Path]:
    """Real `.argosmodel` files in ../shared/models, if this machine ever has any."""
    shared = ROOT.parent / "shared" / "models"
    return sorted(shared.glob("*.argosmodel")) if shared.is_dir() else []


# --- scoring ------------------------------------------------------------------------------------------------

QUOTES = str.maketrans({c: '"' for c in "«»“”„‘’'"} | {"\u00a0": " ", "\u202f": " "})


def chrf(hypotheses: list[str], references: list[str]) -> float:
    import sacrebleu

    def norm(text: str) -> str:
        return text.translate(QUOTES)

    return float(sacrebleu.corpus_chrf([norm(h) for h in hypotheses], [[norm(r) for r in references]]).score)


def kept(source: str) -> Counter[str]:
    """What a translation must keep: citation keys with their locators, link targets, figures."""
    things: Counter[str] = Counter()
    things.update("cite:" + m for m in re.findall(r"@[\w:-]+(?:, (?:pp?\. )?[\d-]+)?", source))
    things.update("link:" + m for m in re.findall(r"\]\((\S+?)\)", source))
    prose = re.sub(r"\[[^\]]*@[^\]]*\]|@[\w:-]+|\]\(\S+?\)", "", source)  # without citations and link targets
    prose = billions_as_millions(prose)  # Spanish counts "mil millones": $3.2 billion is 3200 millones
    prose = decades_as_years(prose)  # "the '90s" is "la década de 1990", "los años noventa" "the 1990s"
    figures = re.findall(r"(?<![\d-])\d+(?:[,.\u00a0 ]\d{3})*(?:[.,]\d+)?(?!\d)", prose)
    things.update("figure:" + re.sub(r"\D", "", f) for f in figures)
    return things


def kept_counts(sources: list[str], outputs: list[str]) -> tuple[int, int]:
    """How many of the citations, links and figures of the sources are found intact in the outputs, of how many."""
    total = found = 0
    for source, output in zip(sources, outputs, strict=True):
        wanted, got = kept(source), kept(output)
        total += sum(wanted.values())
        found += sum((wanted & got).values())
    return found, total


def kept_share(sources: list[str], outputs: list[str]) -> float:
    """The share of citations, links and figures of the sources found intact in the outputs."""
    found, total = kept_counts(sources, outputs)
    return found / total if total else 1.0


# --- error classes: what an editor would have to fix, counted mechanically -----------------------------------

SPANISH_SHORT = set(
    "de la el en y a los las del se que un una por con no su al es lo como más o pero sus le ya".split()
)
ENGLISH_AFFIXES = re.compile(r"\[(?:see|e\.g\.,|but see|cf\.)\s|(?:chap\.|emphasis added|para\.)\s*\d*\]", re.I)


def error_classes(sources: list[str], outputs: list[str], references: list[str]) -> Counter[str]:
    """Counts, over a set, of the mechanical error classes: English words left, title-case English phrases kept
    that the reference translates, a capital letter mid-sentence the reference has in lower case, doubled
    punctuation, and citation affixes left in English."""
    found: Counter[str] = Counter()
    for source, output, reference in zip(sources, outputs, references, strict=True):
        ref_words = set(re.findall(r"[^\W\d_]+", reference.lower()))
        src_words = set(re.findall(r"[^\W\d_]+", source.lower()))
        for word in re.findall(r"[^\W\d_]+", output):
            lower = word.lower()
            if len(lower) >= 3 and lower in src_words and lower not in ref_words and lower not in SPANISH_SHORT:
                found["English words left"] += 1
        for phrase in re.findall(r"(?:[A-Z][a-z]+ ){1,4}[A-Z][a-z]+", source):
            if phrase in output and phrase not in reference:
                found["title-case phrases kept"] += 1
        for m in re.finditer(r"(?<=[a-záéíóúñ,;] )([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)", output):
            if re.search(rf"(?<![\w]){re.escape(m.group(1).lower())}(?![\w])", reference):
                found["capital mid-sentence"] += 1
        found["doubled punctuation"] += len(re.findall(r"\.\.(?!\.)|,,|\s[.,;:](?=\s|$)", output))
        found["English citation affixes"] += len(ENGLISH_AFFIXES.findall(output))
    return found


def kept_names(source: str, reference: str) -> list[str]:
    """The names of people, organizations and publications that the careful translation keeps as written:
    runs of capitalized words of the English found verbatim in the reference."""
    runs = re.findall(r"[A-Z][\w'’.-]*(?:\s(?:of|for|the|de|del|and)?\s?[A-Z][\w'’.-]*)*", source)
    return [r for r in runs if " " in r.strip() and r in reference or (r.isupper() and len(r) > 2 and r in reference)]


def names_kept_counts(sources: list[str], outputs: list[str], references: list[str]) -> tuple[int, int]:
    """How many of the names the careful translations keep as written the outputs keep too, of how many."""
    total = found = 0
    for source, output, reference in zip(sources, outputs, references, strict=True):
        for name in kept_names(source, reference):
            total += 1
            found += name in output
    return found, total


def names_kept_share(sources: list[str], outputs: list[str], references: list[str]) -> float:
    found, total = names_kept_counts(sources, outputs, references)
    return found / total if total else 1.0


# --- dates: each date of the source must come out as a correct date of the target language ------------------

MONTHS = {
    "en": {
        **{m: i for i, m in enumerate("January February March April May June July August September".split(), 1)},
        **{"October": 10, "November": 11, "December": 12, "Jan.": 1, "Feb.": 2, "Mar.": 3, "Apr.": 4},
        **{"Aug.": 8, "Sept.": 9, "Sep.": 9, "Oct.": 10, "Nov.": 11, "Dec.": 12},
    },
    "es": {
        **{m: i for i, m in enumerate("enero febrero marzo abril mayo junio julio agosto septiembre".split(), 1)},
        **{"octubre": 10, "noviembre": 11, "diciembre": 12, "setiembre": 9},
    },
}
DECADE_WORDS = {
    "en": dict(
        zip("twenties thirties forties fifties sixties seventies eighties nineties".split(), range(1920, 2000, 10))
    ),
    "es": dict(zip("veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa".split(), range(1920, 2000, 10))),
}
# Words after which a lone four-digit number of the source is read as a year ("since 2019", "hasta 2030").
YEAR_CUES = set(
    "in since until till by before after between from through to and or of during around mid early late year "
    "en desde hasta antes después entre y o de del al a durante para año mediados principios finales".split()
)
# Words that may follow a year; any other lower-case word makes the number a count ("a 2000 personas").
AFTER_YEAR = set(
    "the a an and or but to of in on at by for from with than that as was were is are has had have will would "
    "after before since until when while which who it its this y e o u pero el la lo los las un una unos unas de "
    "del al en con por para que se su sus tras desde hasta entre durante cuando como fue era es son ha han "
    "había será sería no ya también ni".split()
)


@dataclass(frozen=True)
class Date:
    """A date as written: any of day, month and year (a decade when `decade`), with the text it was read from."""

    day: int | None
    month: int | None
    year: int | None
    decade: bool = False
    text: str = field(default="", compare=False)

    def written_as(self, other: Date) -> bool:
        """`other` renders this date: the same day, month and decade; the same year unless this one has none
        (a range's year may be written at both ends: "from 4 to 8 November 2024", "del 4 de noviembre de 2024…")."""
        return (self.day, self.month, self.decade) == (other.day, other.month, other.decade) and (
            self.year is None or self.year == other.year
        )


def _words(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_YEAR = r"(?:1[89]|20)\d\d(?!\d)"
_DAY = r"(?<![\d.,\u00a0])(?:[12]\d|3[01]|0?[1-9])"  # not the tail of 12,000 or 4.5
_MONTH = {
    "en": rf"(?<![\w])(?:{_words(MONTHS['en'])})(?![\w])",
    "es": rf"(?i:(?<![\w])(?:{_words(MONTHS['es'])})(?![\w]))",
}
# One day with its month, or a bare day of a list: "May 3", "3 May", "the 12th of January", "18" in "June 5 and
# 18"; "3 de mayo", "el 1.º de septiembre", "el 5" in "entre el 5 y el 18 de junio".
_DAY_EN = rf"{_DAY}(?:st|nd|rd|th)?(?![\w])"
_DAY_ES = rf"(?i:(?:(?:el|del|al)\s+)?(?:{_DAY}(?:\.º|º|°|\.°|ro)?(?![\w])|primero))"
_PIECE = {
    "en": rf"(?:{_MONTH['en']}\s+{_DAY_EN}|(?:the\s+)?{_DAY_EN}\s+(?:of\s+)?{_MONTH['en']}|{_DAY_EN})",
    "es": rf"(?:{_DAY_ES}(?:\s+de\s+{_MONTH['es']})?)",
}
# A list of them, with the year of its last day: "May 3, 2024", "4 to 8 November 2024", "Jan. 1 to Sept. 30,
# 2024"; "del 28 de abril al 15 de junio de 2021", "el 15 de enero del 2024".
_DAYS = {
    "en": re.compile(
        rf"{_PIECE['en']}(?:\s*(?:-|–|\band\b|\bto\b|\bthrough\b|\bor\b|\buntil\b)\s*{_PIECE['en']})*"
        rf"(?:,?\s+(?P<year>{_YEAR}))?"
    ),
    "es": re.compile(
        rf"{_PIECE['es']}(?:\s*(?i:-|–|\by\b|\be\b|\bo\b|\bal?\b|\bhasta\b)\s*{_PIECE['es']})*"
        rf"(?:\s+(?i:del?)\s+(?P<year>{_YEAR}))?"
    ),
}
# A month with or without its year: "April 2023", "April of 2023", "March"; "abril de 2023", "setiembre".
_MONTHS = {
    "en": re.compile(rf"(?P<month>{_MONTH['en']})(?:,?\s+(?:of\s+)?(?P<year>{_YEAR}))?"),
    "es": re.compile(rf"(?P<month>{_MONTH['es']})(?:\s+(?i:del?)\s+(?P<year>{_YEAR}))?"),
}
# Decades: "the 1990s", "the '90s", "the nineties"; "la década de 1990", "las décadas de 1980 y 1990", "los años
# noventa", "los años 90".
_DECADES = {
    "en": re.compile(
        rf"(?<![\w'])(?P<years>(?:1[89]|20)\d0)s(?![\w])|(?<![\w])'(?P<short>\d0)s(?![\w])"
        rf"|(?i:\bthe\s+(?P<word>{_words(DECADE_WORDS['en'])})\b)"
    ),
    "es": re.compile(
        rf"(?i:\bdécadas?\s+de\s+(?P<years>{_YEAR}(?:\s*(?:,|\by\b|\be\b|\ba\b)\s*{_YEAR})*)"
        rf"|\baños\s+(?:(?P<year>{_YEAR})|(?P<short>\d0)(?![\w])|(?P<word>{_words(DECADE_WORDS['es'])})\b))"
    ),
}
_LONE_YEAR = re.compile(rf"(?<![\w.,\u00a0])(?<!\d\s)(?P<year>{_YEAR})(?![\w]|[.,\u00a0 ]\d)")
_GLUED = {lang: re.compile(rf"(?i:\d+(?:{_words(m)})|(?:{_words(m)})\d+)") for lang, m in MONTHS.items()}


def _prose(text: str) -> str:
    """The text with citations and link targets blanked in place (their keys and addresses hold digits that are
    not dates)."""
    return re.sub(r"\[[^\]]*@[^\]]*\]|@[\w:-]+|\]\(\S+?\)", lambda m: " " * len(m.group()), text)


def _month_of(word: str, lang: str) -> int | None:
    return MONTHS[lang].get(word.lower() if lang == "es" else word)


def _day_list(match: re.Match[str], lang: str) -> list[Date]:
    """The dates of one list of days. A bare day takes the month of the day before it when that one is written
    month first ("June 5 and 18"), otherwise the month of the day after it ("4 to 8 November", "el 5 y el 18 de
    junio"); the year goes to the last day only, where it is written."""
    end = match.start("year") - match.start() if match.group("year") else len(match.group())
    days: list[int] = []
    months: list[int | None] = []
    month_first: list[bool] = []
    for piece in re.finditer(_PIECE[lang], match.group()[:end]):
        words = piece.group().replace(",", " ").split()
        month = next((m for w in words if (m := _month_of(w, lang))), None)
        word = next(w for w in words if w[0].isdigit() or w.lower() == "primero")
        days.append(1 if word.lower() == "primero" else int(re.sub(r"\D.*", "", word)))
        months.append(month)
        month_first.append(month is not None and _month_of(words[0], lang) is not None)
    for i in range(1, len(days)):
        if months[i] is None and month_first[i - 1]:
            months[i], month_first[i] = months[i - 1], True
    for i in range(len(days) - 2, -1, -1):
        months[i] = months[i] or months[i + 1]
    year = int(match.group("year")) if match.group("year") else None
    last = len(days) - 1
    return [Date(d, m, year if i == last else None, text=match.group()) for i, (d, m) in enumerate(zip(days, months))]


def find_dates(text: str, lang: str, lone_years: Literal["cued", "all"] = "cued") -> list[Date]:
    """The dates written in `text` ("en" or "es"): days with their months and years, months with or without a
    year, decades, and lone years. A lone four-digit number counts as a year when a cue word comes before it and
    no content word after it ("cued": what a source must keep), or always ("all": how a translation may write it);
    so does an English "May" on its own, which is otherwise a month only after a preposition."""
    prose = _prose(text)
    found: list[tuple[int, Date]] = []

    def take(match: re.Match[str], dates: list[Date]) -> None:
        nonlocal prose
        found.extend((match.start(), d) for d in dates)
        prose = prose[: match.start()] + " " * len(match.group()) + prose[match.end() :]

    for m in _DAYS[lang].finditer(prose):
        if re.search(_MONTH[lang], m.group()):  # a list of days names its month
            take(m, _day_list(m, lang))
    for m in _DECADES[lang].finditer(prose):
        groups = m.groupdict()
        if groups.get("years"):
            years = [int(y) for y in re.findall(_YEAR, groups["years"])]
        elif groups.get("year"):
            years = [int(groups["year"])]
        elif groups["short"]:
            years = [1900 + int(groups["short"])]
        else:
            years = [DECADE_WORDS[lang][groups["word"].lower()]]
        take(m, [Date(None, None, y, decade=True, text=m.group()) for y in years])
    for m in _MONTHS[lang].finditer(prose):
        before = prose[: m.start()].split()[-1:]
        cued = bool(before) and before[0].lower() in YEAR_CUES | {"last", "next", "this", "early", "late"}
        if lang == "en" and m.group("month") == "May" and not m.group("year") and not cued and lone_years == "cued":
            continue  # "May" alone at the start of a sentence is the verb
        year = int(m.group("year")) if m.group("year") else None
        take(m, [Date(None, _month_of(m.group("month"), lang), year, text=m.group())])
    for m in _LONE_YEAR.finditer(prose):
        previous = re.search(r"([^\W\d_]+|\d{4})(?:-|\s+)$", prose[: m.start()])
        after = re.match(r"\s*([^\W\d_]+)", prose[m.end() :])
        cued = previous is not None and (previous.group(1).lower() in YEAR_CUES or previous.group(1).isdigit())
        free = after is None or not after.group(1).islower() or after.group(1) in AFTER_YEAR
        if lone_years == "all" or cued and free:
            found.append((m.start(), Date(None, None, int(m.group("year")), text=m.group())))
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


def mangled_dates(source: str, output: str, source_lang: str) -> list[str]:
    """The dates of `source` (in `source_lang`) that `output`, in the other language, does not write as a date
    of its own language with the same day, month and year; and any month glued to a number ("abril23")."""
    target = "es" if source_lang == "en" else "en"
    available = find_dates(output, target, "all")
    wrong: list[str] = []
    for date in sorted(find_dates(source, source_lang), key=lambda d: d.year is None):  # fuller dates match first
        match = next((d for d in available if date.written_as(d)), None)
        if match is None:
            wrong.append(date.text)
        else:
            available.remove(match)
    return wrong + [f"glued: {m.group()}" for m in _GLUED[target].finditer(_prose(output))]


def dates_counts(sources: list[str], outputs: list[str], source_lang: str) -> tuple[int, int, int]:
    """How many dates of the sources come out right, of how many, and how many months the outputs glue to a number."""
    total = right = glued = 0
    for source, output in zip(sources, outputs, strict=True):
        wrong = mangled_dates(source, output, source_lang)
        total += len(find_dates(source, source_lang))
        glued += sum(w.startswith("glued: ") for w in wrong)
        right += len(find_dates(source, source_lang)) - sum(not w.startswith("glued: ") for w in wrong)
    return right, total, glued
