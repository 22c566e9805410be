"""Month names and dates written out in English or Spanish."""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
}


def format_date(value: str, lang: str) -> str:
    """ISO date to "9 August 2025" / "9 de agosto de 2025"; anything else as written."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    month = MONTHS[lang[:2]][day.month - 1]
    return f"{day.day} de {month} de {day.year}" if lang.startswith("es") else f"{day.day} {month} {day.year}"
