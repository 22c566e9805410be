"""The Argos path for real: a tiny `.argosmodel` built here, installed through the CLI, run through the pipeline.

The model's Spanish is meaningless; what is tested is discovery, install, SentencePiece tokenization,
CTranslate2 batching, placeholders the model garbles, and provenance in the manifest, memory and QA report.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.conftest import INPUTS, run_cli
from toolkit.model import Cite, CiteItem, Code, Document, Link, Note, Paragraph, SummaryMeta, Text, plain_text
from toolkit.translate.engines import ArgosEngine
from toolkit.translate.glossary import load_glossary
from toolkit.translate.memory import TranslationMemory
from toolkit.translate.qa import check_translation
from toolkit.translate.translator import Translator

MODEL_NAME = "tiny en→es (test model) 0.1"


def test_the_package_is_a_real_argos_package(tiny_package: Path) -> None:
    with zipfile.ZipFile(tiny_package) as zf:
        names = set(zf.namelist())
        top = tiny_package.stem
        assert {f"{top}/metadata.json", f"{top}/sentencepiece.model", f"{top}/model/model.bin"} <= names
        meta = json.loads(zf.read(f"{top}/metadata.json"))
    assert (meta["from_code"], meta["to_code"]) == ("en", "es")


def test_install_list_and_build_a_packet_through_argos(tiny_package: Path, tmp_path: Path) -> None:
    env = {**os.environ, "BRIEFKIT_MODELS": str(tmp_path / "models"), "ARGOS_PACKAGES_DIR": str(tmp_path / "x")}
    assert "no Argos models installed" in run_cli("models", "list", env=env).stdout
    result = run_cli("models", "install", str(tiny_package), env=env)
    assert result.returncode == 0, result.stderr
    assert f"installed {MODEL_NAME} (en→es)" in result.stdout
    assert MODEL_NAME.replace(" 0.1", "\t0.1\ten→es") in run_cli("models", "list", env=env).stdout

    packet = tmp_path / "packet.yaml"
    packet.write_text(
        (INPUTS / "packets" / "fentanyl-parallel.yaml").read_text().replace("../", str(INPUTS) + "/")
        + f"memory: {tmp_path / 'memory.sqlite'}\n"
    )
    result = run_cli(
        "build", str(packet), "--out", str(tmp_path / "out"), "--format", "docx", "--allow-outside", env=env
    )
    assert result.returncode == 0, result.stderr
    assert f"translating into es-ES with argos ({MODEL_NAME})" in result.stderr
    folder = tmp_path / "out" / "fentanyl-parallel"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["translation"]["engine"], manifest["translation"]["model"]) == ("argos", MODEL_NAME)
    qa = json.loads((folder / "qa.json").read_text())
    assert (qa["engine"], qa["model"]) == ("argos", MODEL_NAME)
    # The model garbles placeholders; the pipeline retried those segments and the QA report says so.
    assert qa["by_kind"].get("placeholder", 0) >= 1
    assert manifest["translation"]["problems"] == []
    # Every citation note and link of the English column is in the Spanish column too.
    with zipfile.ZipFile(folder / "fentanyl-parallel.docx") as zf:
        body = zf.read("word/document.xml").decode()
    rows = re.findall(r"<w:tr[ >].*?</w:tr>", body, flags=re.S)
    paired = [re.findall(r"<w:tc>.*?</w:tc>", row, flags=re.S) for row in rows]
    paired = [cells for cells in paired if len(cells) == 2]
    assert paired
    for left, right in paired:
        assert left.count("<w:footnoteReference") == right.count("<w:footnoteReference")
        assert left.count("<w:hyperlink") == right.count("<w:hyperlink")
    db = sqlite3.connect(tmp_path / "memory.sqlite")
    assert db.execute("SELECT DISTINCT engine, model FROM units").fetchall() == [("argos", MODEL_NAME)]


class BatchSpy:
    """Wraps the CTranslate2 translator to see the batches the engine sends."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.batches: list[int] = []

    def translate_batch(self, batch: list[list[str]], **options: object) -> object:
        assert all(isinstance(t, str) for tokens in batch for t in tokens)  # SentencePiece pieces
        self.batches.append(len(batch))
        return self.inner.translate_batch(batch, **options)  # type: ignore[attr-defined]


def test_sentences_go_to_ctranslate2_in_batches_and_duplicates_once(
    tiny_engine: ArgosEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = BatchSpy(tiny_engine.translator)
    monkeypatch.setattr(tiny_engine, "translator", spy)
    paragraphs = [(Text(f"The cartel number {chr(65 + i % 26)}{i} grew. It moved north."),) for i in range(40)]
    source = Document(SummaryMeta("T", "s"), (Text("Title"),), tuple(Paragraph(p) for p in paragraphs * 2))
    translator = Translator(tiny_engine, None, load_glossary(None))
    translator.translate_documents([source])
    # Figures are placeholders, so "A0" and "A26" make the same segment: 26 segments of two sentences and the
    # title, 53 sentences in batches of at most 32. The model garbles the placeholders of all 26; their text
    # runs ("The cartel number A" … "Z", and "grew. It moved north." once) go to the engine in one more call.
    assert spy.batches == [32, 21, 26 + 2]
    assert len(translator.report.retried) == 26


def test_garbled_placeholders_are_retried_and_provenance_recorded(tiny_engine: ArgosEngine, tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "memory.sqlite")
    paragraph = (
        Text("Senator Roger Marshall cited "),
        Cite((CiteItem("a", suffix=", p. 4"),)),
        Text(" and 200,000 deaths; see "),
        Link("https://example.org/r", (Text("the report"),)),
        Text(" on March 8, 2023."),
        Note((Paragraph((Code("n1"),)),)),
    )
    source = Document(SummaryMeta("T", "s"), (Text("Title"),), (Paragraph(paragraph),))
    glossary = load_glossary(INPUTS / "glossary.csv")
    translator = Translator(tiny_engine, memory, glossary)
    (out,) = translator.translate_documents([source])
    children = out.blocks[0].children  # type: ignore[union-attr]
    assert Cite((CiteItem("a", suffix=", p. 4"),)) in children and Note((Paragraph((Code("n1"),)),)) in children
    assert [n.target for n in children if isinstance(n, Link)] == ["https://example.org/r"]
    text = plain_text(children)
    assert "Roger Marshall" in text and "200\u00a0000" in text and "8 de marzo de 2023" in text
    assert "senador" in text.lower()  # the glossary term, even through a model that knows no Spanish
    findings = check_translation(translator.results, glossary)
    about_paragraph = [f for f in findings if f.source == plain_text(paragraph)]
    assert not [f for f in about_paragraph if f.kind in ("citation", "link", "glossary")]
    assert "placeholder" in [f.kind for f in about_paragraph if f.severity == "warning"]
    # No figure is lost; the random model does invent figures of its own, and the QA report says so.
    assert all("missing []" in f.message for f in about_paragraph if f.kind == "number")
    assert translator.report.retried
    units = memory.lookup(translator.report.retried, "en-es")
    assert units and all((u.engine, u.model, u.status) == ("argos", MODEL_NAME, "machine") for u in units.values())
    memory.close()
