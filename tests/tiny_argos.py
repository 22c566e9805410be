"""A tiny but valid Argos Translate package, built offline with CTranslate2's and SentencePiece's own APIs.

Its translations are meaningless (random weights); what it exercises is the real path: package discovery,
install, SentencePiece tokenization, CTranslate2 batch decoding, and what the pipeline does when a model
garbles placeholders. Used by the tests and by `benchmarks/translate.py`.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np


def _training_sentences() -> list[str]:
    root = Path(__file__).resolve().parent.parent / "inputs" / "summaries"
    texts = (p.read_text(encoding="utf-8") for p in sorted(root.glob("*.md")))
    # the English summaries (an en→es model), without the `lang: en` line they gained later: the same corpus,
    # so the same random model, as the tests' expectations of its garbling were written against
    text = " ".join(t.replace("\nlang: en\n", "\n") for t in texts if "\nlang: es\n" not in t)
    words = text.split()
    return [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]


def _train_sentencepiece(prefix: Path, vocab_size: int) -> list[str]:
    import sentencepiece

    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(_training_sentences()),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        minloglevel=2,
    )
    processor = sentencepiece.SentencePieceProcessor(model_file=str(prefix) + ".model")
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _fill(spec: object, vocab: int, d_model: int, ffn: int, rng: np.random.Generator) -> None:
    """Give every unset weight of the spec a small random value of the shape CTranslate2 expects."""

    def shape(name: str) -> tuple[int, ...]:
        parts = name.split("/")
        leaf, parent = parts[-1], parts[-2]
        if leaf in ("gamma", "beta") or leaf == "bias":
            return (d_model,)
        if parent.startswith("embeddings") or parent == "projection":
            return (vocab, d_model)
        if "ffn" in parts:
            return (ffn, d_model) if parent == "linear_0" else (d_model, ffn)
        if "self_attention" in parts and parent == "linear_0":
            return (3 * d_model, d_model)  # fused query, key, value
        if "attention" in parts and parent == "linear_1":
            return (2 * d_model, d_model)  # fused key, value of the encoder output
        return (d_model, d_model)

    def fill(node: object, name: str, value: object) -> None:
        if value is not None:
            return
        leaf = name.split("/")[-1]
        if leaf == "gamma":
            array = np.ones(shape(name), np.float32)
        elif leaf == "beta":
            array = np.zeros(shape(name), np.float32)
        else:
            array = (rng.standard_normal(shape(name)) * 0.2).astype(np.float32)
        setattr(node, leaf, array)

    spec._visit(fill)  # type: ignore[attr-defined]


def build_tiny_argos_package(
    workdir: Path, version: str = "0.1", seed: int = 7, direction: tuple[str, str] = ("en", "es")
) -> Path:
    """Write `translate-<from>_<to>-tiny.argosmodel` into `workdir` and return its path."""
    from ctranslate2 import specs

    source, target = direction
    name = f"translate-{source}_{target}-tiny-{version.replace('.', '_')}"
    package = workdir / name
    (package / "model").mkdir(parents=True, exist_ok=True)
    pieces = _train_sentencepiece(package / "sentencepiece", vocab_size=300)
    (package / "sentencepiece.vocab").unlink()

    d_model, ffn = 32, 64
    spec = specs.TransformerSpec.from_config(1, 2)
    _fill(spec, len(pieces), d_model, ffn, np.random.default_rng(seed))
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    spec.config.unk_token = "<unk>"  # type: ignore[attr-defined]
    spec.config.bos_token = "<s>"  # type: ignore[attr-defined]
    spec.config.eos_token = "</s>"  # type: ignore[attr-defined]
    spec.validate()
    spec.optimize(quantization=None)
    spec.save(str(package / "model"))
    metadata = {
        "package_name": f"tiny {source}→{target} (test model)",
        "package_version": version,
        "argos_version": "1.0",
        "from_code": source,
        "from_name": {"en": "English", "es": "Spanish"}[source],
        "to_code": target,
        "to_name": {"en": "English", "es": "Spanish"}[target],
    }
    (package / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    archive = workdir / f"{name}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package.rglob("*")):
            zf.write(path, path.relative_to(workdir).as_posix())
    return archive
