"""A 2 MB summary made to hurt backtracking regular expressions, read and segmented as a build does.

    .venv/bin/python benchmarks/adversarial.py

Paragraphs of unclosed-looking citation brackets, note-label look-alikes, long capitalized words and name
runs, e-mail and URL look-alikes, and figures; the reader, the protected-span finder and the segmenter must go
through all of it in time proportional to its size (tests/test_regex_guard.py checks each pattern alone)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

PIECES = [
    "[see @a, p. 4] " + "@a " * 200,
    "Aa of Aa of " * 200,
    "A" * 2_000,
    "a.a.a.a." * 200 + " x@y ",
    "http://." * 200,
    "1,2,3,4.5 " * 200,
    "\\[^a " * 300,
]


def main() -> None:
    from toolkit.read.markdown import read_summary
    from toolkit.translate.glossary import load_glossary
    from toolkit.translate.segment_table import segment_table

    with tempfile.TemporaryDirectory() as tmp:
        for size in (250_000, 1_990_000):
            paragraphs: list[str] = []
            total = 0
            while total < size:
                piece = PIECES[len(paragraphs) % len(PIECES)]
                paragraphs.append(piece)
                total += len(piece) + 2
            path = Path(tmp) / f"adversarial-{size}.md"
            path.write_text("---\ntitle: Adversarial\nsource: a\n---\n\n" + "\n\n".join(paragraphs) + "\n")
            start = time.perf_counter()
            document = read_summary(path)
            read = time.perf_counter() - start
            glossary = load_glossary(ROOT / "inputs" / "glossary.csv")
            start = time.perf_counter()
            segments = segment_table([document], ("en", "es"), glossary, "spanish", ()).rows
            segmented = time.perf_counter() - start
            print(
                f"{path.stat().st_size / 1e6:.2f} MB: read {read:.1f} s, protected spans and segments "
                f"{segmented:.1f} s ({len(segments)} segments)"
            )


if __name__ == "__main__":
    main()
