"""Translation speed and quality: the naive way against the briefkit pipeline, cold and warm, per engine.

    .venv/bin/python benchmarks/translate.py            # Apertium and the tiny Argos test model
    .venv/bin/python benchmarks/translate.py --engine apertium

Segments: every segment (titles, headings, paragraphs, list items, cells, footnotes) of the five sample
summaries. Each phase runs in a fresh process so its peak memory is its own: the peak resident memory of
that Python process, which holds the whole pipeline and the Argos model (Apertium runs in processes of its
own of about 20 MB that are not counted). Figures are ratios against the naive way measured in the same run.

- naive: Apertium as one `apertium` process per segment; Argos as `argostranslate.translate.translate()` per
  segment (argostranslate's sentence-boundary model cannot be downloaded here, so its splitter is replaced by
  the same regular expression briefkit uses; everything else is argostranslate's own code).
- cold: the pipeline with an empty translation memory; warm: the same build again with the memory full.
- chrF: the reference set (tests/reference/en-es.tsv), naive output and pipeline output against the human
  Spanish. The tiny Argos model's output is noise, so its chrF only shows that the pipeline runs.
- --quality: chrF and error classes on every reference set, then the held-out sets (tests/reference/holdout-*.tsv)
  and the confirmation sets (tests/reference/confirm-*.tsv) in both directions per error class: chrF, names kept,
  dates right, months glued, figures kept; raw vs pipeline.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEED_RUNS = 7
# This file's own folder comes first on the path, where its name would hide translate-toolkit's `translate`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))


def sample_documents() -> list:  # type: ignore[type-arg]
    from toolkit.read.markdown import read_summary

    summaries = sorted((ROOT / "inputs" / "summaries").glob("*.md"))
    return [read_summary(p) for p in summaries if "\nlang: es\n" not in p.read_text()]  # the English ones


def segment_texts() -> list[str]:
    """The plain text of every translatable segment, as a naive caller would send it."""
    from toolkit.model import inline_sequences, plain_text

    texts: list[str] = []

    def collect(inlines: tuple) -> tuple:  # type: ignore[type-arg]
        if any(c.isalpha() for c in plain_text(inlines)):
            texts.append(" ".join(plain_text(inlines).split()))
        return inlines

    for doc in sample_documents():
        collect(doc.title)
        for inlines in inline_sequences(doc.blocks):
            collect(inlines)
    return texts


def make_engine(name: str, models: Path):  # type: ignore[no-untyped-def]
    from toolkit.translate.engines import ApertiumEngine, ArgosEngine, find_model

    if name == "apertium":
        return ApertiumEngine()
    os.environ["BRIEFKIT_MODELS"] = str(models)
    model = find_model("en", "es")
    assert model is not None
    return ArgosEngine(model)


def naive_translate(name: str, texts: list[str], models: Path) -> list[str]:
    if name == "apertium":
        from tests.reference_set import apertium_one

        return [apertium_one(t) for t in texts]
    os.environ["ARGOS_PACKAGES_DIR"] = str(models)
    import argostranslate.sbd
    import argostranslate.translate

    from toolkit.translate.engines import SENTENCE_END

    argostranslate.sbd.MiniSBDSentencizer.split_sentences = lambda self, text: SENTENCE_END.split(text)  # type: ignore[method-assign]
    return [argostranslate.translate.translate(t, "en", "es") for t in texts]


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it does not carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase(name: str, kind: str, models: str, memory: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One measured phase, in its own process."""
    from tests.reference_set import chrf, kept_share, load_pairs, pipeline
    from toolkit.translate.glossary import load_glossary
    from toolkit.translate.memory import TranslationMemory
    from toolkit.translate.translator import Translator

    pairs = load_pairs()
    sources, references = [p.en for p in pairs], [p.es for p in pairs]
    texts = segment_texts()
    documents = sample_documents()
    start = time.perf_counter()
    result: dict[str, object] = {}
    if kind == "naive":
        naive_translate(name, texts, Path(models))
        result["segments"] = len(texts)
        elapsed = time.perf_counter() - start
        output = naive_translate(name, sources, Path(models))
    else:
        engine = make_engine(name, Path(models))
        translator = Translator(
            engine, TranslationMemory(Path(memory)), load_glossary(ROOT / "inputs" / "glossary.csv")
        )
        translator.translate_documents(documents)
        result["segments"] = len(translator.results)  # every segment, as the naive way counts them
        result["from_memory"] = translator.report.from_memory
        elapsed = time.perf_counter() - start
        output = pipeline(engine, sources) if kind == "cold" else []
    result.update(
        seconds=elapsed,
        peak_mb=peak_rss_mb(),
        chrf=chrf(output, references) if output else None,
        kept=kept_share(sources, output) if output else None,
    )
    queue.put(result)


