"""Release speed: cold, warm, one summary changed, --jobs 2 against --jobs 1, and Pandoc as the rendering reference.

    .venv/bin/python benchmarks/release.py               # 40 generated packets (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/release.py --packets 8   # a quicker look

The packets are generated from the five sample summaries, varied: each has its own copies of two to five of them
(in a rotating order, titles changed per packet), every fourth is in the parallel layout, and each has its own
id and title. Most sentences recur across packets, as in a real series of briefings, so the memory serves them.
Every phase runs `briefkit release` as a fresh process, the way a batch job would, with Apertium as the engine.

- cold (--jobs 1 and --jobs 2): empty output folder and empty translation memory, each.
- warm: the --jobs 2 release again, nothing changed.
- one change: one sentence added to one summary of one packet, --jobs 2.
- cluster: the cold --jobs 2 release again, on a Dask cluster of two worker processes (a scheduler and two
  `dask worker`s started apart, as tests/test_cluster.py starts them: workers that cannot see the client's
  files) with the memory in a throwaway PostgreSQL server; then warm. Its ratio is the throughput against the
  cold --jobs 2 release with SQLite on one machine (goal: at least 0.9×). `--no-cluster` leaves it out.
- rendering, briefkit: a forced --jobs 1 rebuild with every translation in memory (citations, DOCX, PDF of both
  halves; reading and memory look-ups included), and the sum of the cite + write steps the manifests record.
- rendering, Pandoc: for each packet and each language half, the same Markdown through Pandoc 3 (the
  pypandoc-binary wheel) with --citeproc to DOCX, and to HTML rendered to PDF by WeasyPrint, one after another
  in one process. The Spanish half is Pandoc's run on the same Markdown with lang=es-ES: this measures the
  rendering cost of the same amount of text, not a translation.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the five English sample summaries (the Spanish ones go in packets of their own)
SUMMARIES = sorted(p for p in (ROOT / "inputs" / "summaries").glob("*.md") if "\nlang: es\n" not in p.read_text())


def make_inputs(folder: Path, count: int) -> Path:
    """`count` packets, each with its own copies of two to five sample summaries (titles varied per packet)."""
    inputs = folder / "inputs"
    shutil.copytree(ROOT / "inputs", inputs, ignore=shutil.ignore_patterns(".briefkit", ".test-*", "packets"))
    (inputs / "packets").mkdir()
    for n in range(count):
        size = 2 + n % 4
        chosen = [SUMMARIES[(n + k) % len(SUMMARIES)] for k in range(size)]
        own = inputs / "summaries" / f"bench-{n:02d}"
        own.mkdir()
        for source in chosen:
            _, front, body = source.read_text().split("---\n", 2)
            meta = yaml.safe_load(front)
            meta["title"] = f"{meta['title']} (briefing {n + 1})"
            front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            (own / source.name).write_text(f"---\n{front}---\n{body}")
        layout = "parallel" if n % 4 == 3 else "sequential"
        lines = [
            f"id: bench-{n:02d}",
            f"title: Briefing packet {n + 1}",
            "subtitle: Generated for the release benchmark",
            "organization: Borderlands Policy Briefings",
            "date: 2025-08-12",
            "languages: [en, es]",
            f"layout: {layout}",
            "bibliography: ../references.json",
            "glossary: ../glossary.csv",
            "summaries:",
            *[f"  - ../summaries/bench-{n:02d}/{source.name}" for source in chosen],
        ]
        (inputs / "packets" / f"bench-{n:02d}.yaml").write_text("\n".join(lines) + "\n")
    return inputs


def release(inputs: Path, out: Path, *args: str) -> float:
    env = {**os.environ, "BRIEFKIT_MODELS": str(inputs / "no-models"), "ARGOS_PACKAGES_DIR": str(inputs / "x")}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "-q", "release", "--out", str(out), *args],
        cwd=inputs.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"release failed:\n{result.stderr}")
    return elapsed


def cluster_release(inputs: Path, work: Path) -> tuple[float, float]:
    """Cold and warm releases of `inputs` on two Dask workers with a PostgreSQL memory (both thrown away)."""
    from tests.postgres_server import PostgresServer
    from tests.test_cluster import Cluster

    server = PostgresServer()
    cluster = None
    try:
        cluster = Cluster(work / "cluster", inputs.parent)
        memory = server.new_database()
        args = ("--jobs", "2", "--executor", "dask", "--scheduler", cluster.address, "--memory", memory)
        cold = release(inputs, work / "out3", *args)
        warm = release(inputs, work / "out3", *args)
        return cold, warm
    finally:
        if cluster is not None:
            cluster.close()
        server.close()


def step_sum(out: Path, steps: tuple[str, ...]) -> float:
    total = 0.0
    for manifest in out.glob("*/manifest.json"):
        timings = json.loads(manifest.read_text())["timings_s"]
        total += sum(timings.get(step, 0.0) for step in steps)
    return total


def pandoc_pipeline(inputs: Path, work: Path) -> float:
    """Pandoc --citeproc to DOCX, and to HTML → WeasyPrint PDF, for both halves of every packet."""
    import weasyprint
    import yaml

    from toolkit.cite.pandoc import pandoc_path
    from toolkit.cite.styles import STYLES_DIR

    pandoc = pandoc_path()
    csl = STYLES_DIR / "chicago-notes-bibliography.csl"
    css = (ROOT / "styles" / "packet.css").read_text()
    started = time.perf_counter()
    for packet_file in sorted((inputs / "packets").glob("*.yaml")):
        packet = yaml.safe_load(packet_file.read_text())
        sources = [str((packet_file.parent / s).resolve()) for s in packet["summaries"]]
        for lang in ("en-US", "es-ES"):
            common = [*sources, "--citeproc", "--bibliography", str(inputs / "references.json"), "--csl", str(csl)]
            common += ["-M", f"lang={lang}", "-M", f"title={packet['title']}"]
            docx = work / f"{packet['id']}-{lang}.docx"
            subprocess.run([pandoc, *common, "-o", str(docx)], check=True)
            html = subprocess.run(
                [pandoc, *common, "-s", "-t", "html5"], check=True, capture_output=True, text=True
            ).stdout
            html = html.replace("</head>", f"<style>{css}</style></head>")
            weasyprint.HTML(string=html).write_pdf(work / f"{packet['id']}-{lang}.pdf")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packets", type=int, default=40)
    parser.add_argument("--no-cluster", action="store_true", help="leave out the Dask + PostgreSQL run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        work = Path(tmp)
        one = make_inputs(work / "one", args.packets)
        two = make_inputs(work / "two", args.packets)

        cold1 = release(one, work / "out1", "--jobs", "1")
        cold2 = release(two, work / "out2", "--jobs", "2")
        warm = release(two, work / "out2", "--jobs", "2")
        summary = sorted((two / "summaries").glob("bench-*/*.md"))[0]
        text = summary.read_text()
        end = text.index(". ", text.index("\n## ")) + 1
        summary.write_text(text[:end] + " This sentence was added for the benchmark." + text[end:])
        changed = release(two, work / "out2", "--jobs", "2")

        cluster = None if args.no_cluster else cluster_release(make_inputs(work / "three", args.packets), work)

        render_wall = release(one, work / "out1", "--jobs", "1", "--force")
        render_steps = step_sum(work / "out1", ("cite", "write_docx", "write_pdf"))
        (work / "pandoc").mkdir()
        pandoc = pandoc_pipeline(one, work / "pandoc")

    rows = [
        ("cold, --jobs 1", cold1, cold1),
        ("cold, --jobs 2", cold2, cold2),
        ("warm (nothing changed)", warm, cold2),
        (f"one summary changed ({summary.parent.name}/{summary.name})", changed, cold2),
    ]
    print(f"{args.packets} packets, 2 languages each, Apertium; ratios against the cold --jobs 2 release\n")
    print(f"{'phase':<58}{'seconds':>9}{'of cold':>9}")
    print("-" * 76)
    for name, seconds, base in rows:
        print(f"{name:<58}{seconds:>9.1f}{100 * seconds / base:>8.1f}%")
    print(f"\n--jobs 2 over --jobs 1 (cold): {cold1 / cold2:.2f}× faster")
    if cluster is not None:
        cold_cluster, warm_cluster = cluster
        print(f"\n{'two Dask workers, PostgreSQL memory':<58}{'seconds':>9}{'× SQLite':>9}")
        print("-" * 76)
        name = "cold (throughput against cold --jobs 2 with SQLite)"
        print(f"{name:<58}{cold_cluster:>9.1f}{cold2 / cold_cluster:>8.2f}×")
        print(f"{'warm (nothing changed)':<58}{warm_cluster:>9.1f}{warm / warm_cluster:>8.2f}×")
    print()
    print(f"{'rendering, no translation (one process)':<58}{'seconds':>9}{'× Pandoc':>9}")
    print("-" * 76)
    for name, seconds in (
        ("Pandoc 3 --citeproc: DOCX + HTML→WeasyPrint PDF, per half", pandoc),
        ("briefkit release --force --jobs 1 (wall, all steps)", render_wall),
        ("briefkit cite + write DOCX + write PDF (from manifests)", render_steps),
    ):
        print(f"{name:<58}{seconds:>9.1f}{seconds / pandoc:>8.2f}×")


if __name__ == "__main__":
    main()
