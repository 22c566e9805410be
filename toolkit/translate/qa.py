"""Quality checks on a translation: what an editor should look at before a packet is published.

One named check per kind of finding (as translate-toolkit's `filters/checks`); each finding has a kind and a
severity from a closed set."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from toolkit.model import Cite, Inline, Link, Note, Text, plain_text, query_inlines
from toolkit.model.languages import FUNCTION_WORDS, language_name, other_language
from toolkit.translate.dates import decades_as_years
from toolkit.translate.glossary import Glossary
from toolkit.translate.memory import EditorNote
from toolkit.translate.segments import markup_as_text
from toolkit.translate.spanish import shift_point
from toolkit.translate.translator import SegmentResult, TranslationReport

FindingKind = Literal[
    "needs-review", "untranslated", "unknown-words", "placeholder", "number", "link", "citation", "glossary", "length"
]
Severity = Literal["error", "warning"]  # error: must be fixed; warning: look at it

# Length of Spanish text against its English source, outside which output is suspicious.
LENGTH_RATIO = (0.6, 2.0)


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    severity: Severity
    source: str
    target: str
    message: str
    segment: str = ""  # the segment id, as review files and `memory history` name it


def _references(inlines: tuple[Inline, ...]) -> tuple[Counter[str], Counter[str]]:
    """Link targets, and citation keys and notes, counted."""

    def reference(node: Inline) -> list[tuple[str, str]]:
        if isinstance(node, Link):
            return [("link", node.target)]
        if isinstance(node, Cite):
            return [("cite", "@" + item.key) for item in node.items]
        if isinstance(node, Note):
            return [("cite", "^note")]
        return []

    found = query_inlines(reference, inlines)
    return Counter(v for k, v in found if k == "link"), Counter(v for k, v in found if k == "cite")


def _prose(inlines: tuple[Inline, ...]) -> str:
    """The visible text without code, which no glossary applies to."""
    return "".join(query_inlines(lambda node: [node.text] if isinstance(node, Text) else [], inlines))


def _figures(text: str) -> Counter[str]:
    """The digits of every figure, whatever its separators (2,500 = 2500 = 2 500; 1.5 = 1,5)."""
    found = re.findall(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?!\d|[,.]\d)|\d+(?:[,.\u00a0\u202f]\d+)*", text)
    return Counter(re.sub(r"\D", "", f) for f in found)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


Check = Callable[[SegmentResult, Glossary], Iterator[tuple[FindingKind, Severity, str]]]


def check_needs_review(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    if result.earlier_review:
        yield (
            "needs-review",
            "warning",
            f"the {language_name(result.source_lang)} changed since a person translated it; their earlier "
            f"{language_name(other_language(result.source_lang))} was: " + markup_as_text(result.earlier_review),
        )


def check_placeholders(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    if result.origin == "kept-source":
        yield "placeholder", "error", "the engine broke the placeholders; the English text was kept"
    elif result.origin == "retried":
        yield "placeholder", "warning", "the engine lost placeholders; translated piece by piece around them"


def check_untranslated(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    source, target = plain_text(result.source), plain_text(result.target)
    protected = {w for span in result.protected for w in _words(span)}
    free = [w for w in _words(source) if w not in protected]
    source_name = language_name(result.source_lang)
    target_name = language_name(other_language(result.source_lang))
    if len(free) >= 3 and target.strip() == source.strip():
        yield "untranslated", "error", f"the target is the {source_name} source"
    elif len(free) >= 6:
        left = sum(w in FUNCTION_WORDS[result.source_lang] for w in _words(target))
        if left / max(1, len(_words(target))) > 0.15:
            yield "untranslated", "warning", f"{left} {source_name} function words in the {target_name} text"


def check_unknown_words(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    """The words the engine did not know: left in English in the Spanish, the first thing to look at."""
    if result.unknown_words:
        yield (
            "unknown-words",
            "warning",
            "words the engine does not know, left as written: " + ", ".join(dict.fromkeys(result.unknown_words)),
        )


def check_references(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    source_links, source_cites = _references(result.source)
    target_links, target_cites = _references(result.target)
    if source_links != target_links:
        yield "link", "error", f"links differ: {sorted(source_links)} → {sorted(target_links)}"
    if source_cites != target_cites:
        yield "citation", "error", f"citations differ: {sorted(source_cites)} → {sorted(target_cites)}"


def billions_as_millions(english: str) -> str:
    """ "$3.2 billion" as Spanish counts it, "3200 million" (mil millones), so that figures compare."""

    def thousand_times(m: re.Match[str]) -> str:
        return shift_point(m.group(1).replace(",", ""), 3) + " million"

    return re.sub(r"(\d[\d,]*(?:\.\d+)?) billion", thousand_times, english)


def check_figures(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    """Every figure of the source in the target: billions as Spanish counts them, decades as their years ("the
    '90s" is "la década de 1990", "los años noventa" is "the 1990s")."""
    source = _figures(billions_as_millions(decades_as_years(plain_text(result.source))))
    target = _figures(billions_as_millions(decades_as_years(plain_text(result.target))))
    missing, extra = source - target, target - source
    if missing or extra:
        yield "number", "error", f"figures differ: missing {sorted(missing)}, added {sorted(extra)}"


def check_glossary(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    pattern = glossary.pattern()
    if pattern is None:
        return
    target_prose = _prose(result.target).lower()
    for m in pattern.finditer(_prose(result.source)):
        wanted = glossary.lookup(m.group(0))
        if wanted.lower() not in target_prose:
            yield "glossary", "error", f"glossary: “{m.group(0)}” should be “{wanted}”"


def check_length(result: SegmentResult, glossary: Glossary) -> Iterator[tuple[FindingKind, Severity, str]]:
    source, target = plain_text(result.source), plain_text(result.target)
    if len(source) >= 25:
        ratio = len(target) / len(source)
        if not LENGTH_RATIO[0] <= ratio <= LENGTH_RATIO[1]:
            yield "length", "warning", f"target is {ratio:.2f}× the length of the source"


CHECKS: tuple[Check, ...] = (
    check_needs_review,
    check_placeholders,
    check_untranslated,
    check_unknown_words,
    check_references,
    check_figures,
    check_glossary,
    check_length,
)


def check_translation(results: list[SegmentResult], glossary: Glossary) -> list[Finding]:
    """Every problem found in the translated segments, in document order."""
    findings: list[Finding] = []
    for result in results:
        source, target = plain_text(result.source), plain_text(result.target)
        for check in CHECKS:
            findings.extend(
                Finding(kind, severity, source, target, message, result.segment_id)
                for kind, severity, message in check(result, glossary)
            )
    return findings


@dataclass(frozen=True)
class QaReport:
    """The QA report of one packet's translation (qa.json)."""

    packet: str
    engine: str
    model: str
    segments: int
    origins: dict[str, int]
    errors: int
    warnings: int
    by_kind: dict[str, int]
    findings: list[Finding] = field(default_factory=list)
    notes: list[EditorNote] = field(default_factory=list)  # editors' notes on the packet's segments

    def summary(self) -> dict[str, Any]:
        """What the manifest keeps of it."""
        return {"errors": self.errors, "warnings": self.warnings, "by_kind": self.by_kind}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def qa_report(
    packet_id: str,
    report: TranslationReport,
    results: list[SegmentResult],
    findings: list[Finding],
    notes: list[EditorNote] | None = None,
) -> QaReport:
    """The QA report of a translation."""
    origins = Counter(r.origin for r in results)
    return QaReport(
        packet=packet_id,
        engine=report.engine,
        model=report.model,
        segments=len(results),
        origins=dict(sorted(origins.items())),
        errors=sum(f.severity == "error" for f in findings),
        warnings=sum(f.severity == "warning" for f in findings),
        by_kind=dict(sorted(Counter(f.kind for f in findings).items())),
        findings=findings,
        notes=[n for n in notes or [] if n.segment in {r.segment_id for r in results}],
    )


def qa_markdown(report: QaReport) -> str:
    """The QA report as a page an editor reads."""
    lines = [
        f"# Translation QA: {report.packet}",
        "",
        f"Engine: **{report.engine}** ({report.model}). Segments: {report.segments} "
        f"(by origin: {', '.join(f'{n} {k}' for k, n in report.origins.items())}).",
        "",
        f"**{report.errors} errors, {report.warnings} warnings.**",
        "",
    ]
    if not report.findings:
        lines.append("No problems found.")
        lines.append("")
    open_notes = [n for n in report.notes if not n.resolved]
    if report.notes:
        lines += [f"## Editor notes ({len(open_notes)} open)", ""]
        for note in report.notes:
            state = "resolved" if note.resolved else "open"
            lines.append(f"- **{note.segment}** ({state}) {note.author}, {note.at[:10]}: {note.text}")
        lines.append("")
    for kind in sorted({f.kind for f in report.findings}):
        lines += [f"## {kind.capitalize()}", ""]
        for f in report.findings:
            if f.kind == kind:
                lines.append(f"- **{f.severity}**: {f.message}")
                lines.append(f"  - EN: {f.source}")
                lines.append(f"  - ES: {f.target}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