def run_phase(name: str, kind: str, models: Path, memory: Path) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=phase, args=(name, kind, str(models), str(memory), queue))
    process.start()
    result = queue.get(timeout=3600)
    process.join()
    return result  # type: ignore[no-any-return]


def quality_and_speed() -> None:
    """chrF raw vs pipeline on both reference sets with the error classes, and the cold pipeline's time against
    one raw batched Apertium call on the sample segments (same run)."""
    from tests.reference_set import (
        REFERENCE,
        UNSEEN,
        UNSEEN_ES,
        apertium_raw,
        chrf,
        error_classes,
        kept_share,
        load_pairs,
        names_kept_share,
        pipeline,
    )
    from toolkit.translate.engines import ApertiumEngine
    from toolkit.translate.glossary import load_glossary
    from toolkit.translate.memory import TranslationMemory
    from toolkit.translate.translator import Translator

    classes = [
        "English words left",
        "title-case phrases kept",
        "capital mid-sentence",
        "doubled punctuation",
        "English citation affixes",
    ]
    print()
    print(f"{'set':<16} {'way':<9} {'chrF':>6} {'kept':>6} {'names':>6}  " + "  ".join(f"{c:>24}" for c in classes))
    for name, path, source in (
        ("sample sentences", REFERENCE, "en"),
        ("unseen sentences", UNSEEN, "en"),
        ("unseen, es→en", UNSEEN_ES, "es"),
    ):
        pairs = load_pairs(path)
        sources, references = [p.en for p in pairs], [p.es for p in pairs]
        raw, ours = apertium_raw(sources), pipeline(ApertiumEngine(), sources)
        if source == "es":  # Spanish sentences, careful English: the other direction (its "English words left"
            sources, references = references, sources  # are Spanish words left)
            raw, ours = apertium_raw(sources, "spa-eng"), pipeline(ApertiumEngine("es-en"), sources, "es")
        for way, output in (("raw", raw), ("pipeline", ours)):
            found = error_classes(sources, output, references)
            print(
                f"{name:<16} {way:<9} {chrf(output, references):>6.1f} {kept_share(sources, output):>6.0%} "
                f"{names_kept_share(sources, output, references):>6.0%}  "
                + "  ".join(f"{found[c]:>24}" for c in classes)
            )
    holdout_quality()
    texts = segment_texts()
    documents = sample_documents()
    glossary = load_glossary(ROOT / "inputs" / "glossary.csv")

    def raw_call() -> float:
        start = time.perf_counter()
        apertium_raw(texts)
        return time.perf_counter() - start

    def cold_pipeline(tmp: Path, run: int) -> float:
        translator = Translator(ApertiumEngine(), TranslationMemory(tmp / f"m{run}.sqlite"), glossary)
        start = time.perf_counter()
        translator.translate_documents(documents)
        return time.perf_counter() - start

    # Raw and pipeline runs alternate, so that a busy moment of the machine falls on both alike; the first of
    # each is left out (it loads what a build loads once per process: dictionaries into the page cache, the term
    # base, compiled patterns); the figure is the median of the pairs' ratios.
    raws, colds = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(SPEED_RUNS + 1):
            raws.append(raw_call())
            colds.append(cold_pipeline(Path(tmp), run))
    ratios = sorted(cold / raw for raw, cold in zip(raws[1:], colds[1:], strict=True))
    print()
    print(
        f"speed, {len(texts)} sample segments, median of {SPEED_RUNS} alternating runs: one raw batched Apertium "
        f"call {statistics.median(raws[1:]):.2f} s, cold pipeline {statistics.median(colds[1:]):.2f} s = "
        f"{statistics.median(ratios):.2f}x (pairs {ratios[0]:.2f}x to {ratios[-1]:.2f}x; first run "
        f"{colds[0] / raws[0]:.2f}x)"
    )


