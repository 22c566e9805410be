"""Release builds through the real CLI: incremental, reproducible, atomic under SIGKILL, local and Dask workers."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from rich.console import Console

from tests.conftest import INPUTS, ROOT, run_cli
from toolkit.atomic import LOCK_NAME, recover_folder, write_folder_atomic
from toolkit.read.packet import load_packet
from toolkit.release import build_key as build_module
from toolkit.release.events import ProgressEvent, Step, StepEvent, WorkerEvent
from toolkit.release.output_folder import MARKER
from toolkit.release.progress import RichReporter
from toolkit.release.run import PacketOutcome
from toolkit.translate.memory import TranslationMemory

PACKETS = ("cartel-policy-2025", "fentanyl-parallel")


def copy_inputs(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    # the two English-source sample packets, whose sharing of summaries these tests follow
    shutil.copytree(
        INPUTS,
        inputs,
        ignore=shutil.ignore_patterns(".briefkit", ".test-*", "carteles-es.yaml", "cartels-two-languages.yaml"),
    )
    return inputs


def apertium_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "no-models"), "ARGOS_PACKAGES_DIR": str(tmp_path / "x")}


def release(inputs: Path, out: Path, *args: str, env: dict[str, str]) -> tuple[int, list[dict[str, object]], str]:
    """Run `briefkit release --json` in the copied inputs' parent folder; return exit code, events, stderr."""
    result = run_cli("release", "--out", str(out), "--json", *args, cwd=inputs.parent, env=env)
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.returncode, events, result.stderr


def planned(events: list[dict[str, object]]) -> dict[str, object]:
    return {str(e["packet"]): e["status"] for e in events if e["kind"] == "planned"}


