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
    sqlite_files: {.briefkit/memory.sqlite: [CREATE TABLE …]}   # SQLite files made at run time
    packet_extra: "memory: …\n"                        # lines added to the default packet
    out: .                       # the --out folder, from the case's work folder (default: out)
    args: [--allow-outside]      # more arguments
    existing: {out/case/notes.txt: text}               # files there before the build (from the work folder)
    kept: [out/case/notes.txt]   # files that must still be there after it

In `stderr`, `{inputs}` stands for the inputs folder and `{tmp}` for the work folder holding it.

By default the case's packet is `packets/case.yaml` with one summary, `summaries/case.md` (a copy of a
sample summary); a case replaces either by giving its own.
"""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import INPUTS, run_cli
from toolkit.translate.english import english_money, english_number, grouped
from toolkit.translate.memory import TranslationMemory
from toolkit.translate.tmx import read_tmx

HOSTILE = Path(__file__).parent / "hostile"
CASES = sorted(p for p in HOSTILE.iterdir() if (p / "case.yaml").is_file())
DEFAULT_PACKET = (
    "id: case\ntitle: Hostile case\nbibliography: ../references.json\nglossary: ../glossary.csv\n"
    "summaries: [../summaries/case.md]\n"
)


def engine_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a build here: Apertium, no Argos model."""
    return {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "no-models"), "ARGOS_PACKAGES_DIR": str(tmp_path / "x")}


def lay_out_case(case: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The sample inputs with the case's files laid over them; returns the inputs folder and the case spec."""
    spec = yaml.safe_load((case / "case.yaml").read_text())
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs, ignore=shutil.ignore_patterns(".briefkit", ".test-*"))
    shutil.copy(INPUTS / "summaries" / "fentanyl-war.md", inputs / "summaries" / "case.md")
    (inputs / "packets" / "case.yaml").write_text(DEFAULT_PACKET + spec.get("packet_extra", ""))
    if (case / "files").is_dir():
        shutil.copytree(case / "files", inputs, dirs_exist_ok=True)
    for link, target in spec.get("symlinks", {}).items():
        (inputs / link).unlink(missing_ok=True)
        (inputs / link).symlink_to(target)
    for name, statements in spec.get("sqlite_files", {}).items():  # an SQLite file made by these statements
        (inputs / name).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(inputs / name)
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.close()
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


def files_under(folder: Path, inputs: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if not p.is_relative_to(inputs)} if folder.is_dir() else set()


