"""Releases across machines: the PostgreSQL memory through the CLI (build, review loop, copy, TMX), its faults
as one clear line each, and a Dask cluster of separate processes sharing nothing with the client but the
database and the network."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import psycopg
import pytest
from docx.oxml.ns import qn

from tests.conftest import INPUTS, run_cli, sid
from tests.postgres_server import PASSWORD, PostgresServer, free_port
from tests.test_hostile import engine_env
from tests.test_review import edit_table

PACKET = "inputs/packets/fentanyl-parallel.yaml"


def workspace(tmp_path: Path, memory: str | None) -> tuple[Path, dict[str, str]]:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = engine_env(tmp_path)
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
    edit_table(table, {sid("fentanyl-war-004"): "Las tres propuestas"}, notes={sid("fentanyl-war-004"): "Más corto."})
    imported = run_cli("review", "import", str(table), cwd=root, env=env)
    assert imported.returncode == 0, imported.stderr
    assert "stored 1 corrections" in imported.stdout and "1 notes added" in imported.stdout
    assert str(postgres.url(url.rsplit("/", 1)[1], "***")) in imported.stdout  # named without its password
    assert unit_in(url, "Three proposals") == ("Las tres propuestas", "reviewed", "Ana Editor")

    history = run_cli("memory", "history", sid("fentanyl-war-004"), "--packet", PACKET, cwd=root, env=env)
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
        "unreachable": 'cannot connect to the translation memory database: connection to server at "127.0.0.1", port',
        "wrong password": 'password authentication failed for user "briefkit" (check the user and password',
        "no such database": 'database "nowhere" does not exist (create the database first',
        "newer schema": "translation memory has schema version 7, newer than this briefkit's 4 (upgrade briefkit",
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
            [sys.executable, "-m", "toolkit", "build", "inputs/packets/cartel-policy-2025.yaml", "--out", "out"],
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


# --- A Dask cluster of separate processes ---------------------------------------------------------------------

DASK = Path(sys.executable).parent / "dask"
WORKER_SETTINGS = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


class Cluster:
    """`dask scheduler` and two `dask worker`s, each its own process with its own working folder and HOME.
    Each worker runs in a mount namespace of its own in which the client's folder is an empty tmpfs: the
    client's inputs and outputs do not exist for it, only PostgreSQL and the network are shared."""

    def __init__(self, root: Path, client: Path) -> None:
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self.start(root / "scheduler", [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                        "--no-dashboard"])  # fmt: skip
        for name in ("worker-1", "worker-2"):
            worker = [str(DASK), "worker", self.address, "--nthreads", "1", "--no-dashboard", "--local-directory",
                      str(root / name / "dask")]  # fmt: skip
            hidden = f'mount -t tmpfs briefkit-client-hidden {client} && exec "$@"'
            namespace = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
            self.start(root / name, ["unshare", *namespace, "sh", "-c", hidden, "sh", *worker])
        self.wait_for_workers(2)

    def start(self, home: Path, command: list[str]) -> None:
        home.mkdir(parents=True)
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "BRIEFKIT_MODELS": str(home / "models"),
            "ARGOS_PACKAGES_DIR": str(home / "argos"),
            "LANG": "C.UTF-8",
            **WORKER_SETTINGS,
        }
        log = home / "log"
        self.logs.append(log)
        self.processes.append(
            subprocess.Popen(command, cwd=home, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        )

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        deadline = time.monotonic() + 120
        with Client(self.address, timeout=60) as client:
            while len(client.scheduler_info()["workers"]) < count:
                assert time.monotonic() < deadline, "\n".join(log.read_text() for log in self.logs)
                time.sleep(0.2)

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, Path]]:
    root = tmp_path_factory.mktemp("cluster")
    client = root / "client"
    shutil.copytree(INPUTS, client / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    running = Cluster(root, client)
    try:
        yield running, client
    finally:
        running.close()


def release(client: Path, *args: str, memory: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFKIT_MODELS": str(client / "none"), "ARGOS_PACKAGES_DIR": str(client / "none")}
    env["SOURCE_DATE_EPOCH"] = "1764547200"
    return run_cli("release", "--json", "--memory", memory, *args, cwd=client, env=env)


def packet_files(folder: Path) -> dict[str, bytes]:
    """Every file of every packet folder; the manifest without its timings and the memory it names, and the
    manifest and QA report without how many segments came from the memory and how many from the engine: two
    packets that share a summary are built side by side, and whichever translates it first stores what the
    other then finds (the texts are the same either way)."""
    files = {}
    for path in sorted(folder.glob("*/*")):
        data = path.read_bytes()
        if path.name == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("timings_s")
            manifest.pop("memory")  # which memory the build used: the cluster's database, the local file
            for counter in ("from_memory", "translated"):
                manifest["translation"].pop(counter)
            data = json.dumps(manifest, sort_keys=True).encode()
        elif path.name == "qa.json":
            report = json.loads(data)
            report.pop("origins")
            data = json.dumps(report, sort_keys=True).encode()
        elif path.name == "qa.md":
            data = re.sub(rb" \(by origin: [^)]*\)", b"", data)
        files[str(path.relative_to(folder))] = data
    return files


def consistent(url: str) -> int:
    """The memory is consistent: each unit is its latest version, and no version was stored twice. The units."""
    with psycopg.connect(url) as db:
        units = db.execute("SELECT count(*) FROM units").fetchone()
        versions = db.execute("SELECT count(*) FROM history").fetchone()
        latest_differs = db.execute(
            """SELECT count(*) FROM units u JOIN LATERAL (SELECT target, status FROM history h
               WHERE h.pair = u.pair AND h.source_key = u.source_key ORDER BY id DESC LIMIT 1) last ON true
               WHERE last.target != u.target OR last.status != u.status"""
        ).fetchone()
    assert units and versions and latest_differs
    assert latest_differs[0] == 0 and versions[0] == units[0]  # machine units: one version each
    return int(units[0])


def test_a_cluster_release_is_byte_identical_to_a_local_one(
    cluster: tuple[Cluster, Path], postgres: PostgresServer
) -> None:
    running, client = cluster
    from distributed import Client

    with Client(running.address, timeout=60) as dask:  # the workers do not see the client's files at all
        assert list(dask.run(os.path.exists, str(client / "inputs")).values()) == [False, False]
    local = release(client, "--out", "local", "--jobs", "2", memory=str(client / "local.sqlite"))
    assert local.returncode == 0, local.stderr
    url = postgres.new_database()
    remote = release(client, "--out", "remote", "--executor", "dask", "--scheduler", running.address, memory=url)
    assert remote.returncode == 0, remote.stderr
    report = json.loads((client / "remote" / "release.json").read_text())
    count = len(list((client / "inputs" / "packets").glob("*.yaml")))  # the samples: English and Spanish sources
    assert report["counts"] == {"built": count, "skipped": 0, "failed": 0}
    assert packet_files(client / "local") == packet_files(client / "remote")
    assert len(packet_files(client / "remote")) == count * 6  # DOCX, PDF, qa.json, qa.md, manifest, marker
    assert consistent(url) > 120  # the union of the packets' segments, in both pairs
    warm = release(client, "--out", "remote", "--executor", "dask", "--scheduler", running.address, memory=url)
    assert json.loads(warm.stdout.splitlines()[-1])["counts"] == {"built": 0, "skipped": count, "failed": 0}
    # a file memory cannot be shared with workers on other machines: refused, not silently split
    split = release(client, "--out", "split", "--executor", "dask", "--scheduler", running.address,
                    memory=str(client / "local.sqlite"))  # fmt: skip
    assert split.returncode == 1 and "keeps its translation memory in PostgreSQL" in split.stdout


def test_two_clients_release_at_once_against_one_memory(
    cluster: tuple[Cluster, Path], postgres: PostgresServer
) -> None:
    running, client = cluster
    url = postgres.new_database()
    env = {**os.environ, "BRIEFKIT_MODELS": str(client / "none"), "ARGOS_PACKAGES_DIR": str(client / "none"),
           "SOURCE_DATE_EPOCH": "1764547200"}  # fmt: skip
    clients_out = ("first", "second")
    clients = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "toolkit",
                "release",
                "--json",
                "--memory",
                url,
                "--executor",
                "dask",
                "--scheduler",
                running.address,
                "--out",
                out,
                "--format",
                "docx",
            ],
            cwd=client,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for out in clients_out
    ]
    for process in clients:
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
    documents = [
        {k: v for k, v in packet_files(client / out).items() if k.endswith(".docx")} for out in ("first", "second")
    ]
    count = len(list((client / "inputs" / "packets").glob("*.yaml")))
    assert documents[0] == documents[1] and len(documents[0]) == count  # the QA reports may differ only in
    consistent(url)  # whether a segment came from the engine or from the other client's new memory units


