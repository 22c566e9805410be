"""Releases across machines: the PostgreSQL memory through the CLI (build, review loop, copy, TMX), its faults
as one clear line each, and a Dask cluster of separate processes sharing nothing with the client but the
database and the network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import docx
from docx.oxml.ns import qn
import psycopg
import pytest

from tests.conftest import INPUTS, run_cli
from tests.postgres_server import PASSWORD, PostgresServer, free_port
from tests.test_review import edit_table

PACKET = "inputs/packets/fentanyl-parallel.yaml"


def workspace(tmp_path: Path, memory: str | None) -> tuple[Path, dict[str, str]]:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "none"), "ARGOS_PACKAGES_DIR": str(tmp_path / "none")}
    env.pop("BRIEFKIT_MEMORY", None)
    if memory:
        env["BRIEFKIT_MEMORY"] = memory
    return tmp_path, env


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The run failed with exactly one line of error and no traceback; that line."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def unit_in(url: str, english: str) -> tuple[str, str, str]:
    with psycopg.connect(url) as db:
        row = db.execute(
            "SELECT target, status, produced_by FROM units WHERE source LIKE %s", [f"%{english}%"]
        ).fetchone()
    assert row is not None
    return row


def test_the_review_loop_runs_on_a_postgresql_memory(tmp_path: Path, postgres: PostgresServer) -> None:
    url = postgres.new_database()
    root, env = workspace(tmp_path, url)
    built = run_cli("build", PACKET, "--out", "out", "--format", "docx", cwd=root, env=env)
    assert built.returncode == 0, built.stderr
    assert not (root / "inputs" / ".briefkit").exists()  # no SQLite file beside: the database holds it all
    assert unit_in(url, "Three proposals")[1] == "machine"

    exported = run_cli("review", "export", PACKET, "--out", "review", cwd=root, env=env)
    assert exported.returncode == 0, exported.stderr
    table = root / "review" / "fentanyl-parallel" / "fentanyl-parallel.review.docx"
    edit_table(table, {"fentanyl-war-004": "Las tres propuestas"}, notes={"fentanyl-war-004": "Más corto."})
    imported = run_cli("review", "import", str(table), cwd=root, env=env)
    assert imported.returncode == 0, imported.stderr
    assert "stored 1 corrections" in imported.stdout and "1 notes added" in imported.stdout
    assert str(postgres.url(url.rsplit("/", 1)[1], "***")) in imported.stdout  # named without its password
    assert unit_in(url, "Three proposals") == ("Las tres propuestas", "reviewed", "Ana Editor")

    history = run_cli("memory", "history", "fentanyl-war-004", "--packet", PACKET, cwd=root, env=env)
    assert history.returncode == 0 and "import:" in history.stdout, history.stderr
    rebuilt = run_cli("build", PACKET, "--out", "out", "--format", "docx", cwd=root, env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    manifest = json.loads((root / "out" / "fentanyl-parallel" / "manifest.json").read_text())
    assert manifest["translation"]["translated"] == 0 and manifest["review"]["reviewed"] == 1
    body = docx.Document(str(root / "out/fentanyl-parallel/fentanyl-parallel.docx")).element.body
    assert "Las tres propuestas" in "".join(t.text or "" for t in body.iter(qn("w:t")))

    import_id = imported.stdout.split("(import ")[1].split(")")[0]
    undone = run_cli("review", "undo", import_id, PACKET, cwd=root, env=env)
    assert undone.returncode == 0 and "1 segments restored" in undone.stdout, undone.stderr
    assert unit_in(url, "Three proposals")[1] == "machine"


def test_memory_copy_and_tmx_work_between_both_backends(tmp_path: Path, postgres: PostgresServer) -> None:
    root, env = workspace(tmp_path, None)
    built = run_cli("build", PACKET, "--out", "out", "--format", "docx", cwd=root, env=env)
    assert built.returncode == 0, built.stderr
    url = postgres.new_database()
    copied = run_cli("memory", "copy", url, cwd=root, env=env)
    assert copied.returncode == 0, copied.stderr
    assert "copied inputs/.briefkit/memory.sqlite into postgresql://briefkit:***@" in copied.stdout
    stats = [run_cli("memory", *where, "stats", cwd=root, env=env).stdout for where in ([], ["--memory", url])]
    assert stats[0] == stats[1] and "en-es\tmachine\t" in stats[0]
    back = run_cli("memory", "--memory", url, "copy", "back.sqlite", cwd=root, env=env)
    assert back.returncode == 0, back.stderr
    exports = []
    for where in ([], ["--memory", url], ["--memory", "back.sqlite"]):
        tmx = root / f"export{len(exports)}.tmx"
        result = run_cli("memory", *where, "export", "--all", "--tmx", str(tmx), cwd=root, env=env)
        assert result.returncode == 0, result.stderr
        exports.append(tmx.read_bytes())
    assert exports[0] == exports[1] == exports[2] and exports[0].count(b"<tu>") > 30
    # a CAT tool's TMX (reviewed) imported into the database: what a build there takes
    tmx = root / "reviewed.tmx"
    tmx.write_bytes(exports[0].replace(b'status">machine', b'status">reviewed'))
    imported = run_cli("memory", "--memory", url, "import", str(tmx), cwd=root, env=env)
    assert imported.returncode == 0 and "new or changed" in imported.stdout, imported.stderr
    assert unit_in(url, "Three proposals")[1] == "reviewed"
    rebuilt = run_cli("build", PACKET, "--out", "out2", "--format", "docx", "--memory", url, cwd=root, env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    manifest = json.loads((root / "out2" / "fentanyl-parallel" / "manifest.json").read_text())
    assert manifest["review"]["machine"] == 0 and manifest["review"]["reviewed"] > 30
    again = run_cli("memory", "--memory", url, "copy", str(root / "back.sqlite"), cwd=root, env=env)
    assert "not empty" in one_error_line(again)


@pytest.mark.parametrize(
    "fault",
    ["unreachable", "wrong password", "no such database", "newer schema", "not a URL briefkit knows"],
)
def test_a_memory_database_briefkit_cannot_use_is_one_clear_line(
    fault: str, tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.new_database()
    database = url.rsplit("/", 1)[1]
    urls = {
        "unreachable": f"postgresql://briefkit:{PASSWORD}@127.0.0.1:{free_port()}/{database}",
        "wrong password": postgres.url(database, "not-the-password"),
        "no such database": postgres.url("nowhere"),
        "newer schema": url,
        "not a URL briefkit knows": "mysql://briefkit@127.0.0.1/memory",
    }
    if fault == "newer schema":
        run_cli("memory", "--memory", url, "import", str(tmp_path / "none.tmx"))  # creates the tables, then fails
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("UPDATE briefkit_schema SET version = 7")
    root, env = workspace(tmp_path, urls[fault])
    result = run_cli("build", PACKET, "--out", "out", "--format", "docx", cwd=root, env=env)
    line = one_error_line(result)
    expected = {
        "unreachable": "cannot connect to the translation memory database: connection to server at "
        '"127.0.0.1", port',
        "wrong password": 'password authentication failed for user "briefkit" (check the user and password',
        "no such database": 'database "nowhere" does not exist (create the database first',
        "newer schema": "translation memory has schema version 7, newer than this briefkit's 3 (upgrade briefkit",
        "not a URL briefkit knows": "BRIEFKIT_MEMORY: the translation memory is a mysql URL: briefkit keeps",
    }[fault]
    assert expected in line, line
    assert not (root / "out" / "fentanyl-parallel").exists()  # nothing written


def test_a_server_stopped_mid_build_is_one_clear_line_and_nothing_is_written(tmp_path: Path) -> None:
    server = PostgresServer()  # its own: this test stops it
    try:
        url = server.new_database()
        root, env = workspace(tmp_path, url)
        build = subprocess.Popen(
            [os.sys.executable, "-m", "toolkit", "build", "inputs/packets/cartel-policy-2025.yaml", "--out", "out"],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the build has connected: then it is translating
            with psycopg.connect(server.url(), autocommit=True) as db:
                row = db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [url.rsplit("/", 1)[1]]
                ).fetchone()
            if row and row[0]:
                break
            time.sleep(0.02)
        server.stop("immediate")
        stdout, stderr = build.communicate(timeout=300)
        line = one_error_line(subprocess.CompletedProcess(build.args, build.returncode, stdout, stderr))
        assert "translation memory database" in line and ("lost the connection" in line or "cannot connect" in line)
        assert not (root / "out" / "cartel-policy-2025").exists()
    finally:
        server.close()
