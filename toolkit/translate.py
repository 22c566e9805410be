"""Translating a Document into Spanish: segments, protected spans, memory, batched engine calls, checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from toolkit.engines import Engine
from toolkit.glossary import Glossary, make_protector
from toolkit.memory import TranslationMemory, normalize
from toolkit.model import Block, Document, Inline, map_blocks
from toolkit.segments import PlaceholderError, Segment, make_segment, replace_runs, restore, text_runs

log = logging.getLogger("briefkit")


@dataclass
class TranslationReport:
    """What happened to each segment, for the build log, the manifest and the QA report."""

    engine: str = ""
    model: str = ""
    segments: int = 0
    from_memory: int = 0
    translated: int = 0
    retried: list[str] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)


class Translator:
    """Translates documents through one engine, a memory and a glossary; records what it did."""

    def __init__(
        self, engine: Engine, memory: TranslationMemory | None, glossary: Glossary, target_lang: str = "es-ES"
    ) -> None:
        self.engine = engine
        self.memory = memory
        self.glossary = glossary
        self.protect = make_protector(glossary)
        self.pair = f"en-{target_lang[:2]}"
        self.target_lang = target_lang
        self.report = TranslationReport(engine=engine.name, model=engine.model)

    def translate_documents(self, documents: list[Document]) -> list[Document]:
        """Translate all documents with one batch of engine calls."""
        segments: list[Segment] = []

        def collect(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
            segments.append(make_segment(inlines, self.protect))
            return inlines

        for doc in documents:
            collect(doc.title)
            map_blocks(doc.blocks, collect)
            for blocks in doc.notes.values():
                map_blocks(blocks, collect)
        targets = self._translate_markups([s.markup for s in segments if s.has_text])
        results: list[tuple[Inline, ...]] = []
        for seg in segments:
            results.append(self._restore(seg, targets.get(normalize(seg.markup), seg.markup)))

        it = iter(results)

        def put(_: tuple[Inline, ...]) -> tuple[Inline, ...]:
            return next(it)

        out = []
        for doc in documents:
            title = put(doc.title)
            blocks = map_blocks(doc.blocks, put)
            notes: dict[str, tuple[Block, ...]] = {k: map_blocks(v, put) for k, v in doc.notes.items()}
            out.append(replace(doc, title=title, blocks=blocks, notes=notes, lang=self.target_lang))
        return out

    def _translate_markups(self, markups: list[str]) -> dict[str, str]:
        unique = sorted({normalize(m) for m in markups})
        self.report.segments += len(unique)
        known = self.memory.lookup(unique, self.pair) if self.memory else {}
        targets: dict[str, str] = {}
        todo: list[str] = []
        for key in unique:
            unit = known.get(key)
            # Reviewed and approved targets always win; machine targets only from the same engine.
            if unit and (unit.status != "machine" or unit.model == self.engine.model):
                targets[key] = unit.target
            else:
                todo.append(key)
        self.report.from_memory += len(unique) - len(todo)
        if todo:
            translated = self.engine.translate(todo)
            fresh = []
            for source, target in zip(todo, translated):
                if not self._slots_intact(source, target):
                    target = self._translate_piecewise(source)
                    self.report.retried.append(source)
                targets[source] = target
                fresh.append((source, target))
            self.report.translated += len(todo)
            if self.memory:
                self.memory.store(fresh, self.pair, "machine", self.engine.name, self.engine.model, "briefkit")
        return targets

    @staticmethod
    def _slots_intact(source: str, target: str) -> bool:
        from toolkit.segments import MARKUP

        def slots(text: str) -> list[str]:
            return sorted(m.group(0) for m in MARKUP.finditer(text))

        return slots(source) == slots(target)

    def _translate_piecewise(self, source: str) -> str:
        """Safer form: translate the text between placeholders on its own, keep every marker in place."""
        runs = text_runs(source)
        wanted = [r for r in runs if r.strip()]
        done = dict(zip(wanted, self.engine.translate(wanted))) if wanted else {}
        pieces = []
        for run in runs:
            if run.strip():
                lead = " " if run[:1].isspace() else ""
                trail = " " if run[-1:].isspace() else ""
                pieces.append(lead + done[run].replace("<", "").replace(">", "") + trail)
            else:
                pieces.append(run)
        return replace_runs(source, pieces)

    def _restore(self, seg: Segment, target: str) -> tuple[Inline, ...]:
        try:
            return restore(seg, target)
        except PlaceholderError as exc:
            self.report.problems.append(
                {"segment": seg.markup, "problem": f"placeholders: {exc}", "kind": "placeholder"}
            )
            log.warning("translation kept the English text of a segment whose placeholders broke: %s", seg.markup[:80])
            return restore(seg, seg.markup)