def test_a_worker_killed_mid_release_leaves_every_packet_whole(
    cluster: tuple[Cluster, Path], postgres: PostgresServer
) -> None:
    running, client = cluster
    url = postgres.new_database()
    packets = []
    for n in range(4):  # four packets: the killed worker has one in hand and the release goes on
        for name in ("cartel-policy-2025", "fentanyl-parallel"):
            text = (client / "inputs" / "packets" / f"{name}.yaml").read_text()
            packet = client / "inputs" / "packets" / f"{name}-{n}.yaml"
            packet.write_text(text.replace(f"id: {name}", f"id: {name}-{n}"))
            packets.append(packet)
    env = {**os.environ, "BRIEFKIT_MODELS": str(client / "none"), "ARGOS_PACKAGES_DIR": str(client / "none"),
           "SOURCE_DATE_EPOCH": "1764547200"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "release", "--json", "--memory", url, "--executor", "dask",
         "--scheduler", running.address, "--out", "killed", "--format", "docx", *map(str, packets)],
        cwd=client, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    killed = None
    events = []
    assert process.stdout is not None
    for line in process.stdout:
        event = json.loads(line)
        events.append(event)
        if killed is None and event.get("step") == "translate" and event.get("state") == "start":
            killed = event["pid"]
            os.kill(killed, signal.SIGKILL)  # the worker process, mid-packet; its nanny starts a new one
    process.wait(timeout=600)
    for packet in packets:
        packet.unlink()
    assert killed is not None and process.returncode == 0, process.stderr.read() if process.stderr else ""
    finished = [e["packet"] for e in events if e["kind"] == "packet"]
    assert sorted(finished) == sorted(p.stem for p in packets)  # each packet written once
    report = json.loads((client / "killed" / "release.json").read_text())
    assert report["counts"] == {"built": 8, "skipped": 0, "failed": 0}
    assert killed not in {entry["worker"]["pid"] for entry in report["packets"].values()}
    for packet in packets:
        folder = client / "killed" / packet.stem
        manifest = json.loads((folder / "manifest.json").read_text())
        for file in manifest["files"].values():
            data = (folder / file["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == file["sha256"]
        assert not list(folder.parent.glob(f".{packet.stem}*"))  # no half-written folder beside
    consistent(url)
    running.wait_for_workers(2)  # the nanny brought the worker back


def test_a_scheduler_that_cannot_be_reached_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    root, env = workspace(tmp_path, "postgresql://briefkit@127.0.0.1:9/memory")
    address = f"tcp://127.0.0.1:{free_port()}"
    result = run_cli("release", "--executor", "dask", "--scheduler", address, "--out", "out", cwd=root, env=env)
    line = one_error_line(result)
    assert f"cannot reach the Dask scheduler at {address}" in line and "is `dask scheduler` running there?" in line
    assert not (root / "out").exists()


def test_a_password_in_the_query_or_in_a_malformed_url_is_never_shown(tmp_path: Path, postgres: PostgresServer) -> None:
    """libpq's `?password=` is hidden like `user:password@`, in every command's output, the log, release.json
    and the manifest (which names the memory the build used); libpq's own message about a malformed URL,
    which repeats it, is filtered too."""
    url = postgres.new_database()
    database = url.rsplit("/", 1)[1]
    query_url = f"postgresql://briefkit@127.0.0.1:{postgres.port}/{database}?password={PASSWORD}"
    shown = f"postgresql://briefkit@127.0.0.1:{postgres.port}/{database}?password=***"
    root, env = workspace(tmp_path, query_url)
    released = run_cli("release", PACKET, "--out", "out", "--jobs", "1", "--format", "docx", cwd=root, env=env)
    assert released.returncode == 0, released.stderr
    assert f"release: translation memory: {shown}" in released.stderr
    manifest = json.loads((root / "out" / "fentanyl-parallel" / "manifest.json").read_text())
    assert manifest["memory"] == shown
    outputs = [released.stdout, released.stderr, (root / "out" / "release.json").read_text(), json.dumps(manifest)]
    for command in (["memory", "stats"], ["review", "status", PACKET]):
        result = run_cli(*command, cwd=root, env=env)
        outputs += [result.stdout, result.stderr]
    assert shown in "".join(outputs) and PASSWORD not in "".join(outputs)

    secret = "Se#cr?et/Word@x"  # a password with @ # ? / written as it is: libpq cannot parse the URL
    env["BRIEFKIT_MEMORY"] = f"postgresql://briefkit:{secret}@127.0.0.1:{postgres.port}/{database}"
    for command in (["memory", "stats"], ["build", PACKET, "--out", "out2", "--format", "docx"]):
        result = run_cli(*command, cwd=root, env=env)
        line = one_error_line(result)
        assert line.startswith("error: postgresql://briefkit:***@127.0.0.1:"), line
        for piece in ("Se#cr", "cr?et", "et/Word", "Word@x", "Word"):
            assert piece not in result.stderr + result.stdout, result.stderr
