from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer
from tests.tiny_argos import build_tiny_argos_package
from toolkit.release.prepare import packet_segment_table, prepare_packet
from toolkit.translate.engines import ArgosEngine, find_model, install_model

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs"


@functools.cache
def _sample_ids() -> dict[str, str]:
    found: dict[str, str] = {}
    for packet in sorted((INPUTS / "packets").glob("*.yaml")):
        counts: Counter[str] = Counter()
        for row in packet_segment_table(prepare_packet(packet)).rows:
            found[f"{row.summary}-{counts[row.summary]:03d}"] = row.id
            counts[row.summary] += 1
    return found


def sid(place: str) -> str:
    """The id of a sample summary's segment named by its place, `stem-NNN` (the NNNth of its inline sequences,
    the title 0), as tests name them: ids themselves come from the text."""
    return _sample_ids()[place]


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


def convert_with_libreoffice(source: Path, to: str, out_dir: Path) -> Path:
    """LibreOffice headless converts `source` (`to`: "pdf", "html", "docx:MS Word 2007 XML", …) into out_dir;
    the converted file's path. Its own profile in out_dir, so parallel runs do not share one."""
    result = subprocess.run(
        ["soffice", "--headless", "--convert-to", to, "--outdir", str(out_dir), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HOME": str(out_dir)},
    )
    assert result.returncode == 0, result.stderr
    return out_dir / f"{source.stem}.{to.split(':')[0]}"


@pytest.fixture(scope="session")
def sample_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two sample packets built once, through the real CLI, with the real translation engine."""
    out = tmp_path_factory.mktemp("release")
    memory_dir = tmp_path_factory.mktemp("memory")
    env = {**os.environ, "BRIEFKIT_MODELS": str(memory_dir / "none"), "ARGOS_PACKAGES_DIR": str(memory_dir / "none")}
    packets = []
    for name in ("cartel-policy-2025", "fentanyl-parallel"):
        text = (INPUTS / "packets" / f"{name}.yaml").read_text()
        packet = INPUTS / "packets" / f".test-{name}.yaml"
        packet.write_text(text + f"memory: {memory_dir / 'memory.sqlite'}\n")
        packets.append(packet)
    try:
        result = run_cli("build", *map(str, packets), "--out", str(out), "--allow-outside", env=env)
    finally:
        for packet in packets:
            packet.unlink()
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny real `.argosmodel` (see tests/tiny_argos.py)."""
    return build_tiny_argos_package(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_engine(tiny_package: Path, tmp_path_factory: pytest.TempPathFactory) -> ArgosEngine:
    """The tiny model installed into a models folder of its own and loaded as the Argos engine."""
    models = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEFKIT_MODELS", str(models))
        patch.setenv("ARGOS_PACKAGES_DIR", str(models / "none"))
        install_model(tiny_package)
        model = find_model("en", "es")
        assert model is not None
        return ArgosEngine(model)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session (each test takes a database of its own)."""
    server = PostgresServer()
    try:
        yield server
    finally:
        server.close()
