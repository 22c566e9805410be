"""The reference set (tests/reference/en-es.tsv): English sentences from the sample summaries with careful
human Spanish translations, and how a translation of them is scored (chrF) and checked (citations, links and
figures kept). Used by tests/test_quality.py and benchmarks/translate.py."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from toolkit.model import Cite, Code, Emph, Inline, Link, Paragraph, Strong, Text
from toolkit.read.markdown import read_summary
from toolkit.translate.engines import Engine
from toolkit.translate.glossary import load_glossary
from toolkit.translate.qa import billions_as_millions
from toolkit.translate.translator import Translator

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "reference" / "en-es.tsv"  # sentences of the sample summaries
UNSEEN = ROOT / "tests" / "reference" / "unseen-en-es.tsv"  # sentences written apart from the samples
UNSEEN_ES = ROOT / "tests" / "reference" / "unseen-es-en.tsv"  # Spanish sentences written apart, careful English
GLOSSARY = ROOT / "inputs" / "glossary.csv"


@dataclass(frozen=True)
class Pair:
    en: str  # Markdown, with Pandoc citations
    es: str


def load_pairs(path: Path = REFERENCE) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Pair(row["en"], row["es"]) for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def render(inlines: tuple[Inline, ...]) -> str:
    """Inlines back to Markdown-like text, in the form the reference is written in."""
    out = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Code):
            out.append(f"`{node.text}`")
        elif isinstance(node, Emph):
            out.append(f"*{render(node.children)}*")
        elif isinstance(node, Strong):
            out.append(f"**{render(node.children)}**")
        elif isinstance(node, Link):
            out.append(f"[{render(node.children)}]({node.target})")
        elif isinstance(node, Cite):
            items = "; ".join("@" + i.key + (i.suffix if i.suffix.startswith(",") else "") for i in node.items)
            out.append(f"[{items}]")
    return "".join(out)


def read_sentences(sentences: list[str], lang: str = "en") -> list[tuple[Inline, ...]]:
    """Each sentence, written in `lang`, read by briefkit's own reader, as the inlines of one paragraph."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reference.md"
        front = f"---\ntitle: Reference\nsource: reference\ndate: 2025-01-01\nlang: {lang}\n---\n\n"
        path.write_text(front + "\n\n".join(sentences) + "\n", encoding="utf-8")
        document = read_summary(path, None, lang)
    paragraphs = [b.children for b in document.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) == len(sentences)
    return paragraphs


def pipeline(engine: Engine, sentences: list[str], source: str = "en") -> list[str]:
    """The briefkit pipeline: reader, protected spans, glossary, batched engine, restore (`source`: the
    sentences' language, "en" or "es"; they are translated into the other)."""
    from toolkit.model import Document, SummaryMeta

    paragraphs = read_sentences(sentences, source)
    document = Document(SummaryMeta("Reference", "reference"), (Text("Reference"),), tuple(map(Paragraph, paragraphs)))
    target, source_tag = ("es-ES", "en-US") if source == "en" else ("en-US", "es-ES")
    translator = Translator(engine, None, load_glossary(GLOSSARY), target, source_lang=source_tag)
    (out,) = translator.translate_documents([document])
    return [render(b.children) for b in out.blocks]  # type: ignore[union-attr]