def holdout_quality() -> None:
    """On the held-out and the confirmation sets, both directions: chrF of raw Apertium and of the pipeline,
    overall and per error class, with how many names are kept as written, dates come out right and figures (with
    citations and links) are kept, raw against pipeline; dates also count months glued to a number ("abril23")."""
    from tests.reference_set import (
        CONFIRM,
        CONFIRM_ES,
        HOLDOUT,
        HOLDOUT_ES,
        apertium_raw,
        chrf,
        dates_counts,
        kept_counts,
        load_classed,
        names_kept_counts,
        pipeline,
    )
    from toolkit.translate.engines import ApertiumEngine

    def ratio(counts: tuple[int, ...]) -> str:
        return f"{counts[0]}/{counts[1]}"

    for family, direction, path, source, mode, engine in (
        ("held-out set", "en→es", HOLDOUT, "en", "eng-spa", ApertiumEngine()),
        ("held-out set", "es→en", HOLDOUT_ES, "es", "spa-eng", ApertiumEngine("es-en")),
        ("confirmation set", "en→es", CONFIRM, "en", "eng-spa", ApertiumEngine()),
        ("confirmation set", "es→en", CONFIRM_ES, "es", "spa-eng", ApertiumEngine("es-en")),
    ):
        pairs = load_classed(path, source)
        sources, references = [p.source for p in pairs], [p.reference for p in pairs]
        outputs = {"raw": apertium_raw(sources, mode), "pipeline": pipeline(engine, sources, source)}
        print()
        print(f"{family} {direction} ({path.relative_to(ROOT)}), raw Apertium | pipeline")
        groups = ("chrF", "names kept", "dates right", "months glued", "figures kept")
        print(f"{'':<17}" + "".join(f"{g:^{25 if g == 'chrF' else 20}}" for g in groups))
        header = f"{'class':<12} {'n':>4}  {'raw':>7} {'pipeline':>8} {'Δ':>6}" + f"  {'raw':>8} {'pipeline':>9}" * 4
        print(header)
        print("-" * len(header))
        classes = list(dict.fromkeys(p.kind for p in pairs))
        for kind in [*classes, "all"]:
            rows = [i for i, p in enumerate(pairs) if kind in (p.kind, "all")]
            src, ref = [sources[i] for i in rows], [references[i] for i in rows]
            cells: dict[str, list[str]] = {"names": [], "dates": [], "glued": [], "figures": []}
            scores = []
            for way in ("raw", "pipeline"):
                out = [outputs[way][i] for i in rows]
                scores.append(chrf(out, ref))
                dates = dates_counts(src, out, source)
                cells["names"].append(ratio(names_kept_counts(src, out, ref)))
                cells["dates"].append(ratio(dates))
                cells["glued"].append(str(dates[2]))
                cells["figures"].append(ratio(kept_counts(src, out)))
            if kind == "all":
                print("-" * len(header))
            print(
                f"{kind:<12} {len(rows):>4}  {scores[0]:>7.1f} {scores[1]:>8.1f} {scores[1] - scores[0]:>+6.1f}"
                + "".join(f"  {cells[c][0]:>8} {cells[c][1]:>9}" for c in ("names", "dates", "glued", "figures"))
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", action="append", choices=["apertium", "argos-tiny"])
    parser.add_argument(
        "--quality",
        action="store_true",
        help="only the quality and speed comparison, with the held-out and confirmation sets per class (2 minutes)",
    )
    args = parser.parse_args()
    if args.quality:
        quality_and_speed()
        return
    engines = args.engine or ["apertium", "argos-tiny"]
    print(f"segments: {len(segment_texts())} (the five sample summaries); {os.cpu_count()} cores")
    print()
    header = f"{'engine':<11} {'way':<6} {'segments/s':>10} {'× naive':>8} {'peak MB':>8} {'chrF':>6} {'kept':>6}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        if "argos-tiny" in engines:
            from tests.tiny_argos import build_tiny_argos_package
            from toolkit.translate.engines import install_model

            os.environ["BRIEFKIT_MODELS"] = str(models)
            install_model(build_tiny_argos_package(Path(tmp)))
        for name in engines:
            engine = "apertium" if name == "apertium" else "argos"
            memory = Path(tmp) / f"{engine}.sqlite"
            naive_rate = 0.0
            for kind in ("naive", "cold", "warm"):
                r = run_phase(engine, kind, models, memory)
                rate = float(r["segments"]) / float(r["seconds"])  # type: ignore[arg-type]
                naive_rate = naive_rate or rate
                score = f"{r['chrf']:.1f}" if r["chrf"] is not None else ""
                kept = f"{r['kept']:.0%}" if r["kept"] is not None else ""
                print(
                    f"{name:<11} {kind:<6} {rate:>10.1f} {rate / naive_rate:>7.1f}× {r['peak_mb']:>8.0f} "
                    f"{score:>6} {kept:>6}"
                )
    if "apertium" in engines:
        quality_and_speed()


if __name__ == "__main__":
    main()
