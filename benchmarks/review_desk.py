"""The review desk on a 500-segment packet: page load, a segment's panel, the as-you-type check and save
latency, as ratios against a static file served by the same desk in the same run (its sessions, CSRF and
security headers included).

    .venv/bin/python benchmarks/review_desk.py [--segments 500] [--rounds 30]

Generates summaries into a temporary project (five summaries, citations and figures in every paragraph),
builds the packet with Apertium, starts `briefkit review serve` on it with a token, and times each request
from a client in this process (httpx), one at a time."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

TOKEN = "benchmark-token-0123456789"
SUBJECTS = ["The task force", "The ministry", "A regional court", "The border agency", "Local officials"]
VERBS = ["reported", "estimated", "announced", "questioned", "documented"]
OBJECTS = ["seizures of precursor chemicals", "arrests near the border", "overdose deaths", "new patrol routes"]


def paragraph(n: int, keys: list[str]) -> str:
    subject, verb, thing = SUBJECTS[n % 5], VERBS[(n // 5) % 5], OBJECTS[(n // 25) % 4]
    return (
        f"{subject} {verb} {100 + n} {thing} in {2000 + n % 25}, up from {n % 90 + 3} the year before "
        f"[@{keys[n % len(keys)]}]. Observers in region {n} said the figures were *provisional*."
    )


def project(folder: Path, segments: int) -> Path:
    inputs = folder / "inputs"
    (inputs / "summaries").mkdir(parents=True)
    (inputs / "packets").mkdir()
    shutil.copy(ROOT / "inputs" / "references.json", inputs / "references.json")
    shutil.copy(ROOT / "inputs" / "glossary.csv", inputs / "glossary.csv")
    keys = [entry["id"] for entry in json.loads((inputs / "references.json").read_text())]
    per_summary = segments // 5 - 2  # and its title and one heading
    names = []
    for s in range(5):
        name = f"bench-{s}"
        body = "\n\n".join(paragraph(s * 1000 + n, keys) for n in range(per_summary))
        front = f"---\ntitle: Benchmark summary {s}\nsource: {keys[s]}\ndate: 2025-01-0{s + 1}\nlang: en\n---\n\n"
        (inputs / "summaries" / f"{name}.md").write_text(front + "## Findings\n\n" + body + "\n")
        names.append(name)
    summaries = "\n".join(f"  - ../summaries/{name}.md" for name in names)
    (inputs / "packets" / "bench.yaml").write_text(
        "id: bench\ntitle: Benchmark packet\norganization: Bench\ndate: 2025-01-01\nlanguages: [en, es]\n"
        "citation_style: chicago-author-date\nbibliography: ../references.json\nglossary: ../glossary.csv\n"
        f"summaries:\n{summaries}\n"
    )
    return inputs / "packets" / "bench.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(work: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        packet = project(folder, args.segments)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFKIT_MODELS": str(folder / "none")}
        command = [sys.executable, "-m", "toolkit"]
        start = time.perf_counter()
        built = subprocess.run(
            [*command, "build", str(packet), "--out", "out", "--format", "docx"],
            cwd=folder, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if built.returncode:
            raise SystemExit(built.stderr)
        print(f"built the packet in {time.perf_counter() - start:.1f} s")
        (folder / "tokens.txt").write_text(f"{TOKEN} Bench Editor\n")
        port = free_port()
        server = subprocess.Popen(
            [*command, "review", "serve", str(packet), "--port", str(port), "--tokens", "tokens.txt"],
            cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            client = httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
            for _ in range(300):
                try:
                    client.headers["X-CSRF-Token"] = client.get(f"{base}/api/session").json()["csrf"]
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            page = client.get(f"{base}/packets/bench")
            ids = [part.split('"', 2)[1] for part in page.text.split("data-id=")[1:]]
            print(f"{len(ids)} segments on the page ({len(page.content) / 1e6:.1f} MB of HTML)")
            segment = f"{base}/api/packets/bench/segments/"
            details = {i: client.get(segment + i).json() for i in ids[: args.rounds]}

            def save(i: str) -> None:
                seen = details[i]
                text = "Texto revisado " + " ".join(seen["required"])
                body = {"text": text, "status": "reviewed", "base": seen["base"], "english": seen["english"]}
                answer = client.post(segment + i + "/save", json=body)
                assert answer.status_code == 200, answer.text

            rows = {
                "static file (baseline)": timed(lambda: client.get(f"{base}/static/desk.css"), args.rounds),
                f"page load ({len(ids)} segments)": timed(lambda: client.get(f"{base}/packets/bench"), args.rounds),
                "segment panel (fuzzy matches)": timed(lambda: client.get(segment + ids[1]), args.rounds),
                "check as you type": timed(
                    lambda: client.post(segment + ids[1] + "/check", json={"text": "Texto"}), args.rounds
                ),
            }
            saves = iter(ids[: args.rounds])
            rows["save (merge, guarded write)"] = timed(lambda: save(next(saves)), args.rounds)
            client.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    baseline = statistics.median(rows["static file (baseline)"])
    print(f"\n{'request':<34}{'median ms':>10}{'p95 ms':>10}{'× static':>10}")
    print("-" * 64)
    for name, values in rows.items():
        median = statistics.median(values)
        print(f"{name:<34}{median * 1000:>10.1f}{p95(values) * 1000:>10.1f}{median / baseline:>10.0f}")


if __name__ == "__main__":
    main()
