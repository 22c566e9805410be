"""The post-edit rules and the name judgement, each alone on a segment built here, and through real Apertium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reference_set import pipeline
from toolkit.model import Text
from toolkit.translate.engines import ApertiumEngine
from toolkit.translate.english import english_money
from toolkit.translate.glossary import Glossary, load_glossary
from toolkit.translate.names import NAME_RULES, NameRules, analyse, judge
from toolkit.translate.postedit import (
    article_before_dates,
    article_before_percentages,
    capitalize_sentence_start,
    de_after_millions,
    domain_senses,
    doubled_full_stop,
    lowercase_after_slot,
)
from toolkit.translate.protect import Protector
from toolkit.translate.qa import _figures, billions_as_millions
from toolkit.translate.segments import Segment, make_segment


def segment(english: str) -> Segment:
    protect = Protector(Glossary(()))
    protect.learn([english])
    return make_segment((Text(english),), protect)


def test_lowercase_after_slot_only_where_the_english_was_lowercase() -> None:
    seg = segment("Maria Alvarez introduced a bill.")
    assert seg.markup.startswith("<x1/> introduced")
    assert lowercase_after_slot(seg, "<x1/> Presentó un proyecto.") == "<x1/> presentó un proyecto."
    heading = segment("Maria Alvarez Speaks")
    assert lowercase_after_slot(heading, "<x1/> Habla") == "<x1/> Habla"


def test_capitalize_sentence_start() -> None:
    seg = segment("In May, Maria Alvarez spoke.")
    assert capitalize_sentence_start(seg, "en <x1/>, <x2/> habló.") == "En <x1/>, <x2/> habló."
    assert capitalize_sentence_start(segment("and so on"), "y así") == "y así"


def test_article_before_dates_and_percentages() -> None:
    seg = segment("On March 3, 2024, prices rose by 25 percent until May 5.")
    assert seg.kinds == {1: "date", 2: "number", 3: "date"}
    assert article_before_dates(seg, "En <x1/>, los precios subieron por <x2/> hasta <x3/>.") == (
        "El <x1/>, los precios subieron por <x2/> hasta el <x3/>."
    )
    assert article_before_percentages(seg, "subieron por <x2/>") == "subieron un <x2/>"
    assert article_before_percentages(seg, "crecimiento de <x2/>") == "crecimiento del <x2/>"
    assert article_before_percentages(seg, "alcanzó <x2/>") == "alcanzó el <x2/>"
    assert article_before_percentages(seg, "un <x2/>") == "un <x2/>"


def test_domain_senses_only_where_the_english_has_the_word() -> None:
    assert domain_senses(segment("The new policy"), "La póliza nueva") == "La política nueva"
    assert domain_senses(segment("an insurance contract"), "una póliza") == "una póliza"
    assert domain_senses(segment("The article says"), "La prenda dice") == "El artículo dice"
    assert domain_senses(segment("Air strikes hit"), "Las huelgas golpearon") == "Los ataques golpearon"
    assert domain_senses(segment("a general strike"), "una huelga general") == "una huelga general"
    assert domain_senses(segment("at the border"), "en el borde") == "en la frontera"
    assert domain_senses(segment("The memo notes"), "El memo nota") == "El memorando nota"


def test_doubled_full_stop() -> None:
    seg = make_segment((Text("in the U.S."),), lambda text: [])
    seg.slots[1] = Text("EE. UU.")
    assert doubled_full_stop(seg, "en <x1/>.") == "en <x1/>"


@pytest.mark.parametrize(
    ("phrase", "verdict"),
    [
        ("Health Minister Ana Lima", ("keep", 2)),
        ("Donald Trump", ("keep", 0)),
        # common words capitalized inside a sentence, no institution's head: a name (the term base maps these
        # two before names are judged)
        ("Human Rights Watch", ("keep", 0)),
        ("Reporters Without Borders", ("keep", 0)),
        ("March and June", ("translate", 0)),  # "March" is a surname to the tagger: months are no evidence
        ("Mayor Carlos Ortega", ("keep", 1)),  # nor role titles ("Mayor" is a surname too)
        ("The New York Times", ("keep", 0)),
        ("Brookings Institution", ("keep", 0)),
        ("World Health Organization", ("translate", 0)),
        ("Supreme Court", ("translate", 0)),
        ("European Union", ("translate", 0)),
    ],
)
def test_names_are_judged_with_apertiums_analyser(phrase: str, verdict: tuple[str, int]) -> None:
    assert judge(phrase, analyse([phrase]).get(phrase)) == verdict


ENGLISH, SPANISH = NAME_RULES["eng-spa"], NAME_RULES["spa-eng"]


@pytest.mark.parametrize(
    ("phrase", "rules", "opens_sentence", "verdict"),
    [
        # a publication with its capitalized article inside a sentence
        ("The Courier", ENGLISH, False, ("keep", 0)),
        ("The Evening Star", ENGLISH, False, ("keep", 0)),
        ("The Evening Star", ENGLISH, True, ("translate", 0)),  # "The" opening a sentence is no evidence
        ("The Bahamas", ENGLISH, False, ("translate", 0)),  # a place with its article is the engine's
        ("El Heraldo", SPANISH, False, ("keep", 0)),
        ("La Crónica", SPANISH, False, ("keep", 0)),
        # common words capitalized, no institution's head
        ("Open Harbour", ENGLISH, False, ("keep", 0)),
        ("Green Rivers Alliance", ENGLISH, False, ("keep", 0)),
        ("Open Harbour", ENGLISH, True, ("translate", 0)),  # a heading's or sentence's first words: no evidence
        ("Fundación Agua Clara", SPANISH, False, ("keep", 0)),  # one name, not "Fundación Agua" + "Clara"
        ("Fundación Agua Clara", SPANISH, True, ("keep", 0)),  # Spanish capitals are evidence anywhere
        ("Colectivo Tierra Nuestra", SPANISH, False, ("keep", 0)),
        ("Red de Mujeres Rurales", SPANISH, False, ("keep", 0)),
        ("Asamblea Campesina", SPANISH, False, ("keep", 0)),
        # public institutions by their head noun, places, role titles, days: the engine's
        ("Asamblea Nacional", SPANISH, False, ("translate", 0)),
        ("Fiscalía General de la Nación", SPANISH, False, ("translate", 0)),
        ("Ministerio de la Mujer", SPANISH, False, ("translate", 0)),
        ("América Latina", SPANISH, False, ("translate", 0)),
        ("Semana Santa", SPANISH, False, ("translate", 0)),
        ("National Water Commission", ENGLISH, False, ("translate", 0)),
        ("Office for the Protection of Witnesses", ENGLISH, False, ("translate", 0)),
        ("Green Party", ENGLISH, False, ("translate", 0)),
        ("Prime Minister", ENGLISH, False, ("translate", 0)),
        ("South America", ENGLISH, False, ("translate", 0)),
        ("Cold War", ENGLISH, False, ("translate", 0)),
    ],
)
def test_titles_and_names_of_common_words_are_kept_institutions_translated(
    phrase: str, rules: NameRules, opens_sentence: bool, verdict: tuple[str, int]
) -> None:
    mode = "eng-spa" if rules is ENGLISH else "spa-eng"
    assert judge(phrase, analyse([phrase], mode).get(phrase), rules, opens_sentence) == verdict


@pytest.mark.parametrize(
    ("lang", "text", "kept"),
    [
        ("en", "Prices rose, according to The Courier.", ["The Courier"]),
        ("en", "The mayor told The Evening Star on Monday that it was over.", ["The Evening Star"]),
        ("en", "The Evening Star reported it.", ["Evening Star"]),  # after "The", capitalized by choice
        (
            "en",
            "The group Open Harbour and the Green Rivers Alliance sued the Health Ministry.",
            ["Open Harbour", "Green Rivers Alliance"],
        ),
        ("en", "Theresa May spoke.", ["Theresa May"]),  # a month ends no name but after "on" or "of"
        ("es", "Los precios subieron, según El Heraldo.", ["El Heraldo"]),
        ("es", "Lo publicó La Crónica el lunes.", ["La Crónica"]),
        ("es", "Fundación Agua Clara denunció al Ministerio de la Mujer.", ["Fundación Agua Clara"]),
        (
            "es",
            "Se unieron el Colectivo Tierra Nuestra y la Red de Mujeres Rurales ante la Asamblea Nacional.",
            ["Colectivo Tierra Nuestra", "Red de Mujeres Rurales"],
        ),
    ],
)
def test_runs_kept_as_written_where_they_stand(lang: str, text: str, kept: list[str]) -> None:
    protect = Protector(Glossary(()), source_lang=lang)
    protect.learn([text])
    assert [text[s.start : s.end].rstrip(".") for s in protect(text) if s.kind == "name"] == kept


def test_a_surname_alone_is_kept_once_the_full_name_appeared() -> None:
    protect = Protector(Glossary(()))
    protect.learn(["President Donald Trump signed it.", "Trump said so."])
    assert [s.target for s in protect("Trump said so.")] == ["Trump"]
    assert [s.target for s in protect("They met MS-13 members.")] == ["MS-13"]


def test_through_apertium() -> None:
    out = pipeline(
        ApertiumEngine(),
        [
            "The World Health Organization warned that the new policy failed.",
            "Senator Maria Alvarez introduced a bill on March 3, 2024.",
            "Air strikes hit a hospital near the border.",
        ],
    )
    assert out[0].startswith("La Organización Mundial de la Salud") and "política" in out[0]
    assert out[1].startswith("La senadora Maria Alvarez presentó") and "el 3 de marzo de 2024" in out[1]
    assert "ataques aéreos" in out[2].lower() and "frontera" in out[2]


def test_unknown_words_are_reported_and_kept_in_the_memory(tmp_path: Path) -> None:
    """Apertium's unknown-word marks: stripped from the Spanish, listed per segment in the QA findings, and the
    same on a warm run from the memory."""
    from toolkit.model import Document, Paragraph, SummaryMeta
    from toolkit.translate.memory import TranslationMemory
    from toolkit.translate.qa import check_translation
    from toolkit.translate.translator import Translator

    english = "The market took a nosedive after the hawkish speech."
    document = Document(SummaryMeta("T", "s"), (Text("Title"),), (Paragraph((Text(english),)),), source_path="d.md")
    for run in ("cold", "warm"):
        memory = TranslationMemory(tmp_path / "memory.sqlite")
        translator = Translator(ApertiumEngine(), memory, Glossary(()))
        (out,) = translator.translate_documents([document])
        memory.close()
        result = translator.results[1]  # the paragraph, after the title
        assert result.unknown_words == ("nosedive", "hawkish"), run
        assert "*" not in "".join(t.text for t in out.blocks[0].children if isinstance(t, Text))  # type: ignore[union-attr]
        assert translator.report.unknown_words == 2
        findings = [f for f in check_translation(translator.results, Glossary(())) if f.kind == "unknown-words"]
        assert [f.message for f in findings] == ["words the engine does not know, left as written: nosedive, hawkish"]
        assert findings[0].segment == result.segment_id and result.segment_id.startswith("d-")


def test_citation_affixes_and_locator_labels_in_spanish() -> None:
    from toolkit.model import Cite, CiteItem
    from toolkit.translate.spanish import spanish_citations

    cite = Cite((CiteItem("a", prefix="See", suffix=", chap. 4, emphasis added"), CiteItem("b", prefix="e.g.,")))
    (out,) = spanish_citations((cite,))
    assert isinstance(out, Cite)
    assert [(i.prefix, i.suffix) for i in out.items] == [("Véase", ", cap. 4, énfasis añadido"), ("p. ej.,", "")]
    assert spanish_citations((Cite((CiteItem("c", prefix="as argued by"),)),)) == (
        Cite((CiteItem("c", prefix="as argued by"),)),
    )


def test_lowercase_after_slot_also_for_one_letter_words() -> None:
    seg = Segment("The <x1/> and troops", {1: Text("Guardia Nacional")})
    assert lowercase_after_slot(seg, "La <x1/> Y las tropas") == "La <x1/> y las tropas"


@pytest.mark.parametrize(
    ("phrase", "verdict"),
    [
        ("Comisión Nacional del Agua", ("translate", 0)),
        ("Instituto Nacional Electoral", ("translate", 0)),
        ("Secretaría de Salud", ("translate", 0)),
        ("Ana Ruiz", ("keep", 0)),
    ],
)
def test_spanish_institutions_are_translated_and_people_kept(phrase: str, verdict: tuple[str, int]) -> None:
    assert judge(phrase, analyse([phrase], "spa-eng").get(phrase), NAME_RULES["spa-eng"]) == verdict


def test_names_with_and_without_evidence_and_title_case() -> None:
    protect = Protector(load_glossary(None))
    texts = [
        "Food Prices Climb Again in the Andes",
        "Ana Ruiz and Carlos Ortega met Human Rights Watch and the Brookings Institution.",
        "The Office for the Protection of Witnesses opened between March and June.",
    ]
    protect.prefetch(texts)
    assert protect.sentence_case(texts[0]) == "Food prices climb again in the Andes"
    assert protect.sentence_case(texts[1]) == texts[1]  # not a title
    found = {texts[1][s.start : s.end]: s.kind for s in protect(texts[1])}
    assert found == {
        "Ana Ruiz": "name",
        "Carlos Ortega": "name",  # "and" ends a name
        "Human Rights Watch": "term",  # no evidence in the analyser: named by the term base
        "Brookings Institution.": "name",  # a word unknown to the engine (its full stop: see doubled_full_stop)
    }
    assert [s.kind for s in protect(texts[2])] == ["date"]  # the office's words are left to the engine


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("Governor Ana Ruiz said so.", "La gobernadora Ana Ruiz"),
        ("They met Governor Carlos Ortega.", "el gobernador Carlos Ortega"),
        ("Health Minister Ana Lima resigned.", "La ministra de Salud Ana Lima"),
        ("the Minister of Finance Carlos Ortega", "el ministro de Finanzas Carlos Ortega"),
        ("Former President Carlos Ortega spoke.", "El expresidente Carlos Ortega"),
        ("Mayor Kim Lopez said she would run.", "La alcaldesa Kim Lopez"),  # "Kim": gender from "she"
        ("his Senator Ana Ruiz", "senadora Ana Ruiz"),  # no article after a possessive
    ],
)
def test_role_titles_take_the_article_and_the_persons_gender(english: str, spanish: str) -> None:
    protect = Protector(load_glossary(None))
    protect.learn([english])
    assert any(s.target.startswith(spanish) for s in protect(english))


def test_figures_agreement_and_said_that_through_apertium() -> None:
    out = pipeline(
        ApertiumEngine(),
        [
            "Some 4.5 million voters stayed home.",
            "Unions called a 48-hour strike.",
            "The dam was built 40 years ago.",
            "Only 7% of the budget went to schools.",
            "The fund received €25 million.",
            "Governor Ana Ruiz said the ruling was final.",
            '"We will not stop," she said.',
        ],
    )
    assert out[0].startswith("Unos 4,5 millones de votantes")
    assert "huelga de 48 horas" in out[1]
    assert "hace 40 años" in out[2]
    assert out[3].startswith("Solo el 7\u00a0%")
    assert "25 millones de euros" in out[4]
    assert out[5].startswith("La gobernadora Ana Ruiz dijo que el fallo")
    assert out[6].startswith("«No pararemos», ")


@pytest.mark.parametrize(
    ("english", "found", "spanish"),
    [
        ("Some 1.2 billion people", "1.2 billion", "1200 millones"),
        ("raised 63 billion dollars.", "63 billion dollars", "63\u00a0000 millones de dólares"),
        ("lent 2 billion euros", "2 billion euros", "2000 millones de euros"),
        ("pledged $4 billion in aid", "$4 billion", "4000 millones de dólares"),
        ("a 1.5 trillion budget", "1.5 trillion", "1,5 billones"),
        ("sent 4 million pesos", "4 million pesos", "4 millones de pesos"),
        ("paid $1 million", "$1 million", "1 millón de dólares"),
    ],
)
def test_billions_are_spanish_millions(english: str, found: str, spanish: str) -> None:
    spans = [(english[s.start : s.end], s.target) for s in Protector(Glossary(()))(english)]
    assert spans == [(found, spanish)]


@pytest.mark.parametrize(
    ("spanish", "found", "english"),
    [
        ("Unos 1200 millones de personas", "1200 millones de", "1.2 billion"),
        ("llegó a 1.500 millones en 2020", "1.500 millones", "1.5 billion"),
        ("unos 63 000 millones más", "63 000 millones", "63 billion"),
        ("1,2 mil millones de niños", "1,2 mil millones de", "1.2 billion"),
        ("2000 millones de la partida", "2000 millones", "2 billion"),  # "de la" is the engine's: "of the"
    ],
)
def test_spanish_thousand_millions_are_english_billions(spanish: str, found: str, english: str) -> None:
    protect = Protector(Glossary(()), source_lang="es")
    assert [(spanish[s.start : s.end], s.target) for s in protect(spanish) if s.kind == "number"] == [(found, english)]


def test_de_after_millions_only_before_a_noun() -> None:
    seg = segment("Some 1.2 billion people and 2 billion in aid.")
    assert de_after_millions(seg, "Unos <x1/> las personas y <x2/> en ayuda.") == (
        "Unos <x1/> de personas y <x2/> en ayuda."
    )
    assert de_after_millions(seg, "Unos <x1/> de personas") == "Unos <x1/> de personas"
    assert de_after_millions(segment("It cost 2 billion last year."), "Costó <x1/> el año pasado.") == (
        "Costó <x1/> el año pasado."
    )


def test_billions_followed_by_a_noun_through_apertium_both_ways() -> None:
    english = [
        "Some 1.2 billion people lack clean water.",
        "The fund raised 63 billion dollars and lent 2 billion euros.",
        "Donors pledged $4 billion in aid to 1.5 billion farmers.",
    ]
    out = pipeline(ApertiumEngine(), english)
    assert out[0].startswith("Unos 1200 millones de personas")
    assert "63\u00a0000 millones de dólares" in out[1] and "2000 millones de euros" in out[1]
    assert "4000 millones de dólares en ayuda" in out[2] and "1500 millones de" in out[2]
    assert not any("miles de millones" in o for o in out)
    for source, target in zip(english, out, strict=True):  # the QA figure check sees every figure kept
        assert _figures(billions_as_millions(source)) == _figures(target), (source, target)
    spanish = ["Unos 1200 millones de personas no tienen agua potable.", "La deuda llegó a 1.500 millones en 2020."]
    back = pipeline(ApertiumEngine("es-en"), spanish, "es")
    assert "Some 1.2 billion people" in back[0] and "1.5 billion in 2020" in back[1]
    for source, target in zip(spanish, back, strict=True):
        assert _figures(source) == _figures(billions_as_millions(target)), (source, target)


def test_spanish_syntax_carried_over_is_undone_through_apertium() -> None:
    out = pipeline(
        ApertiumEngine("es-en"),
        [
            "El programa ayudó a 300 familias.",
            "La inflación bajó un 3 % en el segundo trimestre.",
            "El Gobierno entregó 25 millones de pesos a 12,500 familias.",
            "La Comisión Nacional del Agua informó.",
        ],
        "es",
    )
    assert "helped 300 families" in out[0]
    assert "went down 3%" in out[1] or "fell 3%" in out[1]
    assert "25 million pesos" in out[2] and "12,500 families" in out[2] and "weights" not in out[2]
    assert "Comisión" not in out[3] and "National" in out[3]


def test_a_question_mark_in_a_heading_does_not_shift_the_analysis_of_the_names_after_it() -> None:
    """Every phrase gets its own words: a "?" or ":" analysed as a sentence end once gave each later phrase the
    words of the one before, and "Senator Maria Quispe" was left to the engine to split."""
    phrases = ["Is It Over? The Long Road Home", "Stop Now: A Plan", "Senator Maria Quispe"]
    found = analyse(phrases)
    assert [w.surface for w in found["Senator Maria Quispe"]] == ["Senator", "Maria", "Quispe"]
    protect = Protector(load_glossary(None))
    protect.prefetch([*phrases[:2], "“We stay,” said Senator Maria Quispe."])
    text = "“We stay,” said Senator Maria Quispe."
    assert [s.target.rstrip(".") for s in protect(text) if s.kind == "name"] == ["la senadora Maria Quispe"]


def test_titles_and_names_of_common_words_through_apertium_both_ways() -> None:
    english = pipeline(
        ApertiumEngine(),
        [
            "Is It Over? The Long Road Home",
            "Prices rose, according to The Courier.",
            "The group Open Harbour sued the National Water Commission.",
            "“We stay,” said Senator Maria Quispe.",
        ],
    )
    assert "según The Courier" in english[1]
    assert "Open Harbour" in english[2] and "Comisión" in english[2]
    assert "la senadora Maria Quispe" in english[3]
    spanish = pipeline(
        ApertiumEngine("es-en"),
        [
            "¿Se Acabó? El Largo Camino",
            "Los precios subieron, según El Heraldo.",
            "La Fundación Agua Clara denunció a la Comisión Nacional del Agua.",
            "«Nos quedamos», dijo Rosa Flores Quispe.",
        ],
        "es",
    )
    assert "according to El Heraldo" in spanish[1]
    assert "Fundación Agua Clara" in spanish[2] and "Commission" in spanish[2]
    assert "Rosa Flores Quispe" in spanish[3]


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        ("2,675 millones de dólares", "$2.675 million"),  # a decimal comma (RAE), every digit kept
        ("4,500 millones de pesos", "4.5 billion pesos"),  # zeros after the comma: Mexican thousands
        ("12,500 dólares", "$12,500"),  # before a noun a comma of three digits groups thousands
        ("3.755 millones de dólares", "$3.755 billion"),
    ],
)
def test_a_spanish_comma_is_read_as_decimal_or_thousands_by_what_follows_it(spanish: str, english: str) -> None:
    assert english_money(spanish) == english


def test_a_title_case_word_that_may_be_a_name_keeps_its_capital_in_sentence_case() -> None:
    """The tagger reads "China" in "Pressure China and Mexico" as the common noun (porcelain); one of the
    analyser's readings is the country, so sentence case keeps its capital ("Porcelana de presión" otherwise)."""
    protector = Protector(Glossary(()))
    protector.learn(["Pressure China and Mexico", "Food Prices Climb Again in the Andes"])
    assert protector.sentence_case("Pressure China and Mexico") == "Pressure China and Mexico"
    assert protector.sentence_case("Food Prices Climb Again in the Andes") == "Food prices climb again in the Andes"
