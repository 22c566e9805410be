"""TMX: the memory's reviewed and approved content as a file CAT tools and version control can use."""

from __future__ import annotations

import datetime as dt
from html import escape, unescape
from pathlib import Path

from lxml import etree
from translate.storage import tmx  # translate-toolkit

from toolkit.errors import BriefkitError
from toolkit.read.yamlfile import read_text
from toolkit.translate.memory import STATUSES, Status, Unit, normalize
from toolkit.translate.segments import MARKUP

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TMX_PROPS = ("status", "engine", "model", "produced_by", "updated", "context")


def tmx_bytes(units: list[Unit], pair: str) -> bytes:
    """A TMX 1.4 file of the units, sorted and stable so that it diffs well in version control."""
    source_lang, target_lang = pair.split("-")
    store = tmx.tmxfile(sourcelanguage=source_lang, targetlanguage=target_lang)
    header = store.document.getroot().find("header")
    if header is not None:
        header.set("creationtool", "briefkit")
        header.set("creationtoolversion", "1")
    for unit in sorted(units, key=lambda u: normalize(u.source)):
        tu = store.addsourceunit(unescape(unit.source))
        tu.target = unescape(unit.target)
        element = tu.xmlelement
        for position, name in enumerate(TMX_PROPS):
            prop = etree.Element("prop", type=f"x-briefkit-{name}")
            prop.text = str(getattr(unit, name))
            element.insert(position, prop)
    return bytes(store)


def read_tmx(path: Path, pair: str, default_status: Status) -> list[Unit]:
    """Units of a TMX file (ours or a CAT tool's) for the pair; the status comes from our prop if present."""
    try:
        store = tmx.tmxfile.parsestring(read_text(path).encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise BriefkitError(f"not a valid TMX file: {exc.msg}", path, exc.lineno) from None
    except AssertionError:  # translate-toolkit's check of the root element
        raise BriefkitError("not a TMX file (its root element is not <tmx>)", path, 1) from None
    source_lang, target_lang = pair.split("-")
    found = []
    seen_languages: set[str] = set()
    for tu in store.units:
        element = tu.xmlelement
        props = {p.get("type", ""): (p.text or "") for p in element.iter("prop")}
        # each variant by its language, in whatever order the file has them (a CAT tool may put the target first)
        texts: dict[str, str] = {}
        for tuv in element.iter("tuv"):
            language = tuv.get(XML_LANG, tuv.get("lang", "")).split("-")[0].lower()
            seen_languages.add(language)
            seg = tuv.find("seg")
            if seg is not None:
                texts.setdefault(language, "".join(seg.itertext()))
        source, target = texts.get(source_lang, ""), texts.get(target_lang, "")
        if not source or not target:
            continue
        written = props.get("x-briefkit-status") or default_status
        status = next((s for s in STATUSES if s == written), None)
        if status is None:
            raise BriefkitError(f"unknown status {written!r}", path, element.sourceline)
        found.append(
            Unit(
                _escape_markup(source),
                _escape_markup(target),
                status,
                props.get("x-briefkit-engine", "tmx"),
                props.get("x-briefkit-model", path.name),
                props.get("x-briefkit-produced_by", "tmx import"),
                props.get("x-briefkit-updated") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                props.get("x-briefkit-context", ""),
            )
        )
    if not found and store.units and source_lang not in seen_languages:
        languages = ", ".join(sorted(seen_languages - {""})) or "none named"
        raise BriefkitError(f"the TMX holds no {source_lang}→{target_lang} units (its languages: {languages})", path, 1)
    return found


def _escape_markup(text: str) -> str:
    """Plain TMX text back into segment markup: escape the text, keep our <gN>, </gN>, <xN/> markers."""
    pieces = []
    pos = 0
    for m in MARKUP.finditer(text):
        pieces.append(escape(text[pos : m.start()], quote=False))
        pieces.append(m.group(0))
        pos = m.end()
    pieces.append(escape(text[pos:], quote=False))
    return "".join(pieces)
