"""The house styles, shipped in the package (`styles/` at the top of the repository links to them):
`packet.css` for the PDF, `word.yaml` for the Word writer."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import yaml

STYLE_FILES = ("packet.css", "word.yaml")


def style_file(name: str) -> bytes:
    """A house style file's bytes, read through importlib.resources (a wheel install works as well)."""
    return files("toolkit.write").joinpath("styles", name).read_bytes()


def packet_css() -> str:
    return style_file("packet.css").decode("utf-8")


@dataclass(frozen=True)
class WordStyle:
    """The Word writer's style table: fonts, sizes (pt), colours (hex) and the page margin."""

    body_font: str
    heading_font: str
    body_size: float
    footnote_size: float
    heading_color: str
    accent_color: str
    table_header_fill: str
    page_margin_cm: float


def word_style() -> WordStyle:
    data = yaml.safe_load(style_file("word.yaml"))
    return WordStyle(
        body_font=str(data["body_font"]),
        heading_font=str(data["heading_font"]),
        body_size=float(data["body_size"]),
        footnote_size=float(data["footnote_size"]),
        heading_color=str(data["heading_color"]),
        accent_color=str(data["accent_color"]),
        table_header_fill=str(data["table_header_fill"]),
        page_margin_cm=float(data["page_margin_cm"]),
    )
