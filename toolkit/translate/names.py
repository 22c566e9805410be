"""Which capitalized phrases are names to keep as written, judged with Apertium's analyser.

Apertium's morphological analyser and tagger (in the `apertium-eng-spa` package, whatever engine translates)
know given names and surnames (`<np><ant>`, `<np><cog>`), places (`<np><loc>`) and some institutions as one
unit (`<np><al>`), and mark words they do not know. A capitalized phrase is kept as written only with evidence
that it is a name: from its first personal name or unknown word on ("Health Minister [Ana Lima]",
"[Brookings Institution]"), or a publication with its article ("The New York Times"); the bibliography,
glossary and term base name others before this runs. Everything else is left to the engine: institutions and
places it knows ("World Health Organization", "Latin America", "la Comisión Nacional del Agua"), runs of common
words ("Office for the Protection of Witnesses"). Months ("March" is a surname to the tagger) and role titles
("Mayor") are never evidence. Without Apertium every run is kept whole."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Literal

ANALYSER = "/usr/share/apertium/apertium-eng-spa"
# Spanish institutions name their head first ("Comisión Nacional del Agua", "Instituto Nacional Electoral"):
# such a run is translated even where the tagger does not know one of its words.
SPANISH_INSTITUTION_NOUNS = set(
    """organización comisión fondo banco universidad corte tribunal consejo ministerio departamento unión instituto
oficina programa comité agencia servicio parlamento senado congreso asamblea ejército fuerza guardia policía
secretaría procuraduría fiscalía defensoría contraloría superintendencia autoridad junta dirección administración
gobierno cámara escuela colegio hospital centro academia federación confederación sindicato partido
frente movimiento red alianza coordinadora asociación sociedad cruz""".split()
)
NOT_EVIDENCE = {
    *"january february march april may june july august september october november december".split(),
    *"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    *"mayor governor senator president minister judge justice general secretary ambassador director".split(),
    *"alcalde alcaldesa gobernador gobernadora senador senadora presidente presidenta ministro ministra".split(),
    *"juez jueza secretario secretaria embajador embajadora directora".split(),
}
LEXICAL_UNIT = re.compile(r"\^(?P<surface>[^/$]*)(?:/(?P<lemma>[^<$]*)(?:<(?P<tags>[^$]*)>)?)?\$")
Verdict = Literal["keep", "translate"]


@dataclass(frozen=True)
class Word:
    surface: str
    tags: str  # "np><ant><m><sg", "n><sg", "" for an unknown word

    @property
    def unknown(self) -> bool:
        return self.tags == ""

    @property
    def personal(self) -> bool:
        evidence = self.surface.lower() not in NOT_EVIDENCE
        return evidence and (self.tags.startswith("np><ant") or self.tags.startswith("np><cog"))

    @property
    def proper(self) -> bool:
        """A proper noun or a word the engine does not know: kept capitalized in a title put in sentence case."""
        return self.unknown or (self.tags.startswith("np") and self.surface.lower() not in NOT_EVIDENCE)

    @property
    def multiword_name(self) -> bool:
        return self.tags.startswith("np><al") and " " in self.surface


@functools.cache
def analyser_available() -> bool:
    return shutil.which("lt-proc") is not None and shutil.which("apertium-tagger") is not None


def analyse(phrases: list[str], mode: str = "eng-spa") -> dict[str, list[Word]]:
    """Each phrase analysed on its own (one process for all of them), by the analyser of the source language
    (`eng-spa`: English, `spa-eng`: Spanish; both tag proper nouns alike)."""
    if not phrases or not analyser_available():
        return {}
    text = "".join(f"{p.replace('.', ' ')} .\n" for p in phrases)
    # The analyser feeds the tagger directly, both running at once.
    morph = subprocess.Popen(
        ["lt-proc", f"{ANALYSER}/{mode}.automorf.bin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    tagger = subprocess.Popen(
        ["apertium-tagger", "-p", "-g", f"{ANALYSER}/{mode}.prob"],
        stdin=morph.stdout,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert morph.stdin is not None and morph.stdout is not None
    morph.stdout.close()  # the tagger holds it now
    stdin = morph.stdin

    def feed() -> None:  # in a thread of its own: pipes fill up when the input is large
        stdin.write(text)
        stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    output, _ = tagger.communicate(timeout=600)
    writer.join()
    if morph.wait(timeout=600) != 0 or tagger.returncode != 0:
        return {}
    sentences: list[list[Word]] = [[]]
    for m in LEXICAL_UNIT.finditer(output):
        surface, tags = m["surface"], m["tags"] or ""
        if tags.startswith("sent"):
            sentences.append([])
        else:
            sentences[-1].append(Word(surface, tags))
    return dict(zip(phrases, sentences[: len(phrases)], strict=False))


def judge(phrase: str, words: list[Word] | None) -> tuple[Verdict, int]:
    """Keep or translate a capitalized phrase; with "keep", how many leading words stay translatable (role words
    and adjectives before a name: "Health Minister" in "Health Minister Ana Lima")."""
    if not words:
        return "keep", 0
    if head_is_institution(words):
        return "translate", 0
    for i, word in enumerate(words):
        if word.personal or word.unknown:
            return "keep", _leading_words(words[:i], phrase)
    if phrase.startswith("The ") and any(w.multiword_name for w in words):
        return "keep", 0  # a publication with its article: The New York Times
    return "translate", 0  # no evidence of a name: institutions, places, common words are the engine's


def head_is_institution(words: list[Word]) -> bool:
    """A Spanish institution's name, its head first ("Comisión Nacional del Agua"), with no person in it."""
    return bool(words) and words[0].surface.lower() in SPANISH_INSTITUTION_NOUNS and not any(w.personal for w in words)


def _leading_words(words: list[Word], phrase: str) -> int:
    """How many words of the phrase the analysed words before the name cover."""
    return sum(len(w.surface.split()) for w in words)
