"""Dates as protected spans: a golden case per English and Spanish form, what the span covers and what it
becomes, and through real Apertium (the bug: "in April 2023" → "el 20 de abril23")."""

from __future__ import annotations

import pytest

from tests.reference_set import pipeline
from toolkit.translate.engines import ApertiumEngine
from toolkit.translate.glossary import Glossary
from toolkit.translate.protect import Protector

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
    ],
)
def test_an_english_date_in_each_form_becomes_spanish(english: str, found: str, spanish: str) -> None:
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
    ],
)
def test_a_spanish_date_in_each_form_becomes_english(spanish: str, found: str, english: str) -> None:
    assert dates(SPANISH, spanish) == [(found, english)]


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
