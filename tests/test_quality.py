"""Translation quality on the reference set: the pipeline must not score lower (chrF) than the raw engine and
must keep every citation, link and figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reference_set import (
    QUOTES,
    apertium_raw,
    chrf,
    kept,
    kept_share,
    load_pairs,
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
