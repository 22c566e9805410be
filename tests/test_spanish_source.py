"""Packets written in Spanish (`languages: [es, en]`): the English forms of Spanish dates, figures and amounts,
the glossary read the other way, and the sample packet built through the CLI with real Apertium (spa-eng)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from tests.conftest import INPUTS, run_cli, sid
from tests.test_hostile import engine_env
from tests.test_review import edit_table, xliff_schema
from toolkit.model import Text
from toolkit.translate.dates import english_date
from toolkit.translate.engines import ApertiumEngine
from toolkit.translate.english import english_money, english_number, english_plural
from toolkit.translate.glossary import load_glossary
from toolkit.translate.memory import TranslationMemory
from toolkit.translate.protect import Protector
from toolkit.translate.segments import markup_as_text

PACKET = "inputs/packets/carteles-es.yaml"
GLOSSARY = load_glossary(INPUTS / "glossary.csv")


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        ("8 de marzo de 2023", "March 8, 2023"),
        ("9 de agosto", "August 9"),
        ("31 de Diciembre de 1999", "December 31, 1999"),
    ],
)
def test_a_spanish_date_is_written_the_english_way(spanish: str, english: str) -> None:
    assert english_date(spanish) == english


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        ("200 000", "200,000"),
        ("200.000", "200,000"),
        ("200\u00a0000", "200,000"),
        ("1.500", "1,500"),
        ("1500", "1500"),  # four digits without a separator: a year as often as not, left as written
        ("2023", "2023"),
        ("2,5", "2.5"),
        ("12 345,75", "12,345.75"),
        ("30 %", "30%"),
        ("30\u00a0%", "30%"),
        ("30 por ciento", "30%"),
        ("2,5-3 %", "2.5-3%"),
    ],
)
def test_a_spanish_figure_is_written_the_english_way(spanish: str, english: str) -> None:
    assert english_number(spanish) == english


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        ("50 millones de dólares", "$50 million"),
        ("1500 millones de dólares", "$1.5 billion"),
        ("1 500 millones de dólares", "$1.5 billion"),
        ("2,5 millones de dólares", "$2.5 million"),
        ("3 mil millones de dólares", "$3 billion"),
        ("2500 dólares", "$2,500"),
        ("1 millón de dólares", "$1 million"),
    ],
)
def test_a_spanish_amount_is_written_the_english_way(spanish: str, english: str) -> None:
    assert english_money(spanish) == english


def test_english_plurals_of_glossary_terms() -> None:
    assert [english_plural(p) for p in ("cartel", "policy", "Secretary of State", "tax", "day")] == [
        "cartels",
        "policies",
        "Secretaries of State",
        "taxes",
        "days",
    ]


def test_a_spanish_text_s_spans_are_found_in_spanish_and_given_in_english() -> None:
    protect = Protector(GLOSSARY, source_lang="es")
    text = (
        "El Departamento de Justicia y la ONU citaron al Cártel de Sinaloa el 8 de marzo de 2023: "
        "50 millones de dólares, un 30 % y 200 000 dosis; véase https://example.org/a."
    )
    spans = {text[s.start : s.end]: (s.target, s.kind) for s in protect(text)}
    assert spans["Departamento de Justicia"] == ("Department of Justice", "term")
    assert spans["ONU"] == ("UN", "term")
    assert spans["Cártel de Sinaloa"] == ("Sinaloa Cartel", "term")
    assert spans["el 8 de marzo de 2023"] == ("on March 8, 2023", "date")  # English says "on", not "the"
    assert spans["50 millones de dólares"] == ("$50 million", "money")
    assert spans["30 %"] == ("30%", "number")
    assert spans["200 000"] == ("200,000", "number")
    assert spans["https://example.org/a"] == ("https://example.org/a", "url")
    after = "Rige desde el 8 de marzo. El 9 de abril de 2024 cerró."
    dates = {after[s.start : s.end]: s.target for s in protect(after) if s.kind == "date"}
    assert dates == {"8 de marzo": "March 8", "El 9 de abril de 2024": "On April 9, 2024"}
    # the English-source protector finds none of the Spanish forms
    english = {text[s.start : s.end] for s in Protector(GLOSSARY)(text)}
    assert "8 de marzo de 2023" not in english and "50 millones de dólares" not in english


def test_apertium_translates_spanish_into_english() -> None:
    engine = ApertiumEngine("es-en")
    assert engine.mode == "spa-eng" and engine.model.endswith(" spa-eng")
    [out] = engine.translate(["El gobierno firmó una <g1>orden</g1> contra los cárteles <x2/>."])
    assert out.startswith("The government signed") and "<g1>" in out and "<x2/>" in out
    assert ApertiumEngine().model != engine.model  # the direction is part of what a memory records


def test_the_spanish_sample_packet_builds_with_an_english_edition(tmp_path: Path) -> None:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = engine_env(tmp_path)
    result = run_cli("build", PACKET, "--out", "out", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "carteles-es"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["languages"] == ["es-ES", "en-US"]
    assert manifest["translation"]["model"].endswith("spa-eng") and manifest["translation"]["translated"] > 30

    body = docx.Document(str(folder / "carteles-es.docx")).element.body
    runs = [(r.find(qn("w:rPr")), "".join(t.text or "" for t in r.iter(qn("w:t")))) for r in body.iter(qn("w:r"))]

    def language(props: object) -> str:
        lang = props.find(qn("w:lang")) if props is not None else None  # type: ignore[attr-defined]
        return lang.get(qn("w:val")) if lang is not None else ""

    english = " ".join(text for props, text in runs if language(props) == "en-US")
    spanish = " ".join(text for props, text in runs if language(props) == "es-ES")
    assert "50 millones de dólares" in spanish and "8 de marzo" in spanish  # the source, as written
    assert "$50 million" in english and "March 8, 2023" in english and "50%" in english and "30%" in english
    assert "millones" not in english and "dólares" not in english and "%" not in english.replace("0%", "")
    assert "The government" in english or "The president" in english  # Apertium's English, not the Spanish
    assert "«" not in english  # English quotation marks

    pdf = "\n".join(page.extract_text() for page in PdfReader(folder / "carteles-es.pdf").pages)
    assert "La edición en inglés se tradujo automáticamente sin conexión" in pdf  # the cover, in Spanish
    assert "English edition" in pdf and "Edición en español" in pdf
    # each half's citations in its own locale: the English notes as Chicago writes them in English
    assert "“Declare War on Fentanyl,” The Highland County Press, November 9, 2024." in pdf
    assert "«Declare War on Fentanyl», The Highland County Press, 9 de noviembre de 2024." in pdf

    memory = TranslationMemory(tmp_path / "inputs" / ".briefkit" / "memory.sqlite", read_only=True)
    try:
        assert memory.counts().keys() == {("es-en", "machine")}
        units = memory.units("es-en")
        assert any("firmó en secreto una directiva" in markup_as_text(u.source) for u in units)
    finally:
        memory.close()
    qa = json.loads((folder / "qa.json").read_text())
    assert {f["kind"] for f in qa["findings"]} <= {"unknown-words", "untranslated", "length", "figure"}
    assert qa["errors"] == 0 and qa["model"].endswith("spa-eng")

    again = run_cli("build", PACKET, "--out", "out", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads((folder / "manifest.json").read_text())["translation"]["translated"] == 0
    db = sqlite3.connect(tmp_path / "inputs" / ".briefkit" / "memory.sqlite")
    assert db.execute("SELECT count(*) FROM units WHERE pair = 'en-es'").fetchone() == (0,)


def test_the_review_loop_runs_from_spanish_into_english(tmp_path: Path) -> None:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = engine_env(tmp_path)
    built = run_cli("build", PACKET, "--out", "out", "--format", "docx", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    exported = run_cli("review", "export", PACKET, "--out", "review", cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    folder = tmp_path / "review" / "carteles-es"
    xliff = (folder / "carteles-es.review.xlf").read_text()
    assert 'source-language="es-ES"' in xliff and 'target-language="en-US"' in xliff
    table = folder / "carteles-es.review.docx"
    header = [c.text for c in docx.Document(str(table)).tables[0].rows[0].cells]
    assert header[:3] == ["ID", "Spanish", "Translation (en-US)"]
    edit_table(table, {sid("directiva-militar-carteles-001"): "What happened"})
    imported = run_cli("review", "import", str(table), cwd=tmp_path, env=env)
    assert imported.returncode == 0 and "stored 1 corrections" in imported.stdout, imported.stderr
    status = run_cli("review", "status", PACKET, "--json", cwd=tmp_path, env=env)
    assert json.loads(status.stdout)["total"]["reviewed"] == 1
    rebuilt = run_cli("build", PACKET, "--out", "out", "--format", "docx", cwd=tmp_path, env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    headings = [p.text for p in docx.Document(str(tmp_path / "out/carteles-es/carteles-es.docx")).paragraphs]
    assert "What happened" in headings and "Qué ocurrió" in headings  # the correction, in the English half


MIXED = "inputs/packets/cartels-two-languages.yaml"


def test_a_packet_of_both_languages_has_every_summary_in_both_and_reviews_both_ways(tmp_path: Path) -> None:
    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    env = engine_env(tmp_path)
    built = run_cli("build", MIXED, "--out", "out", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    folder = tmp_path / "out" / "cartels-two-languages"
    pdf = "\n".join(page.extract_text() for page in PdfReader(folder / "cartels-two-languages.pdf").pages)
    # the cover says what was translated from what, in the first language
    assert "from Spanish into English, “Opinión: declarar la guerra al fentanilo”" in " ".join(pdf.split())
    assert "from English into Spanish, “Trump orders the Pentagon" in " ".join(pdf.split())
    before, spanish = pdf.rsplit("Edición en español", 1)  # the halves, after the contents
    english = before.rsplit("English edition", 1)[1]
    assert "Opinión: declarar la guerra al fentanilo" in spanish  # the Spanish original, in its edition
    assert "Opinion: declare the war to the fentanyl" in english  # and translated, in the English one
    assert "The report" in english and "El informe" in spanish  # an English original, and its translation
    memory = TranslationMemory(tmp_path / "inputs" / ".briefkit" / "memory.sqlite", read_only=True)
    try:
        assert {pair for pair, _ in memory.counts()} == {"en-es", "es-en"}
    finally:
        memory.close()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["translation"]["model"].count("apertium-eng-spa") == 2

    exported = run_cli("review", "export", MIXED, "--out", "review", cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    review = tmp_path / "review" / "cartels-two-languages"
    xliff = etree.parse(str(review / "cartels-two-languages.review.xlf"))
    assert xliff_schema().validate(xliff), xliff_schema().error_log
    files = xliff.getroot().findall("{*}file")
    assert [(f.get("source-language"), f.get("target-language")) for f in files] == [
        ("en-US", "es-ES"),
        ("es-ES", "en-US"),
    ]
    table = review / "cartels-two-languages.review.docx"
    headers = [tuple(c.text for c in t.rows[0].cells[:3]) for t in docx.Document(str(table)).tables]
    assert ("ID", "Spanish", "Translation (en-US)") in headers and ("ID", "English", "Translation (es-ES)") in headers
    edit_table(
        table, {sid("guerra-contra-el-fentanilo-001"): "The case", sid("bombing-without-consent-001"): "El reportaje"}
    )
    imported = run_cli("review", "import", str(table), cwd=tmp_path, env=env)
    assert imported.returncode == 0 and "stored 2 corrections" in imported.stdout, imported.stderr
    rebuilt = run_cli("build", MIXED, "--out", "out", "--format", "docx", cwd=tmp_path, env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    headings = [p.text for p in docx.Document(str(folder / "cartels-two-languages.docx")).paragraphs]
    assert "The case" in headings and "El reportaje" in headings  # each correction in its own direction
    status = run_cli("review", "status", MIXED, "--json", cwd=tmp_path, env=env)
    assert json.loads(status.stdout)["total"]["reviewed"] == 2


def test_a_spanish_citation_s_affixes_read_in_english() -> None:
    from toolkit.model import Cite, CiteItem
    from toolkit.translate.english import english_citations

    spanish = Cite(
        (
            CiteItem("a", prefix="véase", suffix=", cap. 4, énfasis añadido"),
            CiteItem("b", prefix="Pero véase", suffix=", párr. 3"),
            CiteItem("c", prefix="según", suffix=", 12"),  # an affix of no table: as written
        )
    )
    (english,) = english_citations((spanish,))
    assert isinstance(english, Cite)
    assert [(i.prefix, i.suffix) for i in english.items] == [
        ("see", ", chapter 4, emphasis added"),  # the label every English locale reads
        ("But see", ", para. 3"),
        ("según", ", 12"),
    ]


def test_an_argos_model_from_spanish_is_found_and_keeps_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Argos path the other way: a real (tiny, random) es→en package installed, chosen for es→en only, and
    run through the pipeline on the Spanish reference set; its English is noise, what is kept is checked."""
    from tests.reference_set import UNSEEN_ES, kept, load_pairs, pipeline
    from tests.tiny_argos import build_tiny_argos_package
    from toolkit.errors import BriefkitError
    from toolkit.translate.engines import ArgosEngine, find_model, install_model, select_engine
    from toolkit.translate.qa import billions_as_millions

    monkeypatch.setenv("BRIEFKIT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    model = install_model(build_tiny_argos_package(tmp_path / "work", direction=("es", "en")))
    assert find_model("es", "en") == model and find_model("en", "es") is None
    engine = select_engine("argos", pair="es-en")
    assert isinstance(engine, ArgosEngine) and engine.model == "tiny es→en (test model) 0.1"
    with pytest.raises(BriefkitError, match="no English→Spanish Argos model is installed"):
        select_engine("argos", pair="en-es")
    assert select_engine("auto", pair="en-es").name == "apertium"  # auto: Apertium where no model goes that way
    sources = [pair.es for pair in load_pairs(UNSEEN_ES)]
    for source, output in zip(sources, pipeline(engine, sources, "es"), strict=True):
        wanted, got = kept(source), kept(output)
        for thing in wanted:  # every citation and link intact; every figure's digits there, though the
            if thing.startswith("figure:"):  # model's noise may run into them ("2023" then "4": 20234)
                assert thing[7:] in re.sub(r"\D", "", billions_as_millions(output)), (thing, output)
            else:
                assert got[thing] >= wanted[thing], (thing, output)


@pytest.mark.parametrize(
    ("engine_output", "expected"),
    [
        ("The president <x1/> signed.", "President <x1/> signed."),  # a title and a name: no article
        ("presented by the <x2/> <x3/> on <x4/>.", "presented by <x2/> <x3/> on <x4/>."),  # the title a glossary term
        ("The president signed.", "The president signed."),  # no name after it
        ("the <x4/> said", "the <x4/> said"),  # a date, not a name
    ],
)
def test_a_title_before_a_name_loses_the_spanish_article(engine_output: str, expected: str) -> None:
    from toolkit.translate.postedit import title_before_a_name
    from toolkit.translate.segments import make_segment

    protect = Protector(GLOSSARY, source_lang="es")
    text = "El presidente Donald Trump firmó; el senador Roger Marshall, el 8 de marzo."
    protect.learn([text])
    segment = make_segment((Text(text),), protect)
    assert [segment.kinds[n] for n in sorted(segment.kinds)] == ["term", "term", "name", "date"]
    assert title_before_a_name(segment, engine_output) == expected


def test_review_messages_name_the_source_language_not_english() -> None:
    """A segment written in Spanish whose text changed after a person translated it: the QA report and the
    review status say so in terms of its own languages."""
    from toolkit.review.status import ReviewCounts
    from toolkit.translate.qa import check_needs_review
    from toolkit.translate.translator import SegmentResult

    result = SegmentResult((Text("El argumento central"),), (Text("The central argument"),), (), "machine",
                           "guerra-a1b2c3", "The case", (), "es")  # fmt: skip
    [(_, _, message)] = list(check_needs_review(result, GLOSSARY))
    assert message == "the Spanish changed since a person translated it; their earlier English was: The case"
    reason = ReviewCounts(segments=3, machine=1, needs_review=1).reason("reviewed")
    assert "English" not in reason and "1 need review after their source text changed" in reason


@pytest.mark.parametrize(
    ("languages", "summary", "target_words"),
    [("[en-GB, es-CL]", "fentanyl-war.md", "es"), ("[es-CL, en]", "directiva-militar-carteles.md", "en")],
)
def test_a_regional_source_language_is_translated(
    tmp_path: Path, languages: str, summary: str, target_words: str
) -> None:
    """A packet in regional tags (en-GB, es-CL) translates its summaries whatever region their `lang` names:
    the direction is the languages', the tags only the editions'."""
    from toolkit.model.languages import function_word_shares

    shutil.copytree(INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns(".briefkit"))
    packet = tmp_path / "inputs" / "packets" / "regional.yaml"
    packet.write_text(
        f"id: regional\ntitle: Regional\norganization: Test desk\ndate: 2025-08-12\nlanguages: {languages}\n"
        "citation_style: chicago-author-date\nbibliography: ../references.json\nglossary: ../glossary.csv\n"
        f"summaries:\n  - ../summaries/{summary}\n"
    )
    built = run_cli("build", str(packet), "--out", "out", "--format", "docx", cwd=tmp_path, env=engine_env(tmp_path))
    assert built.returncode == 0, built.stderr
    manifest = json.loads((tmp_path / "out" / "regional" / "manifest.json").read_text())
    assert manifest["translation"]["translated"] > 10
    document = docx.Document(str(tmp_path / "out" / "regional" / "regional.docx"))
    texts = [p.text for p in document.paragraphs]
    heading = "Edición en español" if target_words == "es" else "English edition"
    second_half = texts[len(texts) - texts[::-1].index(heading) :]
    shares, _ = function_word_shares(" ".join(second_half))
    other = "en" if target_words == "es" else "es"
    assert shares[target_words] > 2 * shares[other], second_half[:5]
