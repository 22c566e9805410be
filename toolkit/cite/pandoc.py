"""Running Pandoc, the reference implementation of CSL (pypandoc-binary ships the binary)."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

import pypandoc

from toolkit.errors import BriefkitError


@functools.cache
def pandoc_path() -> str:
    """The Pandoc binary pypandoc-binary ships, whatever else is installed: pypandoc's own search takes the
    highest version among `pandoc` on PATH, ~/bin and its own, so another Pandoc on a machine (Debian's 2.17, a
    user's ~/bin) would change how citations print. `PYPANDOC_PANDOC` names another one on purpose."""
    chosen = os.environ.get("PYPANDOC_PANDOC")
    if chosen:
        return chosen
    shipped = Path(pypandoc.__file__).parent / "files" / "pandoc"
    return str(shipped) if shipped.is_file() else str(pypandoc.get_pandoc_path())


@functools.cache
def pandoc_version() -> str:
    """The version of the Pandoc that renders citations (part of every build key: another Pandoc prints
    another way, so a packet built with one is rebuilt with the other)."""
    return run_pandoc(["--version"], "", "asking Pandoc its version").split("\n", 1)[0].strip()


def run_pandoc(args: list[str], stdin: str, what: str) -> str:
    """Pandoc's output for `stdin`; a failure is a BriefkitError saying what was being done."""
    try:
        result = subprocess.run([pandoc_path(), *args], input=stdin, capture_output=True, text=True, timeout=600)
    except OSError as exc:
        raise BriefkitError(f"{what} failed: cannot run Pandoc ({pandoc_path()}): {exc.strerror}") from None
    if result.returncode != 0:
        raise BriefkitError(f"{what} failed: {result.stderr.strip()[:500]}")
    return result.stdout
