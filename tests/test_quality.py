"""Translation quality on the reference set: the pipeline must not score lower (chrF) than the raw engine and
must keep every citation, link and figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.reference_set import (
    QUOTES,
    UNSEEN,
    UNSEEN_ES,
    apertium_raw,
    chrf,
    kept,
    kept_share,
    load_pairs,
    names_kept_share,
    pipeline,
    read_sentences,
    real_argos_models,
    render,
)
from toolkit.translate.engines import ApertiumEngine, ArgosEngine, install_model

PAIRS = load_pairs()
SOURCES = [p.en for p in PAIRS]
REFERENCES = [p.es for p in PAIRS]


def test_the_reference_set_is_large_and_consistent() -> None:
    assert len(PAIRS) >= 60
    assert len(set(SOURCES)) == len(SOURCES)
    for pair in PAIRS:
        assert not kept(pair.en) - kept(pair.es), pair.en  # the human translation keeps them too
    # Every English sentence reads back unchanged through briefkit's reader (up to typographic quotes).
    assert [render(inlines).translate(QUOTES) for inlines in read_sentences(SOURCES)] == [
        s.translate(QUOTES) for s in SOURCES
    ]


UNSEEN_PAIRS = load_pairs(UNSEEN)


def test_the_unseen_set_is_large_apart_from_the_samples_and_consistent() -> None:
    """Written apart from the sample summaries and source documents: no sentence of theirs is in it."""
    assert len(UNSEEN_PAIRS) >= 100
    samples = " ".join(p.read_text() for p in (ROOT / "inputs" / "summaries").glob("*.md"))
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        samples += " ".join(p.read_text(errors="replace") for p in seeds.glob("*.txt"))
    for pair in UNSEEN_PAIRS:
        assert pair.en[:60] not in samples, pair.en
        assert not kept(pair.en) - kept(pair.es), pair.en


def test_on_unseen_text_the_pipeline_beats_the_raw_engine_by_three_points() -> None:
    sources, references = [p.en for p in UNSEEN_PAIRS], [p.es for p in UNSEEN_PAIRS]
    raw_score = chrf(apertium_raw(sources), references)
    ours = pipeline(ApertiumEngine(), sources)
    our_score = chrf(ours, references)
    print(f"unseen: apertium chrF raw {raw_score:.1f}, pipeline {our_score:.1f}")
    assert our_score >= raw_score + 3
    assert kept_share(sources, ours) == 1.0
    assert names_kept_share(sources, ours, references) >= 0.95


def test_apertium_pipeline_beats_the_raw_engine_and_keeps_everything() -> None:
    raw = apertium_raw(SOURCES)
    ours = pipeline(ApertiumEngine(), SOURCES)
    raw_score, our_score = chrf(raw, REFERENCES), chrf(ours, REFERENCES)
    print(f"apertium chrF raw {raw_score:.1f}, pipeline {our_score:.1f}; kept raw {kept_share(SOURCES, raw):.1%}")
    assert our_score >= raw_score
    assert kept_share(SOURCES, ours) == 1.0


@pytest.mark.parametrize("package", ["tiny", *real_argos_models()], ids=lambda p: getattr(p, "name", p))
def test_argos_pipeline_keeps_everything_and_a_real_model_beats_its_raw_output(
    package: Path | str, tiny_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Always runs with the tiny test model (its Spanish is noise, so only what is kept is checked); with a real
    model from ../shared/models (none can be downloaded on these machines) chrF is compared too."""
    monkeypatch.setenv("BRIEFKIT_MODELS", str(tmp_path))
    engine = ArgosEngine(install_model(tiny_package if package == "tiny" else Path(package)))
    raw = engine.translate(SOURCES)  # the model on the Markdown text, nothing protected
    ours = pipeline(engine, SOURCES)
    assert kept_share(SOURCES, ours) == 1.0
    if package != "tiny":
        assert chrf(ours, REFERENCES) >= chrf(raw, REFERENCES)


SPANISH_PAIRS = load_pairs(UNSEEN_ES)


def test_the_spanish_set_is_large_apart_from_the_samples_and_consistent() -> None:
    """Spanish sentences written apart from the Spanish sample summaries, with careful English."""
    assert len(SPANISH_PAIRS) >= 60
    assert len({p.es for p in SPANISH_PAIRS}) == len(SPANISH_PAIRS)
    samples = " ".join(p.read_text() for p in (ROOT / "inputs" / "summaries").glob("*.md"))
    for pair in SPANISH_PAIRS:
        assert pair.es[:60] not in samples, pair.es
        assert not kept(pair.es) - kept(pair.en), pair.es  # the English keeps every citation, link and figure
    spanish = [render(inlines).translate(QUOTES) for inlines in read_sentences([p.es for p in SPANISH_PAIRS], "es")]
    assert spanish == [p.es.translate(QUOTES) for p in SPANISH_PAIRS]


def test_from_spanish_the_pipeline_beats_the_raw_engine_and_keeps_everything() -> None:
    sources, references = [p.es for p in SPANISH_PAIRS], [p.en for p in SPANISH_PAIRS]
    raw = apertium_raw(sources, "spa-eng")
    ours = pipeline(ApertiumEngine("es-en"), sources, "es")
    raw_score, our_score = chrf(raw, references), chrf(ours, references)
    print(f"es→en: apertium chrF raw {raw_score:.1f}, pipeline {our_score:.1f}")
    assert our_score >= raw_score + 1
    assert kept_share(sources, ours) == 1.0 > kept_share(sources, raw)