def hidden_leftovers(out: Path) -> list[Path]:
    """Hidden half-made or old packet folders in the output folder (its lock file is not one)."""
    return [p for p in out.glob(".*") if p.name != LOCK_NAME]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_consistent(folder: Path) -> dict[str, object]:
    """Every file the packet's manifest names is there with the hash the manifest records."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for info in manifest["files"].values():
        assert sha(folder / info["path"]) == info["sha256"], f"{folder.name}/{info['path']} does not match"
    named = {i["path"] for i in manifest["files"].values()}
    assert {p.name for p in folder.iterdir()} == named | {"manifest.json", MARKER}  # the marker: briefkit made it
    return manifest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """The sample inputs copied, released once with two workers."""
    tmp = tmp_path_factory.mktemp("release")
    inputs, out, env = copy_inputs(tmp), tmp / "out", apertium_env(tmp)
    code, events, stderr = release(inputs, out, "--jobs", "2", env=env)
    assert code == 0, stderr
    assert planned(events) == dict.fromkeys(PACKETS, "pending")
    return inputs, out, env


def test_release_json_lists_files_inputs_qa_and_models(built: tuple[Path, Path, dict[str, str]]) -> None:
    inputs, out, env = built
    data = json.loads((out / "release.json").read_text())
    assert data["counts"] == {"built": 2, "skipped": 0, "failed": 0}
    assert data["toolkit_version"] and data["jobs"] == 2
    for packet in PACKETS:
        entry = data["packets"][packet]
        manifest = assert_consistent(out / packet)
        assert entry["files"] == manifest["files"] and entry["build_key"] == manifest["build_key"]
        assert entry["inputs"]["glossary.csv"] == sha(inputs / "glossary.csv")
        assert entry["inputs"]["summaries/fentanyl-war.md"] == sha(inputs / "summaries" / "fentanyl-war.md")
        assert any(name.endswith("packet.css") for name in entry["inputs"])  # style files are inputs too
        assert entry["engine"] == "apertium" and entry["model"].startswith("apertium-eng-spa")
        assert set(entry["qa"]) == {"errors", "warnings", "by_kind"}
        assert set(entry["timings_s"]) == {"read", "translate", "cite", "write_docx", "write_pdf"}


def test_events_report_each_step_and_segments_per_second(tmp_path: Path) -> None:
    inputs, out, env = copy_inputs(tmp_path), tmp_path / "out", apertium_env(tmp_path)
    code, events, _ = release(inputs, out, "inputs/packets/fentanyl-parallel.yaml", "--jobs", "1", env=env)
    assert code == 0
    steps = [(e["step"], e["state"]) for e in events if e["kind"] == "step"]
    for step in ("read", "translate", "cite", "write_docx", "write_pdf"):
        assert (step, "start") in steps and (step, "done") in steps
    progress = [e for e in events if e.get("state") == "progress"]
    assert progress and progress[-1]["done"] == progress[-1]["total"] == 39
    assert float(progress[-1]["segments_per_s"]) > 0
    assert events[-1]["kind"] == "release" and events[-1]["counts"] == {"built": 1, "skipped": 0, "failed": 0}
    # Not a terminal and no --json: plain log lines, then the summary table.
    result = run_cli("release", "--out", str(out), "--force", cwd=tmp_path, env=env)
    assert "fentanyl-parallel: write PDF done in" in result.stderr
    assert "fentanyl-parallel" in result.stdout and "built" in result.stdout


def test_unchanged_release_skips_everything_and_touches_nothing(built: tuple[Path, Path, dict[str, str]]) -> None:
    inputs, out, env = built
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != "release.json"}
    os.utime(inputs / "summaries" / "fentanyl-war.md")  # a newer time alone is no change
    code, events, _ = release(inputs, out, env=env)
    assert code == 0
    assert planned(events) == dict.fromkeys(PACKETS, "skipped")
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_a_changed_summary_rebuilds_only_its_packets_and_translates_only_new_segments(tmp_path: Path) -> None:
    inputs, out, env = copy_inputs(tmp_path), tmp_path / "out", apertium_env(tmp_path)
    code, _, stderr = release(inputs, out, "--jobs", "2", env=env)
    assert code == 0, stderr
    fentanyl_pdf = sha(out / "fentanyl-parallel" / "fentanyl-parallel.pdf")
    memo = inputs / "summaries" / "jtfn-options-memo.md"  # used by cartel-policy-2025 only
    memo.write_text(memo.read_text().replace("## ", "## Revised: ", 1))
    code, events, _ = release(inputs, out, env=env)
    assert code == 0
    assert planned(events) == {"cartel-policy-2025": "pending", "fentanyl-parallel": "skipped"}
    done = next(e for e in events if e["kind"] == "packet")
    assert done["status"] == "built" and done["translated"] == 1  # the one changed heading reached the engine
    assert sha(out / "fentanyl-parallel" / "fentanyl-parallel.pdf") == fentanyl_pdf
    document = docx.Document(str(out / "cartel-policy-2025" / "cartel-policy-2025.docx"))
    assert any(p.text.startswith("Revised: ") for p in document.paragraphs)
    assert assert_consistent(out / "cartel-policy-2025")["inputs"]["summaries/jtfn-options-memo.md"] == sha(memo)

    # A person's correction in the memory is an input too: the packets that use that segment are rebuilt.
    memory = TranslationMemory(inputs / ".briefkit" / "memory.sqlite")
    unit = next(u for u in memory.units("en-es") if u.source.startswith("In an opinion piece"))
    memory.store([(unit.source, unit.target + " (revisado)")], "en-es", "reviewed", "person", "editor", "Ana")
    memory.close()
    code, events, _ = release(inputs, out, env=env)
    assert code == 0 and "pending" in planned(events).values()
    rebuilt = [e for e in events if e["kind"] == "packet"]
    assert rebuilt and all(e["translated"] == 0 for e in rebuilt)

    # A correction of a sentence no packet uses changes nothing: the exact check finds both current.
    memory = TranslationMemory(inputs / ".briefkit" / "memory.sqlite")
    memory.store([("A sentence in no packet.", "Una frase.")], "en-es", "reviewed", "person", "editor", "Ana")
    memory.close()
    code, events, _ = release(inputs, out, env=env)
    assert code == 0 and planned(events) == dict.fromkeys(PACKETS, "skipped")


def test_same_inputs_give_byte_identical_files(built: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    inputs, out, env = built
    time.sleep(1.1)  # a clock-dependent timestamp would now differ
    again = tmp_path / "again"
    assert release(inputs, again, "--force", "--jobs", "1", env=env)[0] == 0
    for packet in PACKETS:
        for suffix in ("docx", "pdf"):
            first, second = out / packet / f"{packet}.{suffix}", again / packet / f"{packet}.{suffix}"
            assert first.read_bytes() == second.read_bytes(), f"{packet}.{suffix} differs between two builds"


def test_every_sample_packet_has_the_same_bytes_under_any_jobs_and_hash_seed(tmp_path: Path) -> None:
    """All four samples (both Spanish halves and the Spanish-source packets too), each release from an empty
    memory in a project of its own: two workers that build packets side by side and one that builds them in turn,
    with different string-hash seeds (set order), give the same files."""
    files: list[dict[str, bytes]] = []
    for jobs, seed in (("2", "1"), ("1", "2")):
        project = tmp_path / f"jobs-{jobs}"
        shutil.copytree(INPUTS, project / "inputs", ignore=shutil.ignore_patterns(".briefkit", ".test-*"))
        env = {**apertium_env(project), "PYTHONHASHSEED": seed}
        code, _, stderr = release(project / "inputs", project / "out", "--jobs", jobs, env=env)
        assert code == 0, stderr
        files.append({p.name: p.read_bytes() for p in (project / "out").glob("*/*") if p.suffix in (".docx", ".pdf")})
    assert len(files[0]) == 8
    assert [name for name in files[0] if files[0][name] != files[1].get(name)] == []


def test_sigkill_mid_release_leaves_previous_files_and_a_rerun_finishes(tmp_path: Path) -> None:
    inputs, out, env = copy_inputs(tmp_path), tmp_path / "out", apertium_env(tmp_path)
    assert release(inputs, out, "--jobs", "1", env=env)[0] == 0
    old = {p: assert_consistent(out / p)["build_key"] for p in PACKETS}
    glossary = inputs / "glossary.csv"  # both packets use it: both must be rebuilt
    glossary.write_text(glossary.read_text() + "briefing,informe,\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "release", "--out", str(out), "--json", "--jobs", "1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # kill the whole release (workers too) as soon as the first packet is done
        if json.loads(line)["kind"] == "packet":
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    keys = {p: assert_consistent(out / p)["build_key"] for p in PACKETS}
    assert sum(keys[p] != old[p] for p in PACKETS) == 1  # one finished, the other still its complete old self

    code, events, _ = release(inputs, out, env=env)
    assert code == 0
    assert sorted(planned(events).values()) == ["pending", "skipped"]
    assert all(assert_consistent(out / p)["build_key"] != old[p] for p in PACKETS)
    assert not hidden_leftovers(out)  # leftovers of the killed run are gone


@pytest.mark.parametrize("delay", [0.4, 1.2, 2.0, 2.8, 3.6])
def test_sigkill_at_any_moment_leaves_each_packet_old_or_new(tmp_path: Path, delay: float) -> None:
    inputs, out, env = copy_inputs(tmp_path), tmp_path / "out", apertium_env(tmp_path)
    code, _, stderr = release(inputs, out, "--jobs", "2", env=env)
    assert code == 0, stderr
    old = {p: assert_consistent(out / p)["build_key"] for p in PACKETS}
    glossary = inputs / "glossary.csv"
    glossary.write_text(glossary.read_text() + "briefing,informe,\n")
    command = [sys.executable, "-m", "toolkit", "release", "--out", str(out), "--jobs", "2"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # fmt: skip
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for packet in PACKETS:  # whatever the moment: the complete old build, or the complete new one
        recover_folder(out / packet)  # what the next run does first (a kill between the two renames)
        assert_consistent(out / packet)
    code, events, stderr = release(inputs, out, env=env)
    assert code == 0, stderr
    new = {p: assert_consistent(out / p)["build_key"] for p in PACKETS}
    assert all(new[p] != old[p] for p in PACKETS) and not hidden_leftovers(out)


def test_a_folder_swap_interrupted_between_renames_is_put_back(tmp_path: Path) -> None:
    folder = tmp_path / "packet"
    write_folder_atomic(folder, {"a.txt": b"old"})
    folder.rename(tmp_path / ".packet.previous-0123")  # the crash: old folder moved aside, new one not in place
    recover_folder(folder)
    assert (folder / "a.txt").read_bytes() == b"old"
    write_folder_atomic(folder, {"b.txt": b"new"})
    assert [p.name for p in folder.iterdir()] == ["b.txt"] and [p.name for p in tmp_path.iterdir()] == ["packet"]


def test_a_failed_packet_is_reported_and_the_others_are_built(tmp_path: Path) -> None:
    inputs, out, env = copy_inputs(tmp_path), tmp_path / "out", apertium_env(tmp_path)
    bad = inputs / "packets" / "broken.yaml"
    bad.write_text("id: broken\ntitle: Broken\nbibliography: ../references.json\nsummaries: [../summaries/nope.md]\n")
    result = run_cli("release", "--out", str(out), "--jobs", "2", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert f"error: {bad}:4: `summaries` file not found: ../summaries/nope.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert "failed" in result.stdout and "broken" in result.stdout  # the summary table
    data = json.loads((out / "release.json").read_text())
    assert data["counts"] == {"built": 2, "skipped": 0, "failed": 1}
    assert not (out / "broken").exists()


def test_dask_local_cluster_builds_the_same_bytes(built: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    inputs, out, env = built
    dask_out = tmp_path / "dask"
    code, events, stderr = release(inputs, dask_out, "--executor", "dask", "--jobs", "2", env=env)
    assert code == 0, stderr
    data = json.loads((dask_out / "release.json").read_text())
    assert data["executor"] == "dask" and data["counts"]["built"] == 2
    assert len({entry["worker"]["pid"] for entry in data["packets"].values()}) >= 1
    assert any(e["kind"] == "step" for e in events)  # worker events came back through the cluster
    for packet in PACKETS:
        assert sha(dask_out / packet / f"{packet}.pdf") == sha(out / packet / f"{packet}.pdf")


def test_a_worker_loads_the_model_once_for_all_its_packets(tiny_package: Path, tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "models"), "ARGOS_PACKAGES_DIR": str(tmp_path / "x")}
    assert run_cli("models", "install", str(tiny_package), env=env).returncode == 0
    text = (inputs / "packets" / "fentanyl-parallel.yaml").read_text()
    packets = []
    for n in range(3):
        packet = inputs / "packets" / f"argos-{n}.yaml"
        packet.write_text(text.replace("id: fentanyl-parallel", f"id: argos-{n}") + "engine: argos\n")
        packets.append(str(packet))
    code, _, stderr = release(inputs, tmp_path / "out", *packets, "--jobs", "1", "--format", "docx", env=env)
    assert code == 0, stderr
    entries = json.loads((tmp_path / "out" / "release.json").read_text())["packets"].values()
    assert {e["model"] for e in entries} == {"tiny en→es (test model) 0.1"}
    assert len({e["worker"]["pid"] for e in entries}) == 1
    assert [e["worker"]["engine_loaded"] for e in entries].count(True) == 1


def test_live_display_shows_packets_steps_and_rate() -> None:
    buffer = io.StringIO()
    reporter = RichReporter(Console(file=buffer, force_terminal=True, width=120))
    outcome = PacketOutcome(str(ROOT / "p.yaml"), "demo-packet", "pending")
    reporter.start([outcome])
    reporter.event(WorkerEvent(outcome.packet_file, 1, StepEvent(Step.TRANSLATE, "start")))
    reporter.event(WorkerEvent(outcome.packet_file, 1, ProgressEvent(50, 94, 212.0)))
    reporter.progress.refresh()
    screen = buffer.getvalue()
    assert "demo-packet" in screen and "translate" in screen and "212 seg/s (50/94)" in screen


OPENER = """
import sys, time
from pathlib import Path
from toolkit.translate.memory import TranslationMemory
while not Path(sys.argv[2]).exists():
    time.sleep(0.001)
