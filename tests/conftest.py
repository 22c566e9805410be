from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs"


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="session")
def sample_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two sample packets built once, through the real CLI, with the real translation engine."""
    out = tmp_path_factory.mktemp("release")
    memory_dir = tmp_path_factory.mktemp("memory")
    packets = []
    for name in ("cartel-policy-2025", "fentanyl-parallel"):
        text = (INPUTS / "packets" / f"{name}.yaml").read_text()
        packet = INPUTS / "packets" / f".test-{name}.yaml"
        packet.write_text(text + f"memory: {memory_dir / 'memory.sqlite'}\n")
        packets.append(packet)
    try:
        result = run_cli("build", *map(str, packets), "--out", str(out))
    finally:
        for packet in packets:
            packet.unlink()
    assert result.returncode == 0, result.stderr
    return out