def build_case(case: Path, tmp_path: Path) -> tuple[int, str, Path, dict[str, Any], set[Path], dict[str, bytes]]:
    """Lay out and build the case: exit code, stderr (placeholders put back), the output folder, the case's
    spec, the files the output folder held before the build, and the bytes of its SQLite files before it."""
    inputs, spec = lay_out_case(case, tmp_path)
    databases = {name: (inputs / name).read_bytes() for name in spec.get("sqlite_files", {})}
    for name, text in spec.get("existing", {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    formats = [arg for fmt in spec.get("formats", ["docx"]) for arg in ("--format", fmt)]
    out = (tmp_path / spec.get("out", "out")).resolve()
    before = files_under(out, inputs)
    env = engine_env(tmp_path)
    packet = inputs / "packets" / "case.yaml"
    result = run_cli("build", str(packet), "--out", str(out), *formats, *spec.get("args", []), cwd=tmp_path, env=env)
    stderr = result.stderr.replace(str(inputs), "{inputs}").replace(str(tmp_path), "{tmp}")
    return result.returncode, stderr, out, spec, before, databases


def written_text(out: Path) -> str:
    """Everything the outputs hold that a reader could see or follow: the DOCX's XML parts, relationships
    (hyperlink targets) and media bytes, the PDF's text and its link annotations (as `URI: …` lines)."""
    parts = []
    for docx in out.rglob("*.docx"):
        with zipfile.ZipFile(docx) as zf:
            parts += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith((".xml", ".rels"))]
            parts += [zf.read(n).decode("latin-1") for n in zf.namelist() if n.startswith("word/media/")]
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
    code, stderr, out, spec, before, databases = build_case(case, tmp_path)
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    for expected in spec["stderr"]:
        assert expected in lines, f"{spec['about']}: expected\n  {expected}\ngot\n  " + "\n  ".join(lines)
    assert code == spec["exit"], stderr
    for name in spec.get("kept", []):
        assert (tmp_path / name).is_file(), f"{name} is gone"
    if spec["exit"] != 0:
        assert files_under(out, tmp_path / "inputs") == before, "a failed build wrote outputs"
        for name, data in databases.items():  # another program's database is refused as it was, byte for byte
            assert (tmp_path / "inputs" / name).read_bytes() == data, f"{name} was changed"
    else:
        text = written_text(out)
        for needle in spec.get("absent", []):
            assert needle not in text, f"{needle!r} reached the outputs"
        for needle in spec.get("present", []):
            assert needle in text, f"{needle!r} is missing from the outputs"


# --- size limits: a clear message instead of hanging or exhausting memory ----------------------------------


def build(inputs: Path, tmp_path: Path, *extra: str, file_size_limit: int | None = None) -> tuple[int, str]:
    """`briefkit build` of the case packet: exit code and stderr with `{inputs}` and `{tmp}` put back. With
    `file_size_limit`, no file may grow past that many bytes (RLIMIT_FSIZE, SIGXFSZ ignored: a write fails
    with EFBIG, as it would with ENOSPC on a full disk)."""

    def limited() -> None:
        assert file_size_limit is not None
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    packet = inputs / "packets" / "case.yaml"
    # A hang is a failure too: 120 s is far more than any of these needs (they are measured, not timed, here).
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "build", str(packet), "--out", str(tmp_path / "out"), *extra],
        capture_output=True,
        text=True,
        env=engine_env(tmp_path),
        timeout=120,
        preexec_fn=limited if file_size_limit is not None else None,
    )
    return result.returncode, result.stderr.replace(str(inputs), "{inputs}").replace(str(tmp_path), "{tmp}")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    inputs, _ = lay_out_case(HOSTILE / "summary-image-ok", tmp_path)
    return inputs


def test_a_50_mb_summary_is_refused_before_it_is_read(sample: Path, tmp_path: Path) -> None:
    with open(sample / "summaries" / "case.md", "wb") as handle:
        handle.write(b"---\ntitle: x\nsource: lestorti2024fentanyl\n---\n")
        handle.truncate(50_000_000)
    code, stderr = build(sample, tmp_path)
    assert code == 1 and "error: {inputs}/summaries/case.md: file is 50.0 MB, over the 2 MB limit" in stderr


def test_a_10000_row_table_is_refused(sample: Path, tmp_path: Path) -> None:
    rows = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 10_000
    (sample / "summaries" / "case.md").write_text("---\ntitle: x\nsource: lestorti2024fentanyl\n---\n\n" + rows)
    code, stderr = build(sample, tmp_path)
    assert code == 1
    assert (
        "error: {inputs}/summaries/case.md:6: table has more than 1000 rows (split it, or link to the data instead)"
        in stderr
    )


def test_100000_citations_are_refused_with_one_message(sample: Path, tmp_path: Path) -> None:
    references = json.loads((sample / "references.json").read_text())
    (sample / "references.json").write_text(json.dumps([*references, {"id": "a", "type": "book", "title": "A"}]))
    body = "[@a] " * 100_000
    (sample / "summaries" / "case.md").write_text("---\ntitle: x\nsource: lestorti2024fentanyl\n---\n\n" + body)
    code, stderr = build(sample, tmp_path)
    assert code == 1
    expected = "error: {inputs}/packets/case.yaml: 100000 citations in the packet's summaries, over the limit of 20000"
    assert stderr.splitlines() == [expected + " (split the packet)"]


