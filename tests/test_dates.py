"""Dates as protected spans: a golden case per English and Spanish form, what the span covers and what it
becomes, and through real Apertium (the bug: "in April 2023" → "el 20 de abril23")."""

from __future__ import annotations

import pytest

from tests.reference_set import pipeline
from toolkit.translate.dates import decades_as_years
from toolkit.translate.engines import ApertiumEngine
from toolkit.translate.glossary import Glossary
from toolkit.translate.protect import Protector
from toolkit.translate.qa import _figures

ENGLISH = Protector(Glossary(()))
SPANISH = Protector(Glossary(()), source_lang="es")


def dates(protect: Protector, text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.target) for s in protect(text) if s.kind == "date"]


@pytest.mark.parametrize(
    ("english", "found", "spanish"),
    [
        ("signed on March 8, 2023.", "March 8, 2023", "8 de marzo de 2023"),
        ("signed on March 8 in Lima", "March 8", "8 de marzo"),
        ("signed on 3 May 2024.", "3 May 2024", "3 de mayo de 2024"),
        ("signed on 3 May.", "3 May", "3 de mayo"),
        ("the 3rd of May 2021 and", "3rd of May 2021", "3 de mayo de 2021"),
        ("by March 31st.", "March 31st", "31 de marzo"),
        ("opened in April 2023 and", "April 2023", "abril de 2023"),
        ("opened in April, 2023 and", "April, 2023", "abril de 2023"),
        ("September 2023 was hot", "September 2023", "septiembre de 2023"),
        ("ran from 3 to 5 May in", "from 3 to 5 May", "del 3 al 5 de mayo"),
        ("From 2 to 31 December 2020 it", "From 2 to 31 December 2020", "Del 2 al 31 de diciembre de 2020"),
        ("held between 3 and 5 May 2024.", "between 3 and 5 May 2024", "entre el 3 y el 5 de mayo de 2024"),
        ("held on 3–5 May.", "3–5 May", "3–5 de mayo"),
        ("held on May 3-5, 2024.", "May 3-5, 2024", "3-5 de mayo de 2024"),
        ("between March and June, it", "March and June", "marzo y junio"),
        ("from March to June 2024 it", "from March to June 2024", "de marzo a junio de 2024"),
        ("from March through June", "from March through June", "de marzo a junio"),
        ("in the March–June 2024 season", "March–June 2024", "marzo-junio de 2024"),
        ("rains came in May.", "May", "mayo"),
        ("since October the", "October", "octubre"),
        # abbreviated months (AP style and tables), in every form with a day or a year
        (
            "ran from Jan. 1 to Sept. 30, 2024.",
            "from Jan. 1 to Sept. 30, 2024",
            "del 1 de enero al 30 de septiembre de 2024",
        ),
        ("counted Jan. 1–Sept. 30 in", "Jan. 1–Sept. 30", "del 1 de enero al 30 de septiembre"),
        (
            "held between Feb. 3 and March 15, 2024.",
            "between Feb. 3 and March 15, 2024",
            "entre el 3 de febrero y el 15 de marzo de 2024",
        ),
        ("From 1 Nov to 15 Dec 2023 it", "From 1 Nov to 15 Dec 2023", "Del 1 de noviembre al 15 de diciembre de 2023"),
        ("signed on Aug. 5, 2023.", "Aug. 5, 2023", "5 de agosto de 2023"),
        ("reopened Dec 3 2021 after", "Dec 3 2021", "3 de diciembre de 2021"),
        ("due on Sep 9.", "Sep 9", "9 de septiembre"),
        ("published in Oct. 2022 by", "Oct. 2022", "octubre de 2022"),
    ],
)
def test_an_english_date_in_each_form_becomes_spanish(english: str, found: str, spanish: str) -> None:
    assert dates(ENGLISH, english) == [(found, spanish)]


