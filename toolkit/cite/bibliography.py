"""Bibliographies: CSL-JSON and BibTeX/BibLaTeX files read into checked references; cited keys checked."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.cite.pandoc import run_pandoc
from toolkit.errors import BriefkitError, raise_all
from toolkit.model import Cite, Document, Inline, is_safe_link, notes_in_order, query_blocks, query_inlines
from toolkit.read.yamlfile import MAX_INPUT_BYTES, read_text

log = logging.getLogger("briefkit")
MAX_CITATIONS = 20_000


@dataclass(frozen=True)
class Reference:
    """One bibliography entry: its key, the file it came from, and its CSL-JSON fields as checked."""

    key: str
    path: Path
    csl: Mapping[str, Any]


@dataclass(frozen=True)
class Bibliography:
    paths: tuple[Path, ...]
    items: dict[str, Reference]

    @property
    def bibtex_files(self) -> tuple[Path, ...]:
        """The BibTeX/BibLaTeX files, which Pandoc reads as they are: converted to CSL-JSON first, they lost
        case protection ({{…}}), braced names ({van Dijk}), per-entry languages and @misc's type."""
        return tuple(p for p in self.paths if p.suffix.lower() == ".bib")

    def json_entries(self) -> list[dict[str, Any]]:
        """The CSL-JSON entries as checked (unsafe URLs dropped)."""
        return [dict(r.csl) for r in self.items.values() if r.path.suffix.lower() != ".bib"]

    def names(self) -> tuple[str, ...]:
        """Names a translation keeps as written: authors' full names, publishers, publications, titles."""
        found: set[str] = set()
        for reference in self.items.values():
            csl = reference.csl
            for person in [*(csl.get("author") or []), *(csl.get("editor") or [])]:
                if isinstance(person, dict):
                    full = " ".join(str(person.get(k, "")) for k in ("given", "family") if person.get(k))
                    found.update(n for n in (full, str(person.get("literal", ""))) if n)
            for key in ("publisher", "container-title", "title"):
                if isinstance(csl.get(key), str):
                    found.add(csl[key])
        return tuple(sorted(found))


MAX_ENTRIES = 10_000  # in one bibliography file
MAX_BIBTEX_BYTES = 5_000_000  # Pandoc takes some 200 bytes of memory per byte of BibTeX
# CSL-JSON's shapes (the CSL data schema): names are lists of name objects, dates are date objects (or text),
# `categories` a list of words, `custom` an object; every other variable is text or a number. Pandoc stops at
# the first wrong one with an error naming a temporary file and an array index, so they are checked here.
NAME_VARIABLES = frozenset(
    "author chair collection-editor compiler composer container-author contributor curator director editor "
    "editorial-director executive-producer guest host illustrator interviewer narrator organizer original-author "
    "performer producer recipient reviewed-author script-writer series-creator translator".split()
)
DATE_VARIABLES = frozenset("accessed available-date event-date issued original-date submitted".split())


def _shape_problems(entry: dict[str, Any]) -> list[str]:
    problems = []
    for name, value in entry.items():
        if name in NAME_VARIABLES:
            if not isinstance(value, list) or not all(isinstance(person, dict) for person in value):
                problems.append(f'`{name}` must be a list of names, e.g. [{{"family": "Rose", "given": "Joel"}}]')
        elif name in DATE_VARIABLES:
            if not isinstance(value, (dict, str)):
                problems.append(f'`{name}` must be a date, e.g. {{"date-parts": [[2024, 6, 14]]}}')
        elif name == "categories":
            if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
                problems.append("`categories` must be a list of words")
        elif name == "custom":
            if not isinstance(value, dict):
                problems.append("`custom` must be an object")
        elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
            problems.append(f"`{name}` must be text or a number, not {type(value).__name__}")
    return problems


BIBTEX_ENTRY = re.compile(r"^[ \t]*@", re.M)
PANDOC_PARSE_ERROR = re.compile(r"\(line (?P<line>\d+), column (?P<column>\d+)\):\n(?P<what>[^\n]*)")