def apertium_one(sentence: str) -> str:
    """Apertium called the naive way: one process for one sentence, plain text in and out."""
    binary = shutil.which("apertium") or "apertium"
    result = subprocess.run([binary, "-u", "eng-spa"], input=sentence, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def apertium_raw(sentences: list[str], mode: str = "eng-spa") -> list[str]:
    """Raw Apertium output, batched: one process, one sentence per line, nothing protected."""
    binary = shutil.which("apertium") or "apertium"
    result = subprocess.run(
        [binary, "-u", mode], input="\n".join(sentences) + "\n", capture_output=True, text=True, check=True
    )
    lines = [line.strip() for line in result.stdout.rstrip("\n").split("\n")]
    assert len(lines) == len(sentences)
    return lines


def real_argos_models() -> list[Path]:
    """Real `.argosmodel` files in ../shared/models, if this machine ever has any."""
    shared = ROOT.parent / "shared" / "models"
    return sorted(shared.glob("*.argosmodel")) if shared.is_dir() else []


# --- scoring ------------------------------------------------------------------------------------------------

QUOTES = str.maketrans({c: '"' for c in "«»“”„‘’'"} | {"\u00a0": " ", "\u202f": " "})


def chrf(hypotheses: list[str], references: list[str]) -> float:
    import sacrebleu

    def norm(text: str) -> str:
        return text.translate(QUOTES)

    return float(sacrebleu.corpus_chrf([norm(h) for h in hypotheses], [[norm(r) for r in references]]).score)


def kept(source: str) -> Counter[str]:
    """What a translation must keep: citation keys with their locators, link targets, figures."""
    things: Counter[str] = Counter()
    things.update("cite:" + m for m in re.findall(r"@[\w:-]+(?:, (?:pp?\. )?[\d-]+)?", source))
    things.update("link:" + m for m in re.findall(r"\]\((\S+?)\)", source))
    prose = re.sub(r"\[[^\]]*@[^\]]*\]|@[\w:-]+|\]\(\S+?\)", "", source)  # without citations and link targets
    prose = billions_as_millions(prose)  # Spanish counts "mil millones": $3.2 billion is 3200 millones
    figures = re.findall(r"(?<![\d-])\d+(?:[,.\u00a0 ]\d{3})*(?:[.,]\d+)?(?!\d)", prose)
    things.update("figure:" + re.sub(r"\D", "", f) for f in figures)
    return things


def kept_share(sources: list[str], outputs: list[str]) -> float:
    """The share of citations, links and figures of the sources found intact in the outputs."""
    total = found = 0
    for source, output in zip(sources, outputs, strict=True):
        wanted, got = kept(source), kept(output)
        total += sum(wanted.values())
        found += sum((wanted & got).values())
    return found / total if total else 1.0


# --- error classes: what an editor would have to fix, counted mechanically -----------------------------------

SPANISH_SHORT = set(
    "de la el en y a los las del se que un una por con no su al es lo como más o pero sus le ya".split()
)
ENGLISH_AFFIXES = re.compile(r"\[(?:see|e\.g\.,|but see|cf\.)\s|(?:chap\.|emphasis added|para\.)\s*\d*\]", re.I)


def error_classes(sources: list[str], outputs: list[str], references: list[str]) -> Counter[str]:
    """Counts, over a set, of the mechanical error classes: English words left, title-case English phrases kept
    that the reference translates, a capital letter mid-sentence the reference has in lower case, doubled
    punctuation, and citation affixes left in English."""
    found: Counter[str] = Counter()
    for source, output, reference in zip(sources, outputs, references, strict=True):
        ref_words = set(re.findall(r"[^\W\d_]+", reference.lower()))
        src_words = set(re.findall(r"[^\W\d_]+", source.lower()))
        for word in re.findall(r"[^\W\d_]+", output):
            lower = word.lower()
            if len(lower) >= 3 and lower in src_words and lower not in ref_words and lower not in SPANISH_SHORT:
                found["English words left"] += 1
        for phrase in re.findall(r"(?:[A-Z][a-z]+ ){1,4}[A-Z][a-z]+", source):
            if phrase in output and phrase not in reference:
                found["title-case phrases kept"] += 1
        for m in re.finditer(r"(?<=[a-záéíóúñ,;] )([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)", output):
            if re.search(rf"(?<![\w]){re.escape(m.group(1).lower())}(?![\w])", reference):
                found["capital mid-sentence"] += 1
        found["doubled punctuation"] += len(re.findall(r"\.\.(?!\.)|,,|\s[.,;:](?=\s|$)", output))
        found["English citation affixes"] += len(ENGLISH_AFFIXES.findall(output))
    return found


def kept_names(source: str, reference: str) -> list[str]:
    """The names of people, organizations and publications that the careful translation keeps as written:
    runs of capitalized words of the English found verbatim in the reference."""
    runs = re.findall(r"[A-Z][\w'’.-]*(?:\s(?:of|for|the|de|del|and)?\s?[A-Z][\w'’.-]*)*", source)
    return [r for r in runs if " " in r.strip() and r in reference or (r.isupper() and len(r) > 2 and r in reference)]


def names_kept_share(sources: list[str], outputs: list[str], references: list[str]) -> float:
    total = found = 0
    for source, output, reference in zip(sources, outputs, references, strict=True):
        for name in kept_names(source, reference):
            total += 1
            found += name in output
    return found / total if total else 1.0
