"""Translation through the real Apertium engine, with placeholders, glossary and the SQLite memory."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tests.conftest import INPUTS
from toolkit.errors import BriefkitError
from toolkit.model import Cite, CiteItem, Code, Document, Emph, Link, Note, Paragraph, SummaryMeta, Text, plain_text
from toolkit.translate.engines import ApertiumEngine
from toolkit.translate.glossary import Glossary, Term, load_glossary
from toolkit.translate.memory import TranslationMemory
from toolkit.translate.protect import Protector
from toolkit.translate.translator import Translator

GLOSSARY = load_glossary(INPUTS / "glossary.csv")


class CountingEngine:
    """The real Apertium engine, counting the segments it is asked to translate."""

    def __init__(self) -> None:
        self.inner = ApertiumEngine()
        self.name, self.model = self.inner.name, self.inner.model
        self.calls: list[str] = []

    def translate_marked(self, markups: list[str]) -> list[str]:
        return self.translate(markups)

    def start(self) -> None:
        self.inner.start()

    def translate(self, markups: list[str]) -> list[str]:
        self.calls.extend(markups)
        return self.inner.translate(markups)


class DroppingEngine(CountingEngine):
    """Apertium, except that it loses every placeholder in a whole-segment call (as neural models do)."""

    def translate_marked(self, markups: list[str]) -> list[str]:
        return self.translate(markups)

    def translate(self, markups: list[str]) -> list[str]:
        out = super().translate(markups)
        return [t.replace("<x1/>", "") if "<x2/>" in m else t for m, t in zip(markups, out, strict=True)]


def doc(*paragraphs: tuple) -> Document:  # type: ignore[type-arg]
    return Document(SummaryMeta("T", "s"), (Text("The report"),), tuple(Paragraph(p) for p in paragraphs))


def spanish(d: Document) -> list[str]:
    return [plain_text(b.children) for b in d.blocks]  # type: ignore[union-attr]


def test_apertium_keeps_names_numbers_citations_and_formatting(tmp_path: Path) -> None:
    source = doc(
        (
            Text("Donald Trump offered a $50 million reward on March 8, 2023, according to "),
            Emph((Text("the black report"),)),
            Text(" "),
            Cite((CiteItem("a", suffix=", p. 4"),)),
            Text(". See "),
            Link("https://example.org/a", (Text("the report"),)),
            Text("."),
            Note((Paragraph((Code("n"),)),)),
        )
    )
    translator = Translator(ApertiumEngine(), None, GLOSSARY)
    (out,) = translator.translate_documents([source])
    children = out.blocks[0].children  # type: ignore[union-attr]
    text = plain_text(children)
    assert "Donald Trump" in text and "Triunfo" not in text
    assert "50 millones de dólares" in text and "8 de marzo de 2023" in text
    assert Cite((CiteItem("a", suffix=", p. 4"),)) in children and Note((Paragraph((Code("n"),)),)) in children
    assert any(
        isinstance(n, Link) and n.target == "https://example.org/a" and "informe" in plain_text(n.children)
        for n in children
    )
    assert any(isinstance(n, Emph) and "negro" in plain_text(n.children) for n in children)
    assert not any(mark in text for mark in ("*", "#", "Bk1"))
    assert plain_text(out.title) == "El informe"


def test_glossary_terms_with_plurals_and_case() -> None:
    protect = Protector(GLOSSARY)
    text = "Transnational criminal organizations and the Jalisco New Generation Cartel fight other cartels."
    found = {text[span.start : span.end]: span.target for span in protect(text)}
    assert found["Transnational criminal organizations"] == "Organizaciones criminales transnacionales"
    assert found["the Jalisco New Generation Cartel"] == "el Cártel de Jalisco Nueva Generación"  # article agrees
    assert found["cartels"] == "cárteles"
    assert len(GLOSSARY.terms) >= 40
    # A singular phrase ending in "s" takes a singular article; typographic apostrophes match plain ones.
    text = "Sessions ties the war on drugs to the National Sheriffs’ Association."
    found = {text[span.start : span.end]: span.target for span in protect(text)}
    assert found["the war on drugs"] == "la guerra contra las drogas"
    assert found["the National Sheriffs’ Association"] == "la Asociación Nacional de Alguaciles"


def test_memory_hits_skip_the_engine_and_approved_targets_win(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "memory.sqlite")
    source = doc((Text("The cat is black."),), (Text("The dog is big."),))
    first = CountingEngine()
    Translator(first, memory, Glossary(())).translate_documents([source])
    assert len(first.calls) == 3  # title + two paragraphs
    memory.store([("The cat is black.", "El gato es negro, sin duda.")], "en-es", "approved", "editor", "", "ana")
    second = CountingEngine()
    translator = Translator(second, memory, Glossary(()))
    (out,) = translator.translate_documents([source])
    assert second.calls == []
    assert spanish(out)[0] == "El gato es negro, sin duda."
    memory.store([("The cat is black.", "machine again")], "en-es", "machine", "apertium", "x", "briefkit")
    assert memory.lookup(["The cat is black."], "en-es")["The cat is black."].status == "approved"
    memory.close()


def test_lost_placeholders_are_retried_piece_by_piece() -> None:
    engine = DroppingEngine()
    translator = Translator(engine, None, Glossary(()))
    source = doc(
        (
            Text("The first study "),
            Cite((CiteItem("a"),)),
            Text(" and the second study "),
            Cite((CiteItem("b"),)),
            Text(" agree."),
        ),
    )
    (out,) = translator.translate_documents([source])
    children = out.blocks[0].children  # type: ignore[union-attr]
    assert [n for n in children if isinstance(n, Cite)] == [Cite((CiteItem("a"),)), Cite((CiteItem("b"),))]
    assert len(translator.report.retried) == 1 and translator.report.problems == []
    assert "estudio" in plain_text(children)


def test_two_concurrent_writers_leave_a_consistent_memory(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"

    def work(n: int) -> None:
        memory = TranslationMemory(path)
        for i in range(50):
            memory.store([(f"segment {i}", f"target {n}-{i}")], "en-es", "machine", "apertium", "m", f"w{n}")
        memory.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 50


def test_a_damaged_memory_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    from toolkit.errors import BriefkitError

    with pytest.raises(BriefkitError, match="translation memory is damaged"):
        TranslationMemory(path)


def test_unused_glossary_entries_do_not_match_lowercase_names() -> None:
    protect = Protector(Glossary((Term("Sessions", "Sessions"),)))
    assert protect("Two sessions of the court.") == []
    assert protect("Jeff Sessions spoke.")  # the name is kept


def test_glossary_gender_number_and_article_columns(tmp_path: Path) -> None:
    """CSV columns gender, number, article (and TBX termNotes) make articles agree with glossary terms."""
    csv_path = tmp_path / "g.csv"
    csv_path.write_text(
        "en,es,note,gender,number,article\nUnited States,Estados Unidos,,m,pl,no\nclause,cláusula,,f\n"
        "harm reduction,reducción de daños\n"
    )
    protect = Protector(load_glossary(csv_path))
    assert [s.target for s in protect("Officials in the United States added a clause.")] == [
        "Estados Unidos",
        "una cláusula",
    ]
    assert [s.target for s in protect("The harm reduction approach")] == ["reducción de daños"]
    tbx_path = tmp_path / "g.tbx"
    tbx_path.write_text(
        '<?xml version="1.0"?><martif type="TBX" xml:lang="en"><text><body><termEntry>'
        '<langSet xml:lang="en"><tig><term>clause</term></tig></langSet>'
        '<langSet xml:lang="es"><tig><term>cláusula</term>'
        '<termNote type="grammaticalGender">feminine</termNote></tig></langSet>'
        "</termEntry></body></text></martif>"
    )
    (term,) = load_glossary(tbx_path).terms
    assert (term.target, term.gender) == ("cláusula", "f")
    bad = tmp_path / "bad.csv"
    bad.write_text("en,es,note,gender\nclause,cláusula,,x\n")
    with pytest.raises(BriefkitError, match="`x` is not a gender"):
        load_glossary(bad)
