"""The writers and the reader's edges, construct by construct: defects found by trying constructs the samples
lack, each with the test that failed before its fix."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import INPUTS, run_cli
from toolkit.model.dates import format_date


def packet_with(tmp_path: Path, summary: str, packet_extra: str = "") -> Path:
    inputs = tmp_path / "inputs"
    (inputs / "packets").mkdir(parents=True)
    (inputs / "summaries").mkdir()
    shutil.copy(INPUTS / "references.json", inputs / "references.json")
    (inputs / "summaries" / "s.md").write_text(summary, encoding="utf-8")
    packet = inputs / "packets" / "p.yaml"
    packet.write_text(
        "id: p\ntitle: P\nbibliography: ../references.json\nsummaries: [../summaries/s.md]\n" + packet_extra,
        encoding="utf-8",
    )
    return packet


def test_impossible_and_free_text_dates_are_clear_errors_and_all_problems_come_together(tmp_path: Path) -> None:
    packet = packet_with(
        tmp_path,
        "---\ntitle: T\nsource: directive2025\ndate: 2024-02-30\n---\n\nText [@directive2025].\n",
        "date: 2025-09-31\n",
    )
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {packet}:5: `date: 2025-09-31` is not a date" in result.stderr
    summary = packet.parent.parent / "summaries" / "s.md"
    assert f"error: {summary}:4: `date: 2024-02-30` is not a date" in result.stderr  # in the same run
    packet.write_text(packet.read_text().replace("2025-09-31", "1 Sept 2025"))
    summary.write_text(summary.read_text().replace("2024-02-30", "14/06/2024"))
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"))
    assert "`date: 1 Sept 2025` is not a date (write a real day as YYYY-MM-DD" in result.stderr
    assert "`date: 14/06/2024` is not a date" in result.stderr
    assert not (tmp_path / "out").exists()


def test_dates_are_written_the_way_each_language_writes_them() -> None:
    assert format_date("2024-06-14", "en-US") == "June 14, 2024"
    assert format_date("2024-06-14", "en-GB") == "14 June 2024"
    assert format_date("2024-06-14", "es-ES") == "14 de junio de 2024"