def test_thousands_of_problems_are_reported_fifty_at_a_time(sample: Path, tmp_path: Path) -> None:
    body = "".join(f"[@nobody{n}] " for n in range(2_000))
    (sample / "summaries" / "case.md").write_text("---\ntitle: x\nsource: lestorti2024fentanyl\n---\n\n" + body)
    code, stderr = build(sample, tmp_path)
    lines = stderr.splitlines()
    assert code == 1 and len(lines) == 51
    assert lines[-1] == "error: {inputs}/summaries/case.md: … and 1950 more problems"


def test_an_oversized_data_url_image_is_refused(sample: Path, tmp_path: Path) -> None:
    payload = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 1_200_000).decode()
    text = f"---\ntitle: x\nsource: lestorti2024fentanyl\n---\n\n![big](data:image/png;base64,{payload})\n"
    (sample / "summaries" / "case.md").write_text(text)
    code, stderr = build(sample, tmp_path)
    assert code == 1 and "error: {inputs}/summaries/case.md:6: data: URL image is over the 1000 kB limit" in stderr


# --- damaged memory and model files ------------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from toolkit.translate.memory import TranslationMemory
memory = TranslationMemory(Path(sys.argv[1]))
batch = 0
while True:
    units = [(f"segment {batch} {n} " * 10, f"segmento {batch} {n} " * 10) for n in range(200)]
    memory.store(units, "en-es", "machine", "test", "test", "writer")
    batch += 1
    print(batch, flush=True)
"""


def test_a_memory_killed_while_writing_stays_consistent(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, cwd=INPUTS.parent
    )
    assert writer.stdout is not None
    for line in writer.stdout:
        if int(line) >= 25:  # well into its writing: killed in the middle of some later batch
            break
    writer.kill()
    writer.wait()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute("SELECT count(*) FROM units").fetchone()[0]
    db.close()
    assert rows >= 25 * 200 and rows % 200 == 0  # whole batches only: each is one transaction
    TranslationMemory(path).close()  # and briefkit opens it without complaint


def test_a_damaged_model_is_reported(tiny_package: Path, tmp_path: Path) -> None:
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "models"), "ARGOS_PACKAGES_DIR": str(tmp_path / "x")}
    truncated = tmp_path / "cut.argosmodel"
    truncated.write_bytes(tiny_package.read_bytes()[:5000])
    result = run_cli("models", "install", str(truncated), env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {truncated}: not an Argos model package (not a zip archive)" in result.stderr

    assert run_cli("models", "install", str(tiny_package), env=env).returncode == 0
    model_bin = next((tmp_path / "models").glob("*/model/model.bin"))
    model_bin.write_bytes(model_bin.read_bytes()[: model_bin.stat().st_size // 3])
    inputs, _ = lay_out_case(HOSTILE / "summary-image-ok", tmp_path)
    packet = inputs / "packets" / "case.yaml"
    packet.write_text(packet.read_text() + "engine: argos\n")
    result = run_cli("build", str(packet), "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {model_bin.parent.parent}: Argos model cannot be loaded" in result.stderr
    assert "(reinstall it with `briefkit models install`)" in result.stderr
    assert not (tmp_path / "out").exists()


# --- nothing is fetched: the whole build runs with the network taken away ---------------------------------

NO_SOCKETS = """
import sys
attempts = []

def refuse(event, args):
    if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
        attempts.append(event)
        raise PermissionError(f"network access during a build: {event}")

sys.addaudithook(refuse)
code = 0
try:
    if sys.argv[1] == "control":
        import urllib.request
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)
    else:
        from toolkit.cli import main
        code = main(sys.argv[2:])
except PermissionError as exc:
    code = 99
