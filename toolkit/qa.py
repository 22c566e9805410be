"""Quality checks on a translation: what an editor should look at before a packet is published."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

from toolkit.glossary import Glossary
from toolkit.model import Cite, Emph, Inline, Link, NoteRef, Rendered, Strong, Text, plain_text
from toolkit.segments import markup_as_text
from toolkit.translate import SegmentResult, TranslationReport

# Length of Spanish text against its English source, outside which output is suspicious.
LENGTH_RATIO = (0.6, 2.0)
ENGLISH_WORDS = set("the and of to with that which is are was were has have for from this by".split())


@dataclass(frozen=True)
class Finding:
    kind: str  # needs-review, untranslated, placeholder, number, link, citation, glossary, length
    severity: str  # error: must be fixed; warning: look at it
    source: str
    target: str
    message: str


def _references(inlines: tuple[Inline, ...]) -> tuple[Counter[str], Counter[str]]:
    """Link targets and citation/note references, counted."""
    links: Counter[str] = Counter()
    cites: Counter[str] = Counter()

    def visit(nodes: tuple[Inline, ...]) -> None:
        for node in nodes:
            if isinstance(node, Link):
                links[node.target] += 1
            if isinstance(node, Cite):
                cites.update("@" + item.key for item in node.items)
            elif isinstance(node, NoteRef):
                cites["^" + node.note_id] += 1
            if isinstance(node, (Emph, Strong, Link, Rendered)):
                visit(node.children)

    visit(inlines)
    return links, cites


def _prose(inlines: tuple[Inline, ...]) -> str:
    """The visible text without code, which no glossary applies to."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, (Emph, Strong, Link, Rendered)):
            parts.append(_prose(node.children))
    return "".join(parts)


def _figures(text: str) -> Counter[str]:
    """The digits of every figure, whatever its separators (2,500 = 2500 = 2 500; 1.5 = 1,5)."""
    found = re.findall(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?!\d|[,.]\d)|\d+(?:[,.\u00a0\u202f]\d+)*", text)
    return Counter(re.sub(r"\D", "", f) for f in found)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def check_translation(results: list[SegmentResult], glossary: Glossary) -> list[Finding]:
    """Every problem found in the translated segments, in document order."""
    findings: list[Finding] = []
    pattern = glossary.pattern()
    for result in results:
        source, target = plain_text(result.source), plain_text(result.target)

        def add(kind: str, severity: str, message: str) -> None:
            findings.append(Finding(kind, severity, source, target, message))

        if result.earlier_review:
            add(
                "needs-review",
                "warning",
                "the English changed since a person translated it; their earlier Spanish was: "
                + markup_as_text(result.earlier_review),
            )
        if result.origin == "kept-source":
            add("placeholder", "error", "the engine broke the placeholders; the English text was kept")
        elif result.origin == "retried":
            add("placeholder", "warning", "the engine lost placeholders; translated piece by piece around them")
        words = _words(source)
        protected = {w for span in result.protected for w in _words(span)}
        free = [w for w in words if w not in protected]
        if len(free) >= 3 and target.strip() == source.strip():
            add("untranslated", "error", "the target is the English source")
        elif len(free) >= 6:
            english = sum(w in ENGLISH_WORDS for w in _words(target))
            if english / max(1, len(_words(target))) > 0.15:
                add("untranslated", "warning", f"{english} English function words in the Spanish text")
        source_links, source_cites = _references(result.source)
        target_links, target_cites = _references(result.target)
        if source_links != target_links:
            add("link", "error", f"links differ: {sorted(source_links)} → {sorted(target_links)}")
        if source_cites != target_cites:
            add("citation", "error", f"citations differ: {sorted(source_cites)} → {sorted(target_cites)}")
        missing = _figures(source) - _figures(target)
        extra = _figures(target) - _figures(source)
        if missing or extra:
            add("number", "error", f"figures differ: missing {sorted(missing)}, added {sorted(extra)}")
        if pattern is not None:
            target_prose = _prose(result.target).lower()
            for m in pattern.finditer(_prose(result.source)):
                wanted = glossary.lookup(m.group(0))
                if wanted.lower() not in target_prose:
                    add("glossary", "error", f"glossary: “{m.group(0)}” should be “{wanted}”")
        if len(source) >= 25:
            ratio = len(target) / len(source)
            if not LENGTH_RATIO[0] <= ratio <= LENGTH_RATIO[1]:
                add("length", "warning", f"target is {ratio:.2f}× the length of the source")
    return findings


def qa_report(packet_id: str, report: TranslationReport, results: list[SegmentResult], findings: list[Finding]) -> dict:
    """The QA report as JSON-ready data."""
    origins = Counter(r.origin for r in results)
    return {
        "packet": packet_id,
        "engine": report.engine,
        "model": report.model,
        "segments": len(results),
        "origins": dict(sorted(origins.items())),
        "errors": sum(f.severity == "error" for f in findings),
        "warnings": sum(f.severity == "warning" for f in findings),
        "by_kind": dict(sorted(Counter(f.kind for f in findings).items())),
        "findings": [asdict(f) for f in findings],
    }


def qa_markdown(data: dict) -> str:
    """The QA report as a page an editor reads."""
    lines = [
        f"# Translation QA: {data['packet']}",
        "",
        f"Engine: **{data['engine']}** ({data['model']}). Segments: {data['segments']} "
        f"(by origin: {', '.join(f'{n} {k}' for k, n in data['origins'].items())}).",
        "",
        f"**{data['errors']} errors, {data['warnings']} warnings.**",
        "",
    ]
    if not data["findings"]:
        lines.append("No problems found.")
    for kind in sorted({f["kind"] for f in data["findings"]}):
        lines += [f"## {kind.capitalize()}", ""]
        for f in data["findings"]:
            if f["kind"] == kind:
                lines.append(f"- **{f['severity']}**: {f['message']}")
                lines.append(f"  - EN: {f['source']}")
                lines.append(f"  - ES: {f['target']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