def _entries(path: Path) -> tuple[list[Any], str]:
    """The raw entries of one file (BibTeX converted by Pandoc), and the JSON text they came from."""
    is_bibtex = path.suffix.lower() == ".bib"
    text = read_text(path, MAX_BIBTEX_BYTES if is_bibtex else MAX_INPUT_BYTES)
    if is_bibtex:
        count = len(BIBTEX_ENTRY.findall(text))  # counted before Pandoc, which takes ~200 bytes per byte of .bib
        if count > MAX_ENTRIES:
            raise BriefkitError(f"{count:,} entries, over the limit of {MAX_ENTRIES:,}", path, hint="split the file")
        fmt = "biblatex" if "@online" in text.lower() or "biblatex" in text.lower() else "bibtex"
        try:
            text = run_pandoc(["-f", fmt, "-t", "csljson"], text, "reading BibTeX")
        except BriefkitError as exc:  # Pandoc's parse error on several lines: one line, with the file's line
            where = PANDOC_PARSE_ERROR.search(exc.message)
            if where is None:
                raise BriefkitError(exc.message.splitlines()[0], path) from None
            message = f"not valid BibTeX: {where.group('what')} (column {where.group('column')})"
            raise BriefkitError(message, path, int(where.group("line"))) from None
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BriefkitError(f"malformed JSON: {exc.msg}", path, exc.lineno) from None
    if not isinstance(entries, list):
        raise BriefkitError("a CSL-JSON bibliography must be a list of entries", path, 1)
    if len(entries) > MAX_ENTRIES:
        raise BriefkitError(
            f"{len(entries):,} entries, over the limit of {MAX_ENTRIES:,}", path, None, "split the file"
        )
    return entries, text


def load_bibliography(paths: tuple[Path, ...]) -> Bibliography:
    """Read CSL-JSON (.json) and BibTeX/BibLaTeX (.bib) files; keys must be unique and entries complete."""
    items: dict[str, Reference] = {}
    errors: list[BriefkitError] = []
    for path in paths:
        entries, text = _entries(path)
        lines = _lines_of_ids(text) if path.suffix.lower() == ".json" else {}
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
                errors.append(BriefkitError(f"entry {n} has no `id`", path))
                continue
            key = entry["id"]
            line = lines.get(key)
            if key in items:
                errors.append(
                    BriefkitError(f"duplicate citation key `{key}` (also in {items[key].path.name})", path, line)
                )
                continue
            errors.extend(BriefkitError(f"entry `{key}`: {problem}", path, line) for problem in _shape_problems(entry))
            if not entry.get("title"):
                errors.append(BriefkitError(f"entry `{key}` has no title", path, line))
            if not entry.get("type") and path.suffix.lower() != ".bib":  # Pandoc types every BibTeX entry itself
                errors.append(
                    BriefkitError(f"entry `{key}` has no type", path, line, "e.g. article-newspaper, report, book")
                )
            url = entry.get("URL")
            if url is not None and not (isinstance(url, str) and is_safe_link(url)):
                log.warning("%s:%s: entry `%s`: URL %r dropped (only http, https and mailto)", path, line, key, url)
                entry = {k: v for k, v in entry.items() if k != "URL"}
            items[key] = Reference(key, path, entry)
    raise_all(errors)
    return Bibliography(paths, items)


JSON_ID = re.compile(r'"id"\s*:\s*"((?:[^"\\\n]|\\.)*)"')


def _lines_of_ids(text: str) -> dict[str, int]:
    """The line of each `"id": "…"` in a JSON text, first one kept; one pass (a search per key was quadratic)."""
    lines: dict[str, int] = {}
    line, counted = 1, 0
    for m in JSON_ID.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        try:
            key = json.loads(f'"{m.group(1)}"') if "\\" in m.group(1) else m.group(1)
        except json.JSONDecodeError:
            continue
        lines.setdefault(key, line)
    return lines


def check_citation_keys(documents: list[Document], bibliography: Bibliography) -> None:
    """Every cited key must be in the bibliography; all unknown keys are reported at once."""
    errors: list[BriefkitError] = []
    count = 0

    def cites(node: Inline) -> list[Cite]:
        return [node] if isinstance(node, Cite) else []

    for doc in documents:
        if doc.meta.source not in bibliography.items:
            errors.append(
                BriefkitError(
                    f"front matter `source: {doc.meta.source}` is not in the bibliography", doc.source_path, None
                )
            )
        for key in doc.meta.nocite:
            if key != "*" and key not in bibliography.items:
                errors.append(
                    BriefkitError(
                        f"unknown citation key `@{key}` in `nocite`",
                        doc.source_path,
                        doc.meta.nocite_line,
                        "add it to the bibliography or fix the key",
                    )
                )
        notes = [note.blocks for note in notes_in_order(doc.blocks)]
        in_title = [c for c in query_inlines(cites, doc.title)]
        for cite in in_title + [
            c for blocks in (doc.blocks, *notes) for c in query_blocks(cites, blocks, into_notes=False)
        ]:
            for item in cite.items:
                count += 1
                if item.key not in bibliography.items:
                    errors.append(
                        BriefkitError(
                            f"unknown citation key `@{item.key}`",
                            doc.source_path,
                            cite.line,
                            "add it to the bibliography or fix the key",
                        )
                    )
    if count > MAX_CITATIONS:
        raise BriefkitError(
            f"{count} citations in the packet's summaries, over the limit of {MAX_CITATIONS}",
            hint="split the packet",
        )
    raise_all(errors)