@pytest.mark.parametrize(
    ("english", "found", "spanish"),
    [
        ("Poverty fell in the 1990s.", "in the 1990s", "en la década de 1990"),
        ("The 1980s and 1990s saw", "The 1980s and 1990s", "Las décadas de 1980 y 1990"),
        ("grew in the 1980s and '90s.", "in the 1980s and '90s", "en las décadas de 1980 y 1990"),
        ("since the ’90s it", "the ’90s", "la década de 1990"),
        ("began in the mid-1990s.", "in the mid-1990s", "a mediados de la década de 1990"),
        ("by the early 2000s the", "the early 2000s", "principios de la década de 2000"),
        (
            "in the late 1970s and early 1980s",
            "in the late 1970s and early 1980s",
            "a finales de la década de 1970 y principios de la década de 1980",
        ),
        ("rose in the 2010s.", "in the 2010s", "en la década de 2010"),
        ("the music of the nineties", "the nineties", "los años noventa"),
    ],
)
def test_an_english_decade_becomes_a_spanish_newsroom_decade(english: str, found: str, spanish: str) -> None:
    assert dates(ENGLISH, english) == [(found, spanish)]


@pytest.mark.parametrize(
    "english",
    [
        "Theresa May said so.",  # a month's name that is a name
        "May I add one thing?",
        "a budget of 12,2023 pesos",  # digits inside a figure are no day
        "version 3.5 May",
        "on 32 May",  # no such day
        "on May 20234",  # no such year
        "Jan Egeland said so.",  # an abbreviation only with a day or a year after it
        "Dec and Jan agreed.",
        "in Mar del Plata 2024",
        "the 1990 budget",  # a year, no decade
        "in their nineties",
        "temperatures in the 90s",  # without the apostrophe: degrees or ages as often as a decade
    ],
)
def test_what_is_not_an_english_date(english: str) -> None:
    assert dates(ENGLISH, english) == []


def test_a_year_after_a_month_is_never_read_as_a_day() -> None:
    assert dates(ENGLISH, "in April 2023") == [("April 2023", "abril de 2023")]
    assert dates(ENGLISH, "3 May 2024") == [("3 May 2024", "3 de mayo de 2024")]


@pytest.mark.parametrize(
    ("spanish", "found", "english"),
    [
        ("firmó el 8 de marzo de 2023.", "el 8 de marzo de 2023", "on March 8, 2023"),
        ("El 8 de marzo firmó.", "El 8 de marzo", "On March 8"),
        ("desde el 8 de marzo", "8 de marzo", "March 8"),
        ("el plazo vence 31 de Diciembre de 1999", "31 de Diciembre de 1999", "December 31, 1999"),
        ("cerró en abril de 2023 y", "abril de 2023", "April 2023"),
        ("en septiembre del año 2023", "septiembre del año 2023", "September 2023"),
        ("votaron del 3 al 5 de mayo.", "del 3 al 5 de mayo", "from May 3 to 5"),
        ("Del 1 al 3 de junio de 2024 hubo", "Del 1 al 3 de junio de 2024", "From June 1 to 3, 2024"),
        ("entre el 3 y el 5 de mayo de 2020", "entre el 3 y el 5 de mayo de 2020", "between May 3 and 5, 2020"),
        ("los días 3-5 de mayo de 2024", "3-5 de mayo de 2024", "May 3-5, 2024"),
        ("de marzo a junio llovió", "de marzo a junio", "from March to June"),
        ("Entre marzo y junio de 2024 llovió", "Entre marzo y junio de 2024", "Between March and June 2024"),
        (
            "del 1 de enero al 30 de septiembre de 2024",
            "del 1 de enero al 30 de septiembre de 2024",
            "from January 1 to September 30, 2024",
        ),
        # "del" before the year, as Latin America writes it; the first of the month as an ordinal or a word
        ("firmó el 15 de enero del 2024.", "el 15 de enero del 2024", "on January 15, 2024"),
        ("abrió en marzo del 2023 y", "marzo del 2023", "March 2023"),
        ("rige desde el 1.º de septiembre", "1.º de septiembre", "September 1"),
        ("rige desde el 1º de septiembre", "1º de septiembre", "September 1"),
        ("entró en vigor el 1° de septiembre del 2022", "el 1° de septiembre del 2022", "on September 1, 2022"),
        ("entró en vigor el primero de septiembre.", "el primero de septiembre", "on September 1"),
        # decades
        ("cayó en la década de 1950.", "la década de 1950", "the 1950s"),
        ("Las décadas de 1980 y 1990 fueron", "Las décadas de 1980 y 1990", "The 1980s and 1990s"),
        ("la inflación de los años noventa", "los años noventa", "the 1990s"),
        ("la inflación de los años 90.", "los años 90", "the 1990s"),
        ("En los 90 la pobreza", "los 90", "the 1990s"),
        ("creció en los noventa, y", "los noventa", "the 1990s"),
        ("en la década de los ochenta", "la década de los ochenta", "the 1980s"),
        ("los años ochenta y noventa", "los años ochenta y noventa", "the 1980s and 1990s"),
        ("empezó a mediados de los años ochenta.", "a mediados de los años ochenta", "in the mid-1980s"),
        ("desde finales de la década de 1970", "finales de la década de 1970", "the late 1970s"),
        ("a principios de los años 2000", "a principios de los años 2000", "in the early 2000s"),
    ],
)
def test_a_spanish_date_in_each_form_becomes_english(spanish: str, found: str, english: str) -> None:
    assert dates(SPANISH, spanish) == [(found, english)]