memory = TranslationMemory(Path(sys.argv[1]))
memory.store([(f"sentence {sys.argv[3]}", "frase")], "en-es", "machine", "test", "test", "test")
memory.close()
"""


def test_workers_creating_a_new_memory_at_once_all_succeed(tmp_path: Path) -> None:
    """Release workers start together on a fresh memory; SQLite may refuse the switch to WAL at once
    ("database is locked") rather than wait, which once failed a packet of a cold release."""
    memory, go = tmp_path / "new" / "memory.sqlite", tmp_path / "go"
    workers = [
        subprocess.Popen([sys.executable, "-c", OPENER, str(memory), str(go), str(n)], cwd=ROOT, stderr=subprocess.PIPE)
        for n in range(8)
    ]
    time.sleep(1.0)  # all started and waiting
    go.touch()
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read() if worker.stderr else ""
    db = sqlite3.connect(memory)
    assert db.execute("SELECT count(*) FROM units").fetchone()[0] == 8
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_after_a_build_took_translations_from_the_tmx_the_next_check_reads_no_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh checkout: reviewed translations only in inputs/translations.tmx, no memory yet."""
    inputs, out, env = copy_inputs(tmp_path), tmp_path / "out", apertium_env(tmp_path)
    packet = inputs / "packets" / "fentanyl-parallel.yaml"
    assert release(inputs, out, str(packet), env=env)[0] == 0
    memory_file = inputs / ".briefkit" / "memory.sqlite"
    memory = TranslationMemory(memory_file)
    unit = next(u for u in memory.units("en-es") if u.source.startswith("In an opinion piece"))
    memory.store([(unit.source, unit.target + " (revisado)")], "en-es", "reviewed", "person", "editor", "Ana")
    memory.close()
    exported = run_cli("memory", "--memory", str(memory_file), "export", "--tmx", str(inputs / "translations.tmx"))
    assert exported.returncode == 0, exported.stderr
    for leftover in memory_file.parent.iterdir():
        leftover.unlink()
    code, events, _ = release(inputs, out, str(packet), env=env)
    assert code == 0 and planned(events) == {"fentanyl-parallel": "pending"}  # the TMX is a new input

    def no_markdown(*args: object) -> None:
        raise AssertionError("the packet was read in full")

    monkeypatch.setenv("BRIEFKIT_MODELS", env["BRIEFKIT_MODELS"])  # the same engine as the release saw
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", env["ARGOS_PACKAGES_DIR"])
    monkeypatch.setattr(build_module, "prepare_packet", no_markdown)
    manifest = build_module.current_manifest(load_packet(packet), out.resolve(), ("docx", "pdf"))
    assert manifest is not None and manifest.packet == "fentanyl-parallel"


