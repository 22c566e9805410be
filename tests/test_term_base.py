"""The default term base shipped with briefkit: read as package data, looked up both ways with gender, number
and acronyms, overridden by a packet's glossary, turned off by `term_base: false`."""

from __future__ import annotations

from pathlib import Path

from toolkit.read.packet import read_packet
from toolkit.translate.glossary import Glossary, Term, default_term_base, load_glossary
from toolkit.translate.protect import Protector


def spans(protect: Protector, text: str) -> dict[str, str]:
    return {text[s.start : s.end]: s.target for s in protect(text) if s.kind == "term"}


def test_the_term_base_is_package_data_with_genders() -> None:
    terms = default_term_base()
    assert len(terms) >= 150
    by_source = {t.source: t for t in terms}
    assert (by_source["WFP"].target, by_source["WFP"].gender) == ("PMA", "m")
    assert (by_source["mayor"].target, by_source["mayor"].feminine) == ("alcalde", "alcaldesa")
    assert all(t.gender in ("m", "f", "") and t.direction in ("", "en-es", "es-en") for t in terms)


def test_agency_acronyms_map_keep_their_case_and_take_their_article() -> None:
    protect = Protector(load_glossary(None))
    found = spans(protect, "UNICEF and the WFP worked with the ICRC, the IOM, PAHO, the ILO and the FBI.")
    assert found == {
        "UNICEF": "UNICEF",
        "the WFP": "el PMA",
        "the ICRC": "el CICR",
        "the IOM": "la OIM",
        "PAHO": "OPS",
        "the ILO": "la OIT",
        "the FBI": "el FBI",
    }
    assert spans(protect, "Two NGOs and three TCOs.") == {"NGOs": "ONG", "TCOs": "TCO"}  # invariable plural


def test_organizations_and_policy_vocabulary_in_spanish() -> None:
    protect = Protector(load_glossary(None))
    found = spans(
        protect, "Reporters Without Borders said the ruling was unfair and the bill was dropped in the second quarter."
    )
    assert found == {
        "Reporters Without Borders": "Reporteros Sin Fronteras",
        "the ruling": "el fallo",
        "the second quarter": "el segundo trimestre",
        "the bill": "el proyecto de ley",
    }
    assert spans(protect, "The ruling party and the drone strikes") == {
        "The ruling party": "El partido gobernante",
        "the drone strikes": "los ataques con drones",
    }


def test_the_term_base_read_from_spanish_and_one_way_senses() -> None:
    protect = Protector(load_glossary(None), source_lang="es")
    found = spans(protect, "La OMS, el PMA y la alcaldesa apoyaron el proyecto de ley en el juicio.")
    assert found == {"OMS": "WHO", "PMA": "WFP", "alcaldesa": "mayor", "proyecto de ley": "bill"}  # juicio: en→es only


def test_a_packet_glossary_overrides_the_term_base_and_it_can_be_off(tmp_path: Path) -> None:
    own = Glossary((Term("bill", "iniciativa de ley", gender="f"),), base=default_term_base())
    assert spans(Protector(own), "the bill and the WFP") == {"the bill": "la iniciativa de ley", "the WFP": "el PMA"}
    reversed_own = Protector(own, source_lang="es")
    # from Spanish an entry is overridden by its Spanish: both read as the English
    assert spans(reversed_own, "la iniciativa de ley y el proyecto de ley") == {
        "iniciativa de ley": "bill",
        "proyecto de ley": "bill",
    }
    assert spans(Protector(load_glossary(None, term_base=False)), "the bill and the WFP") == {}


def test_term_base_false_in_a_packet(tmp_path: Path) -> None:
    (tmp_path / "packets").mkdir()
    (tmp_path / "summaries").mkdir()
    (tmp_path / "references.json").write_text("[]")
    (tmp_path / "summaries" / "case.md").write_text("---\ntitle: T\nsource: s\n---\n\nText.\n")
    packet = tmp_path / "packets" / "case.yaml"
    head = "id: case\ntitle: T\nbibliography: ../references.json\nsummaries: [../summaries/case.md]\n"
    for value, expected in (("", True), ("term_base: false\n", False), ("term_base: true\n", True)):
        packet.write_text(head + value)
        read, errors = read_packet(packet)
        assert (read.term_base, errors) == (expected, [])
    packet.write_text(head + "term_base: sometimes\n")
    _, errors = read_packet(packet)
    assert [str(e) for e in errors] == [f"{packet}:5: term_base must be true or false, got 'sometimes'"]
