"""Offline translation engines: Argos Translate models (through CTranslate2) and Apertium.

An engine translates a batch of marked-up segments (see `segments`) and says who it is.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import threading
import zipfile
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Protocol

from toolkit.errors import BriefkitError
from toolkit.model.languages import language_name

INSTALL_HINT = (
    "install Apertium (`apt-get install apertium apertium-eng-spa`) or an Argos model "
    "(`briefkit models install FILE.argosmodel`)"
)


class Engine(Protocol):
    name: str
    model: str  # model name and version, recorded with every translation

    def translate(self, markups: list[str]) -> list[str]: ...

    def translate_marked(self, markups: list[str]) -> list[str]:
        """As `translate`, with each word the engine does not know marked `*word` (see `split_unknown`)."""
        ...

    def start(self) -> None:
        """Get ready for the next batch while the caller makes its segments (Apertium starts its processes and
        loads its dictionaries); nothing for an engine that is ready."""
        ...


UNKNOWN = re.compile(r"(?<![\w*])\*(?=\w)")
UNKNOWN_WORD = re.compile(r"[\w'’-]*\*\w[\w'’*-]*")


def split_unknown(marked: str) -> tuple[str, list[str]]:
    """Engine output without its unknown-word marks, and the words that had one, in order ("e-*mailed" is
    one word)."""
    words = [w.replace("*", "").strip("-'’") for w in UNKNOWN_WORD.findall(marked)]
    return UNKNOWN.sub("", marked), [w for w in words if w]


# --- Apertium ---------------------------------------------------------------------------------------------


@functools.cache
def apertium_model() -> str:
    """The installed language pair's package and version, e.g. `apertium-eng-spa 0.8.1-2`."""
    try:
        version = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", "apertium-eng-spa"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        version = ""
    return f"apertium-eng-spa {version or 'unknown'}"


APERTIUM_MODES = {"en-es": "eng-spa", "es-en": "spa-eng"}  # both in Debian's apertium-eng-spa


def apertium_identity(pair: str) -> str:
    """The model an Apertium translation records: the package and version, and the direction when it is not
    the first one briefkit had (so that English→Spanish memories keep their model)."""
    mode = APERTIUM_MODES[pair]
    return apertium_model() if mode == "eng-spa" else f"{apertium_model()} {mode}"