print("attempts:", sorted(set(attempts)), file=sys.stderr)
sys.exit(code)
"""


def test_a_build_opens_no_socket(sample: Path, tmp_path: Path) -> None:
    """Every socket the Python process tries to open is refused and recorded; the build needs none."""
    env = engine_env(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", NO_SOCKETS, *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=INPUTS.parent, timeout=600)

    control = run("control")  # the guard works: a plain HTTP request is stopped
    assert control.returncode == 99 and "attempts: ['" in control.stderr
    packet = sample / "packets" / "case.yaml"
    result = run("build", "build", str(packet), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "attempts: []" in result.stderr
    assert (tmp_path / "out" / "case" / "case.pdf").is_file() and (tmp_path / "out" / "case" / "case.docx").is_file()


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux's unshare is part of every Debian system")
def test_a_build_succeeds_in_a_network_namespace_without_network(sample: Path, tmp_path: Path) -> None:
    """Pandoc and Apertium too: the whole build, child processes included, in a namespace with no network."""
    if subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode != 0:
        pytest.fail("unshare --net is not permitted here; CI runs as root, where it is")
    env = engine_env(tmp_path)
    packet = sample / "packets" / "case.yaml"
    probe = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", "import socket; socket.create_connection(('1.1.1.1', 80), 2)"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "unreachable" in probe.stderr.lower()  # there is indeed no network
    result = subprocess.run(
        ["unshare", "--net", sys.executable, "-m", "toolkit", "build", str(packet), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        cwd=INPUTS.parent,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    reader = PdfReader(str(tmp_path / "out" / "case" / "case.pdf"))
    assert "Edición en español" in " ".join(page.extract_text() for page in reader.pages)


def test_a_packet_listing_one_summary_400000_times_is_refused_before_parsing(sample: Path, tmp_path: Path) -> None:
    packet = sample / "packets" / "case.yaml"
    packet.write_text(DEFAULT_PACKET.split("summaries:")[0] + "summaries:\n" + "  - ../summaries/case.md\n" * 400_000)
    code, stderr = build(sample, tmp_path)
    assert code == 1
    assert stderr.splitlines() == ["error: {inputs}/packets/case.yaml: file is 10.0 MB, over the 1 MB limit"]


SUMMARY_HEAD = "---\ntitle: x\nsource: lestorti2024fentanyl\n---\n\n"


def test_a_summary_of_2001_footnotes_is_refused(sample: Path, tmp_path: Path) -> None:
    # 50,000 footnotes took 262 s and 1.3 GB; a summary now holds at most 2,000
    notes = "".join(f"[^n{i}]: Note {i}.\n" for i in range(2_001))
    body = "".join(f"Claim {i}.[^n{i}]\n" for i in range(2_001))
    (sample / "summaries" / "case.md").write_text(SUMMARY_HEAD + body + "\n" + notes)
    code, stderr = build(sample, tmp_path)
    assert code == 1
    expected = "error: {inputs}/summaries/case.md: 2,001 footnotes, over the limit of 2,000 (split the summary)"
    assert stderr.splitlines() == [expected]


def test_a_summary_of_10001_paragraphs_is_refused(sample: Path, tmp_path: Path) -> None:
    (sample / "summaries" / "case.md").write_text(SUMMARY_HEAD + "".join(f"P {i}.\n\n" for i in range(10_001)))
    code, stderr = build(sample, tmp_path)
    assert code == 1
    line = 6 + 2 * 10_000
    expected = (
        f"error: {{inputs}}/summaries/case.md:{line}: 10,001 paragraphs and other blocks, over the limit of 10,000"
    )
    assert stderr.splitlines() == [expected + " (split the summary)"]


def test_bibliographies_of_10001_entries_are_refused_before_pandoc(sample: Path, tmp_path: Path) -> None:
    # A 19 MB .bib made Pandoc take 4 GB; entries are counted first
    entries = [{"id": f"k{i}", "type": "book", "title": f"T {i}"} for i in range(10_001)]
    (sample / "references.json").write_text(json.dumps(entries))
    code, stderr = build(sample, tmp_path)
    assert code == 1
    assert "error: {inputs}/references.json: 10,001 entries, over the limit of 10,000 (split the file)" in stderr
    (sample / "references.bib").write_text("".join(f"@book{{k{i}, title={{T}}}}\n" for i in range(10_001)))
    packet = sample / "packets" / "case.yaml"
    packet.write_text(packet.read_text().replace("../references.json", "../references.bib"))
    code, stderr = build(sample, tmp_path)
    assert code == 1
    assert "error: {inputs}/references.bib: 10,001 entries, over the limit of 10,000 (split the file)" in stderr
    # a 19 MB .bib of few entries made Pandoc take 4 GB: a .bib may hold 5 MB
    abstract = "word " * 1_000_000
    (sample / "references.bib").write_text(f"@book{{k1, title={{T}}, abstract={{{abstract}}}}}\n" * 2)
    code, stderr = build(sample, tmp_path)
    assert code == 1
    assert "error: {inputs}/references.bib: file is 10.0 MB, over the 5 MB limit" in stderr


def test_glossaries_over_their_budgets_are_one_clear_line(sample: Path, tmp_path: Path) -> None:
    glossary = sample / "glossary.csv"
    glossary.write_text("en,es\n" + "".join(f"term {i},término {i}\n" for i in range(20_001)))
    code, stderr = build(sample, tmp_path)
    assert code == 1 and "Traceback" not in stderr
    assert (
        "error: {inputs}/glossary.csv:20002: more than 20,000 terms (keep the glossary to terms that matter)" in stderr
    )
    glossary.write_text('en,es\nstrike,huelga\nlong,"' + "x" * 200_000 + '"\n')  # over csv's field limit
    code, stderr = build(sample, tmp_path)
    assert code == 1 and "Traceback" not in stderr
    assert (
        "error: {inputs}/glossary.csv:3: not a readable CSV row: field larger than field limit (131072)"
        in stderr.splitlines()
    )


# --- every input kind grows linearly: time ratios and peak memory, measured in a process of its own ---------

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from toolkit.release.pipeline import build_packet
started = time.perf_counter()
build_packet(Path(sys.argv[1]), Path(sys.argv[2]), ("docx",))
seconds = time.perf_counter() - started
peak_kb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))
"""