def test_a_duplicate_id_fails_alone_and_keeps_both_entries_in_the_report(tmp_path: Path) -> None:
    # Two packets with one id: the second overwrote the first's entry in release.json (the report lost a
    # built packet). The duplicate fails, named by its file; the first is built and reported under its id.
    inputs = copy_inputs(tmp_path)
    twin = inputs / "packets" / "twin.yaml"
    twin.write_text((inputs / "packets" / "fentanyl-parallel.yaml").read_text())
    (inputs / "packets" / "cartel-policy-2025.yaml").unlink()
    out = tmp_path / "out"
    code, events, stderr = release(inputs, out, env=apertium_env(tmp_path))
    assert code == 1
    report = json.loads((out / "release.json").read_text())
    assert report["counts"] == {"built": 1, "skipped": 0, "failed": 1}
    assert report["packets"]["fentanyl-parallel"]["status"] == "built"
    duplicate = report["packets"][str(twin.resolve())]
    assert duplicate["status"] == "failed"
    assert "packet id `fentanyl-parallel` is also the id of" in duplicate["error"]
    assert_consistent(out / "fentanyl-parallel")


def test_a_correction_stored_while_a_packet_builds_makes_the_next_run_rebuild(tmp_path: Path) -> None:
    # An editor imports a correction while a release translates: the outputs do not hold it. The build key was
    # taken from the memory after translating, so it held the correction and the next run called the packet
    # current; the correction never reached the DOCX. Now the key is what the build used.
    from toolkit.release.build_key import current_manifest
    from toolkit.release.pipeline import build_packet
    from toolkit.release.prepare import packet_segment_table, prepare_packet

    inputs = copy_inputs(tmp_path)
    path = inputs / "packets" / "fentanyl-parallel.yaml"
    out = tmp_path / "out"
    prepared = prepare_packet(path, False)
    packet = prepared.packet
    title = packet_segment_table(prepared).with_text()[0].segment.markup
    correction = "UNA CORRECCIÓN DE LA EDITORA"

    def editor_imports(event: object) -> None:
        if isinstance(event, ProgressEvent) and not editor_imports.done:  # type: ignore[attr-defined]
            editor_imports.done = True  # type: ignore[attr-defined]
            memory = TranslationMemory(packet.memory)
            memory.store([(title, correction)], packet.translation_pair, "reviewed", "", "", "Ana")
            memory.close()

    editor_imports.done = False  # type: ignore[attr-defined]
    os.environ["BRIEFKIT_MODELS"] = str(tmp_path / "none")  # Apertium, as the other release tests
    try:
        build_packet(path, out, ("docx",), editor_imports)
        assert editor_imports.done  # type: ignore[attr-defined]
        built = docx.Document(str(out / packet.id / f"{packet.id}.docx"))
        assert correction not in "\n".join(p.text for p in built.paragraphs)  # it came too late for this build
        assert current_manifest(load_packet(path), out, ("docx",)) is None  # so the packet is not current
        build_packet(path, out, ("docx",))
        rebuilt = docx.Document(str(out / packet.id / f"{packet.id}.docx"))
        text = "\n".join(p.text for p in rebuilt.paragraphs) + "\n".join(
            cell.text for table in rebuilt.tables for row in table.rows for cell in row.cells
        )
        assert correction in text
        assert current_manifest(load_packet(path), out, ("docx",)) is not None
    finally:
        del os.environ["BRIEFKIT_MODELS"]