class ApertiumEngine:
    """Rule-based translation (`eng-spa` or `spa-eng`) through one `apertium -f html` process per batch."""

    name = "apertium"

    def __init__(self, pair: str = "en-es") -> None:
        binary = shutil.which("apertium")
        if binary is None:
            raise BriefkitError("Apertium is not installed", hint=INSTALL_HINT)
        self.binary: str = binary
        self.mode = APERTIUM_MODES[pair]
        self.model = apertium_identity(pair)
        modes = subprocess.run([self.binary, "-l"], capture_output=True, text=True)  # fast: lists mode files
        if self.mode not in modes.stdout.split():
            raise BriefkitError(f"Apertium has no {self.mode} mode", hint=INSTALL_HINT)
        self._ready: subprocess.Popen[str] | None = None  # started by `start`, waiting for the next batch
        self._lock = threading.Lock()

    def _process(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [self.binary, "-f", "html", self.mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start(self) -> None:
        """Start the next batch's Apertium processes now: they load their dictionaries (most of a batch's fixed
        cost) while the caller judges names and makes segments."""
        with self._lock:
            if self._ready is None:
                self._ready = self._process()

    @staticmethod
    def _encode(markup: str, token: str) -> str:
        # Inline <span> keeps formatting attached to its words; a bare word passes through untouched.
        markup = re.sub(r"<g(\d+)>", r'<span data-g="\1">', markup)
        markup = re.sub(r"</g\d+>", "</span>", markup)
        return re.sub(r"<x(\d+)/>", lambda m: f"{token}{m.group(1)}", markup)

    @staticmethod
    def _decode(html: str, token: str) -> str:
        out: list[str] = []
        stack: list[str] = []
        pos = 0
        for m in re.finditer(r'<span data-g="(\d+)">|</span>', html):
            out.append(html[pos : m.start()])
            if m.group(1):
                stack.append(m.group(1))
                out.append(f"<g{m.group(1)}>")
            elif stack:
                out.append(f"</g{stack.pop()}>")
            pos = m.end()
        out.append(html[pos:])
        text = re.sub(rf"[*@#]?\b{token}(\d+)\b", r"<x\1/>", "".join(out))
        # Apertium marks a word it does not know `*word` (kept, see split_unknown), a word without a
        # translation `@word` (counted as unknown too) and one it cannot inflect `#word` (dropped).
        text = re.sub(r"#(?=\w)", "", re.sub(r"@(?=\w)", "*", text))
        return re.sub(r"\s+", " ", text).strip()

    def translate(self, markups: list[str]) -> list[str]:
        return [split_unknown(text)[0] for text in self.translate_marked(markups)]

    def translate_marked(self, markups: list[str]) -> list[str]:
        if not markups:
            return []
        token = "Bk"
        while any(token.lower() in m.lower() for m in markups):
            token += "q"
        body = "".join(f"<p>{self._encode(m, token)}</p>\n" for m in markups)
        with self._lock:
            process, self._ready = self._ready, None
        process = process or self._process()
        try:
            stdout, stderr = process.communicate(body, timeout=3600)
        except subprocess.TimeoutExpired:
            process.kill()
            raise BriefkitError("Apertium did not finish within an hour") from None
        if process.returncode != 0:
            raise BriefkitError(f"Apertium failed: {stderr.strip()[:300]}")
        parts = re.findall(r"<p>(.*?)</p>", stdout, flags=re.S)
        if len(parts) != len(markups):
            raise BriefkitError(f"Apertium returned {len(parts)} segments for {len(markups)}")
        return [self._decode(p, token) for p in parts]


# --- Argos Translate models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArgosModel:
    path: Path  # the unpacked package directory
    name: str
    version: str
    from_code: str
    to_code: str


def models_dir() -> Path:
    return Path(os.environ.get("BRIEFKIT_MODELS") or Path.home() / ".local" / "share" / "briefkit" / "models")


def _read_metadata(directory: Path) -> ArgosModel | None:
    meta_file = directory / "metadata.json"
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return ArgosModel(
        directory,
        str(meta.get("package_name", directory.name)),
        str(meta.get("package_version", "")),
        str(meta.get("from_code", "")),
        str(meta.get("to_code", "")),
    )


def installed_models() -> list[ArgosModel]:
    """Argos packages under the models directory (unpacked) and Argos Translate's own package directory."""
    roots = [models_dir()]
    argos_home = Path(
        os.environ.get("ARGOS_PACKAGES_DIR", Path.home() / ".local" / "share" / "argos-translate" / "packages")
    )
    roots.append(argos_home)
    found = []
    for root in roots:
        if root.is_dir():
            for child in sorted(root.iterdir()):
                model = _read_metadata(child) if child.is_dir() else None
                if model is not None:
                    found.append(model)
    return found


def install_model(archive: Path) -> ArgosModel:
    """Unpack a `.argosmodel` file into the models directory after checking it is a real Argos package."""
    if not zipfile.is_zipfile(archive):
        raise BriefkitError("not an Argos model package (not a zip archive)", archive)
    with zipfile.ZipFile(archive) as zf:
        bad = zf.testzip()
        if bad is not None:
            raise BriefkitError(f"model package is corrupted (bad member {bad})", archive)
        names = zf.namelist()
        top = {n.split("/")[0] for n in names}
        if len(top) != 1 or not any(n.endswith("/metadata.json") for n in names):
            raise BriefkitError("model package has no metadata.json in a single top folder", archive)
        for name in names:
            if name.startswith("/") or ".." in Path(name).parts:
                raise BriefkitError(f"model package has an unsafe path {name!r}", archive)
        target_root = models_dir()
        target_root.mkdir(parents=True, exist_ok=True)
        folder = target_root / top.pop()
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        zf.extractall(staging)
    inner = next(p for p in staging.iterdir() if p.is_dir())
    model = _read_metadata(inner)
    if model is None or not (inner / "model").is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        raise BriefkitError("model package lacks metadata.json or model/", archive)
    shutil.rmtree(folder, ignore_errors=True)
    inner.rename(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return _read_metadata(folder)  # type: ignore[return-value]


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"<])")


class ArgosEngine:
    """An Argos package run straight through CTranslate2 with its own SentencePiece model, in batches."""

    name = "argos"

    def __init__(self, model: ArgosModel, beam_size: int = 2, batch_size: int = 32) -> None:
        import ctranslate2
        import sentencepiece

        self.model = f"{model.name} {model.version}".strip()
        sp_file = model.path / "sentencepiece.model"
        if not sp_file.is_file():
            raise BriefkitError("Argos model has no sentencepiece.model", model.path)
        try:
            self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(sp_file))
            self.translator = ctranslate2.Translator(
                str(model.path / "model"), device="cpu", inter_threads=1, intra_threads=os.cpu_count() or 1
            )
        except Exception as exc:  # the libraries raise bare RuntimeErrors on broken files
            raise BriefkitError(
                f"Argos model cannot be loaded: {exc}", model.path, hint="reinstall it with `briefkit models install`"
            ) from None
        self.beam_size = beam_size
        self.batch_size = batch_size

    def translate_marked(self, markups: list[str]) -> list[str]:
        return self.translate(markups)  # a neural model marks no unknown words

    def start(self) -> None:
        """Nothing: the model is loaded once, with the engine."""

    def translate(self, markups: list[str]) -> list[str]:
        sentences: list[list[str]] = []
        owners: list[int] = []
        for i, markup in enumerate(markups):
            for sentence in SENTENCE_END.split(unescape(markup)):
                sentences.append(self.tokenizer.encode(sentence, out_type=str))
                owners.append(i)
        # Sentences of like length go together: less padding, and a decoding limit that fits the batch.
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))
        decoded: dict[int, str] = {}
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            longest = max(len(sentences[k]) for k in chunk)
            results = self.translator.translate_batch(
                [sentences[k] for k in chunk],
                beam_size=self.beam_size,
                max_decoding_length=min(512, 2 * longest + 10),
            )
            for k, result in zip(chunk, results, strict=True):
                decoded[k] = self.tokenizer.decode(result.hypotheses[0])
        out = [""] * len(markups)
        for k, owner in enumerate(owners):
            out[owner] = (out[owner] + " " + decoded[k]).strip()
        return [escape(t, quote=False).replace("&lt;", "<").replace("&gt;", ">") for t in out]