def measured_build(inputs: Path, out: Path) -> tuple[float, float]:
    """Seconds the build itself took (imports excluded) and the peak memory of it and its engines, in MB."""
    env = {**os.environ, "BRIEFKIT_MODELS": str(out / "no-models"), "ARGOS_PACKAGES_DIR": str(out / "x")}
    packet = inputs / "packets" / "case.yaml"
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(packet), str(out)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.splitlines()[-1])
    return figures["seconds"], figures["peak_mb"]


def _summary(body: str) -> dict[str, str]:
    return {"summaries/case.md": SUMMARY_HEAD + body}


INPUT_KINDS: dict[str, tuple[int, Callable[[int], dict[str, str]]]] = {
    # kind: (the small size, the files of a packet of size n)
    "footnotes": (
        250,
        lambda n: _summary(
            "".join(f"C {i}.[^n{i}]\n" for i in range(n)) + "\n" + "".join(f"[^n{i}]: Note {i}.\n" for i in range(n))
        ),
    ),
    "one long paragraph": (40_000, lambda n: _summary("word " * n + "\n")),
    "paragraphs": (2_500, lambda n: _summary("".join(f"Paragraph {i} of the summary.\n\n" for i in range(n)))),
    "nested emphasis": (10_000, lambda n: _summary("*a **b " * n + "\n")),
    "glossary terms": (
        5_000,
        lambda n: {
            **_summary("The agency reviews the programme.\n"),
            "glossary.csv": "en,es\n" + "".join(f"term {i},término {i}\n" for i in range(n)),
        },
    ),
    "bibliography entries": (
        2_000,
        lambda n: {
            **_summary("A claim [@lestorti2024fentanyl].\n"),
            "references.json": json.dumps(
                [*json.loads((INPUTS / "references.json").read_text())]
                + [{"id": f"k{i}", "type": "book", "title": f"T {i}"} for i in range(n)]
            ),
        },
    ),
    "citations": (400, lambda n: _summary("".join(f"Claim {i} [@lestorti2024fentanyl, p. {i}].\n" for i in range(n)))),
    # the DOCX writer was quadratic (2.4 s at 2,000 links, 7.3 s at 4,000)
    "inline links": (1_000, lambda n: _summary(" ".join(f"[link {i}](https://example.org/{i})" for i in range(n)))),
    # a table at the column limit, growing by rows (6 s at 300 columns, 23 s at 600)
    "wide table rows": (
        20,
        lambda n: _summary("|" + "h|" * 100 + "\n|" + "-|" * 100 + "\n" + ("|" + "1|" * 100 + "\n") * n),
    ),
    # paragraphs of emphasis at the nesting limit (5,000 levels took 71 s in the PDF writer)
    "emphasis at the nesting limit": (40, lambda n: _summary(("*a " * 20 + "b" + " c*" * 20 + "\n\n") * n)),
    # references to one note (2,000 took 106 s and 1 GB)
    "references to one note": (
        250,
        lambda n: _summary("".join(f"Claim {i}.[^a]\n" for i in range(n)) + "\n[^a]: The note.\n"),
    ),
    # words at the length limit (Apertium's HTML mode is quadratic on one word)
    "long words": (4, lambda n: _summary(" ".join("w" * 2_000 for _ in range(n)) + "\n")),
}


