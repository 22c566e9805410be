"""A packet folder's manifest.json: what was built, from what, and how; written by a build, read by the next."""

from __future__ import annotations

import builtins
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.review.status import ReviewCounts
from toolkit.translate.translator import PlaceholderProblem, TranslationReport


@dataclass(frozen=True)
class OutputFile:
    path: str
    sha256: str
    bytes: int

    @staticmethod
    def of(name: str, data: builtins.bytes) -> OutputFile:
        return OutputFile(name, hashlib.sha256(data).hexdigest(), len(data))

    def intact_in(self, folder: Path) -> bool:
        """The file is in `folder` with the size and sha256 recorded."""
        path = folder / self.path
        if not path.is_file() or path.stat().st_size != self.bytes:
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == self.sha256


@dataclass(frozen=True)
class KeyParts:
    """What a packet's outputs are made from (the build key is their hash)."""

    inputs: dict[str, str]  # input name -> sha256
    engine: str
    toolkit: str
    formats: list[str]
    source_date_epoch: str
    pandoc: str = ""  # the Pandoc that rendered the citations ("pandoc 3.9")
    translations: str = ""  # digest of the person-made translations the packet's segments use

    def quick(self) -> dict[str, Any]:
        """The parts found without reading any Markdown (all but `translations`)."""
        parts = asdict(self)
        del parts["translations"]
        return parts


@dataclass(frozen=True)
class QaSummary:
    errors: int
    warnings: int
    by_kind: dict[str, int]


@dataclass(frozen=True)
class Manifest:
    packet: str
    toolkit_version: str
    build_key: str
    key_parts: KeyParts
    memory_people: str  # digest of every person-made translation in the memory when the build ended
    layout: str
    languages: list[str]
    citation_style: str
    files: dict[str, OutputFile]  # kind (docx, pdf, qa_json, qa_markdown) -> file
    translation: TranslationReport | None
    qa: QaSummary | None
    review: ReviewCounts | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    # the memory keys the packet's segments look up, by language pair: what decides, without reading the
    # summaries, whether a correction stored since touches this packet
    segment_keys: dict[str, list[str]] = field(default_factory=dict)
    memory: str = ""  # the translation memory the build used: its file, or its database URL without a password

    @property
    def inputs(self) -> dict[str, str]:
        return self.key_parts.inputs

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["inputs"] = self.inputs
        order = list(data)  # keep "inputs" where it always stood: after the files
        order.insert(order.index("files") + 1, order.pop(order.index("inputs")))
        return {key: data[key] for key in order}

    def json_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode()

    @staticmethod
    def from_json(data: Any) -> Manifest | None:
        """The manifest in `data` (parsed manifest.json), or None if it is not one this version wrote."""
        try:
            translation = data["translation"]
            qa = data["qa"]
            return Manifest(
                packet=str(data["packet"]),
                toolkit_version=str(data["toolkit_version"]),
                build_key=str(data["build_key"]),
                key_parts=KeyParts(**data["key_parts"]),
                memory_people=str(data["memory_people"]),
                layout=str(data["layout"]),
                languages=list(data["languages"]),
                citation_style=str(data["citation_style"]),
                files={kind: OutputFile(**info) for kind, info in data["files"].items()},
                translation=None
                if translation is None
                else TranslationReport(
                    **{**translation, "problems": [PlaceholderProblem(**p) for p in translation["problems"]]}
                ),
                qa=None if qa is None else QaSummary(**qa),
                review=None if data["review"] is None else ReviewCounts(**data["review"]),
                timings_s=dict(data.get("timings_s", {})),
                segment_keys={str(pair): [str(k) for k in keys] for pair, keys in data.get("segment_keys", {}).items()},
                memory=str(data.get("memory", "")),
            )
        except (KeyError, TypeError, AttributeError):
            return None

    @staticmethod
    def read_if_intact(folder: Path) -> Manifest | None:
        """The folder's manifest, if every file it lists is there with the size and sha256 it records."""
        try:
            manifest = Manifest.from_json(json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None
        if manifest is None or not all(f.intact_in(folder) for f in manifest.files.values()):
            return None
        return manifest