def find_model(from_code: str = "en", to_code: str = "es") -> ArgosModel | None:
    for model in installed_models():
        if model.from_code == from_code and model.to_code == to_code:
            return model
    return None


def engine_identity(choice: str, pair: str = "en-es") -> str:
    """Which engine and model `choice` would use for a language pair ("en-es"), without loading it (for build
    keys)."""
    source, target = pair.split("-")
    model = find_model(source, target) if choice in ("auto", "argos") else None
    if model is not None:
        return f"argos {model.name} {model.version} {model.path}"
    return "apertium " + apertium_identity(pair)


_LOADED: dict[tuple[str, int, str], Engine] = {}


def load_engine(choice: str, beam_size: int = 2, pair: str = "en-es") -> Engine:
    """`select_engine`, loaded once per process: a release worker loads its model once, not once per packet."""
    key = (choice, beam_size, engine_identity(choice, pair))
    if key not in _LOADED:
        _LOADED[key] = select_engine(choice, beam_size, pair)
    return _LOADED[key]


def engines_loaded() -> int:
    """How many engines this process has loaded (a release worker: one, whatever number of packets it builds)."""
    return len(_LOADED)


def select_engine(choice: str, beam_size: int = 2, pair: str = "en-es") -> Engine:
    """`auto`: Argos when a model for the pair is installed, Apertium otherwise."""
    source, target = pair.split("-")
    if choice in ("auto", "argos"):
        model = find_model(source, target)
        if model is not None:
            return ArgosEngine(model, beam_size)
        if choice == "argos":
            raise BriefkitError(
                f"no {language_name(source)}→{language_name(target)} Argos model is installed",
                hint="install one with `briefkit models install FILE.argosmodel`",
            )
    return ApertiumEngine(pair)