@pytest.mark.parametrize("kind", list(INPUT_KINDS))
def test_each_input_kind_builds_in_linear_time_and_bounded_memory(kind: str, tmp_path: Path) -> None:
    # A baseline build of size 1 in the same run, then n and 4n: the time each adds over the baseline must grow
    # like the input (a quadratic step makes it 16×)
    small_n, files = INPUT_KINDS[kind]
    figures = []
    for n in (1, small_n, small_n * 4):
        inputs, _ = lay_out_case(HOSTILE / "summary-image-ok", tmp_path / str(n))
        for name, text in files(n).items():
            (inputs / name).write_text(text, encoding="utf-8")
        figures.append(measured_build(inputs, tmp_path / str(n) / "out"))
    (base_s, _), (small_s, _), (large_s, large_mb) = figures
    ratio = (large_s - base_s) / max(small_s - base_s, 0.1)
    print(f"{kind}: {base_s:.2f} s, {small_s:.2f} s, {large_s:.2f} s (ratio {ratio:.1f}), {large_mb:.0f} MB")
    assert ratio < 4 * 2, f"{kind}: 4× the input took {ratio:.1f}× the time ({small_s:.2f} s, {large_s:.2f} s)"
    assert large_mb < 1_000, f"{kind}: {large_mb:.0f} MB at the larger size"


# --- a full disk and a busy memory: said in one line ---------------------------------------------------------


def test_a_full_disk_while_storing_translations_is_one_line(sample: Path, tmp_path: Path) -> None:
    # SQLite rolled back by itself; our ROLLBACK then failed with "cannot rollback", a traceback hiding the cause
    code, stderr = build(sample, tmp_path, "--format", "pdf", file_size_limit=45_000)
    assert code == 1 and "Traceback" not in stderr, stderr
    assert re.search(
        r"^error: \{inputs\}/\.briefkit/memory\.sqlite: (cannot write the translation memory|translation memory "
        r"cannot be opened): disk I/O error \(is the disk full, or the folder read-only\?\)$",
        stderr,
        re.M,
    ), stderr
    assert not (tmp_path / "out").exists()


def test_a_full_disk_while_writing_the_outputs_is_one_line(sample: Path, tmp_path: Path) -> None:
    # The outputs' write failed with a traceback ("File too large"); a 1 MB picture makes them far larger than
    # the memory, so the limit stops them and not the memory
    from PIL import Image as PillowImage

    noise = PillowImage.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3))
    noise.save(sample / "summaries" / "chart.png")
    code, stderr = build(sample, tmp_path, "--format", "docx", "--format", "pdf", file_size_limit=400_000)
    assert code == 1 and "Traceback" not in stderr, stderr
    assert re.search(
        r"^error: \{tmp\}/out/case/case\.(docx|pdf): cannot write case\.(docx|pdf): File too large "
        r"\(is the disk full\?\)$",
        stderr,
        re.M,
    ), stderr
    assert not (tmp_path / "out" / "case").exists() and not list((tmp_path / "out").glob(".case.*"))