def test_a_project_path_with_hash_and_question_mark_publishes_a_correction(tmp_path: Path) -> None:
    """`#` and `?` in the project's path: the memory is read as that file, and a reviewed correction rebuilds
    the packet (the read-only URI was unescaped: SQLite opened another file, and "unreadable" equalled
    "unreadable", so the packet was skipped with its correction unpublished)."""
    project = tmp_path / "brief #2 ?draft"
    project.mkdir()
    inputs, out, env = copy_inputs(project), project / "out", apertium_env(tmp_path)
    packet = "inputs/packets/fentanyl-parallel.yaml"
    assert release(inputs, out, packet, "--jobs", "1", env=env)[0] == 0
    memory = TranslationMemory(inputs / ".briefkit" / "memory.sqlite")
    unit = next(u for u in memory.units("en-es") if u.status == "machine")
    memory.store([(unit.source, unit.target + " (revisado)")], "en-es", "reviewed", "person", "editor", "Ana")
    memory.close()
    code, events, stderr = release(inputs, out, packet, "--jobs", "1", env=env)
    assert code == 0, stderr
    assert planned(events) == {"fentanyl-parallel": "pending"}
    with zipfile.ZipFile(out / "fentanyl-parallel" / "fentanyl-parallel.docx") as zf:
        assert "(revisado)" in zf.read("word/document.xml").decode() + zf.read("word/footnotes.xml").decode()
    assert [p.name for p in tmp_path.iterdir()] == [project.name]  # no file made beside the project


