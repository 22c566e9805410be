"""Month names and dates written out in English or Spanish."""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
}


def written_date(day: int, month: int, year: int | None, lang: str) -> str:
    """ "August 9, 2025" (en-US), "9 August 2025" (other English), "9 de agosto de 2025" (Spanish); the year may
    be left out."""
    name = MONTHS[lang[:2]][month - 1]
    if lang.startswith("es"):
        return f"{day} de {name}" + (f" de {year}" if year else "")
    if lang in ("en-US", "en"):
        return f"{name} {day}" + (f", {year}" if year else "")
    return f"{day} {name}" + (f" {year}" if year else "")


def format_date(value: str, lang: str) -> str:
    """ISO date to "9 August 2025" / "9 de agosto de 2025"; anything else as written."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return written_date(day.day, day.month, day.year, lang)