def test_a_busy_memory_is_waited_for_aloud(sample: Path, tmp_path: Path) -> None:
    # Another process writing the memory made a build wait up to 60 s without a word
    memory_path = sample / ".briefkit" / "memory.sqlite"
    TranslationMemory(memory_path).close()
    holder = sqlite3.connect(str(memory_path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer holding the memory
    env = engine_env(tmp_path)
    packet = sample / "packets" / "case.yaml"
    build_process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "build", str(packet), "--out", str(tmp_path / "out")],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert build_process.stderr is not None
    first = ""
    while "waiting" not in first and build_process.poll() is None:  # it says so while the memory is held
        first = build_process.stderr.readline()
    holder.execute("COMMIT")
    holder.close()
    rest = build_process.stderr.read()
    assert build_process.wait(timeout=120) == 0, first + rest
    assert "another build or import is writing to the translation memory; waiting for it (up to 60 s)" in first


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux's unshare is part of every Debian system")
def test_commands_that_only_read_work_on_a_read_only_disk(sample: Path, tmp_path: Path) -> None:
    # `review status` and `memory stats` opened the memory for writing: "unable to open database file"
    assert build(sample, tmp_path)[0] == 0
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.fail("unshare -m is not permitted here; CI runs as root, where it is")
    packet = sample / "packets" / "case.yaml"
    toolkit = f"{sys.executable} -m toolkit"
    script = (
        f"mount --bind {tmp_path} {tmp_path} && mount -o remount,ro,bind {tmp_path} && cd {tmp_path} && "
        f"! touch {tmp_path}/probe 2>/dev/null && "
        f"{toolkit} memory --memory {sample}/.briefkit/memory.sqlite stats && {toolkit} review status {packet}; "
        f"echo exit=$?; {toolkit} memory --memory {sample}/.briefkit/memory.sqlite import {sample}/x.tmx"
    )
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "no-models")}
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert "en-es\tmachine\t" in result.stdout, result.stdout + result.stderr
    assert "not ready (reviewed required)" in result.stdout and "exit=1" in result.stdout  # read, and answered
    # the one command that writes says why it cannot, in one line
    assert result.stderr.splitlines() == [
        f"error: {sample}/.briefkit/memory.sqlite: translation memory cannot be opened: unable to open database "
        "file (is the disk full, or the folder read-only?)"
    ]


# --- command-line values and the environment: one line each, never a traceback ------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["memory", "--pair", "en", "stats"], "error: --pair must be en-es or es-en, got 'en'"),
        (["memory", "--pair", "en-es-fr", "stats"], "error: --pair must be en-es or es-en, got 'en-es-fr'"),
        (["memory", "--pair", "", "stats"], "error: --pair must be en-es or es-en, got ''"),
        (["memory", "--pair", "enes", "export", "--tmx", "x.tmx"], "error: --pair must be en-es or es-en, got 'enes'"),
        (
            ["release", "--jobs", "99999999999999999999", "p.yaml"],
            "error: --jobs must be between 1 and 1024, got 99999999999999999999",
        ),
        (
            ["release", "--executor", "dask", "--scheduler", "localhost", "p.yaml"],
            "error: --scheduler must be HOST:PORT or tcp://HOST:PORT, got 'localhost' (e.g. tcp://10.0.0.5:8786)",
        ),
        (
            ["release", "--executor", "dask", "--scheduler", "tls://10.0.0.5:8786", "p.yaml"],
            "error: --scheduler must be HOST:PORT or tcp://HOST:PORT, got 'tls://10.0.0.5:8786' (e.g. "
            "tcp://10.0.0.5:8786)",
        ),
    ],
    ids=["pair en", "pair en-es-fr", "pair empty", "pair enes", "jobs overflow", "scheduler no port", "scheduler tls"],
)
def test_bad_command_line_values_are_one_line(args: list[str], expected: str, tmp_path: Path) -> None:
    result = run_cli(*args, cwd=tmp_path, env=engine_env(tmp_path))
    assert result.returncode == 1 and result.stderr.splitlines() == [expected], result.stderr