ALL_PACKETS = ("cartel-policy-2025", "carteles-es", "cartels-two-languages", "fentanyl-parallel")


def session_processes(session: int) -> list[str]:
    """The command lines of the processes still in a session (the release and everything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if entry.name.isdigit() and int(fields[3]) == session and fields[0] != "Z":
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError):
            continue  # gone meanwhile
    return found


def start_release(tmp_path: Path, out: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "toolkit", "release", "--out", str(out), "--json", "--force", *args]
    return subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # fmt: skip


@pytest.mark.parametrize(
    ("signum", "to_group", "code"),
    [(signal.SIGINT, True, 130), (signal.SIGINT, False, 130), (signal.SIGTERM, False, 143)],
    ids=["ctrl-c-to-the-group", "sigint-to-the-release", "sigterm-to-the-release"],
)
def test_an_interrupted_release_stops_at_once_and_leaves_no_process(
    tmp_path: Path, signum: signal.Signals, to_group: bool, code: int
) -> None:
    """Ctrl-C or SIGTERM while the first packets build: the release stops without building the queued ones
    (it used to build all four first), and no worker, manager, forkserver or resource tracker stays behind
    (SIGTERM left four)."""
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit", ".test-*"))
    out, env = tmp_path / "out", apertium_env(tmp_path)
    process = start_release(tmp_path, out, env, "--jobs", "2")
    assert process.stdout is not None and process.stderr is not None
    for line in process.stdout:  # a worker is building: the other packets wait in the queue
        if json.loads(line)["kind"] == "step":
            break
    os.killpg(process.pid, signum) if to_group else process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and "each packet folder holds its old build or its new one" in stderr
    built = [p for p in ALL_PACKETS if (out / p / "manifest.json").is_file()]
    assert len(built) < len(ALL_PACKETS), "the queued packets were built after the interrupt"
    deadline = time.monotonic() + 30  # the forkserver and resource tracker leave as they see the release gone
    while session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(process.pid) == []
    for packet in built:
        assert_consistent(out / packet)


def test_a_second_release_into_the_same_folder_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    """Two releases into one output folder: the second says so and changes nothing (its recovery step used to
    remove the first one's half-made folders: "internal error: FileNotFoundError … .case.previous-…")."""
    copy_inputs(tmp_path)
    out, env = tmp_path / "out", apertium_env(tmp_path)
    first = start_release(tmp_path, out, env, "--jobs", "1")
    assert first.stdout is not None
    for line in first.stdout:
        if json.loads(line)["kind"] == "step":
            break
    refusal = (
        f"error: {out}: another release or build is writing to this output folder"
        " (wait for it to finish, or give another --out)"
    )
    second = run_cli("release", "--out", str(out), "--force", cwd=tmp_path, env=env)
    assert (second.returncode, second.stdout, second.stderr.splitlines()) == (1, "", [refusal])
    build = run_cli("build", "--out", str(out), f"inputs/packets/{PACKETS[0]}.yaml", cwd=tmp_path, env=env)
    assert (build.returncode, build.stdout, build.stderr.splitlines()) == (1, "", [refusal])
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert all(assert_consistent(out / p) for p in PACKETS) and not hidden_leftovers(out)
    again = run_cli("release", "--out", str(out), cwd=tmp_path, env=env)  # the lock went with the first
    assert again.returncode == 0, again.stderr


def test_every_order_and_worker_count_gives_the_same_bytes(tmp_path: Path) -> None:
    """All four samples built in one worker in two orders, in two workers, and each alone in a fresh process:
    byte-identical DOCX and PDF. A worker builds packet after packet, so nothing one packet leaves behind in
    the process (a cache, a changed default, a shared temporary or locale file) may change the next one; in 2
    of 5 runs the Spanish half of a packet built after another had article titles in italics without « ».
    Each run starts from an empty memory, so what one packet stores there is what the next one finds."""
    env = apertium_env(tmp_path)
    files = [f"inputs/packets/{p}.yaml" for p in ALL_PACKETS]
    runs = {
        "one worker": ["--jobs", "1", *files],
        "one worker, reversed": ["--jobs", "1", *reversed(files)],
        "two workers": ["--jobs", "2", *files],
        "two workers, reversed": ["--jobs", "2", *reversed(files)],
    }
    runs.update({f"{Path(f).stem} alone": ["--jobs", "1", f] for f in files})
    built: dict[str, dict[str, bytes]] = {}
    for name, args in runs.items():  # each with inputs and a memory of its own: packets share only their run's
        project = tmp_path / name.replace(" ", "-").replace(",", "")
        shutil.copytree(INPUTS, project / "inputs", ignore=shutil.ignore_patterns(".briefkit", ".test-*"))
        out = project / "out"
        result = run_cli("release", "--out", str(out), "--force", *args, cwd=project, env=env)
        assert result.returncode == 0, result.stderr
        for path in out.glob("*/*.*"):
            if path.suffix in (".docx", ".pdf"):
                built.setdefault(path.name, {})[name] = path.read_bytes()
    assert len(built) == 2 * len(ALL_PACKETS)
    for file_name, versions in built.items():
        assert len(versions) == 5  # four releases of all, and the packet alone
        differing = [name for name, data in versions.items() if data != next(iter(versions.values()))]
        assert not differing, f"{file_name} differs in: {', '.join(differing)}"
