"""Running Pandoc, the reference implementation of CSL (pypandoc-binary ships the binary)."""

from __future__ import annotations

import subprocess

import pypandoc

from toolkit.errors import BriefkitError


def pandoc_path() -> str:
    return str(pypandoc.get_pandoc_path())


def run_pandoc(args: list[str], stdin: str, what: str) -> str:
    """Pandoc's output for `stdin`; a failure is a BriefkitError saying what was being done."""
    result = subprocess.run([pandoc_path(), *args], input=stdin, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BriefkitError(f"{what} failed: {result.stderr.strip()[:500]}")
    return result.stdout