@pytest.mark.parametrize(
    "spanish",
    [
        "los 90 días de plazo",  # a count: a noun follows
        "los 2000 trabajadores",
        "la década pasada",
        "desde el 2020",  # a year alone is the engine's
        "el primero de la lista",
    ],
)
def test_what_is_not_a_spanish_date(spanish: str) -> None:
    assert dates(SPANISH, spanish) == []


def test_dates_through_apertium_both_ways() -> None:
    english = pipeline(
        ApertiumEngine(),
        ["The clinic opened in April 2023 and closed on 3 May 2024.", "Voting ran from 3 to 5 May."],
    )
    assert "abril de 2023" in english[0] and "el 3 de mayo de 2024" in english[0]
    assert "abril23" not in english[0] and "20 de" not in english[0]
    assert "del 3 al 5 de mayo" in english[1]
    spanish = pipeline(
        ApertiumEngine("es-en"), ["La clínica abrió en abril de 2023 y cerró el 3 de mayo de 2024."], "es"
    )
    assert "April 2023" in spanish[0] and "on May 3, 2024" in spanish[0]


def test_decades_abbreviated_months_and_latin_american_years_through_apertium() -> None:
    english = pipeline(
        ApertiumEngine(),
        [
            "Rents doubled in the 1980s and '90s and rose again in the mid-2010s.",
            "The survey ran from Jan. 1 to Sept. 30, 2024, and the report came out on Dec. 2.",
        ],
    )
    assert "en las décadas de 1980 y 1990" in english[0] and "a mediados de la década de 2010" in english[0]
    assert "1990s" not in english[0] and "el 1980" not in english[0]
    assert "del 1 de enero al 30 de septiembre de 2024" in english[1] and "el 2 de diciembre" in english[1]
    spanish = pipeline(
        ApertiumEngine("es-en"),
        [
            "Los alquileres subieron en la década de 1950 y a finales de los años noventa.",
            "La ley se firmó el 15 de enero del 2024 y rige desde el 1.º de septiembre.",
        ],
        "es",
    )
    assert "in the 1950s" in spanish[0] and "in the late 1990s" in spanish[0]
    assert "decade" not in spanish[0] and "years ninety" not in spanish[0]
    assert "on January 15, 2024" in spanish[1] and "September 1" in spanish[1] and "of the 2024" not in spanish[1]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("in the 1980s and '90s", "en las décadas de 1980 y 1990"),
        ("in the mid-’90s", "a mediados de la década de 1990"),
        ("the nineties", "los años noventa"),
        ("en los años 90 y", "in the 1990s and"),
        ("los ochenta, y", "the 1980s, and"),
    ],
)
def test_the_figure_check_reads_a_decade_as_its_years(source: str, target: str) -> None:
    assert _figures(decades_as_years(source)) == _figures(decades_as_years(target))
    assert decades_as_years("los 90 días") == "los 90 días"  # a count stays a count
