"""The package's shape: stages as layers, no import cycles or lazy imports dodging one, and a wheel that works
installed on its own (not only an editable checkout)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import grimp

from .conftest import INPUTS, ROOT

TOOLKIT = ROOT / "toolkit"


def test_stages_import_only_the_stages_below_them() -> None:
    """The import-linter contract in pyproject.toml (model < read < translate < cite < write < review < release)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and "1 kept, 0 broken" in result.stdout, result.stdout[-2000:]


def test_no_module_imports_toolkit_inside_a_function() -> None:
    """A function-level import of our own code is how a cycle hides; there must be none."""
    lazy = []
    for path in sorted(TOOLKIT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    module = inner.module if isinstance(inner, ast.ImportFrom) else None
                    names = [a.name for a in inner.names] if isinstance(inner, ast.Import) else []
                    if (module or "").startswith("toolkit") or any(n.startswith("toolkit") for n in names):
                        lazy.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert lazy == []


def test_no_import_cycles_between_modules() -> None:
    graph = grimp.build_graph("toolkit")
    cycles = [
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if importer < imported and graph.chain_exists(importer=imported, imported=importer)
    ]
    assert cycles == []


def test_a_built_wheel_installed_on_its_own_builds_a_packet(tmp_path: Path) -> None:
    """Non-editable install in a fresh venv: the house styles come from the wheel through importlib.resources."""
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("briefkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "toolkit/write/styles/packet.css" in names and "toolkit/write/styles/word.yaml" in names
    assert "toolkit/cli.py" in names and "toolkit/model/walk.py" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The dependencies come from this environment's site-packages as a plain path entry (so its .pth files,
    # among them the editable install of this checkout, are not run); briefkit itself only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]

    work = tmp_path / "work"
    shutil.copytree(INPUTS, work / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    where = subprocess.run(
        [str(python), "-c", "import toolkit; print(toolkit.__file__)"], cwd=work, capture_output=True, text=True
    )
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    result = subprocess.run(
        [str(python), "-m", "toolkit", "build", "inputs/packets/fentanyl-parallel.yaml", "--out", "out"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work / "out" / "fentanyl-parallel" / "fentanyl-parallel.docx").stat().st_size > 10_000
    assert (work / "out" / "fentanyl-parallel" / "fentanyl-parallel.pdf").read_bytes().startswith(b"%PDF")