@pytest.mark.parametrize("epoch", ["99999999999999", "²"])
def test_a_bad_source_date_epoch_is_one_line(epoch: str, sample: Path, tmp_path: Path) -> None:
    env = {**engine_env(tmp_path), "SOURCE_DATE_EPOCH": epoch}
    result = run_cli("build", str(sample / "packets" / "case.yaml"), "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    expected = "SOURCE_DATE_EPOCH must be whole seconds since 1970, at most 253402300799 (the year 9999), got " + repr(
        epoch
    )
    assert any(line.startswith("error: ") and line.endswith(expected) for line in result.stderr.splitlines())
    assert not (tmp_path / "out" / "case").exists()


def test_an_unexpected_error_is_one_line_with_a_bug_report_hint(tmp_path: Path) -> None:
    script = (
        "import sys, toolkit.cli as cli\n"
        "def boom(args): raise RuntimeError('boom\\nsecond line')\n"
        "cli._styles = boom\n"
        "sys.exit(cli.main(['styles', 'search', 'apa']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=INPUTS.parent)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "internal error: RuntimeError: boom second line (this is a bug in briefkit: please report it with the "
        "command you ran and this line)"
    ]


def test_styles_search_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    command = f"{sys.executable} -m toolkit styles search a 2>{tmp_path}/err | head -1"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, cwd=INPUTS.parent, timeout=120)
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in (tmp_path / "err").read_text() and "Error" not in (tmp_path / "err").read_text()


def test_a_review_file_that_is_a_named_pipe_is_refused_at_once(sample: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "case.review.xlf"
    os.mkfifo(fifo)
    packet = sample / "packets" / "case.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "review", "import", str(fifo), "--packet", str(packet)],
        capture_output=True,
        text=True,
        env=engine_env(tmp_path),
        timeout=60,  # it blocked for ever
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: {fifo}: not a regular file (a review file is a .docx or .xlf file)"]


def test_a_scheduler_that_accepts_and_says_nothing_is_given_up_on(sample: Path, tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # the kernel accepts connections; nobody ever answers them
    address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
    try:
        result = subprocess.run(
            [sys.executable, "-m", "toolkit", "release", str(sample / "packets" / "case.yaml")]
            + ["--out", str(tmp_path / "out"), "--executor", "dask", "--scheduler", address],
            capture_output=True,
            text=True,
            env=engine_env(tmp_path),
            timeout=90,  # it hung past 2 minutes
        )
    finally:
        silent.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert (
        f"error: {address} accepted the connection but did not answer as a Dask scheduler within 10 s "
        "(is `dask scheduler` running there?)"
    ) in result.stderr.splitlines()


def test_figures_and_placeholders_of_5000_digits_stay_text(tmp_path: Path) -> None:
    # int() refuses 4,300 digits: "Exceeds the limit (4300 digits)" was a traceback
    assert english_number("1" * 5_000) == grouped("1" * 5_000)
    assert english_money("1" * 5_000 + " dólares") == "$" + grouped("1" * 5_000)
    placeholder = "&lt;x" + "1" * 5_000 + "/&gt;"
    tmx = tmp_path / "big.tmx"
    tmx.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" '
        'adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/><body><tu>'
        f'<tuv xml:lang="en"><seg>A {placeholder} b</seg></tuv><tuv xml:lang="es"><seg>Una b</seg></tuv>'
        "</tu></body></tmx>"
    )
    (unit,) = read_tmx(tmx, "en-es", "reviewed")
    assert unit.source == "A " + placeholder + " b"  # plain text, escaped, not a slot
