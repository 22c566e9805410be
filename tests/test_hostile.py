"""The hostile-input corpus (tests/hostile/): each case is a bad input with the exact message and exit code a
user gets. A case folder holds `files/` (laid over a copy of the sample inputs) and `case.yaml`:

    about: what is wrong
    exit: 1                      # the exit code of `briefkit build packets/case.yaml`
    stderr: [error: {inputs}/packets/case.yaml:5: …]   # lines that must appear exactly
    formats: [docx, pdf]         # what to build (default: docx)
    absent: ["<script"]          # strings that must not be in the outputs (see `written_text`)
    present: ["URI: https://…"]  # strings that must be
    symlinks: {summaries/link.md: /etc/hostname}       # made at run time
    truncated_memory: name.sqlite                      # a real memory, cut in half at run time

By default the case's packet is `packets/case.yaml` with one summary, `summaries/case.md` (a copy of a
sample summary); a case replaces either by giving its own.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import INPUTS, run_cli
from toolkit.memory import TranslationMemory

HOSTILE = Path(__file__).parent / "hostile"
CASES = sorted(p for p in HOSTILE.iterdir() if (p / "case.yaml").is_file())
DEFAULT_PACKET = (
    "id: case\ntitle: Hostile case\nbibliography: ../references.json\nglossary: ../glossary.csv\n"
    "summaries: [../summaries/case.md]\n"
)


def lay_out_case(case: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The sample inputs with the case's files laid over them; returns the inputs folder and the case spec."""
    spec = yaml.safe_load((case / "case.yaml").read_text())
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs, ignore=shutil.ignore_patterns(".briefkit", ".test-*"))
    shutil.copy(INPUTS / "summaries" / "fentanyl-war.md", inputs / "summaries" / "case.md")
    (inputs / "packets" / "case.yaml").write_text(DEFAULT_PACKET)
    if (case / "files").is_dir():
        shutil.copytree(case / "files", inputs, dirs_exist_ok=True)
    for link, target in spec.get("symlinks", {}).items():
        (inputs / link).unlink(missing_ok=True)
        (inputs / link).symlink_to(target)
    if "truncated_memory" in spec:
        path = inputs / spec["truncated_memory"]
        memory = TranslationMemory(path)
        memory.store(
            [(f"sentence {n} " * 20, f"frase {n} " * 20) for n in range(3000)], "en-es", "machine", "t", "t", "t"
        )
        memory.close()
        for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            extra.unlink(missing_ok=True)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return inputs, spec


def build_case(case: Path, tmp_path: Path) -> tuple[int, str, Path, dict[str, Any]]:
    inputs, spec = lay_out_case(case, tmp_path)
    formats = [arg for fmt in spec.get("formats", ["docx"]) for arg in ("--format", fmt)]
    out = tmp_path / "out"
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "no-models"), "ARGOS_PACKAGES_DIR": str(tmp_path / "x")}
    packet = inputs / "packets" / "case.yaml"
    result = run_cli("build", str(packet), "--out", str(out), *formats, cwd=tmp_path, env=env)
    return result.returncode, result.stderr.replace(str(inputs), "{inputs}"), out, spec


def written_text(out: Path) -> str:
    """Everything the outputs hold that a reader could see or follow: the DOCX's XML parts and relationships
    (hyperlink targets), the PDF's text and its link annotations (as `URI: …` lines)."""
    parts = []
    for docx in out.rglob("*.docx"):
        with zipfile.ZipFile(docx) as zf:
            parts += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    for pdf in out.rglob("*.pdf"):
        for page in PdfReader(str(pdf)).pages:
            parts.append(page.extract_text())
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                if "/URI" in action:
                    parts.append(f"URI: {action['/URI']}")
    return "\n".join(parts)


def test_the_corpus_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Path, tmp_path: Path) -> None:
    code, stderr, out, spec = build_case(case, tmp_path)
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    for expected in spec["stderr"]:
        assert expected in lines, f"{spec['about']}: expected\n  {expected}\ngot\n  " + "\n  ".join(lines)
    assert code == spec["exit"], stderr
    if spec["exit"] != 0:
        assert not out.exists(), "a failed build wrote outputs"
    else:
        text = written_text(out)
        for needle in spec.get("absent", []):
            assert needle not in text, f"{needle!r} reached the outputs"
        for needle in spec.get("present", []):
            assert needle in text, f"{needle!r} is missing from the outputs"
